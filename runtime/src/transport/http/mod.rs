//! Streamable HTTP on axum, serving both protocol eras at one endpoint
//! (`MCP_MOUNT_PATH` + `MCP_STREAMABLE_HTTP_PATH`, `/mcp` by default):
//!
//! - **2026-07-28** (stateless): every POST stands alone. The transport checks
//!   the request's envelope and its `MCP-Protocol-Version`, `Mcp-Method` and
//!   `Mcp-Name` headers, then serves it on a fresh session. The answer is JSON,
//!   or a per-request SSE stream once the handler sends a notification first
//!   (logs, progress, `subscriptions/listen`). GET and DELETE answer 405.
//! - **2025-11-25 and older**: `initialize` opens a session named by a random
//!   128-bit `Mcp-Session-Id`; later POSTs carry it; GET opens the session's
//!   standalone stream (list changes, resource updates; resumable with
//!   `Last-Event-ID`); DELETE ends it. Idle sessions expire and their number is
//!   bounded.
//!
//! Around both: Host/Origin checks against DNS rebinding, a body size limit,
//! `TCP_NODELAY` on every connection, graceful shutdown, custom axum routes on
//! the same port, and (feature `sse`) the deprecated HTTP+SSE endpoints.
//!
//! Tests and embedders serve on a listener they bound themselves:
//!
//! ```no_run
//! # async fn demo() -> Result<(), mcp_runtime::Error> {
//! use mcp_runtime::prelude::*;
//! let service = Server::new("demo").tool("ping", || async { "pong" }).build()?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let address = listener.local_addr()?;
//! tokio::spawn(async move { service.serve_http_on(listener).await });
//! println!("http://{address}/mcp");
//! # Ok(()) }
//! ```

mod event_store;
mod guard;
pub(crate) mod headers;
mod listener;
mod reply;
pub(crate) mod session_store;
#[cfg(feature = "sse")]
mod sse;
pub(crate) mod streamable;

pub use event_store::{EventStore, MemoryEventStore};

/// The axum version the transport is built on, for custom routes:
/// `.route("/health", mcp_runtime::transport::http::axum::routing::get(|| async { "ok" }))`.
/// A custom handler may take `axum::Extension<ServerHandle>` to reach the
/// server (its tools, resources and settings), and answer JSON with
/// `axum::Json` (axum's `json` feature is on).
pub use axum;

use crate::dispatch::{Core, Outbound};
use crate::error::Error;
use crate::settings::Settings;
use axum::routing::{any, MethodRouter};
use axum::Router;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub(crate) use guard::Guard;
pub(crate) use reply::error_response;
#[cfg(feature = "sse")]
pub(crate) use reply::sse_response;
pub(crate) use session_store::SessionStore;

