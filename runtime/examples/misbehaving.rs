//! Handlers that misbehave, for the stdio and process regression tests
//! (runtime/tests/stdio_process.rs): a sync tool that sleeps, an async tool
//! that blocks its thread instead of awaiting, and a tool that prints to
//! stdout. The runtime must stay responsive, keep stdout for JSON-RPC only,
//! and exit after stdin closes whatever these do.
//!
//! ```sh
//! cargo run --example misbehaving                     # stdio
//! cargo run --example misbehaving -- --transport http --port 8000
//! ```

use mcp_runtime::prelude::*;
use std::time::Duration;

#[derive(Deserialize, JsonSchema)]
struct SleepArgs {
    /// How long to sleep, in seconds.
    secs: u64,
}

/// A sync tool: runs on a blocking thread that nothing can interrupt.
fn sleep_sync(Args(SleepArgs { secs }): Args<SleepArgs>) -> String {
    std::thread::sleep(Duration::from_secs(secs));
    format!("slept {secs} s")
}

/// An async tool that blocks its thread (a bug in user code: it should
/// await `tokio::time::sleep`).
async fn block_async(Args(SleepArgs { secs }): Args<SleepArgs>) -> String {
    std::thread::sleep(Duration::from_secs(secs));
    format!("blocked {secs} s")
}

#[derive(Deserialize, JsonSchema)]
struct PrintArgs {
    /// What to print on stdout.
    text: String,
}

/// Prints to stdout, as debugging code does.
async fn print(Args(PrintArgs { text }): Args<PrintArgs>) -> String {
    println!("{text}");
    "printed".to_string()
}

fn server() -> Server {
    Server::new("misbehaving")
        .tool("sleep_sync", sleep_sync)
        .description("Sleeps on a blocking thread")
        .tool("block_async", block_async)
        .description("Blocks its async thread")
        .tool("print", print)
        .description("Prints to stdout")
}

#[tokio::main]
async fn main() -> Result<(), mcp_runtime::Error> {
    server().run().await
}
