//! Finding and loading a project: the cargo package with `[package.metadata.mcp]`
//! that holds the current folder, as `cargo metadata` sees the workspace.

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
    /// Finds the project around `start` (a folder or file inside it) as cargo
    /// sees it (`cargo metadata`): the workspace member holding `start` when it
    /// is a cargo-mcp project, else the workspace's only cargo-mcp project. When
    /// cargo cannot load the workspace (a broken manifest, no cargo), the nearest
    /// Cargo.toml with `[package.metadata.mcp]` is read instead, so its own
    /// parse error is what the user sees.
    pub fn find(start: &Path) -> Result<Project> {
        let dir = if start.is_file() {
            start.parent().unwrap_or(start)
        } else {
            start
        };
        match cargo_metadata::MetadataCommand::new()
            .no_deps()
            .current_dir(dir)
            .exec()
        {
            Ok(meta) => Project::choose(start, &meta),
            Err(_) => Project::walk_up(start),
        }
    }

    /// Picks the cargo-mcp package for `start` among a workspace's members.
    fn choose(start: &Path, meta: &cargo_metadata::Metadata) -> Result<Project> {
        let start = std::fs::canonicalize(start).unwrap_or_else(|_| start.to_path_buf());
        let servers: Vec<&cargo_metadata::Package> = meta
            .workspace_packages()
            .into_iter()
            .filter(|p| p.metadata.get("mcp").is_some())
            .collect();
        let holding = servers
            .iter()
            .filter(|p| {
                p.manifest_path
                    .parent()
                    .is_some_and(|d| start.starts_with(d.as_std_path()))
            })
            .max_by_key(|p| p.manifest_path.as_str().len());
        let chosen = match (holding, servers.as_slice()) {
            (Some(p), _) => *p,
            (None, [only]) => *only,
            (None, []) => {
                return Err(Error::NotAProject {
                    start: start.clone(),
                })
            }
            (None, many) => {
                let names: Vec<String> = many
                    .iter()
                    .map(|p| format!("{} ({})", p.name, p.manifest_path))
                    .collect();
                return Err(Error::Ambiguous {
                    start: start.clone(),
                    projects: names,
                });
            }
        };
        Project::open(chosen.manifest_path.as_std_path())
    }

    /// The nearest Cargo.toml at or above `start` that mentions `metadata.mcp`.
    fn walk_up(start: &Path) -> Result<Project> {
        let mut dir = Some(start);
        while let Some(d) = dir {
            let manifest = d.join("Cargo.toml");
            if manifest.is_file() {
                let text = std::fs::read_to_string(&manifest).map_err(io(&manifest))?;
                if text.contains("metadata.mcp") {
                    return Project::from_text(&manifest, text);
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
