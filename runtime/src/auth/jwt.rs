//! [`JwksVerifier`]: JWT access tokens signed by keys from a JWKS.

use super::config::{is_hmac, AuthConfig, AuthConfigError};
use super::{AccessToken, AuthError, TokenVerifier};
use base64::Engine as _;
use futures::future::BoxFuture;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, RwLock};

/// The largest JWKS document read (1 MiB).
const MAX_JWKS_BYTES: usize = 1 << 20;

#[derive(Default)]
struct KeyCache {
    keys: Vec<Jwk>,
    /// When the keys were last fetched successfully.
    fetched_at: Option<Instant>,
    /// When a fetch was last tried, and why it failed if it did.
    last_attempt: Option<Instant>,
    last_error: Option<String>,
}

impl KeyCache {
    fn matching(&self, kid: Option<&str>) -> Vec<Jwk> {
        self.keys
            .iter()
            .filter(|k| kid.is_none() || k.common.key_id.as_deref() == kid)
            .cloned()
            .collect()
    }
}

/// Verifies JWT access tokens against the keys of a JWKS: the signature
/// with an algorithm from the allow-list (never `none`, never HMAC), the
/// issuer, the audience (this resource, RFC 8707), `exp` and `nbf` with a
/// small leeway. Keys are cached for `MCP_AUTH_JWKS_CACHE_SECS`, fetched
/// again when a token names an unknown `kid`, at most once per
/// `MCP_AUTH_JWKS_MIN_REFRESH_SECS`.
pub struct JwksVerifier {
    jwks_url: String,
    client: reqwest::Client,
    issuer: Option<String>,
    audience: Vec<String>,
    algorithms: Vec<Algorithm>,
    leeway: Duration,
    ttl: Duration,
    min_refresh: Duration,
    cache: RwLock<KeyCache>,
    refresh: Mutex<()>,
}

impl std::fmt::Debug for JwksVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwksVerifier")
            .field("jwks_url", &self.jwks_url)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("algorithms", &self.algorithms)
            .finish_non_exhaustive()
    }
}

/// An HTTP client for the authorization server's endpoints.
pub(crate) fn http_client(timeout: Duration) -> Result<reqwest::Client, AuthConfigError> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| AuthConfigError::Invalid {
            var: "MCP_AUTH_HTTP_TIMEOUT_SECS",
            value: timeout.as_secs().to_string(),
            reason: format!("cannot build an HTTP client: {e}"),
        })
}

