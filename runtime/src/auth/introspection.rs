//! [`IntrospectionVerifier`]: opaque tokens checked with the authorization
//! server (RFC 7662).

use super::config::{AuthConfig, AuthConfigError};
use super::jwt::{http_client, read_limited};
use super::{now_secs, AccessToken, AuthError, TokenVerifier};
use futures::future::BoxFuture;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The largest introspection answer read (256 KiB).
const MAX_ANSWER_BYTES: usize = 256 << 10;

/// The most introspection answers kept at once.
const MAX_CACHED: usize = 10_000;

/// Asks an RFC 7662 introspection endpoint about each token: `POST` of
/// `token` and `token_type_hint=access_token`, authenticated with HTTP Basic
/// when `MCP_AUTH_CLIENT_ID` is set. An inactive token is refused; so is
/// one whose `aud` (when present) does not name this resource, whose `iss`
/// (when present and an issuer is configured) differs, or whose `exp` has
/// passed. Active answers are reused for `MCP_AUTH_INTROSPECTION_CACHE_SECS`
/// (never past the token's `exp`), keyed by the token's SHA-256, so the
/// authorization server is not asked on every request.
pub struct IntrospectionVerifier {
    url: String,
    client: reqwest::Client,
    client_id: Option<String>,
    client_secret: Option<String>,
    issuer: Option<String>,
    audience: Vec<String>,
    leeway: u64,
    cache_ttl: Duration,
    cache: Mutex<HashMap<[u8; 32], (AccessToken, Instant)>>,
}

impl std::fmt::Debug for IntrospectionVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntrospectionVerifier")
            .field("url", &self.url)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl IntrospectionVerifier {
    /// A verifier for `config.introspection_url`.
    pub fn new(config: &AuthConfig) -> Result<IntrospectionVerifier, AuthConfigError> {
        let url = config
            .introspection_url
            .clone()
            .ok_or(AuthConfigError::Missing("MCP_AUTH_INTROSPECTION_URL"))?;
        Ok(IntrospectionVerifier {
            url,
            client: http_client(config.http_timeout)?,
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            issuer: config.issuer_url.clone(),
            audience: config.audience.clone(),
            leeway: config.leeway.as_secs(),
            cache_ttl: config.introspection_cache_ttl,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// A cached answer for `token`, or a fresh one (cached when active).
    async fn verify_cached(&self, token: &str) -> Result<AccessToken, AuthError> {
        if self.cache_ttl.is_zero() {
            return self.introspect(token).await;
        }
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let now = Instant::now();
        let hit = {
            let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            cache
                .get(&key)
                .filter(|(_, until)| *until > now)
                .map(|(t, _)| t.clone())
        };
        if let Some(token) = hit {
            return Ok(token);
        }
        let answer = self.introspect(token).await?;
        // Kept no longer than the token lives.
        let lifetime = answer
            .expires_at
            .map(|exp| Duration::from_secs(exp.saturating_sub(now_secs())))
            .map_or(self.cache_ttl, |left| left.min(self.cache_ttl));
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= MAX_CACHED {
            cache.retain(|_, (_, until)| *until > now);
            if cache.len() >= MAX_CACHED {
                cache.clear();
            }
        }
        cache.insert(key, (answer.clone(), now + lifetime));
        Ok(answer)
    }

    async fn introspect(&self, token: &str) -> Result<AccessToken, AuthError> {
        let body =
            serde_urlencoded::to_string([("token", token), ("token_type_hint", "access_token")])
                .map_err(|e| AuthError::Malformed(e.to_string()))?;
        let mut request = self
            .client
            .post(&self.url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(body);
        if let Some(id) = &self.client_id {
            request = request.basic_auth(id, self.client_secret.as_deref());
        }
        let response = request
            .send()
            .await
            .map_err(|e| AuthError::Unavailable(format!("cannot reach {}: {e}", self.url)))?;
        if !response.status().is_success() {
            return Err(AuthError::Unavailable(format!(
                "{} answered {}",
                self.url,
                response.status()
            )));
        }
        let bytes = read_limited(response, MAX_ANSWER_BYTES)
            .await
            .map_err(AuthError::Unavailable)?;
        let answer: Value = serde_json::from_slice(&bytes).map_err(|e| {
            AuthError::Unavailable(format!("{} answered something not JSON: {e}", self.url))
        })?;
        check_answer(answer, self.issuer.as_deref(), &self.audience, self.leeway)
    }
}

/// Judges an introspection answer.
fn check_answer(
    answer: Value,
    issuer: Option<&str>,
    audience: &[String],
    leeway: u64,
) -> Result<AccessToken, AuthError> {
    if answer.get("active").and_then(Value::as_bool) != Some(true) {
        return Err(AuthError::Inactive);
    }
    if let (Some(want), Some(got)) = (issuer, answer.get("iss").and_then(Value::as_str)) {
        if want.trim_end_matches('/') != got.trim_end_matches('/') {
            return Err(AuthError::WrongIssuer);
        }
    }
    if !audience.is_empty() {
        let names: Vec<&str> = match answer.get("aud") {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if answer.get("aud").is_some() && !names.iter().any(|n| audience.iter().any(|a| a == n)) {
            return Err(AuthError::WrongAudience);
        }
    }
    let now = now_secs();
    let token = AccessToken::from_claims(answer);
    if token
        .expires_at
        .is_some_and(|exp| exp.saturating_add(leeway) < now)
    {
        return Err(AuthError::Expired);
    }
    if let Some(nbf) = token.claims.get("nbf").and_then(Value::as_u64) {
        if nbf > now.saturating_add(leeway) {
            return Err(AuthError::NotYetValid);
        }
    }
    Ok(token)
}

impl TokenVerifier for IntrospectionVerifier {
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<AccessToken, AuthError>> {
        Box::pin(self.verify_cached(token))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_are_judged() {
        let aud = vec!["https://mcp/mcp".to_string()];
        assert_eq!(
            check_answer(json!({"active": false}), None, &aud, 0),
            Err(AuthError::Inactive)
        );
        assert_eq!(
            check_answer(json!({"active": true, "aud": "other"}), None, &aud, 0),
            Err(AuthError::WrongAudience)
        );
        assert_eq!(
            check_answer(json!({"active": true, "exp": 1}), None, &aud, 0),
            Err(AuthError::Expired)
        );
        let ok = check_answer(
            json!({"active": true, "aud": ["https://mcp/mcp"], "scope": "read", "client_id": "c"}),
            None,
            &aud,
            0,
        );
        assert_eq!(ok.map(|t| t.scopes), Ok(vec!["read".to_string()]));
    }
}
