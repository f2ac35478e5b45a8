//! [`StaticTokenVerifier`]: fixed tokens, for development only.

use super::{AccessToken, AuthError, TokenVerifier};
use futures::future::BoxFuture;
use serde_json::json;
use sha2::{Digest, Sha256};

/// Accepts a fixed list of tokens, each with its scopes
/// (`MCP_AUTH_DEV_TOKENS=TOKEN:scope scope;OTHER`).
///
/// **For development only**: the tokens never expire and are not bound to
/// a user. Building one logs a warning.
pub struct StaticTokenVerifier {
    /// SHA-256 of each token, so that comparing does not leak by timing.
    tokens: Vec<([u8; 32], AccessToken)>,
}

impl std::fmt::Debug for StaticTokenVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaticTokenVerifier")
            .field("tokens", &self.tokens.len())
            .finish()
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl StaticTokenVerifier {
    /// A verifier accepting these `(token, scopes)` pairs. Logs a warning:
    /// fixed tokens are for development only.
    pub fn new(tokens: Vec<(String, Vec<String>)>) -> StaticTokenVerifier {
        tracing::warn!(
            "AUTH: accepting {} fixed development token(s) (MCP_AUTH_DEV_TOKENS). \
             THIS IS FOR DEVELOPMENT ONLY: never expose this server with fixed tokens.",
            tokens.len()
        );
        let tokens = tokens
            .into_iter()
            .enumerate()
            .map(|(i, (token, scopes))| {
                let access = AccessToken {
                    subject: Some(format!("dev-user-{}", i + 1)),
                    client_id: Some("dev-client".into()),
                    scopes: scopes.clone(),
                    expires_at: None,
                    claims: json!({
                        "sub": format!("dev-user-{}", i + 1),
                        "client_id": "dev-client",
                        "scope": scopes.join(" "),
                    }),
                    token_digest: None,
                };
                (digest(&token), access)
            })
            .collect();
        StaticTokenVerifier { tokens }
    }
}

impl TokenVerifier for StaticTokenVerifier {
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<AccessToken, AuthError>> {
        let d = digest(token);
        // Every entry is compared, so the time does not tell which matched.
        let mut found = None;
        for (h, access) in &self.tokens {
            let same = h
                .iter()
                .zip(d.iter())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
            if same && found.is_none() {
                found = Some(access.clone());
            }
        }
        Box::pin(async move { found.ok_or_else(|| AuthError::Invalid("unknown token".into())) })
    }
}
