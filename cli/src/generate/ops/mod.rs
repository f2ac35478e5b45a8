//! The operations behind the commands that change a project: `add-tool`,
//! `add-resource`, `add-prompt`, `import-openapi` and `generate`. Each
//! changes the metadata in memory, plans every file, then writes the plan
//! at once.

mod add_operation;
mod add_prompt;
mod add_resource;
mod add_tool;
mod generate;
mod import_openapi;

pub use add_operation::add_operation;
pub use add_prompt::add_prompt;
pub use add_resource::add_resource;
pub use add_tool::{add_tool, AddTool};
pub use generate::{generate, Report};
pub use import_openapi::{import_openapi, Import};
