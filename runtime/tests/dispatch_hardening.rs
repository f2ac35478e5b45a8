//! Regression tests of issue 12's dispatch defects, each through a real
//! transport: the `dispatch_probe` example spawned as a process and spoken
//! to over its stdin and stdout (or over HTTP on 127.0.0.1). Each test is
//! named after the defect it pins.

use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::mpsc;

/// The `dispatch_probe` example next to this test's binary, built if missing.
fn probe_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's own path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps/<test>");
    let probe = profile_dir.join("examples").join("dispatch_probe");
    if !probe.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = std::process::Command::new(cargo)
            .args(["build", "-p", "mcp-runtime", "--example", "dispatch_probe"])
            .status()
            .expect("run cargo build");
        assert!(
            status.success(),
            "cargo build --example dispatch_probe failed"
        );
    }
    probe
}

/// The probe on stdio, with every line it writes collected.
struct Probe {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::UnboundedReceiver<Value>,
    /// Every message read so far.
    seen: Vec<Value>,
}

impl Probe {
    fn start(env: &[(&str, &str)]) -> Probe {
        let mut cmd = Command::new(probe_binary());
        cmd.env_remove("MCP_TOOL_TIMEOUT_SECS")
            .env_remove("MCP_MAX_SUBSCRIPTIONS_PER_SESSION")
            .env_remove("MCP_MAX_REQUESTS_IN_FLIGHT")
            .env("MCP_LOG_LEVEL", "error")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start the dispatch_probe example");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut reader = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = reader.next_line().await {
                let v: Value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("not JSON on stdout: {line:?}: {e}"));
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        Probe {
            child,
            stdin,
            lines,
            seen: Vec::new(),
        }
    }

    async fn send(&mut self, message: Value) {
        let mut line = message.to_string();
        line.push('\n');
        self.stdin.write_all(line.as_bytes()).await.unwrap();
        self.stdin.flush().await.unwrap();
    }

    /// Reads until the response to `id`, within 10 s.
    async fn response(&mut self, id: &Value) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let m = tokio::time::timeout(left, self.lines.recv())
                .await
                .unwrap_or_else(|_| panic!("no response to {id} within 10 s"))
                .expect("the server closed stdout");
            self.seen.push(m.clone());
            if m.get("method").is_none() && m.get("id") == Some(id) {
                return m;
            }
        }
    }

    async fn call(&mut self, id: Value, method: &str, params: Value) -> Value {
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        self.response(&id).await
    }

    async fn initialize(&mut self, version: &str) -> Value {
        let r = self
            .call(
                json!("init"),
                "initialize",
                json!({"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}),
            )
            .await;
        self.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            .await;
        r
    }

    async fn cancel(&mut self, id: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": id, "reason": "test"}}))
            .await;
    }

    /// `(started, dropped)` of the probe's misbehaving handlers.
    async fn stats(&mut self, id: &str) -> (u64, u64) {
        let r = self
            .call(json!(id), "tools/call", json!({"name": "stats"}))
            .await;
        let text = r["result"]["content"][0]["text"]
            .as_str()
            .unwrap_or("")
            .to_string();
        let num = |key: &str| {
            text.split_whitespace()
                .find_map(|kv| kv.strip_prefix(key))
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("stats: {text}"))
        };
        (num("started="), num("dropped="))
    }

    /// Polls the stats until every handler that started has ended.
    async fn until_all_dropped(&mut self, at_least: u64) -> (u64, u64) {
        for i in 0..200 {
            let (started, dropped) = self.stats(&format!("stats-{i}")).await;
            if started >= at_least && started == dropped {
                return (started, dropped);
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("handlers still running after 5 s");
    }

    /// Responses (not requests or notifications) with this id seen so far.
    fn responses_to(&self, id: &Value) -> Vec<&Value> {
        self.seen
            .iter()
            .filter(|m| m.get("method").is_none() && m.get("id") == Some(id))
            .collect()
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

fn tool_text(m: &Value) -> &str {
    m["result"]["content"][0]["text"].as_str().unwrap_or("")
}

// ---- defect 2 ---------------------------------------------------------------

#[tokio::test]
async fn subscribe_refuses_unknown_and_oversized_uris_and_caps_subscriptions_per_session() {
    let mut s = Probe::start(&[("MCP_MAX_SUBSCRIPTIONS_PER_SESSION", "3")]);
    s.initialize("2025-06-18").await;
    let sub = |uri: String| json!({ "uri": uri });
    for (i, uri) in ["probe://static", "probe://items/1", "probe://items/2"]
        .into_iter()
        .enumerate()
    {
        let r = s
            .call(json!(i), "resources/subscribe", sub(uri.into()))
            .await;
        assert_eq!(r["result"], json!({}), "{uri}: {r}");
    }
    // A fourth is refused, naming the setting; subscribing again to one
    // already held is not a new subscription.
    let r = s
        .call(
            json!("4th"),
            "resources/subscribe",
            sub("probe://items/3".into()),
        )
        .await;
    assert_eq!(r["error"]["code"], -32600, "{r}");
    let message = r["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("MCP_MAX_SUBSCRIPTIONS_PER_SESSION"),
        "{message}"
    );
    let r = s
        .call(
            json!("again"),
            "resources/subscribe",
            sub("probe://static".into()),
        )
        .await;
    assert_eq!(r["result"], json!({}), "{r}");
    // A URI the server does not serve: -32002, as resources/read says.
    let r = s
        .call(
            json!("unknown"),
            "resources/subscribe",
            sub("nope://x".into()),
        )
        .await;
    assert_eq!(r["error"]["code"], -32002, "{r}");
    assert_eq!(r["error"]["data"]["uri"], "nope://x");
    // A 1 MiB URI that the template would match: refused, not stored.
    let huge = format!("probe://items/{}", "a".repeat(1 << 20));
    let r = s
        .call(json!("huge"), "resources/subscribe", sub(huge))
        .await;
    assert_eq!(r["error"]["code"], -32602);
    assert!(r["error"]["message"]
        .as_str()
        .unwrap()
        .contains("at most 4096"));
    // Unsubscribing frees a place.
    let r = s
        .call(
            json!("unsub"),
            "resources/unsubscribe",
            sub("probe://items/1".into()),
        )
        .await;
    assert_eq!(r["result"], json!({}));
    let r = s
        .call(
            json!("5th"),
            "resources/subscribe",
            sub("probe://items/3".into()),
        )
        .await;
    assert_eq!(r["result"], json!({}), "{r}");
}

// ---- defect 7 ---------------------------------------------------------------

#[tokio::test]
async fn a_cancelled_request_is_never_answered_even_when_its_handler_finishes_at_once() {
    let mut s = Probe::start(&[]);
    s.initialize("2025-11-25").await;
    const ROUNDS: u64 = 100;
    let ids: Vec<Value> = (0..ROUNDS).map(|i| json!(format!("race-{i}"))).collect();
    for id in &ids {
        // The handler returns the moment its token is cancelled: its answer
        // races the cancellation.
        s.send(json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": "until_cancelled"}}))
            .await;
        s.cancel(id.clone()).await;
    }
    // Every started handler has ended; then a ping, so anything they wrote
    // has been written before its answer is read.
    s.until_all_dropped(0).await;
    s.call(json!("last"), "ping", json!({})).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    s.call(json!("last-2"), "ping", json!({})).await;
    let answered: Vec<&Value> = ids
        .iter()
        .filter(|id| !s.responses_to(id).is_empty())
        .collect();
    assert!(
        answered.is_empty(),
        "{} of {ROUNDS} cancelled requests were answered: {answered:?}",
        answered.len()
    );
}

// ---- defect 8 ---------------------------------------------------------------

#[tokio::test]
async fn a_duplicate_in_flight_id_is_refused_and_the_first_stays_cancellable() {
    let mut s = Probe::start(&[]);
    s.initialize("2025-11-25").await;
    let dup = json!("dup");
    s.send(
        json!({"jsonrpc": "2.0", "id": dup, "method": "tools/call", "params": {"name": "hold"}}),
    )
    .await;
    let r = s
        .call(dup.clone(), "tools/call", json!({"name": "hold"}))
        .await;
    assert_eq!(r["error"]["code"], -32600, "{r}");
    let message = r["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("\"dup\"") && message.contains("already in flight"),
        "{message}"
    );
    // The first one is still there (running once it has started), and a
    // cancellation reaches it.
    let mut counts = (0, 0);
    for i in 0..200 {
        counts = s.stats(&format!("before-{i}")).await;
        if counts.0 > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(counts, (1, 0), "only the first one runs");
    s.cancel(dup.clone()).await;
    assert_eq!(s.until_all_dropped(1).await, (1, 1));
    s.call(json!("last"), "ping", json!({})).await;
    assert_eq!(s.responses_to(&dup).len(), 1, "only the refusal was sent");
}

#[tokio::test]
async fn requests_beyond_the_in_flight_limit_are_refused() {
    let mut s = Probe::start(&[("MCP_MAX_REQUESTS_IN_FLIGHT", "2")]);
    s.initialize("2025-11-25").await;
    for id in ["a", "b"] {
        s.send(
            json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": "hold"}}),
        )
        .await;
    }
    let r = s.call(json!("c"), "ping", json!({})).await;
    assert_eq!(r["error"]["code"], -32600, "{r}");
    assert!(r["error"]["message"]
        .as_str()
        .unwrap()
        .contains("MCP_MAX_REQUESTS_IN_FLIGHT"));
    s.cancel(json!("a")).await;
    // The place is free once the cancellation is read (before this ping).
    let r = s.call(json!("d"), "ping", json!({})).await;
    assert_eq!(r["result"], json!({}), "{r}");
}

// ---- defect 9 ---------------------------------------------------------------

#[tokio::test]
async fn a_request_with_a_null_id_is_refused_on_stdio() {
    let mut s = Probe::start(&[]);
    s.send(json!({"jsonrpc": "2.0", "id": null, "method": "ping"}))
        .await;
    let r = s.response(&Value::Null).await;
    assert_eq!(r["error"]["code"], -32600, "{r}");
    assert!(r["error"]["message"].as_str().unwrap().contains("null"));
    // And the connection goes on.
    s.initialize("2025-11-25").await;
}

#[tokio::test]
async fn a_request_with_a_null_id_is_refused_over_http() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(probe_binary())
        .args(["--transport", "http", "--host", "127.0.0.1", "--port"])
        .arg(port.to_string())
        .env("MCP_LOG_LEVEL", "error")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start the dispatch_probe example");
    let started = Instant::now();
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(started.elapsed() < Duration::from_secs(30), "no listener");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/mcp");
    let post = |body: Value, session: Option<&str>| {
        let mut request = client
            .post(&url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(body.to_string());
        if let Some(id) = session {
            request = request
                .header("mcp-session-id", id)
                .header("mcp-protocol-version", "2025-11-25");
        }
        request.send()
    };
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
    let response = post(init, None).await.unwrap();
    assert_eq!(response.status(), 200);
    let session = response
        .headers()
        .get("mcp-session-id")
        .expect("a session id")
        .to_str()
        .unwrap()
        .to_string();
    let _ = response.bytes().await;
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    assert_eq!(
        post(initialized, Some(&session)).await.unwrap().status(),
        202
    );
    // Inside a live session, a null id is not taken for a notification.
    let ping = json!({"jsonrpc": "2.0", "id": null, "method": "ping"});
    let response = post(ping, Some(&session)).await.unwrap();
    assert_eq!(response.status(), 400, "not a 202 as for a notification");
    let answer: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(answer["id"], Value::Null, "{answer}");
    assert_eq!(answer["error"]["code"], -32600, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not null"),
        "{answer}"
    );
    let _ = child.start_kill();
}

// ---- defect 10 --------------------------------------------------------------

#[tokio::test]
async fn a_second_initialize_is_refused_and_leaves_the_session_as_it_was() {
    let mut s = Probe::start(&[]);
    let r = s.initialize("2025-06-18").await;
    assert_eq!(r["result"]["protocolVersion"], "2025-06-18");
    let r = s
        .call(
            json!("again"),
            "initialize",
            json!({"protocolVersion": "2024-11-05", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}),
        )
        .await;
    assert_eq!(r["error"]["code"], -32600, "{r}");
    let message = r["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("already initialized") && message.contains("2025-06-18"),
        "{message}"
    );
    let r = s
        .call(json!("v"), "tools/call", json!({"name": "version"}))
        .await;
    assert_eq!(tool_text(&r), "2025-06-18", "{r}");
}

// ---- defect 15 --------------------------------------------------------------

#[tokio::test]
async fn a_tool_that_never_returns_times_out() {
    let mut s = Probe::start(&[("MCP_TOOL_TIMEOUT_SECS", "1")]);
    s.initialize("2025-11-25").await;
    let began = Instant::now();
    let r = s
        .call(json!("h"), "tools/call", json!({"name": "hold"}))
        .await;
    assert!(began.elapsed() >= Duration::from_millis(900));
    assert_eq!(r["result"]["isError"], true, "{r}");
    assert!(tool_text(&r).contains("timed out after 1 s"), "{r}");
    // The handler was dropped, not left running.
    assert_eq!(s.until_all_dropped(1).await, (1, 1));
}

#[tokio::test]
async fn a_tool_with_its_own_time_limit_times_out_under_the_default() {
    let mut s = Probe::start(&[]);
    s.initialize("2025-11-25").await;
    let r = s
        .call(json!("h"), "tools/call", json!({"name": "hold_briefly"}))
        .await;
    assert_eq!(r["result"]["isError"], true, "{r}");
    assert!(
        tool_text(&r).contains("\"hold_briefly\" timed out after 1 s"),
        "{r}"
    );
    assert_eq!(s.until_all_dropped(1).await, (1, 1));
}
