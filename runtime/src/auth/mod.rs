//! OAuth 2.1 resource server for the HTTP transports (feature `auth`).
//!
//! An MCP server reached over HTTP is an OAuth 2.1 *resource server*: it
//! does not issue tokens, it checks them. This module has the pieces:
//!
//! - [`AuthConfig`]: what to trust, from `MCP_AUTH_*` variables
//!   ([`AuthConfig::from_env`]) or written out.
//! - [`TokenVerifier`]: turns a bearer token into an [`AccessToken`] or an
//!   [`AuthError`]. Implementations: [`JwksVerifier`] (JWTs signed by keys
//!   from a JWKS, with issuer, audience per RFC 8707, expiry and an algorithm
//!   allow-list), [`IntrospectionVerifier`] (RFC 7662) and
//!   [`StaticTokenVerifier`] (fixed tokens, for development only).
//! - [`Auth`]: a configuration and its verifier, shared by the HTTP layer.
//! - [`protect`]: wraps an axum router so that the MCP endpoint needs a valid
//!   bearer token (401 with `WWW-Authenticate: Bearer resource_metadata=…`,
//!   403 `insufficient_scope`), and serves Protected Resource Metadata
//!   (RFC 9728) at `/.well-known/oauth-protected-resource` and
//!   `/.well-known/oauth-protected-resource{mcp_path}`. Other routes stay
//!   public. A verified token is put into the request's extensions as
//!   `Arc<AccessToken>`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use mcp_runtime::auth::{protect, Auth, AuthConfig};
//! use mcp_runtime::transport::http::axum::{routing::post, Router};
//! use std::sync::Arc;
//! let Some(config) = AuthConfig::from_env()? else { return Ok(()) };
//! let auth = Arc::new(Auth::from_config(config)?);
//! let app = protect(Router::new().route("/mcp", post(|| async { "ok" })), auth, "/mcp");
//! # let _ = app; Ok(()) }
//! ```
//!
//! Without the `auth` feature only [`AccessToken`], [`AuthError`],
//! [`TokenVerifier`] and the per-request token scope
//! ([`with_access_token`], [`current_access_token`], [`permits`]) remain,
//! so that dispatch and handlers compile the same either way.

#[cfg(feature = "auth")]
mod config;
#[cfg(feature = "auth")]
pub(crate) mod dev_mode;
#[cfg(feature = "auth")]
pub mod dev_server;
#[cfg(feature = "auth")]
mod fixed;
#[cfg(feature = "auth")]
mod introspection;
#[cfg(feature = "auth")]
mod jwt;
#[cfg(feature = "auth")]
mod layer;

#[cfg(feature = "auth")]
pub use config::{AuthConfig, AuthConfigError, AUTH_VARIABLES, DEFAULT_ALGORITHMS};
#[cfg(feature = "auth")]
pub use fixed::StaticTokenVerifier;
#[cfg(feature = "auth")]
pub use introspection::IntrospectionVerifier;
#[cfg(feature = "auth")]
pub use jsonwebtoken::Algorithm;
#[cfg(feature = "auth")]
pub use jwt::JwksVerifier;
#[cfg(feature = "auth")]
pub use layer::{
    challenge_header, metadata_document, protect, protect_paths, token_of, METADATA_PATH,
};

use futures::future::BoxFuture;
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::Arc;

/// A verified access token: who it was issued to and what it allows.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessToken {
    /// The `sub` claim (the user or service the token stands for), if any.
    pub subject: Option<String>,
    /// The OAuth client the token was issued to (`client_id`, else `azp`).
    pub client_id: Option<String>,
    /// The granted scopes (`scope`, space separated, or `scp`).
    pub scopes: Vec<String>,
    /// When the token expires, in seconds since the Unix epoch.
    pub expires_at: Option<u64>,
    /// Every claim of the token (or of the introspection answer).
    pub claims: Value,
    /// SHA-256 of the bearer token this was verified from, when the HTTP
    /// layer set it ([`AccessToken::bind`]): the principal of a token that
    /// names neither a subject nor a client.
    pub token_digest: Option<[u8; 32]>,
}

