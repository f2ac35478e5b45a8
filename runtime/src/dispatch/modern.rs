//! The stateless era (2026-07-28): every request carries its protocol
//! version and client capabilities in `_meta`; results carry `resultType`
//! (and caching hints on lists and reads); input is gathered through
//! `input_required` results; `subscriptions/listen` replaces the GET stream.

use super::input::{sign_state, verify_state};
use super::methods::{self, Stop};
use super::peer::SessionPeer;
use super::{Event, Outbound, Session};
use crate::handler::{InputRound, Interrupt, RequestScope};
use crate::protocol::jsonrpc::{code, ErrorObject, Request, RequestId};
use crate::protocol::version::{self, Era, LogLevel};
use serde_json::{json, Map, Value};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// The checked `_meta` of a request.
struct Meta {
    era: Era,
    client_capabilities: Arc<Value>,
    client_info: Option<Arc<Value>>,
    log_level: Option<LogLevel>,
    progress_token: Option<Value>,
}

fn read_meta(params: &Map<String, Value>) -> Result<Meta, ErrorObject> {
    let meta = params
        .get("_meta")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            ErrorObject::invalid_params("Invalid params: \"_meta\" must be an object")
        })?;
    let requested = meta
        .get(version::META_PROTOCOL_VERSION)
        .and_then(Value::as_str)
        .ok_or_else(|| {
            ErrorObject::invalid_params(format!(
                "Invalid params: _meta[\"{}\"] must be a string",
                version::META_PROTOCOL_VERSION
            ))
        })?;
    let era = Era::modern(requested).ok_or_else(|| {
        ErrorObject::new(
            code::UNSUPPORTED_PROTOCOL_VERSION,
            format!("Unsupported protocol version: {requested}"),
        )
        .with_data(json!({ "supported": version::MODERN_VERSIONS, "requested": requested }))
    })?;
    let client_capabilities = match meta.get(version::META_CLIENT_CAPABILITIES) {
        Some(v @ Value::Object(_)) => v.clone(),
        _ => {
            return Err(ErrorObject::invalid_params(format!(
                "Invalid params: _meta[\"{}\"] is required and must be an object",
                version::META_CLIENT_CAPABILITIES
            )))
        }
    };
    let log_level = match meta.get(version::META_LOG_LEVEL) {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_str().and_then(LogLevel::parse).ok_or_else(|| {
            ErrorObject::invalid_params(format!(
                "Invalid params: _meta[\"{}\"] is not a log level",
                version::META_LOG_LEVEL
            ))
        })?),
    };
    let client_info = match meta.get(version::META_CLIENT_INFO) {
        None | Some(Value::Null) => None,
        Some(v @ Value::Object(_)) => Some(v.clone()),
        Some(_) => {
            return Err(ErrorObject::invalid_params(format!(
                "Invalid params: _meta[\"{}\"] must be an object",
                version::META_CLIENT_INFO
            )))
        }
    };
    Ok(Meta {
        era,
        client_capabilities: Arc::new(client_capabilities),
        client_info: client_info.map(Arc::new),
        log_level,
        progress_token: meta.get("progressToken").cloned(),
    })
}

/// The answers carried by `requestState` and `inputResponses`.
fn read_answers(
    core_key: &[u8],
    method: &str,
    target: &str,
    params: &Map<String, Value>,
) -> Result<Map<String, Value>, ErrorObject> {
    let mut answers = match params.get("requestState") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::String(s)) => verify_state(core_key, method, target, s)?,
        Some(_) => {
            return Err(ErrorObject::invalid_params(
                "Invalid params: \"requestState\" must be a string",
            ))
        }
    };
    match params.get("inputResponses") {
        None | Some(Value::Null) => {}
        Some(Value::Object(responses)) => {
            for (k, v) in responses {
                answers.insert(k.clone(), v.clone());
            }
        }
        Some(_) => {
            return Err(ErrorObject::invalid_params(
                "Invalid params: \"inputResponses\" must be an object",
            ))
        }
    }
    Ok(answers)
}

