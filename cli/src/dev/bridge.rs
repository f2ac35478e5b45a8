//! The link between the inspector page and the running server: messages the
//! page posts go to the server of the current generation; what the server
//! says comes back as `message` events. Here the link itself and the stdio
//! bridge (one JSON line per message on the child's stdin and stdout); the
//! Streamable HTTP bridge is in [`super::http`].

use super::events::Hub;
use crate::ui::Ui;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWriteExt, BufReader};
use tokio::process::{ChildStdin, ChildStdout};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Sending failed: no server takes messages now.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("no server is running (it is building, failed to build, or exited)")]
pub struct NoServer;

/// One server generation's way in. Dropping it stops its tasks.
#[derive(Debug)]
pub struct Bridge {
    generation: u64,
    sender: mpsc::UnboundedSender<Value>,
    tasks: CancellationToken,
}

impl Bridge {
    /// A bridge whose messages go to `sender`; `tasks` stops its tasks.
    pub fn new(
        generation: u64,
        sender: mpsc::UnboundedSender<Value>,
        tasks: CancellationToken,
    ) -> Bridge {
        Bridge {
            generation,
            sender,
            tasks,
        }
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        self.tasks.cancel();
    }
}

/// The current bridge, if a server is running.
#[derive(Debug, Default)]
pub struct Link {
    current: Mutex<Option<Bridge>>,
}

impl Link {
    /// Passes `message` to the running server; returns its generation.
    pub fn send(&self, message: Value) -> Result<u64, NoServer> {
        let current = self.lock();
        let bridge = current.as_ref().ok_or(NoServer)?;
        bridge.sender.send(message).map_err(|_| NoServer)?;
        Ok(bridge.generation)
    }

