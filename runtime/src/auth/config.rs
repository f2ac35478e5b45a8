//! [`AuthConfig`]: what the resource server trusts, from `MCP_AUTH_*`.

use super::Algorithm;
use std::str::FromStr;
use std::time::Duration;

/// A configuration error, naming the variable at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthConfigError {
    /// A variable has a value that cannot be used.
    #[error("{var}={value:?}: {reason}")]
    Invalid {
        /// The variable.
        var: &'static str,
        /// Its value.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A variable the configuration needs is not set.
    #[error("auth is configured but {0} is not set")]
    Missing(&'static str),
}

/// The default algorithm allow-list: RS256, ES256, EdDSA.
pub const DEFAULT_ALGORITHMS: [Algorithm; 3] =
    [Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA];

/// What the resource server trusts and announces. Built by
/// [`AuthConfig::from_env`] from `MCP_AUTH_*` variables, or written out
/// (start from [`AuthConfig::default`]).
#[derive(Clone)]
pub struct AuthConfig {
    /// `MCP_AUTH_RESOURCE_URL`: the canonical URL of this MCP server (for
    /// example `https://mcp.example.com/mcp`): the `resource` of the
    /// metadata, and the default audience. When unset, the metadata is
    /// built from the request's `Host`.
    pub resource_url: Option<String>,
    /// `MCP_AUTH_ISSUER_URL`: the authorization server's issuer; tokens
    /// must carry it as `iss` (when set).
    pub issuer_url: Option<String>,
    /// `MCP_AUTH_AUTHORIZATION_SERVERS` (comma or space separated): the
    /// `authorization_servers` of the metadata; defaults to the issuer.
    pub authorization_servers: Vec<String>,
    /// `MCP_AUTH_JWKS_URL`: where the issuer's signing keys are.
    pub jwks_url: Option<String>,
    /// `MCP_AUTH_AUDIENCE` (comma or space separated): accepted `aud`
    /// values; defaults to the resource URL (RFC 8707).
    pub audience: Vec<String>,
    /// `MCP_AUTH_INTROSPECTION_URL`: an RFC 7662 introspection endpoint.
    pub introspection_url: Option<String>,
    /// `MCP_AUTH_CLIENT_ID`: this server's client id at the introspection
    /// endpoint (HTTP Basic).
    pub client_id: Option<String>,
    /// `MCP_AUTH_CLIENT_SECRET`: its secret.
    pub client_secret: Option<String>,
    /// `MCP_AUTH_REQUIRED_SCOPES` (comma or space separated): scopes every
    /// request to the MCP endpoint needs.
    pub required_scopes: Vec<String>,
    /// `MCP_AUTH_SCOPES_SUPPORTED`: the `scopes_supported` of the metadata;
    /// defaults to the required scopes.
    pub scopes_supported: Vec<String>,
    /// `MCP_AUTH_ALGORITHMS`: the JWT algorithms accepted (default RS256,
    /// ES256, EdDSA). HMAC algorithms are refused: a JWKS holds public keys.
    pub algorithms: Vec<Algorithm>,
    /// `MCP_AUTH_LEEWAY_SECS`: clock skew allowed on `exp` and `nbf`
    /// (default 60).
    pub leeway: Duration,
    /// `MCP_AUTH_JWKS_CACHE_SECS`: how long fetched keys are used before
    /// they are fetched again (default 600).
    pub jwks_cache_ttl: Duration,
    /// `MCP_AUTH_JWKS_MIN_REFRESH_SECS`: the least time between two fetches
    /// caused by an unknown `kid` (default 30).
    pub jwks_min_refresh: Duration,
    /// `MCP_AUTH_HTTP_TIMEOUT_SECS`: timeout of JWKS and introspection
    /// calls (default 10).
    pub http_timeout: Duration,
    /// `MCP_AUTH_INTROSPECTION_CACHE_SECS`: how long an active
    /// introspection answer is reused for the same token, never past the
    /// token's `exp` (default 60; 0 asks every time). A revoked token may
    /// keep working this long.
    pub introspection_cache_ttl: Duration,
    /// `MCP_AUTH_DEV_TOKENS`: fixed tokens for development, `;` separated,
    /// each `TOKEN` or `TOKEN:scope scope`. Never in production.
    pub dev_tokens: Vec<(String, Vec<String>)>,
    /// `MCP_AUTH_RESOURCE_NAME`: `resource_name` of the metadata.
    pub resource_name: Option<String>,
    /// `MCP_AUTH_RESOURCE_DOCUMENTATION`: `resource_documentation` of the
    /// metadata.
    pub resource_documentation: Option<String>,
    /// `MCP_AUTH_ALLOW_INSECURE_HTTP`: allow `http://` JWKS and
    /// introspection URLs on hosts other than loopback (default false).
    pub allow_insecure_http: bool,
}

impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthConfig")
            .field("resource_url", &self.resource_url)
            .field("issuer_url", &self.issuer_url)
            .field("authorization_servers", &self.authorization_servers)
            .field("jwks_url", &self.jwks_url)
            .field("audience", &self.audience)
            .field("introspection_url", &self.introspection_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "***"))
            .field("required_scopes", &self.required_scopes)
            .field("algorithms", &self.algorithms)
            .field("leeway", &self.leeway)
            .field("dev_tokens", &self.dev_tokens.len())
            .finish_non_exhaustive()
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            resource_url: None,
            issuer_url: None,
            authorization_servers: Vec::new(),
            jwks_url: None,
            audience: Vec::new(),
            introspection_url: None,
            client_id: None,
            client_secret: None,
            required_scopes: Vec::new(),
            scopes_supported: Vec::new(),
            algorithms: DEFAULT_ALGORITHMS.to_vec(),
            leeway: Duration::from_secs(60),
            jwks_cache_ttl: Duration::from_secs(600),
            jwks_min_refresh: Duration::from_secs(30),
            http_timeout: Duration::from_secs(10),
            introspection_cache_ttl: Duration::from_secs(60),
            dev_tokens: Vec::new(),
            resource_name: None,
            resource_documentation: None,
            allow_insecure_http: false,
        }
    }
}

