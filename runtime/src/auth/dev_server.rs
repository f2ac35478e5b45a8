//! A **development** OAuth 2.1 authorization server, so that an MCP server
//! and its clients can run the whole OAuth flow on one machine.
//!
//! **Not for production**: it approves every authorization request at once
//! for a single user (`dev-user`), keeps clients, codes and refresh tokens
//! in memory, and signs with an Ed25519 key that is made at start (or kept
//! in a file, [`DevAuthServer::with_key_file`]). Building one logs a loud
//! warning.
//!
//! Its rules, so that a page or a program other than the developer's client
//! gets nothing from it:
//! - redirect URIs are `https` URLs, `http` URLs on a loopback host
//!   (RFC 8252 §7.3) or private-use schemes in reverse domain form
//!   (`com.example.app:/cb`, RFC 8252 §7.1), written exactly (no spaces,
//!   lowercase scheme, no fragment, no user info), and `/authorize` needs the
//!   very string that was registered;
//! - it grants only the requested scopes it may grant
//!   ([`DevAuthServer::grantable`], else [`DevAuthServer::scopes`]); the
//!   others are dropped and logged, and the token response's `scope` says
//!   what was granted;
//! - a Client ID Metadata Document is fetched only from an `https` URL whose
//!   host resolves to public addresses (loopback and private ones are
//!   allowed only when the issuer itself is on loopback), without
//!   redirects, in 5 s and 16 KiB at most;
//! - registration holds at most [`DevAuthServer::max_clients`] clients
//!   (`MCP_AUTH_DEV_MAX_CLIENTS`, 100 by default), each with at most 10
//!   redirect URIs, from a body of at most 16 KiB; then it answers 503.
//!
//! Served by the HTTP transport (`Server::dev_auth`), its routes get the same
//! Host/Origin checks as the MCP endpoint; mounted by hand with
//! [`DevAuthServer::router`], guard them yourself.
//!
//! What it serves, under its issuer URL:
//! - `GET /.well-known/oauth-authorization-server`: metadata (RFC 8414);
//! - `GET /authorize`: the authorization code flow with PKCE (`S256` only),
//!   redirecting straight back with a code;
//! - `POST /token`: `authorization_code` (with `code_verifier`) and
//!   `refresh_token` grants; the access token is a JWT whose `aud` is the
//!   `resource` asked for (RFC 8707) or the configured resource;
//! - `POST /register`: dynamic client registration (RFC 7591) for public
//!   clients; a client id that is an `https` URL is read as a Client ID
//!   Metadata Document instead;
//! - `GET /jwks`: the public key.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use mcp_runtime::auth::dev_server::DevAuthServer;
//! use mcp_runtime::auth::{protect, Auth, AuthConfig};
//! use mcp_runtime::transport::http::axum::{routing::post, Router};
//! use std::sync::Arc;
//! let dev = Arc::new(DevAuthServer::new("http://127.0.0.1:8000", "http://127.0.0.1:8000/mcp")?);
//! let config = AuthConfig {
//!     resource_url: Some("http://127.0.0.1:8000/mcp".into()),
//!     authorization_servers: vec!["http://127.0.0.1:8000".into()],
//!     ..AuthConfig::default()
//! };
//! let auth = Arc::new(Auth::new(config, dev.verifier()));
//! let mcp = Router::new().route("/mcp", post(|| async { "ok" }));
//! let app = protect(mcp, auth, "/mcp").merge(dev.router());
//! # let _ = app; Ok(()) }
//! ```

