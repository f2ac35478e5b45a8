//! One request as the handler layer sees it: [`RequestScope`], built once by
//! dispatch, and [`Peer`], the way back to the session serving it (send to
//! the client, ask the client, read a resource, announce a change). Dispatch
//! implements `Peer`; this layer never names dispatch or the server.

use super::input::InputRound;
use crate::auth::AccessToken;
use crate::error::ContextError;
use crate::protocol::jsonrpc::{ErrorObject, RequestId};
use crate::protocol::version::{Era, LogLevel};
use crate::protocol::ResourceContents;
use futures::future::BoxFuture;
use serde_json::Value;
use std::any::Any;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// Everything about one request that a handler's [`Context`](super::Context)
/// is made of. Dispatch builds it once per request and hands it down.
pub(crate) struct RequestScope {
    pub id: RequestId,
    pub era: Era,
    pub progress_token: Option<Value>,
    /// 2026-07-28: the level from `_meta` (none means no logs at all). The
    /// legacy era asks the [`Peer`] instead, as `logging/setLevel` may change it.
    pub log_level: Option<LogLevel>,
    pub client_capabilities: Arc<Value>,
    pub client_info: Option<Arc<Value>>,
    pub cancel: CancellationToken,
    /// 2026-07-28: the answers of earlier rounds; `None` in the legacy era.
    pub input: Option<InputRound>,
    /// The verified access token of the request (HTTP with auth).
    pub access_token: Option<Arc<AccessToken>>,
    /// The session serving the request.
    pub peer: Arc<dyn Peer>,
}

impl RequestScope {
    /// The scope of a read made from inside this request
    /// ([`Context::read_resource`](super::Context::read_resource)): the same
    /// caller, without a progress token or input rounds of its own.
    pub fn nested(&self) -> RequestScope {
        RequestScope {
            id: self.id.clone(),
            era: self.era,
            progress_token: None,
            log_level: self.log_level,
            client_capabilities: self.client_capabilities.clone(),
            client_info: self.client_info.clone(),
            cancel: self.cancel.clone(),
            input: None,
            access_token: self.access_token.clone(),
            peer: self.peer.clone(),
        }
    }
}

/// The session side of a request, as the handler layer may use it.
pub(crate) trait Peer: Send + Sync + 'static {
    /// Sends a notification to the client; `false` if it has gone.
    fn notify(&self, method: &str, params: Value) -> bool;

    /// Sends a request to the client and waits for its answer (legacy era).
    fn request<'a>(
        &'a self,
        method: &'a str,
        params: Value,
        cancel: &'a CancellationToken,
    ) -> BoxFuture<'a, Result<Value, ContextError>>;

    /// Reads one of the server's resources for the request in `scope`, as
    /// `resources/read` would.
    fn read_resource<'a>(
        &'a self,
        uri: &'a str,
        scope: RequestScope,
    ) -> BoxFuture<'a, Result<Vec<ResourceContents>, ErrorObject>>;

    /// Tells subscribed clients that a resource changed.
    fn resource_updated(&self, uri: String);

    /// The level set by `logging/setLevel` (legacy era).
    fn log_level(&self) -> LogLevel;

    /// The server's name, the `logger` of log messages.
    fn server_name(&self) -> &str;

    /// The implementation itself, for the layer that made it (which reaches
    /// the server handle through it).
    fn as_any(&self) -> &dyn Any;
}
