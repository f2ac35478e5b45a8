//! A test client that speaks newline-delimited JSON-RPC to a server over an
//! in-memory pipe (the stdio transport's own code path), answers the
//! server's requests, and records every message the server sent.

#![allow(dead_code)]

use mcp_runtime::Server;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, ReadHalf, WriteHalf};

pub const MODERN: &str = "2026-07-28";

/// How the client answers a server-to-client request: `(method, params) -> result`.
pub type Responder = Box<dyn FnMut(&str, &Value) -> Value + Send>;

pub struct Client {
    writer: WriteHalf<DuplexStream>,
    reader: BufReader<ReadHalf<DuplexStream>>,
    next_id: i64,
    /// Every message the server sent, in order.
    pub received: Vec<Value>,
    /// Messages read but not yet consumed by `request`.
    backlog: VecDeque<Value>,
    responder: Responder,
    pub server_task: tokio::task::JoinHandle<Result<(), mcp_runtime::Error>>,
}

pub fn default_responder() -> Responder {
    Box::new(|method, params| match method {
        "sampling/createMessage" => json!({
            "role": "assistant",
            "content": {"type": "text", "text": format!("sampled: {}", params["messages"][0]["content"]["text"].as_str().unwrap_or(""))},
            "model": "test-model",
            "stopReason": "endTurn"
        }),
        "elicitation/create" => {
            json!({"action": "accept", "content": {"username": "ada", "email": "ada@example.com"}})
        }
        "roots/list" => json!({"roots": [{"uri": "file:///tmp", "name": "tmp"}]}),
        _ => json!({}),
    })
}

impl Client {
    /// Starts `server` on an in-memory pipe.
    pub fn start(server: Server) -> Client {
        let service = server.build().expect("server builds");
        let (client_side, server_side) = tokio::io::duplex(1 << 20);
        let (server_read, server_write) = tokio::io::split(server_side);
        let server_task =
            tokio::spawn(async move { service.serve_io(server_read, server_write).await });
        let (read, write) = tokio::io::split(client_side);
        Client {
            writer: write,
            reader: BufReader::new(read),
            next_id: 1,
            received: Vec::new(),
            backlog: VecDeque::new(),
            responder: default_responder(),
            server_task,
        }
    }

    pub fn respond_with(&mut self, responder: Responder) {
        self.responder = responder;
    }

    pub async fn send_raw(&mut self, line: &str) {
        self.writer.write_all(line.as_bytes()).await.unwrap();
        self.writer.write_all(b"\n").await.unwrap();
        self.writer.flush().await.unwrap();
    }

    pub async fn send(&mut self, message: &Value) {
        self.send_raw(&message.to_string()).await
    }

    /// Closes the client's side of the pipe (end of input for the server).
    pub async fn close(&mut self) {
        self.writer.shutdown().await.unwrap();
    }

    /// Reads one message, answering server requests on the way.
    pub async fn read(&mut self) -> Option<Value> {
        if let Some(m) = self.backlog.pop_front() {
            return Some(m);
        }
        self.read_wire().await
    }

    async fn read_wire(&mut self) -> Option<Value> {
        let mut line = String::new();
        let n = tokio::time::timeout(Duration::from_secs(10), self.reader.read_line(&mut line))
            .await
            .expect("server answered within 10 s")
            .unwrap();
        if n == 0 {
            return None;
        }
        let message: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("server wrote invalid JSON {line:?}: {e}"));
        self.received.push(message.clone());
        if message.get("method").is_some() && message.get("id").is_some() {
            let method = message["method"].as_str().unwrap().to_string();
            let result = (self.responder)(&method, &message["params"]);
            let reply = json!({"jsonrpc": "2.0", "id": message["id"], "result": result});
            self.send(&reply).await;
        }
        Some(message)
    }

    /// Sends a request and waits for its response (the whole message);
    /// notifications that arrive meanwhile are returned too.
    pub async fn call_full(&mut self, method: &str, params: Value) -> (Value, Vec<Value>) {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        let mut others = Vec::new();
        let mut deferred = Vec::new();
        loop {
            let m = self
                .read_wire()
                .await
                .expect("server closed before answering");
            if m.get("id") == Some(&json!(id)) && m.get("method").is_none() {
                self.backlog.extend(deferred);
                return (m, others);
            }
            if m.get("id").is_some() && m.get("method").is_none() {
                deferred.push(m);
            } else {
                others.push(m);
            }
        }
    }

    /// Sends a request and returns its response message.
    pub async fn call(&mut self, method: &str, params: Value) -> Value {
        self.call_full(method, params).await.0
    }

    /// Sends a request and returns its `result`, failing on an error.
    pub async fn result(&mut self, method: &str, params: Value) -> Value {
        let m = self.call(method, params).await;
        assert!(m.get("error").is_none(), "{method} failed: {m}");
        m["result"].clone()
    }

    /// Sends a request and returns its `error`, failing on a result.
    pub async fn error(&mut self, method: &str, params: Value) -> Value {
        let m = self.call(method, params).await;
        assert!(m.get("result").is_none(), "{method} should fail: {m}");
        m["error"].clone()
    }

    /// Lets queued notifications arrive: a short pause, then a ping round trip.
    pub async fn settle(&mut self) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        self.call("ping", json!({})).await;
    }

    /// Every notification with this method received so far.
    pub fn notifications(&self, method: &str) -> Vec<Value> {
        self.received
            .iter()
            .filter(|m| m["method"] == method && m.get("id").is_none())
            .cloned()
            .collect()
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}))
            .await;
    }

    /// The legacy handshake at `version`, declaring sampling, elicitation and roots.
    pub async fn initialize(&mut self, version: &str) -> Value {
        let r = self
            .result(
                "initialize",
                json!({
                    "protocolVersion": version,
                    "capabilities": {"sampling": {}, "elicitation": {}, "roots": {"listChanged": true}},
                    "clientInfo": {"name": "test-client", "version": "1.0.0"}
                }),
            )
            .await;
        self.notify("notifications/initialized", json!({})).await;
        r
    }
}

/// `params` with a 2026-07-28 `_meta` envelope merged in (`extra_meta` added to it).
pub fn modern(mut params: Value, capabilities: Value, extra_meta: Value) -> Value {
    let mut meta = json!({
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientInfo": {"name": "test-client", "version": "1.0.0"},
        "io.modelcontextprotocol/clientCapabilities": capabilities,
    });
    if let Value::Object(extra) = extra_meta {
        for (k, v) in extra {
            meta[k] = v;
        }
    }
    params["_meta"] = meta;
    params
}

/// The text of the first content block of a tool result.
pub fn text(result: &Value) -> &str {
    result["content"][0]["text"].as_str().unwrap_or("")
}