    /// Replaces the bridge (`None`: no server); the old one's tasks stop.
    pub fn set(&self, bridge: Option<Bridge>) {
        let old = std::mem::replace(&mut *self.lock(), bridge);
        drop(old);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Bridge>> {
        self.current.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Sends a server's message to the pages.
pub fn emit_message(hub: &Hub, generation: u64, message: Value) {
    hub.emit(
        "message",
        json!({ "generation": generation, "message": message }),
    );
}

/// The stdio bridge: a writer task for stdin, a reader task for stdout.
///
/// One server process is one MCP session, and the server refuses a second
/// `initialize` on it. A page that loads again (a reload, a second tab) does
/// initialize again, so the bridge answers every `initialize` after the first
/// with the server's own first answer (and keeps the repeated
/// `notifications/initialized` from the server).
pub fn stdio(generation: u64, stdin: ChildStdin, stdout: ChildStdout, hub: Arc<Hub>) -> Bridge {
    let (sender, mut receiver) = mpsc::unbounded_channel::<Value>();
    let tasks = CancellationToken::new();
    let session = Arc::new(Mutex::new(Handshake::default()));
    let mut stdin = stdin;
    let (writer_hub, writer_session) = (hub.clone(), session.clone());
    tokio::spawn(tasks.clone().run_until_cancelled_owned(async move {
        while let Some(message) = receiver.recv().await {
            let answered = lock(&writer_session).intercept(&message);
            if let Some(reply) = answered {
                emit_message(&writer_hub, generation, reply);
                continue;
            }
            if message.get("method").and_then(Value::as_str) == Some("notifications/initialized")
                && lock(&writer_session).swallow_initialized()
            {
                continue;
            }
            let mut line = message.to_string();
            line.push('\n');
            if stdin.write_all(line.as_bytes()).await.is_err() || stdin.flush().await.is_err() {
                // The server is gone; the supervisor reports its exit.
                return;
            }
        }
    }));
    tokio::spawn(
        tasks
            .clone()
            .run_until_cancelled_owned(each_line(stdout, move |line| {
                match serde_json::from_str::<Value>(&line) {
                    Ok(message) => {
                        lock(&session).observe(&message);
                        emit_message(&hub, generation, message)
                    }
                    // Not JSON-RPC: show it rather than lose it.
                    Err(_) => hub.emit("stderr", json!({ "line": line })),
                }
            })),
    );
    Bridge::new(generation, sender, tasks)
}

fn lock(handshake: &Mutex<Handshake>) -> std::sync::MutexGuard<'_, Handshake> {
    handshake.lock().unwrap_or_else(|e| e.into_inner())
}

/// The stdio server's one handshake: the id of the first `initialize` sent to
/// it and, once it answered, its result, which later pages are given.
#[derive(Debug, Default)]
struct Handshake {
    first_id: Option<Value>,
    result: Option<Value>,
    initialized_to_swallow: usize,
}

impl Handshake {
    /// For a page's `initialize` after the server's first answer, the reply
    /// to give the page instead of sending it on.
    fn intercept(&mut self, message: &Value) -> Option<Value> {
        if message.get("method").and_then(Value::as_str) != Some("initialize") {
            return None;
        }
        let id = message.get("id")?;
        match &self.result {
            Some(result) => {
                self.initialized_to_swallow += 1;
                Some(json!({ "jsonrpc": "2.0", "id": id, "result": result }))
            }
            None => {
                self.first_id.get_or_insert_with(|| id.clone());
                None
            }
        }
    }

    /// Whether this `notifications/initialized` follows an answered-here
    /// `initialize` (the server had its own already).
    fn swallow_initialized(&mut self) -> bool {
        if self.initialized_to_swallow == 0 {
            return false;
        }
        self.initialized_to_swallow -= 1;
        true
    }

    /// Keeps the server's answer to the first `initialize`.
    fn observe(&mut self, message: &Value) {
        if self.result.is_some() || self.first_id.is_none() {
            return;
        }
        if message.get("id") == self.first_id.as_ref() {
            match message.get("result") {
                Some(result) => self.result = Some(result.clone()),
                // Refused: the next page's initialize goes to the server again.
                None => self.first_id = None,
            }
        }
    }
}

/// Forwards the lines of a server's output stream as `stderr` events (and to
/// the terminal) until it ends or `tasks` is cancelled.
pub fn forward_output(
    reader: impl AsyncRead + Unpin + Send + 'static,
    hub: Arc<Hub>,
    ui: Ui,
    tasks: &CancellationToken,
) {
    tokio::spawn(
        tasks
            .clone()
            .run_until_cancelled_owned(each_line(reader, move |line| {
                ui.info(&line);
                hub.emit("stderr", json!({ "line": line }));
            })),
    );
}

/// Calls `each` with every non-empty line of `reader` (lossy UTF-8).
pub(crate) async fn each_line(reader: impl AsyncRead + Unpin, mut each: impl FnMut(String)) {
    let mut reader = BufReader::new(reader);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                let text = String::from_utf8_lossy(&line);
                let text = text.trim_end_matches(['\n', '\r']);
                if !text.is_empty() {
                    each(text.to_string());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sending_needs_a_bridge_and_a_new_one_stops_the_old() {
        let link = Link::default();
        assert_eq!(link.send(json!({})), Err(NoServer));
        let (sender, mut receiver) = mpsc::unbounded_channel();
        let tasks = CancellationToken::new();
        link.set(Some(Bridge::new(3, sender, tasks.clone())));
        assert_eq!(link.send(json!({"id": 1})), Ok(3));
        assert_eq!(receiver.try_recv().ok(), Some(json!({"id": 1})));
        link.set(None);
        assert!(tasks.is_cancelled());
        assert_eq!(link.send(json!({})), Err(NoServer));
    }

    #[test]
    fn a_second_initialize_is_answered_with_the_servers_first_answer() {
        let mut handshake = Handshake::default();
        let initialize = |id: i64| json!({"jsonrpc": "2.0", "id": id, "method": "initialize"});
        let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        // The first goes to the server, and so does its notification.
        assert_eq!(handshake.intercept(&initialize(1)), None);
        assert!(!handshake.swallow_initialized());
        handshake.observe(&json!({"jsonrpc": "2.0", "id": 1, "result": {"protocolVersion": "x"}}));
        // A reloaded page gets the same result under its own id.
        assert_eq!(
            handshake.intercept(&initialize(7)),
            Some(json!({"jsonrpc": "2.0", "id": 7, "result": {"protocolVersion": "x"}}))
        );
        assert!(handshake.swallow_initialized());
        assert!(!handshake.swallow_initialized());
        assert_eq!(handshake.intercept(&initialized), None);
    }

    #[test]
    fn a_refused_first_initialize_lets_the_next_one_through() {
        let mut handshake = Handshake::default();
        let initialize = |id: i64| json!({"jsonrpc": "2.0", "id": id, "method": "initialize"});
        assert_eq!(handshake.intercept(&initialize(1)), None);
        handshake.observe(
            &json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32602, "message": "no"}}),
        );
        assert_eq!(handshake.intercept(&initialize(2)), None);
    }
}
