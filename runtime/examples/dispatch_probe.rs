//! A server whose tools misbehave on purpose, for the dispatch regression
//! tests (runtime/tests/dispatch_hardening.rs): one never returns, one
//! returns the moment it is cancelled (the cancel-vs-finish race), and one
//! counts how many of those were started and dropped.
//!
//! ```sh
//! cargo run --example dispatch_probe                                  # stdio
//! cargo run --example dispatch_probe -- --transport http --port 8000  # Streamable HTTP
//! ```

use mcp_runtime::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

static STARTED: AtomicU64 = AtomicU64::new(0);
static DROPPED: AtomicU64 = AtomicU64::new(0);

/// Counts a handler's end, however it ends (finished, aborted, timed out).
struct Counted;

impl Counted {
    fn start() -> Counted {
        STARTED.fetch_add(1, Ordering::SeqCst);
        Counted
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        DROPPED.fetch_add(1, Ordering::SeqCst);
    }
}

/// Never returns: only cancellation, a time limit or the end of the
/// connection stops it.
async fn hold() -> &'static str {
    let _counted = Counted::start();
    std::future::pending::<()>().await;
    "unreachable"
}

/// Returns as soon as the client cancels it, so its answer races the
/// cancellation.
async fn until_cancelled(ctx: Context) -> &'static str {
    let _counted = Counted::start();
    ctx.cancellation().cancelled().await;
    "finished after the cancellation"
}

/// How many `hold` / `until_cancelled` calls started and ended so far.
async fn stats() -> String {
    format!(
        "started={} dropped={}",
        STARTED.load(Ordering::SeqCst),
        DROPPED.load(Ordering::SeqCst)
    )
}

/// The protocol version the session negotiated.
async fn version(ctx: Context) -> String {
    ctx.protocol_version().to_string()
}

fn item(mcp_runtime::Uri(uri): mcp_runtime::Uri) -> String {
    format!("the item at {uri}")
}

fn server() -> Server {
    Server::new("dispatch-probe")
        .tool("hold", hold)
        .description("Never returns")
        .tool("hold_briefly", hold)
        .description("Never returns, but has its own 1 s time limit")
        .timeout(Duration::from_secs(1))
        .tool("until_cancelled", until_cancelled)
        .description("Returns the moment it is cancelled")
        .tool("stats", stats)
        .description("Started and dropped handler counts")
        .tool("version", version)
        .description("The negotiated protocol version")
        .resource("probe://static", || "static")
        .resource_template("probe://items/{id}", item)
}

#[tokio::main]
async fn main() -> Result<(), mcp_runtime::Error> {
    server().run().await
}