/// The HTTP transports' part of [`Settings`]: built from them with
/// [`HttpConfig::from_settings`] (so each value comes from the builder, a
/// flag, its `MCP_*` variable or its default), or written out by tests and
/// embedders.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// `MCP_MAX_SESSIONS`: legacy sessions held at once (default 20000). When
    /// full, sessions idle past `session_idle_timeout` are ended first; if
    /// none is, the server answers 503 with `Retry-After` (a live session is
    /// never evicted to make room for another).
    pub max_sessions: usize,
    /// `MCP_MAX_SESSIONS_PER_PRINCIPAL`: legacy sessions one principal may
    /// hold (default 100); more answer 503. Without auth, one principal is
    /// one client IP address.
    pub max_sessions_per_principal: usize,
    /// `MCP_MAX_REQUESTS_IN_FLIGHT`: requests one session may have running
    /// at once (default 1000); more answer 429 before any work starts.
    pub max_requests_in_flight: usize,
    /// `MCP_MAX_OUTBOUND_QUEUE` and `MCP_MAX_OUTBOUND_QUEUE_BYTES`: what may
    /// wait for one stream's reader; past it the reader is disconnected.
    pub outbound: crate::dispatch::OutboundLimit,
    /// `MCP_HTTP_HEADER_TIMEOUT_SECS`: a request head must be complete within
    /// this long of the connection's opening, or of its first byte after an
    /// idle spell between requests (default 10).
    pub header_timeout: Duration,
    /// `MCP_HTTP_BODY_TIMEOUT_SECS`: a request body must be complete within
    /// this long of its head (default 30); else the MCP endpoints answer 408
    /// and a custom route's body read fails.
    pub body_timeout: Duration,
    /// `MCP_HTTP_IDLE_TIMEOUT_SECS`: a connection with no request in
    /// progress and nothing received for this long is closed (default 60).
    pub idle_timeout: Duration,
    /// `MCP_MAX_CONNECTIONS`: connections served at once (default 1000, and
    /// at most the open-file limit less 64); more wait in the listen backlog.
    pub max_connections: usize,
    /// `MCP_SESSION_IDLE_TIMEOUT_SECS`: a legacy session with no open stream
    /// and no request for this long is ended (default 1800).
    pub session_idle_timeout: Duration,
    /// `MCP_JSON_RESPONSE`: answer every POST with JSON, never SSE (default
    /// false). Notifications and server-to-client requests made during a
    /// request are then dropped.
    pub json_response: bool,
    /// `MCP_STATELESS_HTTP`: serve legacy requests without sessions, each on a
    /// fresh session (default false). No `Mcp-Session-Id` is issued; GET and
    /// DELETE answer 405.
    pub stateless: bool,
    /// `MCP_SHUTDOWN_GRACE_SECS`: how long requests in flight may run after
    /// SIGTERM or Ctrl-C (default 10).
    pub shutdown_grace: Duration,
    /// `MCP_SSE_KEEP_ALIVE_SECS`: the interval of keep-alive comments on SSE
    /// streams (default 15).
    pub keep_alive: Duration,
    /// `MCP_DNS_REBINDING_PROTECTION`: check `Host` and `Origin` (default: on
    /// when bound to a loopback address, or when `MCP_ALLOWED_HOSTS` /
    /// `MCP_ALLOWED_ORIGINS` are set).
    pub dns_rebinding_protection: Option<bool>,
}

impl Default for HttpConfig {
    /// The defaults of the `MCP_*` settings.
    fn default() -> Self {
        HttpConfig::from_settings(&Settings::defaults())
    }
}

impl HttpConfig {
    /// The HTTP settings of `settings` (builder, flags, `MCP_*` variables,
    /// defaults, resolved like every other setting).
    pub fn from_settings(settings: &Settings) -> HttpConfig {
        HttpConfig {
            max_sessions: settings.max_sessions,
            max_sessions_per_principal: settings.max_sessions_per_principal,
            max_requests_in_flight: settings.max_requests_in_flight,
            outbound: crate::dispatch::OutboundLimit::from_settings(settings),
            header_timeout: settings.http_header_timeout,
            body_timeout: settings.http_body_timeout,
            idle_timeout: settings.http_idle_timeout,
            max_connections: settings.max_connections,
            session_idle_timeout: settings.session_idle_timeout,
            json_response: settings.json_response,
            stateless: settings.stateless_http,
            shutdown_grace: settings.shutdown_grace,
            keep_alive: settings.sse_keep_alive,
            dns_rebinding_protection: settings.dns_rebinding_protection,
        }
    }
}

/// What the HTTP transports serve: the dispatch core (with the settings it
/// was built with) and the HTTP-only parts of the server. The server layer
/// makes one from its `Service` (which converts into it), so [`router`],
/// [`router_with`] and [`serve_listener`] take either.
#[derive(Clone)]
pub struct HttpService {
    pub(crate) core: Arc<Core>,
    pub(crate) extras: HttpExtras,
}

impl HttpService {
    /// The effective settings.
    pub fn settings(&self) -> &Settings {
        &self.core.settings
    }
}

/// HTTP-only parts of a server: custom routes served beside the MCP
/// endpoint. Filled by [`Server::route`](crate::Server::route) and
/// [`Server::router`](crate::Server::router).
#[derive(Clone, Default)]
pub struct HttpExtras {
    routes: Option<Router>,
    paths: Vec<String>,
    /// Token checks on the MCP endpoints (from `MCP_AUTH_*` or `Server::auth`).
    #[cfg(feature = "auth")]
    pub(crate) auth: Option<Arc<crate::auth::Auth>>,
    /// Refuse to serve HTTP without token checks (`Server::require_auth`).
    pub(crate) require_auth: bool,
    /// The development authorization server to start on the HTTP port
    /// (`Server::dev_auth`, `MCP_AUTH_DEV`), when `auth` is not set.
    #[cfg(feature = "auth")]
    pub(crate) dev_auth: Option<Arc<crate::auth::dev_mode::DevAuthPlan>>,
}

