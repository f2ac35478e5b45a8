//! [`Service`]: a built server, ready to serve any transport. It holds the
//! dispatch core and the HTTP-only parts, and hands the transports what
//! each needs (the core to stdio, an [`HttpService`] to HTTP).

use super::ServerHandle;
use crate::dispatch::{Core, Outbound, Session};
use crate::error::Error;
use crate::settings::{Settings, Transport};
use crate::transport::http::{self, HttpExtras, HttpService};
use crate::transport::stdio;
use std::sync::Arc;

/// A built server, ready to serve any transport. Cloning shares it.
#[derive(Clone)]
pub struct Service {
    pub(crate) core: Arc<Core>,
    http: HttpExtras,
}

impl Service {
    pub(super) fn new(core: Arc<Core>, http: HttpExtras) -> Self {
        Service { core, http }
    }

    /// The effective settings.
    pub fn settings(&self) -> &Settings {
        &self.core.settings
    }

    /// A handle to change the server while it serves.
    pub fn handle(&self) -> ServerHandle {
        ServerHandle::from_core(self.core.clone())
    }

    /// Serves the transport the settings chose.
    pub async fn serve(&self) -> Result<(), Error> {
        #[cfg(not(feature = "auth"))]
        if self.core.settings.auth_dev {
            tracing::warn!(
                "MCP_AUTH_DEV is ignored: this server was built without the `auth` feature"
            );
        }
        match self.core.settings.transport {
            Transport::Stdio => {
                // Logged here, once tracing is set up (not while building).
                if self.http.auth_configured() {
                    tracing::warn!(
                        "MCP_AUTH_* settings are ignored on stdio: tokens apply to the HTTP transports only"
                    );
                }
                self.serve_stdio().await
            }
            Transport::Http | Transport::Sse => {
                self.warn_unprotected_scopes();
                http::serve(self.clone().into()).await
            }
        }
    }

    /// Logs a warning when items declare scopes that nothing enforces: over
    /// HTTP without auth they are listed and served to every client.
    /// (`require_auth` refuses to build such a server instead.)
    fn warn_unprotected_scopes(&self) {
        let scoped = self.core.registry().scoped_items();
        if let Some(warning) = unprotected_scopes(&scoped, self.http.auth_configured()) {
            tracing::warn!("{warning}");
        }
    }

    /// Serves stdin/stdout until stdin ends. On Unix the process's stdout
    /// is kept for JSON-RPC and fd 1 is pointed at stderr, so `println!`
    /// goes to the log. Requests still running `MCP_SHUTDOWN_GRACE_SECS`
    /// after stdin closed end the process (`std::process::exit(0)`): a sync
    /// handler's thread cannot be stopped, and the tokio runtime would wait
    /// for it forever when dropped.
    pub async fn serve_stdio(&self) -> Result<(), Error> {
        stdio::serve_process_stdio(self.core.clone()).await
    }

    /// Serves newline-delimited JSON-RPC over any reader and writer (a pipe,
    /// a socket, an in-memory duplex) until the reader ends.
    pub async fn serve_io<R, W>(&self, reader: R, writer: W) -> Result<(), Error>
    where
        R: tokio::io::AsyncRead + Unpin + Send + 'static,
        W: tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        stdio::serve(self.core.clone(), reader, writer).await
    }

    /// Serves Streamable HTTP (and the legacy SSE endpoints) on a listener
    /// bound by the caller, with the service's HTTP settings, until SIGTERM
    /// or Ctrl-C.
    pub async fn serve_http_on(&self, listener: tokio::net::TcpListener) -> Result<(), Error> {
        self.warn_unprotected_scopes();
        let config = http::HttpConfig::from_settings(self.settings());
        http::serve_listener(self.clone(), listener, config, http::shutdown_signal()).await
    }

    /// The axum router of the HTTP transports (the MCP endpoints and the
    /// custom routes), to serve or nest as you like.
    pub fn http_router(&self) -> axum::Router {
        http::router(self.clone())
    }

    /// A new session whose session-wide notifications go to `notify`
    /// (for transports).
    pub fn session(&self, notify: Outbound) -> Arc<Session> {
        Session::new(self.core.clone(), notify)
    }
}

impl From<Service> for HttpService {
    /// The HTTP transports' view of the server; custom routes reach the
    /// server through `axum::Extension<ServerHandle>`.
    fn from(service: Service) -> HttpService {
        let handle = service.handle();
        HttpService {
            core: service.core,
            extras: service.http.with_extension(handle),
        }
    }
}

