//! Issue 12 (hardening), the auth defects, through the real HTTP transport:
//! session ownership compares whole principals (defect 11), and the
//! development authorization server keeps to its rules (defect 12).
#![cfg(feature = "auth")]

use futures::future::BoxFuture;
use mcp_runtime::auth::{AccessToken, Auth, AuthConfig, AuthError, TokenVerifier};
use mcp_runtime::prelude::*;
use reqwest::Client;
use std::sync::Arc;

mod auth_support;
use auth_support::whoami;

/// Tokens whose claims the test chooses: the token text names them.
struct ClaimsVerifier;

impl TokenVerifier for ClaimsVerifier {
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<AccessToken, AuthError>> {
        let claims = match token {
            "sub-alice" => json!({"sub": "alice", "iss": "https://as.example"}),
            "client-alice" => json!({"client_id": "alice", "iss": "https://as.example"}),
            "sub-alice-elsewhere" => json!({"sub": "alice", "iss": "https://other.example"}),
            t if t.starts_with("anonymous-") => json!({"scope": "mcp"}),
            _ => return Box::pin(async { Err(AuthError::Invalid("unknown".into())) }),
        };
        Box::pin(async move { Ok(AccessToken::from_claims(claims)) })
    }
}

/// A server whose tokens come from [`ClaimsVerifier`]; its `/mcp` URL.
async fn claims_server() -> String {
    let service = Server::new("t")
        .tool("whoami", whoami)
        .auth(Arc::new(Auth::new(
            AuthConfig::default(),
            Arc::new(ClaimsVerifier),
        )))
        .build()
        .expect("server");
    let base = auth_support::serve(mcp_runtime::transport::http::router(service)).await;
    format!("{base}/mcp")
}

/// A 2025-11-25 request with `token` on `session` (if any): status and the
/// session id the answer names.
async fn legacy(
    url: &str,
    token: &str,
    session: Option<&str>,
    method: &str,
) -> (u16, Option<String>) {
    let params = if method == "initialize" {
        json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}})
    } else {
        json!({})
    };
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
        .body(json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string())
        .send()
        .await
        .expect("POST");
    let sid = r
        .headers()
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (r.status().as_u16(), sid)
}

async fn open_session(url: &str, token: &str) -> String {
    let (status, sid) = legacy(url, token, None, "initialize").await;
    assert_eq!(status, 200, "initialize with {token}");
    sid.expect("a session id")
}

#[tokio::test]
async fn session_owner_client_id_is_not_confused_with_a_subject() {
    let url = claims_server().await;
    let id = open_session(&url, "sub-alice").await;
    // `client_id=alice` without `sub` is another principal than `sub=alice`.
    assert_eq!(legacy(&url, "client-alice", Some(&id), "ping").await.0, 404);
    // So is the same subject from another issuer.
    assert_eq!(
        legacy(&url, "sub-alice-elsewhere", Some(&id), "ping")
            .await
            .0,
        404
    );
    assert_eq!(legacy(&url, "sub-alice", Some(&id), "ping").await.0, 200);
    // And the other way round.
    let id = open_session(&url, "client-alice").await;
    assert_eq!(legacy(&url, "sub-alice", Some(&id), "ping").await.0, 404);
    assert_eq!(legacy(&url, "client-alice", Some(&id), "ping").await.0, 200);
}

#[tokio::test]
async fn session_opened_by_a_claimless_token_is_not_usable_by_another() {
    let url = claims_server().await;
    let id = open_session(&url, "anonymous-1").await;
    // Another token naming no one either: not the same principal.
    assert_eq!(legacy(&url, "anonymous-2", Some(&id), "ping").await.0, 404);
    assert_eq!(legacy(&url, "sub-alice", Some(&id), "ping").await.0, 404);
    // The very token that opened it still can.
    assert_eq!(legacy(&url, "anonymous-1", Some(&id), "ping").await.0, 200);
}

// ---- defect 12: the development authorization server ----

