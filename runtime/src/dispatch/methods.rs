//! The methods both eras share: lists, `tools/call`, `resources/read`,
//! `prompts/get`, `completion/complete`. Each era wraps these with its own
//! checks and result decoration.

use super::Session;
use crate::handler::{CallInput, Context, Interrupt, RequestScope, ResourceBody};
use crate::protocol::jsonrpc::{code, ErrorObject};
use crate::protocol::version::Era;
use crate::protocol::ResourceContents;
use crate::registry::paginate;
use base64::Engine as _;
use futures::future::BoxFuture;
use serde_json::{json, Map, Value};
use std::time::Duration;

/// Why a method did not produce a result.
pub(crate) enum Stop {
    /// A JSON-RPC error.
    Error(ErrorObject),
    /// The handler needs input first (2026-07-28 only).
    Interrupted(Box<(Interrupt, Map<String, Value>)>),
    /// The handler ran past its time limit and was dropped.
    TimedOut(Duration),
}

/// The JSON-RPC error for a handler stopped at its time limit (a tool's
/// caller gets an `isError` result instead).
pub(crate) fn timed_out(limit: Duration) -> ErrorObject {
    ErrorObject::internal(format!(
        "Request timed out after {} s (MCP_TOOL_TIMEOUT_SECS)",
        limit.as_secs_f64()
    ))
}

/// The longest URI a client may subscribe to. Subscriptions are kept for a
/// session's life, so their size is bounded; real resource URIs are far
/// shorter.
pub(crate) const MAX_SUBSCRIPTION_URI_BYTES: usize = 4096;

/// Refuses a subscription to a URI this server does not serve (`-32002`,
/// as `resources/read` answers), that the caller's token may not read, or
/// that is too long (`-32602`).
pub(crate) fn check_subscribable(session: &Session, uri: &str) -> Result<(), ErrorObject> {
    if uri.len() > MAX_SUBSCRIPTION_URI_BYTES {
        return Err(ErrorObject::invalid_params(format!(
            "Invalid params: \"uri\" is {} bytes long; at most {MAX_SUBSCRIPTION_URI_BYTES} are accepted",
            uri.len()
        )));
    }
    let registry = session.core.registry();
    let required = match registry.resources.get(uri) {
        Some(r) => Some(&r.required_scopes),
        None => registry
            .templates
            .values()
            .find(|t| t.template.matches(uri).is_some())
            .map(|t| &t.required_scopes),
    };
    let token = crate::auth::current_access_token();
    match required {
        Some(required) if crate::auth::permits(token.as_deref(), required) => Ok(()),
        _ => Err(ErrorObject::new(
            code::RESOURCE_NOT_FOUND,
            format!("Resource not found: {uri}"),
        )
        .with_data(json!({ "uri": uri }))),
    }
}

impl From<ErrorObject> for Stop {
    fn from(e: ErrorObject) -> Self {
        Stop::Error(e)
    }
}

/// Refuses a tool, resource or prompt the token has too few scopes for.
fn check_scopes(scope: &RequestScope, required: &[String]) -> Result<(), ErrorObject> {
    if crate::auth::permits(scope.access_token.as_deref(), required) {
        return Ok(());
    }
    let scope = required.join(" ");
    Err(ErrorObject::new(
        crate::auth::INSUFFICIENT_SCOPE_CODE,
        format!("Forbidden: insufficient scope (needs {scope})"),
    )
    .with_data(json!({ "error": "insufficient_scope", "scope": scope })))
}

fn string_param<'a>(params: &'a Map<String, Value>, name: &str) -> Result<&'a str, ErrorObject> {
    match params.get(name) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(ErrorObject::invalid_params(format!(
            "Invalid params: \"{name}\" must be a string"
        ))),
        None => Err(ErrorObject::invalid_params(format!(
            "Invalid params: missing \"{name}\""
        ))),
    }
}

fn cursor(params: &Map<String, Value>) -> Result<Option<&str>, ErrorObject> {
    match params.get("cursor") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ErrorObject::invalid_params(
            "Invalid params: \"cursor\" must be a string",
        )),
    }
}

/// The four lists a client can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum List {
    Tools,
    Resources,
    Templates,
    Prompts,
}

impl List {
    /// The list a method asks for.
    pub fn of(method: &str) -> Option<List> {
        Some(match method {
            "tools/list" => List::Tools,
            "resources/list" => List::Resources,
            "resources/templates/list" => List::Templates,
            "prompts/list" => List::Prompts,
            _ => return None,
        })
    }
}

