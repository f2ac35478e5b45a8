//! A session: one stdio connection, one legacy `Mcp-Session-Id`, or one
//! stateless request. It routes each request to its era and keeps what the
//! legacy era negotiates.

use super::{Core, Event, Outbound, Reply};
use crate::error::ContextError;
use crate::protocol::jsonrpc::{self, ErrorObject, Notification, Request, RequestId, Response};
use crate::protocol::version::{Era, LogLevel};
use futures::future::{AbortHandle, AbortRegistration, Abortable};
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

/// What the legacy handshake established.
#[derive(Debug, Clone)]
pub(crate) struct LegacyState {
    pub era: Option<Era>,
    pub client_capabilities: Arc<Value>,
    pub client_info: Option<Arc<Value>>,
    pub log_level: LogLevel,
    pub subscriptions: HashSet<String>,
}

type Pending = HashMap<RequestId, oneshot::Sender<Result<Value, ErrorObject>>>;

/// A request being served: which admission it is, how to stop it, and
/// whether it is a stream (`subscriptions/listen`), which never ends on its own.
struct InFlight {
    /// Tells this request from a later one that reuses its id.
    serial: u64,
    abort: AbortHandle,
    cancel: CancellationToken,
    stream: bool,
}

impl InFlight {
    /// Stops the request: aborted first, so its future is never polled
    /// again, then its token cancelled for the work it spawned.
    fn stop(self) {
        self.abort.abort();
        self.cancel.cancel();
    }
}

/// A request's place in the in-flight map. Whoever takes the entry out
/// decides: the request finishing (it is answered) or a cancellation (it is
/// not). Dropped unfinished (the transport dropped the request), it frees
/// the place.
struct Ticket {
    session: Arc<Session>,
    id: RequestId,
    serial: u64,
}

impl Ticket {
    /// Takes the entry out; `false` if a cancellation took it first.
    fn finish(&self) -> bool {
        let mut inflight = lock(&self.session.inflight);
        match inflight.get(&self.id) {
            Some(r) if r.serial == self.serial => inflight.remove(&self.id).is_some(),
            _ => false,
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.finish();
    }
}

/// One client's conversation with the server. Transports create one per
/// connection (stdio), per `Mcp-Session-Id` (legacy HTTP) or per request
/// (stateless HTTP) and feed it every decoded message.
pub struct Session {
    pub(crate) core: Arc<Core>,
    state: Mutex<LegacyState>,
    pending: Mutex<Pending>,
    next_id: AtomicI64,
    next_serial: AtomicU64,
    inflight: Mutex<HashMap<RequestId, InFlight>>,
    /// Where notifications that belong to no request go.
    notify: Outbound,
    /// Cancelled by [`Session::close`] (or when the session is dropped): ends
    /// the event-forwarding task.
    closed: CancellationToken,
}

impl Drop for Session {
    fn drop(&mut self) {
        self.closed.cancel();
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Session {
    pub(crate) fn new(core: Arc<Core>, notify: Outbound) -> Arc<Session> {
        Arc::new(Session {
            core,
            state: Mutex::new(LegacyState {
                era: None,
                client_capabilities: Arc::new(Value::Object(Map::new())),
                client_info: None,
                log_level: LogLevel::Debug,
                subscriptions: HashSet::new(),
            }),
            pending: Mutex::new(HashMap::new()),
            next_id: AtomicI64::new(1),
            next_serial: AtomicU64::new(1),
            inflight: Mutex::new(HashMap::new()),
            notify,
            closed: CancellationToken::new(),
        })
    }

    /// The negotiated era, once initialized.
    pub(crate) fn legacy_era(&self) -> Option<Era> {
        lock(&self.state).era
    }

    /// The level set by `logging/setLevel`.
    pub(crate) fn log_level(&self) -> LogLevel {
        lock(&self.state).log_level
    }

    /// The capabilities and client info declared at `initialize`.
    pub(crate) fn client(&self) -> (Arc<Value>, Option<Arc<Value>>) {
        let s = lock(&self.state);
        (s.client_capabilities.clone(), s.client_info.clone())
    }

    pub(crate) fn update_legacy<R>(&self, f: impl FnOnce(&mut LegacyState) -> R) -> R {
        f(&mut lock(&self.state))
    }

    /// Whether a legacy `initialize` has been answered.
    pub fn is_initialized(&self) -> bool {
        lock(&self.state).era.is_some()
    }

    /// The negotiated legacy protocol version, once initialized.
    pub fn protocol_version(&self) -> Option<&'static str> {
        lock(&self.state).era.map(Era::version)
    }

    /// Serves one request. `sink` takes the notifications and server-to-client
    /// requests made while serving it. `None` means the request was cancelled
    /// and must not be answered.
    ///
    /// The request is admitted at once, when this is called (not when the
    /// future is first polled), so a cancellation read after it always finds
    /// it. A request whose id is already in flight, or one beyond
    /// `MCP_MAX_REQUESTS_IN_FLIGHT`, is refused with `-32600` and the
    /// requests in flight are left as they were.
    pub fn handle_request(
        self: &Arc<Self>,
        request: Request,
        sink: Outbound,
    ) -> impl Future<Output = Option<Reply>> + Send + 'static {
        let admitted = self.admit(&request);
        let session = self.clone();
        async move {
            let (ticket, registration, cancel) = match admitted {
                Ok(admitted) => admitted,
                Err(error) => {
                    return Some(Reply {
                        id: request.id,
                        outcome: Err(error),
                    })
                }
            };
            let served = Abortable::new(session.serve(request, sink, cancel), registration).await;
            // A cancellation that took the entry first wins, even when the
            // handler finished in the meantime: no answer after a cancel.
            match served {
                Ok(outcome) if ticket.finish() => Some(Reply {
                    id: ticket.id.clone(),
                    outcome,
                }),
                _ => None,
            }
        }
    }

