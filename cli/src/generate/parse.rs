//! Reading the JSON and YAML files a user hands the generator (schemas,
//! documents), with the file, line and column in every error.

use super::error::{Error, Result};
use serde_json::Value;
use std::path::Path;

/// Reads a JSON file, with line and column on error.
pub fn parse_json(path: &Path, text: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| Error::Json {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: e
            .to_string()
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .to_string(),
    })
}

/// Parses a YAML file's text into JSON, naming the file, line and column on failure.
pub fn parse_yaml(path: &Path, text: &str) -> Result<Value> {
    serde_yaml_ng::from_str(text).map_err(|e| {
        let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
        let message = e.to_string();
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_string();
        Error::Yaml {
            path: path.to_path_buf(),
            line,
            column,
            message,
        }
    })
}