/// One page of a list, with `nextCursor` when more follow.
pub(crate) fn list(
    session: &Session,
    which: List,
    params: &Map<String, Value>,
) -> Result<Map<String, Value>, Stop> {
    let registry = session.core.registry();
    // Only what the caller's token may use is listed.
    let token = crate::auth::current_access_token();
    let may = |required: &[String]| crate::auth::permits(token.as_deref(), required);
    let cursor = cursor(params)?;
    let size = session.core.settings.page_size;
    // Filter first (pages count only what may be listed), describe only the page.
    fn page<T>(
        items: impl Iterator<Item = T>,
        allowed: impl Fn(&T) -> bool,
        describe: impl Fn(&T) -> Value,
        cursor: Option<&str>,
        size: usize,
    ) -> Result<(Vec<Value>, Option<String>), ErrorObject> {
        let allowed: Vec<T> = items.filter(|i| allowed(i)).collect();
        let page = paginate(&allowed, cursor, size)?;
        Ok((page.items.iter().map(describe).collect(), page.next_cursor))
    }
    let (key, (items, next_cursor)) = match which {
        List::Tools => (
            "tools",
            page(
                registry.tools.values(),
                |t| may(&t.required_scopes),
                |t| t.descriptor().clone(),
                cursor,
                size,
            )?,
        ),
        List::Resources => (
            "resources",
            page(
                registry.resources.values(),
                |r| may(&r.required_scopes),
                |r| r.descriptor(),
                cursor,
                size,
            )?,
        ),
        List::Templates => (
            "resourceTemplates",
            page(
                registry.templates.values(),
                |t| may(&t.required_scopes),
                |t| t.descriptor(),
                cursor,
                size,
            )?,
        ),
        List::Prompts => (
            "prompts",
            page(
                registry.prompts.values(),
                |p| may(&p.required_scopes),
                |p| p.descriptor(),
                cursor,
                size,
            )?,
        ),
    };
    let mut result = Map::new();
    result.insert(key.into(), Value::Array(items));
    if let Some(c) = next_cursor {
        result.insert("nextCursor".into(), json!(c));
    }
    Ok(result)
}

/// Runs a handler with the request's [`Context`]; in 2026-07-28 an interrupt
/// from the context (input needed, capability missing) stops it. Past
/// `limit` the handler is dropped, its cancellation token cancelled (for the
/// work it spawned), and the request stops with [`Stop::TimedOut`]. This is
/// the one place handler time limits live.
async fn run_handler<T>(
    scope: RequestScope,
    arguments: Value,
    uri: Option<String>,
    string_args: bool,
    limit: Option<Duration>,
    handler: impl FnOnce(CallInput) -> BoxFuture<'static, T>,
) -> Result<T, Stop> {
    let cancel = scope.cancel.clone();
    let run = run_interruptible(scope, arguments, uri, string_args, handler);
    let Some(limit) = limit else {
        return run.await;
    };
    match tokio::time::timeout(limit, run).await {
        Ok(outcome) => outcome,
        Err(_) => {
            cancel.cancel();
            tracing::warn!(limit_secs = limit.as_secs_f64(), "a handler timed out");
            Err(Stop::TimedOut(limit))
        }
    }
}

/// The time limit of a resource or prompt handler.
fn handler_limit(session: &Session) -> Option<Duration> {
    session.core.settings.tool_timeout
}

async fn run_interruptible<T>(
    scope: RequestScope,
    arguments: Value,
    uri: Option<String>,
    string_args: bool,
    handler: impl FnOnce(CallInput) -> BoxFuture<'static, T>,
) -> Result<T, Stop> {
    let interrupts = scope.input.as_ref().and_then(|r| r.take_interrupts());
    let context = Context::new(scope);
    let answers_of = |ctx: &Context| {
        ctx.scope()
            .input
            .as_ref()
            .map(|r| r.known().clone())
            .unwrap_or_default()
    };
    let fut = handler(CallInput {
        arguments,
        uri,
        context: context.clone(),
        string_args,
    });
    match interrupts {
        None => Ok(fut.await),
        Some(mut rx) => {
            tokio::select! {
                out = fut => Ok(out),
                Ok(why) = &mut rx => Err(Stop::Interrupted(Box::new((why, answers_of(&context))))),
            }
        }
    }
}

