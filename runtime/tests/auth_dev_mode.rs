//! `Server::dev_auth` / `MCP_AUTH_DEV`: the development authorization server
//! on the MCP server's own port, through the real HTTP transport, with the
//! whole authorization code flow run by a plain HTTP client.
#![cfg(feature = "auth")]

use base64::Engine as _;
use mcp_runtime::auth::{Auth, AuthConfig};
use mcp_runtime::prelude::*;
use mcp_runtime::settings::{Overrides, Settings};
use mcp_runtime::Service;
use reqwest::Client;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

mod auth_support;
use auth_support::whoami;

fn server(key_file: &Path) -> Server {
    Server::new("t")
        .tool("whoami", whoami)
        .tool("wipe", || async { "wiped" })
        .scopes(["admin"])
        .setting("MCP_AUTH_DEV_KEY_FILE", key_file.display().to_string())
}

/// Serves `service` on 127.0.0.1:0; its base URL.
async fn serve(service: Service) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { service.serve_http_on(listener).await });
    base
}

fn no_redirects() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

async fn get_json(url: &str) -> (u16, Value) {
    let r = Client::new().get(url).send().await.expect("GET");
    let status = r.status().as_u16();
    let text = r.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A 2025-11-25 `initialize` with `token` (if any): status, challenge, body.
async fn initialize(url: &str, token: Option<&str>) -> (u16, String, String) {
    let mut req = Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let r = req
        .body(
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25", "capabilities": {},
                "clientInfo": {"name": "t", "version": "1"}}})
            .to_string(),
        )
        .send()
        .await
        .expect("POST");
    auth_support::read(r).await
}

/// A stateless 2026-07-28 request with `token`.
async fn modern(url: &str, token: &str, method: &str, mut params: Value) -> (u16, Value) {
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
    auth_support::status_and_json(r).await
}

