//! A small blocking MCP client for `cargo mcp inspect`: a child process
//! speaking newline-delimited JSON-RPC on stdio, or a Streamable HTTP
//! endpoint. It does the handshake (`initialize`, then
//! `notifications/initialized`) and then one request at a time.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The protocol version offered in `initialize`.
pub const PROTOCOL_VERSION: &str = "2025-11-25";

/// What can go wrong talking to a server.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server could not be started or reached, or went away (exit code 6).
    #[error("{0}")]
    Unreachable(String),
    /// The server answered with a JSON-RPC error.
    #[error("the server answered `{method}` with error {code}: {message}{}", data.as_ref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Rpc {
        /// The request's method.
        method: String,
        /// JSON-RPC error code.
        code: i64,
        /// Its message.
        message: String,
        /// Its data, if any, as JSON text.
        data: Option<String>,
    },
    /// The server said something that is not MCP.
    #[error("{0}")]
    Protocol(String),
    /// A tool answered with `isError: true`; the message is its text.
    #[error("{0}")]
    Tool(String),
}

/// A connected client.
pub struct Client {
    transport: Transport,
    next_id: i64,
    timeout: Duration,
    /// The `initialize` result: server info, capabilities, protocol version.
    pub server: Value,
}

enum Transport {
    Stdio(Box<StdioTransport>),
    Http(Box<HttpTransport>),
}

struct StdioTransport {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<std::io::Result<String>>,
    stderr: Arc<Mutex<String>>,
    program: String,
}

struct HttpTransport {
    agent: ureq::Agent,
    url: String,
    /// Sent with every request (`--header`).
    headers: Vec<(String, String)>,
    session: Option<String>,
    protocol: Option<String>,
}