use super::config::{check_url, AuthConfigError};
use super::jwt::{map_error, read_limited};
use super::{now_secs, AccessToken, AuthError, TokenVerifier};
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine as _;
use futures::future::BoxFuture;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;
/// How long an authorization code is good for.
const CODE_TTL: u64 = 60;
/// How long an access token is good for.
const TOKEN_TTL: u64 = 3600;
/// The default of [`DevAuthServer::max_clients`] (`MCP_AUTH_DEV_MAX_CLIENTS`).
pub const DEFAULT_MAX_CLIENTS: usize = 100;
/// Redirect URIs one client may register.
const MAX_REDIRECT_URIS: usize = 10;
/// The longest redirect URI accepted.
const MAX_URI_LEN: usize = 2048;
/// The largest registration request or Client ID Metadata Document read.
const MAX_DOCUMENT_BYTES: usize = 16 << 10;
/// How long fetching a Client ID Metadata Document may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// Pending authorization codes held at once.
const MAX_CODES: usize = 1000;
/// Refresh tokens held at once (the oldest is forgotten past it).
const MAX_REFRESH: usize = 10_000;

/// The scopes a server may grant, asked at each authorization.
type ScopeSource = Arc<dyn Fn() -> Vec<String> + Send + Sync>;

struct Code {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    scope: String,
    resource: String,
    expires: u64,
}

struct Refresh {
    client_id: String,
    scope: String,
    resource: String,
    issued: u64,
}

#[derive(Default)]
struct Store {
    /// Registered clients: id → redirect URIs.
    clients: HashMap<String, Vec<String>>,
    codes: HashMap<String, Code>,
    refresh: HashMap<String, Refresh>,
}

/// The development authorization server. See the [module](self) docs.
pub struct DevAuthServer {
    issuer: String,
    resource: String,
    scopes: Vec<String>,
    grantable: Option<ScopeSource>,
    max_clients: usize,
    /// Whether the issuer is on loopback (development on one machine): then
    /// Client ID Metadata Documents may live on loopback or private hosts.
    local: bool,
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    public_x: String,
    store: Mutex<Store>,
}

impl std::fmt::Debug for DevAuthServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevAuthServer")
            .field("issuer", &self.issuer)
            .field("resource", &self.resource)
            .field("scopes", &self.scopes)
            .field("max_clients", &self.max_clients)
            .finish_non_exhaustive()
    }
}

fn random_token() -> String {
    B64.encode(rand::random::<[u8; 32]>())
}

fn key_error(reason: String) -> AuthConfigError {
    AuthConfigError::Invalid {
        var: "MCP_AUTH_DEV_KEY_FILE",
        value: String::new(),
        reason,
    }
}

