//! The Streamable HTTP bridge: `cargo mcp dev` is the HTTP client on the
//! page's behalf. Each message is POSTed to the server's `/mcp`; JSON and SSE
//! answers become `message` events; the `Mcp-Session-Id` of the initialize
//! answer and the negotiated `MCP-Protocol-Version` go with every later
//! message; after `notifications/initialized` the GET stream brings the
//! server's own messages.

use super::bridge::{emit_message, Bridge};
use super::events::Hub;
use super::sse::Decoder;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const SESSION: &str = "Mcp-Session-Id";
const PROTOCOL: &str = "MCP-Protocol-Version";

/// A bridge to the Streamable HTTP endpoint at `url`.
pub fn bridge(generation: u64, url: String, hub: Arc<Hub>) -> Bridge {
    let (sender, receiver) = mpsc::unbounded_channel();
    let tasks = CancellationToken::new();
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .build()
        // Without TLS or proxies configured the builder has nothing to fail on;
        // fall back to the default client all the same.
        .unwrap_or_default();
    let io = Io {
        http,
        url,
        hub,
        generation,
        tasks: tasks.clone(),
    };
    tokio::spawn(
        tasks
            .clone()
            .run_until_cancelled_owned(forward(io, receiver)),
    );
    Bridge::new(generation, sender, tasks)
}

/// What every task of one generation shares.
#[derive(Clone)]
struct Io {
    http: reqwest::Client,
    url: String,
    hub: Arc<Hub>,
    generation: u64,
    tasks: CancellationToken,
}

/// The session as the client knows it.
#[derive(Default)]
struct Session {
    id: Option<String>,
    protocol: Option<String>,
    listening: Option<CancellationToken>,
}

/// Posts the page's messages in order. `initialize` is awaited to the end
/// (its answer sets the session); notifications and responses until they
/// are accepted; requests only until their answer starts, so a long tool
/// call does not hold back a cancellation or an elicitation answer.
async fn forward(io: Io, mut receiver: mpsc::UnboundedReceiver<Value>) {
    let mut session = Session::default();
    while let Some(message) = receiver.recv().await {
        let method = message.get("method").and_then(Value::as_str);
        let is_request = method.is_some() && message.get("id").is_some();
        let initialize = method == Some("initialize");
        let initialized = method == Some("notifications/initialized");
        if initialize {
            if let Some(listening) = session.listening.take() {
                listening.cancel();
            }
            session = Session::default();
        }
        let response = match io.post(&message, &session).await {
            Ok(response) => response,
            Err(e) => {
                io.fail(&message, format!("cannot reach {}: {e}", io.url));
                continue;
            }
        };
        if let Some(id) = response
            .headers()
            .get(SESSION)
            .and_then(|v| v.to_str().ok())
        {
            session.id = Some(id.to_string());
        }
        let accepted = response.status().is_success();
        if initialize {
            session.protocol = io.read(response, &message).await;
        } else if is_request {
            let io = io.clone();
            tokio::spawn(
                io.tasks
                    .clone()
                    .run_until_cancelled_owned(async move { io.read(response, &message).await }),
            );
        } else {
            io.read(response, &message).await;
            if initialized && accepted {
                let listening = io.tasks.child_token();
                session.listening = Some(listening.clone());
                let io = io.clone();
                let (id, protocol) = (session.id.clone(), session.protocol.clone());
                tokio::spawn(
                    listening
                        .run_until_cancelled_owned(async move { io.listen(id, protocol).await }),
                );
            }
        }
    }
}

impl Io {
    async fn post(&self, message: &Value, session: &Session) -> reqwest::Result<reqwest::Response> {
        let mut request = self
            .http
            .post(&self.url)
            .header(ACCEPT, "application/json, text/event-stream")
            .header(CONTENT_TYPE, "application/json")
            .body(message.to_string());
        if let Some(id) = &session.id {
            request = request.header(SESSION, id);
        }
        if let Some(protocol) = &session.protocol {
            request = request.header(PROTOCOL, protocol);
        }
        request.send().await
    }

    /// The GET stream of server-initiated messages, while the server keeps it
    /// open. A server that offers none (405) is fine.
    async fn listen(&self, id: Option<String>, protocol: Option<String>) {
        let mut request = self.http.get(&self.url).header(ACCEPT, "text/event-stream");
        if let Some(id) = &id {
            request = request.header(SESSION, id);
        }
        if let Some(protocol) = &protocol {
            request = request.header(PROTOCOL, protocol);
        }
        if let Ok(response) = request.send().await {
            if response.status().is_success() && is_sse(&response) {
                self.read(response, &Value::Null).await;
            }
        }
    }

    /// Turns an answer (JSON, SSE or empty) into `message` events; returns the
    /// protocol version if an initialize result went by.
    async fn read(&self, mut response: reqwest::Response, sent: &Value) -> Option<String> {
        let mut protocol = None;
        let mut seen = |message: Value| {
            if let Some(v) = message["result"]["protocolVersion"].as_str() {
                protocol = Some(v.to_string());
            }
            emit_message(&self.hub, self.generation, message);
        };
        let status = response.status();
        if is_sse(&response) {
            let mut decoder = Decoder::default();
            while let Ok(Some(chunk)) = response.chunk().await {
                for data in decoder.feed(&chunk) {
                    match serde_json::from_str::<Value>(&data) {
                        Ok(Value::Array(batch)) => batch.into_iter().for_each(&mut seen),
                        Ok(message) => seen(message),
                        // A keep-alive or priming event without JSON data.
                        Err(_) => {}
                    }
                }
            }
            return protocol;
        }
        let body = match response.bytes().await {
            Ok(body) => body,
            Err(e) => {
                self.fail(sent, format!("the answer from {} broke off: {e}", self.url));
                return protocol;
            }
        };
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Array(batch)) => batch.into_iter().for_each(&mut seen),
            Ok(message) => seen(message),
            Err(_) if status.is_success() => {}
            Err(_) => self.fail(
                sent,
                format!(
                    "the server answered HTTP {status}: {}",
                    String::from_utf8_lossy(&body).trim()
                ),
            ),
        }
        protocol
    }

    /// Tells the page that `sent` got no answer: a JSON-RPC error for a
    /// request (so the page does not wait forever), a `stderr` line otherwise.
    fn fail(&self, sent: &Value, why: String) {
        let why = format!("cargo mcp dev: {why}");
        match (sent.get("id"), sent.get("method")) {
            (Some(id), Some(_)) => emit_message(
                &self.hub,
                self.generation,
                json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32603, "message": why}}),
            ),
            _ => self.hub.emit("stderr", json!({ "line": why })),
        }
    }
}

fn is_sse(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"))
}
