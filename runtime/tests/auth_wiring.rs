//! Auth through the real MCP transport: tokens reach `Context`, lists are
//! filtered by scope, and scoped tools are refused without their scopes.
#![cfg(feature = "auth")]

use mcp_runtime::auth::{protect, Auth, AuthConfig, INSUFFICIENT_SCOPE_CODE};
use mcp_runtime::prelude::*;
use reqwest::Client;
use std::sync::Arc;

mod auth_support;
use auth_support::whoami;

async fn start() -> String {
    let service = Server::new("t")
        .tool("whoami", whoami)
        .tool("wipe", || async { "wiped" })
        .scopes(["admin"])
        .build()
        .expect("server");
    let config = AuthConfig {
        dev_tokens: vec![
            ("admin-token".into(), vec!["mcp".into(), "admin".into()]),
            ("user-token".into(), vec!["mcp".into()]),
        ],
        required_scopes: vec!["mcp".into()],
        ..AuthConfig::default()
    };
    let auth = Arc::new(Auth::from_config(config).expect("auth"));
    let app = protect(mcp_runtime::transport::http::router(service), auth, "/mcp");
    format!("{}/mcp", auth_support::serve(app).await)
}

async fn modern(url: &str, token: &str, method: &str, params: Value) -> (u16, Value) {
    let (status, _, body) = modern_full(url, token, method, params).await;
    (status, body)
}

