//! The deprecated HTTP+SSE transport: `GET /sse` names the message endpoint,
//! POSTs there are accepted with 202 and answered on the stream.
#![cfg(feature = "sse")]

use mcp_runtime::prelude::*;
use mcp_runtime::settings::Settings;
use mcp_runtime::transport::http::{serve_listener, HttpConfig};
use reqwest::{Client, StatusCode};
use std::time::Duration;

#[derive(Deserialize, JsonSchema)]
struct EchoArgs {
    /// What to send back
    text: String,
}

async fn echo(Args(EchoArgs { text }): Args<EchoArgs>) -> String {
    text
}

/// Reads `(event, data)` pairs until `n` arrived or `wait` passed.
async fn events(r: &mut reqwest::Response, n: usize, wait: Duration) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut buf = String::new();
    let mut event = String::from("message");
    let deadline = tokio::time::Instant::now() + wait;
    while out.len() < n {
        let chunk = match tokio::time::timeout_at(deadline, r.chunk()).await {
            Ok(Ok(Some(c))) => c,
            _ => break,
        };
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find('\n') {
            let line = buf[..end].trim_end_matches('\r').to_string();
            buf.drain(..=end);
            if let Some(e) = line.strip_prefix("event:") {
                event = e.trim().to_string();
            } else if let Some(d) = line.strip_prefix("data:") {
                out.push((
                    std::mem::replace(&mut event, "message".into()),
                    d.trim().to_string(),
                ));
            }
        }
    }
    out
}

#[tokio::test]
async fn endpoint_event_then_answers_on_the_stream() {
    let service = Server::new("sse-test")
        .tool("echo", echo)
        .description("Echo")
        .build_with(Settings::defaults())
        .expect("builds");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let (_stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve_listener(
        service,
        listener,
        HttpConfig::default(),
        async move {
            let _ = stopped.await;
        },
    ));
    let c = Client::new();
    let mut stream = c
        .get(format!("http://{addr}/sse"))
        .header("accept", "text/event-stream")
        .send()
        .await
        .expect("GET");
    assert_eq!(stream.status(), StatusCode::OK);
    let first = events(&mut stream, 1, Duration::from_secs(5)).await;
    assert_eq!(first[0].0, "endpoint");
    let endpoint = first[0].1.clone();
    assert!(endpoint.starts_with("/messages/?session_id="), "{endpoint}");
    let post = |body: Value| {
        c.post(format!("http://{addr}{endpoint}"))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
    };
    let r = post(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2024-11-05", "capabilities": {}}}))
        .await
        .expect("POST");
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let got = events(&mut stream, 1, Duration::from_secs(5)).await;
    let v: Value = serde_json::from_str(&got[0].1).expect("JSON");
    assert_eq!(v["result"]["protocolVersion"], "2024-11-05");
    post(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        .await
        .expect("POST");
    post(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "echo", "arguments": {"text": "over sse"}}}))
        .await
        .expect("POST");
    let got = events(&mut stream, 1, Duration::from_secs(5)).await;
    let v: Value = serde_json::from_str(&got[0].1).expect("JSON");
    assert_eq!(v["result"]["content"][0]["text"], "over sse", "{v}");
    // Unknown sessions are 404, a missing one 400.
    let r = c
        .post(format!("http://{addr}/messages/?session_id=nope"))
        .body("{}")
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = c
        .post(format!("http://{addr}/messages/"))
        .body("{}")
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // Closing the stream ends the session.
    drop(stream);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let r = post(json!({"jsonrpc": "2.0", "id": 3, "method": "ping"}))
        .await
        .expect("POST");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}
