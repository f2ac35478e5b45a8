//! `cargo mcp dev`: build the project, run its server, rebuild and restart
//! on every change, and serve an inspector page on 127.0.0.1 that talks to
//! the server (or launch the official MCP Inspector).
//!
//! [`build`] runs cargo, [`watch`] notices changes, [`supervisor`] owns the
//! server process, [`bridge`] and [`http`] carry messages to it, [`events`]
//! carries everything back to the page, [`web`] serves the page.

pub mod bridge;
pub mod build;
pub mod error;
pub mod events;
pub mod http;
pub mod official;
pub mod sse;
pub mod supervisor;
pub mod watch;
pub mod web;

pub use error::DevError;

use crate::ui::Ui;
use bridge::Link;
use build::{Builder, Outcome};
use events::Hub;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use supervisor::Supervisor;
use tokio_util::sync::CancellationToken;

/// How the server is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// The server is a child speaking JSON lines on stdin/stdout.
    Stdio,
    /// The server listens on 127.0.0.1 (Streamable HTTP at `/mcp`).
    Http,
}

/// Which inspector to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inspector {
    /// The page built into cargo-mcp.
    Builtin,
    /// The official MCP Inspector, through npx.
    Official,
}

/// What `cargo mcp dev` was asked for.
#[derive(Debug, Clone)]
pub struct Options {
    /// The project's Cargo.toml.
    pub manifest: PathBuf,
    /// Its package name.
    pub package: String,
    /// How to reach the server.
    pub transport: Transport,
    /// The server's port with the HTTP transport.
    pub port: u16,
    /// The inspector's port.
    pub inspector_port: u16,
    /// Open the browser.
    pub open: bool,
    /// Which inspector.
    pub inspector: Inspector,
}

/// Runs until Ctrl-C or SIGTERM (or the official inspector ends), then stops
/// the server.
pub async fn run(options: Options, ui: Ui) -> Result<(), DevError> {
    if options.inspector == Inspector::Official {
        official::check_node()?;
    }
    let manifest = std::fs::canonicalize(&options.manifest).unwrap_or(options.manifest.clone());
    let root = manifest
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let transport = match options.transport {
        Transport::Stdio => "stdio",
        Transport::Http => "http",
    };
    let hub = Arc::new(Hub::new(transport, options.package.clone()));
    let link = Arc::new(Link::default());
    let builder = Builder::new(&manifest, &options.package);
    let stop = CancellationToken::new();
    tokio::spawn(stop_on_signal(stop.clone()));
    let (_watcher, changes) = watch::watch(&root)?;
    match options.inspector {
        Inspector::Builtin => {
            let addr = format!("127.0.0.1:{}", options.inspector_port);
            let listener = tokio::net::TcpListener::bind(&addr)
                .await
                .map_err(|source| DevError::Bind { addr, source })?;
            let url = format!("http://127.0.0.1:{}/", options.inspector_port);
            let app = web::router(hub.clone(), link.clone(), options.inspector_port);
            let web = tokio::spawn(async move { axum::serve(listener, app).await });
            // Always printed, --quiet or not: scripts and tests wait for it.
            anstream::eprintln!("Inspector: {url}");
            if options.open {
                open_browser(&url);
            }
            let supervisor = Supervisor::new(
                hub,
                link,
                builder,
                &root,
                options.transport,
                options.port,
                true,
                ui,
            );
            let outcome = supervisor.run(None, changes, stop).await;
            web.abort();
            outcome
        }
        Inspector::Official => {
            // The official inspector needs a server to point at: build first.
            let binary = tokio::select! {
                _ = stop.cancelled() => return Ok(()),
                outcome = builder.build(&hub, ui) => match outcome? {
                    Outcome::Built(binary) => binary,
                    Outcome::Failed(_) => return Err(DevError::BuildFailed),
                },
            };
            let serve = options.transport == Transport::Http;
            let supervisor = Supervisor::new(
                hub,
                link,
                builder,
                &root,
                options.transport,
                options.port,
                serve,
                ui,
            );
            let server = match options.transport {
                Transport::Stdio => official::Server::Command(binary.clone()),
                Transport::Http => official::Server::Url(supervisor.url()),
            };
            // Built just above: the supervisor starts from that build.
            let supervising = tokio::spawn(supervisor.run(Some(binary), changes, stop.clone()));
            let outcome = run_official(&server, &options, &stop).await;
            stop.cancel();
            let supervised = supervising.await.unwrap_or(Ok(()));
            outcome.and(supervised)
        }
    }
}

/// Runs `npx -y @modelcontextprotocol/inspector …` until it ends or `stop`.
async fn run_official(
    server: &official::Server,
    options: &Options,
    stop: &CancellationToken,
) -> Result<(), DevError> {
    let npx = official::find_on_path("npx").unwrap_or_else(|| PathBuf::from("npx"));
    let mut command = tokio::process::Command::new(&npx);
    command
        .args(official::npx_args(server))
        .env("CLIENT_PORT", options.inspector_port.to_string())
        .kill_on_drop(true);
    if !options.open {
        command.env("MCP_AUTO_OPEN_ENABLED", "false");
    }
    let mut child = command.spawn().map_err(|source| DevError::Spawn {
        program: npx.display().to_string(),
        source,
    })?;
    tokio::select! {
        _ = stop.cancelled() => {
            let _ = child.start_kill();
            let _ = child.wait().await;
            Ok(())
        }
        status = child.wait() => match status? {
            status if status.success() => Ok(()),
            status => Err(DevError::Inspector { status }),
        },
    }
}

/// Cancels `stop` on Ctrl-C or SIGTERM.
async fn stop_on_signal(stop: CancellationToken) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            stop.cancel();
            return;
        }
    }
    // Without a handler Ctrl-C would end the process and leave the server running.
    if tokio::signal::ctrl_c().await.is_ok() {
        stop.cancel();
    }
}

/// Opens `url` in the browser; failing to is no error (the URL is printed).
fn open_browser(url: &str) {
    let program = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let _ = std::process::Command::new(program)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}