impl std::fmt::Debug for HttpExtras {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpExtras")
            .field("paths", &self.paths)
            .finish()
    }
}

impl HttpExtras {
    /// Whether tokens are checked (auth or development auth configured).
    pub(crate) fn auth_configured(&self) -> bool {
        #[cfg(feature = "auth")]
        return self.auth.is_some() || self.dev_auth.is_some();
        #[cfg(not(feature = "auth"))]
        false
    }

    /// Adds a route; a second route at the same path, or a path axum refuses,
    /// is an error (never a panic).
    pub(crate) fn add_route(&mut self, path: &str, route: MethodRouter) -> Result<(), Error> {
        if !path.starts_with('/') {
            return Err(Error::Builder(format!(
                "custom route {path:?}: a path must start with '/'"
            )));
        }
        if self.paths.iter().any(|p| p == path) {
            return Err(Error::Builder(format!(
                "custom route {path:?} was added twice; give one MethodRouter all its methods (get(a).post(b))"
            )));
        }
        let router = self.routes.take().unwrap_or_default();
        let added =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| router.route(path, route)));
        match added {
            Ok(r) => {
                self.routes = Some(r);
                self.paths.push(path.to_string());
                Ok(())
            }
            Err(_) => Err(Error::Builder(format!(
                "custom route {path:?} was refused by the router (see the message above)"
            ))),
        }
    }

    /// Gives every custom route `value` as an `axum::Extension` (the server
    /// layer passes its `ServerHandle` this way).
    pub(crate) fn with_extension<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        self.routes = self.routes.map(|r| r.layer(axum::Extension(value)));
        self
    }

    /// Merges a whole router.
    pub(crate) fn add_router(&mut self, router: Router) -> Result<(), Error> {
        let mine = self.routes.take().unwrap_or_default();
        let merged = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| mine.merge(router)));
        match merged {
            Ok(r) => {
                self.routes = Some(r);
                Ok(())
            }
            Err(_) => Err(Error::Builder(
                "a custom router overlaps routes added before it (see the message above)".into(),
            )),
        }
    }
}

/// Everything the HTTP handlers share.
pub(crate) struct App {
    pub core: Arc<Core>,
    pub config: HttpConfig,
    pub guard: Guard,
    pub sessions: Arc<SessionStore>,
    /// An outbound channel nobody reads, for sessions whose session-wide
    /// notifications the transport routes itself.
    pub nowhere: Outbound,
    /// Cancelled when the server shuts down: long-lived streams end.
    pub shutdown: CancellationToken,
    /// The legacy HTTP+SSE sessions.
    #[cfg(feature = "sse")]
    pub sse: Arc<sse::SseSessions>,
}

/// Joins the mount path and an endpoint path: `/` + `/mcp` is `/mcp`,
/// `/api/` + `/mcp` is `/api/mcp`.
pub(crate) fn join_path(mount: &str, path: &str) -> String {
    let mount = mount.trim_end_matches('/');
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    format!("{mount}{path}")
}

/// The same path with and without a trailing slash.
fn both_forms(path: &str) -> Vec<String> {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return vec!["/".to_string()];
    }
    vec![trimmed.to_string(), format!("{trimmed}/")]
}

