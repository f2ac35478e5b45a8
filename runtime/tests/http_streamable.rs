//! Streamable HTTP, both eras, spoken to with a real HTTP client over
//! loopback: the 2026-07-28 header/status ladder, JSON versus SSE answers,
//! `subscriptions/listen`, legacy sessions (GET stream, DELETE, server to
//! client requests, resumption, the session bound), the guards, custom
//! routes and graceful shutdown.

use mcp_runtime::prelude::*;
use mcp_runtime::settings::Settings;
use mcp_runtime::transport::http::{serve_listener, HttpConfig};
use mcp_runtime::{ServerHandle, Service};
use reqwest::header::HeaderMap;
use reqwest::{Client, StatusCode};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::oneshot;

#[derive(Deserialize, JsonSchema)]
struct EchoArgs {
    /// What to send back
    text: String,
}

async fn echo(Args(EchoArgs { text }): Args<EchoArgs>) -> String {
    text
}

async fn chatty(ctx: Context) -> &'static str {
    ctx.info("first").await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    ctx.info("second").await;
    "done"
}

async fn ask(ctx: Context) -> String {
    match ctx.sample("What is 2+2?", 10).await {
        Ok(r) => format!("model said {}", r.text().unwrap_or_default()),
        Err(e) => format!("sampling failed: {e}"),
    }
}

async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_millis(300)).await;
    "slow done"
}

async fn late() -> &'static str {
    "late"
}

fn service(settings: Settings) -> Service {
    Server::new("http-test")
        .tool("echo", echo)
        .description("Echo")
        .tool("chatty", chatty)
        .description("Logs twice")
        .tool("ask", ask)
        .description("Asks the client's model")
        .tool("slow", slow)
        .description("Takes a while")
        .route("/health", axum::routing::get(|| async { "ok" }))
        .build_with(settings)
        .expect("the test server builds")
}

struct Running {
    addr: SocketAddr,
    handle: ServerHandle,
    stop: Option<oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<Result<(), mcp_runtime::Error>>,
}

impl Running {
    fn url(&self) -> String {
        format!("http://{}/mcp", self.addr)
    }
}

async fn start_with(config: HttpConfig, settings: Settings) -> Running {
    let service = service(settings);
    let handle = service.handle();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let (stop, stopped) = oneshot::channel::<()>();
    let done = tokio::spawn(serve_listener(service, listener, config, async move {
        let _ = stopped.await;
    }));
    Running {
        addr,
        handle,
        stop: Some(stop),
        done,
    }
}

async fn start() -> Running {
    start_with(HttpConfig::default(), Settings::defaults()).await
}

fn meta() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "test", "version": "1"}
    })
}

/// A 2026-07-28 POST with the headers a conforming client sends.
async fn modern(
    client: &Client,
    url: &str,
    id: i64,
    method: &str,
    mut params: Value,
) -> reqwest::Response {
    if params.get("_meta").is_none() {
        params["_meta"] = meta();
    }
    let mut req = client
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", method);
    if let Some(name) = params
        .get("name")
        .or_else(|| params.get("uri"))
        .and_then(Value::as_str)
    {
        req = req.header("mcp-name", name);
    }
    req.body(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string())
        .send()
        .await
        .expect("POST")
}

