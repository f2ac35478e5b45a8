//! Protocol revisions and the two eras they fall into.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The current, stateless revision.
pub const MODERN: &str = "2026-07-28";
/// Revisions served statelessly, newest first.
pub const MODERN_VERSIONS: &[&str] = &[MODERN];
/// Session-based revisions, newest first.
pub const LEGACY_VERSIONS: &[&str] = &["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];
/// The newest session-based revision.
pub const LATEST_LEGACY: &str = "2025-11-25";

/// `_meta` key carrying a request's protocol version (2026-07-28).
pub const META_PROTOCOL_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
/// `_meta` key carrying a request's client capabilities (2026-07-28).
pub const META_CLIENT_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";
/// `_meta` key carrying a request's client info (2026-07-28).
pub const META_CLIENT_INFO: &str = "io.modelcontextprotocol/clientInfo";
/// `_meta` key carrying a request's log level (2026-07-28).
pub const META_LOG_LEVEL: &str = "io.modelcontextprotocol/logLevel";
/// `_meta` key carrying the server's info on results (2026-07-28).
pub const META_SERVER_INFO: &str = "io.modelcontextprotocol/serverInfo";
/// `_meta` key naming the subscription a notification belongs to (2026-07-28).
pub const META_SUBSCRIPTION_ID: &str = "io.modelcontextprotocol/subscriptionId";

/// The protocol era a request is served under. Handlers never see it; it
/// decides framing, what the server may send, and how results are decorated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    /// 2024-11-05 to 2025-11-25: `initialize`, sessions, server-to-client requests.
    Legacy(&'static str),
    /// 2026-07-28: stateless, per-request `_meta`, `input_required` results.
    Modern(&'static str),
}

impl Era {
    /// The revision string.
    pub fn version(self) -> &'static str {
        match self {
            Era::Legacy(v) | Era::Modern(v) => v,
        }
    }
    /// Whether this is the stateless era.
    pub fn is_modern(self) -> bool {
        matches!(self, Era::Modern(_))
    }
    /// Finds a legacy revision by name.
    pub fn legacy(version: &str) -> Option<Era> {
        LEGACY_VERSIONS
            .iter()
            .find(|v| **v == version)
            .map(|v| Era::Legacy(v))
    }
    /// Finds a modern revision by name.
    pub fn modern(version: &str) -> Option<Era> {
        MODERN_VERSIONS
            .iter()
            .find(|v| **v == version)
            .map(|v| Era::Modern(v))
    }
    /// The era a message is served under, decided here for every transport
    /// and dispatch: the stateless era when the message's `_meta` names a
    /// protocol version, or when `header` (HTTP's `MCP-Protocol-Version`)
    /// names 2026-07-28 or later; else the session-based era.
    ///
    /// The revision is the one named when this runtime serves it, else the
    /// era's newest: the era itself checks the revision (dispatch answers an
    /// unsupported one, `initialize` negotiates a legacy one).
    pub fn of(params: Option<&Map<String, Value>>, header: Option<&str>) -> Era {
        let meta = params
            .and_then(|p| p.get("_meta"))
            .and_then(|m| m.get(META_PROTOCOL_VERSION));
        if let Some(named) = meta {
            return named
                .as_str()
                .and_then(Era::modern)
                .unwrap_or(Era::Modern(MODERN));
        }
        match header {
            Some(v) if v >= MODERN => Era::modern(v).unwrap_or(Era::Modern(MODERN)),
            Some(v) => Era::legacy(v).unwrap_or(Era::Legacy(LATEST_LEGACY)),
            None => Era::Legacy(LATEST_LEGACY),
        }
    }

    /// Whether the revision is at least `version` (dates compare as strings).
    pub fn at_least(self, version: &str) -> bool {
        self.version() >= version
    }
}

/// Every revision this runtime serves, newest first.
pub fn supported_versions() -> Vec<&'static str> {
    MODERN_VERSIONS
        .iter()
        .chain(LEGACY_VERSIONS)
        .copied()
        .collect()
}

/// Log severities, as in RFC 5424 (the order is the severity order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// Detailed debugging information.
    Debug,
    /// General information.
    Info,
    /// Normal but significant events.
    Notice,
    /// Warning conditions.
    Warning,
    /// Error conditions.
    Error,
    /// Critical conditions.
    Critical,
    /// Action must be taken immediately.
    Alert,
    /// The system is unusable.
    Emergency,
}

impl LogLevel {
    /// Parses a level name as the protocol spells it.
    pub fn parse(s: &str) -> Option<LogLevel> {
        serde_json::from_value(serde_json::Value::String(s.to_ascii_lowercase())).ok()
    }
    /// The protocol's name for the level.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Notice => "notice",
            LogLevel::Warning => "warning",
            LogLevel::Error => "error",
            LogLevel::Critical => "critical",
            LogLevel::Alert => "alert",
            LogLevel::Emergency => "emergency",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn the_era_comes_from_meta_then_the_header() {
        let modern = params(json!({"_meta": {META_PROTOCOL_VERSION: "2026-07-28"}}));
        assert_eq!(Era::of(Some(&modern), None), Era::Modern(MODERN));
        // An unsupported version named in `_meta` is still the stateless era
        // (which answers that it is unsupported).
        let future = params(json!({"_meta": {META_PROTOCOL_VERSION: "2099-01-01"}}));
        assert!(Era::of(Some(&future), Some("2025-06-18")).is_modern());
        let plain = params(json!({"name": "x"}));
        assert_eq!(Era::of(Some(&plain), None), Era::Legacy(LATEST_LEGACY));
        assert!(Era::of(Some(&plain), Some("2026-07-28")).is_modern());
        assert!(Era::of(None, Some("2030-01-01")).is_modern());
        assert_eq!(Era::of(None, Some("2025-06-18")), Era::Legacy("2025-06-18"));
        assert!(!Era::of(None, Some("1999-01-01")).is_modern());
        assert!(!Era::of(None, None).is_modern());
    }
}
