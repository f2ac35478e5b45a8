//! The request [`Context`]: what a handler may do besides returning a value:
//! log to the client, report progress, notice cancellation, read who is
//! asking, and ask the client for input (elicitation, sampling, roots) in
//! whichever way the request's protocol era allows.

pub use super::input::{ElicitAction, ElicitResult, Elicited, InputRequest, SamplingResult};

use super::input::Interrupt;
use super::scope::RequestScope;
use crate::error::ContextError;
use crate::protocol::jsonrpc::{ErrorObject, RequestId};
use crate::protocol::version::{Era, LogLevel};
use crate::protocol::ResourceContents;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

/// The context of one request, passed to handlers that take it as a parameter.
///
/// ```
/// use mcp_runtime::prelude::*;
///
/// #[derive(Deserialize, JsonSchema)]
/// struct Items { items: Vec<String> }
///
/// async fn long_task(ctx: Context, Args(Items { items }): Args<Items>) -> Result<Vec<String>, ToolError> {
///     ctx.info(format!("Starting to process {} items", items.len())).await;
///     let total = items.len() as f64;
///     let mut done = Vec::new();
///     for (i, item) in items.into_iter().enumerate() {
///         ctx.report_progress(i as f64 + 1.0, Some(total), Some("working")).await;
///         done.push(item.to_uppercase());
///     }
///     Ok(done)
/// }
/// ```
#[derive(Clone)]
pub struct Context {
    inner: Arc<Inner>,
}

struct Inner {
    scope: RequestScope,
    /// The last progress reported, so progress only grows.
    last_progress: Mutex<Option<f64>>,
}

impl Context {
    /// The context of the request in `scope`.
    pub(crate) fn new(scope: RequestScope) -> Self {
        Context {
            inner: Arc::new(Inner {
                scope,
                last_progress: Mutex::new(None),
            }),
        }
    }

    /// What dispatch knows about the request.
    pub(crate) fn scope(&self) -> &RequestScope {
        &self.inner.scope
    }

    /// The id of the request being served.
    pub fn request_id(&self) -> &RequestId {
        &self.scope().id
    }

