//! The HTTP side: [`protect`] wraps a router so that the MCP endpoint needs a
//! bearer token, and serves Protected Resource Metadata (RFC 9728).

use super::{AccessToken, Auth, AuthConfig, AuthError, INSUFFICIENT_SCOPE_CODE, UNAUTHORIZED_CODE};
use crate::protocol::jsonrpc::{encode_error, ErrorObject};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use std::sync::Arc;

/// Where Protected Resource Metadata is served; the endpoint's own copy is
/// this plus its path (`/.well-known/oauth-protected-resource/mcp`).
pub const METADATA_PATH: &str = "/.well-known/oauth-protected-resource";

struct Guarded {
    auth: Arc<Auth>,
    /// The MCP endpoint's path, as announced in the metadata URL.
    resource_path: String,
    /// Every path that needs a token (with and without a trailing slash).
    protected: Vec<String>,
}

/// The same path with and without a trailing slash.
fn both_forms(path: &str) -> Vec<String> {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return vec!["/".to_string()];
    }
    vec![trimmed.to_string(), format!("{trimmed}/")]
}

fn normalize(path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    }
}

/// Wraps `router` so that requests to `mcp_path` (with or without a
/// trailing slash) need a valid bearer token, and serves Protected Resource
/// Metadata at [`METADATA_PATH`] and [`METADATA_PATH`]`{mcp_path}`. Other
/// routes stay public. See [`protect_paths`].
///
/// Call it last: a route added to the returned router is not guarded.
pub fn protect(router: Router, auth: Arc<Auth>, mcp_path: &str) -> Router {
    protect_paths(router, auth, mcp_path, &[mcp_path])
}

/// Like [`protect`], with several protected paths (the Streamable HTTP
/// endpoint and the legacy SSE pair, say); `resource_path` is the one
/// named in the metadata URL.
///
/// A request to a protected path without a token gets 401 with
/// `WWW-Authenticate: Bearer resource_metadata="…"` (and `scope` when
/// scopes are required); an invalid token adds `error="invalid_token"`; a
/// token without every required scope gets 403 with
/// `error="insufficient_scope"` and the scopes needed; a token that cannot
/// be checked now (keys unreachable) gets 503. The body is a JSON-RPC error.
/// CORS preflights (`OPTIONS`) pass without a token. On success the token
/// is in the request's extensions as `Arc<AccessToken>`.
pub fn protect_paths(
    router: Router,
    auth: Arc<Auth>,
    resource_path: &str,
    protected: &[&str],
) -> Router {
    let resource_path = normalize(resource_path);
    let state = Arc::new(Guarded {
        auth,
        protected: protected
            .iter()
            .flat_map(|p| both_forms(&normalize(p)))
            .collect(),
        resource_path: resource_path.clone(),
    });
    let inner = router.layer(middleware::from_fn_with_state(state.clone(), guard));
    let mut paths = vec![METADATA_PATH.to_string()];
    if !resource_path.trim_end_matches('/').is_empty() {
        paths.push(format!(
            "{METADATA_PATH}{}",
            resource_path.trim_end_matches('/')
        ));
    }
    let mut outer = Router::new();
    for path in paths {
        let s = state.clone();
        let handler = get(move |headers: HeaderMap| {
            let s = s.clone();
            async move { metadata_response(&s, &headers) }
        })
        .options(|| async { preflight() });
        outer = outer.route(&path, handler);
    }
    outer.fallback_service(inner)
}

/// The scheme and authority the client used (`https://mcp.example.com`):
/// from the configured resource URL, else from `X-Forwarded-Proto` /
/// `X-Forwarded-Host` / `Host`.
fn origin(config: &AuthConfig, headers: &HeaderMap) -> String {
    if let Some(url) = &config.resource_url {
        if let Some((scheme, rest)) = url.split_once("://") {
            let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
            return format!("{scheme}://{authority}");
        }
    }
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_graphic() && c != '"'))
    };
    let scheme = text("x-forwarded-proto")
        .filter(|p| p == "http" || p == "https")
        .unwrap_or_else(|| "http".into());
    let host = text("x-forwarded-host")
        .or_else(|| text("host"))
        .unwrap_or_else(|| "localhost".into());
    format!("{scheme}://{host}")
}