    /// Puts a request in the in-flight map, or says why it cannot be served.
    fn admit(
        self: &Arc<Self>,
        request: &Request,
    ) -> Result<(Ticket, AbortRegistration, CancellationToken), ErrorObject> {
        let mut inflight = lock(&self.inflight);
        if inflight.contains_key(&request.id) {
            let id = serde_json::to_string(&request.id).unwrap_or_default();
            return Err(ErrorObject::invalid_request(format!(
                "Invalid request: a request with id {id} is already in flight; ids must be unique among requests in flight"
            ))
            .with_data(json!({ "id": request.id })));
        }
        let max = self.core.settings.max_requests_in_flight;
        if inflight.len() >= max {
            return Err(ErrorObject::invalid_request(format!(
                "Invalid request: {max} requests of this session are already in flight (MCP_MAX_REQUESTS_IN_FLIGHT); wait for one to finish"
            )));
        }
        let serial = self.next_serial.fetch_add(1, Ordering::Relaxed);
        let (abort, registration) = AbortHandle::new_pair();
        let cancel = CancellationToken::new();
        inflight.insert(
            request.id.clone(),
            InFlight {
                serial,
                abort,
                cancel: cancel.clone(),
                stream: request.method == "subscriptions/listen",
            },
        );
        let ticket = Ticket {
            session: self.clone(),
            id: request.id.clone(),
            serial,
        };
        Ok((ticket, registration, cancel))
    }

    async fn serve(
        self: &Arc<Self>,
        request: Request,
        sink: Outbound,
        cancel: CancellationToken,
    ) -> Result<Value, ErrorObject> {
        if Era::of(Some(&request.params), None).is_modern() {
            super::modern::serve(self, request, sink, cancel).await
        } else {
            super::legacy::serve(self, request, sink, cancel).await
        }
    }

    /// Takes a notification from the client.
    pub fn handle_notification(&self, notification: Notification) {
        match notification.method.as_str() {
            "notifications/cancelled" => {
                let id = notification
                    .params
                    .get("requestId")
                    .cloned()
                    .and_then(|v| serde_json::from_value::<RequestId>(v).ok());
                if let Some(id) = id {
                    if let Some(request) = lock(&self.inflight).remove(&id) {
                        tracing::debug!(request = %id, "request cancelled by the client");
                        request.stop();
                    }
                }
            }
            "notifications/initialized"
            | "notifications/roots/list_changed"
            | "notifications/progress" => {}
            other => tracing::debug!(method = other, "ignoring notification"),
        }
    }

    /// Takes the client's answer to a request this server sent.
    pub fn handle_response(&self, response: Response) {
        match lock(&self.pending).remove(&response.id) {
            Some(tx) => {
                let _ = tx.send(response.outcome);
            }
            None => tracing::debug!(id = %response.id, "response to no pending request"),
        }
    }

