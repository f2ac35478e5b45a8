//! Transports: bytes to JSON-RPC messages and back. Each feeds a
//! [`Session`](crate::dispatch::Session) and writes what it answers.

pub mod stdio;

/// Serves Streamable HTTP (and the legacy SSE endpoints) as the settings say.
pub(crate) async fn serve_http(service: crate::Service) -> Result<(), crate::Error> {
    let _ = service;
    Err(crate::Error::Builder("the HTTP transport is not built into this runtime yet".into()))
}
