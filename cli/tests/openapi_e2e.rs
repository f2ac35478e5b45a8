//! End to end for OpenAPI: generate a server from petstore 3.0, build it
//! (in the target folder the other e2e test uses), start a mock upstream on
//! 127.0.0.1, point the server at it with `PETSTORE_BASE_URL`, call its tools
//! over stdio as a client would, and check what arrived upstream (method,
//! path, query, headers, body) and what came back.
//!
//! Set CARGO_MCP_SKIP_E2E=1 to skip; CARGO_MCP_E2E_TARGET chooses the target folder.

mod common;

use cargo_mcp::generate::{import_openapi, openapi, Import};

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

/// A request as the mock upstream saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn serve(stream: TcpStream, seen: Arc<Mutex<Vec<Seen>>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("").to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.trim_end().split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).expect("body");
    let request = Seen {
        method,
        target,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let (status, reply) = match (request.method.as_str(), request.target.as_str()) {
        ("GET", t) if t.starts_with("/v1/pets?") => (
            "200 OK",
            r#"[{"id":1,"name":"Rex"},{"id":2,"name":"Tom","tag":"cat"}]"#,
        ),
        ("GET", "/v1/pets/42") => ("200 OK", r#"{"id":42,"name":"Nemo","tag":"fish"}"#),
        ("POST", "/v1/pets") => ("201 Created", ""),
        ("GET", "/v2/store/inventory") => ("200 OK", r#"{"available":3,"sold":1}"#),
        ("GET", t) if t.starts_with("/v2/pet/findByStatus?") => {
            ("200 OK", r#"[{"name":"Rex","photoUrls":[]}]"#)
        }
        ("POST", "/v2/pet/5") => ("200 OK", ""),
        ("GET", "/v3/store/inventory") => ("200 OK", r#"{"available":5}"#),
        ("GET", "/v3/pet/77") => ("200 OK", r#"{"id":77,"name":"Kit"}"#),
        ("GET", _) => ("404 Not Found", r#"{"code":404,"message":"no such pet"}"#),
        _ => ("500 Internal Server Error", "unexpected"),
    };
    seen.lock().expect("lock").push(request);
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}",
        reply.len()
    );
}

fn request(id: i64, method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

fn call(id: i64, tool: &str, arguments: Value) -> Value {
    request(
        id,
        "tools/call",
        json!({"name": tool, "arguments": arguments}),
    )
}

/// Sends the messages, one at a time, and returns the answers by id.
fn talk(
    binary: &Path,
    env: &[(&str, String)],
    messages: &[Value],
) -> std::collections::HashMap<i64, Value> {
    let mut child = Command::new(binary)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("server starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut answers = std::collections::HashMap::new();
    for m in messages {
        writeln!(stdin, "{m}").expect("write");
        let Some(id) = m.get("id").and_then(Value::as_i64) else {
            continue;
        };
        // One request at a time, so the upstream sees them in order.
        for line in lines.by_ref() {
            let v: Value = serde_json::from_str(&line.expect("line")).expect("JSON line");
            if v.get("id").and_then(Value::as_i64) == Some(id) {
                answers.insert(id, v);
                break;
            }
        }
    }
    drop(stdin);
    let _ = child.kill();
    let _ = child.wait();
    answers
}

#[test]
fn generated_petstore_calls_the_upstream() {
    if std::env::var_os("CARGO_MCP_SKIP_E2E").is_some() {
        eprintln!("skipped: CARGO_MCP_SKIP_E2E is set");
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("openapi-petstore");
    let mut project = common::new_project("openapi-petstore", &root);
    let spec = common::repo().join("fixtures/openapi/oai-examples/v3.0-yaml/petstore.yaml");
    import_openapi(
        &mut project,
        &Import {
            spec,
            ..Default::default()
        },
    )
    .expect("import");
    // A second API in the same project: OpenAPI 3.1, an API key header, OAuth (a bearer token), a form body.
    let spec = common::repo().join("fixtures/openapi/readme-oas-examples/3.1/petstore.json");
    let only = ["getInventory", "findPetsByStatus", "updatePetWithForm"];
    let filters = openapi::Filters {
        operations: only.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    };
    import_openapi(
        &mut project,
        &Import {
            spec,
            name: Some("store31".into()),
            filters,
            ..Default::default()
        },
    )
    .expect("import 3.1");
    // The same document again with --resources: a parameterless GET becomes a
    // resource, a GET with one path parameter a resource template.
    let spec = common::repo().join("fixtures/openapi/readme-oas-examples/3.1/petstore.json");
    import_openapi(
        &mut project,
        &Import {
            spec,
            name: Some("shop".into()),
            filters: openapi::Filters {
                operations: vec!["getInventory".into(), "getPetById".into()],
                ..Default::default()
            },
            resources: true,
            ..Default::default()
        },
    )
    .expect("import with resources");
    // A copy of petstore 3.0 whose /pets/{petId} path item has its own relative
    // server: requests go to the API's origin plus that path.
    let text = std::fs::read_to_string(
        common::repo().join("fixtures/openapi/oai-examples/v3.0-yaml/petstore.yaml"),
    )
    .expect("petstore");
    let mut moved: Value = serde_yaml_ng::from_str(&text).expect("YAML");
    moved["paths"]["/pets/{petId}"]["servers"] = json!([{"url": "/moved"}]);
    let moved_spec = tmp.path().join("moved.json");
    std::fs::write(&moved_spec, moved.to_string()).expect("write");
    import_openapi(
        &mut project,
        &Import {
            spec: moved_spec,
            name: Some("moved".into()),
            filters: openapi::Filters {
                operations: vec!["showPetById".into()],
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .expect("import with a path-level server");

    let target: PathBuf = std::env::var_os("CARGO_MCP_E2E_TARGET")
        .map(PathBuf::from)
        .unwrap_or_else(|| common::repo().join("target/cargo-mcp-e2e"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["build", "--quiet"])
        .current_dir(&root)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "build failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let binary = target
        .join("debug")
        .join(format!("openapi-petstore{}", std::env::consts::EXE_SUFFIX));

    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let recorder = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let recorder = recorder.clone();
            std::thread::spawn(move || serve(stream, recorder));
        }
    });

    let messages = vec![
        request(
            1,
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "e2e", "version": "0"}}),
        ),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        request(2, "tools/list", json!({})),
        call(3, "listPets", json!({"limit": 2})),
        call(4, "showPetById", json!({"petId": "42"})),
        call(
            5,
            "createPets",
            json!({"id": 7, "name": "Rex", "tag": "dog"}),
        ),
        call(6, "showPetById", json!({"petId": "9 9"})),
        call(7, "listPets", json!({"limit": "many"})),
        call(8, "getInventory", json!({})),
        call(
            9,
            "findPetsByStatus",
            json!({"status": ["available", "pending"]}),
        ),
        call(
            10,
            "updatePetWithForm",
            json!({"petId": 5, "name": "Rex", "status": "sold"}),
        ),
        request(11, "resources/list", json!({})),
        request(12, "resources/templates/list", json!({})),
        request(
            13,
            "resources/read",
            json!({"uri": "shop://store/inventory"}),
        ),
        request(14, "resources/read", json!({"uri": "shop://pet/77"})),
        request(15, "resources/read", json!({"uri": "shop://pet/1"})),
        call(16, "showPetById_2", json!({"petId": "8"})),
    ];
    let env = [
        ("PETSTORE_BASE_URL", format!("http://127.0.0.1:{port}/v1")),
        ("PETSTORE_TIMEOUT_SECS", "10".to_string()),
        ("STORE31_BASE_URL", format!("http://127.0.0.1:{port}/v2")),
        ("STORE31_API_KEY", "secret-key".to_string()),
        ("STORE31_PETSTORE_AUTH_TOKEN", "oauth-token".to_string()),
        ("SHOP_BASE_URL", format!("http://127.0.0.1:{port}/v3")),
        ("SHOP_API_KEY", "shop-key".to_string()),
        ("MOVED_BASE_URL", format!("http://127.0.0.1:{port}/v1")),
    ];
    let a = talk(&binary, &env, &messages);

    let tools = a[&2]["result"]["tools"].as_array().expect("tools");
    let names: Vec<&str> = tools.iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(
        names,
        [
            "hello",
            "listPets",
            "createPets",
            "showPetById",
            "findPetsByStatus",
            "updatePetWithForm",
            "getInventory",
            "showPetById_2"
        ]
    );
    let list = tools
        .iter()
        .find(|t| t["name"] == "listPets")
        .expect("listPets");
    assert_eq!(
        list["outputSchema"]["properties"]["result"]["type"], "array",
        "{list}"
    );

    // listPets: query parameter, array answer wrapped under `result`.
    assert_ne!(a[&3]["result"]["isError"], json!(true), "{}", a[&3]);
    assert_eq!(
        a[&3]["result"]["structuredContent"]["result"][1]["name"], "Tom",
        "{}",
        a[&3]
    );
    // showPetById: path parameter, object answer as structured content.
    assert_eq!(
        a[&4]["result"]["structuredContent"],
        json!({"id": 42, "name": "Nemo", "tag": "fish"}),
        "{}",
        a[&4]
    );
    // createPets: JSON body from the flattened arguments, empty 201 answer.
    assert_ne!(a[&5]["result"]["isError"], json!(true), "{}", a[&5]);
    assert!(
        a[&5]["result"]["content"][0]["text"]
            .as_str()
            .unwrap_or("")
            .contains("201"),
        "{}",
        a[&5]
    );
    // An upstream 404 is an isError result with the status and the body's start.
    let err = &a[&6]["result"];
    assert_eq!(err["isError"], json!(true), "{err}");
    let text = err["content"][0]["text"].as_str().unwrap_or("");
    assert!(
        text.contains("404") && text.contains("no such pet"),
        "{text}"
    );
    // Arguments that break the schema never reach the upstream.
    assert_eq!(a[&7]["result"]["isError"], json!(true), "{}", a[&7]);

    assert_eq!(
        a[&8]["result"]["structuredContent"],
        json!({"available": 3, "sold": 1}),
        "{}",
        a[&8]
    );
    assert_eq!(
        a[&9]["result"]["structuredContent"]["result"][0]["name"], "Rex",
        "{}",
        a[&9]
    );
    assert_ne!(a[&10]["result"]["isError"], json!(true), "{}", a[&10]);

    // --resources: listed as resources, not tools, and read through the upstream.
    // `getInventory` is a tool of store31 already: names stay unique project-wide.
    assert_eq!(
        a[&11]["result"]["resources"],
        json!([{"uri": "shop://store/inventory", "name": "getInventory_2",
                "description": "Returns pet inventories by status\n\nReturns a map of status codes to quantities",
                "mimeType": "application/json"}]),
        "{}",
        a[&11]
    );
    assert_eq!(
        a[&12]["result"]["resourceTemplates"][0]["uriTemplate"], "shop://pet/{petId}",
        "{}",
        a[&12]
    );
    assert_eq!(
        a[&13]["result"]["contents"],
        json!([{"uri": "shop://store/inventory", "mimeType": "application/json", "text": "{\"available\":5}"}]),
        "{}",
        a[&13]
    );
    assert_eq!(
        a[&14]["result"]["contents"][0]["text"], r#"{"id":77,"name":"Kit"}"#,
        "{}",
        a[&14]
    );
    assert_eq!(
        a[&15]["error"]["code"], -32002,
        "upstream 404 is not found: {}",
        a[&15]
    );

    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 11, "{seen:#?}");
    assert_eq!(
        seen[10].target, "/moved/pets/8",
        "a relative path-level server replaces the base URL's path: {seen:#?}"
    );
    assert_eq!(
        (seen[7].target.as_str(), seen[7].header("api_key")),
        ("/v3/store/inventory", Some("shop-key")),
        "{seen:#?}"
    );
    assert_eq!(seen[8].target, "/v3/pet/77");
    assert_eq!(
        (seen[0].method.as_str(), seen[0].target.as_str()),
        ("GET", "/v1/pets?limit=2")
    );
    assert_eq!(
        seen[0].header("accept"),
        Some("application/json, */*;q=0.5")
    );
    assert_eq!(seen[0].header("user-agent"), Some("openapi-petstore/0.1.0"));
    assert_eq!(
        (seen[1].method.as_str(), seen[1].target.as_str()),
        ("GET", "/v1/pets/42")
    );
    assert_eq!(
        (seen[2].method.as_str(), seen[2].target.as_str()),
        ("POST", "/v1/pets")
    );
    assert_eq!(seen[2].header("content-type"), Some("application/json"));
    assert_eq!(
        serde_json::from_str::<Value>(&seen[2].body).expect("JSON body"),
        json!({"id": 7, "name": "Rex", "tag": "dog"})
    );
    assert_eq!(
        seen[3].target, "/v1/pets/9%209",
        "path parameters are percent-encoded"
    );
}