impl DevAuthServer {
    /// A development server issuing tokens as `issuer` (its own base URL)
    /// for `resource` (the MCP endpoint's URL), with a fresh in-memory key.
    pub fn new(
        issuer: impl Into<String>,
        resource: impl Into<String>,
    ) -> Result<DevAuthServer, AuthConfigError> {
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng)
            .map_err(|_| key_error("cannot generate a key".into()))?;
        DevAuthServer::with_pkcs8(issuer.into(), resource.into(), pkcs8.as_ref())
    }

    /// Like [`DevAuthServer::new`], with the signing key kept in `path`
    /// (made there on first use, PKCS#8 in base64), so that tokens survive
    /// a restart.
    pub fn with_key_file(
        issuer: impl Into<String>,
        resource: impl Into<String>,
        path: &Path,
    ) -> Result<DevAuthServer, AuthConfigError> {
        let pkcs8 = match std::fs::read_to_string(path) {
            Ok(text) => base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .map_err(|e| {
                    key_error(format!(
                        "{}: not base64: {e}; delete the file to have a new key made",
                        path.display()
                    ))
                })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let rng = ring::rand::SystemRandom::new();
                let doc = Ed25519KeyPair::generate_pkcs8(&rng)
                    .map_err(|_| key_error("cannot generate a key".into()))?;
                let text = base64::engine::general_purpose::STANDARD.encode(doc.as_ref());
                write_private(path, &text)
                    .map_err(|e| key_error(format!("cannot write {}: {e}", path.display())))?;
                doc.as_ref().to_vec()
            }
            Err(e) => return Err(key_error(format!("cannot read {}: {e}", path.display()))),
        };
        DevAuthServer::with_pkcs8(issuer.into(), resource.into(), &pkcs8)
    }

    fn with_pkcs8(
        issuer: String,
        resource: String,
        pkcs8: &[u8],
    ) -> Result<DevAuthServer, AuthConfigError> {
        check_url("MCP_AUTH_ISSUER_URL", &issuer, true)?;
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8)
            .map_err(|e| key_error(format!("not an Ed25519 PKCS#8 key: {e}")))?;
        let public_x = B64.encode(pair.public_key().as_ref());
        let decoding = DecodingKey::from_ed_components(&public_x)
            .map_err(|e| key_error(format!("unusable public key: {e}")))?;
        let kid = B64.encode(&Sha256::digest(pair.public_key().as_ref())[..12]);
        tracing::warn!(
            "AUTH: DEVELOPMENT AUTHORIZATION SERVER at {issuer}: it approves every request \
             as one user without a login. NEVER USE IT IN PRODUCTION."
        );
        let local = reqwest::Url::parse(&issuer)
            .ok()
            .and_then(|u| u.host_str().map(is_loopback_host))
            .unwrap_or(false);
        Ok(DevAuthServer {
            issuer: issuer.trim_end_matches('/').to_string(),
            resource,
            scopes: Vec::new(),
            grantable: None,
            max_clients: DEFAULT_MAX_CLIENTS,
            local,
            kid,
            encoding: EncodingKey::from_ed_der(pkcs8),
            decoding,
            public_x,
            store: Mutex::new(Store::default()),
        })
    }

    /// The scopes it announces, and grants when a client asks for none;
    /// without [`grantable`](Self::grantable), the only ones it grants.
    pub fn scopes<I: IntoIterator<Item = S>, S: Into<String>>(mut self, scopes: I) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The scopes it may grant, asked at each authorization (so that tools
    /// added while serving count): a requested scope outside them is not
    /// granted. Default: the announced [`scopes`](Self::scopes).
    pub fn grantable(mut self, scopes: impl Fn() -> Vec<String> + Send + Sync + 'static) -> Self {
        self.grantable = Some(Arc::new(scopes));
        self
    }

    /// How many clients registration holds (default
    /// [`DEFAULT_MAX_CLIENTS`]); past it `/register` answers 503.
    pub fn max_clients(mut self, max: usize) -> Self {
        self.max_clients = max;
        self
    }

    /// The scopes granted for a request of `asked` (space separated): the
    /// grantable ones among them, or the announced grantable ones when
    /// nothing is asked; and the asked ones refused.
    fn grant(&self, asked: &str) -> (Vec<String>, Vec<String>) {
        let grantable = match &self.grantable {
            Some(source) => source(),
            None => self.scopes.clone(),
        };
        let mut granted: Vec<String> = Vec::new();
        let mut refused: Vec<String> = Vec::new();
        if asked.trim().is_empty() {
            granted.extend(
                self.scopes
                    .iter()
                    .filter(|s| grantable.contains(s))
                    .cloned(),
            );
            return (granted, refused);
        }
        for scope in asked.split_whitespace() {
            let list = if grantable.iter().any(|g| g == scope) {
                &mut granted
            } else {
                &mut refused
            };
            if !list.iter().any(|s| s == scope) {
                list.push(scope.to_string());
            }
        }
        (granted, refused)
    }

    /// The issuer URL.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The authorization server metadata (RFC 8414).
    pub fn metadata(&self) -> Value {
        let i = &self.issuer;
        json!({
            "issuer": i,
            "authorization_endpoint": format!("{i}/authorize"),
            "token_endpoint": format!("{i}/token"),
            "registration_endpoint": format!("{i}/register"),
            "jwks_uri": format!("{i}/jwks"),
            "scopes_supported": self.scopes,
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none"],
            // `/authorize` sends `iss` back with the code (RFC 9207 §3).
            "authorization_response_iss_parameter_supported": true,
            "client_id_metadata_document_supported": true,
        })
    }

    /// The public key as a JWKS.
    pub fn jwks(&self) -> Value {
        json!({ "keys": [{
            "kty": "OKP", "crv": "Ed25519", "x": self.public_x,
            "kid": self.kid, "use": "sig", "alg": "EdDSA",
        }]})
    }

    /// Signs an access token for `subject` (what `/token` hands out).
    pub fn issue(
        &self,
        subject: &str,
        client_id: &str,
        scope: &str,
        resource: &str,
    ) -> Result<String, AuthError> {
        let now = now_secs();
        let claims = json!({
            "iss": self.issuer, "sub": subject, "aud": resource, "client_id": client_id,
            "scope": scope, "iat": now, "exp": now + TOKEN_TTL, "jti": random_token(),
        });
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, &claims, &self.encoding)
            .map_err(|e| AuthError::Invalid(e.to_string()))
    }

    /// A verifier for the tokens this server issues for its resource
    /// (checked in process, no JWKS round trip).
    pub fn verifier(self: &Arc<Self>) -> Arc<dyn TokenVerifier> {
        self.clone()
    }

    /// The routes (mount them at the issuer URL's root).
    pub fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .route(
                "/.well-known/oauth-authorization-server",
                get(|State(s): State<Arc<Self>>| async move {
                    json_response(StatusCode::OK, &s.metadata())
                }),
            )
            .route(
                "/jwks",
                get(|State(s): State<Arc<Self>>| async move {
                    json_response(StatusCode::OK, &s.jwks())
                }),
            )
            .route("/register", post(register))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .with_state(self.clone())
    }

    /// The redirect URIs a client may use: registered ones, or those of its
    /// Client ID Metadata Document when its id is an `https` URL.
    async fn redirect_uris(&self, client_id: &str) -> Result<Vec<String>, String> {
        if let Some(uris) = self.store().clients.get(client_id) {
            return Ok(uris.clone());
        }
        if !client_id.starts_with("https://") {
            return Err(format!("unknown client {client_id:?}"));
        }
        let client = self.document_client(client_id).await?;
        let response = client
            .get(client_id)
            .send()
            .await
            .map_err(|e| format!("cannot fetch the client metadata document: {e}"))?;
        if !response.status().is_success() {
            return Err(format!(
                "the client metadata document answered {}",
                response.status()
            ));
        }
        let body = read_limited(response, MAX_DOCUMENT_BYTES).await?;
        let doc: Value = serde_json::from_slice(&body)
            .map_err(|e| format!("the client metadata document is not JSON: {e}"))?;
        if doc.get("client_id").and_then(Value::as_str) != Some(client_id) {
            return Err("the client metadata document names another client_id".into());
        }
        let uris = string_list(doc.get("redirect_uris"));
        Ok(uris
            .into_iter()
            .filter(|u| check_redirect(u).is_ok())
            .collect())
    }

    /// The HTTP client that may fetch the Client ID Metadata Document at
    /// `url`: an `https` URL with a path and no user info or fragment, whose
    /// host resolves only to public addresses (any, when the issuer is on
    /// loopback), pinned to the address checked so that a second lookup
    /// cannot lead elsewhere. No redirects; 5 s; the body is read up to
    /// 16 KiB.
    async fn document_client(&self, url: &str) -> Result<reqwest::Client, String> {
        let refuse = |why: &str| {
            Err(format!(
                "client_id {url:?} is not a fetchable Client ID Metadata Document URL: {why}"
            ))
        };
        let Ok(parsed) = reqwest::Url::parse(url) else {
            return refuse("not a URL");
        };
        if parsed.scheme() != "https" || parsed.as_str() != url {
            return refuse("it must be an https URL written in normal form");
        }
        if !parsed.username().is_empty()
            || parsed.password().is_some()
            || parsed.fragment().is_some()
        {
            return refuse("it must have no user info and no fragment");
        }
        if parsed.path() == "/" {
            return refuse("it must have a path");
        }
        let Some(host) = parsed.host_str() else {
            return refuse("it has no host");
        };
        let port = parsed.port_or_known_default().unwrap_or(443);
        let name = host.trim_start_matches('[').trim_end_matches(']');
        let addresses: Vec<std::net::SocketAddr> = match name.parse::<IpAddr>() {
            Ok(ip) => vec![(ip, port).into()],
            Err(_) => tokio::time::timeout(FETCH_TIMEOUT, tokio::net::lookup_host((name, port)))
                .await
                .map_err(|_| format!("cannot resolve {host}: timed out"))?
                .map_err(|e| format!("cannot resolve {host}: {e}"))?
                .collect(),
        };
        let Some(first) = addresses.first().copied() else {
            return refuse("its host has no address");
        };
        if !self.local {
            if let Some(bad) = addresses.iter().find(|a| !is_public(a.ip())) {
                return refuse(&format!(
                    "its host resolves to {}, a loopback, private or reserved address",
                    bad.ip()
                ));
            }
        }
        reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .connect_timeout(FETCH_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .resolve(name, first)
            .build()
            .map_err(|e| format!("cannot build an HTTP client: {e}"))
    }
}

