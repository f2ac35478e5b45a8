//! # mcp-runtime
//!
//! The runtime behind servers made with `cargo mcp`: typed handlers for
//! tools, resources, resource templates and prompts; a [`Context`] for
//! logging, progress, cancellation and asking the client for input; both MCP
//! protocol eras (2026-07-28, stateless, and 2024-11-05 to 2025-11-25, with
//! sessions) from one registry; stdio and HTTP transports.
//!
//! ```no_run
//! use mcp_runtime::prelude::*;
//!
//! #[derive(Deserialize, JsonSchema)]
//! struct AddArgs {
//!     /// First number
//!     a: i64,
//!     /// Second number
//!     b: i64,
//! }
//!
//! async fn add(Args(AddArgs { a, b }): Args<AddArgs>) -> i64 {
//!     a + b
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), mcp_runtime::Error> {
//!     Server::new("demo").tool("add", add).description("Add two numbers").run().await
//! }
//! ```
//!
//! Data flows one way: transport → session/era → dispatch → registry →
//! handler, and results back.

pub mod auth;
pub mod dispatch;
pub mod error;
pub mod files;
pub mod handler;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod protocol;
pub mod registry;
pub mod server;
pub mod settings;
pub mod transport;

pub use handler::context;

pub use context::{Context, ElicitAction, ElicitResult, Elicited, InputRequest, SamplingResult};
pub use error::{ContextError, Error, ToolError};
pub use handler::{
    Args, Json, Params, PromptBody, ResourceBody, ResourceError, Structured, Uri, UriParams,
};
pub use protocol::{Audio, Content, Image, PromptMessage, ResourceContents, ToolResult};
pub use server::{Server, ServerHandle, Service};

/// Everything a server file needs: `use mcp_runtime::prelude::*;`.
pub mod prelude {
    pub use crate::context::{Context, ElicitAction, ElicitResult, Elicited};
    pub use crate::error::{ContextError, ToolError};
    pub use crate::files::FileRoot;
    pub use crate::handler::{
        Args, Json, Params, PromptBody, ResourceBody, ResourceError, Structured, Uri, UriParams,
    };
    pub use crate::protocol::{
        Annotations, Audio, Content, EmbeddedResource, Icon, Image, LogLevel, PromptMessage,
        ResourceContents, Role, ToolAnnotations, ToolResult,
    };
    pub use crate::server::{Server, ServerHandle};
    pub use crate::settings::Transport;
    /// The schemars crate itself: `#[derive(JsonSchema)]` expands to paths
    /// starting `schemars::`, which this glob-imported name resolves in a
    /// project that depends on the runtime and not on schemars. (serde's
    /// derive names its crate through `extern crate serde`, so projects keep
    /// their own serde dependency.)
    #[doc(hidden)]
    pub use schemars;
    pub use schemars::JsonSchema;
    pub use serde::{Deserialize, Serialize};
    pub use serde_json::{json, Value};
}

#[doc(hidden)]
pub use schemars;
#[doc(hidden)]
pub use serde;
#[doc(hidden)]
pub use serde_json;
#[doc(hidden)]
pub use tokio;
