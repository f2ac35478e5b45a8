//! Settings: each value comes from the builder, else a command-line flag,
//! else an `MCP_*` environment variable, else its default. A value that
//! cannot be used stops startup with a message naming where it came from.

use crate::error::Error;
use std::fmt;
use std::time::Duration;

/// Which transport `Server::run` serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// Newline-delimited JSON on stdin/stdout.
    Stdio,
    /// Streamable HTTP.
    Http,
    /// The deprecated HTTP+SSE pair of endpoints.
    Sse,
}

impl std::str::FromStr for Transport {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "stdio" => Ok(Transport::Stdio),
            "http" | "streamable-http" | "streamable_http" => Ok(Transport::Http),
            "sse" => Ok(Transport::Sse),
            _ => Err("expected stdio, http or sse".into()),
        }
    }
}

/// What to do when a second tool, resource or prompt has the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicatePolicy {
    /// Replace the first and log a warning (the default).
    Warn,
    /// Replace the first silently.
    Replace,
    /// Keep the first and ignore the second.
    Ignore,
    /// Refuse to start.
    Error,
}

impl std::str::FromStr for DuplicatePolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "warn" | "true" | "1" => Ok(DuplicatePolicy::Warn),
            "replace" | "false" | "0" => Ok(DuplicatePolicy::Replace),
            "ignore" => Ok(DuplicatePolicy::Ignore),
            "error" => Ok(DuplicatePolicy::Error),
            _ => Err("expected warn, replace, ignore or error".into()),
        }
    }
}

/// Where a setting's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The default.
    Default,
    /// An `MCP_*` environment variable.
    Env,
    /// A command-line flag.
    Flag,
    /// The builder.
    Builder,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Source::Default => "default",
            Source::Env => "environment",
            Source::Flag => "flag",
            Source::Builder => "builder",
        })
    }
}

