//! What can stop `cargo mcp dev` as a whole (a failed build or a crashed
//! server does not: they are reported as events and the session goes on).

use std::path::PathBuf;

/// Why `cargo mcp dev` could not start or go on.
#[derive(Debug, thiserror::Error)]
pub enum DevError {
    /// The inspector's port is taken or cannot be bound.
    #[error("cannot listen on {addr} for the inspector: {source} (choose another port with --inspector-port)")]
    Bind {
        /// The address tried.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
    /// A program (cargo, the server, npx) could not be started.
    #[error("could not start `{program}`: {source} (is it installed and on PATH?)")]
    Spawn {
        /// The program.
        program: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file watcher could not watch a path.
    #[error("cannot watch {}: {source}", path.display())]
    Watch {
        /// The path.
        path: PathBuf,
        /// Why.
        source: notify_debouncer_full::notify::Error,
    },
    /// Node.js is missing or too old for `--inspector official`.
    #[error(transparent)]
    Node(#[from] super::official::NodeError),
    /// The first build failed (with `--inspector official`, which needs a server to start).
    #[error("the build failed (cargo's output is above): fix it and run again, or drop --inspector official (the built-in inspector waits for a fix instead)")]
    BuildFailed,
    /// The official inspector (npx) ended with a failure.
    #[error("the official MCP Inspector exited with {status}; see its output above (npx downloads it on first use, so it needs the npm registry), or drop --inspector official to use the built-in inspector")]
    Inspector {
        /// How it ended.
        status: std::process::ExitStatus,
    },
    /// Any other I/O failure (signals, the runtime).
    #[error("{0}")]
    Io(#[from] std::io::Error),
}
