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
            Transport::Http | Transport::Sse => http::serve(self.clone().into()).await,
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