async fn body_json(r: reqwest::Response) -> Value {
    let text = r.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Reads SSE `data:` messages until `n` arrived or `wait` passed.
async fn sse_messages(
    r: &mut reqwest::Response,
    n: usize,
    wait: Duration,
) -> Vec<(Option<String>, Value)> {
    let mut out = Vec::new();
    let mut buf = String::new();
    let deadline = tokio::time::Instant::now() + wait;
    let mut id = None;
    while out.len() < n {
        let chunk = match tokio::time::timeout_at(deadline, r.chunk()).await {
            Ok(Ok(Some(c))) => c,
            _ => break,
        };
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find('\n') {
            let line = buf[..end].trim_end_matches('\r').to_string();
            buf.drain(..=end);
            if let Some(v) = line.strip_prefix("id:") {
                id = Some(v.trim().to_string());
            } else if let Some(data) = line.strip_prefix("data:") {
                if let Ok(v) = serde_json::from_str::<Value>(data.trim()) {
                    out.push((id.take(), v));
                }
            }
        }
    }
    out
}

fn content_type(h: &HeaderMap) -> String {
    h.get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

// ---- 2026-07-28 -----------------------------------------------------------------

#[tokio::test]
async fn modern_discover_and_calls_answer_json() {
    let s = start().await;
    let c = Client::new();
    let r = modern(&c, &s.url(), 1, "server/discover", json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(content_type(r.headers()).starts_with("application/json"));
    let v = body_json(r).await;
    assert_eq!(v["id"], 1);
    assert!(v["result"]["supportedVersions"].as_array().is_some(), "{v}");
    let r = modern(
        &c,
        &s.url(),
        2,
        "tools/call",
        json!({"name": "echo", "arguments": {"text": "hi"}}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let v = body_json(r).await;
    assert_eq!(v["result"]["content"][0]["text"], "hi", "{v}");
}

#[tokio::test]
async fn modern_ladder_statuses_and_codes() {
    let s = start().await;
    let c = Client::new();
    let post = |headers: Vec<(&'static str, &'static str)>, body: Value| {
        let mut req = c
            .post(s.url())
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream");
        for (k, v) in headers {
            req = req.header(k, v);
        }
        req.body(body.to_string()).send()
    };
    let full = |method: &str, version: &str, extra: Value| {
        let mut p = json!({"_meta": {"io.modelcontextprotocol/protocolVersion": version, "io.modelcontextprotocol/clientCapabilities": {}}});
        if let (Some(p), Some(extra)) = (p.as_object_mut(), extra.as_object()) {
            p.extend(extra.clone());
        }
        json!({"jsonrpc": "2.0", "id": 7, "method": method, "params": p})
    };
    type Headers = Vec<(&'static str, &'static str)>;
    let cases: Vec<(Headers, Value, StatusCode, i64)> = vec![
        // The header says 2026 but the body has no envelope.
        (
            vec![
                ("mcp-protocol-version", "2026-07-28"),
                ("mcp-method", "server/discover"),
            ],
            json!({"jsonrpc": "2.0", "id": 7, "method": "server/discover", "params": {}}),
            StatusCode::BAD_REQUEST,
            -32602,
        ),
        // Header and body versions differ.
        (
            vec![
                ("mcp-protocol-version", "2026-07-28"),
                ("mcp-method", "server/discover"),
            ],
            full("server/discover", "v999.0.0", json!({})),
            StatusCode::BAD_REQUEST,
            -32020,
        ),
        // Unsupported version.
        (
            vec![
                ("mcp-protocol-version", "v999.0.0"),
                ("mcp-method", "server/discover"),
            ],
            full("server/discover", "v999.0.0", json!({})),
            StatusCode::BAD_REQUEST,
            -32022,
        ),
        // Mcp-Method missing, then wrong case.
        (
            vec![("mcp-protocol-version", "2026-07-28")],
            full("tools/list", "2026-07-28", json!({})),
            StatusCode::BAD_REQUEST,
            -32020,
        ),
        (
            vec![
                ("mcp-protocol-version", "2026-07-28"),
                ("mcp-method", "TOOLS/LIST"),
            ],
            full("tools/list", "2026-07-28", json!({})),
            StatusCode::BAD_REQUEST,
            -32020,
        ),
        // Mcp-Name missing, then wrong.
        (
            vec![
                ("mcp-protocol-version", "2026-07-28"),
                ("mcp-method", "tools/call"),
            ],
            full(
                "tools/call",
                "2026-07-28",
                json!({"name": "echo", "arguments": {"text": "x"}}),
            ),
            StatusCode::BAD_REQUEST,
            -32020,
        ),
        (
            vec![
                ("mcp-protocol-version", "2026-07-28"),
                ("mcp-method", "tools/call"),
                ("mcp-name", "wrong"),
            ],
            full(
                "tools/call",
                "2026-07-28",
                json!({"name": "echo", "arguments": {"text": "x"}}),
            ),
            StatusCode::BAD_REQUEST,
            -32020,
        ),
        // Removed and unknown methods.
        (
            vec![
                ("mcp-protocol-version", "2026-07-28"),
                ("mcp-method", "initialize"),
            ],
            full("initialize", "2026-07-28", json!({})),
            StatusCode::NOT_FOUND,
            -32601,
        ),
        (
            vec![
                ("mcp-protocol-version", "2026-07-28"),
                ("mcp-method", "ping"),
            ],
            full("ping", "2026-07-28", json!({})),
            StatusCode::NOT_FOUND,
            -32601,
        ),
    ];
    for (i, (headers, body, status, code)) in cases.into_iter().enumerate() {
        let r = post(headers, body).await.expect("POST");
        assert_eq!(r.status(), status, "case {i}");
        let v = body_json(r).await;
        assert_eq!(v["error"]["code"], code, "case {i}: {v}");
        assert_eq!(v["id"], 7, "case {i}: the error echoes the id");
    }
    // Trimmed and base64-encoded names are accepted.
    let ok = post(
        vec![
            ("mcp-protocol-version", "2026-07-28"),
            ("mcp-method", "tools/call"),
            ("mcp-name", "=?base64?ZWNobw==?="),
        ],
        full(
            "tools/call",
            "2026-07-28",
            json!({"name": "echo", "arguments": {"text": "x"}}),
        ),
    )
    .await
    .expect("POST");
    assert_eq!(ok.status(), StatusCode::OK);
}

#[tokio::test]
async fn modern_get_delete_405_and_notifications_202() {
    let s = start().await;
    let c = Client::new();
    let r = c
        .get(s.url())
        .header("mcp-protocol-version", "2026-07-28")
        .header("accept", "text/event-stream")
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(body_json(r).await["error"]["message"].as_str().is_some());
    let r = c
        .delete(s.url())
        .header("mcp-protocol-version", "2026-07-28")
        .send()
        .await
        .expect("DELETE");
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    let r = c
        .post(s.url())
        .header("content-type", "application/json")
        .header("mcp-protocol-version", "2026-07-28")
        .body(json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 1, "_meta": meta()}}).to_string())
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn modern_logs_stream_before_the_result() {
    let s = start().await;
    let c = Client::new();
    let mut m = meta();
    m["io.modelcontextprotocol/logLevel"] = json!("debug");
    let mut r = modern(
        &c,
        &s.url(),
        3,
        "tools/call",
        json!({"name": "chatty", "arguments": {}, "_meta": m}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(content_type(r.headers()).starts_with("text/event-stream"));
    assert_eq!(
        r.headers()
            .get("x-accel-buffering")
            .and_then(|v| v.to_str().ok()),
        Some("no")
    );
    let msgs = sse_messages(&mut r, 3, Duration::from_secs(5)).await;
    let methods: Vec<_> = msgs
        .iter()
        .map(|(_, m)| m["method"].as_str().unwrap_or("(response)").to_string())
        .collect();
    assert_eq!(
        methods,
        [
            "notifications/message",
            "notifications/message",
            "(response)"
        ],
        "{msgs:?}"
    );
    assert_eq!(msgs[2].1["result"]["content"][0]["text"], "done");
    // Without a log level nothing is logged, and the answer is plain JSON.
    let r = modern(
        &c,
        &s.url(),
        4,
        "tools/call",
        json!({"name": "chatty", "arguments": {}}),
    )
    .await;
    assert!(content_type(r.headers()).starts_with("application/json"));
}

#[tokio::test]
async fn modern_listen_acknowledges_then_streams_list_changes() {
    let s = start().await;
    let c = Client::new();
    let mut r = modern(
        &c,
        &s.url(),
        42,
        "subscriptions/listen",
        json!({"notifications": {"toolsListChanged": true}}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let ack = sse_messages(&mut r, 1, Duration::from_secs(5)).await;
    assert_eq!(
        ack[0].1["method"], "notifications/subscriptions/acknowledged",
        "{ack:?}"
    );
    s.handle
        .add(Server::new("").tool("late", late).description("Late"))
        .expect("add");
    let next = sse_messages(&mut r, 1, Duration::from_secs(5)).await;
    assert_eq!(
        next[0].1["method"], "notifications/tools/list_changed",
        "{next:?}"
    );
    assert_eq!(
        next[0].1["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
        42
    );
}

// ---- legacy ------------------------------------------------------------------

async fn legacy(c: &Client, url: &str, session: Option<&str>, body: Value) -> reqwest::Response {
    let mut req = c
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream");
    if let Some(s) = session {
        req = req
            .header("mcp-session-id", s)
            .header("mcp-protocol-version", "2025-11-25");
    }
    req.body(body.to_string()).send().await.expect("POST")
}

async fn initialize(c: &Client, url: &str) -> String {
    let r = legacy(
        c,
        url,
        None,
        json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {"sampling": {}}, "clientInfo": {"name": "t", "version": "1"}}}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let id = r
        .headers()
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
        .expect("a session id")
        .to_string();
    assert_eq!(id.len(), 32);
    assert!(id.bytes().all(|b| (0x21..=0x7e).contains(&b)));
    let v = body_json(r).await;
    assert_eq!(v["result"]["protocolVersion"], "2025-11-25");
    let r = legacy(
        c,
        url,
        Some(&id),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    id
}

#[tokio::test]
async fn legacy_session_lifecycle() {
    let s = start().await;
    let c = Client::new();
    let id = initialize(&c, &s.url()).await;
    let r = legacy(
        &c,
        &s.url(),
        Some(&id),
        json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(body_json(r).await["result"]["tools"]
        .as_array()
        .is_some_and(|t| t.len() == 4));
    // No session id, then an unknown one.
    let r = legacy(
        &c,
        &s.url(),
        None,
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(body_json(r).await["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("Mcp-Session-Id")));
    let r = legacy(
        &c,
        &s.url(),
        Some("nope"),
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/list"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // DELETE ends it; the id is then unknown.
    let r = c
        .delete(s.url())
        .header("mcp-session-id", &id)
        .send()
        .await
        .expect("DELETE");
    assert_eq!(r.status(), StatusCode::OK);
    let r = legacy(
        &c,
        &s.url(),
        Some(&id),
        json!({"jsonrpc": "2.0", "id": 4, "method": "tools/list"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn legacy_get_stream_carries_list_changes_and_resumes() {
    let s = start().await;
    let c = Client::new();
    let id = initialize(&c, &s.url()).await;
    let mut get = c
        .get(s.url())
        .header("accept", "text/event-stream")
        .header("mcp-session-id", &id)
        .send()
        .await
        .expect("GET");
    assert_eq!(get.status(), StatusCode::OK);
    // A second GET stream on the same session is refused.
    let again = c
        .get(s.url())
        .header("accept", "text/event-stream")
        .header("mcp-session-id", &id)
        .send()
        .await
        .expect("GET");
    assert_eq!(again.status(), StatusCode::CONFLICT);
    s.handle
        .add(Server::new("").tool("late", late).description("Late"))
        .expect("add");
    let got = sse_messages(&mut get, 1, Duration::from_secs(5)).await;
    assert_eq!(got[0].1["method"], "notifications/tools/list_changed");
    let first_id = got[0].0.clone().expect("an event id");
    drop(get);
    // Changes while disconnected are replayed after the last seen id.
    tokio::time::sleep(Duration::from_millis(50)).await;
    s.handle.remove_tool("late");
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut resumed = c
        .get(s.url())
        .header("accept", "text/event-stream")
        .header("mcp-session-id", &id)
        .header("last-event-id", &first_id)
        .send()
        .await
        .expect("GET");
    assert_eq!(resumed.status(), StatusCode::OK);
    let replayed = sse_messages(&mut resumed, 1, Duration::from_secs(5)).await;
    assert_eq!(replayed.len(), 1);
    assert_eq!(replayed[0].1["method"], "notifications/tools/list_changed");
    assert_ne!(replayed[0].0, Some(first_id));
}

#[tokio::test]
async fn legacy_sampling_goes_over_the_post_stream() {
    let s = start().await;
    let c = Client::new();
    let id = initialize(&c, &s.url()).await;
    let mut r = legacy(&c, &s.url(), Some(&id), json!({"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {"name": "ask", "arguments": {}}})).await;
    assert!(content_type(r.headers()).starts_with("text/event-stream"));
    let asked = sse_messages(&mut r, 1, Duration::from_secs(5)).await;
    let request = &asked[0].1;
    assert_eq!(request["method"], "sampling/createMessage", "{request}");
    let answer = json!({"jsonrpc": "2.0", "id": request["id"], "result": {
        "role": "assistant", "content": {"type": "text", "text": "4"}, "model": "m", "stopReason": "endTurn"}});
    let posted = legacy(&c, &s.url(), Some(&id), answer).await;
    assert_eq!(posted.status(), StatusCode::ACCEPTED);
    let done = sse_messages(&mut r, 1, Duration::from_secs(5)).await;
    assert_eq!(done[0].1["id"], 9);
    assert_eq!(done[0].1["result"]["content"][0]["text"], "model said 4");
}

#[tokio::test]
async fn legacy_session_bound_answers_503() {
    let config = HttpConfig {
        max_sessions: 2,
        ..HttpConfig::default()
    };
    let s = start_with(config, Settings::defaults()).await;
    let c = Client::new();
    initialize(&c, &s.url()).await;
    initialize(&c, &s.url()).await;
    let r = legacy(&c, &s.url(), None, json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}}})).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(body_json(r).await["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("MCP_MAX_SESSIONS")));
}

#[tokio::test]
async fn legacy_idle_sessions_expire() {
    let config = HttpConfig {
        session_idle_timeout: Duration::from_secs(1),
        ..HttpConfig::default()
    };
    let s = start_with(config, Settings::defaults()).await;
    let c = Client::new();
    let id = initialize(&c, &s.url()).await;
    tokio::time::sleep(Duration::from_millis(2600)).await;
    let r = legacy(
        &c,
        &s.url(),
        Some(&id),
        json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn stateless_mode_serves_legacy_requests_without_sessions() {
    let config = HttpConfig {
        stateless: true,
        ..HttpConfig::default()
    };
    let s = start_with(config, Settings::defaults()).await;
    let c = Client::new();
    let r = legacy(&c, &s.url(), None, json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}}})).await;
    assert!(r.headers().get("mcp-session-id").is_none());
    assert_eq!(
        body_json(r).await["result"]["protocolVersion"],
        "2025-11-25"
    );
    let r = legacy(&c, &s.url(), None, json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "echo", "arguments": {"text": "x"}}})).await;
    assert_eq!(body_json(r).await["result"]["content"][0]["text"], "x");
    let r = c
        .get(s.url())
        .header("accept", "text/event-stream")
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn json_response_mode_never_streams() {
    let config = HttpConfig {
        json_response: true,
        ..HttpConfig::default()
    };
    let s = start_with(config, Settings::defaults()).await;
    let c = Client::new();
    let mut m = meta();
    m["io.modelcontextprotocol/logLevel"] = json!("debug");
    let r = modern(
        &c,
        &s.url(),
        3,
        "tools/call",
        json!({"name": "chatty", "arguments": {}, "_meta": m}),
    )
    .await;
    assert!(content_type(r.headers()).starts_with("application/json"));
    assert_eq!(body_json(r).await["result"]["content"][0]["text"], "done");
}

// ---- guards, limits, routes, shutdown --------------------------------------------

#[tokio::test]
async fn dns_rebinding_and_body_limit_answer_with_jsonrpc_errors() {
    let mut settings = Settings::defaults();
    settings.max_message_bytes = 1024;
    let s = start_with(HttpConfig::default(), settings).await;
    let c = Client::new();
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "server/discover", "params": {"_meta": meta()}}).to_string();
    let send = |host: &'static str, origin: Option<&'static str>, body: String| {
        let mut req = c
            .post(s.url())
            .header("host", host)
            .header("content-type", "application/json")
            .header("mcp-protocol-version", "2026-07-28")
            .header("mcp-method", "server/discover");
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        req.body(body).send()
    };
    let r = send("evil.example.com", None, body.clone())
        .await
        .expect("POST");
    assert_eq!(r.status(), StatusCode::MISDIRECTED_REQUEST);
    assert!(body_json(r).await["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("Host")));
    let r = send(
        "localhost:1234",
        Some("http://evil.example.com"),
        body.clone(),
    )
    .await
    .expect("POST");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = send(
        "localhost:1234",
        Some("http://localhost:1234"),
        body.clone(),
    )
    .await
    .expect("POST");
    assert_eq!(r.status(), StatusCode::OK);
    let big = json!({"jsonrpc": "2.0", "id": 1, "method": "server/discover", "params": {"_meta": meta(), "pad": "x".repeat(4096)}}).to_string();
    let r = send("localhost", None, big).await.expect("POST");
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body_json(r).await["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("MCP_MAX_MESSAGE_BYTES")));
    let r = send("localhost", None, "{not json".into())
        .await
        .expect("POST");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(body_json(r).await["error"]["code"], -32700);
}

#[tokio::test]
async fn custom_routes_share_the_port() {
    let s = start().await;
    let r = Client::new()
        .get(format!("http://{}/health", s.addr))
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.text().await.expect("body"), "ok");
}

#[tokio::test]
async fn custom_routes_are_guarded_and_answer_4xx_with_json_rpc_bodies() {
    let s = start().await;
    let client = Client::new();
    let r = client
        .get(format!("http://{}/health", s.addr))
        .header("Host", "evil.example")
        .send()
        .await
        .expect("GET");
    assert!(r.status().is_client_error(), "{}", r.status());
    assert_eq!(body_json(r).await["error"]["code"], -32600);
    let r = client
        .get(format!("http://{}/nope", s.addr))
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(body_json(r).await["error"]["message"]
        .as_str()
        .unwrap_or("")
        .contains("/nope"));
    let r = client
        .delete(format!("http://{}/health", s.addr))
        .send()
        .await
        .expect("DELETE");
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body_json(r).await["error"]["code"], -32600);
}

#[tokio::test]
async fn a_second_route_at_the_same_path_is_an_error_not_a_panic() {
    let built = Server::new("dup")
        .route("/x", axum::routing::get(|| async { "a" }))
        .route("/x", axum::routing::post(|| async { "b" }))
        .build_with(Settings::defaults());
    assert!(built.is_err());
    let built = Server::new("bad")
        .route("no-slash", axum::routing::get(|| async { "a" }))
        .build_with(Settings::defaults());
    assert!(built.is_err());
}

#[tokio::test]
async fn shutdown_lets_requests_finish_and_ends_streams() {
    let config = HttpConfig {
        shutdown_grace: Duration::from_secs(5),
        ..HttpConfig::default()
    };
    let mut s = start_with(config, Settings::defaults()).await;
    let c = Client::new();
    let id = initialize(&c, &s.url()).await;
    let mut get = c
        .get(s.url())
        .header("accept", "text/event-stream")
        .header("mcp-session-id", &id)
        .send()
        .await
        .expect("GET");
    assert_eq!(get.status(), StatusCode::OK);
    let url = s.url();
    let c2 = c.clone();
    let call = tokio::spawn(async move {
        modern(
            &c2,
            &url,
            5,
            "tools/call",
            json!({"name": "slow", "arguments": {}}),
        )
        .await
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let _ = s.stop.take().map(|tx| tx.send(()));
    let answer = call.await.expect("the call task");
    assert_eq!(
        body_json(answer).await["result"]["content"][0]["text"],
        "slow done"
    );
    // The standalone stream ends, and the server returns well within the grace.
    let rest = sse_messages(&mut get, 1, Duration::from_secs(3)).await;
    assert!(rest.is_empty());
    let finished = tokio::time::timeout(Duration::from_secs(3), &mut s.done).await;
    assert!(matches!(finished, Ok(Ok(Ok(())))), "{finished:?}");
}
