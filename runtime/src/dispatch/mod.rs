//! Dispatch: one session type serves both protocol eras. A transport hands
//! each decoded message to a [`Session`]; requests come back as a [`Reply`],
//! while notifications and server-to-client requests made during a request
//! go to the [`Outbound`] channel the transport gave with it. A call to a
//! handler gets one request scope, built here, whose way back is a
//! `SessionPeer` (the handler layer's `Peer`, implemented in `peer.rs`).

mod input;
mod legacy;
mod methods;
mod modern;
mod peer;
mod session;

pub(crate) use crate::registry::HeaderParam;
pub(crate) use peer::core_of;
pub use session::Session;

use crate::protocol::jsonrpc::{self, ErrorObject, RequestId};
use crate::registry::Registry;
use crate::settings::Settings;
use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;

/// The bounds of one [`Outbound`] queue (`MCP_MAX_OUTBOUND_QUEUE`,
/// `MCP_MAX_OUTBOUND_QUEUE_BYTES`): what may wait for a peer that reads
/// slower than the server writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutboundLimit {
    /// Messages queued at most.
    pub messages: usize,
    /// Bytes queued at most (a lone message larger than this still passes,
    /// so one big reply never ends a connection that keeps up).
    pub bytes: usize,
}

impl OutboundLimit {
    /// The bounds `settings` give.
    pub fn from_settings(settings: &Settings) -> OutboundLimit {
        OutboundLimit {
            messages: settings.max_outbound_queue,
            bytes: settings.max_outbound_queue_bytes,
        }
    }
}

impl Default for OutboundLimit {
    /// The defaults of the settings.
    fn default() -> Self {
        OutboundLimit::from_settings(&Settings::defaults())
    }
}

/// One item of the channel: a message, or the mark that the queue overflowed.
#[derive(Debug)]
enum Item {
    Message(String),
    Overflow,
}

/// What is queued, counted by senders and receiver alike.
#[derive(Debug)]
struct Queued {
    messages: AtomicUsize,
    bytes: AtomicUsize,
    limit: OutboundLimit,
    /// Cancelled when the queue overflowed: the peer reads too slowly.
    overflowed: CancellationToken,
}

impl Queued {
    fn take(&self, len: usize) {
        self.messages.fetch_sub(1, Ordering::AcqRel);
        self.bytes.fetch_sub(len, Ordering::AcqRel);
    }
}

/// Where a transport takes messages for the peer: encoded JSON-RPC text,
/// one message per item. The queue is bounded ([`OutboundLimit`]): a
/// message that would overflow it is refused, the queue is marked
/// overflowed (see [`Outbound::overflowed`]) and its receiver ends, so the
/// transport disconnects a peer that does not read instead of buffering
/// without bound.
#[derive(Clone, Debug)]
pub struct Outbound {
    tx: mpsc::UnboundedSender<Item>,
    queued: Arc<Queued>,
}

impl Outbound {
    /// A channel with the default bounds and the receiver the transport drains.
    pub fn channel() -> (Outbound, OutboundReceiver) {
        Outbound::bounded(OutboundLimit::default())
    }

    /// A channel with these bounds and the receiver the transport drains.
    pub fn bounded(limit: OutboundLimit) -> (Outbound, OutboundReceiver) {
        Outbound::bounded_with(limit, CancellationToken::new())
    }

    /// A channel with these bounds that cancels `overflowed` when it
    /// overflows (a transport passes the token that closes the connection).
    pub fn bounded_with(
        limit: OutboundLimit,
        overflowed: CancellationToken,
    ) -> (Outbound, OutboundReceiver) {
        let (tx, rx) = mpsc::unbounded_channel();
        let queued = Arc::new(Queued {
            messages: AtomicUsize::new(0),
            bytes: AtomicUsize::new(0),
            limit,
            overflowed,
        });
        (
            Outbound {
                tx,
                queued: queued.clone(),
            },
            OutboundReceiver { rx, queued },
        )
    }

