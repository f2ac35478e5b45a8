//! `cargo build` of the project: its human output streamed to the terminal
//! and to the pages line by line, the server binary found from cargo's JSON
//! artifact messages (`--message-format=json-render-diagnostics`).

use super::error::DevError;
use super::events::Hub;
use crate::ui::Ui;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use tokio::process::Command;

/// How a build ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It succeeded; the server binary is here.
    Built(PathBuf),
    /// It failed; cargo's whole output.
    Failed(String),
}

/// Builds one project.
#[derive(Debug, Clone)]
pub struct Builder {
    manifest: PathBuf,
    package: String,
}

impl Builder {
    /// A builder for the package `package` whose manifest is `manifest`.
    pub fn new(manifest: &Path, package: &str) -> Builder {
        Builder {
            manifest: manifest.to_path_buf(),
            package: package.to_string(),
        }
    }

    /// Runs `cargo build`, streaming its output as `build` events. Dropping
    /// the future kills cargo.
    pub async fn build(&self, hub: &Hub, ui: Ui) -> Result<Outcome, DevError> {
        // `cargo mcp` runs us with $CARGO set to the cargo that ran it.
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut child = Command::new(&cargo)
            .arg("build")
            .arg("--manifest-path")
            .arg(&self.manifest)
            .arg("--message-format=json-render-diagnostics")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| DevError::Spawn {
                program: cargo.to_string_lossy().into_owned(),
                source,
            })?;
        let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
            return Err(DevError::Io(std::io::Error::other(
                "cargo's pipes are missing",
            )));
        };
        let human = async {
            let mut output = String::new();
            super::bridge::each_line(stderr, |line| {
                ui.info(&line);
                hub.emit("build", json!({ "line": line }));
                output.push_str(&line);
                output.push('\n');
            })
            .await;
            output
        };
        let machine = async {
            let mut binaries = Vec::new();
            super::bridge::each_line(stdout, |line| {
                if let Some(found) = executable(&line) {
                    binaries.push(found);
                }
            })
            .await;
            binaries
        };
        let (output, binaries, status) = tokio::join!(human, machine, child.wait());
        let status = status?;
        if !status.success() {
            return Ok(Outcome::Failed(output));
        }
        match pick(&binaries, &self.package) {
            Some(binary) => Ok(Outcome::Built(binary)),
            None => Ok(Outcome::Failed(format!(
                "{output}cargo built no binary for package `{}`: add a [[bin]] target (src/main.rs)\n",
                self.package
            ))),
        }
    }
}

/// A `compiler-artifact` message for a binary target: (target name, executable).
fn executable(line: &str) -> Option<(String, PathBuf)> {
    let message: Value = serde_json::from_str(line).ok()?;
    if message["reason"] != "compiler-artifact" {
        return None;
    }
    let is_bin = message["target"]["kind"]
        .as_array()
        .is_some_and(|kinds| kinds.iter().any(|k| k == "bin"));
    let path = message["executable"].as_str()?;
    let name = message["target"]["name"].as_str()?;
    is_bin.then(|| (name.to_string(), PathBuf::from(path)))
}

/// The binary named after the package, else the only one.
fn pick(binaries: &[(String, PathBuf)], package: &str) -> Option<PathBuf> {
    binaries
        .iter()
        .find(|(name, _)| name == package)
        .or(match binaries {
            [only] => Some(only),
            _ => None,
        })
        .map(|(_, path)| path.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_package_binary_among_artifacts() {
        let bin = r#"{"reason":"compiler-artifact","target":{"kind":["bin"],"name":"demo"},"executable":"/t/debug/demo","fresh":true}"#;
        let lib = r#"{"reason":"compiler-artifact","target":{"kind":["lib"],"name":"demo"},"executable":null}"#;
        let other = r#"{"reason":"compiler-artifact","target":{"kind":["bin"],"name":"tool"},"executable":"/t/debug/tool"}"#;
        assert_eq!(executable(lib), None);
        assert_eq!(executable("Compiling demo"), None);
        let found: Vec<_> = [bin, lib, other]
            .iter()
            .filter_map(|l| executable(l))
            .collect();
        assert_eq!(pick(&found, "demo"), Some(PathBuf::from("/t/debug/demo")));
        assert_eq!(
            pick(&found[1..], "demo"),
            Some(PathBuf::from("/t/debug/tool"))
        );
        assert_eq!(pick(&found, "nope"), None);
        assert_eq!(pick(&[], "demo"), None);
    }
}