/// Whether a URL's host (`localhost`, `127.0.0.1`, `[::1]`) is loopback.
fn is_loopback_host(host: &str) -> bool {
    let name = host.trim_start_matches('[').trim_end_matches(']');
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Whether `ip` is a public unicast address: not loopback, private, link
/// local, shared (CGNAT), unique local, documentation, multicast, broadcast
/// or unspecified.
fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

impl TokenVerifier for DevAuthServer {
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<AccessToken, AuthError>> {
        let mut v = Validation::new(Algorithm::EdDSA);
        v.leeway = 30;
        v.set_issuer(&[&self.issuer]);
        v.set_audience(&[&self.resource]);
        v.set_required_spec_claims(&["exp", "aud", "iss"]);
        let result = jsonwebtoken::decode::<Value>(token, &self.decoding, &v)
            .map(|d| AccessToken::from_claims(d.claims))
            .map_err(map_error);
        Box::pin(async move { result })
    }
}

fn string_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut r = (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body.to_string(),
    )
        .into_response();
    r.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    r
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    json_response(
        status,
        &json!({ "error": error, "error_description": description }),
    )
}

/// Writes a file only its owner can read.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(text.as_bytes())
}

/// Whether a redirect URI may be registered (OAuth 2.1 §2.3.1, RFC 8252
/// §7): written exactly (no spaces or control characters, a lowercase
/// scheme, no fragment, no user info), and `https`, `http` on a loopback
/// host, or a private-use scheme in reverse domain form
/// (`com.example.app:/callback`). `Err` says why not.
fn check_redirect(uri: &str) -> Result<(), &'static str> {
    if uri.is_empty() || uri.len() > MAX_URI_LEN {
        return Err("empty or longer than 2048 bytes");
    }
    if uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("it has spaces or control characters");
    }
    let parsed = reqwest::Url::parse(uri).map_err(|_| "not an absolute URI")?;
    let scheme = parsed.scheme();
    if !uri.starts_with(&format!("{scheme}:")) {
        return Err("the scheme must be written in lowercase");
    }
    if parsed.fragment().is_some() {
        return Err("it must not have a fragment");
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("it must not have user info");
    }
    match scheme {
        "https" if parsed.host_str().is_some_and(|h| !h.is_empty()) => Ok(()),
        "http" => match parsed.host_str() {
            Some(h) if is_loopback_host(h) => Ok(()),
            _ => Err("http is only allowed on a loopback host (127.0.0.1, [::1], localhost)"),
        },
        // A private-use scheme (RFC 8252 §7.1) names its app by a reversed
        // domain: `javascript:`, `data:` or `file:` have no dot.
        s if s.contains('.') && parsed.host_str().is_none_or(str::is_empty) => Ok(()),
        _ => Err("it must be https, loopback http, or a private-use scheme like com.example.app:/callback"),
    }
}

