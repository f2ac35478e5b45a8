//! `cargo mcp dev` end to end: generate a project with the real binary, run
//! `cargo-mcp mcp dev` in it, and act as the inspector page does: read
//! `GET /api/events`, post JSON-RPC through `POST /api/send`. Then edit the
//! tool (the server is rebuilt and restarted), break it (the build fails, the
//! old server keeps answering), for stdio and for Streamable HTTP.
//!
//! The project is built in the target folder the e2e test uses
//! (CARGO_MCP_E2E_TARGET, default target/cargo-mcp-e2e), so the runtime is
//! compiled once for both. Set CARGO_MCP_SKIP_E2E=1 to skip the long test.

mod common;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The first build compiles the runtime when the target folder is new.
const FIRST_BUILD: Duration = Duration::from_secs(20 * 60);
/// A rebuild of the project alone.
const REBUILD: Duration = Duration::from_secs(5 * 60);
/// An answer from a running server.
const ANSWER: Duration = Duration::from_secs(30);

fn cargo_mcp() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-mcp"));
    command.arg("mcp").env("NO_COLOR", "1");
    command
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// GET: (status, content type, cache control, body).
fn get(url: &str) -> (u16, String, String, String) {
    let mut response = agent().get(url).call().expect("GET answers");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let (content_type, cache) = (header("content-type"), header("cache-control"));
    let body = response.body_mut().read_to_string().expect("body");
    (response.status().as_u16(), content_type, cache, body)
}

/// POST /api/send: (status, JSON body).
fn send(base: &str, body: &str) -> (u16, Value) {
    let mut response = agent()
        .post(&format!("{base}/api/send"))
        .header("Content-Type", "application/json")
        .send(body)
        .expect("POST answers");
    let text = response.body_mut().read_to_string().expect("body");
    let value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON body: {text}"));
    (response.status().as_u16(), value)
}

/// A running `cargo-mcp mcp dev`, its stderr and its events.
struct Dev {
    child: Child,
    base: String,
    stderr: Arc<Mutex<String>>,
    lines: Receiver<String>,
    events: Option<Receiver<(String, Value)>>,
}

