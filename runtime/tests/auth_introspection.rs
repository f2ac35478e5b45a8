//! Introspection (RFC 7662) and fixed development tokens behind `protect`,
//! and the configuration read from variables.
#![cfg(feature = "auth")]

use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Extension, Router};
use mcp_runtime::auth::{protect, AccessToken, Auth, AuthConfig};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

mod auth_support;
use auth_support::serve;

const RESOURCE: &str = "https://mcp.example.com/mcp";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// How often each `counted-*` token was introspected.
static COUNTED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// An introspection endpoint that knows three tokens (and any `counted-*`
/// one, counted) and wants `rs:secret` as HTTP Basic credentials.
async fn introspect(headers: HeaderMap, body: String) -> (axum::http::StatusCode, String) {
    // "rs:secret" in base64.
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Basic cnM6c2VjcmV0") {
        return (axum::http::StatusCode::UNAUTHORIZED, "{}".into());
    }
    let form: HashMap<String, String> = serde_urlencoded::from_str(&body).unwrap_or_default();
    let answer = match form.get("token").map(String::as_str) {
        Some("good") => json!({
            "active": true, "scope": "mcp:read mcp:write", "client_id": "c1",
            "sub": "bob", "aud": RESOURCE, "exp": now() + 60,
        }),
        Some("other-audience") => json!({
            "active": true, "scope": "mcp:read", "aud": "https://elsewhere", "exp": now() + 60,
        }),
        Some("few-scopes") => json!({ "active": true, "scope": "profile", "exp": now() + 60 }),
        Some(t) if t.starts_with("counted-") => {
            COUNTED.lock().expect("lock").push(t.to_string());
            json!({ "active": true, "scope": "mcp:read", "sub": t, "exp": now() + 60 })
        }
        _ => json!({ "active": false }),
    };
    (axum::http::StatusCode::OK, answer.to_string())
}

async fn echo(Extension(token): Extension<Arc<AccessToken>>) -> String {
    json!({ "sub": token.subject, "client": token.client_id, "scopes": token.scopes }).to_string()
}

fn app() -> Router {
    Router::new()
        .route("/mcp", post(echo))
        .route("/health", get(|| async { "ok" }))
}

async fn status_and_challenge(
    client: &reqwest::Client,
    url: &str,
    token: &str,
) -> (u16, String, String) {
    let r = client
        .post(url)
        .header("authorization", format!("Bearer {token}"))
        .body("{}")
        .send()
        .await
        .expect("send");
    auth_support::read(r).await
}

fn lookup(vars: &[(&str, String)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    move |k| map.get(k).cloned()
}

#[tokio::test]
async fn introspected_tokens_are_checked() {
    let as_base = serve(Router::new().route("/introspect", post(introspect))).await;
    let config = AuthConfig::from_lookup(lookup(&[
        (
            "MCP_AUTH_INTROSPECTION_URL",
            format!("{as_base}/introspect"),
        ),
        ("MCP_AUTH_CLIENT_ID", "rs".into()),
        ("MCP_AUTH_CLIENT_SECRET", "secret".into()),
        ("MCP_AUTH_RESOURCE_URL", RESOURCE.into()),
        ("MCP_AUTH_REQUIRED_SCOPES", "mcp:read".into()),
        ("MCP_AUTH_ISSUER_URL", "https://as.example.com".into()),
    ]))
    .expect("valid")
    .expect("configured");
    let auth = Arc::new(Auth::from_config(config).expect("auth"));
    let base = serve(protect(app(), auth, "/mcp")).await;
    let client = reqwest::Client::new();
    let url = format!("{base}/mcp");

    let (status, _, body) = status_and_challenge(&client, &url, "good").await;
    assert_eq!(status, 200, "{body}");
    let body: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(body["sub"], "bob");
    assert_eq!(body["scopes"], json!(["mcp:read", "mcp:write"]));

    for token in ["revoked", "other-audience"] {
        let (status, challenge, _) = status_and_challenge(&client, &url, token).await;
        assert_eq!(status, 401, "{token}");
        assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    }
    let (status, challenge, _) = status_and_challenge(&client, &url, "few-scopes").await;
    assert_eq!(status, 403);
    assert!(
        challenge.contains("error=\"insufficient_scope\"")
            && challenge.contains("scope=\"mcp:read\""),
        "{challenge}"
    );
}

#[tokio::test]
async fn wrong_introspection_credentials_give_503() {
    let as_base = serve(Router::new().route("/introspect", post(introspect))).await;
    let config = AuthConfig {
        introspection_url: Some(format!("{as_base}/introspect")),
        client_id: Some("rs".into()),
        client_secret: Some("wrong".into()),
        ..AuthConfig::default()
    };
    let auth = Arc::new(Auth::from_config(config).expect("auth"));
    let base = serve(protect(app(), auth, "/mcp")).await;
    let (status, _, _) =
        status_and_challenge(&reqwest::Client::new(), &format!("{base}/mcp"), "good").await;
    assert_eq!(status, 503);
}

#[tokio::test]
async fn development_tokens_work_and_metadata_follows_the_host() {
    let config = AuthConfig::from_lookup(lookup(&[(
        "MCP_AUTH_DEV_TOKENS",
        "dev-admin:mcp:read admin;dev-reader".into(),
    )]))
    .expect("valid")
    .expect("configured");
    let auth = Arc::new(Auth::from_config(config).expect("auth"));
    let base = serve(protect(
        Router::new().route("/api/mcp", post(echo)),
        auth,
        "/api/mcp",
    ))
    .await;
    let client = reqwest::Client::new();
    let url = format!("{base}/api/mcp");
    let (status, _, body) = status_and_challenge(&client, &url, "dev-admin").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("admin"), "{body}");
    let (status, challenge, _) = status_and_challenge(&client, &url, "nope").await;
    assert_eq!(status, 401);
    let host = base.trim_start_matches("http://");
    assert!(
        challenge.contains(&format!(
            "resource_metadata=\"http://{host}/.well-known/oauth-protected-resource/api/mcp\""
        )),
        "{challenge}"
    );
    let doc: Value = serde_json::from_str(
        &client
            .get(format!(
                "{base}/.well-known/oauth-protected-resource/api/mcp"
            ))
            .send()
            .await
            .expect("send")
            .text()
            .await
            .expect("body"),
    )
    .expect("json");
    assert_eq!(doc["resource"], format!("http://{host}/api/mcp"));
    assert!(doc.get("authorization_servers").is_none());
}

