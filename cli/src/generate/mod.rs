//! The generator: everything `cargo mcp` writes, as a library that the
//! commands (and the tests) call. Plan in memory, then write all at once.

pub mod error;
pub mod example;
pub mod files;
pub mod metadata;
pub mod names;
pub mod new_project;
pub mod openapi;
pub mod ops;
pub mod plan;
pub mod project;
pub mod render;
pub mod schema_types;
pub mod versions;

pub use error::{Error, Result};
pub use new_project::{new_project, NewProject, NewReport, RuntimeSource};
pub use ops::{add_prompt, add_resource, add_tool, generate, AddTool, Report};
pub use project::Project;