impl Dev {
    fn start(project: &Path, target: &Path, args: &[&str]) -> Dev {
        let inspector_port = free_port();
        let mut child = cargo_mcp()
            .args(["dev", "--no-open", "--inspector-port"])
            .arg(inspector_port.to_string())
            .args(args)
            .current_dir(project)
            .env("CARGO_TARGET_DIR", target)
            .env_remove("RUSTFLAGS")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cargo-mcp starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (sender, lines) = mpsc::channel();
        {
            let pipe = child.stderr.take().expect("stderr");
            let stderr = stderr.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    eprintln!("[dev] {line}");
                    stderr.lock().expect("lock").push_str(&format!("{line}\n"));
                    let _ = sender.send(line);
                }
            });
        }
        let dev = Dev {
            child,
            base: format!("http://127.0.0.1:{inspector_port}"),
            stderr,
            lines,
            events: None,
        };
        let wanted = format!("Inspector: http://127.0.0.1:{inspector_port}/");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match dev.lines.recv_timeout(left) {
                Ok(line) if line.contains(&wanted) => break,
                Ok(_) => {}
                Err(_) => panic!("no `{wanted}` line:\n{}", dev.stderr()),
            }
        }
        dev
    }

    fn stderr(&self) -> String {
        self.stderr.lock().expect("lock").clone()
    }

    /// Opens GET /api/events; events arrive on a channel.
    fn listen(&mut self) {
        let response = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .new_agent()
            .get(&format!("{}/api/events", self.base))
            .call()
            .expect("GET /api/events");
        assert_eq!(response.status().as_u16(), 200);
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(
            content_type.starts_with("text/event-stream"),
            "{content_type}"
        );
        let reader = response.into_body().into_reader();
        let (sender, events) = mpsc::channel();
        std::thread::spawn(move || {
            let mut kind = String::new();
            for line in BufReader::new(reader).lines().map_while(Result::ok) {
                if let Some(k) = line.strip_prefix("event:") {
                    kind = k.trim().to_string();
                } else if let Some(data) = line.strip_prefix("data:") {
                    let value: Value = serde_json::from_str(data.trim())
                        .unwrap_or_else(|_| panic!("one line of JSON: {data}"));
                    if sender.send((kind.clone(), value)).is_err() {
                        return;
                    }
                }
            }
        });
        self.events = Some(events);
    }

    /// Skips events until one of `kind` satisfies `wanted`; returns its data.
    fn wait(&self, kind: &str, within: Duration, wanted: impl Fn(&Value) -> bool) -> Value {
        self.find(kind, within, wanted).unwrap_or_else(|seen| {
            panic!(
                "no `{kind}` event as wanted; saw:\n{seen}\nstderr:\n{}",
                self.stderr()
            )
        })
    }

    /// Like [`Dev::wait`], but Err (the other events seen) when none came.
    fn find(
        &self,
        kind: &str,
        within: Duration,
        wanted: impl Fn(&Value) -> bool,
    ) -> Result<Value, String> {
        let events = self.events.as_ref().expect("listening");
        let deadline = Instant::now() + within;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match events.recv_timeout(left) {
                Ok((k, data)) if k == kind && wanted(&data) => return Ok(data),
                Ok((k, data)) => {
                    if k != "build" && k != "stderr" {
                        seen.push(format!("{k} {data}"));
                    }
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                    return Err(seen.join("\n"))
                }
            }
        }
    }

    /// Sends a message and checks it was passed on; returns the generation.
    fn post(&self, message: Value) -> u64 {
        let (status, body) = send(&self.base, &message.to_string());
        assert_eq!(status, 202, "{message} -> {body}");
        body["generation"].as_u64().expect("generation")
    }

    /// The answer to request `id`: the `message` event's data.
    fn answer(&self, id: i64) -> Value {
        self.wait("message", ANSWER, |d| {
            d["message"]["id"] == json!(id) && d["message"].get("method").is_none()
        })
    }

    /// initialize + notifications/initialized, as the page does.
    fn initialize(&self, id: i64) -> Value {
        self.post(json!({
            "jsonrpc": "2.0", "id": id, "method": "initialize",
            "params": {
                "protocolVersion": "2025-11-25",
                "capabilities": {"elicitation": {}, "roots": {"listChanged": true}},
                "clientInfo": {"name": "cargo-mcp-inspector", "version": "0.1.0"}
            }
        }));
        let answer = self.answer(id);
        assert_eq!(
            answer["message"]["result"]["serverInfo"]["name"], "devdemo",
            "{answer}"
        );
        self.post(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        answer
    }

    /// Calls `hello` with name Ada: (generation, text).
    fn hello(&self, id: i64) -> (u64, String) {
        self.post(json!({
            "jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": "hello", "arguments": {"name": "Ada"}}
        }));
        let answer = self.answer(id);
        let text = answer["message"]["result"]["content"][0]["text"]
            .as_str()
            .unwrap_or_else(|| panic!("a text result: {answer}"))
            .to_string();
        (answer["generation"].as_u64().expect("generation"), text)
    }

    /// SIGTERM, then waits for a clean exit.
    fn terminate(mut self) {
        let pid = self.child.id().to_string();
        let killed = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        assert!(killed.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                assert!(status.success(), "{status}\n{}", self.stderr());
                return;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("cargo mcp dev did not stop on SIGTERM:\n{}", self.stderr());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Dev {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Processes running `binary` (Linux: their /proc/PID/exe).
fn running(binary: &Path) -> Vec<String> {
    let Ok(binary) = std::fs::canonicalize(binary) else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| std::fs::read_link(e.path().join("exe")).is_ok_and(|exe| exe == binary))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

/// The whole loop over one transport.
fn exercise(project: &Path, target: &Path, transport: &str, first: bool) {
    let hello_rs = project.join("src/tools/hello.rs");
    let original = std::fs::read_to_string(&hello_rs).expect("hello.rs");
    assert!(original.contains("\"Hello, {}!\""), "{original}");
    let server_port = free_port();
    let mut dev = Dev::start(
        project,
        target,
        &["--transport", transport, "--port", &server_port.to_string()],
    );
    let base = dev.base.clone();

    // The page, and the API's answers to bad requests.
    let (status, content_type, cache, body) = get(&format!("{base}/"));
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert_eq!(cache, "no-store");
    assert!(!body.is_empty());
    let (status, content_type, _, _) = get(&format!("{base}/app.js"));
    assert_eq!(status, 200);
    assert!(
        content_type.starts_with("text/javascript"),
        "{content_type}"
    );
    let (status, _, _, body) = get(&format!("{base}/api/info"));
    assert_eq!(status, 200);
    let info: Value = serde_json::from_str(&body).expect("JSON info");
    assert_eq!(info["transport"], transport);
    assert_eq!(info["project"], "devdemo");
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    let (status, body) = send(&base, "{not json");
    assert_eq!(status, 400, "{body}");
    assert!(body["error"].is_string(), "{body}");

    dev.listen();
    let status = dev.wait("status", ANSWER, |_| true);
    assert_eq!(status["transport"], transport);
    assert_eq!(status["project"], "devdemo");
    if first {
        // The project was never built: it is building, and nothing takes messages.
        assert_eq!(status["state"], "building", "{status}");
        let (code, body) = send(&base, r#"{"jsonrpc":"2.0","id":0,"method":"ping"}"#);
        assert_eq!(code, 503, "{body}");
        assert!(body["error"].is_string(), "{body}");
    }
    let wait = if first { FIRST_BUILD } else { REBUILD };
    dev.wait("restarted", wait, |d| d["generation"] == 1);
    dev.initialize(1);
    assert_eq!(dev.hello(2), (1, "Hello, Ada!".to_string()));
    // The page loads again (a reload, a second tab) and initializes again:
    // the same server process keeps answering (over stdio the bridge answers
    // the repeated handshake, since the server refuses a second one).
    dev.initialize(11);
    assert_eq!(dev.hello(12), (1, "Hello, Ada!".to_string()));

    // An edit: rebuilt, restarted, answers with the new text.
    let howdy = original.replace("\"Hello, {}!\"", "\"Howdy, {}!\"");
    std::fs::write(&hello_rs, &howdy).expect("edit hello.rs");
    dev.wait("build_ok", REBUILD, |_| true);
    let up = dev.wait("status", ANSWER, |d| d["state"] == "running");
    assert_eq!(up["generation"], 2, "{up}");
    dev.wait("restarted", ANSWER, |d| d["generation"] == 2);
    dev.initialize(3);
    assert_eq!(dev.hello(4), (2, "Howdy, Ada!".to_string()));

    // A syntax error: the build fails with rustc's message, the old server answers.
    std::fs::write(&hello_rs, format!("{howdy}\nfn broken( {{\n")).expect("break hello.rs");
    let failed = dev.wait("build_failed", REBUILD, |_| true);
    let output = failed["output"].as_str().expect("output");
    assert!(output.contains("error"), "{output}");
    assert!(output.contains("hello.rs"), "{output}");
    assert!(output.contains("unclosed delimiter"), "{output}");
    assert_eq!(dev.hello(5), (2, "Howdy, Ada!".to_string()));
    // cargo reading the sources while building is no change: no build follows.
    let again = dev.find("status", Duration::from_secs(3), |d| {
        d["state"] == "building"
    });
    assert!(again.is_err(), "a build nobody asked for: {again:?}");

    // SIGTERM stops cargo mcp dev and its server.
    dev.terminate();
    std::fs::write(&hello_rs, &original).expect("restore hello.rs");
    if transport == "http" {
        assert!(
            std::net::TcpStream::connect(("127.0.0.1", server_port)).is_err(),
            "the HTTP server was stopped"
        );
    }
    if cfg!(target_os = "linux") {
        let binary = target.join("debug/devdemo");
        assert_eq!(running(&binary), Vec::<String>::new(), "no orphan server");
    }
}

#[test]
fn dev_rebuilds_restarts_and_keeps_the_last_good_server() {
    if std::env::var_os("CARGO_MCP_SKIP_E2E").is_some() {
        eprintln!("skipped: CARGO_MCP_SKIP_E2E is set");
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let project = tmp.path().join("devdemo");
    let out = cargo_mcp()
        .args(["new", "devdemo", "--path"])
        .arg(&project)
        .args(["--vcs", "none", "--runtime-path"])
        .arg(common::runtime())
        .output()
        .expect("cargo-mcp new runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The repository's lock pins the versions the shared target folder already
    // holds, so only devdemo itself is compiled.
    std::fs::copy(
        common::repo().join("Cargo.lock"),
        project.join("Cargo.lock"),
    )
    .expect("copy Cargo.lock");
    let target: PathBuf = std::env::var_os("CARGO_MCP_E2E_TARGET")
        .map(PathBuf::from)
        .unwrap_or_else(|| common::repo().join("target/cargo-mcp-e2e"));
    exercise(&project, &target, "stdio", true);
    exercise(&project, &target, "http", false);
}

#[test]
fn outside_a_project_dev_exits_5() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = cargo_mcp()
        .args(["dev", "--no-open"])
        .current_dir(tmp.path())
        .output()
        .expect("cargo-mcp runs");
    assert_eq!(
        out.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[cfg(unix)]
#[test]
fn the_official_inspector_says_which_node_it_found_and_what_it_needs() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("temp dir");
    let project = tmp.path().join("nodecheck");
    let out = cargo_mcp()
        .args(["new", "nodecheck", "--path"])
        .arg(&project)
        .args(["--vcs", "none", "--runtime-path"])
        .arg(common::runtime())
        .output()
        .expect("cargo-mcp new runs");
    assert!(out.status.success());
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).expect("bin");
    let node = bin.join("node");
    std::fs::write(&node, "#!/bin/sh\necho v20.11.1\n").expect("fake node");
    std::fs::set_permissions(&node, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let dev = |path: &Path| {
        let out = cargo_mcp()
            .args(["dev", "--no-open", "--inspector", "official"])
            .current_dir(&project)
            .env("PATH", path)
            .output()
            .expect("cargo-mcp runs");
        let mut stderr = String::new();
        out.stderr
            .as_slice()
            .read_to_string(&mut stderr)
            .expect("UTF-8");
        (out.status.code(), stderr)
    };
    let (code, stderr) = dev(&bin);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("the node found at {} is v20.11.1", node.display())),
        "{stderr}"
    );
    assert!(stderr.contains("needs Node.js 22.19 or newer"), "{stderr}");
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).expect("empty");
    let (code, stderr) = dev(&empty);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("no `node` was found on PATH"), "{stderr}");
}