async fn modern_full(
    url: &str,
    token: &str,
    method: &str,
    mut params: Value,
) -> (u16, String, Value) {
    params["_meta"] = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    });
    let mut req = Client::new()
        .post(url)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", method);
    if let Some(name) = params.get("name").and_then(Value::as_str) {
        req = req.header("mcp-name", name);
    }
    let r = req
        .body(json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string())
        .send()
        .await
        .expect("POST");
    let (status, challenge, text) = auth_support::read(r).await;
    (
        status,
        challenge,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn names(list: &Value) -> Vec<String> {
    list["result"]["tools"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|t| t["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn tokens_reach_handlers_and_scopes_filter_tools() {
    let url = start().await;
    let (status, v) = modern(&url, "user-token", "tools/list", json!({})).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(names(&v), vec!["whoami"]);
    assert_eq!(v["result"]["cacheScope"], "private");
    let (_, v) = modern(&url, "admin-token", "tools/list", json!({})).await;
    assert_eq!(names(&v), vec!["whoami", "wipe"]);

    let (_, v) = modern(
        &url,
        "user-token",
        "tools/call",
        json!({"name": "whoami", "arguments": {}}),
    )
    .await;
    assert_eq!(v["result"]["content"][0]["text"], "dev-user-2 mcp", "{v}");

    let (status, challenge, v) = modern_full(
        &url,
        "user-token",
        "tools/call",
        json!({"name": "wipe", "arguments": {}}),
    )
    .await;
    assert_eq!(status, 403, "{v}");
    assert!(
        challenge.starts_with("Bearer error=\"insufficient_scope\", scope=\"mcp admin\""),
        "{challenge}"
    );
    assert_eq!(v["error"]["code"], INSUFFICIENT_SCOPE_CODE, "{v}");
    assert_eq!(v["error"]["data"]["scope"], "admin");
    let (_, v) = modern(
        &url,
        "admin-token",
        "tools/call",
        json!({"name": "wipe", "arguments": {}}),
    )
    .await;
    assert_eq!(v["result"]["content"][0]["text"], "wiped", "{v}");

    let (status, _) = modern(&url, "bad-token", "tools/list", json!({})).await;
    assert_eq!(status, 401);
}

/// The JSON of a reply sent as JSON or as one SSE `data:` line.
fn reply_json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| {
        text.lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .filter_map(|d| serde_json::from_str::<Value>(d.trim()).ok())
            .find(|v| v.get("id").is_some())
            .unwrap_or(Value::Null)
    })
}

async fn legacy(
    url: &str,
    token: &str,
    session: Option<&str>,
    id: i64,
    method: &str,
    params: Value,
) -> (u16, Option<String>, Value) {
    let mut req = Client::new()
        .post(url)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-11-25");
    if let Some(s) = session {
        req = req.header("mcp-session-id", s);
    }
    let r = req
        .body(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string())
        .send()
        .await
        .expect("POST");
    let status = r.status().as_u16();
    let sid = r
        .headers()
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (status, sid, reply_json(&r.text().await.expect("body")))
}

#[tokio::test]
async fn legacy_sessions_see_each_requests_token() {
    let url = start().await;
    let (status, sid, v) = legacy(
        &url,
        "user-token",
        None,
        1,
        "initialize",
        json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let sid = sid.expect("session id");
    let (_, _, v) = legacy(&url, "user-token", Some(&sid), 2, "tools/list", json!({})).await;
    assert_eq!(names(&v), vec!["whoami"], "{v}");
    let (_, _, v) = legacy(
        &url,
        "user-token",
        Some(&sid),
        3,
        "tools/call",
        json!({"name": "whoami", "arguments": {}}),
    )
    .await;
    assert_eq!(v["result"]["content"][0]["text"], "dev-user-2 mcp", "{v}");
    let (status, _, v) = legacy(
        &url,
        "user-token",
        Some(&sid),
        4,
        "tools/call",
        json!({"name": "wipe", "arguments": {}}),
    )
    .await;
    assert_eq!(v["error"]["code"], INSUFFICIENT_SCOPE_CODE, "{v}");
    // Sent as SSE the status is already 200; as JSON it is 403.
    assert!(status == 403 || status == 200, "{status}");
}

#[test]
fn require_auth_refuses_http_without_token_checks_and_names_the_variables() {
    let open = Server::new("t")
        .tool("wipe", || async { "wiped" })
        .require_auth()
        .transport(Transport::Http)
        .build();
    let message = open.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        message.contains("MCP_AUTH_ISSUER_URL") && message.contains("MCP_AUTH_RESOURCE_URL"),
        "{message}"
    );
    // Stdio has no tokens: nothing to require.
    assert!(Server::new("t")
        .tool("wipe", || async { "wiped" })
        .require_auth()
        .transport(Transport::Stdio)
        .build()
        .is_ok());
    // Configured by MCP_AUTH_* (here through the builder): it serves.
    assert!(Server::new("t")
        .tool("wipe", || async { "wiped" })
        .require_auth()
        .transport(Transport::Http)
        .setting("MCP_AUTH_DEV_TOKENS", "t1:read")
        .build()
        .is_ok());
}

#[tokio::test]
async fn a_legacy_session_answers_only_the_principal_that_opened_it() {
    let url = start().await;
    let (status, id, v) = legacy(
        &url,
        "admin-token",
        None,
        1,
        "initialize",
        json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let id = id.expect("a session id");
    // Another principal holding the id: as if the session did not exist.
    let (status, _, v) = legacy(&url, "user-token", Some(&id), 2, "tools/list", json!({})).await;
    assert_eq!(status, 404, "{v}");
    let stream = Client::new()
        .get(&url)
        .header("authorization", "Bearer user-token")
        .header("accept", "text/event-stream")
        .header("mcp-session-id", &id)
        .send()
        .await
        .expect("GET");
    assert_eq!(stream.status().as_u16(), 404);
    let delete = Client::new()
        .delete(&url)
        .header("authorization", "Bearer user-token")
        .header("mcp-session-id", &id)
        .send()
        .await
        .expect("DELETE");
    assert_eq!(delete.status().as_u16(), 404, "nobody else can end it");
    // Its owner still can use it.
    let (status, _, v) = legacy(&url, "admin-token", Some(&id), 3, "tools/list", json!({})).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(names(&v), vec!["whoami", "wipe"], "{v}");
}

#[cfg(feature = "sse")]
#[tokio::test]
async fn a_legacy_sse_session_answers_only_the_principal_that_opened_it() {
    let config = AuthConfig {
        dev_tokens: vec![
            ("admin-token".into(), vec!["mcp".into(), "admin".into()]),
            ("user-token".into(), vec!["mcp".into()]),
        ],
        ..AuthConfig::default()
    };
    let service = Server::new("t")
        .tool("whoami", whoami)
        .auth(Arc::new(Auth::from_config(config).expect("auth")))
        .build()
        .expect("server");
    let base = auth_support::serve(mcp_runtime::transport::http::router(service)).await;
    let client = Client::new();
    let mut stream = client
        .get(format!("{base}/sse"))
        .header("authorization", "Bearer admin-token")
        .header("accept", "text/event-stream")
        .send()
        .await
        .expect("GET /sse");
    assert_eq!(stream.status().as_u16(), 200);
    // The first event names the message endpoint with the session id.
    let mut seen = String::new();
    let endpoint = loop {
        let chunk = stream.chunk().await.expect("read").expect("an event");
        seen.push_str(&String::from_utf8_lossy(&chunk));
        if let Some(line) = seen
            .lines()
            .skip_while(|l| *l != "event: endpoint")
            .find_map(|l| l.strip_prefix("data: "))
        {
            break line.trim().to_string();
        }
    };
    let post = |token: &'static str| {
        client
            .post(format!("{base}{endpoint}"))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)
            .send()
    };
    let other = post("user-token").await.expect("POST");
    assert_eq!(other.status().as_u16(), 404, "another principal's token");
    let owner = post("admin-token").await.expect("POST");
    assert_eq!(owner.status().as_u16(), 202, "the owner's token");
}