async fn register(State(s): State<Arc<DevAuthServer>>, body: Bytes) -> Response {
    if body.len() > MAX_DOCUMENT_BYTES {
        return oauth_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_client_metadata",
            "the registration request is larger than 16 KiB",
        );
    }
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_client_metadata",
            "the body is not JSON",
        );
    };
    let uris = string_list(request.get("redirect_uris"));
    if uris.is_empty() || uris.len() > MAX_REDIRECT_URIS {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_redirect_uri",
            "redirect_uris must list 1 to 10 URIs",
        );
    }
    for uri in &uris {
        if let Err(why) = check_redirect(uri) {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_redirect_uri",
                &format!("redirect_uri {uri:?} refused: {why}"),
            );
        }
    }
    let client_id = format!("dev-{}", random_token());
    {
        let mut store = s.store();
        if store.clients.len() >= s.max_clients {
            tracing::warn!(
                max = s.max_clients,
                "development authorization server: registration refused, the client limit is reached"
            );
            return oauth_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                &format!(
                    "this development authorization server already holds {} registered clients (MCP_AUTH_DEV_MAX_CLIENTS); restart it or raise the limit",
                    s.max_clients
                ),
            );
        }
        store.clients.insert(client_id.clone(), uris.clone());
    }
    let mut answer = request.as_object().cloned().unwrap_or_default();
    answer.remove("client_secret");
    answer.insert("client_id".into(), json!(client_id));
    answer.insert("client_id_issued_at".into(), json!(now_secs()));
    answer.insert("redirect_uris".into(), json!(uris));
    answer.insert("token_endpoint_auth_method".into(), json!("none"));
    answer.insert(
        "grant_types".into(),
        json!(["authorization_code", "refresh_token"]),
    );
    answer.insert("response_types".into(), json!(["code"]));
    json_response(StatusCode::CREATED, &Value::Object(answer))
}

