//! End to end: generate every fixture project into one workspace, build it
//! with one shared target folder, run the projects' own tests, then start
//! each server binary and drive it over stdio (newline-delimited JSON-RPC)
//! as a real client would: initialize, tools/list, tools/call for every
//! tool, resources/read, prompts/get.
//!
//! Set CARGO_MCP_SKIP_E2E=1 to skip; CARGO_MCP_E2E_TARGET to choose the
//! target folder (default: target/cargo-mcp-e2e in the repository).

mod common;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn cargo(workspace: &Path, target: &Path, args: &[&str]) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(args)
        .current_dir(workspace)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo {args:?} failed in {}:\n{}\n{}",
        workspace.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Sends the messages, closes stdin, and returns the answers by id.
fn talk(binary: &Path, messages: &[Value]) -> std::collections::HashMap<i64, Value> {
    let mut child = Command::new(binary)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("server starts");
    {
        let mut stdin = child.stdin.take().expect("stdin");
        for m in messages {
            writeln!(stdin, "{m}").expect("write");
        }
    }
    let mut answers = std::collections::HashMap::new();
    let wanted = messages.iter().filter(|m| m.get("id").is_some()).count();
    for line in BufReader::new(child.stdout.take().expect("stdout")).lines() {
        let v: Value = serde_json::from_str(&line.expect("line")).expect("JSON line");
        if let Some(id) = v.get("id").and_then(Value::as_i64) {
            answers.insert(id, v);
        }
        if answers.len() == wanted {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    answers
}

/// Runs `cargo-mcp mcp inspect ARGS…`: (exit code, stdout, stderr).
fn inspect(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-mcp"))
        .args(["mcp", "inspect"])
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("cargo-mcp runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// `cargo mcp inspect` against the fixture binaries, over stdio and HTTP.
fn inspect_fixtures(bin: &dyn Fn(&str) -> PathBuf) {
    let hello = bin("hello").to_string_lossy().to_string();
    let (code, out, err) = inspect(&[&hello, "tools"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "hello  Say hello");
    let (code, out, err) = inspect(&[&hello, "call", "hello", "--arg", "name=Ada"]);
    assert_eq!((code, out.as_str()), (0, "Hello, Ada!\n"), "{err}");
    let (code, out, err) = inspect(&["--json", &hello, "tools"]);
    assert_eq!(code, 0, "{err}");
    let tools: Value = serde_json::from_str(&out).expect("--json prints JSON");
    assert_eq!(tools[0]["name"], "hello");
    assert!(tools[0]["inputSchema"].is_object(), "{tools}");
    let (code, out, err) = inspect(&[
        &hello,
        "call",
        "hello",
        "--json",
        "--args-json",
        r#"{"name": "Bo"}"#,
    ]);
    assert_eq!(code, 0, "{err}");
    let result: Value = serde_json::from_str(&out).expect("--json prints JSON");
    assert_eq!(text(&json!({ "result": result })), "Hello, Bo!");
    // isError: exit 1, the message on stderr
    let (code, out, err) = inspect(&[&hello, "call", "hello"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("Invalid arguments"), "{err}");
    // a JSON-RPC error, a bad --arg, a server that cannot start
    let (code, _, err) = inspect(&[&hello, "call", "nope"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("nope"), "{err}");
    let (code, _, err) = inspect(&[&hello, "call", "hello", "--arg", "name"]);
    assert_eq!(code, 3, "{err}");
    let (code, _, err) = inspect(&["/nonexistent/server --flag", "tools"]);
    assert_eq!(code, 6, "{err}");
    assert!(
        err.contains("could not start `/nonexistent/server`"),
        "{err}"
    );

    // --arg values are JSON when they parse
    let arg_tool = bin("arg-tool").to_string_lossy().to_string();
    let (code, out, err) = inspect(&[&arg_tool, "call", "add", "--arg", "a=2", "--arg", "b=3"]);
    assert_eq!(
        (code, out.trim()),
        (0, r#"add received {"a":2,"b":3}"#),
        "{err}"
    );

    // resources, templates and read
    let resources = bin("resource-template").to_string_lossy().to_string();
    let (code, out, err) = inspect(&[&resources, "resources"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("config://app") && out.contains("users://{user_id}/profile"),
        "{out}"
    );
    let (code, out, err) = inspect(&[&resources, "read", "config://app"]);
    assert_eq!((code, out.trim()), (0, "contents of config://app"), "{err}");

    // prompts and prompt (arguments are strings)
    let prompt = bin("prompt").to_string_lossy().to_string();
    let (code, out, err) = inspect(&[&prompt, "prompts"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("summarize(topic"), "{out}");
    let (code, out, err) = inspect(&[
        &prompt,
        "prompt",
        "summarize",
        "--arg",
        "topic=tides",
        "--arg",
        "words=50",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(r#"summarize with {"topic":"tides","words":50}"#),
        "{out}"
    );

    // Streamable HTTP
    let port = free_port();
    let mut server = serve_http(&bin("hello"), port, &[]);
    let url = format!("http://127.0.0.1:{port}/mcp");
    let answers = (
        inspect(&[&url, "tools"]),
        inspect(&[&url, "call", "hello", "--arg", "name=Ada"]),
    );
    let _ = server.kill();
    let _ = server.wait();
    let ((code, out, err), (code2, out2, err2)) = answers;
    assert_eq!((code, out.trim()), (0, "hello  Say hello"), "{err}");
    assert_eq!((code2, out2.trim()), (0, "Hello, Ada!"), "{err2}");
    let (code, _, err) = inspect(&[&url, "tools"]);
    assert_eq!(code, 6, "unreachable once stopped: {err}");

    auth_jwt(&bin("auth-jwt"));
    auth_dev(&bin("auth-dev"));
}

/// `new --auth dev`: the development authorization server answers on the
/// server's own port and the MCP endpoint wants its tokens.
fn auth_dev(binary: &Path) {
    let port = free_port();
    let keys = tempfile::tempdir().expect("tmp");
    let key_file = keys.path().join("dev.key").to_string_lossy().to_string();
    let mut server = serve_http(binary, port, &[("MCP_AUTH_DEV_KEY_FILE", key_file)]);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let base = format!("http://127.0.0.1:{port}");
    let get = |path: &str| {
        let mut res = agent.get(&format!("{base}{path}")).call().expect("answer");
        (
            res.status().as_u16(),
            res.body_mut().read_to_string().unwrap_or_default(),
        )
    };
    let resource = get("/.well-known/oauth-protected-resource/mcp");
    let issuer = get("/.well-known/oauth-authorization-server");
    let mut unauthenticated = agent
        .post(&format!("{base}/mcp"))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .send(r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#)
        .expect("answer");
    let status = unauthenticated.status().as_u16();
    let _ = unauthenticated.body_mut().read_to_string();
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(resource.0, 200, "{}", resource.1);
    let resource: Value = serde_json::from_str(&resource.1).expect("JSON");
    assert_eq!(resource["authorization_servers"][0], base.as_str());
    assert_eq!(issuer.0, 200, "{}", issuer.1);
    let issuer: Value = serde_json::from_str(&issuer.1).expect("JSON");
    assert_eq!(issuer["issuer"], base.as_str());
    assert_eq!(status, 401);
    assert!(
        keys.path().join("dev.key").is_file(),
        "the signing key is kept"
    );
}

/// `new --auth jwt`: refuses to serve HTTP unconfigured; configured, it needs a
/// token, and `add-tool --scope admin` hides the tool from other tokens.
fn auth_jwt(binary: &Path) {
    let unconfigured = Command::new(binary)
        .args(["--port", &free_port().to_string()])
        .env_remove("MCP_TRANSPORT")
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    let said = String::from_utf8_lossy(&unconfigured.stderr).to_string()
        + &String::from_utf8_lossy(&unconfigured.stdout);
    assert!(!unconfigured.status.success(), "{said}");
    assert!(said.contains("MCP_AUTH_ISSUER_URL"), "{said}");

    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/mcp");
    let mut server = serve_http(
        binary,
        port,
        &[
            ("MCP_AUTH_RESOURCE_URL", url.clone()),
            (
                "MCP_AUTH_DEV_TOKENS",
                "admin-token:admin;user-token:read".to_string(),
            ),
        ],
    );
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let post = |token: Option<&str>, session: Option<&str>, body: Value| {
        let mut req = agent
            .post(&url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream");
        if let Some(t) = token {
            req = req.header("authorization", &format!("Bearer {t}"));
        }
        if let Some(s) = session {
            req = req
                .header("mcp-session-id", s)
                .header("mcp-protocol-version", "2025-06-18");
        }
        let mut res = req.send(body.to_string()).expect("HTTP answer");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.body_mut().read_to_string().unwrap_or_default();
        (status, headers, text)
    };
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "e2e", "version": "0"}}});
    let (status, headers, _) = post(None, None, init.clone());
    let challenge = headers
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let (tools_of, names) = (
        |token: &str| {
            let (status, headers, _) = post(Some(token), None, init.clone());
            assert_eq!(status, 200, "{token} initializes");
            let session = headers
                .get("mcp-session-id")
                .and_then(|v| v.to_str().ok())
                .expect("a session")
                .to_string();
            post(
                Some(token),
                Some(&session),
                json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
            );
            let (_, _, text) = post(
                Some(token),
                Some(&session),
                json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
            );
            text
        },
        |text: &str| -> Vec<String> {
            let json = text
                .lines()
                .find_map(|l| l.strip_prefix("data: "))
                .unwrap_or(text);
            let v: Value = serde_json::from_str(json).expect("JSON");
            v["result"]["tools"]
                .as_array()
                .expect("tools")
                .iter()
                .filter_map(|t| t["name"].as_str().map(str::to_string))
                .collect()
        },
    );
    let admin = names(&tools_of("admin-token"));
    let user = names(&tools_of("user-token"));
    // `cargo mcp inspect --header` carries the token.
    let with_admin = inspect(&[
        &url,
        "--header",
        "Authorization: Bearer admin-token",
        "tools",
    ]);
    let with_user = inspect(&[&url, "-H", "authorization: Bearer user-token", "tools"]);
    let without = inspect(&[&url, "tools"]);
    let malformed = inspect(&[&url, "--header", "Authorization Bearer x", "tools"]);
    let _ = server.kill();
    let _ = server.wait();
    let listed = |out: &str| -> Vec<String> {
        out.lines()
            .filter_map(|l| l.split_whitespace().next().map(str::to_string))
            .collect()
    };
    assert_eq!(with_admin.0, 0, "{}", with_admin.2);
    assert_eq!(listed(&with_admin.1), ["hello", "wipe"], "{}", with_admin.1);
    assert_eq!(listed(&with_user.1), ["hello"], "{}", with_user.1);
    assert_eq!(without.0, 1, "{}", without.2);
    assert!(without.2.contains("401"), "{}", without.2);
    assert_eq!(malformed.0, 3, "{}", malformed.2);
    assert!(malformed.2.contains("NAME: VALUE"), "{}", malformed.2);
    assert_eq!(status, 401, "no token");
    assert!(challenge.contains("resource_metadata="), "{challenge}");
    assert_eq!(admin, ["hello", "wipe"]);
    assert_eq!(user, ["hello"]);
}

fn request(id: i64, method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

fn opening() -> Vec<Value> {
    vec![
        request(
            1,
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "e2e", "version": "0"}}),
        ),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        request(2, "tools/list", json!({})),
    ]
}

fn text(answer: &Value) -> String {
    answer["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn is_error(answer: &Value) -> bool {
    answer["result"]["isError"] == json!(true)
}

#[test]
fn generated_servers_answer_a_real_client() {
    if std::env::var_os("CARGO_MCP_SKIP_E2E").is_some() {
        eprintln!("skipped: CARGO_MCP_SKIP_E2E is set");
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let ws = tmp.path();
    std::fs::write(
        ws.join("Cargo.toml"),
        "[workspace]\nresolver = \"2\"\nmembers = []\n",
    )
    .expect("workspace");
    for fixture in common::FIXTURES {
        common::build_fixture(fixture, &ws.join(fixture));
    }
    let manifest = std::fs::read_to_string(ws.join("Cargo.toml")).expect("workspace manifest");
    for fixture in common::FIXTURES {
        assert!(
            manifest.contains(&format!("\"{fixture}\"")),
            "new joins the workspace: {manifest}"
        );
    }
    let target: PathBuf = std::env::var_os("CARGO_MCP_E2E_TARGET")
        .map(PathBuf::from)
        .unwrap_or_else(|| common::repo().join("target/cargo-mcp-e2e"));
    cargo(ws, &target, &["test", "--workspace", "--quiet"]);
    let bin = |fixture: &str| {
        target
            .join("debug")
            .join(format!("fixture-{fixture}{}", std::env::consts::EXE_SUFFIX))
    };

    inspect_fixtures(&bin);

    // hello
    let mut m = opening();
    m.push(request(
        3,
        "tools/call",
        json!({"name": "hello", "arguments": {"name": "Ada"}}),
    ));
    let a = talk(&bin("hello"), &m);
    assert_eq!(a[&1]["result"]["serverInfo"]["name"], "fixture-hello");
    assert_eq!(text(&a[&3]), "Hello, Ada!");

    // --arg tool
    let mut m = opening();
    m.push(request(
        3,
        "tools/call",
        json!({"name": "add", "arguments": {"a": 2, "b": 3}}),
    ));
    m.push(request(
        4,
        "tools/call",
        json!({"name": "add", "arguments": {"a": "two"}}),
    ));
    let a = talk(&bin("arg-tool"), &m);
    let listed: Vec<&str> = a[&2]["result"]["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(listed, ["hello", "add"]);
    assert_eq!(text(&a[&3]), r#"add received {"a":2,"b":3}"#);
    assert!(is_error(&a[&4]), "{}", a[&4]);

    // resource template and static resource
    let m = vec![
        opening()[0].clone(),
        opening()[1].clone(),
        request(3, "resources/read", json!({"uri": "users://42/profile"})),
        request(4, "resources/read", json!({"uri": "config://app"})),
        request(5, "resources/templates/list", json!({})),
    ];
    let a = talk(&bin("resource-template"), &m);
    assert_eq!(
        a[&3]["result"]["contents"][0]["text"],
        r#"users_user_id_profile for {"user_id":"42"}"#
    );
    assert_eq!(
        a[&3]["result"]["contents"][0]["mimeType"],
        "application/json"
    );
    assert_eq!(
        a[&4]["result"]["contents"][0]["text"],
        "contents of config://app"
    );
    assert_eq!(
        a[&5]["result"]["resourceTemplates"][0]["uriTemplate"],
        "users://{user_id}/profile"
    );

    // prompt
    let m = vec![
        opening()[0].clone(),
        opening()[1].clone(),
        request(3, "prompts/list", json!({})),
        request(
            4,
            "prompts/get",
            json!({"name": "summarize", "arguments": {"topic": "tides", "words": "50"}}),
        ),
    ];
    let a = talk(&bin("prompt"), &m);
    let args = &a[&3]["result"]["prompts"][0]["arguments"];
    assert_eq!(args[0]["name"], "topic");
    assert_eq!(args[0]["required"], true);
    assert_eq!(
        a[&4]["result"]["messages"][0]["content"]["text"],
        r#"summarize with {"topic":"tides","words":50}"#
    );

    // schema tools: every tool is called; what it answers follows from its schemas
    for fixture in ["real-world", "mcp-tools"] {
        let first = talk(&bin(fixture), &opening());
        let tools = first[&2]["result"]["tools"]
            .as_array()
            .expect("tools")
            .clone();
        let mut m = opening();
        for (i, tool) in tools.iter().enumerate() {
            m.push(request(
                100 + i as i64,
                "tools/call",
                json!({"name": tool["name"], "arguments": {}}),
            ));
        }
        let a = talk(&bin(fixture), &m);
        for (i, tool) in tools.iter().enumerate() {
            let name = tool["name"].as_str().expect("name");
            let answer = &a[&(100 + i as i64)];
            let schema = &tool["inputSchema"];
            let required = schema["required"].as_array().is_some_and(|r| !r.is_empty())
                || schema.get("oneOf").is_some()
                || schema.get("anyOf").is_some();
            if name == "hello" {
                assert!(is_error(answer), "{answer}");
            } else if required {
                assert!(
                    is_error(answer) && text(answer).contains("Invalid arguments"),
                    "{name}: {answer}"
                );
            } else if tool.get("outputSchema").is_some() {
                assert!(
                    is_error(answer) && text(answer).contains("not implemented yet"),
                    "{name}: {answer}"
                );
            } else {
                assert!(
                    !is_error(answer) && text(answer).starts_with(&format!("{name} received")),
                    "{name}: {answer}"
                );
            }
        }
        if fixture == "mcp-tools" {
            let input = std::fs::read_to_string(common::repo().join(
                "fixtures/jsonschema/mcp-tools/with-default-2020-12-input-schema.input.json",
            ))
            .expect("schema");
            let served = tools
                .iter()
                .find(|t| t["name"] == "calculate_sum")
                .expect("calculate_sum");
            assert_eq!(
                served["inputSchema"],
                serde_json::from_str::<Value>(&input).expect("json"),
                "served verbatim"
            );
            let mut m = opening();
            m.push(request(
                3,
                "tools/call",
                json!({"name": "calculate_sum", "arguments": {"a": 1, "b": 2}}),
            ));
            m.push(request(
                4,
                "tools/call",
                json!({"name": "get_weather_data", "arguments": {"location": "Paris"}}),
            ));
            let a = talk(&bin(fixture), &m);
            assert!(
                !is_error(&a[&3]) && text(&a[&3]).contains(r#""a":1"#),
                "{}",
                a[&3]
            );
            assert!(text(&a[&4]).contains("not implemented yet"), "{}", a[&4]);
        }
    }
}

/// A free port on 127.0.0.1.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Starts `binary` serving HTTP on `port` with `env` set, and waits until it listens.
fn serve_http(binary: &Path, port: u16, env: &[(&str, String)]) -> std::process::Child {
    let server = Command::new(binary)
        .args(["--transport", "http", "--port", &port.to_string()])
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("HTTP server starts");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "HTTP server listens");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    server
}