/// Who a legacy session belongs to: the principal of the token that opened
/// it. Compared whole, so a subject and a client id that happen to be the
/// same text, or the same subject from two issuers, are different
/// principals.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Principal {
    /// The `sub` claim (the user or service the token stands for).
    Subject {
        /// The `iss` claim, if the token has one.
        issuer: Option<String>,
        /// The `sub` claim.
        subject: String,
    },
    /// No `sub`: the OAuth client the token was issued to.
    Client {
        /// The `iss` claim, if the token has one.
        issuer: Option<String>,
        /// `client_id` (else `azp`, `cid`).
        client_id: String,
    },
    /// Neither claim: the token itself (SHA-256 of it), so only a request
    /// carrying the very same token matches.
    Token([u8; 32]),
}

impl std::fmt::Display for Principal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let from = |issuer: &Option<String>| match issuer {
            Some(i) => format!(" from {i}"),
            None => String::new(),
        };
        match self {
            Principal::Subject { issuer, subject } => {
                write!(f, "subject {subject:?}{}", from(issuer))
            }
            Principal::Client { issuer, client_id } => {
                write!(f, "client {client_id:?}{}", from(issuer))
            }
            Principal::Token(_) => f.write_str("an anonymous token"),
        }
    }
}

impl AccessToken {
    /// Who the token stands for: its subject, else its client (each with
    /// the issuer), else the token itself when the HTTP layer bound it
    /// ([`AccessToken::bind`]); `None` for a claimless token never bound.
    /// Legacy sessions are bound to it, so another caller holding a session
    /// id cannot use the session.
    pub fn principal(&self) -> Option<Principal> {
        let issuer = self
            .claims
            .get("iss")
            .and_then(Value::as_str)
            .map(str::to_string);
        if let Some(subject) = &self.subject {
            return Some(Principal::Subject {
                issuer,
                subject: subject.clone(),
            });
        }
        if let Some(client_id) = &self.client_id {
            return Some(Principal::Client {
                issuer,
                client_id: client_id.clone(),
            });
        }
        self.token_digest.map(Principal::Token)
    }

    /// Records which bearer token this was verified from (its SHA-256), so
    /// that a token naming no one is still a principal of its own. The HTTP
    /// layer (`protect`) does it for every token it accepts.
    pub fn bind(mut self, bearer: &str) -> AccessToken {
        use sha2::Digest;
        self.token_digest = Some(sha2::Sha256::digest(bearer.as_bytes()).into());
        self
    }

    /// Whether the token grants `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// The scopes of `required` the token does not grant, in order.
    pub fn missing_scopes<'a>(&self, required: &'a [String]) -> Vec<&'a str> {
        required
            .iter()
            .filter(|r| !self.has_scope(r))
            .map(String::as_str)
            .collect()
    }

    /// Whether the token grants every scope of `required`.
    pub fn has_scopes(&self, required: &[String]) -> bool {
        self.missing_scopes(required).is_empty()
    }

    /// Builds a token from a claims object (a JWT payload or an
    /// introspection answer): `sub`, `client_id` (else `azp`, `cid`),
    /// `scope` (space separated) or `scp` (array or string), `exp`.
    pub fn from_claims(claims: Value) -> AccessToken {
        let text = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_string);
        let subject = text("sub");
        let client_id = text("client_id")
            .or_else(|| text("azp"))
            .or_else(|| text("cid"));
        let scopes = scopes_of(&claims);
        let expires_at = claims.get("exp").and_then(number_as_u64);
        AccessToken {
            subject,
            client_id,
            scopes,
            expires_at,
            claims,
            token_digest: None,
        }
    }
}

/// `exp`-style numbers: integers, or floats some servers send.
fn number_as_u64(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| {
        v.as_f64()
            .filter(|f| f.is_finite() && *f >= 0.0)
            .map(|f| f as u64)
    })
}

/// The scopes of a claims object, without duplicates, in order.
fn scopes_of(claims: &Value) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let mut push = |s: &str| {
        if !s.is_empty() && seen.insert(s.to_string()) {
            out.push(s.to_string());
        }
    };
    for name in ["scope", "scp"] {
        match claims.get(name) {
            Some(Value::String(s)) => s.split_whitespace().for_each(&mut push),
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).for_each(&mut push),
            _ => {}
        }
    }
    out
}