    /// The protocol revision the request is served under.
    pub fn protocol_version(&self) -> &'static str {
        self.scope().era.version()
    }

    /// The client's self-reported name and version, when known.
    pub fn client_info(&self) -> Option<&Value> {
        self.scope().client_info.as_deref()
    }

    /// The verified OAuth access token of the request: subject, client id,
    /// scopes, claims. `None` on stdio and when auth is off.
    pub fn access_token(&self) -> Option<&crate::auth::AccessToken> {
        self.scope().access_token.as_deref()
    }

    /// Whether the request's token grants `scope` (false without a token).
    pub fn has_scope(&self, scope: &str) -> bool {
        self.access_token().is_some_and(|t| t.has_scope(scope))
    }

    /// The capabilities the client declared (per request in 2026-07-28, at
    /// `initialize` before).
    pub fn client_capabilities(&self) -> &Value {
        &self.scope().client_capabilities
    }

    /// A token that is cancelled when the client cancels the request. The
    /// handler's future is also dropped then; the token is for work the
    /// handler started elsewhere (threads, child processes).
    pub fn cancellation(&self) -> CancellationToken {
        self.scope().cancel.clone()
    }

    /// Whether the client cancelled the request.
    pub fn is_cancelled(&self) -> bool {
        self.scope().cancel.is_cancelled()
    }

    /// Sends a log message to the client, if the client asked for this level.
    pub async fn log(&self, level: LogLevel, data: impl Into<Value>) {
        let min = match self.scope().era {
            Era::Modern(_) => match self.scope().log_level {
                Some(l) => l,
                None => return,
            },
            Era::Legacy(_) => self.scope().peer.log_level(),
        };
        if level < min {
            return;
        }
        let peer = &self.scope().peer;
        let logger = peer.server_name().to_string();
        peer.notify(
            "notifications/message",
            json!({ "level": level, "logger": logger, "data": data.into() }),
        );
    }

    /// Logs at `debug`.
    pub async fn debug(&self, message: impl Into<String>) {
        self.log(LogLevel::Debug, message.into()).await
    }
    /// Logs at `info`.
    pub async fn info(&self, message: impl Into<String>) {
        self.log(LogLevel::Info, message.into()).await
    }
    /// Logs at `notice`.
    pub async fn notice(&self, message: impl Into<String>) {
        self.log(LogLevel::Notice, message.into()).await
    }
    /// Logs at `warning`.
    pub async fn warning(&self, message: impl Into<String>) {
        self.log(LogLevel::Warning, message.into()).await
    }
    /// Logs at `error`.
    pub async fn error(&self, message: impl Into<String>) {
        self.log(LogLevel::Error, message.into()).await
    }

    /// Reports progress, if the client sent a progress token. Progress must
    /// grow: a value not above the last one is dropped.
    pub async fn report_progress(
        &self,
        progress: impl Into<f64>,
        total: Option<f64>,
        message: Option<&str>,
    ) {
        let Some(token) = &self.scope().progress_token else {
            return;
        };
        let progress = progress.into();
        {
            let mut last = self
                .inner
                .last_progress
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            if last.is_some_and(|l| progress <= l) || !progress.is_finite() {
                tracing::debug!(progress, "dropping progress that does not increase");
                return;
            }
            *last = Some(progress);
        }
        let mut params = json!({ "progressToken": token, "progress": progress });
        if let Some(t) = total {
            params["total"] = json!(t);
        }
        if let Some(m) = message {
            params["message"] = json!(m);
        }
        self.scope().peer.notify("notifications/progress", params);
    }

    /// Asks the client several questions at once, each under a key of the
    /// caller's choosing; the answers come back under the same keys.
    ///
    /// In the legacy era the requests are sent to the client while the
    /// handler waits. In 2026-07-28 the request is answered `input_required`
    /// and this handler runs again, from the start, when the client retries
    /// with the answers: so code before this call must be safe to repeat.
    /// An answer of the wrong shape counts as no answer and is asked again.
    pub async fn request_inputs<K: Into<String>>(
        &self,
        requests: Vec<(K, InputRequest)>,
    ) -> Result<Map<String, Value>, ContextError> {
        let requests: Vec<(String, InputRequest)> =
            requests.into_iter().map(|(k, r)| (k.into(), r)).collect();
        let scope = &self.inner.scope;
        match (&scope.era, &scope.input) {
            (Era::Modern(_), Some(round)) => {
                let answered = |key: &str, r: &InputRequest| {
                    round.answer(key).filter(|a| r.accepts(a)).cloned()
                };
                if requests.iter().all(|(k, r)| answered(k, r).is_some()) {
                    return Ok(requests
                        .iter()
                        .filter_map(|(k, r)| answered(k, r).map(|a| (k.clone(), a)))
                        .collect());
                }
                let mut missing_caps = Map::new();
                for (_, r) in &requests {
                    if scope.client_capabilities.get(r.capability()).is_none() {
                        missing_caps.insert(r.capability().into(), json!({}));
                    }
                }
                if !missing_caps.is_empty() {
                    round.interrupt(Interrupt::MissingCapability(Value::Object(missing_caps)));
                } else {
                    let mut needed = Map::new();
                    for (key, r) in &requests {
                        if answered(key, r).is_none() {
                            needed.insert(
                                key.clone(),
                                json!({ "method": r.method(), "params": r.params() }),
                            );
                        }
                    }
                    round.interrupt(Interrupt::NeedInput(needed));
                }
                // The dispatcher answers for this handler and drops it.
                std::future::pending().await
            }
            (Era::Modern(_), None) => Err(ContextError::Unsupported(
                "input requests outside tools, resources and prompts",
            )),
            (Era::Legacy(_), _) => {
                let mut answers = Map::new();
                for (key, r) in &requests {
                    if scope.client_capabilities.get(r.capability()).is_none() {
                        return Err(ContextError::Unsupported(r.capability()));
                    }
                    let answer = scope
                        .peer
                        .request(r.method(), r.params(), &scope.cancel)
                        .await?;
                    answers.insert(key.clone(), answer);
                }
                Ok(answers)
            }
        }
    }

    async fn one_input(&self, request: InputRequest) -> Result<Value, ContextError> {
        let key = match &self.scope().input {
            Some(round) => round.next_key(request.key_prefix()),
            None => request.key_prefix().to_string(),
        };
        let mut answers = self.request_inputs(vec![(key.clone(), request)]).await?;
        answers
            .remove(&key)
            .ok_or_else(|| ContextError::Malformed("no answer".into()))
    }

    /// Asks the user to fill a form (`requestedSchema` is a flat object schema).
    pub async fn elicit(
        &self,
        message: impl Into<String>,
        schema: Value,
    ) -> Result<ElicitResult, ContextError> {
        let answer = self
            .one_input(InputRequest::Elicit {
                message: message.into(),
                schema,
            })
            .await?;
        serde_json::from_value(answer).map_err(|e| ContextError::Malformed(e.to_string()))
    }

    /// Asks the user to fill a form described by `T`, and reads the answer as `T`.
    pub async fn elicit_as<T: DeserializeOwned + JsonSchema>(
        &self,
        message: impl Into<String>,
    ) -> Result<Elicited<T>, ContextError> {
        let mut schema = super::schema_for::<T>();
        if let Value::Object(m) = &mut schema {
            m.remove("$schema");
        }
        let result = self.elicit(message, schema).await?;
        Ok(match result.action {
            ElicitAction::Accept => {
                let content = Value::Object(result.content.unwrap_or_default());
                Elicited::Accepted(
                    serde_json::from_value(content)
                        .map_err(|e| ContextError::Malformed(e.to_string()))?,
                )
            }
            ElicitAction::Decline => Elicited::Declined,
            ElicitAction::Cancel => Elicited::Cancelled,
        })
    }

    /// Asks the client's model to complete `prompt` (a single user message).
    pub async fn sample(
        &self,
        prompt: impl Into<String>,
        max_tokens: u32,
    ) -> Result<SamplingResult, ContextError> {
        let answer = self
            .one_input(InputRequest::sample(prompt, max_tokens))
            .await?;
        serde_json::from_value(answer).map_err(|e| ContextError::Malformed(e.to_string()))
    }

    /// Sends `sampling/createMessage` with these params.
    pub async fn create_message(&self, params: Value) -> Result<SamplingResult, ContextError> {
        let answer = self.one_input(InputRequest::Sample(params)).await?;
        serde_json::from_value(answer).map_err(|e| ContextError::Malformed(e.to_string()))
    }

    /// Asks the client for its roots (`file://` URIs it lets the server use).
    pub async fn list_roots(&self) -> Result<Vec<Value>, ContextError> {
        let answer = self.one_input(InputRequest::ListRoots).await?;
        answer
            .get("roots")
            .and_then(Value::as_array)
            .cloned()
            .ok_or_else(|| ContextError::Malformed("no \"roots\" array".into()))
    }

    /// Reads one of this server's resources, as `resources/read` would.
    pub async fn read_resource(&self, uri: &str) -> Result<Vec<ResourceContents>, ErrorObject> {
        let scope = &self.inner.scope;
        scope.peer.read_resource(uri, scope.nested()).await
    }

    /// Tells subscribed clients that a resource changed.
    pub fn notify_resource_updated(&self, uri: impl Into<String>) {
        self.scope().peer.resource_updated(uri.into());
    }
}