/// A `dev_auth` server with a tool needing `admin`, and `settings`; its base URL.
async fn dev_server(settings: &[(&'static str, &str)]) -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Server::new("t")
        .tool("whoami", whoami)
        .tool("admin_only", || async { "hello admin" })
        .scopes(["admin"])
        .setting(
            "MCP_AUTH_DEV_KEY_FILE",
            dir.path().join("dev.key").display().to_string(),
        )
        .dev_auth();
    for (k, v) in settings {
        server = server.setting(k, v.to_string());
    }
    let service = server.build().expect("server");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { service.serve_http_on(listener).await });
    (base, dir)
}

fn no_redirects() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// `POST /register` with `redirect_uris`: status and body.
async fn register(base: &str, redirect_uris: Value) -> (u16, Value) {
    let r = Client::new()
        .post(format!("{base}/register"))
        .header("content-type", "application/json")
        .body(json!({"redirect_uris": redirect_uris, "client_name": "t"}).to_string())
        .send()
        .await
        .expect("register");
    auth_support::status_and_json(r).await
}

const REDIRECT: &str = "http://127.0.0.1:9/callback";
const VERIFIER: &str = "a-long-enough-code-verifier-for-pkce-0123456789-abcdefghijklmnop";

/// `GET /authorize` for `client_id` with `redirect_uri` and `scope`.
async fn authorize(
    base: &str,
    client_id: &str,
    redirect_uri: &str,
    scope: &str,
) -> reqwest::Response {
    use base64::Engine as _;
    use sha2::Digest as _;
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(VERIFIER.as_bytes()));
    let query = serde_urlencoded::to_string([
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
        ("scope", scope),
    ])
    .expect("query");
    no_redirects()
        .get(format!("{base}/authorize?{query}"))
        .send()
        .await
        .expect("authorize")
}

/// The whole flow asking for `scope`: the token response.
async fn token_for(base: &str, scope: &str) -> Value {
    let (status, reg) = register(base, json!([REDIRECT])).await;
    assert_eq!(status, 201, "{reg}");
    let client_id = reg["client_id"].as_str().expect("client_id");
    let r = authorize(base, client_id, REDIRECT, scope).await;
    assert_eq!(r.status().as_u16(), 302);
    let location = r.headers()["location"].to_str().expect("ascii").to_string();
    let back: std::collections::HashMap<String, String> =
        serde_urlencoded::from_str(location.split_once('?').map(|(_, q)| q).unwrap_or_default())
            .expect("redirect query");
    let code = back.get("code").expect("a code");
    let r = Client::new()
        .post(format!("{base}/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            serde_urlencoded::to_string([
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", REDIRECT),
                ("client_id", client_id),
                ("code_verifier", VERIFIER),
            ])
            .expect("form"),
        )
        .send()
        .await
        .expect("token");
    assert_eq!(r.status().as_u16(), 200);
    serde_json::from_str(&r.text().await.expect("body")).expect("token json")
}

/// A stateless 2026-07-28 `tools/call` of `name` with `token`: status, body.
async fn call_tool(base: &str, token: &str, name: &str) -> (u16, Value) {
    let r = Client::new()
        .post(format!("{base}/mcp"))
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", "tools/call")
        .header("mcp-name", name)
        .body(
            json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
            "name": name, "arguments": {},
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities": {},
            }}})
            .to_string(),
        )
        .send()
        .await
        .expect("POST");
    auth_support::status_and_json(r).await
}

#[tokio::test]
async fn dev_server_routes_refuse_a_foreign_host_or_origin() {
    let (base, _dir) = dev_server(&[]).await;
    let client = Client::new();
    let metadata = format!("{base}/.well-known/oauth-authorization-server");
    let r = client.get(&metadata).send().await.expect("GET");
    assert_eq!(r.status().as_u16(), 200);
    let r = client
        .get(&metadata)
        .header("host", "evil.example")
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status().as_u16(), 421, "a foreign Host");
    let r = client
        .post(format!("{base}/register"))
        .header("origin", "https://evil.example")
        .header("content-type", "application/json")
        .body(json!({"redirect_uris": [REDIRECT]}).to_string())
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 403, "a foreign Origin");
    for path in ["/authorize", "/token", "/jwks"] {
        let r = client
            .get(format!("{base}{path}"))
            .header("host", "evil.example:80")
            .send()
            .await
            .expect("GET");
        assert_eq!(r.status().as_u16(), 421, "{path}");
    }
    // A local page (the inspector, say) is still welcome.
    let r = client
        .post(format!("{base}/register"))
        .header("origin", "http://localhost:6274")
        .header("content-type", "application/json")
        .body(json!({"redirect_uris": [REDIRECT]}).to_string())
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 201);
}

