//! Regression tests of issue 12's HTTP defects, through the real listener
//! (`serve_listener` on 127.0.0.1) with raw sockets and reqwest:
//!
//! 1. a client that never reads its stream (legacy `/sse`, or the GET stream
//!    of a Streamable HTTP session) is disconnected once its bounded
//!    outbound queue fills, instead of the server buffering without bound;
//! 3. silent, half-sent-header, half-sent-body and idle keep-alive
//!    connections are closed after the configured timeouts;
//! 4. a full server answers 503 and keeps its young sessions (no eviction),
//!    and one principal cannot hold more than its share of sessions.
//!
//! Timeouts are set to 1 s; each wait for a close is bounded by a generous
//! deadline, so the tests fail on a hang, never on a slow machine.

use mcp_runtime::dispatch::OutboundLimit;
use mcp_runtime::prelude::*;
use mcp_runtime::settings::Settings;
use mcp_runtime::transport::http::{serve_listener, HttpConfig};
use mcp_runtime::{ServerHandle, Service};
use reqwest::{Client, StatusCode};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::oneshot;

const ACCEPT: &str = "application/json, text/event-stream";
/// The longest any close may take in these tests (the timeouts are 1 s).
const DEADLINE: Duration = Duration::from_secs(15);

#[derive(Deserialize, JsonSchema)]
struct EchoArgs {
    /// What to send back
    text: String,
}

async fn echo(Args(EchoArgs { text }): Args<EchoArgs>) -> String {
    text
}

async fn late() -> &'static str {
    "late"
}

async fn nap() -> &'static str {
    tokio::time::sleep(Duration::from_secs(2)).await;
    "rested"
}

struct Running {
    addr: SocketAddr,
    handle: ServerHandle,
    _stop: oneshot::Sender<()>,
}

impl Running {
    fn url(&self) -> String {
        format!("http://{}/mcp", self.addr)
    }
}

/// A server on loopback whose accepted sockets have small kernel send
/// buffers, so a reader that stops reading is noticed after kilobytes, not
/// megabytes.
async fn start(config: HttpConfig) -> Running {
    serve_on_loopback(config, |server| server).await
}

/// [`start`] with more on the server (auth).
async fn serve_on_loopback(config: HttpConfig, extra: impl FnOnce(Server) -> Server) -> Running {
    let server = Server::new("hardening")
        .tool("echo", echo)
        .description("Echo")
        .tool("nap", nap)
        .description("Takes two seconds")
        .route(
            "/upload",
            axum::routing::post(|body: String| async move { body.len().to_string() }),
        );
    let service: Service = extra(server)
        .build_with(Settings::defaults())
        .expect("the test server builds");
    let handle = service.handle();
    let socket = TcpSocket::new_v4().expect("socket");
    socket.set_send_buffer_size(4096).expect("SO_SNDBUF");
    socket.set_reuseaddr(true).expect("SO_REUSEADDR");
    socket
        .bind("127.0.0.1:0".parse().expect("address"))
        .expect("bind");
    let listener = socket.listen(1024).expect("listen");
    let addr = listener.local_addr().expect("address");
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(serve_listener(service, listener, config, async move {
        let _ = stopped.await;
    }));
    Running {
        addr,
        handle,
        _stop: stop,
    }
}

/// A client socket with a small receive buffer.
async fn small_socket(addr: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
    socket.connect(addr).await.expect("connect")
}

/// Reads until the server closes the connection (EOF or reset); `Err` with
/// what was read if it is still open at the deadline.
async fn closed_by_server(stream: &mut TcpStream, deadline: Duration) -> Result<Vec<u8>, Vec<u8>> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 8192];
    let until = Instant::now() + deadline;
    loop {
        let left = until.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Ok(seen),
            Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
            Err(_) => return Err(seen),
        }
    }
}

/// Reads until `needle` has been seen (the start of a stream).
async fn read_until(stream: &mut TcpStream, needle: &str) -> String {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let until = Instant::now() + DEADLINE;
    while !String::from_utf8_lossy(&seen).contains(needle) {
        let left = until.saturating_duration_since(Instant::now());
        let n = tokio::time::timeout(left, stream.read(&mut buf))
            .await
            .expect("the stream starts in time")
            .expect("read");
        assert!(n > 0, "closed before {needle:?}");
        seen.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&seen).into_owned()
}

async fn post(c: &Client, url: &str, session: Option<&str>, body: Value) -> reqwest::Response {
    let mut r = c
        .post(url)
        .header("content-type", "application/json")
        .header("accept", ACCEPT)
        .body(body.to_string());
    if let Some(id) = session {
        r = r
            .header("mcp-session-id", id)
            .header("mcp-protocol-version", "2025-11-25");
    }
    r.send().await.expect("POST")
}