/// The effective configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `MCP_TRANSPORT` / `--transport`.
    pub transport: Transport,
    /// `MCP_HOST` / `--host`.
    pub host: String,
    /// `MCP_PORT` / `--port`.
    pub port: u16,
    /// `MCP_LOG_LEVEL`: the level of the server's own log on stderr.
    pub log_level: String,
    /// `MCP_DEBUG`: debug logging and detailed errors.
    pub debug: bool,
    /// `MCP_MOUNT_PATH`.
    pub mount_path: String,
    /// `MCP_STREAMABLE_HTTP_PATH`.
    pub streamable_http_path: String,
    /// `MCP_SSE_PATH`.
    pub sse_path: String,
    /// `MCP_MESSAGE_PATH`.
    pub message_path: String,
    /// `MCP_ALLOWED_ORIGINS`, comma-separated.
    pub allowed_origins: Vec<String>,
    /// `MCP_ALLOWED_HOSTS`, comma-separated.
    pub allowed_hosts: Vec<String>,
    /// `MCP_WARN_ON_DUPLICATE_TOOLS`.
    pub duplicate_tools: DuplicatePolicy,
    /// `MCP_WARN_ON_DUPLICATE_RESOURCES`.
    pub duplicate_resources: DuplicatePolicy,
    /// `MCP_WARN_ON_DUPLICATE_PROMPTS`.
    pub duplicate_prompts: DuplicatePolicy,
    /// `MCP_PAGE_SIZE`: items per page of a list.
    pub page_size: usize,
    /// `MCP_CACHE_TTL_MS`: the `ttlMs` hint on 2026-07-28 lists and reads.
    pub cache_ttl_ms: u64,
    /// `MCP_CACHE_SCOPE`: `public` or `private`.
    pub cache_scope: String,
    /// `MCP_REQUEST_STATE_KEY`: HMAC key for `requestState` (shared by replicas); random when unset.
    pub request_state_key: Option<String>,
    /// `MCP_CLIENT_REQUEST_TIMEOUT_SECS`: how long to wait for the client to answer a server request.
    pub client_request_timeout: Duration,
    /// `MCP_MAX_MESSAGE_BYTES`: the largest message accepted.
    pub max_message_bytes: usize,
    /// `MCP_MAX_SESSIONS`: legacy HTTP sessions held at once (default 20000).
    pub max_sessions: usize,
    /// `MCP_SESSION_IDLE_TIMEOUT_SECS`: a legacy HTTP session with no open
    /// stream and no request for this long is ended (default 1800).
    pub session_idle_timeout: Duration,
    /// `MCP_MAX_SUBSCRIPTIONS_PER_SESSION`: resources one legacy session may
    /// subscribe to, and URIs one `subscriptions/listen` may name (default 100).
    pub max_subscriptions_per_session: usize,
    /// `MCP_MAX_REQUESTS_IN_FLIGHT`: requests of one session served at once
    /// (default 100). Over stdio (one connection, one session) the server
    /// stops reading stdin until one ends, so a flooding client waits instead
    /// of growing memory; over HTTP one more is answered 429 with `Retry-After`.
    pub max_requests_in_flight: usize,
    /// `MCP_TOOL_TIMEOUT_SECS`: how long a tool, resource or prompt handler
    /// may run before it is dropped and the client told it timed out
    /// (default 300; `None` when set to 0, no limit). A tool's own
    /// `.timeout()` wins.
    pub tool_timeout: Option<Duration>,
    // -- HTTP hardening (issue 12): outbound bounds, listener timeouts, session caps.
    /// `MCP_MAX_OUTBOUND_QUEUE`: messages queued for one peer (a session's
    /// stream, a request's stream, stdio) before it counts as not reading and
    /// is disconnected (default 1000).
    pub max_outbound_queue: usize,
    /// `MCP_MAX_OUTBOUND_QUEUE_BYTES`: bytes queued for one peer before it is
    /// disconnected (default 4 MiB; one larger message alone still passes).
    pub max_outbound_queue_bytes: usize,
    /// `MCP_MAX_SESSIONS_PER_PRINCIPAL`: legacy HTTP sessions one principal
    /// may hold (default 100). Without auth every caller from one IP address
    /// counts as one principal.
    pub max_sessions_per_principal: usize,
    /// `MCP_HTTP_HEADER_TIMEOUT_SECS`: a connection must send a whole request
    /// head within this long of opening, or of its first byte after an idle
    /// spell between requests (default 10).
    pub http_header_timeout: Duration,
    /// `MCP_HTTP_BODY_TIMEOUT_SECS`: a request body must arrive within this
    /// long once its head has (default 30); else 408.
    pub http_body_timeout: Duration,
    /// `MCP_HTTP_IDLE_TIMEOUT_SECS`: a kept-alive connection with no request
    /// in progress and nothing received for this long is closed (default 60).
    pub http_idle_timeout: Duration,
    /// `MCP_MAX_CONNECTIONS`: HTTP connections served at once; more wait in
    /// the listen backlog (default 1000; never more than `ulimit -n` less 64).
    pub max_connections: usize,
    // -- end of HTTP hardening settings.
    /// `MCP_JSON_RESPONSE`: answer every HTTP POST with JSON, never SSE (default false).
    pub json_response: bool,
    /// `MCP_STATELESS_HTTP`: serve legacy HTTP requests without sessions (default false).
    pub stateless_http: bool,
    /// `MCP_SHUTDOWN_GRACE_SECS`: how long requests in flight may run after
    /// SIGTERM or Ctrl-C, or after stdin closes on stdio (default 10).
    pub shutdown_grace: Duration,
    /// `MCP_SSE_KEEP_ALIVE_SECS`: the interval of keep-alive comments on SSE streams (default 15).
    pub sse_keep_alive: Duration,
    /// `MCP_DNS_REBINDING_PROTECTION`: check `Host` and `Origin`; unset means
    /// on when bound to a loopback address or when allowed hosts/origins are set.
    pub dns_rebinding_protection: Option<bool>,
    /// `MCP_AUTH_DEV`: serve the development authorization server beside the
    /// HTTP endpoints and require its tokens (feature `auth`; default false).
    /// Development only: it approves every request without a login.
    pub auth_dev: bool,
    /// `MCP_AUTH_DEV_KEY_FILE`: where the development authorization server
    /// keeps its signing key (default `.mcp-dev-auth.key` in the working
    /// directory, made with mode 0600).
    pub auth_dev_key_file: String,
    /// `MCP_AUTH_DEV_MAX_CLIENTS`: clients the development authorization
    /// server registers before refusing more with 503 (default 100).
    pub auth_dev_max_clients: usize,
    /// `MCP_AUTH_DEV_SCOPES`: the only scopes the development authorization
    /// server grants (space or comma separated); unset, every scope the
    /// server declares (`MCP_AUTH_SCOPES_SUPPORTED`,
    /// `MCP_AUTH_REQUIRED_SCOPES` and the items' `.scopes()`).
    pub auth_dev_scopes: Option<Vec<String>>,
    /// Where each value came from, by environment variable name.
    pub sources: Vec<(&'static str, Source)>,
}