#[tokio::test]
async fn dev_server_refuses_bad_redirect_uris() {
    let (base, _dir) = dev_server(&[]).await;
    for bad in [
        "HTTP://evil.example/cb",
        " http://127.0.0.1:9/callback",
        "http://127.0.0.1:9/callback ",
        "javascript://alert(1)",
        "javascript:alert(1)",
        "data:text/html,hi",
        "file:///etc/passwd",
        "http://evil.example/cb",
        "http://127.0.0.1.evil.example/cb",
        "https://app.example/cb#fragment",
        "https://user:pw@app.example/cb",
        "/relative/cb",
        "",
    ] {
        let (status, v) = register(&base, json!([bad])).await;
        assert_eq!(status, 400, "{bad:?}: {v}");
        assert_eq!(v["error"], "invalid_redirect_uri", "{bad:?}: {v}");
    }
    // One bad URI among good ones refuses the registration.
    let (status, _) = register(&base, json!([REDIRECT, "HTTP://evil.example/cb"])).await;
    assert_eq!(status, 400);
    for good in [
        REDIRECT,
        "http://localhost:3000/cb",
        "http://[::1]:3000/cb",
        "https://app.example/oauth/callback",
        "com.example.app:/oauth2redirect",
    ] {
        let (status, v) = register(&base, json!([good])).await;
        assert_eq!(status, 201, "{good:?}: {v}");
    }
    // `/authorize` needs the very URI registered: no case or space games.
    let (_, reg) = register(&base, json!([REDIRECT])).await;
    let client_id = reg["client_id"].as_str().expect("client_id");
    for other in [
        "HTTP://127.0.0.1:9/callback",
        " http://127.0.0.1:9/callback",
        "http://127.0.0.1:9/callback/",
        "http://127.0.0.1:9/Callback",
    ] {
        let r = authorize(&base, client_id, other, "").await;
        assert_eq!(r.status().as_u16(), 400, "{other:?}");
        assert!(r.headers().get("location").is_none(), "{other:?}");
    }
    assert_eq!(
        authorize(&base, client_id, REDIRECT, "")
            .await
            .status()
            .as_u16(),
        302
    );
}

#[tokio::test]
async fn dev_server_grants_only_the_scopes_the_server_declares() {
    let (base, _dir) = dev_server(&[("MCP_AUTH_REQUIRED_SCOPES", "mcp")]).await;
    // Declared: `mcp` (required) and `admin` (a tool's); `root` by nobody.
    let t = token_for(&base, "mcp admin root").await;
    assert_eq!(t["scope"], "mcp admin", "{t}");
    let token = t["access_token"].as_str().expect("access_token");
    let (status, v) = call_tool(&base, token, "whoami").await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v["result"]["content"][0]["text"], "dev-user mcp,admin",
        "{v}"
    );
    // Nothing asked: the announced scopes only, not the tool's `admin`.
    let t = token_for(&base, "").await;
    assert_eq!(t["scope"], "mcp", "{t}");
}

#[tokio::test]
async fn dev_server_with_dev_scopes_never_grants_a_scope_a_tool_needs() {
    let (base, _dir) = dev_server(&[
        ("MCP_AUTH_REQUIRED_SCOPES", "mcp"),
        ("MCP_AUTH_DEV_SCOPES", "mcp"),
    ])
    .await;
    let t = token_for(&base, "mcp admin").await;
    assert_eq!(t["scope"], "mcp", "{t}");
    let token = t["access_token"].as_str().expect("access_token");
    let (status, v) = call_tool(&base, token, "admin_only").await;
    assert_eq!(status, 403, "{v}");
    assert_eq!(
        v["error"]["code"],
        mcp_runtime::auth::INSUFFICIENT_SCOPE_CODE,
        "{v}"
    );
    let (status, v) = call_tool(&base, token, "whoami").await;
    assert_eq!(status, 200, "{v}");
}