    /// Ends the streams in flight (`subscriptions/listen`): the input has
    /// closed, so nobody will cancel them, while other requests may still
    /// finish and be answered.
    pub fn end_streams(&self) {
        lock(&self.inflight).retain(|_, r| {
            if r.stream {
                r.abort.abort();
                r.cancel.cancel();
            }
            !r.stream
        });
    }

    /// Cancels everything in flight and ends the event forwarding (the
    /// connection closed).
    pub fn close(&self) {
        self.closed.cancel();
        for (_, request) in lock(&self.inflight).drain() {
            request.stop();
        }
        lock(&self.pending).clear();
    }

    /// Sends a request to the client and waits for its answer.
    pub(crate) async fn request_client(
        &self,
        method: &str,
        params: Value,
        sink: &Outbound,
        cancel: &CancellationToken,
    ) -> Result<Value, ContextError> {
        let id = RequestId::String(format!(
            "s-{}",
            self.next_id.fetch_add(1, Ordering::Relaxed)
        ));
        let (tx, rx) = oneshot::channel();
        lock(&self.pending).insert(id.clone(), tx);
        if !sink.send(jsonrpc::encode_request(&id, method, &params)) {
            lock(&self.pending).remove(&id);
            return Err(ContextError::Cancelled);
        }
        let timeout = self.core.settings.client_request_timeout;
        let outcome = tokio::select! {
            r = rx => r.map_err(|_| ContextError::Cancelled),
            _ = cancel.cancelled() => Err(ContextError::Cancelled),
            _ = tokio::time::sleep(timeout) => Err(ContextError::Timeout(timeout.as_secs())),
        };
        lock(&self.pending).remove(&id);
        match outcome? {
            Ok(v) => Ok(v),
            Err(e) => Err(ContextError::Client(e)),
        }
    }

    /// The notification this session gets for a server event, if any: list
    /// changes once initialized, resource updates only for subscribed URIs.
    pub(crate) fn notification_for(&self, event: &Event) -> Option<String> {
        let state = lock(&self.state);
        state.era?;
        let (method, params) = match event {
            Event::ToolsChanged => ("notifications/tools/list_changed", json!({})),
            Event::ResourcesChanged => ("notifications/resources/list_changed", json!({})),
            Event::PromptsChanged => ("notifications/prompts/list_changed", json!({})),
            Event::ResourceUpdated(uri) if state.subscriptions.contains(uri) => {
                ("notifications/resources/updated", json!({ "uri": uri }))
            }
            Event::ResourceUpdated(_) => return None,
        };
        Some(jsonrpc::encode_notification(method, &params))
    }

    /// Forwards registry changes and resource updates to a legacy client,
    /// until the session is closed or dropped or its channel closes.
    pub fn spawn_event_forwarding(self: &Arc<Self>) {
        let weak = Arc::downgrade(self);
        let mut events = self.core.events.subscribe();
        let closed = self.closed.clone();
        tokio::spawn(async move {
            loop {
                let received = tokio::select! {
                    biased;
                    _ = closed.cancelled() => return,
                    r = events.recv() => r,
                };
                let event = match received {
                    Ok(e) => e,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(_) => return,
                };
                let Some(session) = weak.upgrade() else {
                    return;
                };
                if session.notify.is_closed() {
                    return;
                }
                if let Some(message) = session.notification_for(&event) {
                    session.notify.send(message);
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    async fn receivers_drop_to(core: &Core, want: usize) -> bool {
        for _ in 0..200 {
            if core.events.receiver_count() == want {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        false
    }

    #[tokio::test]
    async fn close_ends_the_event_forwarding_task() {
        let service = crate::Server::new("t").build_with_flags(&[]).unwrap();
        let core = service.core.clone();
        let (notify, _rx) = Outbound::channel();
        let session = Session::new(core.clone(), notify);
        session.spawn_event_forwarding();
        assert_eq!(core.events.receiver_count(), 1);
        // No server event arrives, the session is still referenced and its
        // channel is open: only close() can end the task.
        session.close();
        assert!(
            receivers_drop_to(&core, 0).await,
            "the forwarding task outlived close()"
        );

        // Dropping a session that was never closed ends it too.
        let (notify, _rx) = Outbound::channel();
        let session = Session::new(core.clone(), notify);
        session.spawn_event_forwarding();
        assert_eq!(core.events.receiver_count(), 1);
        drop(session);
        assert!(
            receivers_drop_to(&core, 0).await,
            "the forwarding task outlived its session"
        );
    }
}