/// The default of `MCP_AUTH_DEV_KEY_FILE`, relative to the working directory.
pub const DEFAULT_DEV_KEY_FILE: &str = ".mcp-dev-auth.key";

/// An on/off value: `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`, any case.
fn parse_switch(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Values set on the builder; unset ones fall through to flags, env, defaults.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub(crate) values: Vec<(&'static str, String)>,
}

impl Overrides {
    pub(crate) fn set(&mut self, var: &'static str, value: impl Into<String>) {
        self.values.retain(|(k, _)| *k != var);
        self.values.push((var, value.into()));
    }

    /// The one lookup every setting goes through: the builder's value, else
    /// the flag's, else `env`'s (empty counts as unset), with where it came
    /// from; `None` leaves the default.
    pub(crate) fn lookup(
        &self,
        var: &str,
        flags: &[(&'static str, String)],
        env: impl Fn(&str) -> Option<String>,
    ) -> Option<(String, Source)> {
        if let Some((_, v)) = self.values.iter().rev().find(|(k, _)| *k == var) {
            Some((v.clone(), Source::Builder))
        } else if let Some((_, v)) = flags.iter().rev().find(|(k, _)| *k == var) {
            Some((v.clone(), Source::Flag))
        } else {
            env(var).filter(|v| !v.is_empty()).map(|v| (v, Source::Env))
        }
    }
}

/// Reads command-line flags (`--transport X`, `--host=H`, `--port N`) into
/// the environment variable names they stand for.
pub fn flags_from_args(
    args: impl IntoIterator<Item = String>,
) -> Result<Vec<(&'static str, String)>, Error> {
    let mut out = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f.to_string(), Some(v.to_string())),
            None => (arg.clone(), None),
        };
        let var = match flag.as_str() {
            "--transport" => "MCP_TRANSPORT",
            "--host" => "MCP_HOST",
            "--port" => "MCP_PORT",
            "--log-level" => "MCP_LOG_LEVEL",
            _ => continue,
        };
        let value = match inline.or_else(|| args.next()) {
            Some(v) => v,
            None => {
                return Err(Error::Setting {
                    name: flag,
                    value: String::new(),
                    reason: "the flag needs a value".into(),
                })
            }
        };
        out.push((var, value));
    }
    Ok(out)
}

