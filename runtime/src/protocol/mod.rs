//! The MCP wire format: JSON-RPC framing, protocol revisions and eras, and
//! the content and metadata types that results are built from.

pub mod content;
pub mod jsonrpc;
pub mod version;

pub use content::*;
pub use version::{Era, LogLevel};