    /// Queues a message; `false` if the transport has gone or the queue is
    /// full (then it is marked overflowed and the transport disconnects).
    pub fn send(&self, message: String) -> bool {
        let q = &self.queued;
        if q.overflowed.is_cancelled() {
            return false;
        }
        let len = message.len();
        let n = q.messages.fetch_add(1, Ordering::AcqRel) + 1;
        let b = q.bytes.fetch_add(len, Ordering::AcqRel) + len;
        if n > 1 && (n > q.limit.messages || b > q.limit.bytes) {
            q.take(len);
            if !q.overflowed.is_cancelled() {
                tracing::warn!(
                    queued_messages = n - 1,
                    queued_bytes = b - len,
                    "the peer reads too slowly: outbound queue full (MCP_MAX_OUTBOUND_QUEUE, MCP_MAX_OUTBOUND_QUEUE_BYTES); disconnecting it"
                );
                q.overflowed.cancel();
                let _ = self.tx.send(Item::Overflow);
            }
            return false;
        }
        if self.tx.send(Item::Message(message)).is_err() {
            q.take(len);
            return false;
        }
        true
    }

    /// Whether the transport has gone (or the queue overflowed).
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed() || self.queued.overflowed.is_cancelled()
    }

    /// A token cancelled when the queue overflows: the transport closes the
    /// stream or connection and cancels the work that fills it.
    pub fn overflowed(&self) -> CancellationToken {
        self.queued.overflowed.clone()
    }

    /// Messages queued now (for tests and metrics).
    pub fn queued_messages(&self) -> usize {
        self.queued.messages.load(Ordering::Acquire)
    }

    /// Bytes queued now (for tests and metrics).
    pub fn queued_bytes(&self) -> usize {
        self.queued.bytes.load(Ordering::Acquire)
    }

    pub(crate) fn notify(&self, method: &str, params: Value) -> bool {
        self.send(jsonrpc::encode_notification(method, &params))
    }
}

/// The transport's end of an [`Outbound`] channel. It ends (`None`) when
/// every sender is gone or the queue overflowed.
#[derive(Debug)]
pub struct OutboundReceiver {
    rx: mpsc::UnboundedReceiver<Item>,
    queued: Arc<Queued>,
}

impl OutboundReceiver {
    fn item(&mut self, item: Option<Item>) -> Option<String> {
        match item {
            Some(Item::Message(m)) => {
                self.queued.take(m.len());
                Some(m)
            }
            Some(Item::Overflow) | None => {
                self.rx.close();
                None
            }
        }
    }

    /// The next message; `None` once the channel has ended.
    pub async fn recv(&mut self) -> Option<String> {
        if self.queued.overflowed.is_cancelled() {
            return self.item(None);
        }
        let item = self.rx.recv().await;
        self.item(item)
    }

    /// The next message from blocking code (a writer thread).
    pub fn blocking_recv(&mut self) -> Option<String> {
        if self.queued.overflowed.is_cancelled() {
            return self.item(None);
        }
        let item = self.rx.blocking_recv();
        self.item(item)
    }

    /// The next message if one is queued.
    pub fn try_recv(&mut self) -> Result<String, mpsc::error::TryRecvError> {
        if self.queued.overflowed.is_cancelled() {
            self.rx.close();
            return Err(mpsc::error::TryRecvError::Disconnected);
        }
        match self.rx.try_recv() {
            Ok(item) => self
                .item(Some(item))
                .ok_or(mpsc::error::TryRecvError::Disconnected),
            Err(e) => Err(e),
        }
    }

    /// Polls for the next message (for streams).
    pub fn poll_recv(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<String>> {
        if self.queued.overflowed.is_cancelled() {
            return std::task::Poll::Ready(self.item(None));
        }
        match self.rx.poll_recv(cx) {
            std::task::Poll::Ready(item) => std::task::Poll::Ready(self.item(item)),
            std::task::Poll::Pending => std::task::Poll::Pending,
        }
    }

    /// A token cancelled when the queue overflows.
    pub fn overflowed(&self) -> CancellationToken {
        self.queued.overflowed.clone()
    }
}

/// The answer to one request.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The id of the request answered.
    pub id: RequestId,
    /// Its result or error.
    pub outcome: Result<Value, ErrorObject>,
}

impl Reply {
    /// The JSON-RPC text of the reply.
    pub fn encode(&self) -> String {
        match &self.outcome {
            Ok(result) => jsonrpc::encode_result(&self.id, result),
            Err(error) => jsonrpc::encode_error(Some(&self.id), error),
        }
    }
}

/// A change every connected client may want to hear about.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Event {
    ToolsChanged,
    ResourcesChanged,
    PromptsChanged,
    ResourceUpdated(String),
}

/// A completion function for any prompt or template argument:
/// `(reference, argument name, value so far, resolved arguments)`.
pub(crate) type FallbackCompleter =
    Arc<dyn Fn(&Value, &str, &str, &serde_json::Map<String, Value>) -> Vec<String> + Send + Sync>;

