//! The builder's HTTP parts: custom axum routes beside the MCP endpoint,
//! and token checks on it (from the builder, else `MCP_AUTH_*`).

use super::Server;
use crate::error::Error;
use crate::settings::{Overrides, Settings};
use crate::transport::http::HttpExtras;
#[cfg(feature = "auth")]
use std::sync::Arc;

impl Server {
    /// Requires tokens on the MCP endpoints, checked by `auth` (a JWKS or
    /// introspection verifier, your own [`TokenVerifier`](crate::auth::TokenVerifier),
    /// or the development authorization server's). Without this, `MCP_AUTH_*`
    /// settings configure it.
    #[cfg(feature = "auth")]
    pub fn auth(mut self, auth: Arc<crate::auth::Auth>) -> Self {
        self.http.auth = Some(auth);
        self
    }

    /// Refuses to serve HTTP unless access tokens are checked (by
    /// [`Server::auth`] or `MCP_AUTH_*`): a server that must not run open
    /// stops at startup with a message naming the variables, instead of
    /// serving everyone. Stdio is unaffected (there are no tokens there).
    ///
    /// ```
    /// # use mcp_runtime::prelude::*;
    /// let server = Server::new("private").tool("wipe", || async { "done" }).require_auth();
    /// # let _ = server;
    /// ```
    pub fn require_auth(mut self) -> Self {
        self.http.require_auth = true;
        self
    }

    /// Serves the development OAuth 2.1 authorization server
    /// ([`DevAuthServer`](crate::auth::dev_server::DevAuthServer)) on the
    /// server's own port and requires its tokens on the MCP endpoints, so
    /// that OAuth clients run the whole flow (discovery, dynamic client
    /// registration, authorization code with PKCE, token) against one
    /// process. **Development only**: it approves every request as the user
    /// `dev-user` without a login, and says so in a loud warning at start.
    ///
    /// - The issuer is the server's base URL: the origin of
    ///   `MCP_AUTH_RESOURCE_URL` when set, else `http://127.0.0.1:PORT` for a
    ///   server bound to `0.0.0.0`, `localhost` or `127.0.0.1` (else
    ///   `http://HOST:PORT`), with the port actually bound.
    /// - The resource (the token audience, RFC 8707) is the MCP endpoint's
    ///   URL, such as `http://127.0.0.1:8000/mcp`; clients should connect
    ///   to that very URL.
    /// - `MCP_AUTH_REQUIRED_SCOPES` are required on every request and,
    ///   with `MCP_AUTH_SCOPES_SUPPORTED`, announced; per-item
    ///   [`scopes`](Server::scopes) work as with any verifier.
    /// - The signing key is kept in `MCP_AUTH_DEV_KEY_FILE` (default
    ///   `.mcp-dev-auth.key` in the working directory, made with mode 0600),
    ///   so tokens survive restarts.
    ///
    /// `MCP_AUTH_DEV=true` in the environment turns it on for any server;
    /// this method wins over the environment (and `MCP_AUTH_DEV=false`
    /// wins over nothing). An explicit [`auth`](Server::auth) wins over
    /// both. Over stdio it is ignored, with a warning.
    ///
    /// ```no_run
    /// use mcp_runtime::prelude::*;
    ///
    /// async fn whoami(ctx: Context) -> String {
    ///     ctx.access_token()
    ///         .and_then(|t| t.subject.clone())
    ///         .unwrap_or_default()
    /// }
    ///
    /// #[tokio::main]
    /// async fn main() -> Result<(), mcp_runtime::Error> {
    ///     // Then: cargo run -- --transport http --port 8000, and point an
    ///     // OAuth-capable client at http://127.0.0.1:8000/mcp.
    ///     Server::new("demo").tool("whoami", whoami).dev_auth().run().await
    /// }
    /// ```
    #[cfg(feature = "auth")]
    pub fn dev_auth(self) -> Self {
        self.setting("MCP_AUTH_DEV", "true")
    }

    /// Serves an axum route beside the MCP endpoint, on the same port (HTTP
    /// transports only): `.route("/health", axum::routing::get(|| async { "ok" }))`.
    /// Handlers may take `axum::Extension<ServerHandle>` to reach the server.
    pub fn route(mut self, path: &str, route: axum::routing::MethodRouter) -> Self {
        if let Err(e) = self.http.add_route(path, route) {
            self.errors.push(e);
        }
        self
    }

    /// Serves a whole axum router beside the MCP endpoint, on the same port
    /// (HTTP transports only). The MCP endpoints win where paths overlap.
    pub fn router(mut self, router: axum::Router) -> Self {
        if let Err(e) = self.http.add_router(router) {
            self.errors.push(e);
        }
        self
    }
}

/// Turns `MCP_AUTH_*` (from the builder, else the environment) into token
/// checks on the HTTP endpoints, unless `Server::auth` already set them.
#[cfg(feature = "auth")]
pub(super) fn resolve_auth(
    http: &mut HttpExtras,
    overrides: &Overrides,
    settings: &Settings,
) -> Result<(), Error> {
    if http.auth.is_some() {
        return Ok(());
    }
    let lookup = |var: &str| {
        overrides
            .lookup(var, &[], |k| std::env::var(k).ok())
            .map(|(value, _)| value)
    };
    if settings.auth_dev {
        // The development server is the verifier; the other values (the
        // resource URL, scopes) still apply.
        let config = crate::auth::AuthConfig::read_lookup(lookup)
            .map_err(|e| Error::Builder(e.to_string()))?;
        let endpoint =
            crate::transport::http::join_path(&settings.mount_path, &settings.streamable_http_path);
        http.dev_auth = Some(Arc::new(crate::auth::dev_mode::DevAuthPlan::new(
            config, settings, endpoint,
        )));
        return Ok(());
    }
    let config =
        crate::auth::AuthConfig::from_lookup(lookup).map_err(|e| Error::Builder(e.to_string()))?;
    if let Some(config) = config {
        let auth =
            crate::auth::Auth::from_config(config).map_err(|e| Error::Builder(e.to_string()))?;
        http.auth = Some(Arc::new(auth));
    }
    Ok(())
}

#[cfg(not(feature = "auth"))]
pub(super) fn resolve_auth(
    _http: &mut HttpExtras,
    _overrides: &Overrides,
    _settings: &Settings,
) -> Result<(), Error> {
    Ok(())
}