#[test]
fn configuration_errors_name_the_variable() {
    let e = AuthConfig::from_lookup(lookup(&[
        ("MCP_AUTH_JWKS_URL", "https://as.example.com/jwks".into()),
        ("MCP_AUTH_RESOURCE_URL", RESOURCE.into()),
        ("MCP_AUTH_JWKS_CACHE_SECS", "-1".into()),
    ]))
    .expect_err("invalid");
    assert!(e.to_string().contains("MCP_AUTH_JWKS_CACHE_SECS"), "{e}");
    let e = AuthConfig::from_lookup(lookup(&[("MCP_AUTH_ISSUER_URL", "https://as".into())]))
        .expect_err("no verifier");
    assert!(e.to_string().contains("MCP_AUTH_JWKS_URL"), "{e}");
}

fn asked(token: &str) -> usize {
    COUNTED
        .lock()
        .expect("lock")
        .iter()
        .filter(|t| *t == token)
        .count()
}

#[tokio::test]
async fn active_answers_are_reused_until_the_cache_time_ends() {
    let as_base = serve(Router::new().route("/introspect", post(introspect))).await;
    let protected = |cache_secs: &str| {
        let config = AuthConfig::from_lookup(lookup(&[
            (
                "MCP_AUTH_INTROSPECTION_URL",
                format!("{as_base}/introspect"),
            ),
            ("MCP_AUTH_CLIENT_ID", "rs".into()),
            ("MCP_AUTH_CLIENT_SECRET", "secret".into()),
            ("MCP_AUTH_RESOURCE_URL", RESOURCE.into()),
            ("MCP_AUTH_INTROSPECTION_CACHE_SECS", cache_secs.into()),
        ]))
        .expect("valid")
        .expect("configured");
        protect(
            app(),
            Arc::new(Auth::from_config(config).expect("auth")),
            "/mcp",
        )
    };
    let client = reqwest::Client::new();
    let cached = format!("{}/mcp", serve(protected("60")).await);
    for _ in 0..3 {
        let (status, _, body) = status_and_challenge(&client, &cached, "counted-a").await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("counted-a"), "{body}");
    }
    assert_eq!(asked("counted-a"), 1, "asked once, then reused");
    let (status, _, _) = status_and_challenge(&client, &cached, "counted-b").await;
    assert_eq!(
        (status, asked("counted-b")),
        (200, 1),
        "another token is asked about"
    );

    let uncached = format!("{}/mcp", serve(protected("0")).await);
    for _ in 0..3 {
        let (status, _, _) = status_and_challenge(&client, &uncached, "counted-c").await;
        assert_eq!(status, 200);
    }
    assert_eq!(asked("counted-c"), 3, "0 asks every time");
    // An inactive answer is not kept: the token is refused every time.
    for _ in 0..2 {
        let (status, _, _) = status_and_challenge(&client, &cached, "revoked").await;
        assert_eq!(status, 401);
    }
}
