//! Runs the server. Yours to edit: `cargo mcp` wrote this file once.

#[tokio::main]
async fn main() -> Result<(), mcp_runtime::Error> {
{%- if http %}
    let mut server = {{ crate_name }}::server();
    // This project serves HTTP unless `--transport` or MCP_TRANSPORT says otherwise.
    let chosen = std::env::args().any(|a| a.starts_with("--transport")) || std::env::var_os("MCP_TRANSPORT").is_some();
    if !chosen {
        server = server.transport(mcp_runtime::prelude::Transport::Http);
    }
    server.run().await
{%- else %}
    // Serves stdio by default; `--transport http --port 8000` (or MCP_TRANSPORT) for HTTP.
    {{ crate_name }}::server().run().await
{%- endif %}
}