/// Registration, authorization with PKCE and the code exchange, as an
/// OAuth client does after reading the metadata: the access token.
async fn oauth_flow(asm: &Value, resource: &str) -> String {
    let client = no_redirects();
    let redirect_uri = "http://127.0.0.1:9/callback";
    let endpoint = |name: &str| asm[name].as_str().expect(name).to_string();
    let reg: Value = client
        .post(endpoint("registration_endpoint"))
        .header("content-type", "application/json")
        .body(json!({"redirect_uris": [redirect_uri], "client_name": "t"}).to_string())
        .send()
        .await
        .expect("register")
        .text()
        .await
        .map(|t| serde_json::from_str(&t).expect("registration json"))
        .expect("registration body");
    let client_id = reg["client_id"].as_str().expect("client_id").to_string();

    let verifier = "a-long-enough-code-verifier-for-pkce-0123456789-abcdefghijklmnop";
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    let query = serde_urlencoded::to_string([
        ("response_type", "code"),
        ("client_id", client_id.as_str()),
        ("redirect_uri", redirect_uri),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
        ("state", "s1"),
        ("resource", resource),
    ])
    .expect("query");
    let r = client
        .get(format!("{}?{query}", endpoint("authorization_endpoint")))
        .send()
        .await
        .expect("authorize");
    assert_eq!(r.status().as_u16(), 302);
    let location = r.headers()["location"].to_str().expect("ascii").to_string();
    let back: HashMap<String, String> =
        serde_urlencoded::from_str(location.split_once('?').map(|(_, q)| q).unwrap_or_default())
            .expect("redirect query");
    assert_eq!(back.get("state").map(String::as_str), Some("s1"));
    assert_eq!(
        back.get("iss"),
        asm["issuer"].as_str().map(str::to_string).as_ref()
    );

    let r = client
        .post(endpoint("token_endpoint"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            serde_urlencoded::to_string([
                ("grant_type", "authorization_code"),
                ("code", back["code"].as_str()),
                ("redirect_uri", redirect_uri),
                ("client_id", client_id.as_str()),
                ("code_verifier", verifier),
                ("resource", resource),
            ])
            .expect("form"),
        )
        .send()
        .await
        .expect("token");
    assert_eq!(r.status().as_u16(), 200);
    let body: Value = serde_json::from_str(&r.text().await.expect("body")).expect("token json");
    body["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

#[tokio::test]
async fn dev_auth_runs_the_whole_flow_on_the_server_port() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key_file = dir.path().join("dev.key");
    let service = server(&key_file)
        .dev_auth()
        .setting("MCP_AUTH_REQUIRED_SCOPES", "mcp")
        .build()
        .expect("server");
    let base = serve(service).await;
    let resource = format!("{base}/mcp");

    // Resource metadata names the server itself as the authorization server.
    let (status, prm) = get_json(&format!("{base}/.well-known/oauth-protected-resource/mcp")).await;
    assert_eq!(status, 200);
    assert_eq!(prm["resource"], json!(resource));
    assert_eq!(prm["authorization_servers"], json!([base]));
    assert_eq!(prm["scopes_supported"], json!(["mcp"]));
    let (status, asm) = get_json(&format!("{base}/.well-known/oauth-authorization-server")).await;
    assert_eq!(status, 200);
    assert_eq!(asm["issuer"], json!(base));
    assert_eq!(asm["token_endpoint"], json!(format!("{base}/token")));
    assert_eq!(asm["scopes_supported"], json!(["mcp"]));
    assert_eq!(asm["authorization_response_iss_parameter_supported"], true);

    // The key is kept in the file, readable by its owner only.
    let mode = std::fs::metadata(&key_file)
        .expect("key file")
        .permissions();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(mode.mode() & 0o777, 0o600);
    }
    let _ = mode;

    // Without a token: 401 naming the metadata and the required scope.
    let (status, challenge, _) = initialize(&resource, None).await;
    assert_eq!(status, 401);
    assert!(
        challenge.contains(&format!(
            "resource_metadata=\"{base}/.well-known/oauth-protected-resource/mcp\""
        )) && challenge.contains("scope=\"mcp\""),
        "{challenge}"
    );
    let (status, _, _) = initialize(&resource, Some("not-a-token")).await;
    assert_eq!(status, 401);

    // The whole flow gives a token the MCP endpoint accepts.
    let token = oauth_flow(&asm, &resource).await;
    let (status, _, body) = initialize(&resource, Some(&token)).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"serverInfo\""), "{body}");
    let (_, v) = modern(&resource, &token, "tools/list", json!({})).await;
    let names: Vec<&str> = v["result"]["tools"]
        .as_array()
        .map(|a| a.iter().filter_map(|t| t["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, vec!["whoami"], "{v}");
    let (_, v) = modern(
        &resource,
        &token,
        "tools/call",
        json!({"name": "whoami", "arguments": {}}),
    )
    .await;
    assert_eq!(v["result"]["content"][0]["text"], "dev-user mcp", "{v}");

    // A restart keeps the key: the second server publishes the same one.
    let (_, jwks) = get_json(&format!("{base}/jwks")).await;
    let again = serve(server(&key_file).dev_auth().build().expect("again")).await;
    let (_, jwks_again) = get_json(&format!("{again}/jwks")).await;
    assert_eq!(jwks["keys"][0]["x"], jwks_again["keys"][0]["x"]);
}

#[tokio::test]
async fn mcp_auth_dev_in_the_environment_turns_it_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key_file = dir.path().join("dev.key");
    let key = key_file.display().to_string();
    let env = |var: &str| match var {
        "MCP_AUTH_DEV" => Some("true".to_string()),
        "MCP_AUTH_DEV_KEY_FILE" => Some(key.clone()),
        _ => None,
    };
    let settings = Settings::resolve(&Overrides::default(), &[], env).expect("settings");
    let service = Server::new("t")
        .tool("whoami", whoami)
        .build_with(settings)
        .expect("server");
    let base = serve(service).await;
    let (status, asm) = get_json(&format!("{base}/.well-known/oauth-authorization-server")).await;
    assert_eq!((status, asm["issuer"].clone()), (200, json!(base)));
    assert_eq!(initialize(&format!("{base}/mcp"), None).await.0, 401);

    // A bad value stops the build, naming the variable.
    let e = Server::new("t")
        .setting("MCP_AUTH_DEV", "maybe")
        .build()
        .err()
        .expect("refused")
        .to_string();
    assert!(e.contains("MCP_AUTH_DEV") && e.contains("maybe"), "{e}");
}

#[tokio::test]
async fn explicit_auth_wins_over_dev_auth() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key_file = dir.path().join("dev.key");
    let config = AuthConfig {
        dev_tokens: vec![("fixed".into(), vec![])],
        ..AuthConfig::default()
    };
    let auth = Arc::new(Auth::from_config(config).expect("auth"));
    let service = server(&key_file)
        .dev_auth()
        .auth(auth)
        .build()
        .expect("server");
    let base = serve(service).await;
    let (status, _) = get_json(&format!("{base}/.well-known/oauth-authorization-server")).await;
    assert_eq!(status, 404);
    assert_eq!(
        initialize(&format!("{base}/mcp"), Some("fixed")).await.0,
        200
    );
    assert!(!key_file.exists());
}

#[tokio::test]
async fn dev_auth_is_ignored_on_stdio() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let dir = tempfile::tempdir().expect("tempdir");
    let key_file = dir.path().join("dev.key");
    let service = server(&key_file).dev_auth().build().expect("server");
    let (client, server_side) = tokio::io::duplex(1 << 16);
    let (read, write) = tokio::io::split(server_side);
    tokio::spawn(async move { service.serve_io(read, write).await });
    let (client_read, mut client_write) = tokio::io::split(client);
    client_write
        .write_all(
            format!(
                "{}\n",
                json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                    "protocolVersion": "2025-11-25", "capabilities": {},
                    "clientInfo": {"name": "t", "version": "1"}}})
            )
            .as_bytes(),
        )
        .await
        .expect("write");
    let mut line = String::new();
    BufReader::new(client_read)
        .read_line(&mut line)
        .await
        .expect("read");
    let answer: Value = serde_json::from_str(&line).expect("json");
    assert!(answer["result"]["serverInfo"].is_object(), "{answer}");
    assert!(!key_file.exists());
}
