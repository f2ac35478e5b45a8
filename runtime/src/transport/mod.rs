//! Transports: bytes to JSON-RPC messages and back. Each feeds a
//! [`Session`](crate::dispatch::Session) and writes what it answers.

pub mod http;
#[cfg(feature = "sse")]
pub(crate) mod sse;
pub mod stdio;

/// Serves Streamable HTTP (and the legacy SSE endpoints) as the settings say,
/// until SIGTERM or Ctrl-C.
pub(crate) async fn serve_http(service: crate::Service) -> Result<(), crate::Error> {
    http::serve(service).await
}
