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
use std::sync::{Arc, RwLock};
use tokio::sync::{broadcast, mpsc};

/// Where a transport takes messages for the peer: encoded JSON-RPC text,
/// one message per item.
#[derive(Clone, Debug)]
pub struct Outbound(mpsc::UnboundedSender<String>);

impl Outbound {
    /// A channel and the receiver the transport drains.
    pub fn channel() -> (Outbound, mpsc::UnboundedReceiver<String>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Outbound(tx), rx)
    }
    /// Queues a message; `false` if the transport has gone.
    pub fn send(&self, message: String) -> bool {
        self.0.send(message).is_ok()
    }
    /// Whether the transport has gone.
    pub fn is_closed(&self) -> bool {
        self.0.is_closed()
    }
    pub(crate) fn notify(&self, method: &str, params: Value) -> bool {
        self.send(jsonrpc::encode_notification(method, &params))
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
