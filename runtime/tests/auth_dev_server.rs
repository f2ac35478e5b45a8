//! The development authorization server: registration, PKCE, tokens, and
//! the tokens accepted by a protected endpoint.
#![cfg(feature = "auth")]

use axum::routing::post;
use axum::{Extension, Router};
use base64::Engine as _;
use mcp_runtime::auth::dev_server::DevAuthServer;
use mcp_runtime::auth::{protect, AccessToken, Auth, AuthConfig};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;

async fn echo(Extension(token): Extension<Arc<AccessToken>>) -> String {
    json!({ "sub": token.subject, "client": token.client_id, "scopes": token.scopes }).to_string()
}

fn query_of(location: &str) -> HashMap<String, String> {
    let query = location.split_once('?').map(|(_, q)| q).unwrap_or_default();
    serde_urlencoded::from_str(query).unwrap_or_default()
}

#[tokio::test]
async fn the_whole_flow_ends_in_an_accepted_token() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let resource = format!("{base}/mcp");
    let dir = tempfile::tempdir().expect("tempdir");
    let key_file = dir.path().join("dev-key");
    let dev = Arc::new(
        DevAuthServer::with_key_file(&base, &resource, &key_file)
            .expect("dev server")
            .scopes(["mcp:read", "mcp:write"]),
    );
    assert!(key_file.exists());
    let config = AuthConfig {
        resource_url: Some(resource.clone()),
        authorization_servers: vec![base.clone()],
        required_scopes: vec!["mcp:read".into()],
        ..AuthConfig::default()
    };
    let auth = Arc::new(Auth::new(config, dev.verifier()));
    let app = protect(Router::new().route("/mcp", post(echo)), auth, "/mcp").merge(dev.router());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let get_json = |url: String| {
        let client = client.clone();
        async move {
            let text = client
                .get(url)
                .send()
                .await
                .expect("GET")
                .text()
                .await
                .expect("body");
            serde_json::from_str::<Value>(&text).expect("json")
        }
    };

    // Discovery: resource metadata → authorization server metadata.
    let prm = get_json(format!("{base}/.well-known/oauth-protected-resource/mcp")).await;
    assert_eq!(prm["authorization_servers"], json!([base]));
    let asm = get_json(format!("{base}/.well-known/oauth-authorization-server")).await;
    assert_eq!(asm["issuer"], base);
    assert_eq!(asm["code_challenge_methods_supported"], json!(["S256"]));

    // Dynamic registration.
    let redirect_uri = "http://127.0.0.1:9/callback";
    let reg: Value = serde_json::from_str(
        &client
            .post(format!("{base}/register"))
            .body(json!({"redirect_uris": [redirect_uri], "client_name": "t"}).to_string())
            .send()
            .await
            .expect("register")
            .text()
            .await
            .expect("body"),
    )
    .expect("json");
    let client_id = reg["client_id"].as_str().expect("client_id").to_string();

    // Authorization with PKCE.
    let verifier = "a-very-long-code-verifier-with-at-least-43-characters-0123456789";
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    let authorize = |challenge: &str| {
        format!(
            "{base}/authorize?{}",
            serde_urlencoded::to_string([
                ("response_type", "code"),
                ("client_id", client_id.as_str()),
                ("redirect_uri", redirect_uri),
                ("code_challenge", challenge),
                ("code_challenge_method", "S256"),
                ("state", "xyz"),
                ("scope", "mcp:read"),
                ("resource", resource.as_str()),
            ])
            .expect("query")
        )
    };
    let r = client
        .get(authorize(&challenge))
        .send()
        .await
        .expect("authorize");
    assert_eq!(r.status().as_u16(), 302);
    let location = r.headers()["location"].to_str().expect("ascii").to_string();
    assert!(location.starts_with(redirect_uri), "{location}");
    let q = query_of(&location);
    assert_eq!(q.get("state").map(String::as_str), Some("xyz"));
    let code = q.get("code").expect("code").clone();

    let exchange = |code: String, verifier: &'static str| {
        let client = client.clone();
        let (base, client_id, resource) = (base.clone(), client_id.clone(), resource.clone());
        async move {
            let r = client
                .post(format!("{base}/token"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(
                    serde_urlencoded::to_string([
                        ("grant_type", "authorization_code"),
                        ("code", code.as_str()),
                        ("redirect_uri", redirect_uri),
                        ("client_id", client_id.as_str()),
                        ("code_verifier", verifier),
                        ("resource", resource.as_str()),
                    ])
                    .expect("form"),
                )
                .send()
                .await
                .expect("token");
            let status = r.status().as_u16();
            let body: Value = serde_json::from_str(&r.text().await.expect("body")).expect("json");
            (status, body)
        }
    };
    // A wrong verifier burns the code.
    let (status, body) = exchange(
        code.clone(),
        "the-wrong-verifier-with-at-least-43-characters-0123456789abc",
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let r = client
        .get(authorize(&challenge))
        .send()
        .await
        .expect("authorize");
    let code = query_of(r.headers()["location"].to_str().expect("ascii"))
        .remove("code")
        .expect("code");
    let (status, body) = exchange(code.clone(), verifier).await;
    assert_eq!(status, 200, "{body}");
    let access = body["access_token"].as_str().expect("token").to_string();
    // A code is good once.
    assert_eq!(exchange(code, verifier).await.0, 400);

    // The token opens the protected endpoint.
    let r = client
        .post(&resource)
        .header("authorization", format!("Bearer {access}"))
        .send()
        .await
        .expect("call");
    assert_eq!(r.status().as_u16(), 200);
    let seen: Value = serde_json::from_str(&r.text().await.expect("body")).expect("json");
    assert_eq!(seen["sub"], "dev-user");
    assert_eq!(seen["client"], json!(client_id));
    assert_eq!(seen["scopes"], json!(["mcp:read"]));

    // The same key is read back from the file: its tokens still verify.
    let again = Arc::new(DevAuthServer::with_key_file(&base, &resource, &key_file).expect("again"));
    assert!(again.verifier().verify(&access).await.is_ok());
    // Another key does not accept them.
    let other = Arc::new(DevAuthServer::new(&base, &resource).expect("other"));
    assert!(other.verifier().verify(&access).await.is_err());
}