#[tokio::test]
async fn dev_server_registration_is_capped() {
    let (base, _dir) = dev_server(&[("MCP_AUTH_DEV_MAX_CLIENTS", "3")]).await;
    // Too many redirect URIs, or too large a request: refused whatever the count.
    let many: Vec<String> = (0..11)
        .map(|i| format!("http://127.0.0.1:{}/cb", 1000 + i))
        .collect();
    let (status, v) = register(&base, json!(many)).await;
    assert_eq!(status, 400, "{v}");
    let huge = Client::new()
        .post(format!("{base}/register"))
        .header("content-type", "application/json")
        .body(json!({"redirect_uris": [REDIRECT], "client_name": "x".repeat(20_000)}).to_string())
        .send()
        .await
        .expect("register");
    assert_eq!(huge.status().as_u16(), 413);
    for _ in 0..3 {
        assert_eq!(register(&base, json!([REDIRECT])).await.0, 201);
    }
    let (status, v) = register(&base, json!([REDIRECT])).await;
    assert_eq!(status, 503, "{v}");
    assert_eq!(v["error"], "temporarily_unavailable", "{v}");
    let text = v["error_description"].as_str().unwrap_or_default();
    assert!(text.contains("MCP_AUTH_DEV_MAX_CLIENTS"), "{text}");
}

#[tokio::test]
async fn dev_server_fetches_client_metadata_documents_only_from_public_https_urls() {
    use mcp_runtime::auth::dev_server::DevAuthServer;
    use std::sync::atomic::{AtomicUsize, Ordering};
    // A document server on loopback that counts the requests it gets.
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let documents = axum::Router::new().fallback(move || {
        counted.fetch_add(1, Ordering::SeqCst);
        async { "{}" }
    });
    let documents = auth_support::serve(documents).await;
    // An authorization server that is not on loopback (as if deployed):
    // its metadata documents must live on public addresses.
    let dev = Arc::new(
        DevAuthServer::new("https://auth.example", "https://auth.example/mcp").expect("dev"),
    );
    let base = auth_support::serve(dev.router()).await;
    let port = documents.rsplit(':').next().expect("port");
    for (client_id, why) in [
        (
            format!("https://127.0.0.1:{port}/client.json"),
            "loopback, private",
        ),
        (
            format!("https://localhost:{port}/client.json"),
            "loopback, private",
        ),
        (
            "https://10.1.2.3/client.json".to_string(),
            "loopback, private",
        ),
        (
            "https://169.254.169.254/latest/meta-data".to_string(),
            "loopback, private",
        ),
        ("https://[::1]/client.json".to_string(), "loopback, private"),
        (
            "https://[::ffff:127.0.0.1]/client.json".to_string(),
            "normal form",
        ),
        (
            "https://[::ffff:7f00:1]/client.json".to_string(),
            "loopback, private",
        ),
        (
            "https://user@app.example/client.json".to_string(),
            "user info",
        ),
        ("https://app.example/client.json#x".to_string(), "fragment"),
        ("https://app.example".to_string(), "normal form"),
        ("https://app.example/".to_string(), "a path"),
        (format!("{documents}/client.json"), "unknown client"),
    ] {
        let started = std::time::Instant::now();
        let r = authorize(&base, &client_id, REDIRECT, "").await;
        assert_eq!(r.status().as_u16(), 400, "{client_id} ({why})");
        let v: Value = serde_json::from_str(&r.text().await.expect("body")).expect("json");
        assert_eq!(v["error"], "invalid_client", "{client_id}: {v}");
        let text = v["error_description"].as_str().unwrap_or_default();
        assert!(text.contains(why), "{client_id}: {text}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{client_id}"
        );
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0, "no document was fetched");
}
