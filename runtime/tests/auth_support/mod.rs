//! What the auth tests share: a tool that tells who called it, a router
//! served on 127.0.0.1:0, and the parts of an answer they check.
#![allow(dead_code)]

use mcp_runtime::prelude::*;

/// The caller's subject and scopes, or `nobody`.
pub async fn whoami(ctx: Context) -> String {
    match ctx.access_token() {
        Some(t) => format!(
            "{} {}",
            t.subject.clone().unwrap_or_default(),
            t.scopes.join(",")
        ),
        None => "nobody".into(),
    }
}

/// Serves `app` on 127.0.0.1:0; its base URL (`http://127.0.0.1:PORT`).
pub async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    base
}

/// The `WWW-Authenticate` header of `response` ("" without one).
pub fn challenge(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// Status, `WWW-Authenticate` and body of `response`.
pub async fn read(response: reqwest::Response) -> (u16, String, String) {
    let status = response.status().as_u16();
    let challenge = challenge(&response);
    (status, challenge, response.text().await.expect("body"))
}

/// Status and body of `response`: the body as JSON, or as a JSON string
/// when it is not JSON.
pub async fn status_and_json(response: reqwest::Response) -> (u16, serde_json::Value) {
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}