impl Settings {
    /// Resolves every setting: builder, then flags, then `env`, then defaults.
    pub fn resolve(
        overrides: &Overrides,
        flags: &[(&'static str, String)],
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Settings, Error> {
        let mut sources = Vec::new();
        let mut get = |var: &'static str| -> Option<String> {
            let found = overrides.lookup(var, flags, &env);
            sources.push((
                var,
                found.as_ref().map(|(_, s)| *s).unwrap_or(Source::Default),
            ));
            found.map(|(v, _)| v)
        };
        fn parse<T: std::str::FromStr>(
            var: &str,
            value: Option<String>,
            default: T,
        ) -> Result<T, Error>
        where
            T::Err: fmt::Display,
        {
            match value {
                None => Ok(default),
                Some(v) => v.trim().parse().map_err(|e: T::Err| Error::Setting {
                    name: var.to_string(),
                    value: v.clone(),
                    reason: e.to_string(),
                }),
            }
        }
        fn list(value: Option<String>) -> Vec<String> {
            value
                .map(|v| {
                    v.split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default()
        }
        fn path(var: &str, value: Option<String>, default: &str) -> Result<String, Error> {
            let v = value.unwrap_or_else(|| default.to_string());
            if !v.starts_with('/') {
                return Err(Error::Setting {
                    name: var.into(),
                    value: v,
                    reason: "a path must start with '/'".into(),
                });
            }
            Ok(v)
        }
        let log_level = get("MCP_LOG_LEVEL").unwrap_or_else(|| "info".into());
        if ![
            "trace", "debug", "info", "warn", "warning", "error", "critical", "off",
        ]
        .contains(&log_level.to_ascii_lowercase().as_str())
        {
            return Err(Error::Setting {
                name: "MCP_LOG_LEVEL".into(),
                value: log_level,
                reason: "expected trace, debug, info, warning, error or off".into(),
            });
        }
        let cache_scope = get("MCP_CACHE_SCOPE").unwrap_or_else(|| "public".into());
        if cache_scope != "public" && cache_scope != "private" {
            return Err(Error::Setting {
                name: "MCP_CACHE_SCOPE".into(),
                value: cache_scope,
                reason: "expected public or private".into(),
            });
        }
        let auth_dev = match get("MCP_AUTH_DEV") {
            None => false,
            Some(v) => parse_switch(&v).ok_or_else(|| Error::Setting {
                name: "MCP_AUTH_DEV".into(),
                value: v.clone(),
                reason: "expected true or false (1/0, yes/no, on/off)".into(),
            })?,
        };
        let auth_dev_key_file =
            get("MCP_AUTH_DEV_KEY_FILE").unwrap_or_else(|| DEFAULT_DEV_KEY_FILE.into());
        let auth_dev_max_clients = parse(
            "MCP_AUTH_DEV_MAX_CLIENTS",
            get("MCP_AUTH_DEV_MAX_CLIENTS"),
            100usize,
        )?;
        let auth_dev_scopes = get("MCP_AUTH_DEV_SCOPES").map(|v| {
            v.split([' ', ','])
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        });
        let settings = Settings {
            transport: parse("MCP_TRANSPORT", get("MCP_TRANSPORT"), Transport::Stdio)?,
            host: get("MCP_HOST").unwrap_or_else(|| "127.0.0.1".into()),
            port: parse("MCP_PORT", get("MCP_PORT"), 8000u16)?,
            log_level,
            debug: parse("MCP_DEBUG", get("MCP_DEBUG"), false)?,
            mount_path: path("MCP_MOUNT_PATH", get("MCP_MOUNT_PATH"), "/")?,
            streamable_http_path: path(
                "MCP_STREAMABLE_HTTP_PATH",
                get("MCP_STREAMABLE_HTTP_PATH"),
                "/mcp",
            )?,
            sse_path: path("MCP_SSE_PATH", get("MCP_SSE_PATH"), "/sse")?,
            message_path: path("MCP_MESSAGE_PATH", get("MCP_MESSAGE_PATH"), "/messages/")?,
            allowed_origins: list(get("MCP_ALLOWED_ORIGINS")),
            allowed_hosts: list(get("MCP_ALLOWED_HOSTS")),
            duplicate_tools: parse(
                "MCP_WARN_ON_DUPLICATE_TOOLS",
                get("MCP_WARN_ON_DUPLICATE_TOOLS"),
                DuplicatePolicy::Warn,
            )?,
            duplicate_resources: parse(
                "MCP_WARN_ON_DUPLICATE_RESOURCES",
                get("MCP_WARN_ON_DUPLICATE_RESOURCES"),
                DuplicatePolicy::Warn,
            )?,
            duplicate_prompts: parse(
                "MCP_WARN_ON_DUPLICATE_PROMPTS",
                get("MCP_WARN_ON_DUPLICATE_PROMPTS"),
                DuplicatePolicy::Warn,
            )?,
            page_size: parse("MCP_PAGE_SIZE", get("MCP_PAGE_SIZE"), 100usize)?,
            cache_ttl_ms: parse("MCP_CACHE_TTL_MS", get("MCP_CACHE_TTL_MS"), 0u64)?,
            cache_scope,
            request_state_key: get("MCP_REQUEST_STATE_KEY"),
            client_request_timeout: Duration::from_secs(parse(
                "MCP_CLIENT_REQUEST_TIMEOUT_SECS",
                get("MCP_CLIENT_REQUEST_TIMEOUT_SECS"),
                300u64,
            )?),
            max_message_bytes: parse(
                "MCP_MAX_MESSAGE_BYTES",
                get("MCP_MAX_MESSAGE_BYTES"),
                4 * 1024 * 1024usize,
            )?,
            max_sessions: parse("MCP_MAX_SESSIONS", get("MCP_MAX_SESSIONS"), 20_000usize)?,
            session_idle_timeout: Duration::from_secs(parse(
                "MCP_SESSION_IDLE_TIMEOUT_SECS",
                get("MCP_SESSION_IDLE_TIMEOUT_SECS"),
                1800u64,
            )?),
            max_subscriptions_per_session: parse(
                "MCP_MAX_SUBSCRIPTIONS_PER_SESSION",
                get("MCP_MAX_SUBSCRIPTIONS_PER_SESSION"),
                100usize,
            )?,
            max_requests_in_flight: parse(
                "MCP_MAX_REQUESTS_IN_FLIGHT",
                get("MCP_MAX_REQUESTS_IN_FLIGHT"),
                100usize,
            )?,
            tool_timeout: match parse(
                "MCP_TOOL_TIMEOUT_SECS",
                get("MCP_TOOL_TIMEOUT_SECS"),
                300u64,
            )? {
                0 => None,
                secs => Some(Duration::from_secs(secs)),
            },
            max_outbound_queue: parse(
                "MCP_MAX_OUTBOUND_QUEUE",
                get("MCP_MAX_OUTBOUND_QUEUE"),
                1000usize,
            )?,
            max_outbound_queue_bytes: parse(
                "MCP_MAX_OUTBOUND_QUEUE_BYTES",
                get("MCP_MAX_OUTBOUND_QUEUE_BYTES"),
                4 * 1024 * 1024usize,
            )?,
            max_sessions_per_principal: parse(
                "MCP_MAX_SESSIONS_PER_PRINCIPAL",
                get("MCP_MAX_SESSIONS_PER_PRINCIPAL"),
                100usize,
            )?,
            http_header_timeout: Duration::from_secs(parse(
                "MCP_HTTP_HEADER_TIMEOUT_SECS",
                get("MCP_HTTP_HEADER_TIMEOUT_SECS"),
                10u64,
            )?),
            http_body_timeout: Duration::from_secs(parse(
                "MCP_HTTP_BODY_TIMEOUT_SECS",
                get("MCP_HTTP_BODY_TIMEOUT_SECS"),
                30u64,
            )?),
            http_idle_timeout: Duration::from_secs(parse(
                "MCP_HTTP_IDLE_TIMEOUT_SECS",
                get("MCP_HTTP_IDLE_TIMEOUT_SECS"),
                60u64,
            )?),
            max_connections: parse("MCP_MAX_CONNECTIONS", get("MCP_MAX_CONNECTIONS"), 1000usize)?,
            json_response: parse("MCP_JSON_RESPONSE", get("MCP_JSON_RESPONSE"), false)?,
            stateless_http: parse("MCP_STATELESS_HTTP", get("MCP_STATELESS_HTTP"), false)?,
            shutdown_grace: Duration::from_secs(parse(
                "MCP_SHUTDOWN_GRACE_SECS",
                get("MCP_SHUTDOWN_GRACE_SECS"),
                10u64,
            )?),
            sse_keep_alive: Duration::from_secs(parse(
                "MCP_SSE_KEEP_ALIVE_SECS",
                get("MCP_SSE_KEEP_ALIVE_SECS"),
                15u64,
            )?),
            dns_rebinding_protection: match get("MCP_DNS_REBINDING_PROTECTION") {
                None => None,
                v => Some(parse("MCP_DNS_REBINDING_PROTECTION", v, false)?),
            },
            auth_dev,
            auth_dev_key_file,
            auth_dev_max_clients,
            auth_dev_scopes,
            sources: Vec::new(),
        };
        for (var, zero) in [
            ("MCP_PAGE_SIZE", settings.page_size == 0),
            ("MCP_MAX_SESSIONS", settings.max_sessions == 0),
            (
                "MCP_AUTH_DEV_MAX_CLIENTS",
                settings.auth_dev_max_clients == 0,
            ),
            (
                "MCP_MAX_REQUESTS_IN_FLIGHT",
                settings.max_requests_in_flight == 0,
            ),
            ("MCP_SSE_KEEP_ALIVE_SECS", settings.sse_keep_alive.is_zero()),
            ("MCP_MAX_OUTBOUND_QUEUE", settings.max_outbound_queue == 0),
            (
                "MCP_MAX_OUTBOUND_QUEUE_BYTES",
                settings.max_outbound_queue_bytes == 0,
            ),
            (
                "MCP_MAX_SESSIONS_PER_PRINCIPAL",
                settings.max_sessions_per_principal == 0,
            ),
            (
                "MCP_HTTP_HEADER_TIMEOUT_SECS",
                settings.http_header_timeout.is_zero(),
            ),
            (
                "MCP_HTTP_BODY_TIMEOUT_SECS",
                settings.http_body_timeout.is_zero(),
            ),
            (
                "MCP_HTTP_IDLE_TIMEOUT_SECS",
                settings.http_idle_timeout.is_zero(),
            ),
            ("MCP_MAX_CONNECTIONS", settings.max_connections == 0),
        ] {
            if zero {
                return Err(Error::Setting {
                    name: var.into(),
                    value: "0".into(),
                    reason: "must be at least 1".into(),
                });
            }
        }
        Ok(Settings {
            sources,
            ..settings
        })
    }

    /// Defaults only (for tests and embedding).
    pub fn defaults() -> Settings {
        // The defaults are all valid, so this cannot fail.
        Settings::resolve(&Overrides::default(), &[], |_| None)
            .unwrap_or_else(|e| unreachable!("default settings are valid: {e}"))
    }

    /// Logs the effective configuration at debug level, with sources.
    pub fn log_effective(&self) {
        for (var, source) in &self.sources {
            tracing::debug!(setting = var, %source, "configuration");
        }
        tracing::debug!(settings = ?self, "effective configuration");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_beats_flag_beats_env_beats_default() {
        let env = |k: &str| match k {
            "MCP_PORT" => Some("9000".to_string()),
            "MCP_HOST" => Some("0.0.0.0".to_string()),
            _ => None,
        };
        let s = Settings::resolve(&Overrides::default(), &[], env).unwrap();
        assert_eq!((s.port, s.host.as_str()), (9000, "0.0.0.0"));
        let flags = flags_from_args(["--port".to_string(), "9100".to_string()]).unwrap();
        let s = Settings::resolve(&Overrides::default(), &flags, env).unwrap();
        assert_eq!(s.port, 9100);
        let mut o = Overrides::default();
        o.set("MCP_PORT", "9200");
        let s = Settings::resolve(&o, &flags, env).unwrap();
        assert_eq!(s.port, 9200);
        assert_eq!(Settings::defaults().port, 8000);
    }

    #[test]
    fn a_bad_value_names_the_variable_and_the_value() {
        let e = Settings::resolve(&Overrides::default(), &[], |k| {
            (k == "MCP_PORT").then(|| "abc".to_string())
        })
        .unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("MCP_PORT") && msg.contains("abc"), "{msg}");
        let e = Settings::resolve(&Overrides::default(), &[], |k| {
            (k == "MCP_MAX_SESSIONS").then(|| "lots".to_string())
        })
        .unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("MCP_MAX_SESSIONS") && msg.contains("lots"),
            "{msg}"
        );
        let e = Settings::resolve(&Overrides::default(), &[], |k| {
            (k == "MCP_MAX_SESSIONS").then(|| "0".to_string())
        })
        .unwrap_err();
        assert!(e.to_string().contains("MCP_MAX_SESSIONS"), "{e}");
    }

    #[test]
    fn dev_auth_follows_builder_then_env_then_default() {
        let d = Settings::defaults();
        assert!(!d.auth_dev);
        assert_eq!(d.auth_dev_key_file, DEFAULT_DEV_KEY_FILE);
        let env = |k: &str| match k {
            "MCP_AUTH_DEV" => Some("TRUE".to_string()),
            "MCP_AUTH_DEV_KEY_FILE" => Some("/tmp/k".to_string()),
            _ => None,
        };
        let s = Settings::resolve(&Overrides::default(), &[], env).unwrap();
        assert!(s.auth_dev);
        assert_eq!(s.auth_dev_key_file, "/tmp/k");
        let mut o = Overrides::default();
        o.set("MCP_AUTH_DEV", "false");
        assert!(!Settings::resolve(&o, &[], env).unwrap().auth_dev);
        let e = Settings::resolve(&Overrides::default(), &[], |k| {
            (k == "MCP_AUTH_DEV").then(|| "maybe".to_string())
        })
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("MCP_AUTH_DEV") && e.contains("maybe") && e.contains("true or false"),
            "{e}"
        );
    }

    #[test]
    fn http_settings_resolve_with_their_sources() {
        let d = Settings::defaults();
        assert_eq!(d.max_sessions, 20_000);
        assert_eq!(d.session_idle_timeout, Duration::from_secs(1800));
        assert_eq!(d.dns_rebinding_protection, None);
        let mut o = Overrides::default();
        o.set("MCP_MAX_SESSIONS", "5");
        let env = |k: &str| match k {
            "MCP_MAX_SESSIONS" => Some("7".to_string()),
            "MCP_JSON_RESPONSE" => Some("true".to_string()),
            "MCP_DNS_REBINDING_PROTECTION" => Some("false".to_string()),
            _ => None,
        };
        let s = Settings::resolve(&o, &[], env).unwrap();
        assert_eq!(s.max_sessions, 5);
        assert!(s.json_response);
        assert_eq!(s.dns_rebinding_protection, Some(false));
        let source = |var: &str| s.sources.iter().find(|(k, _)| *k == var).map(|(_, s)| *s);
        assert_eq!(source("MCP_MAX_SESSIONS"), Some(Source::Builder));
        assert_eq!(source("MCP_JSON_RESPONSE"), Some(Source::Env));
        assert_eq!(source("MCP_STATELESS_HTTP"), Some(Source::Default));
    }
}