/// Every variable [`AuthConfig::from_lookup`] reads.
pub const AUTH_VARIABLES: [&str; 20] = [
    "MCP_AUTH_RESOURCE_URL",
    "MCP_AUTH_ISSUER_URL",
    "MCP_AUTH_AUTHORIZATION_SERVERS",
    "MCP_AUTH_JWKS_URL",
    "MCP_AUTH_AUDIENCE",
    "MCP_AUTH_INTROSPECTION_URL",
    "MCP_AUTH_CLIENT_ID",
    "MCP_AUTH_CLIENT_SECRET",
    "MCP_AUTH_REQUIRED_SCOPES",
    "MCP_AUTH_SCOPES_SUPPORTED",
    "MCP_AUTH_ALGORITHMS",
    "MCP_AUTH_LEEWAY_SECS",
    "MCP_AUTH_JWKS_CACHE_SECS",
    "MCP_AUTH_JWKS_MIN_REFRESH_SECS",
    "MCP_AUTH_HTTP_TIMEOUT_SECS",
    "MCP_AUTH_INTROSPECTION_CACHE_SECS",
    "MCP_AUTH_DEV_TOKENS",
    "MCP_AUTH_RESOURCE_NAME",
    "MCP_AUTH_RESOURCE_DOCUMENTATION",
    "MCP_AUTH_ALLOW_INSECURE_HTTP",
];

