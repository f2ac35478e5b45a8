//! cargo-mcp: the `cargo mcp` subcommand. [`cli`] parses, [`commands`] run
//! one command each, [`generate`] does the work and is what tests call;
//! [`dev`] is the development loop and inspector of `cargo mcp dev`, and
//! [`inspect`] asks a running server one thing (`cargo mcp inspect`).

pub mod cli;
pub mod client;
pub mod commands;
pub mod dev;
pub mod generate;
pub mod inspect;
pub mod ui;
