//! `Server::dev_auth` and `MCP_AUTH_DEV`: the [development authorization
//! server](super::dev_server) served on the MCP server's own port, with its
//! tokens required on the MCP endpoints.
//!
//! The issuer is the server's base URL, which is only known once the HTTP
//! transport has bound its port (`--port 0` picks one), so the settings are
//! kept as a [`DevAuthPlan`] and started by the transport.

use super::dev_server::DevAuthServer;
use super::{Auth, AuthConfig, AuthConfigError};
use crate::settings::Settings;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// A started development authorization server and the checks it backs.
#[derive(Clone)]
pub(crate) struct DevAuth {
    /// The authorization server (its routes go beside the MCP endpoints).
    pub server: Arc<DevAuthServer>,
    /// The resource server's configuration, verifying with `server`.
    pub auth: Arc<Auth>,
}

/// What `MCP_AUTH_DEV` asks for, started once by the HTTP transport.
pub(crate) struct DevAuthPlan {
    /// `MCP_AUTH_*` values that still apply: the resource URL, required and
    /// supported scopes, resource name and documentation.
    config: AuthConfig,
    key_file: PathBuf,
    max_clients: usize,
    /// `MCP_AUTH_DEV_SCOPES`: the only scopes granted, when set.
    dev_scopes: Option<Vec<String>>,
    /// The MCP endpoint's path (mount path and Streamable HTTP path).
    endpoint: String,
    started: Mutex<Option<DevAuth>>,
}

impl std::fmt::Debug for DevAuthPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevAuthPlan")
            .field("key_file", &self.key_file)
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

/// The base URL a local client reaches a server bound to `host:port` at:
/// wildcard and loopback hosts become `127.0.0.1`.
pub(crate) fn base_url(host: &str, port: u16) -> String {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match host {
        "" | "0.0.0.0" | "localhost" | "127.0.0.1" | "::" => format!("http://127.0.0.1:{port}"),
        h if h.contains(':') => format!("http://[{h}]:{port}"),
        h => format!("http://{h}:{port}"),
    }
}

/// `scheme://authority` of an absolute URL.
fn origin_of(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
            format!("{scheme}://{authority}")
        }
        None => url.to_string(),
    }
}

impl DevAuthPlan {
    /// A plan from the `MCP_AUTH_*` values read without asking for a
    /// verifier (`None` when none is set) and the server's settings.
    pub(crate) fn new(config: Option<AuthConfig>, settings: &Settings, endpoint: String) -> Self {
        DevAuthPlan {
            config: config.unwrap_or_default(),
            key_file: PathBuf::from(&settings.auth_dev_key_file),
            max_clients: settings.auth_dev_max_clients,
            dev_scopes: settings.auth_dev_scopes.clone(),
            endpoint,
            started: Mutex::new(None),
        }
    }

    /// Starts the development server (once; later calls get the same one).
    /// `bound` is the address the transport listens on, when known; else
    /// the settings' host and port name the server. `item_scopes` gives the
    /// scopes the server's tools, resources and prompts require, now: with
    /// `MCP_AUTH_SCOPES_SUPPORTED` and `MCP_AUTH_REQUIRED_SCOPES` they are
    /// what the development server may grant, unless `MCP_AUTH_DEV_SCOPES`
    /// names the only ones.
    pub(crate) fn start(
        &self,
        settings: &Settings,
        bound: Option<SocketAddr>,
        item_scopes: impl Fn() -> Vec<String> + Send + Sync + 'static,
    ) -> Result<DevAuth, AuthConfigError> {
        let mut started = self.started.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(dev) = started.as_ref() {
            return Ok(dev.clone());
        }
        let (issuer, resource) = match &self.config.resource_url {
            Some(resource) => (origin_of(resource), resource.clone()),
            None => {
                let port = bound.map(|a| a.port()).unwrap_or(settings.port);
                let base = base_url(&settings.host, port);
                let resource = format!("{base}{}", self.endpoint);
                (base, resource)
            }
        };
        warn_about_ignored(&self.config);
        warn_if_readable(&self.key_file);
        let declared: Vec<String> = self
            .config
            .scopes_supported
            .iter()
            .chain(&self.config.required_scopes)
            .cloned()
            .collect();
        let only = self.dev_scopes.clone();
        let grantable = move || match &only {
            Some(only) => only.clone(),
            None => {
                let mut all = declared.clone();
                all.extend(item_scopes());
                all
            }
        };
        let server = DevAuthServer::with_key_file(&issuer, &resource, &self.key_file)?
            .scopes(self.config.scopes_supported.clone())
            .max_clients(self.max_clients)
            .grantable(grantable);
        let server = Arc::new(server);
        let issuer = server.issuer().to_string();
        let config = AuthConfig {
            resource_url: Some(resource.clone()),
            issuer_url: Some(issuer.clone()),
            authorization_servers: vec![issuer],
            audience: vec![resource],
            jwks_url: None,
            introspection_url: None,
            client_id: None,
            client_secret: None,
            dev_tokens: Vec::new(),
            ..self.config.clone()
        };
        tracing::info!(
            key_file = %self.key_file.display(),
            "development authorization server: signing key file"
        );
        let dev = DevAuth {
            auth: Arc::new(Auth::new(config, server.verifier())),
            server,
        };
        *started = Some(dev.clone());
        Ok(dev)
    }
}

/// Verifier settings mean nothing next to the development server.
fn warn_about_ignored(config: &AuthConfig) {
    let ignored: Vec<&str> = [
        ("MCP_AUTH_JWKS_URL", config.jwks_url.is_some()),
        (
            "MCP_AUTH_INTROSPECTION_URL",
            config.introspection_url.is_some(),
        ),
        ("MCP_AUTH_DEV_TOKENS", !config.dev_tokens.is_empty()),
        ("MCP_AUTH_ISSUER_URL", config.issuer_url.is_some()),
    ]
    .into_iter()
    .filter_map(|(var, set)| set.then_some(var))
    .collect();
    if !ignored.is_empty() {
        tracing::warn!(
            "MCP_AUTH_DEV is on: {} ignored (the development authorization server issues and checks the tokens)",
            ignored.join(", ")
        );
    }
}

/// A key file others can read lets them mint tokens.
fn warn_if_readable(path: &std::path::Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.permissions().mode() & 0o077 != 0 {
                tracing::warn!(
                    "{} can be read by other users: anyone who reads it can mint tokens (chmod 600 it)",
                    path.display()
                );
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_hosts_are_named_by_loopback() {
        assert_eq!(base_url("0.0.0.0", 80), "http://127.0.0.1:80");
        assert_eq!(base_url("localhost", 1), "http://127.0.0.1:1");
        assert_eq!(base_url("::1", 2), "http://[::1]:2");
        assert_eq!(base_url("mcp.internal", 3), "http://mcp.internal:3");
        assert_eq!(
            origin_of("https://mcp.example.com/api/mcp"),
            "https://mcp.example.com"
        );
    }
}