/// Splits a list on commas and whitespace.
pub(crate) fn split_list(value: &str) -> Vec<String> {
    value
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn invalid(var: &'static str, value: &str, reason: impl Into<String>) -> AuthConfigError {
    AuthConfigError::Invalid {
        var,
        value: value.to_string(),
        reason: reason.into(),
    }
}

/// Checks an absolute `http(s)` URL; plain `http` only on loopback unless
/// `insecure` (OAuth 2.1 wants TLS everywhere else).
pub(crate) fn check_url(
    var: &'static str,
    value: &str,
    insecure: bool,
) -> Result<(), AuthConfigError> {
    let (scheme, rest) = value
        .split_once("://")
        .ok_or_else(|| invalid(var, value, "not an absolute URL (https://…)"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() {
        return Err(invalid(var, value, "the URL has no host"));
    }
    let host = match authority.rsplit_once('@') {
        Some((_, h)) => h,
        None => authority,
    };
    let host = if host.starts_with('[') {
        host.split(']')
            .next()
            .map(|h| format!("{h}]"))
            .unwrap_or_default()
    } else {
        host.split(':').next().unwrap_or_default().to_string()
    };
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(()),
        "http" if insecure || matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]") => {
            Ok(())
        }
        "http" => Err(invalid(
            var,
            value,
            "plain http is only allowed on loopback (set MCP_AUTH_ALLOW_INSECURE_HTTP=true to override)",
        )),
        _ => Err(invalid(var, value, "the scheme must be https")),
    }
}

impl AuthConfig {
    /// The configuration from the process environment, or `None` when no
    /// `MCP_AUTH_*` variable is set (auth off).
    pub fn from_env() -> Result<Option<AuthConfig>, AuthConfigError> {
        AuthConfig::from_lookup(|var| std::env::var(var).ok())
    }