impl Client {
    /// Connects to `target` (an `http(s)://` URL, or a command line) and
    /// initializes; `headers` go with every HTTP request (not used on stdio).
    pub fn connect(
        target: &str,
        timeout: Duration,
        headers: &[(String, String)],
    ) -> Result<Client, ClientError> {
        let transport = if target.starts_with("http://") || target.starts_with("https://") {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(timeout))
                .build()
                .into();
            Transport::Http(Box::new(HttpTransport {
                agent,
                url: target.to_string(),
                headers: headers.to_vec(),
                session: None,
                protocol: None,
            }))
        } else {
            Transport::Stdio(Box::new(StdioTransport::spawn(target)?))
        };
        let mut client = Client {
            transport,
            next_id: 1,
            timeout,
            server: Value::Null,
        };
        client.server = client.request(
            "initialize",
            json!({
                "protocolVersion": PROTOCOL_VERSION,
                "capabilities": {},
                "clientInfo": {"name": "cargo-mcp-inspect", "version": env!("CARGO_PKG_VERSION")},
            }),
        )?;
        if let Transport::Http(http) = &mut client.transport {
            http.protocol = client.server["protocolVersion"]
                .as_str()
                .map(str::to_string);
        }
        client.notify("notifications/initialized", json!({}))?;
        Ok(client)
    }

    /// Sends a request and returns its result.
    pub fn request(&mut self, method: &str, params: Value) -> Result<Value, ClientError> {
        let id = self.next_id;
        self.next_id += 1;
        let message = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let answer = match &mut self.transport {
            Transport::Stdio(t) => t.exchange(&message, id, self.timeout)?,
            Transport::Http(t) => t.exchange(&message, id)?,
        };
        if let Some(error) = answer.get("error") {
            return Err(ClientError::Rpc {
                method: method.to_string(),
                code: error["code"].as_i64().unwrap_or_default(),
                message: error["message"].as_str().unwrap_or_default().to_string(),
                data: error.get("data").map(Value::to_string),
            });
        }
        answer.get("result").cloned().ok_or_else(|| {
            ClientError::Protocol(format!("the answer to `{method}` has no result: {answer}"))
        })
    }

    /// Sends a notification.
    pub fn notify(&mut self, method: &str, params: Value) -> Result<(), ClientError> {
        let message = json!({"jsonrpc": "2.0", "method": method, "params": params});
        match &mut self.transport {
            Transport::Stdio(t) => t.send(&message),
            Transport::Http(t) => t.notify(&message),
        }
    }

    /// Every page of a `*/list` request, concatenated: the items under `key`.
    pub fn list(&mut self, method: &str, key: &str) -> Result<Vec<Value>, ClientError> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let params = match &cursor {
                Some(c) => json!({"cursor": c}),
                None => json!({}),
            };
            let page = self.request(method, params)?;
            if let Some(found) = page.get(key).and_then(Value::as_array) {
                items.extend(found.iter().cloned());
            }
            match page.get("nextCursor").and_then(Value::as_str) {
                Some(next) if cursor.as_deref() != Some(next) => cursor = Some(next.to_string()),
                _ => return Ok(items),
            }
        }
    }

    /// Ends the session: closes stdin and waits a moment for the child, or
    /// DELETEs the HTTP session.
    pub fn close(self) {
        match self.transport {
            Transport::Stdio(mut t) => {
                drop(t.stdin.take());
                let deadline = Instant::now() + Duration::from_secs(2);
                while Instant::now() < deadline {
                    if let Ok(Some(_)) = t.child.try_wait() {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                let _ = t.child.kill();
                let _ = t.child.wait();
            }
            Transport::Http(t) => {
                if let Some(session) = &t.session {
                    let mut request = t.agent.delete(&t.url).header("Mcp-Session-Id", session);
                    for (name, value) in &t.headers {
                        request = request.header(name, value);
                    }
                    let _ = request.call();
                }
            }
        }
    }
}

impl StdioTransport {
    fn spawn(command_line: &str) -> Result<StdioTransport, ClientError> {
        let words = split_command_line(command_line)
            .map_err(|e| ClientError::Unreachable(format!("cannot parse `{command_line}`: {e}")))?;
        let Some((program, args)) = words.split_first() else {
            return Err(ClientError::Unreachable(
                "no server given: pass a command line or an http(s):// URL".into(),
            ));
        };
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| ClientError::Unreachable(format!("could not start `{program}`: {e}")))?;
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let stop = line.is_err();
                if tx.send(line).is_err() || stop {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut pipe = child.stderr.take().expect("piped stderr");
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let mut s = sink.lock().unwrap_or_else(|p| p.into_inner());
                s.push_str(&String::from_utf8_lossy(&buf[..n]));
                if s.len() > 16_000 {
                    let cut = s.len() - 8_000;
                    let cut = (cut..s.len()).find(|&i| s.is_char_boundary(i)).unwrap_or(0);
                    s.drain(..cut);
                }
            }
        });
        Ok(StdioTransport {
            stdin: child.stdin.take(),
            child,
            lines,
            stderr,
            program: program.clone(),
        })
    }

    fn gone(&mut self, what: &str) -> ClientError {
        // Give the stderr reader a moment to catch the last words.
        std::thread::sleep(Duration::from_millis(50));
        let status = self
            .child
            .try_wait()
            .ok()
            .flatten()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        let stderr = self
            .stderr
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .trim()
            .to_string();
        let tail = if stderr.is_empty() {
            String::new()
        } else {
            format!("\nits stderr:\n{stderr}")
        };
        ClientError::Unreachable(format!("`{}` {what}{status}{tail}", self.program))
    }

    fn send(&mut self, message: &Value) -> Result<(), ClientError> {
        let Some(stdin) = self.stdin.as_mut() else {
            return Err(self.gone("has no stdin"));
        };
        if writeln!(stdin, "{message}")
            .and_then(|()| stdin.flush())
            .is_err()
        {
            return Err(self.gone("exited before answering"));
        }
        Ok(())
    }

    fn exchange(
        &mut self,
        message: &Value,
        id: i64,
        timeout: Duration,
    ) -> Result<Value, ClientError> {
        self.send(message)?;
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = match self.lines.recv_timeout(left) {
                Ok(Ok(line)) => line,
                Ok(Err(e)) => return Err(self.gone(&format!("could not be read: {e}"))),
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(self.gone("exited before answering"))
                }
                Err(RecvTimeoutError::Timeout) => {
                    return Err(ClientError::Unreachable(format!(
                        "`{}` did not answer `{}` within {}s",
                        self.program,
                        message["method"].as_str().unwrap_or_default(),
                        timeout.as_secs()
                    )))
                }
            };
            if line.trim().is_empty() {
                continue;
            }
            let value: Value = serde_json::from_str(&line).map_err(|e| {
                ClientError::Protocol(format!(
                    "`{}` wrote a line that is not JSON ({e}): {line}",
                    self.program
                ))
            })?;
            if let Some(answer) = handle_incoming(value, id) {
                match answer {
                    Incoming::Answer(v) => return Ok(v),
                    Incoming::Reply(r) => self.send(&r)?,
                }
            }
        }
    }
}

impl HttpTransport {
    fn post(&self, message: &Value) -> Result<ureq::http::Response<ureq::Body>, ClientError> {
        let mut request = self
            .agent
            .post(&self.url)
            .header("Accept", "application/json, text/event-stream")
            .header("Content-Type", "application/json");
        if let Some(session) = &self.session {
            request = request.header("Mcp-Session-Id", session);
        }
        if let Some(protocol) = &self.protocol {
            request = request.header("MCP-Protocol-Version", protocol);
        }
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        let response = request
            .send(message.to_string())
            .map_err(|e| ClientError::Unreachable(format!("could not reach {}: {e}", self.url)))?;
        if !response.status().is_success() {
            let status = response.status();
            let body = response.into_body().read_to_string().unwrap_or_default();
            return Err(ClientError::Protocol(format!(
                "{} answered HTTP {status}{}",
                self.url,
                if body.trim().is_empty() {
                    String::new()
                } else {
                    format!(": {}", body.trim())
                }
            )));
        }
        Ok(response)
    }