pub(crate) async fn call_tool(
    session: &Session,
    params: &Map<String, Value>,
    scope: RequestScope,
) -> Result<Map<String, Value>, Stop> {
    let name = string_param(params, "name")?;
    let registry = session.core.registry();
    let Some(tool) = registry.tools.get(name).cloned() else {
        return Err(ErrorObject::invalid_params(format!("Unknown tool: {name}"))
            .with_data(json!({ "name": name }))
            .into());
    };
    check_scopes(&scope, &tool.required_scopes)?;
    let arguments = match params.get("arguments") {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(v @ Value::Object(_)) => v.clone(),
        Some(_) => {
            return Err(ErrorObject::invalid_params(
                "Invalid params: \"arguments\" must be an object",
            )
            .into())
        }
    };
    let checked = match tool.validator() {
        Ok(validator) => validator.check(&arguments),
        Err(e) => Err(format!("the tool's input schema cannot be used: {e}")),
    };
    {
        if let Err(problems) = checked {
            let result = crate::protocol::ToolResult::error(format!(
                "Invalid arguments for tool \"{name}\": {problems}"
            ));
            return Ok(to_map(&result));
        }
    }
    let handler = tool.handler.clone();
    // A tool's own limit wins; zero means none.
    let limit = match tool.timeout {
        Some(limit) => Some(limit).filter(|l| !l.is_zero()),
        None => session.core.settings.tool_timeout,
    };
    let outcome = run_handler(scope, arguments, None, false, limit, |input| handler(input)).await;
    let mut result = match outcome {
        Err(Stop::TimedOut(limit)) => {
            let result = crate::protocol::ToolResult::error(format!(
                "Tool \"{name}\" timed out after {} s and was stopped",
                limit.as_secs_f64()
            ));
            return Ok(to_map(&result));
        }
        other => other?,
    };
    if tool.wrap_result {
        if let Some(v) = result.structured_content.take() {
            result.structured_content = Some(json!({ "result": v }));
        }
    }
    Ok(to_map(&result))
}

fn to_map<T: serde::Serialize>(value: &T) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

pub(crate) async fn read_resource(
    session: &Session,
    params: &Map<String, Value>,
    scope: RequestScope,
) -> Result<Map<String, Value>, Stop> {
    let uri = string_param(params, "uri")?;
    let contents = read_contents(session, uri, scope).await?;
    let mut result = Map::new();
    result.insert("contents".into(), json!(contents));
    Ok(result)
}

/// The contents of the resource at `uri`, read by its handler.
pub(crate) async fn read_contents(
    session: &Session,
    uri: &str,
    scope: RequestScope,
) -> Result<Vec<ResourceContents>, Stop> {
    let uri = uri.to_string();
    let era = scope.era;
    let registry = session.core.registry();
    let (handler, mime, arguments) = if let Some(r) = registry.resources.get(&uri) {
        check_scopes(&scope, &r.required_scopes)?;
        (
            r.handler.clone(),
            r.mime_type.clone(),
            Value::Object(Map::new()),
        )
    } else if let Some((t, vars)) = registry
        .templates
        .values()
        .find_map(|t| t.template.matches(&uri).map(|v| (t, v)))
    {
        check_scopes(&scope, &t.required_scopes)?;
        let args: Map<String, Value> = vars
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        (t.handler.clone(), t.mime_type.clone(), Value::Object(args))
    } else {
        let error = match era {
            Era::Modern(_) => ErrorObject::invalid_params(format!("Resource not found: {uri}")),
            Era::Legacy(_) => ErrorObject::new(
                code::RESOURCE_NOT_FOUND,
                format!("Resource not found: {uri}"),
            ),
        };
        return Err(error.with_data(json!({ "uri": uri })).into());
    };
    let limit = handler_limit(session);
    let body = match run_handler(scope, arguments, Some(uri.clone()), true, limit, |input| {
        handler(input)
    })
    .await?
    {
        Ok(body) => body,
        // "Not found" has a different code in each era, and carries the URI.
        Err(mut e) if e.code == code::RESOURCE_NOT_FOUND => {
            if era.is_modern() {
                e.code = code::INVALID_PARAMS;
            }
            return Err(e.with_data(json!({ "uri": uri })).into());
        }
        Err(e) => return Err(e.into()),
    };
    let contents = match body {
        ResourceBody::Text(text) => vec![ResourceContents::text(
            &uri,
            mime.unwrap_or_else(|| "text/plain".into()),
            text,
        )],
        ResourceBody::Json(text) => vec![ResourceContents::text(
            &uri,
            mime.unwrap_or_else(|| "application/json".into()),
            text,
        )],
        ResourceBody::Blob(bytes) => vec![ResourceContents::Blob {
            uri: uri.clone(),
            mime_type: Some(mime.unwrap_or_else(|| "application/octet-stream".into())),
            blob: base64::engine::general_purpose::STANDARD.encode(bytes),
            meta: None,
        }],
        ResourceBody::Contents(c) => c,
    };
    Ok(contents)
}