    /// The configuration from any lookup (builder overrides, then the
    /// environment, say), or `None` when none of [`AUTH_VARIABLES`] has a
    /// non-empty value.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<AuthConfig>, AuthConfigError> {
        let config = AuthConfig::read_lookup(lookup)?;
        if let Some(c) = &config {
            c.validate()?;
        }
        Ok(config)
    }

    /// Like [`AuthConfig::from_lookup`], without asking for a verifier: the
    /// development authorization server brings its own, and takes the
    /// resource URL, scopes and metadata texts from here.
    pub(crate) fn read_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<AuthConfig>, AuthConfigError> {
        let get = |var: &str| {
            lookup(var)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        if AUTH_VARIABLES.iter().all(|v| get(v).is_none()) {
            return Ok(None);
        }
        let allow_insecure_http = match get("MCP_AUTH_ALLOW_INSECURE_HTTP") {
            None => false,
            Some(v) => match v.to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => true,
                "0" | "false" | "no" | "off" => false,
                _ => {
                    return Err(invalid(
                        "MCP_AUTH_ALLOW_INSECURE_HTTP",
                        &v,
                        "expected true or false",
                    ))
                }
            },
        };
        let mut c = AuthConfig {
            allow_insecure_http,
            ..AuthConfig::default()
        };
        let insecure = c.allow_insecure_http;
        let url = |var: &'static str, strict: bool| -> Result<Option<String>, AuthConfigError> {
            match get(var) {
                None => Ok(None),
                Some(v) => {
                    check_url(var, &v, insecure || !strict)?;
                    Ok(Some(v))
                }
            }
        };
        // The resource and issuer are identifiers compared as text; the
        // endpoints the server calls must be TLS (or loopback).
        c.resource_url = url("MCP_AUTH_RESOURCE_URL", false)?;
        c.issuer_url = url("MCP_AUTH_ISSUER_URL", false)?;
        c.jwks_url = url("MCP_AUTH_JWKS_URL", true)?;
        c.introspection_url = url("MCP_AUTH_INTROSPECTION_URL", true)?;
        c.resource_documentation = url("MCP_AUTH_RESOURCE_DOCUMENTATION", false)?;
        c.authorization_servers = match get("MCP_AUTH_AUTHORIZATION_SERVERS") {
            Some(v) => {
                let list = split_list(&v);
                for s in &list {
                    check_url("MCP_AUTH_AUTHORIZATION_SERVERS", s, true)?;
                }
                list
            }
            None => c.issuer_url.iter().cloned().collect(),
        };
        c.audience = match get("MCP_AUTH_AUDIENCE") {
            Some(v) => split_list(&v),
            None => c.resource_url.iter().cloned().collect(),
        };
        c.client_id = get("MCP_AUTH_CLIENT_ID");
        c.client_secret = get("MCP_AUTH_CLIENT_SECRET");
        if c.client_secret.is_some() && c.client_id.is_none() {
            return Err(AuthConfigError::Missing(
                "MCP_AUTH_CLIENT_ID (MCP_AUTH_CLIENT_SECRET is set)",
            ));
        }
        c.required_scopes = get("MCP_AUTH_REQUIRED_SCOPES")
            .map(|v| split_list(&v))
            .unwrap_or_default();
        c.scopes_supported = get("MCP_AUTH_SCOPES_SUPPORTED")
            .map(|v| split_list(&v))
            .unwrap_or_else(|| c.required_scopes.clone());
        if let Some(v) = get("MCP_AUTH_ALGORITHMS") {
            c.algorithms = parse_algorithms(&v)?;
        }
        let secs = |var: &'static str, default: Duration| -> Result<Duration, AuthConfigError> {
            match get(var) {
                None => Ok(default),
                Some(v) => v
                    .parse::<u64>()
                    .map(Duration::from_secs)
                    .map_err(|_| invalid(var, &v, "expected a whole number of seconds")),
            }
        };
        c.leeway = secs("MCP_AUTH_LEEWAY_SECS", c.leeway)?;
        c.jwks_cache_ttl = secs("MCP_AUTH_JWKS_CACHE_SECS", c.jwks_cache_ttl)?;
        c.jwks_min_refresh = secs("MCP_AUTH_JWKS_MIN_REFRESH_SECS", c.jwks_min_refresh)?;
        c.http_timeout = secs("MCP_AUTH_HTTP_TIMEOUT_SECS", c.http_timeout)?;
        c.introspection_cache_ttl = secs(
            "MCP_AUTH_INTROSPECTION_CACHE_SECS",
            c.introspection_cache_ttl,
        )?;
        if c.http_timeout.is_zero() {
            return Err(invalid(
                "MCP_AUTH_HTTP_TIMEOUT_SECS",
                "0",
                "must be at least 1",
            ));
        }
        if let Some(v) = get("MCP_AUTH_DEV_TOKENS") {
            c.dev_tokens = parse_dev_tokens(&v)?;
        }
        c.resource_name = get("MCP_AUTH_RESOURCE_NAME");
        Ok(Some(c))
    }

    /// Checks that the pieces fit: a verifier is configured, a JWKS comes
    /// with an audience, the algorithms are asymmetric.
    pub fn validate(&self) -> Result<(), AuthConfigError> {
        if self.jwks_url.is_none() && self.introspection_url.is_none() && self.dev_tokens.is_empty()
        {
            return Err(AuthConfigError::Missing(
                "MCP_AUTH_JWKS_URL, MCP_AUTH_INTROSPECTION_URL or MCP_AUTH_DEV_TOKENS",
            ));
        }
        if self.jwks_url.is_some() && self.audience.is_empty() {
            return Err(AuthConfigError::Missing(
                "MCP_AUTH_AUDIENCE or MCP_AUTH_RESOURCE_URL (JWTs must be checked against this resource, RFC 8707)",
            ));
        }
        if self.algorithms.is_empty() {
            return Err(invalid("MCP_AUTH_ALGORITHMS", "", "the list is empty"));
        }
        for a in &self.algorithms {
            if is_hmac(*a) {
                return Err(invalid(
                    "MCP_AUTH_ALGORITHMS",
                    &format!("{a:?}"),
                    "HMAC algorithms are refused: a JWKS holds public keys",
                ));
            }
        }
        Ok(())
    }
}

/// Whether `a` is a shared-secret algorithm.
pub(crate) fn is_hmac(a: Algorithm) -> bool {
    matches!(a, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512)
}