/// The resource URL and its metadata URL for this request.
fn urls(s: &Guarded, headers: &HeaderMap) -> (String, String) {
    let config = s.auth.config();
    let origin = origin(config, headers);
    let resource = config
        .resource_url
        .clone()
        .unwrap_or_else(|| format!("{origin}{}", s.resource_path));
    let path = s.resource_path.trim_end_matches('/');
    (resource, format!("{origin}{METADATA_PATH}{path}"))
}

/// The Protected Resource Metadata document (RFC 9728 §2) for `resource`.
pub fn metadata_document(config: &AuthConfig, resource: &str) -> Value {
    let mut doc = json!({
        "resource": resource,
        "bearer_methods_supported": ["header"],
    });
    if !config.authorization_servers.is_empty() {
        doc["authorization_servers"] = json!(config.authorization_servers);
    }
    if !config.scopes_supported.is_empty() {
        doc["scopes_supported"] = json!(config.scopes_supported);
    }
    if !config.algorithms.is_empty() && config.jwks_url.is_some() {
        let names: Vec<String> = config.algorithms.iter().map(|a| format!("{a:?}")).collect();
        doc["resource_signing_alg_values_supported"] = json!(names);
    }
    if let Some(name) = &config.resource_name {
        doc["resource_name"] = json!(name);
    }
    if let Some(url) = &config.resource_documentation {
        doc["resource_documentation"] = json!(url);
    }
    doc
}

fn cors(response: &mut Response) {
    let h = response.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
}

fn preflight() -> Response {
    let mut r = StatusCode::NO_CONTENT.into_response();
    cors(&mut r);
    let h = r.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, OPTIONS"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("*"),
    );
    r
}

fn metadata_response(s: &Guarded, headers: &HeaderMap) -> Response {
    let (resource, _) = urls(s, headers);
    let body = metadata_document(s.auth.config(), &resource).to_string();
    let mut r = (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            ),
        ],
        body,
    )
        .into_response();
    cors(&mut r);
    r
}

/// Keeps what may stand inside a quoted `WWW-Authenticate` parameter
/// (RFC 6750 §3: printable ASCII without `"` and `\`).
fn quotable(text: &str) -> String {
    text.chars()
        .filter(|c| (' '..='~').contains(c) && *c != '"' && *c != '\\')
        .collect()
}

/// A `WWW-Authenticate: Bearer …` value (RFC 6750 §3, RFC 9728 §5.1):
/// `error` and `error_description` when given, `scope` when `scopes` is not
/// empty, and always `resource_metadata`.
pub fn challenge_header(
    error: Option<&str>,
    description: Option<&str>,
    scopes: &[String],
    resource_metadata: &str,
) -> String {
    let mut parts = Vec::new();
    if let Some(e) = error {
        parts.push(format!("error=\"{}\"", quotable(e)));
    }
    if let Some(d) = description {
        parts.push(format!("error_description=\"{}\"", quotable(d)));
    }
    if !scopes.is_empty() {
        parts.push(format!("scope=\"{}\"", quotable(&scopes.join(" "))));
    }
    parts.push(format!(
        "resource_metadata=\"{}\"",
        quotable(resource_metadata)
    ));
    format!("Bearer {}", parts.join(", "))
}

fn refusal(
    status: StatusCode,
    challenge: Option<String>,
    oauth_error: &str,
    message: &str,
) -> Response {
    let code = if status == StatusCode::FORBIDDEN {
        INSUFFICIENT_SCOPE_CODE
    } else {
        UNAUTHORIZED_CODE
    };
    let error = ErrorObject::new(code, message.to_string())
        .with_data(json!({ "error": oauth_error, "error_description": message }));
    let mut r = (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        encode_error(None, &error),
    )
        .into_response();
    if let Some(c) = challenge {
        match HeaderValue::from_str(&c) {
            Ok(v) => {
                r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
            }
            Err(e) => tracing::warn!(error = %e, "cannot send the WWW-Authenticate header"),
        }
        r.headers_mut().insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("WWW-Authenticate"),
        );
    }
    r
}

/// The bearer token of a request: `Err(Missing)` without an
/// `Authorization: Bearer` header, `Err(Malformed)` for an empty or
/// repeated one.
fn bearer(headers: &HeaderMap) -> Result<&str, AuthError> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Err(AuthError::Missing);
    };
    if values.next().is_some() {
        return Err(AuthError::Malformed(
            "more than one Authorization header".into(),
        ));
    }
    let value = value
        .to_str()
        .map_err(|_| AuthError::Malformed("the Authorization header is not ASCII".into()))?;
    let (scheme, token) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthError::Missing);
    }
    let token = token.trim();
    if token.is_empty() || token.contains(char::is_whitespace) {
        return Err(AuthError::Malformed(
            "the bearer token is empty or has spaces".into(),
        ));
    }
    Ok(token)
}

