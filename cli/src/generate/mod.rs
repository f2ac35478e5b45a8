//! The generator: everything `cargo mcp` writes, as a library that the
//! commands (and the tests) call. Plan in memory, then write all at once.
//!
//! Layers, each importing only those below it:
//! - [`ops`] and [`new_project`]: what a command does to a project;
//! - [`plan`]: every file the metadata implies, one planner per item kind;
//! - [`openapi`] (a pure generator), and [`project`] over [`metadata`] (the manifest);
//! - leaves: [`model`] (the values every layer shares), [`files`], [`render`],
//!   [`names`], [`parse`], [`error`], [`versions`], [`schema_types`], [`example`].

pub mod error;
pub mod example;
pub mod files;
pub mod metadata;
pub mod model;
pub mod names;
pub mod new_project;
pub mod openapi;
pub mod ops;
pub mod parse;
pub mod plan;
pub mod project;
pub mod render;
pub mod schema_types;
pub mod versions;

pub use error::{Error, Result};
pub use new_project::{new_project, NewProject, NewReport, RuntimeSource};
pub use ops::{
    add_operation, add_prompt, add_resource, add_tool, generate, import_openapi, AddTool, Import,
    Report,
};
pub use project::Project;