fn parse_algorithms(value: &str) -> Result<Vec<Algorithm>, AuthConfigError> {
    let mut out = Vec::new();
    for name in split_list(value) {
        let a = Algorithm::from_str(&name).map_err(|_| {
            invalid(
                "MCP_AUTH_ALGORITHMS",
                value,
                format!("unknown algorithm {name:?} (RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, EdDSA)"),
            )
        })?;
        if is_hmac(a) {
            return Err(invalid(
                "MCP_AUTH_ALGORITHMS",
                value,
                format!("{name} is refused: a JWKS holds public keys, not shared secrets"),
            ));
        }
        if !out.contains(&a) {
            out.push(a);
        }
    }
    if out.is_empty() {
        return Err(invalid("MCP_AUTH_ALGORITHMS", value, "the list is empty"));
    }
    Ok(out)
}

fn parse_dev_tokens(value: &str) -> Result<Vec<(String, Vec<String>)>, AuthConfigError> {
    let mut out = Vec::new();
    for entry in value.split(';').map(str::trim).filter(|e| !e.is_empty()) {
        let (token, scopes) = match entry.split_once(':') {
            Some((t, s)) => (t.trim(), split_list(s)),
            None => (entry, Vec::new()),
        };
        if token.is_empty() || token.chars().any(char::is_whitespace) {
            return Err(invalid(
                "MCP_AUTH_DEV_TOKENS",
                value,
                "each entry is TOKEN or TOKEN:scope scope, entries separated by ';'",
            ));
        }
        out.push((token.to_string(), scopes));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(vars: &[(&str, &str)]) -> Result<Option<AuthConfig>, AuthConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        AuthConfig::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn nothing_set_means_no_auth() {
        assert_eq!(from(&[]).map(|c| c.is_none()), Ok(true));
    }

    #[test]
    fn a_jwks_configuration_reads_every_part() {
        let c = from(&[
            ("MCP_AUTH_ISSUER_URL", "https://as.example.com"),
            ("MCP_AUTH_JWKS_URL", "https://as.example.com/jwks"),
            ("MCP_AUTH_RESOURCE_URL", "https://mcp.example.com/mcp"),
            ("MCP_AUTH_REQUIRED_SCOPES", "read, write admin"),
            ("MCP_AUTH_ALGORITHMS", "ES256 EdDSA"),
            ("MCP_AUTH_LEEWAY_SECS", "5"),
        ])
        .ok()
        .flatten()
        .expect("valid");
        assert_eq!(c.audience, vec!["https://mcp.example.com/mcp"]);
        assert_eq!(c.authorization_servers, vec!["https://as.example.com"]);
        assert_eq!(c.required_scopes, vec!["read", "write", "admin"]);
        assert_eq!(c.algorithms, vec![Algorithm::ES256, Algorithm::EdDSA]);
        assert_eq!(c.leeway, Duration::from_secs(5));
    }

    #[test]
    fn bad_values_name_the_variable() {
        let e = from(&[("MCP_AUTH_JWKS_URL", "http://as.example.com/jwks")]).unwrap_err();
        assert!(e.to_string().contains("MCP_AUTH_JWKS_URL"), "{e}");
        let e = from(&[
            ("MCP_AUTH_DEV_TOKENS", "t"),
            ("MCP_AUTH_ALGORITHMS", "RS256,HS256"),
        ])
        .unwrap_err();
        assert!(e.to_string().contains("MCP_AUTH_ALGORITHMS"), "{e}");
        let e = from(&[
            ("MCP_AUTH_DEV_TOKENS", "t"),
            ("MCP_AUTH_LEEWAY_SECS", "soon"),
        ])
        .unwrap_err();
        assert!(e.to_string().contains("MCP_AUTH_LEEWAY_SECS"), "{e}");
        let e = from(&[("MCP_AUTH_JWKS_URL", "https://as/jwks")]).unwrap_err();
        assert!(e.to_string().contains("MCP_AUTH_AUDIENCE"), "{e}");
    }

    #[test]
    fn dev_tokens_parse() {
        let c = from(&[("MCP_AUTH_DEV_TOKENS", "abc:read write; def")])
            .ok()
            .flatten()
            .expect("valid");
        assert_eq!(
            c.dev_tokens,
            vec![
                (
                    "abc".to_string(),
                    vec!["read".to_string(), "write".to_string()]
                ),
                ("def".to_string(), vec![])
            ]
        );
    }
}
