//! A tiny in-process MCP client for the tests in this folder: it serves the
//! server over an in-memory pipe and speaks newline-delimited JSON-RPC.
//! Yours to edit: `cargo mcp` wrote this file once.

#![allow(dead_code)]

use mcp_runtime::tokio::io::{self, AsyncBufReadExt, AsyncWriteExt, BufReader};
use serde_json::{json, Value};

/// Sends each message in turn and returns the answer to each request (in order).
pub async fn exchange(messages: &[Value]) -> Vec<Value> {
    let service = {{ crate_name }}::server().build().expect("the server builds");
    let (client, server) = io::duplex(1 << 20);
    let (server_read, server_write) = io::split(server);
    let serving = mcp_runtime::tokio::spawn(async move { service.serve_io(server_read, server_write).await });
    let (client_read, mut client_write) = io::split(client);
    let mut lines = BufReader::new(client_read).lines();
    let mut answers = Vec::new();
    for message in messages {
        client_write.write_all(format!("{message}\n").as_bytes()).await.expect("write");
        let Some(id) = message.get("id") else { continue };
        loop {
            let line = lines.next_line().await.expect("read").expect("the server answers");
            let answer: Value = serde_json::from_str(&line).expect("JSON");
            if answer.get("id") == Some(id) {
                answers.push(answer);
                break;
            }
        }
    }
    serving.abort();
    answers
}

/// `initialize`, `notifications/initialized`, then `request` (id 2); its answer.
pub async fn after_initialize(method: &str, params: Value) -> Value {
    let answers = exchange(&[
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "0"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": method, "params": params}),
    ])
    .await;
    answers.into_iter().nth(1).expect("an answer to the request")
}