fn initialize_body() -> Value {
    json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}})
}

/// A legacy session, initialized.
async fn initialize(c: &Client, url: &str) -> String {
    let r = post(c, url, None, initialize_body()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let id = r
        .headers()
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
        .expect("a session id")
        .to_string();
    let r = post(
        c,
        url,
        Some(&id),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    id
}

fn small_queue() -> HttpConfig {
    HttpConfig {
        outbound: OutboundLimit {
            messages: 16,
            bytes: 256 * 1024,
        },
        ..HttpConfig::default()
    }
}

// ---- defect 1: slow readers ---------------------------------------------------

#[tokio::test]
async fn sse_client_that_never_reads_is_disconnected() {
    let s = start(small_queue()).await;
    let mut sse = small_socket(s.addr).await;
    sse.write_all(
        format!(
            "GET /sse HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
            s.addr
        )
        .as_bytes(),
    )
    .await
    .expect("GET /sse");
    let opening = read_until(&mut sse, "session_id=").await;
    let start = opening.find("/messages").expect("the endpoint event");
    let endpoint: String = opening[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let url = format!("http://{}{endpoint}", s.addr);
    // From here on the client never reads its stream. Each call's reply is
    // 512 KiB; the queue holds 256 KiB.
    let c = Client::new();
    let post_to = |body: Value| {
        c.post(&url)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
    };
    let r = post_to(initialize_body()).await.expect("initialize");
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let r = post_to(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        .await
        .expect("initialized");
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let big = "x".repeat(512 * 1024);
    let mut ended = false;
    for i in 1..=60 {
        let r = post_to(json!({"jsonrpc": "2.0", "id": i, "method": "tools/call",
            "params": {"name": "echo", "arguments": {"text": big}}}))
        .await
        .expect("POST");
        match r.status() {
            StatusCode::ACCEPTED | StatusCode::TOO_MANY_REQUESTS => {
                tokio::time::sleep(Duration::from_millis(20)).await
            }
            // The session ended: the stream was closed under the reader.
            StatusCode::NOT_FOUND => {
                ended = true;
                break;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(
        ended,
        "60 calls of 512 KiB (30 MiB of replies) were all queued for a client that never reads"
    );
    // The connection itself is closed, not only the session.
    let seen = closed_by_server(&mut sse, DEADLINE).await;
    assert!(seen.is_ok(), "the /sse connection is still open");
}

#[tokio::test]
async fn get_stream_that_never_reads_is_closed() {
    let s = start(small_queue()).await;
    let c = Client::new();
    let id = initialize(&c, &s.url()).await;
    let mut get = small_socket(s.addr).await;
    get.write_all(
        format!(
            "GET /mcp HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\nMcp-Session-Id: {id}\r\nMcp-Protocol-Version: 2025-11-25\r\n\r\n",
            s.addr
        )
        .as_bytes(),
    )
    .await
    .expect("GET");
    read_until(&mut get, "\r\n\r\n").await;
    // The client stops reading. Registry changes are announced on its
    // stream until the stream is closed: then the session's GET stream can
    // be opened again (while it is open, a second GET answers 409).
    let open_again = || async {
        let r = c
            .get(s.url())
            .header("accept", "text/event-stream")
            .header("mcp-session-id", &id)
            .header("mcp-protocol-version", "2025-11-25")
            .send()
            .await
            .expect("GET");
        r.status()
    };
    let until = Instant::now() + Duration::from_secs(60);
    let mut reopened = None;
    let mut changes = 0u32;
    while Instant::now() < until {
        for _ in 0..50 {
            s.handle
                .add(Server::new("").tool("late", late).description("Late"))
                .expect("add");
            s.handle.remove_tool("late");
            changes += 2;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
        if changes % 1000 == 0 {
            let status = open_again().await;
            if status == StatusCode::OK {
                reopened = Some(status);
                break;
            }
            assert_eq!(status, StatusCode::CONFLICT);
        }
    }
    assert_eq!(
        reopened,
        Some(StatusCode::OK),
        "after {changes} notifications the stream of a client that never reads is still open"
    );
    assert!(
        closed_by_server(&mut get, DEADLINE).await.is_ok(),
        "the GET connection is still open"
    );
}

#[tokio::test]
async fn session_in_flight_requests_are_bounded() {
    let config = HttpConfig {
        max_requests_in_flight: 2,
        ..HttpConfig::default()
    };
    let s = start(config).await;
    let c = Client::new();
    let id = initialize(&c, &s.url()).await;
    let nap_call = |n: i64| json!({"jsonrpc": "2.0", "id": n, "method": "tools/call", "params": {"name": "nap", "arguments": {}}});
    let mut running = Vec::new();
    for n in 1..=2 {
        let (c, url, id, body) = (c.clone(), s.url(), id.clone(), nap_call(n));
        running.push(tokio::spawn(async move {
            post(&c, &url, Some(&id), body).await.status()
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let r = post(&c, &s.url(), Some(&id), nap_call(3)).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let body: Value =
        serde_json::from_slice(&r.bytes().await.expect("body")).expect("a JSON-RPC error body");
    assert_eq!(body["id"], 3, "{body}");
    for task in running {
        assert_eq!(task.await.expect("a call"), StatusCode::OK);
    }
    // Room again.
    let r = post(&c, &s.url(), Some(&id), nap_call(4)).await;
    assert_eq!(r.status(), StatusCode::OK);
}

// ---- defect 3: listener timeouts ---------------------------------------------

fn timeouts(header: u64, body: u64, idle: u64) -> HttpConfig {
    HttpConfig {
        header_timeout: Duration::from_secs(header),
        body_timeout: Duration::from_secs(body),
        idle_timeout: Duration::from_secs(idle),
        ..HttpConfig::default()
    }
}

#[tokio::test]
async fn silent_connection_is_closed_after_the_header_timeout() {
    let s = start(timeouts(1, 60, 60)).await;
    let mut silent = TcpStream::connect(s.addr).await.expect("connect");
    let seen = closed_by_server(&mut silent, DEADLINE).await;
    assert_eq!(seen, Ok(Vec::new()), "a silent connection stayed open");
}

#[tokio::test]
async fn half_sent_header_connection_is_closed_after_the_header_timeout() {
    let s = start(timeouts(1, 60, 60)).await;
    let mut slow = TcpStream::connect(s.addr).await.expect("connect");
    slow.write_all(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .expect("write");
    let seen = closed_by_server(&mut slow, DEADLINE).await;
    assert!(seen.is_ok(), "a half-sent head kept its connection open");
}

#[tokio::test]
async fn half_sent_body_is_answered_408_and_closed() {
    let s = start(timeouts(60, 1, 60)).await;
    let mut slow = TcpStream::connect(s.addr).await.expect("connect");
    slow.write_all(
        format!(
            "POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nAccept: {ACCEPT}\r\nContent-Length: 100\r\n\r\n{{\"jsonrpc\"",
            s.addr
        )
        .as_bytes(),
    )
    .await
    .expect("write");
    let seen = closed_by_server(&mut slow, DEADLINE)
        .await
        .expect("a half-sent body kept its connection open");
    let text = String::from_utf8_lossy(&seen);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("\"error\""), "a JSON-RPC error body: {text}");
}

#[tokio::test]
async fn half_sent_body_to_a_custom_route_is_cut_off() {
    let s = start(timeouts(60, 1, 60)).await;
    let mut slow = TcpStream::connect(s.addr).await.expect("connect");
    slow.write_all(
        format!(
            "POST /upload HTTP/1.1\r\nHost: {}\r\nContent-Length: 100\r\n\r\nhalf",
            s.addr
        )
        .as_bytes(),
    )
    .await
    .expect("write");
    let seen = closed_by_server(&mut slow, DEADLINE)
        .await
        .expect("a half-sent body to a custom route kept its connection open");
    let text = String::from_utf8_lossy(&seen);
    assert!(text.starts_with("HTTP/1.1 4"), "{text}");
}

#[tokio::test]
async fn idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    let s = start(timeouts(60, 60, 1)).await;
    let mut kept = TcpStream::connect(s.addr).await.expect("connect");
    kept.write_all(format!("GET /nothing HTTP/1.1\r\nHost: {}\r\n\r\n", s.addr).as_bytes())
        .await
        .expect("write");
    let seen = closed_by_server(&mut kept, DEADLINE)
        .await
        .expect("an idle keep-alive connection stayed open");
    let text = String::from_utf8_lossy(&seen);
    assert!(text.starts_with("HTTP/1.1 404"), "{text}");
}

#[tokio::test]
async fn a_normal_client_is_served_while_connections_sit_idle() {
    let config = HttpConfig {
        max_connections: 8,
        ..timeouts(1, 1, 1)
    };
    let s = start(config).await;
    // Twice as many silent connections as the server serves at once.
    let mut idle = Vec::new();
    for _ in 0..16 {
        idle.push(TcpStream::connect(s.addr).await.expect("connect"));
    }
    let c = Client::builder().timeout(DEADLINE).build().expect("client");
    initialize(&c, &s.url()).await;
}

// ---- defect 4: sessions ------------------------------------------------------

#[tokio::test]
async fn full_server_answers_503_and_keeps_young_sessions() {
    let config = HttpConfig {
        max_sessions: 2,
        ..HttpConfig::default()
    };
    let s = start(config).await;
    let c = Client::new();
    let first = initialize(&c, &s.url()).await;
    let second = initialize(&c, &s.url()).await;
    // Before the fix, sessions idle for 5 s were evicted to make room.
    tokio::time::sleep(Duration::from_millis(5500)).await;
    let r = post(&c, &s.url(), None, initialize_body()).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.headers().get("retry-after").is_some());
    let body: Value =
        serde_json::from_slice(&r.bytes().await.expect("body")).expect("a JSON-RPC error body");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("MCP_MAX_SESSIONS")),
        "{body}"
    );
    for id in [&first, &second] {
        let r = post(
            &c,
            &s.url(),
            Some(id),
            json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::OK, "a young session was evicted");
    }
}

#[tokio::test]
async fn sessions_per_principal_are_capped() {
    let config = HttpConfig {
        max_sessions_per_principal: 2,
        ..HttpConfig::default()
    };
    let s = start(config).await;
    let c = Client::new();
    let first = initialize(&c, &s.url()).await;
    initialize(&c, &s.url()).await;
    let r = post(&c, &s.url(), None, initialize_body()).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.headers().get("retry-after").is_some());
    let body: Value =
        serde_json::from_slice(&r.bytes().await.expect("body")).expect("a JSON-RPC error body");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("MCP_MAX_SESSIONS_PER_PRINCIPAL")),
        "{body}"
    );
    // Ending one makes room again.
    let r = c
        .delete(s.url())
        .header("mcp-session-id", &first)
        .header("mcp-protocol-version", "2025-11-25")
        .send()
        .await
        .expect("DELETE");
    assert_eq!(r.status(), StatusCode::OK);
    initialize(&c, &s.url()).await;
}

/// Tokens whose text names their subject: `sub-NAME`.
#[cfg(feature = "auth")]
struct SubjectTokens;

#[cfg(feature = "auth")]
impl mcp_runtime::auth::TokenVerifier for SubjectTokens {
    fn verify<'a>(
        &'a self,
        token: &'a str,
    ) -> futures::future::BoxFuture<
        'a,
        Result<mcp_runtime::auth::AccessToken, mcp_runtime::auth::AuthError>,
    > {
        Box::pin(async move {
            match token.strip_prefix("sub-") {
                Some(name) => Ok(mcp_runtime::auth::AccessToken::from_claims(
                    json!({"sub": name, "iss": "https://as.example"}),
                )),
                None => Err(mcp_runtime::auth::AuthError::Invalid("unknown".into())),
            }
        })
    }
}

#[cfg(feature = "auth")]
#[tokio::test]
async fn with_auth_sessions_are_capped_per_principal_and_never_evicted_across_principals() {
    use mcp_runtime::auth::{Auth, AuthConfig};
    use std::sync::Arc;
    let config = HttpConfig {
        max_sessions: 4,
        max_sessions_per_principal: 2,
        ..HttpConfig::default()
    };
    let s = serve_on_loopback(config, |server| {
        server.auth(Arc::new(Auth::new(
            AuthConfig::default(),
            Arc::new(SubjectTokens),
        )))
    })
    .await;
    let c = Client::new();
    let open = |token: &'static str| {
        let (c, url) = (c.clone(), s.url());
        async move {
            let r = c
                .post(&url)
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .header("accept", ACCEPT)
                .body(initialize_body().to_string())
                .send()
                .await
                .expect("POST");
            let id = r
                .headers()
                .get("mcp-session-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            (r.status(), id)
        }
    };
    // Every caller is on 127.0.0.1: the cap is per principal, not per address.
    let alice = [open("sub-alice").await, open("sub-alice").await];
    let (status, _) = open("sub-alice").await;
    assert_eq!(
        status,
        StatusCode::SERVICE_UNAVAILABLE,
        "alice's third session"
    );
    let bob = [open("sub-bob").await, open("sub-bob").await];
    for (status, _) in alice.iter().chain(bob.iter()) {
        assert_eq!(*status, StatusCode::OK);
    }
    // The server is full: carol is refused and nobody's session is evicted.
    let (status, _) = open("sub-carol").await;
    assert_eq!(
        status,
        StatusCode::SERVICE_UNAVAILABLE,
        "carol, on a full server"
    );
    for (token, sessions) in [("sub-alice", &alice), ("sub-bob", &bob)] {
        for (_, id) in sessions {
            let r = c
                .post(s.url())
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .header("accept", ACCEPT)
                .header("mcp-session-id", id.as_deref().expect("a session id"))
                .header("mcp-protocol-version", "2025-11-25")
                .body(json!({"jsonrpc": "2.0", "id": 1, "method": "ping"}).to_string())
                .send()
                .await
                .expect("POST");
            assert_eq!(r.status(), StatusCode::OK, "{token}'s session was evicted");
        }
    }
}
