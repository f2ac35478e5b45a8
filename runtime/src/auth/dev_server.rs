//! A **development** OAuth 2.1 authorization server, so that an MCP server
//! and its clients can run the whole OAuth flow on one machine.
//!
//! **Not for production**: it approves every authorization request at once
//! for a single user (`dev-user`), keeps clients, codes and refresh tokens
//! in memory, and signs with an Ed25519 key that is made at start (or kept
//! in a file, [`DevAuthServer::with_key_file`]). Building one logs a loud
//! warning.
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
use super::jwt::{http_client, map_error, read_limited};
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
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;
/// How long an authorization code is good for.
const CODE_TTL: u64 = 60;
/// How long an access token is good for.
const TOKEN_TTL: u64 = 3600;

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
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    public_x: String,
    store: Mutex<Store>,
    client: reqwest::Client,
}

impl std::fmt::Debug for DevAuthServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevAuthServer")
            .field("issuer", &self.issuer)
            .field("resource", &self.resource)
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
        Ok(DevAuthServer {
            issuer: issuer.trim_end_matches('/').to_string(),
            resource,
            scopes: Vec::new(),
            kid,
            encoding: EncodingKey::from_ed_der(pkcs8),
            decoding,
            public_x,
            store: Mutex::new(Store::default()),
            client: http_client(Duration::from_secs(10))?,
        })
    }

    /// The scopes it announces, and grants when a client asks for none.
    pub fn scopes<I: IntoIterator<Item = S>, S: Into<String>>(mut self, scopes: I) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
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
        let response = self
            .client
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
        let body = read_limited(response, 64 << 10).await?;
        let doc: Value = serde_json::from_slice(&body)
            .map_err(|e| format!("the client metadata document is not JSON: {e}"))?;
        if doc.get("client_id").and_then(Value::as_str) != Some(client_id) {
            return Err("the client metadata document names another client_id".into());
        }
        Ok(string_list(doc.get("redirect_uris")))
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

/// Whether a redirect URI is acceptable at all: https, or http on loopback.
fn redirect_ok(uri: &str) -> bool {
    check_url("redirect_uri", uri, false).is_ok() || uri.contains("://") && !uri.starts_with("http")
}

async fn register(State(s): State<Arc<DevAuthServer>>, body: Bytes) -> Response {
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_client_metadata",
            "the body is not JSON",
        );
    };
    let uris = string_list(request.get("redirect_uris"));
    if uris.is_empty() || !uris.iter().all(|u| redirect_ok(u)) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_redirect_uri",
            "redirect_uris must be https URLs, loopback http URLs or app schemes",
        );
    }
    let client_id = format!("dev-{}", random_token());
    s.store().clients.insert(client_id.clone(), uris.clone());
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
    let scope = match field("scope") {
        "" => s.scopes.join(" "),
        sc => sc.to_string(),
    };
    let code = random_token();
    s.store().codes.insert(
        code.clone(),
        Code {
            client_id: client_id.into(),
            redirect_uri: redirect_uri.into(),
            challenge: field("code_challenge").into(),
            scope,
            resource,
            expires: now_secs() + CODE_TTL,
        },
    );
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
    s.store().refresh.insert(
        refresh.clone(),
        Refresh {
            client_id: client_id.into(),
            scope: scope.into(),
            resource: resource.into(),
        },
    );
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
