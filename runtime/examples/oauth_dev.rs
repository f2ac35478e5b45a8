//! An MCP server behind OAuth, with the development authorization server on
//! the same port: any OAuth-capable MCP client runs the whole flow
//! (discovery, dynamic client registration, authorization code with PKCE)
//! against this one process and is signed in as `dev-user` at once.
//!
//! ```sh
//! cargo run --example oauth_dev -- --transport http --port 8000
//! # then point a client at http://127.0.0.1:8000/mcp
//! ```
//!
//! Development only: the authorization server approves every request
//! without a login. Its signing key is kept in `.mcp-dev-auth.key` (or
//! `MCP_AUTH_DEV_KEY_FILE`).

use mcp_runtime::prelude::*;

/// Who the caller is, from the verified access token.
#[derive(Serialize, JsonSchema)]
struct Caller {
    /// The token's subject (`dev-user` with the development server).
    subject: Option<String>,
    /// The OAuth client the token was issued to.
    client_id: Option<String>,
    /// The scopes the token grants.
    scopes: Vec<String>,
}

/// Reports the caller's identity: its subject and scopes.
async fn whoami(ctx: Context) -> Json<Caller> {
    let token = ctx.access_token();
    Json(Caller {
        subject: token.and_then(|t| t.subject.clone()),
        client_id: token.and_then(|t| t.client_id.clone()),
        scopes: token.map(|t| t.scopes.clone()).unwrap_or_default(),
    })
}

/// Only callable with the `admin` scope (hidden from the list without it).
async fn admin_only(ctx: Context) -> String {
    let subject = ctx
        .access_token()
        .and_then(|t| t.subject.clone())
        .unwrap_or_default();
    format!("hello admin {subject}")
}

#[tokio::main]
async fn main() -> Result<(), mcp_runtime::Error> {
    Server::new("oauth-dev")
        .tool("whoami", whoami)
        .description("Who the caller is: the access token's subject, client and scopes")
        .read_only()
        .tool("admin_only", admin_only)
        .description("Greets an administrator; needs the admin scope")
        .scopes(["admin"])
        .dev_auth()
        .run()
        .await
}
