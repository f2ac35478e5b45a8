//! Dispatch's side of the handler seam: [`SessionPeer`] implements the
//! handler layer's [`Peer`] for one request of one [`Session`], so a
//! [`Context`] reaches the client and the server without naming dispatch.

use super::{methods, Core, Event, Outbound, Session};
use crate::error::ContextError;
use crate::handler::{Context, Peer, RequestScope};
use crate::protocol::jsonrpc::ErrorObject;
use crate::protocol::version::LogLevel;
use crate::protocol::ResourceContents;
use futures::future::BoxFuture;
use futures::FutureExt as _;
use serde_json::Value;
use std::any::Any;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// The session serving a request, and where that request's messages go.
pub(crate) struct SessionPeer {
    session: Arc<Session>,
    sink: Outbound,
}

impl SessionPeer {
    /// The peer of a request served by `session`, writing to `sink`.
    pub fn for_request(session: &Arc<Session>, sink: &Outbound) -> Arc<dyn Peer> {
        Arc::new(SessionPeer {
            session: session.clone(),
            sink: sink.clone(),
        })
    }
}

impl Peer for SessionPeer {
    fn notify(&self, method: &str, params: Value) -> bool {
        self.sink.notify(method, params)
    }

    fn request<'a>(
        &'a self,
        method: &'a str,
        params: Value,
        cancel: &'a CancellationToken,
    ) -> BoxFuture<'a, Result<Value, ContextError>> {
        self.session
            .request_client(method, params, &self.sink, cancel)
            .boxed()
    }

    fn read_resource<'a>(
        &'a self,
        uri: &'a str,
        scope: RequestScope,
    ) -> BoxFuture<'a, Result<Vec<ResourceContents>, ErrorObject>> {
        async move {
            match methods::read_contents(&self.session, uri, scope).await {
                Ok(contents) => Ok(contents),
                Err(methods::Stop::Error(e)) => Err(e),
                Err(methods::Stop::TimedOut(limit)) => Err(methods::timed_out(limit)),
                Err(methods::Stop::Interrupted(_)) => {
                    Err(ErrorObject::internal("the resource asked for input"))
                }
            }
        }
        .boxed()
    }

    fn resource_updated(&self, uri: String) {
        let _ = self.session.core.events.send(Event::ResourceUpdated(uri));
    }

    fn log_level(&self) -> LogLevel {
        self.session.log_level()
    }

    fn server_name(&self) -> &str {
        self.session.core.server_name()
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The core serving `ctx`: what `Context::server` (in the server layer)
/// wraps into a `ServerHandle`. Only dispatch builds a [`Context`], always
/// with a [`SessionPeer`], so this is `None` only for a context made by hand.
pub(crate) fn core_of(ctx: &Context) -> Option<Arc<Core>> {
    let peer = ctx.scope().peer.as_any().downcast_ref::<SessionPeer>()?;
    Some(peer.session.core.clone())
}
