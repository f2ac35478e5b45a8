//! cargo-mcp: the `cargo mcp` subcommand. [`cli`] parses, [`commands`] run
//! one command each, [`generate`] does the work and is what tests call.

pub mod cli;
pub mod client;
pub mod commands;
pub mod generate;
pub mod ui;
