//! {{ name }}: an MCP server. Yours to edit: `cargo mcp` wrote this file once.
//!
//! Handlers live in `tools/`, `resources/` and `prompts/`; `generated/`
//! belongs to `cargo mcp generate`.

pub mod generated;
pub mod prompts;
pub mod resources;
pub mod tools;

pub use generated::server;
