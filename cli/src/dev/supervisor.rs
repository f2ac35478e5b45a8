//! Runs the server: build, start, and on every change rebuild and restart.
//! A failed build leaves the last good server running; a server that exits
//! by itself is reported and replaced by the next good build.

use super::bridge::{self, Link};
use super::build::{Builder, Outcome};
use super::error::DevError;
use super::events::{Hub, State};
use super::http;
use super::Transport;
use crate::ui::Ui;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// How long an HTTP server may take to start listening.
const READY_WITHIN: Duration = Duration::from_secs(30);

/// The running server process of one generation.
struct Server {
    child: Child,
    generation: u64,
    tasks: CancellationToken,
}

/// Builds and (re)starts the server.
pub struct Supervisor {
    hub: Arc<Hub>,
    link: Arc<Link>,
    builder: Builder,
    root: PathBuf,
    transport: Transport,
    port: u16,
    serve: bool,
    ui: Ui,
    generation: u64,
    server: Option<Server>,
}

enum Wake {
    Stop,
    Changed(Vec<PathBuf>),
    Exited(Option<i32>),
}

impl Supervisor {
    /// A supervisor of the project at `root`; with `serve` false it only
    /// builds (the official inspector starts stdio servers itself).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        hub: Arc<Hub>,
        link: Arc<Link>,
        builder: Builder,
        root: &Path,
        transport: Transport,
        port: u16,
        serve: bool,
        ui: Ui,
    ) -> Supervisor {
        Supervisor {
            hub,
            link,
            builder,
            root: root.to_path_buf(),
            transport,
            port,
            serve,
            ui,
            generation: 0,
            server: None,
        }
    }

    /// The URL of the server's Streamable HTTP endpoint.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/mcp", self.port)
    }

    /// Builds (unless `built` is the binary of a build just made), serves,
    /// and rebuilds on every batch of `changes` until `stop`; then stops the
    /// server.
    pub async fn run(
        mut self,
        built: Option<PathBuf>,
        mut changes: mpsc::UnboundedReceiver<Vec<PathBuf>>,
        stop: CancellationToken,
    ) -> Result<(), DevError> {
        let outcome = match built {
            Some(binary) => {
                self.built(binary, &stop).await;
                Ok(())
            }
            None => self.cycle(&stop).await,
        };
        while outcome.is_ok() && !stop.is_cancelled() {
            let wake = tokio::select! {
                _ = stop.cancelled() => Wake::Stop,
                batch = changes.recv() => match batch {
                    Some(batch) => Wake::Changed(batch),
                    None => Wake::Stop,
                },
                code = wait(&mut self.server) => Wake::Exited(code),
            };
            match wake {
                Wake::Stop => break,
                Wake::Changed(mut batch) => {
                    // Changes that piled up meanwhile are part of this rebuild.
                    while let Ok(more) = changes.try_recv() {
                        batch.extend(more);
                    }
                    if let Some(first) = batch.first() {
                        let shown = first.strip_prefix(&self.root).unwrap_or(first);
                        self.ui.status("Changed", shown.display());
                    }
                    if let Err(e) = self.cycle(&stop).await {
                        self.stop_server().await;
                        return Err(e);
                    }
                }
                Wake::Exited(code) => self.exited(code),
            }
        }
        self.stop_server().await;
        outcome
    }

    /// One build, then a restart if it succeeded.
    async fn cycle(&mut self, stop: &CancellationToken) -> Result<(), DevError> {
        self.hub.set_state(State::Building);
        self.ui.status("Building", self.hub.project());
        let outcome = tokio::select! {
            _ = stop.cancelled() => return Ok(()),
            outcome = self.builder.build(&self.hub, self.ui) => outcome?,
        };
        match outcome {
            Outcome::Failed(output) => {
                self.hub.built(Some(output));
                if self.server.is_some() {
                    self.ui
                        .warn("the build failed; the last good server keeps running");
                    self.hub.set_state(State::Running);
                } else {
                    self.ui
                        .warn("the build failed; fix it and save to try again");
                    self.hub.set_state(State::BuildFailed);
                }
            }
            Outcome::Built(binary) => self.built(binary, stop).await,
        }
        Ok(())
    }

    /// After a successful build: (re)starts the server, or just says so.
    async fn built(&mut self, binary: PathBuf, stop: &CancellationToken) {
        self.hub.built(None);
        if self.serve {
            self.start(&binary, stop).await;
        } else {
            self.ui.status("Built", binary.display());
            self.hub.set_state(State::Running);
        }
    }

    /// Stops the old server and starts `binary`.
    async fn start(&mut self, binary: &Path, stop: &CancellationToken) {
        self.stop_server().await;
        self.generation += 1;
        let generation = self.generation;
        let mut command = Command::new(binary);
        command
            .current_dir(&self.root)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let target = match self.transport {
            Transport::Stdio => {
                command.args(["--transport", "stdio"]).stdin(Stdio::piped());
                format!("{} --transport stdio", binary.display())
            }
            Transport::Http => {
                let port = self.port.to_string();
                command
                    .args([
                        "--transport",
                        "http",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        &port,
                    ])
                    .stdin(Stdio::null());
                self.url()
            }
        };
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(e) => {
                let why = format!("could not start {}: {e}", binary.display());
                self.ui.error(&why);
                self.hub.emit("stderr", json!({ "line": why }));
                self.hub.set_state(State::Exited);
                return;
            }
        };
        self.hub.started(generation, target.clone());
        let tasks = CancellationToken::new();
        if let Some(stderr) = child.stderr.take() {
            bridge::forward_output(stderr, self.hub.clone(), self.ui, &tasks);
        }
        let bridge = match self.transport {
            Transport::Stdio => {
                let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
                    self.ui.error("the server's stdin or stdout is not piped");
                    let _ = child.start_kill();
                    return;
                };
                let bridge = bridge::stdio(generation, stdin, stdout, self.hub.clone());
                self.server = Some(Server {
                    child,
                    generation,
                    tasks,
                });
                bridge
            }
            Transport::Http => {
                if let Some(stdout) = child.stdout.take() {
                    bridge::forward_output(stdout, self.hub.clone(), self.ui, &tasks);
                }
                self.server = Some(Server {
                    child,
                    generation,
                    tasks,
                });
                if !self.ready(stop).await {
                    return;
                }
                http::bridge(generation, self.url(), self.hub.clone())
            }
        };
        self.link.set(Some(bridge));
        self.hub.set_state(State::Running);
        self.hub
            .emit("restarted", json!({ "generation": generation }));
        self.ui.status("Running", &target);
    }

    /// Waits until the HTTP server accepts connections; false if it exited
    /// first (reported) or `stop` came.
    async fn ready(&mut self, stop: &CancellationToken) -> bool {
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            if stop.is_cancelled() {
                return false;
            }
            if let Some(server) = &mut self.server {
                if let Ok(Some(status)) = server.child.try_wait() {
                    self.exited(status.code());
                    return false;
                }
            }
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return true;
            }
            if Instant::now() > deadline {
                self.ui.warn(format!(
                    "the server does not accept connections on port {} yet; going on",
                    self.port
                ));
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The server ended by itself.
    fn exited(&mut self, code: Option<i32>) {
        self.link.set(None);
        let Some(server) = self.server.take() else {
            return;
        };
        // Its output tasks end by themselves once they have read everything.
        let code_text = code.map_or("a signal".to_string(), |c| format!("code {c}"));
        self.ui.warn(format!(
            "the server exited ({code_text}); save a file to rebuild and restart it"
        ));
        self.hub.emit(
            "exited",
            json!({ "generation": server.generation, "code": code }),
        );
        self.hub.set_state(State::Exited);
    }

    /// Stops the server (if any) and waits for it: its stdin closes and it
    /// gets SIGTERM, so it shuts down gracefully; after `GRACE` it is killed.
    async fn stop_server(&mut self) {
        self.link.set(None);
        if let Some(mut server) = self.server.take() {
            server.tasks.cancel();
            drop(server.child.stdin.take());
            terminate(&server.child);
            if tokio::time::timeout(GRACE, server.child.wait())
                .await
                .is_err()
            {
                self.ui.warn(format!(
                    "the server did not stop within {} s of SIGTERM; killed it",
                    GRACE.as_secs()
                ));
                let _ = server.child.start_kill();
                let _ = server.child.wait().await;
            }
        }
    }
}

/// The server's exit code (`None`: killed by a signal); never resolves
/// while there is no server.
async fn wait(server: &mut Option<Server>) -> Option<i32> {
    match server {
        Some(server) => match server.child.wait().await {
            Ok(status) => status.code(),
            Err(_) => None,
        },
        None => std::future::pending().await,
    }
}

/// How long a stopping server may take before it is killed.
const GRACE: std::time::Duration = std::time::Duration::from_secs(3);

/// Asks the server to stop (SIGTERM); a no-op where there are no signals.
#[cfg(unix)]
fn terminate(child: &Child) {
    use nix::sys::signal::{kill, Signal};
    use nix::unistd::Pid;
    if let Some(pid) = child.id().and_then(|id| i32::try_from(id).ok()) {
        let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
    }
}

#[cfg(not(unix))]
fn terminate(_child: &Child) {}
