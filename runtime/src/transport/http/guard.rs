//! Host and Origin checks against DNS rebinding: a page on an attacker's
//! domain that resolves to 127.0.0.1 must not reach a local server. On by
//! default when the server is bound to a loopback address; then
//! `localhost`, `127.0.0.1` and `[::1]` (any port) are accepted, plus
//! `MCP_ALLOWED_HOSTS` and `MCP_ALLOWED_ORIGINS`.

use crate::protocol::jsonrpc::ErrorObject;
use crate::settings::Settings;
use axum::http::{HeaderMap, StatusCode};

/// What the guard checks.
#[derive(Debug, Clone)]
pub(crate) struct Guard {
    check_host: bool,
    check_origin: bool,
    allowed_hosts: Vec<String>,
    allowed_origins: Vec<String>,
}

const LOCAL_NAMES: &[&str] = &["localhost", "127.0.0.1", "[::1]", "::1"];

fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

/// The host name of a `Host` value or URL authority, without the port:
/// `localhost:3000` gives `localhost`, `[::1]:3000` gives `[::1]`.
fn host_name(authority: &str) -> &str {
    if authority.starts_with('[') {
        match authority.find(']') {
            Some(end) => &authority[..=end],
            None => authority,
        }
    } else {
        authority.split(':').next().unwrap_or(authority)
    }
}

impl Guard {
    pub(crate) fn new(settings: &Settings, forced: Option<bool>) -> Guard {
        let local = is_loopback(&settings.host);
        let on = forced.unwrap_or(local);
        Guard {
            check_host: forced.unwrap_or(on || !settings.allowed_hosts.is_empty()),
            check_origin: forced.unwrap_or(on || !settings.allowed_origins.is_empty()),
            allowed_hosts: settings
                .allowed_hosts
                .iter()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
            allowed_origins: settings
                .allowed_origins
                .iter()
                .map(|o| o.trim_end_matches('/').to_ascii_lowercase())
                .collect(),
        }
    }

    fn host_allowed(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        let name = host_name(&host);
        LOCAL_NAMES.contains(&name)
            || self.allowed_hosts.iter().any(|a| {
                a == "*"
                    || *a == host
                    || a == name
                    || a.strip_prefix("*.")
                        .is_some_and(|d| name.ends_with(&format!(".{d}")))
            })
    }

    fn origin_allowed(&self, origin: &str) -> bool {
        let origin = origin.trim().trim_end_matches('/').to_ascii_lowercase();
        if self
            .allowed_origins
            .iter()
            .any(|a| a == "*" || *a == origin)
        {
            return true;
        }
        let authority = origin
            .split_once("://")
            .map(|(_, rest)| rest)
            .unwrap_or(&origin);
        let authority = authority.split('/').next().unwrap_or(authority);
        LOCAL_NAMES.contains(&host_name(authority))
    }

    /// `Err((status, error))` when the request must be refused.
    pub(crate) fn check(&self, headers: &HeaderMap) -> Result<(), (StatusCode, ErrorObject)> {
        if self.check_host {
            if let Some(host) = headers.get(axum::http::header::HOST) {
                let ok = host.to_str().map(|h| self.host_allowed(h)).unwrap_or(false);
                if !ok {
                    let shown = String::from_utf8_lossy(host.as_bytes()).into_owned();
                    return Err((
                        StatusCode::MISDIRECTED_REQUEST,
                        ErrorObject::invalid_request(format!(
                            "Invalid Host header {shown:?}: this server only answers to localhost (DNS rebinding protection; widen it with MCP_ALLOWED_HOSTS)"
                        )),
                    ));
                }
            }
        }
        if self.check_origin {
            if let Some(origin) = headers.get(axum::http::header::ORIGIN) {
                let ok = origin
                    .to_str()
                    .map(|o| self.origin_allowed(o))
                    .unwrap_or(false);
                if !ok {
                    let shown = String::from_utf8_lossy(origin.as_bytes()).into_owned();
                    return Err((
                        StatusCode::FORBIDDEN,
                        ErrorObject::invalid_request(format!(
                            "Invalid Origin header {shown:?}: cross-origin requests are refused (DNS rebinding protection; allow origins with MCP_ALLOWED_ORIGINS)"
                        )),
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn guard(host: &str, hosts: &[&str], origins: &[&str]) -> Guard {
        let mut s = Settings::defaults();
        s.host = host.into();
        s.allowed_hosts = hosts.iter().map(|h| h.to_string()).collect();
        s.allowed_origins = origins.iter().map(|h| h.to_string()).collect();
        Guard::new(&s, None)
    }

    fn req(host: &str, origin: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("host", HeaderValue::from_str(host).unwrap());
        if let Some(o) = origin {
            h.insert("origin", HeaderValue::from_str(o).unwrap());
        }
        h
    }

    #[test]
    fn loopback_accepts_local_names_and_refuses_others() {
        let g = guard("127.0.0.1", &[], &[]);
        for ok in [
            "localhost:3000",
            "127.0.0.1:8000",
            "[::1]:80",
            "LOCALHOST",
            "localhost",
        ] {
            assert!(
                g.check(&req(ok, Some("http://localhost:3000"))).is_ok(),
                "{ok}"
            );
        }
        assert_eq!(
            g.check(&req("evil.example.com", None)).unwrap_err().0,
            StatusCode::MISDIRECTED_REQUEST
        );
        assert_eq!(
            g.check(&req("localhost:1", Some("http://evil.example.com")))
                .unwrap_err()
                .0,
            StatusCode::FORBIDDEN
        );
        assert!(g.check(&req("localhost.evil.com", None)).is_err());
    }

    #[test]
    fn lists_widen_and_public_binds_are_open() {
        let g = guard(
            "127.0.0.1",
            &["mcp.example.com"],
            &["https://app.example.com"],
        );
        assert!(g
            .check(&req(
                "mcp.example.com:443",
                Some("https://app.example.com/")
            ))
            .is_ok());
        assert!(g.check(&req("other.example.com", None)).is_err());
        let open = guard("0.0.0.0", &[], &[]);
        assert!(open
            .check(&req("anything.example", Some("http://x.example")))
            .is_ok());
    }
}
