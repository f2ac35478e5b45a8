//! Regression tests of issue 12 that need a real process: the `misbehaving`
//! example (runtime/examples/misbehaving.rs) is spawned and driven over its
//! stdin and stdout (or over HTTP on loopback), as a host would.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The example, built once per test run (and rebuilt when stale).
fn binary() -> &'static PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let exe = std::env::current_exe().expect("the test's own path");
        let profile_dir = exe
            .parent()
            .and_then(|deps| deps.parent())
            .expect("target/<profile>/deps/<test>");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = Command::new(cargo);
        build.args(["build", "-p", "mcp-runtime", "--example", "misbehaving"]);
        if profile_dir.ends_with("release") {
            build.arg("--release");
        }
        let status = build.status().expect("run cargo build");
        assert!(status.success(), "cargo build --example misbehaving failed");
        let path = profile_dir.join("examples").join("misbehaving");
        assert!(path.exists(), "no example at {}", path.display());
        path
    })
}

/// The example serving stdio, killed when dropped.
struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    /// Every stdout line read so far.
    seen: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const INIT: &str = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;

impl Server {
    /// Starts the example on stdio and initializes a legacy session.
    fn start(env: &[(&str, &str)]) -> Server {
        let mut command = Command::new(binary());
        command
            .env_remove("RUST_LOG")
            .env("MCP_LOG_LEVEL", "info")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("start the example");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let stdin = child.stdin.take();
        let mut server = Server {
            child,
            stdin,
            lines,
            seen: Vec::new(),
        };
        server.send(INIT);
        server.send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
        server.answer(0, Duration::from_secs(10));
        server
    }

    fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin
            .write_all(line.as_bytes())
            .expect("write to the server");
        stdin.write_all(b"\n").expect("write to the server");
        stdin.flush().expect("flush to the server");
    }

    fn call(&mut self, id: i64, tool: &str, arguments: Value) {
        let request = json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": tool, "arguments": arguments}});
        self.send(&request.to_string());
    }

    /// Waits for the answer to `id`; `None` after `within`.
    fn answer(&mut self, id: i64, within: Duration) -> Option<Value> {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            let line = self.lines.recv_timeout(left).ok()?;
            self.seen.push(line.clone());
            let message: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("stdout carried a non-JSON line {line:?}: {e}"));
            if message["id"] == json!(id) && message.get("method").is_none() {
                return Some(message);
            }
        }
    }

    /// Closes stdin and waits up to `within` for the process to exit;
    /// returns how long it took, `None` if it is still alive.
    fn close_and_wait(&mut self, within: Duration) -> Option<Duration> {
        drop(self.stdin.take());
        let closed = Instant::now();
        while closed.elapsed() < within {
            if self.child.try_wait().expect("poll the child").is_some() {
                return Some(closed.elapsed());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// The rest of stdout (after exit) and all of stderr.
    fn rest(&mut self) -> (Vec<String>, String) {
        let mut out = std::mem::take(&mut self.seen);
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(2)) {
            out.push(line);
        }
        let mut err = String::new();
        if let Some(mut stderr) = self.child.stderr.take() {
            let _ = stderr.read_to_string(&mut err);
        }
        (out, err)
    }
}

#[test]
fn stdio_exits_after_stdin_closes_while_a_sync_handler_runs() {
    let mut server = Server::start(&[("MCP_SHUTDOWN_GRACE_SECS", "1")]);
    server.call(1, "sleep_sync", json!({"secs": 60}));
    // A ping answered after the call was read: the call is running.
    server.send(r#"{"jsonrpc":"2.0","id":2,"method":"ping"}"#);
    assert!(server.answer(2, Duration::from_secs(10)).is_some());
    // Before: still alive 40 s after stdin closed (the runtime waited for the
    // sleeping thread). After: gone once the 1 s grace period ends.
    let took = server.close_and_wait(Duration::from_secs(10));
    assert!(
        took.is_some(),
        "the server outlived its stdin by 10 s while a sync handler ran"
    );
    let (_, stderr) = server.rest();
    assert!(stderr.contains("MCP_SHUTDOWN_GRACE_SECS"), "{stderr}");
}

#[test]
fn stdio_exits_at_once_when_nothing_runs() {
    let mut server = Server::start(&[("MCP_SHUTDOWN_GRACE_SECS", "30")]);
    let took = server.close_and_wait(Duration::from_secs(10));
    assert!(took.is_some_and(|t| t < Duration::from_secs(5)), "{took:?}");
}

#[test]
fn a_ping_is_answered_while_an_async_handler_blocks_its_thread() {
    let mut server = Server::start(&[("MCP_SHUTDOWN_GRACE_SECS", "1")]);
    server.call(1, "block_async", json!({"secs": 5}));
    // Give the handler time to start blocking.
    std::thread::sleep(Duration::from_millis(300));
    let asked = Instant::now();
    server.send(r#"{"jsonrpc":"2.0","id":2,"method":"ping"}"#);
    // Before: answered only once the handler returned (5 s here, 20 s in the
    // probe). After: at once.
    let pong = server.answer(2, Duration::from_secs(3));
    assert!(
        pong.is_some(),
        "no answer to ping within 3 s while a handler blocked its thread"
    );
    assert!(asked.elapsed() < Duration::from_secs(3));
    // The cancellation is read too: the blocked call is never answered.
    server.send(r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}"#);
    server.send(r#"{"jsonrpc":"2.0","id":3,"method":"ping"}"#);
    assert!(server.answer(3, Duration::from_secs(4)).is_some());
    assert!(
        server.answer(1, Duration::from_secs(7)).is_none(),
        "a cancelled call was answered"
    );
}

#[test]
fn a_handler_println_does_not_corrupt_stdout() {
    let mut server = Server::start(&[]);
    server.call(1, "print", json!({"text": "HELLO-FROM-A-HANDLER"}));
    let answer = server.answer(1, Duration::from_secs(10)).expect("answered");
    assert_eq!(answer["result"]["content"][0]["text"], "printed");
    assert!(server.close_and_wait(Duration::from_secs(15)).is_some());
    let (stdout, stderr) = server.rest();
    // Before: the printed line sat between the JSON-RPC messages on stdout.
    for line in &stdout {
        let message: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("stdout carried a non-JSON line {line:?}: {e}"));
        assert_eq!(message["jsonrpc"], "2.0", "{line}");
    }
    assert!(stderr.contains("HELLO-FROM-A-HANDLER"), "{stderr}");
}

#[test]
fn stderr_logs_have_no_ansi_escapes_when_piped() {
    let mut server = Server::start(&[("MCP_LOG_LEVEL", "debug")]);
    assert!(server.close_and_wait(Duration::from_secs(15)).is_some());
    let (_, stderr) = server.rest();
    assert!(!stderr.is_empty(), "debug logging wrote nothing");
    // Before: every line started with colour codes such as "\x1b[2m".
    assert!(!stderr.contains('\x1b'), "{stderr:?}");
}

#[test]
fn startup_error_on_a_busy_port_prints_a_sentence() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a port");
    let port = busy.local_addr().expect("its address").port();
    let output = Command::new(binary())
        .args(["--transport", "http", "--host", "127.0.0.1", "--port"])
        .arg(port.to_string())
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .expect("run the example");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Before: `Error: Io(Custom { kind: AddrInUse, error: "cannot listen ..." })`.
    assert!(
        stderr.contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{stderr}"
    );
    assert!(
        stderr.contains("choose another port with --port or MCP_PORT"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("Custom {") && !stderr.contains("kind:"),
        "{stderr}"
    );
}

#[tokio::test]
async fn an_unknown_session_has_its_own_error_code() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(binary())
        .args(["--transport", "http", "--host", "127.0.0.1", "--port"])
        .arg(port.to_string())
        .env_remove("RUST_LOG")
        .env("MCP_LOG_LEVEL", "error")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("start the example");
    struct Kill(Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _server = Kill(child);
    let started = Instant::now();
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "server never listened"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let response = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/mcp"))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-06-18")
        .header("mcp-session-id", "no-such-session")
        .body(r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#)
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 404);
    let body: Value = serde_json::from_str(&response.text().await.expect("a body")).expect("JSON");
    // -32001 as the official TypeScript SDK says it; before, Unauthorized
    // (HTTP 401) used the same code.
    assert_eq!(body["error"]["code"], -32001, "{body}");
    assert_ne!(mcp_runtime::auth::UNAUTHORIZED_CODE, -32001);
}
