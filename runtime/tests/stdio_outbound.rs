//! Issue 12, defect 1 on stdio: a client that writes requests but never
//! reads stdout fills its bounded outbound queue (`MCP_MAX_OUTBOUND_QUEUE`);
//! the connection then ends instead of buffering answers without bound.

use mcp_runtime::prelude::*;
use mcp_runtime::settings::Settings;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

#[tokio::test]
async fn stdio_client_that_never_reads_is_disconnected() {
    let mut settings = Settings::defaults();
    settings.max_outbound_queue = 100;
    let service = Server::new("stdio-outbound")
        .build_with(settings)
        .expect("the server builds");
    // A pipe that holds 1 KiB: the server's writer blocks once it is full.
    let (client, server) = tokio::io::duplex(1024);
    let (server_read, server_write) = tokio::io::split(server);
    let (_client_read, mut client_write) = tokio::io::split(client);
    let writer = tokio::spawn(async move {
        for id in 1..=2000 {
            let line = format!("{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"ping\"}}\n");
            if client_write.write_all(line.as_bytes()).await.is_err() {
                return;
            }
        }
        // Never closes its end: only the overflow can end the connection.
        std::future::pending::<()>().await;
    });
    let served = tokio::time::timeout(
        Duration::from_secs(30),
        service.serve_io(server_read, server_write),
    )
    .await;
    writer.abort();
    assert!(
        served.is_ok(),
        "the connection of a client that never reads stayed open"
    );
}