fn redirect(to: &str, params: &[(&str, &str)]) -> Response {
    let query = serde_urlencoded::to_string(params).unwrap_or_default();
    let separator = if to.contains('?') { '&' } else { '?' };
    match HeaderValue::from_str(&format!("{to}{separator}{query}")) {
        Ok(location) => (StatusCode::FOUND, [(header::LOCATION, location)]).into_response(),
        Err(_) => oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "bad redirect_uri",
        ),
    }
}

async fn authorize(State(s): State<Arc<DevAuthServer>>, RawQuery(query): RawQuery) -> Response {
    let q: HashMap<String, String> =
        serde_urlencoded::from_str(query.as_deref().unwrap_or_default()).unwrap_or_default();
    let field = |k: &str| q.get(k).map(String::as_str).unwrap_or_default();
    let (client_id, redirect_uri) = (field("client_id"), field("redirect_uri"));
    // Errors before the redirect URI is trusted are shown, not redirected.
    let allowed = match s.redirect_uris(client_id).await {
        Ok(u) => u,
        Err(e) => return oauth_error(StatusCode::BAD_REQUEST, "invalid_client", &e),
    };
    if !allowed.iter().any(|u| u == redirect_uri) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "redirect_uri is not registered for this client",
        );
    }
    let state = field("state");
    let fail = |error: &str, description: &str| {
        let mut p = vec![("error", error)];
        if !description.is_empty() {
            p.push(("error_description", description));
        }
        if !state.is_empty() {
            p.push(("state", state));
        }
        redirect(redirect_uri, &p)
    };
    if field("response_type") != "code" {
        return fail("unsupported_response_type", "");
    }
    if field("code_challenge_method") != "S256" || field("code_challenge").len() < 43 {
        return fail("invalid_request", "PKCE with S256 is required");
    }
    let resource = match field("resource") {
        "" => s.resource.clone(),
        r if r == s.resource => r.to_string(),
        _ => {
            let hint = format!(
                "resource must be {}: connect to that URL, or set MCP_AUTH_RESOURCE_URL to the one you use",
                s.resource
            );
            return fail("invalid_target", &hint);
        }
    };
    // The development "consent": what is granted is what this server
    // declares, said in the log and in the token response's `scope`.
    let (granted, refused) = s.grant(field("scope"));
    if !refused.is_empty() {
        tracing::warn!(
            client = client_id,
            refused = %refused.join(" "),
            "development authorization server: scopes this server does not grant were dropped"
        );
    }
    tracing::info!(
        client = client_id,
        granted = %granted.join(" "),
        "development authorization server: approved as dev-user"
    );
    let scope = granted.join(" ");
    let code = random_token();
    {
        let mut store = s.store();
        let now = now_secs();
        store.codes.retain(|_, c| c.expires >= now);
        if store.codes.len() >= MAX_CODES {
            return fail(
                "temporarily_unavailable",
                "too many pending authorization codes; try again in a minute",
            );
        }
        store.codes.insert(
            code.clone(),
            Code {
                client_id: client_id.into(),
                redirect_uri: redirect_uri.into(),
                challenge: field("code_challenge").into(),
                scope,
                resource,
                expires: now + CODE_TTL,
            },
        );
    }
    let mut p = vec![("code", code.as_str()), ("iss", s.issuer.as_str())];
    if !state.is_empty() {
        p.push(("state", state));
    }
    redirect(redirect_uri, &p)
}

