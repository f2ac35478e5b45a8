// A FastMCP user's first tool: plain parameters instead of `Args<T>`.
use mcp_runtime::prelude::*;

async fn greet(name: String) -> String {
    format!("Hello, {name}!")
}

fn main() {
    let _server = Server::new("demo").tool("greet", greet);
}