pub(crate) async fn get_prompt(
    session: &Session,
    params: &Map<String, Value>,
    scope: RequestScope,
) -> Result<Map<String, Value>, Stop> {
    let name = string_param(params, "name")?;
    let registry = session.core.registry();
    let Some(prompt) = registry.prompts.get(name).cloned() else {
        return Err(
            ErrorObject::invalid_params(format!("Unknown prompt: {name}"))
                .with_data(json!({ "name": name }))
                .into(),
        );
    };
    check_scopes(&scope, &prompt.required_scopes)?;
    let arguments = match params.get("arguments") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => {
            return Err(ErrorObject::invalid_params(
                "Invalid params: \"arguments\" must be an object",
            )
            .into())
        }
    };
    for (key, value) in &arguments {
        if !value.is_string() {
            return Err(ErrorObject::invalid_params(format!(
                "Invalid params: prompt argument \"{key}\" must be a string"
            ))
            .into());
        }
    }
    let missing: Vec<&str> = prompt
        .arguments
        .iter()
        .filter(|a| a.required && !arguments.contains_key(&a.name))
        .map(|a| a.name.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(ErrorObject::invalid_params(format!(
            "Missing required argument(s) for prompt \"{name}\": {}",
            missing.join(", ")
        ))
        .into());
    }
    let handler = prompt.handler.clone();
    let limit = handler_limit(session);
    let body = run_handler(
        scope,
        Value::Object(arguments),
        None,
        true,
        limit,
        |input| handler(input),
    )
    .await??;
    let mut result = Map::new();
    if let Some(d) = body.description.or_else(|| prompt.description.clone()) {
        result.insert("description".into(), json!(d));
    }
    result.insert("messages".into(), json!(body.messages));
    Ok(result)
}

pub(crate) fn complete(
    session: &Session,
    params: &Map<String, Value>,
) -> Result<Map<String, Value>, Stop> {
    let reference = params.get("ref").cloned().unwrap_or(Value::Null);
    let argument = params
        .get("argument")
        .and_then(Value::as_object)
        .ok_or_else(|| ErrorObject::invalid_params("Invalid params: missing \"argument\""))?;
    let arg_name = argument.get("name").and_then(Value::as_str).unwrap_or("");
    let value = argument.get("value").and_then(Value::as_str).unwrap_or("");
    let context = params
        .get("context")
        .and_then(|c| c.get("arguments"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let registry = session.core.registry();
    let completer = match reference.get("type").and_then(Value::as_str) {
        Some("ref/prompt") => {
            let name = reference.get("name").and_then(Value::as_str).unwrap_or("");
            let prompt = registry
                .prompts
                .get(name)
                .ok_or_else(|| ErrorObject::invalid_params(format!("Unknown prompt: {name}")))?;
            prompt.completers.get(arg_name).cloned()
        }
        Some("ref/resource") => {
            let uri = reference.get("uri").and_then(Value::as_str).unwrap_or("");
            match registry.templates.get(uri) {
                Some(t) => t.completers.get(arg_name).cloned(),
                None if registry.resources.contains_key(uri) => None,
                None => {
                    return Err(ErrorObject::invalid_params(format!(
                        "Unknown resource template: {uri}"
                    ))
                    .into())
                }
            }
        }
        _ => {
            return Err(ErrorObject::invalid_params(
                "Invalid params: \"ref\" must be a ref/prompt or ref/resource",
            )
            .into())
        }
    };
    let mut values = match (completer, &session.core.completion) {
        (Some(c), _) => c(value, &context),
        (None, Some(fallback)) => fallback(&reference, arg_name, value, &context),
        (None, None) => Vec::new(),
    };
    let total = values.len();
    values.truncate(100);
    let mut completion = Map::new();
    completion.insert("values".into(), json!(values));
    completion.insert("total".into(), json!(total));
    completion.insert("hasMore".into(), json!(total > 100));
    let mut result = Map::new();
    result.insert("completion".into(), Value::Object(completion));
    Ok(result)
}