/// Seconds since the Unix epoch.
#[cfg(feature = "auth")]
pub(crate) fn now_secs() -> u64 {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs()
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization: Bearer` header.
    #[error("no bearer token")]
    Missing,
    /// Not a token this server can read (not a JWT, bad base64, bad JSON).
    #[error("malformed token: {0}")]
    Malformed(String),
    /// The signature does not verify, or no key matches.
    #[error("invalid token: {0}")]
    Invalid(String),
    /// `exp` is in the past.
    #[error("the token has expired")]
    Expired,
    /// `nbf` is in the future.
    #[error("the token is not valid yet")]
    NotYetValid,
    /// `aud` does not name this resource (RFC 8707).
    #[error("the token was issued for another audience")]
    WrongAudience,
    /// `iss` is not the configured issuer.
    #[error("the token was issued by another issuer")]
    WrongIssuer,
    /// The token's algorithm is not allowed (`none`, HMAC, or not listed).
    #[error("algorithm not allowed: {0}")]
    AlgorithmNotAllowed(String),
    /// An introspection endpoint said the token is not active.
    #[error("the token is not active")]
    Inactive,
    /// The keys or the introspection endpoint could not be reached: the
    /// token may be fine, this server cannot tell now (503).
    #[error("cannot verify tokens now: {0}")]
    Unavailable(String),
}

impl AuthError {
    /// Whether the client should get a new token (401) rather than retry
    /// later (503).
    pub fn is_client_error(&self) -> bool {
        !matches!(self, AuthError::Unavailable(_))
    }
}

/// Turns a bearer token into an [`AccessToken`]. Implement it for other
/// schemes (opaque tokens in a database, mTLS-bound tokens, …) and pass it
/// to [`Auth::new`].
pub trait TokenVerifier: Send + Sync + 'static {
    /// Verifies `token` (the text after `Bearer `).
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<AccessToken, AuthError>>;
}

/// The JSON-RPC error code of a request refused for its token (HTTP 401).
/// Not -32001: the official TypeScript SDK answers an unknown
/// `Mcp-Session-Id` with -32001 ("Session not found"), and so does this
/// runtime; clients act on the HTTP status (401 starts authorization).
pub const UNAUTHORIZED_CODE: i64 = -32004;
/// The JSON-RPC error code of a request whose token lacks scopes (HTTP 403);
/// its `data` has `"error": "insufficient_scope"` (and `"scope"`, the scopes
/// needed, when dispatch refuses a tool, resource or prompt).
pub const INSUFFICIENT_SCOPE_CODE: i64 = -32003;

tokio::task_local! {
    static CURRENT: Option<Arc<AccessToken>>;
}

/// Runs `fut` with `token` as the verified token of the request it serves:
/// the HTTP transport wraps each request's dispatch in it, and dispatch
/// reads it back with [`current_access_token`] (list filtering, per-tool
/// scopes, `Context::access_token`).
pub async fn with_access_token<F: std::future::Future>(
    token: Option<Arc<AccessToken>>,
    fut: F,
) -> F::Output {
    CURRENT.scope(token, fut).await
}

/// The owner of a session opened by a request carrying `token`: `None`
/// without a token (auth off: anyone may use it), else the token's
/// principal, else (a claimless token never bound, which `protect` does
/// not let through) a random principal nobody can match.
pub fn session_owner(token: Option<&AccessToken>) -> Option<Principal> {
    let token = token?;
    Some(
        token
            .principal()
            .unwrap_or_else(|| Principal::Token(rand::random())),
    )
}

/// Whether a request carrying `token` may use a session opened by `owner`
/// ([`session_owner`] of the token that opened it; `None`: opened without
/// one). Principals are compared whole: kind, issuer and value.
pub fn may_use(owner: Option<&Principal>, token: Option<&AccessToken>) -> bool {
    match owner {
        None => true,
        Some(owner) => token.and_then(AccessToken::principal).as_ref() == Some(owner),
    }
}

/// The verified token of the request being served, if the transport set
/// one with [`with_access_token`] (`None` on stdio and without auth).
pub fn current_access_token() -> Option<Arc<AccessToken>> {
    CURRENT.try_with(|t| t.clone()).ok().flatten()
}

/// Whether the caller may use something that needs `required`: yes when
/// nothing is required or no token is in play (auth off, stdio), else when
/// the token grants every scope.
pub fn permits(token: Option<&AccessToken>, required: &[String]) -> bool {
    required.is_empty() || token.is_none_or(|t| t.has_scopes(required))
}

/// JWTs to one verifier, other tokens to another: a JWKS verifier first,
/// introspection for opaque tokens.
#[cfg(feature = "auth")]
struct JwtThenOpaque {
    jwt: Arc<dyn TokenVerifier>,
    opaque: Arc<dyn TokenVerifier>,
}

#[cfg(feature = "auth")]
impl TokenVerifier for JwtThenOpaque {
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<AccessToken, AuthError>> {
        if token.split('.').count() == 3 {
            self.jwt.verify(token)
        } else {
            self.opaque.verify(token)
        }
    }
}

/// A configuration with its verifier: what [`protect`] needs.
#[cfg(feature = "auth")]
#[derive(Clone)]
pub struct Auth {
    config: AuthConfig,
    verifier: Arc<dyn TokenVerifier>,
}

#[cfg(feature = "auth")]
impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("config", &self.config)
            .finish()
    }
}

#[cfg(feature = "auth")]
impl Auth {
    /// A configuration with a verifier of the caller's choosing.
    pub fn new(config: AuthConfig, verifier: Arc<dyn TokenVerifier>) -> Auth {
        Auth { config, verifier }
    }

    /// The verifier the configuration asks for: JWTs against
    /// `MCP_AUTH_JWKS_URL`; opaque tokens (or all, without a JWKS) through
    /// `MCP_AUTH_INTROSPECTION_URL`; else the development tokens of
    /// `MCP_AUTH_DEV_TOKENS` (with a loud warning).
    pub fn from_config(config: AuthConfig) -> Result<Auth, AuthConfigError> {
        let jwt: Option<Arc<dyn TokenVerifier>> = match &config.jwks_url {
            Some(_) => Some(Arc::new(JwksVerifier::new(&config)?)),
            None => None,
        };
        let opaque: Option<Arc<dyn TokenVerifier>> = match &config.introspection_url {
            Some(_) => Some(Arc::new(IntrospectionVerifier::new(&config)?)),
            None => None,
        };
        let verifier: Arc<dyn TokenVerifier> = match (jwt, opaque) {
            (Some(jwt), Some(opaque)) => Arc::new(JwtThenOpaque { jwt, opaque }),
            (Some(v), None) | (None, Some(v)) => v,
            (None, None) if !config.dev_tokens.is_empty() => {
                Arc::new(StaticTokenVerifier::new(config.dev_tokens.clone()))
            }
            (None, None) => {
                return Err(AuthConfigError::Missing(
                    "MCP_AUTH_JWKS_URL, MCP_AUTH_INTROSPECTION_URL or MCP_AUTH_DEV_TOKENS",
                ))
            }
        };
        Ok(Auth { config, verifier })
    }

    /// The configuration.
    pub fn config(&self) -> &AuthConfig {
        &self.config
    }

    /// The verifier.
    pub fn verifier(&self) -> &Arc<dyn TokenVerifier> {
        &self.verifier
    }

    /// Verifies a bearer token.
    pub async fn verify(&self, token: &str) -> Result<AccessToken, AuthError> {
        self.verifier.verify(token).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scopes_come_from_scope_or_scp() {
        let t = AccessToken::from_claims(
            json!({"scope": "read  write", "scp": ["write", "admin"], "azp": "c", "exp": 5}),
        );
        assert_eq!(t.scopes, vec!["read", "write", "admin"]);
        assert_eq!(t.client_id.as_deref(), Some("c"));
        assert_eq!(t.expires_at, Some(5));
        assert_eq!(t.missing_scopes(&["read".into(), "x".into()]), vec!["x"]);
    }
}
