//! Finding and loading a project: the Cargo.toml with `[package.metadata.mcp]`
//! in the current folder or any parent.

use super::error::{io, Error, Result};
use super::metadata::{self, Metadata};
use std::path::{Path, PathBuf};
use toml_edit::DocumentMut;

/// A cargo-mcp project, loaded.
#[derive(Debug, Clone)]
pub struct Project {
    /// The folder holding Cargo.toml.
    pub root: PathBuf,
    /// Path of Cargo.toml.
    pub manifest: PathBuf,
    /// The manifest as read.
    pub original: String,
    /// The manifest, being edited.
    pub doc: DocumentMut,
    /// The package name.
    pub package: String,
    /// What `[package.metadata.mcp]` lists.
    pub meta: Metadata,
}

impl Project {
    /// Finds the project around `start` (a folder or file inside it).
    pub fn find(start: &Path) -> Result<Project> {
        let mut dir = Some(start);
        while let Some(d) = dir {
            let manifest = d.join("Cargo.toml");
            if manifest.is_file() {
                let text = std::fs::read_to_string(&manifest).map_err(io(&manifest))?;
                if text.contains("metadata.mcp") {
                    return Project::open(&manifest);
                }
            }
            dir = d.parent();
        }
        Err(Error::NotAProject {
            start: start.to_path_buf(),
        })
    }

    /// Loads the project whose manifest is `manifest`.
    pub fn open(manifest: &Path) -> Result<Project> {
        let original = std::fs::read_to_string(manifest).map_err(io(manifest))?;
        Project::from_text(manifest, original)
    }

    /// Loads a project from a manifest's text.
    pub fn from_text(manifest: &Path, original: String) -> Result<Project> {
        let doc = metadata::parse_manifest(manifest, &original)?;
        let meta = metadata::read(manifest, &doc)?.ok_or_else(|| Error::NotAProject {
            start: manifest.to_path_buf(),
        })?;
        let package = doc
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
            .ok_or_else(|| Error::Manifest {
                path: manifest.to_path_buf(),
                message: "has no `package.name`".into(),
            })?
            .to_string();
        let root = manifest
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        Ok(Project {
            root,
            manifest: manifest.to_path_buf(),
            original,
            doc,
            package,
            meta,
        })
    }
}