/// What every session of one server shares.
pub(crate) struct Core {
    /// The server's `Implementation` object.
    pub info: Value,
    pub instructions: Option<String>,
    registry: RwLock<Arc<Registry>>,
    pub settings: Settings,
    pub events: broadcast::Sender<Event>,
    pub completion: Option<FallbackCompleter>,
    /// HMAC key for `requestState`.
    pub state_key: Vec<u8>,
}

impl Core {
    pub fn new(
        info: Value,
        instructions: Option<String>,
        registry: Registry,
        settings: Settings,
        completion: Option<FallbackCompleter>,
    ) -> Self {
        let state_key = match &settings.request_state_key {
            Some(k) => k.as_bytes().to_vec(),
            None => rand::random::<[u8; 32]>().to_vec(),
        };
        Core {
            info,
            instructions,
            registry: RwLock::new(Arc::new(registry)),
            settings,
            events: broadcast::channel(256).0,
            completion,
            state_key,
        }
    }

    /// The registry as it is now.
    pub fn registry(&self) -> Arc<Registry> {
        match self.registry.read() {
            Ok(r) => r.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Changes the registry, then tells every client what changed.
    pub fn update_registry(&self, change: impl FnOnce(&mut Registry) -> Option<Event>) {
        let event = {
            let mut guard = match self.registry.write() {
                Ok(g) => g,
                Err(poisoned) => poisoned.into_inner(),
            };
            let mut next = (**guard).clone();
            let event = change(&mut next);
            *guard = Arc::new(next);
            event
        };
        if let Some(event) = event {
            let _ = self.events.send(event);
        }
    }

    /// The arguments of the tool `name` that HTTP requests mirror in
    /// `Mcp-Param-*` headers (none for an unknown tool): the transport asks
    /// here, dispatch asks the registry.
    pub fn header_params(&self, tool: &str) -> Vec<HeaderParam> {
        self.registry()
            .tools
            .get(tool)
            .map(|t| t.header_params())
            .unwrap_or_default()
    }

    /// Every scope the served items require (what the development
    /// authorization server may grant): the transport asks here.
    #[cfg(feature = "auth")]
    pub fn required_scopes(&self) -> Vec<String> {
        self.registry().required_scopes()
    }

    pub fn server_name(&self) -> &str {
        self.info
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("mcp-server")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(messages: usize, bytes: usize) -> OutboundLimit {
        OutboundLimit { messages, bytes }
    }

    #[tokio::test]
    async fn a_full_queue_refuses_marks_overflow_and_ends_its_receiver() {
        let (out, mut rx) = Outbound::bounded(limit(2, 1024));
        assert!(out.send("a".into()));
        assert!(out.send("b".into()));
        assert_eq!((out.queued_messages(), out.queued_bytes()), (2, 2));
        assert!(!out.send("c".into()), "a third message overflows");
        assert!(out.overflowed().is_cancelled());
        assert!(out.is_closed());
        assert!(
            !out.send("d".into()),
            "an overflowed queue takes nothing more"
        );
        assert_eq!(rx.recv().await, None, "the receiver ends at once");
    }

    #[tokio::test]
    async fn the_byte_bound_counts_but_a_lone_big_message_passes() {
        let (out, mut rx) = Outbound::bounded(limit(100, 10));
        assert!(out.send("x".repeat(50)), "alone, a big message passes");
        assert!(!out.send("y".into()), "behind it, nothing fits");
        let (out, mut rx2) = Outbound::bounded(limit(100, 10));
        assert!(out.send("12345".into()));
        assert_eq!(rx2.recv().await.as_deref(), Some("12345"));
        assert_eq!(out.queued_bytes(), 0, "received messages are uncounted");
        assert!(out.send("1234567890".into()));
        drop(out);
        assert_eq!(rx2.recv().await.as_deref(), Some("1234567890"));
        assert_eq!(rx2.recv().await, None, "all senders gone");
        assert_eq!(rx.recv().await, None);
    }

    #[tokio::test]
    async fn a_shared_token_learns_of_the_overflow() {
        let connection = CancellationToken::new();
        let (out, _rx) = Outbound::bounded_with(limit(1, 1024), connection.clone());
        assert!(out.send("a".into()));
        assert!(!connection.is_cancelled());
        assert!(!out.send("b".into()));
        assert!(connection.is_cancelled(), "the connection is told to close");
    }
}