fn tokens(s: &DevAuthServer, client_id: &str, scope: &str, resource: &str) -> Response {
    let access = match s.issue("dev-user", client_id, scope, resource) {
        Ok(t) => t,
        Err(e) => {
            return oauth_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                &e.to_string(),
            )
        }
    };
    let refresh = random_token();
    {
        let mut store = s.store();
        if store.refresh.len() >= MAX_REFRESH {
            let oldest = store
                .refresh
                .iter()
                .min_by_key(|(_, r)| r.issued)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                store.refresh.remove(&k);
            }
        }
        store.refresh.insert(
            refresh.clone(),
            Refresh {
                client_id: client_id.into(),
                scope: scope.into(),
                resource: resource.into(),
                issued: now_secs(),
            },
        );
    }
    json_response(
        StatusCode::OK,
        &json!({
            "access_token": access, "token_type": "Bearer", "expires_in": TOKEN_TTL,
            "refresh_token": refresh, "scope": scope,
        }),
    )
}

async fn token(State(s): State<Arc<DevAuthServer>>, body: Bytes) -> Response {
    let form: HashMap<String, String> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    let bad = |e: &str, d: &str| oauth_error(StatusCode::BAD_REQUEST, e, d);
    match field("grant_type") {
        "authorization_code" => {
            let Some(code) = s.store().codes.remove(field("code")) else {
                return bad("invalid_grant", "unknown or used code");
            };
            if code.expires < now_secs() {
                return bad("invalid_grant", "the code has expired");
            }
            if code.client_id != field("client_id") || code.redirect_uri != field("redirect_uri") {
                return bad(
                    "invalid_grant",
                    "client_id or redirect_uri differ from the authorization request",
                );
            }
            let computed = B64.encode(Sha256::digest(field("code_verifier").as_bytes()));
            if field("code_verifier").len() < 43 || computed != code.challenge {
                return bad(
                    "invalid_grant",
                    "the code_verifier does not match the code_challenge",
                );
            }
            if !field("resource").is_empty() && field("resource") != code.resource {
                return bad(
                    "invalid_target",
                    "resource differs from the authorization request",
                );
            }
            tokens(&s, &code.client_id, &code.scope, &code.resource)
        }
        "refresh_token" => {
            let Some(r) = s.store().refresh.remove(field("refresh_token")) else {
                return bad("invalid_grant", "unknown refresh token");
            };
            if r.client_id != field("client_id") {
                return bad(
                    "invalid_grant",
                    "the refresh token belongs to another client",
                );
            }
            tokens(&s, &r.client_id, &r.scope, &r.resource)
        }
        _ => bad(
            "unsupported_grant_type",
            "use authorization_code or refresh_token",
        ),
    }
}