async fn guard(State(s): State<Arc<Guarded>>, mut request: Request, next: Next) -> Response {
    if request.method() == Method::OPTIONS || !s.protected.iter().any(|p| p == request.uri().path())
    {
        return next.run(request).await;
    }
    let required = &s.auth.config().required_scopes;
    let (_, metadata) = urls(&s, request.headers());
    let verified = match bearer(request.headers()) {
        // Bound to the bearer token: a token naming no one is then a
        // principal of its own (legacy sessions compare it).
        Ok(token) => s.auth.verify(token).await.map(|t| t.bind(token)),
        Err(e) => Err(e),
    };
    match verified {
        Ok(token) => {
            let missing = token.missing_scopes(required);
            if !missing.is_empty() {
                let message = format!("insufficient scope: needs {}", missing.join(" "));
                let challenge = challenge_header(
                    Some("insufficient_scope"),
                    Some(&message),
                    required,
                    &metadata,
                );
                return refusal(
                    StatusCode::FORBIDDEN,
                    Some(challenge),
                    "insufficient_scope",
                    &message,
                );
            }
            request.extensions_mut().insert(Arc::new(token));
            let response = next.run(request).await;
            if response.status() == StatusCode::FORBIDDEN
                && !response.headers().contains_key(header::WWW_AUTHENTICATE)
            {
                return scope_challenge(response, required, &metadata).await;
            }
            response
        }
        Err(AuthError::Missing) => {
            let challenge = challenge_header(None, None, required, &metadata);
            refusal(
                StatusCode::UNAUTHORIZED,
                Some(challenge),
                "invalid_request",
                "Unauthorized: this endpoint needs an OAuth bearer token",
            )
        }
        Err(e) if !e.is_client_error() => {
            tracing::warn!(error = %e, "cannot verify a bearer token");
            refusal(
                StatusCode::SERVICE_UNAVAILABLE,
                None,
                "temporarily_unavailable",
                "Tokens cannot be verified now; try again later",
            )
        }
        Err(e) => {
            tracing::debug!(error = %e, "refused a bearer token");
            let message = format!("Unauthorized: {e}");
            let challenge = challenge_header(
                Some("invalid_token"),
                Some(&e.to_string()),
                required,
                &metadata,
            );
            refusal(
                StatusCode::UNAUTHORIZED,
                Some(challenge),
                "invalid_token",
                &message,
            )
        }
    }
}

/// A 403 from inside (dispatch refusing a tool, resource or prompt whose
/// scopes the token lacks, JSON-RPC error [`INSUFFICIENT_SCOPE_CODE`] with
/// `data.scope`) gets its `WWW-Authenticate: Bearer
/// error="insufficient_scope"` challenge here, naming the scopes needed.
async fn scope_challenge(response: Response, required: &[String], metadata: &str) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 << 10).await else {
        return (parts.status, "").into_response();
    };
    let needed: Vec<String> = serde_json::from_slice::<Value>(&bytes)
        .ok()
        .filter(|v| v["error"]["code"] == INSUFFICIENT_SCOPE_CODE)
        .and_then(|v| v["error"]["data"]["scope"].as_str().map(str::to_string))
        .map(|s| s.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    let mut scopes: Vec<String> = required.to_vec();
    for s in needed {
        if !scopes.contains(&s) {
            scopes.push(s);
        }
    }
    let challenge = challenge_header(Some("insufficient_scope"), None, &scopes, metadata);
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        parts.headers.insert(header::WWW_AUTHENTICATE, v);
        parts.headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("WWW-Authenticate"),
        );
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// The verified token of a request, put there by [`protect`].
pub fn token_of(request: &Request) -> Option<Arc<AccessToken>> {
    request.extensions().get::<Arc<AccessToken>>().cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_quote_their_parameters() {
        let c = challenge_header(
            Some("invalid_token"),
            Some("bad \"sig\""),
            &["read".into(), "write".into()],
            "https://h/.well-known/oauth-protected-resource/mcp",
        );
        assert_eq!(
            c,
            "Bearer error=\"invalid_token\", error_description=\"bad sig\", scope=\"read write\", resource_metadata=\"https://h/.well-known/oauth-protected-resource/mcp\""
        );
    }
}