/// Reads a response body up to `limit` bytes.
pub(crate) async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
        if body.len() + chunk.len() > limit {
            return Err(format!("the answer is larger than {limit} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

impl JwksVerifier {
    /// A verifier for `config.jwks_url`, checking `config.issuer_url` (when
    /// set), `config.audience`, `config.algorithms` and `config.leeway`.
    pub fn new(config: &AuthConfig) -> Result<JwksVerifier, AuthConfigError> {
        let jwks_url = config
            .jwks_url
            .clone()
            .ok_or(AuthConfigError::Missing("MCP_AUTH_JWKS_URL"))?;
        if config.audience.is_empty() {
            return Err(AuthConfigError::Missing(
                "MCP_AUTH_AUDIENCE or MCP_AUTH_RESOURCE_URL",
            ));
        }
        let algorithms: Vec<Algorithm> = config
            .algorithms
            .iter()
            .copied()
            .filter(|a| !is_hmac(*a))
            .collect();
        if algorithms.is_empty() {
            return Err(AuthConfigError::Missing(
                "MCP_AUTH_ALGORITHMS (an asymmetric algorithm)",
            ));
        }
        Ok(JwksVerifier {
            jwks_url,
            client: http_client(config.http_timeout)?,
            issuer: config.issuer_url.clone(),
            audience: config.audience.clone(),
            algorithms,
            leeway: config.leeway,
            ttl: config.jwks_cache_ttl,
            min_refresh: config.jwks_min_refresh,
            cache: RwLock::new(KeyCache::default()),
            refresh: Mutex::new(()),
        })
    }

    async fn fetch(&self) -> Result<Vec<Jwk>, String> {
        let response = self
            .client
            .get(&self.jwks_url)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| format!("cannot fetch {}: {e}", self.jwks_url))?;
        if !response.status().is_success() {
            return Err(format!("{} answered {}", self.jwks_url, response.status()));
        }
        let body = read_limited(response, MAX_JWKS_BYTES).await?;
        let doc: Value = serde_json::from_slice(&body)
            .map_err(|e| format!("{} is not JSON: {e}", self.jwks_url))?;
        let Some(keys) = doc.get("keys").and_then(Value::as_array) else {
            return Err(format!("{} has no \"keys\" array", self.jwks_url));
        };
        // One unusable key (another kty, a private part) must not hide the rest.
        let keys: Vec<Jwk> = keys
            .iter()
            .filter_map(|k| match serde_json::from_value::<Jwk>(k.clone()) {
                Ok(jwk) => Some(jwk),
                Err(e) => {
                    tracing::debug!(error = %e, "skipping a JWKS key this server cannot use");
                    None
                }
            })
            .collect();
        Ok(keys)
    }

    /// The keys that may have signed a token with this `kid`: from the
    /// cache while fresh, fetched when stale or when the `kid` is unknown
    /// (rate-limited), the stale ones when a fetch fails.
    async fn keys(&self, kid: Option<&str>) -> Result<Vec<Jwk>, AuthError> {
        {
            let c = self.cache.read().await;
            let fresh = c.fetched_at.is_some_and(|t| t.elapsed() < self.ttl);
            let found = c.matching(kid);
            if fresh && !found.is_empty() {
                return Ok(found);
            }
        }
        let _single_flight = self.refresh.lock().await;
        {
            let c = self.cache.read().await;
            let fresh = c.fetched_at.is_some_and(|t| t.elapsed() < self.ttl);
            let found = c.matching(kid);
            if fresh && !found.is_empty() {
                return Ok(found);
            }
            let recently = c
                .last_attempt
                .is_some_and(|t| t.elapsed() < self.min_refresh);
            if recently {
                if c.fetched_at.is_none() {
                    return Err(AuthError::Unavailable(
                        c.last_error
                            .clone()
                            .unwrap_or_else(|| "no signing keys".into()),
                    ));
                }
                return Ok(found);
            }
        }
        let fetched = self.fetch().await;
        let mut c = self.cache.write().await;
        c.last_attempt = Some(Instant::now());
        match fetched {
            Ok(keys) => {
                tracing::debug!(url = %self.jwks_url, keys = keys.len(), "fetched the JWKS");
                c.keys = keys;
                c.fetched_at = Some(Instant::now());
                c.last_error = None;
                Ok(c.matching(kid))
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot refresh the JWKS");
                c.last_error = Some(e.clone());
                if c.fetched_at.is_some() {
                    Ok(c.matching(kid))
                } else {
                    Err(AuthError::Unavailable(e))
                }
            }
        }
    }

    fn validation(&self, alg: Algorithm) -> Validation {
        let mut v = Validation::new(alg);
        v.leeway = self.leeway.as_secs();
        v.validate_exp = true;
        v.validate_nbf = true;
        v.set_audience(&self.audience);
        let mut required = vec!["exp", "aud"];
        if let Some(iss) = &self.issuer {
            v.set_issuer(&[iss]);
            required.push("iss");
        }
        v.set_required_spec_claims(&required);
        v
    }

    async fn verify_jwt(&self, token: &str) -> Result<AccessToken, AuthError> {
        let alg = allowed_algorithm(token, &self.algorithms)?;
        let header = jsonwebtoken::decode_header(token).map_err(map_error)?;
        let kid = header.kid.as_deref();
        let keys: Vec<Jwk> = self
            .keys(kid)
            .await?
            .into_iter()
            .filter(|k| key_fits(k, alg))
            .collect();
        if keys.is_empty() {
            return Err(AuthError::Invalid(match kid {
                Some(kid) => format!("no {alg:?} key with kid {kid:?} in the JWKS"),
                None => format!("no {alg:?} key in the JWKS"),
            }));
        }
        let validation = self.validation(alg);
        let mut last = AuthError::Invalid("no key verifies the signature".into());
        for jwk in &keys {
            let Ok(key) = DecodingKey::from_jwk(jwk) else {
                continue;
            };
            match jsonwebtoken::decode::<Value>(token, &key, &validation) {
                Ok(data) => return Ok(AccessToken::from_claims(data.claims)),
                // Without a kid several keys may fit: try the next.
                Err(e) if matches!(e.kind(), ErrorKind::InvalidSignature) => last = map_error(e),
                Err(e) => return Err(map_error(e)),
            }
        }
        Err(last)
    }
}

impl TokenVerifier for JwksVerifier {
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<AccessToken, AuthError>> {
        Box::pin(self.verify_jwt(token))
    }
}

/// The token's `alg`, read before anything else so that `none`, HMAC and
/// algorithms off the list are refused by name.
fn allowed_algorithm(token: &str, allowed: &[Algorithm]) -> Result<Algorithm, AuthError> {
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(AuthError::Malformed(
            "not a JWT (three dot-separated parts)".into(),
        ));
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header.trim_end_matches('='))
        .map_err(|_| AuthError::Malformed("the JWT header is not base64url".into()))?;
    let header: Value = serde_json::from_slice(&bytes)
        .map_err(|_| AuthError::Malformed("the JWT header is not JSON".into()))?;
    let Some(name) = header.get("alg").and_then(Value::as_str) else {
        return Err(AuthError::Malformed("the JWT header has no \"alg\"".into()));
    };
    allowed
        .iter()
        .copied()
        .find(|a| format!("{a:?}") == name)
        .ok_or_else(|| AuthError::AlgorithmNotAllowed(name.to_string()))
}

/// Whether `jwk` is a public key for `alg` (an RSA key for RS/PS, the
/// right curve for ES, Ed25519 for EdDSA; never a shared secret), not
/// marked for encryption, and not pinned to another algorithm.
fn key_fits(jwk: &Jwk, alg: Algorithm) -> bool {
    if matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)) {
        return false;
    }
    if let Some(pinned) = &jwk.common.key_algorithm {
        if format!("{pinned:?}") != format!("{alg:?}") {
            return false;
        }
    }
    use Algorithm::*;
    match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => {
            matches!(alg, RS256 | RS384 | RS512 | PS256 | PS384 | PS512)
        }
        AlgorithmParameters::EllipticCurve(p) => matches!(
            (&p.curve, alg),
            (EllipticCurve::P256, ES256) | (EllipticCurve::P384, ES384)
        ),
        AlgorithmParameters::OctetKeyPair(p) => {
            matches!(p.curve, EllipticCurve::Ed25519) && alg == EdDSA
        }
        AlgorithmParameters::OctetKey(_) => false,
    }
}