    fn notify(&mut self, message: &Value) -> Result<(), ClientError> {
        self.post(message).map(drop)
    }

    fn exchange(&mut self, message: &Value, id: i64) -> Result<Value, ClientError> {
        let response = self.post(message)?;
        if let Some(session) = response
            .headers()
            .get("mcp-session-id")
            .and_then(|v| v.to_str().ok())
        {
            self.session = Some(session.to_string());
        }
        let event_stream = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        let mut body = response.into_body();
        let url = self.url.clone();
        let broken = |e: &dyn std::fmt::Display| {
            ClientError::Unreachable(format!("reading the answer from {url} failed: {e}"))
        };
        if !event_stream {
            let text = body.read_to_string().map_err(|e| broken(&e))?;
            let value: Value = serde_json::from_str(&text).map_err(|e| {
                ClientError::Protocol(format!(
                    "{} answered with something not JSON ({e}): {text}",
                    self.url
                ))
            })?;
            // A batch is allowed in a JSON body: pick our answer.
            let candidates = match value {
                Value::Array(items) => items,
                one => vec![one],
            };
            for v in candidates {
                if let Some(Incoming::Answer(a)) = handle_incoming(v, id) {
                    return Ok(a);
                }
            }
            return Err(ClientError::Protocol(format!(
                "{} did not answer request {id}",
                self.url
            )));
        }
        let mut data = String::new();
        for line in BufReader::new(body.as_reader()).lines() {
            let line = line.map_err(|e| broken(&e))?;
            if let Some(rest) = line.strip_prefix("data:") {
                if !data.is_empty() {
                    data.push('\n');
                }
                data.push_str(rest.strip_prefix(' ').unwrap_or(rest));
            } else if line.is_empty() && !data.is_empty() {
                let event = std::mem::take(&mut data);
                let Ok(value) = serde_json::from_str::<Value>(&event) else {
                    continue;
                };
                match handle_incoming(value, id) {
                    Some(Incoming::Answer(a)) => return Ok(a),
                    Some(Incoming::Reply(r)) => self.notify(&r)?,
                    None => {}
                }
            }
        }
        if !data.is_empty() {
            if let Ok(value) = serde_json::from_str::<Value>(&data) {
                if let Some(Incoming::Answer(a)) = handle_incoming(value, id) {
                    return Ok(a);
                }
            }
        }
        Err(ClientError::Unreachable(format!(
            "{} closed the event stream before answering request {id}",
            self.url
        )))
    }
}

enum Incoming {
    /// The answer to our request.
    Answer(Value),
    /// A reply we owe the server (it sent us a request).
    Reply(Value),
}

/// Sorts a message from the server: our answer, a request we must reply to
/// (`ping` gets `{}`, anything else "method not found"), or something to skip.
fn handle_incoming(value: Value, id: i64) -> Option<Incoming> {
    let their_id = value.get("id").cloned();
    if let Some(method) = value.get("method").and_then(Value::as_str) {
        let their_id = their_id?; // a notification: logs, progress
        let reply = if method == "ping" {
            json!({"jsonrpc": "2.0", "id": their_id, "result": {}})
        } else {
            json!({"jsonrpc": "2.0", "id": their_id, "error": {"code": -32601, "message": format!("cargo mcp inspect does not handle `{method}`")}})
        };
        return Some(Incoming::Reply(reply));
    }
    (their_id.as_ref().and_then(Value::as_i64) == Some(id)).then_some(Incoming::Answer(value))
}

/// Splits a command line as a POSIX shell would, minus expansions: words
/// separated by whitespace, `'single'` and `"double"` quotes, backslash escapes.
pub fn split_command_line(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("unclosed '".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err("unclosed \"".into()),
                        },
                        Some(c) => word.push(c),
                        None => return Err("unclosed \"".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => word.push(c),
                    None => return Err("trailing \\".into()),
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(
            split_command_line(r#"  ./srv --name "a b" 'c d' e\ f "" "#).unwrap(),
            ["./srv", "--name", "a b", "c d", "e f", ""]
        );
        assert!(split_command_line("'open").is_err());
    }

    #[test]
    fn sorts_incoming_messages() {
        assert!(handle_incoming(
            json!({"jsonrpc": "2.0", "method": "notifications/message"}),
            1
        )
        .is_none());
        assert!(matches!(
            handle_incoming(json!({"jsonrpc": "2.0", "id": 7, "method": "ping"}), 1),
            Some(Incoming::Reply(r)) if r["result"] == json!({})
        ));
        assert!(matches!(
            handle_incoming(json!({"jsonrpc": "2.0", "id": 1, "result": {}}), 1),
            Some(Incoming::Answer(_))
        ));
        assert!(handle_incoming(json!({"jsonrpc": "2.0", "id": 2, "result": {}}), 1).is_none());
    }
}