/// The router serving the MCP endpoints, with the service's custom routes
/// beside them (custom routes take every path the MCP endpoints do not).
/// Configuration comes from `config`; streams end when `shutdown` is
/// cancelled.
pub fn router_with(
    service: impl Into<HttpService>,
    config: HttpConfig,
    shutdown: CancellationToken,
) -> Router {
    let HttpService { core, extras } = service.into();
    let settings = core.settings.clone();
    let guard = Guard::new(&settings, config.dns_rebinding_protection);
    let custom_guard = guard.clone();
    #[cfg(feature = "auth")]
    let dev_guard = guard.clone();
    let sessions = SessionStore::new(core.clone(), &config, shutdown.clone());
    let (nowhere, _) = Outbound::channel();
    #[cfg(feature = "auth")]
    let (auth, dev_routes) = match (&extras.auth, &extras.dev_auth) {
        (Some(auth), _) => (Some(auth.clone()), None),
        (None, Some(plan)) => match plan.start(&settings, None, item_scopes(&core)) {
            Ok(dev) => (Some(dev.auth), Some(dev.server.router())),
            // Never serve the endpoints unprotected when asked to protect them.
            Err(e) => {
                return unavailable(format!(
                    "the development authorization server cannot start: {e}"
                ))
            }
        },
        (None, None) => (None, None),
    };
    let app = Arc::new(App {
        core,
        config,
        guard,
        sessions,
        nowhere,
        shutdown,
        #[cfg(feature = "sse")]
        sse: Arc::new(sse::SseSessions::default()),
    });
    let mut router: Router<Arc<App>> = Router::new();
    let endpoint = join_path(&settings.mount_path, &settings.streamable_http_path);
    for path in both_forms(&endpoint) {
        router = router.route(&path, any(streamable::handle));
    }
    #[cfg(feature = "sse")]
    {
        let sse_path = join_path(&settings.mount_path, &settings.sse_path);
        let message_path = join_path(&settings.mount_path, &settings.message_path);
        let mut taken = both_forms(&endpoint);
        for path in both_forms(&sse_path) {
            if !taken.contains(&path) {
                router = router.route(&path, any(sse::stream));
                taken.push(path);
            }
        }
        for path in both_forms(&message_path) {
            if !taken.contains(&path) {
                router = router.route(&path, any(sse::message));
                taken.push(path);
            }
        }
    }
    let router = router.with_state(app);
    let router = match extras.routes {
        // Custom handlers reach the server with `Extension<ServerHandle>`,
        // which the server layer put on them.
        Some(custom) => {
            // Custom routes get the same Host/Origin checks as the MCP
            // endpoint, and JSON-RPC error bodies for unknown paths and
            // methods, like every other 4xx of this server.
            let custom = custom
                .fallback(not_found)
                .method_not_allowed_fallback(method_not_allowed)
                .layer(axum::middleware::from_fn(
                    move |request: axum::extract::Request, next: axum::middleware::Next| {
                        let guard = custom_guard.clone();
                        async move {
                            match guard.check(request.headers()) {
                                Ok(()) => next.run(request).await,
                                Err((status, error)) => error_response(status, None, &error),
                            }
                        }
                    },
                ));
            router.fallback_service(custom)
        }
        None => router.fallback(not_found),
    };
    // With auth configured, the MCP endpoints (not the custom routes) need a
    // token, and the protected resource metadata is served.
    #[cfg(feature = "auth")]
    if let Some(auth) = auth {
        // The development authorization server's endpoints are public, at
        // the root: its issuer is the server's base URL.
        // They get the same Host/Origin checks as the MCP endpoint.
        let router = match dev_routes {
            Some(dev) => router.merge(guarded(dev, dev_guard)),
            None => router,
        };
        let sse_path = join_path(&settings.mount_path, &settings.sse_path);
        let message_path = join_path(&settings.mount_path, &settings.message_path);
        return crate::auth::protect_paths(
            router,
            auth,
            &endpoint,
            &[&endpoint, &sse_path, &message_path],
        );
    }
    router
}

/// The scopes the server's items require, read when asked (items can be
/// added while serving): what the development authorization server grants.
#[cfg(feature = "auth")]
fn item_scopes(core: &Arc<Core>) -> impl Fn() -> Vec<String> + Send + Sync + 'static {
    let core = Arc::downgrade(core);
    move || {
        core.upgrade()
            .map(|c| c.required_scopes())
            .unwrap_or_default()
    }
}

/// `router` refusing requests whose Host or Origin `guard` refuses.
#[cfg(feature = "auth")]
fn guarded(router: Router, guard: Guard) -> Router {
    router.layer(axum::middleware::from_fn(
        move |request: axum::extract::Request, next: axum::middleware::Next| {
            let guard = guard.clone();
            async move {
                match guard.check(request.headers()) {
                    Ok(()) => next.run(request).await,
                    Err((status, error)) => error_response(status, None, &error),
                }
            }
        },
    ))
}