fn target(method: &str, params: &Map<String, Value>) -> String {
    let key = if method == "resources/read" {
        "uri"
    } else {
        "name"
    };
    params
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

pub(crate) async fn serve(
    session: &Arc<Session>,
    request: Request,
    sink: Outbound,
    cancel: CancellationToken,
) -> Result<Value, ErrorObject> {
    let params = &request.params;
    let meta = read_meta(params)?;
    let core = &session.core;
    let method = request.method.as_str();
    let scope = |answers: Map<String, Value>| RequestScope {
        id: request.id.clone(),
        era: meta.era,
        progress_token: meta.progress_token.clone(),
        log_level: meta.log_level,
        client_capabilities: meta.client_capabilities.clone(),
        client_info: meta.client_info.clone(),
        cancel: cancel.clone(),
        input: Some(InputRound::new(answers)),
        access_token: crate::auth::current_access_token(),
        peer: SessionPeer::for_request(session, &sink),
    };
    let mut cacheable = false;
    let outcome = match (method, methods::List::of(method)) {
        ("server/discover", _) => {
            cacheable = true;
            Ok(discover(session))
        }
        (_, Some(which)) => {
            cacheable = true;
            methods::list(session, which, params)
        }
        ("tools/call" | "resources/read" | "prompts/get", _) => {
            cacheable = method == "resources/read";
            let target = target(method, params);
            let answers = read_answers(&core.state_key, method, &target, params)?;
            let outcome = match method {
                "tools/call" => methods::call_tool(session, params, scope(answers)).await,
                "resources/read" => methods::read_resource(session, params, scope(answers)).await,
                _ => methods::get_prompt(session, params, scope(answers)).await,
            };
            match outcome {
                Err(Stop::Interrupted(stop)) if matches!(stop.0, Interrupt::NeedInput(_)) => {
                    let (Interrupt::NeedInput(requests), known) = *stop else {
                        unreachable!("matched above")
                    };
                    let mut result = Map::new();
                    result.insert("resultType".into(), json!("input_required"));
                    result.insert("inputRequests".into(), Value::Object(requests));
                    result.insert(
                        "requestState".into(),
                        json!(sign_state(&core.state_key, method, &target, &known)),
                    );
                    return Ok(decorate(session, result));
                }
                other => other,
            }
        }
        ("completion/complete", _) => methods::complete(session, params),
        ("subscriptions/listen", _) => {
            return listen(session, &request.id, params, &sink, &cancel).await
        }
        (other, None) => Err(Stop::Error(ErrorObject::method_not_found(other))),
    };
    match outcome {
        Ok(mut result) => {
            result.insert("resultType".into(), json!("complete"));
            if cacheable {
                result.insert("ttlMs".into(), json!(core.settings.cache_ttl_ms));
                // Lists and reads filtered by the caller's token are theirs alone.
                let scope = if crate::auth::current_access_token().is_some() {
                    "private"
                } else {
                    core.settings.cache_scope.as_str()
                };
                result.insert("cacheScope".into(), json!(scope));
            }
            Ok(decorate(session, result))
        }
        Err(Stop::Error(e)) => Err(e),
        Err(Stop::TimedOut(limit)) => Err(methods::timed_out(limit)),
        Err(Stop::Interrupted(stop)) => match stop.0 {
            Interrupt::MissingCapability(required) => Err(ErrorObject::new(
                code::MISSING_REQUIRED_CLIENT_CAPABILITY,
                "Missing required client capability",
            )
            .with_data(json!({ "requiredCapabilities": required }))),
            Interrupt::NeedInput(_) => Err(ErrorObject::internal(
                "input requested outside a tool, resource or prompt",
            )),
        },
    }
}

/// Adds the server's info to a result's `_meta`.
fn decorate(session: &Session, mut result: Map<String, Value>) -> Value {
    let meta = result
        .entry("_meta")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(m) = meta {
        m.insert(version::META_SERVER_INFO.into(), session.core.info.clone());
    }
    Value::Object(result)
}

fn discover(session: &Session) -> Map<String, Value> {
    let mut result = Map::new();
    result.insert("supportedVersions".into(), json!(version::MODERN_VERSIONS));
    result.insert("capabilities".into(), super::legacy::capabilities());
    if let Some(i) = &session.core.instructions {
        result.insert("instructions".into(), json!(i));
    }
    result
}

/// `subscriptions/listen`: acknowledges the filter, then streams the
/// notifications it asked for until the client cancels or goes away.
async fn listen(
    session: &Arc<Session>,
    id: &RequestId,
    params: &Map<String, Value>,
    sink: &Outbound,
    cancel: &CancellationToken,
) -> Result<Value, ErrorObject> {
    let filter = params
        .get("notifications")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            ErrorObject::invalid_params("Invalid params: \"notifications\" must be an object")
        })?;
    let flag = |k: &str| filter.get(k).and_then(Value::as_bool).unwrap_or(false);
    let (tools, prompts, resources) = (
        flag("toolsListChanged"),
        flag("promptsListChanged"),
        flag("resourcesListChanged"),
    );
    let asked = filter
        .get("resourceSubscriptions")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    // Held for the stream's life: bounded in number, and only URIs this
    // server serves are honored (the acknowledgement lists which).
    let max = session.core.settings.max_subscriptions_per_session;
    if asked.len() > max {
        return Err(ErrorObject::invalid_params(format!(
            "Invalid params: {} resourceSubscriptions; at most {max} are accepted (MCP_MAX_SUBSCRIPTIONS_PER_SESSION)",
            asked.len()
        )));
    }
    let uris: Vec<String> = asked
        .iter()
        .filter_map(Value::as_str)
        .filter(|uri| methods::check_subscribable(session, uri).is_ok())
        .map(str::to_string)
        .collect();
    let mut honored = Map::new();
    if tools {
        honored.insert("toolsListChanged".into(), json!(true));
    }
    if prompts {
        honored.insert("promptsListChanged".into(), json!(true));
    }
    if resources {
        honored.insert("resourcesListChanged".into(), json!(true));
    }
    if !uris.is_empty() {
        honored.insert("resourceSubscriptions".into(), json!(uris));
    }
    let sub_meta = json!({ version::META_SUBSCRIPTION_ID: id });
    let mut events = session.core.events.subscribe();
    sink.notify(
        "notifications/subscriptions/acknowledged",
        json!({ "notifications": honored, "_meta": sub_meta }),
    );
    loop {
        let event = tokio::select! {
            e = events.recv() => e,
            _ = cancel.cancelled() => break,
        };
        let event = match event {
            Ok(e) => e,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
            Err(_) => break,
        };
        let (method, params) = match event {
            Event::ToolsChanged if tools => (
                "notifications/tools/list_changed",
                json!({ "_meta": sub_meta }),
            ),
            Event::PromptsChanged if prompts => (
                "notifications/prompts/list_changed",
                json!({ "_meta": sub_meta }),
            ),
            Event::ResourcesChanged if resources => (
                "notifications/resources/list_changed",
                json!({ "_meta": sub_meta }),
            ),
            Event::ResourceUpdated(uri) if uris.contains(&uri) => (
                "notifications/resources/updated",
                json!({ "uri": uri, "_meta": sub_meta }),
            ),
            _ => continue,
        };
        if !sink.notify(method, params) {
            break;
        }
    }
    let mut result = Map::new();
    result.insert("resultType".into(), json!("complete"));
    result.insert("_meta".into(), sub_meta);
    Ok(decorate(session, result))
}
