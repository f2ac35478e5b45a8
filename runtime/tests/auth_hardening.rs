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