/// A router answering every request 503 with `reason`, logged once.
#[cfg(feature = "auth")]
fn unavailable(reason: String) -> Router {
    tracing::error!("{reason}");
    Router::new().fallback(move || {
        let reason = reason.clone();
        async move {
            error_response(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                None,
                &crate::protocol::jsonrpc::ErrorObject::internal(reason),
            )
        }
    })
}

/// 404 with a JSON-RPC error body.
async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    error_response(
        axum::http::StatusCode::NOT_FOUND,
        None,
        &crate::protocol::jsonrpc::ErrorObject::invalid_request(format!(
            "Not found: nothing is served at {}",
            uri.path()
        )),
    )
}

/// 405 with a JSON-RPC error body.
async fn method_not_allowed(
    method: axum::http::Method,
    uri: axum::http::Uri,
) -> axum::response::Response {
    error_response(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        None,
        &crate::protocol::jsonrpc::ErrorObject::invalid_request(format!(
            "Method not allowed: {} {} is not served",
            method,
            uri.path()
        )),
    )
}

/// The router with the service's HTTP settings ([`HttpConfig::from_settings`]).
pub fn router(service: impl Into<HttpService>) -> Router {
    let service = service.into();
    let config = HttpConfig::from_settings(service.settings());
    router_with(service, config, CancellationToken::new())
}

/// Serves on `listener` until `shutdown` completes, then lets requests in
/// flight finish for up to `config.shutdown_grace`.
pub async fn serve_listener(
    service: impl Into<HttpService>,
    listener: TcpListener,
    config: HttpConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let service = service.into();
    // The development authorization server is named by the bound address.
    #[cfg(feature = "auth")]
    if let (None, Some(plan)) = (&service.extras.auth, &service.extras.dev_auth) {
        plan.start(
            service.settings(),
            listener.local_addr().ok(),
            item_scopes(&service.core),
        )
        .map_err(|e| Error::Builder(e.to_string()))?;
    }
    let limits = listener::Limits {
        header_timeout: config.header_timeout,
        body_timeout: config.body_timeout,
        idle_timeout: config.idle_timeout,
        max_connections: config.max_connections,
        grace: config.shutdown_grace,
    };
    let grace = config.shutdown_grace;
    let stop = CancellationToken::new();
    let app = router_with(service, config, stop.clone());
    let trigger = stop.clone();
    tokio::spawn(async move {
        tokio::select! {
            _ = shutdown => {
                tracing::info!("shutting down: no new connections; requests in flight get {grace:?}");
                trigger.cancel();
            }
            _ = trigger.cancelled() => {}
        }
    });
    listener::serve(listener, app, limits, stop)
        .await
        .map_err(Error::Io)
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

/// Binds `MCP_HOST:MCP_PORT` and serves until SIGTERM or Ctrl-C.
pub(crate) async fn serve(service: HttpService) -> Result<(), Error> {
    let config = HttpConfig::from_settings(service.settings());
    let settings = service.settings();
    let (host, port) = (settings.host.clone(), settings.port);
    let listener = TcpListener::bind((host.as_str(), port))
        .await
        .map_err(|e| {
            Error::Io(std::io::Error::new(
                e.kind(),
                format!("cannot listen on {host}:{port}: {e}"),
            ))
        })?;
    let address = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| format!("{host}:{port}"));
    let endpoint = join_path(&settings.mount_path, &settings.streamable_http_path);
    tracing::info!("serving Streamable HTTP on http://{address}{endpoint}");
    #[cfg(feature = "sse")]
    tracing::info!(
        "serving the legacy HTTP+SSE endpoint on http://{address}{}",
        join_path(&settings.mount_path, &settings.sse_path)
    );
    serve_listener(service, listener, config, shutdown_signal()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_under_the_mount() {
        assert_eq!(join_path("/", "/mcp"), "/mcp");
        assert_eq!(join_path("/api/", "/mcp"), "/api/mcp");
        assert_eq!(join_path("/api", "messages/"), "/api/messages/");
        assert_eq!(
            both_forms("/messages/"),
            vec!["/messages".to_string(), "/messages/".to_string()]
        );
    }
}