/// The warning for items that declare scopes on an HTTP server without auth,
/// or `None` when there are none or auth is configured. Names at most five
/// items, then how many more.
fn unprotected_scopes(scoped: &[String], auth_configured: bool) -> Option<String> {
    if scoped.is_empty() || auth_configured {
        return None;
    }
    const SHOWN: usize = 5;
    let mut items = scoped[..scoped.len().min(SHOWN)].join(", ");
    if scoped.len() > SHOWN {
        items.push_str(&format!(" and {} more", scoped.len() - SHOWN));
    }
    let declare = if scoped.len() == 1 {
        "declares"
    } else {
        "declare"
    };
    Some(format!(
        "{items} {declare} scopes, but no auth is configured, so every HTTP client can list and use them: set MCP_AUTH_RESOURCE_URL, MCP_AUTH_ISSUER_URL and MCP_AUTH_JWKS_URL (or MCP_AUTH_INTROSPECTION_URL), in the environment or in .env, or MCP_AUTH_DEV=true for local development; call .require_auth() to refuse to start without them"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::Server;

    #[test]
    fn scopes_without_auth_are_warned_about_naming_the_items() {
        let scoped = ["tool \"wipe\"".to_string(), "prompt \"admin\"".to_string()];
        let warning = unprotected_scopes(&scoped, false).unwrap_or_default();
        assert!(
            warning.starts_with("tool \"wipe\", prompt \"admin\" declare scopes"),
            "{warning}"
        );
        assert!(warning.contains("MCP_AUTH_JWKS_URL"), "{warning}");
        assert!(warning.contains("MCP_AUTH_DEV=true"), "{warning}");
        assert_eq!(unprotected_scopes(&scoped, true), None);
        assert_eq!(unprotected_scopes(&[], false), None);
    }

    #[test]
    fn a_long_list_of_scoped_items_is_cut_short() {
        let scoped: Vec<String> = (0..8).map(|i| format!("tool \"t{i}\"")).collect();
        let warning = unprotected_scopes(&scoped, false).unwrap_or_default();
        assert!(
            warning.contains("tool \"t4\" and 3 more declare scopes"),
            "{warning}"
        );
        assert!(!warning.contains("t5"), "{warning}");
    }

    /// A log sink for one test.
    #[derive(Clone, Default)]
    struct Log(Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Log {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if let Ok(mut log) = self.0.lock() {
                log.extend_from_slice(buf);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn serving_http_with_unenforced_scopes_logs_the_warning() {
        let log = Log::default();
        let sink = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || sink.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let service = Server::new("t")
            .tool("wipe", || async { "done" })
            .scopes(["admin"])
            .build_with_flags(&[])
            .expect("builds");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds");
        let served = tokio::time::timeout(
            std::time::Duration::from_millis(100),
            service.serve_http_on(listener),
        );
        assert!(served.await.is_err(), "serves until stopped");
        let text = String::from_utf8_lossy(&log.0.lock().map(|l| l.clone()).unwrap_or_default())
            .into_owned();
        assert!(text.contains("WARN"), "{text}");
        assert!(
            text.contains("tool \"wipe\" declares scopes, but no auth is configured"),
            "{text}"
        );
    }

    #[test]
    fn require_auth_refuses_scoped_items_over_http_without_auth() {
        let built = Server::new("t")
            .tool("wipe", || async { "done" })
            .scopes(["admin"])
            .require_auth()
            .setting("MCP_TRANSPORT", "http")
            .build_with_flags(&[]);
        assert!(
            matches!(&built, Err(Error::Builder(m)) if m.contains("requires access tokens")),
            "{:?}",
            built.err()
        );
    }

    #[test]
    fn every_kind_of_scoped_item_is_found_in_order() {
        let service = Server::new("t")
            .tool("open", || async { "ok" })
            .tool("wipe", || async { "done" })
            .scopes(["admin"])
            .resource("memo://secret", || async { "s" })
            .scopes(["read"])
            .resource_template("memo://notes/{id}", || async { "n" })
            .scopes(["read"])
            .prompt("audit", || async { "a" })
            .scopes(["admin"])
            .build_with_flags(&[])
            .expect("builds");
        assert_eq!(
            service.core.registry().scoped_items(),
            [
                "tool \"wipe\"",
                "resource \"memo://secret\"",
                "template \"memo://notes/{id}\"",
                "prompt \"audit\""
            ]
        );
    }
}
