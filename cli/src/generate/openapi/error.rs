//! The importer's error: what went wrong, in which file, at which JSON pointer.

use std::path::{Path, PathBuf};

/// A document that cannot be imported as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}#{pointer}: {message}", file.display())]
pub struct OpenApiError {
    /// The file at fault.
    pub file: PathBuf,
    /// The JSON pointer of the node at fault (empty for the whole file).
    pub pointer: String,
    /// What is wrong, and what to do.
    pub message: String,
}

impl OpenApiError {
    /// A new error.
    pub fn new(file: &Path, pointer: &str, message: impl Into<String>) -> Self {
        OpenApiError {
            file: file.to_path_buf(),
            pointer: pointer.to_string(),
            message: message.into(),
        }
    }
}
