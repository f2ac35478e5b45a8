//! Transports: bytes to JSON-RPC messages and back. Each feeds a
//! [`Session`](crate::dispatch::Session) of the dispatch core and writes what
//! it answers: `stdio`, and `http` (Streamable HTTP, and the legacy HTTP+SSE
//! endpoints behind the `sse` feature).

pub mod http;
pub mod stdio;
