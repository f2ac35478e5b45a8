//! The benchmark server of ../shared/bench: tools `add(a, b)` and
//! `echo(text)`, resource `config://app`.
//!
//! ```sh
//! cargo run --release --example bench -- --transport stdio
//! cargo run --release --example bench -- --transport http --port 8000
//! ```

use mcp_runtime::prelude::*;

#[derive(Deserialize, JsonSchema)]
struct AddArgs {
    /// First number
    a: i64,
    /// Second number
    b: i64,
}

async fn add(Args(AddArgs { a, b }): Args<AddArgs>) -> i64 {
    a + b
}

#[derive(Deserialize, JsonSchema)]
struct EchoArgs {
    /// Text to send back
    text: String,
}

async fn echo(Args(EchoArgs { text }): Args<EchoArgs>) -> String {
    text
}

async fn config() -> Json<Value> {
    Json(json!({ "app": "mcp-bench", "version": 1 }))
}

#[tokio::main]
async fn main() -> Result<(), mcp_runtime::Error> {
    Server::new("bench")
        .tool("add", add)
        .description("Add two integers")
        .tool("echo", echo)
        .description("Echo the text back")
        .resource("config://app", config)
        .description("The app's configuration")
        .mime_type("application/json")
        .run()
        .await
}
