//! The generator's errors. Each message names the file and what to do next.

use std::path::PathBuf;

/// Why generation could not go ahead. Nothing was written when one is returned.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{}: {source}\nCheck that the folder exists and that you may write to it.", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The failure.
        source: std::io::Error,
    },
    /// A JSON file did not parse.
    #[error("{}:{line}:{column}: invalid JSON: {message}\nFix the file and run the command again.", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What serde_json said.
        message: String,
    },
    /// A YAML file did not parse.
    #[error("{}:{line}:{column}: invalid YAML: {message}\nFix the file and run the command again.", path.display())]
    Yaml {
        /// The file.
        path: PathBuf,
        /// 1-based line (0 when the parser gave none).
        line: usize,
        /// 1-based column (0 when the parser gave none).
        column: usize,
        /// What the YAML parser said.
        message: String,
    },
    /// A Cargo.toml did not parse or has an unexpected shape.
    #[error("{}: {message}", path.display())]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// What is wrong, and what to do.
        message: String,
    },
    /// No project around the current folder.
    #[error("no cargo-mcp project found from {}: no Cargo.toml with [package.metadata.mcp] in it or any parent folder.\nRun `cargo mcp new NAME` to create one, or run the command inside a project (or pass --manifest-path).", start.display())]
    NotAProject {
        /// Where the search started.
        start: PathBuf,
    },
    /// Several cargo-mcp projects in the workspace, and the current folder is in none of them.
    #[error("{} is in a workspace with several cargo-mcp projects: {}.\nRun the command inside one of them, or pass --manifest-path.", start.display(), projects.join(", "))]
    Ambiguous {
        /// Where the search started.
        start: PathBuf,
        /// Each project's package name and manifest.
        projects: Vec<String>,
    },
    /// The user asked for something that cannot be done as asked.
    #[error("{0}")]
    Invalid(String),
    /// A template failed to render (a bug in cargo-mcp).
    #[error("template {name} failed to render: {source}")]
    Template {
        /// The template.
        name: &'static str,
        /// askama's error.
        source: askama::Error,
    },
}

/// Results of the generator.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Wraps an I/O error with its path.
pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.into();
    move |source| Error::Io { path, source }
}