/// A `jsonwebtoken` error as an [`AuthError`].
pub(crate) fn map_error(e: jsonwebtoken::errors::Error) -> AuthError {
    match e.kind() {
        ErrorKind::ExpiredSignature => AuthError::Expired,
        ErrorKind::ImmatureSignature => AuthError::NotYetValid,
        ErrorKind::InvalidAudience => AuthError::WrongAudience,
        ErrorKind::InvalidIssuer => AuthError::WrongIssuer,
        ErrorKind::MissingRequiredClaim(c) if c == "aud" => AuthError::WrongAudience,
        ErrorKind::MissingRequiredClaim(c) if c == "iss" => AuthError::WrongIssuer,
        ErrorKind::MissingRequiredClaim(c) => {
            AuthError::Invalid(format!("the token has no {c:?} claim"))
        }
        ErrorKind::InvalidSignature => AuthError::Invalid("the signature does not verify".into()),
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
            AuthError::AlgorithmNotAllowed("the key does not fit the algorithm".into())
        }
        ErrorKind::InvalidToken
        | ErrorKind::Base64(_)
        | ErrorKind::Json(_)
        | ErrorKind::Utf8(_) => AuthError::Malformed(e.to_string()),
        _ => AuthError::Invalid(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_and_hmac_are_refused_by_name() {
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let allowed = [Algorithm::RS256, Algorithm::ES256];
        let none = format!("{}.{}.", b64(r#"{"alg":"none"}"#), b64("{}"));
        assert_eq!(
            allowed_algorithm(&none, &allowed),
            Err(AuthError::AlgorithmNotAllowed("none".into()))
        );
        let hs = format!("{}.{}.sig", b64(r#"{"alg":"HS256"}"#), b64("{}"));
        assert_eq!(
            allowed_algorithm(&hs, &allowed),
            Err(AuthError::AlgorithmNotAllowed("HS256".into()))
        );
        assert!(matches!(
            allowed_algorithm("abc", &allowed),
            Err(AuthError::Malformed(_))
        ));
    }
}
