//! The server layer, on top of the others: the [`Server`] builder
//! (`builder`, with its item methods in `describe` and its HTTP parts in
//! `http`), the built [`Service`] that serves a transport, and the
//! [`ServerHandle`] that changes a serving server.
//!
//! ```no_run
//! use mcp_runtime::prelude::*;
//!
//! async fn add(Args((a, b)): Args<(i64, i64)>) -> i64 { a + b }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), mcp_runtime::Error> {
//!     Server::new("demo").tool("add", add).description("Add two numbers").run().await
//! }
//! ```

mod builder;
mod describe;
mod handle;
mod http;
mod service;
mod tracing;

pub use builder::Server;
pub use describe::SchemaSource;
pub use handle::ServerHandle;
pub use service::Service;
