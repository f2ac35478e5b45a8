//! `add-tool`: a tool from `--arg`s or JSON Schemas (copied under `schemas/`).

use super::generate::{finish, Report};
use crate::generate::error::{io, Error, Result};
use crate::generate::metadata;
use crate::generate::model::{Arg, Pending, Tool};
use crate::generate::names;
use crate::generate::parse::{parse_json, parse_yaml};
use crate::generate::project::Project;
use std::path::{Path, PathBuf};

/// `add-tool`'s options.
#[derive(Debug, Clone, Default)]
pub struct AddTool {
    /// Requested tool name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Input JSON Schema file.
    pub input: Option<PathBuf>,
    /// Output JSON Schema file.
    pub output: Option<PathBuf>,
    /// `--arg` specs, parsed.
    pub args: Vec<Arg>,
    /// Plain `fn` handler.
    pub sync: bool,
    /// Scopes a caller's token needs for the tool.
    pub scopes: Vec<String>,
}

/// `add-tool`: records the tool, copies its schemas under `schemas/`, and regenerates.
pub fn add_tool(project: &mut Project, opts: &AddTool) -> Result<Report> {
    let mut notes = Vec::new();
    let (name, note) = names::tool_name(&opts.name).map_err(Error::Invalid)?;
    notes.extend(note);
    if project.meta.tools.iter().any(|t| t.name == name) {
        return Err(Error::Invalid(format!(
            "a tool named `{name}` is already in {} ([package.metadata.mcp]); pick another name, or edit its entry and run `cargo mcp generate`",
            project.manifest.display()
        )));
    }
    if opts.input.is_some() && !opts.args.is_empty() {
        return Err(Error::Invalid("give either --input SCHEMA or --arg, not both: the schema already says what the arguments are".into()));
    }
    // RFC 6749 scope tokens: printable ASCII without space, `"` or `\`.
    if let Some(bad) = opts.scopes.iter().find(|s| {
        s.is_empty()
            || !s
                .chars()
                .all(|c| c.is_ascii_graphic() && c != '"' && c != '\\')
    }) {
        return Err(Error::Invalid(format!(
            "--scope {bad:?} is not an OAuth scope: use printable ASCII without spaces, quotes or backslashes (as in `admin` or `user:profile`)"
        )));
    }
    let (module, note) = names::module_name(&name, &project.meta.modules());
    notes.extend(note);
    let mut pending = Pending::new();
    let input = opts
        .input
        .as_deref()
        .map(|p| {
            copy_schema(
                project,
                &mut pending,
                p,
                &format!("schemas/{module}.input.json"),
            )
        })
        .transpose()?;
    let output = opts
        .output
        .as_deref()
        .map(|p| {
            copy_schema(
                project,
                &mut pending,
                p,
                &format!("schemas/{module}.output.json"),
            )
        })
        .transpose()?;
    let tool = Tool {
        name,
        module,
        description: opts.description.clone(),
        input,
        output,
        args: opts.args.clone(),
        sync: opts.sync,
        scopes: opts.scopes.clone(),
    };
    metadata::add_tool(&project.manifest, &mut project.doc, &tool)?;
    project.meta.tools.push(tool);
    finish(project, pending, notes, false, false)
}

/// Reads a schema the user gave, checks it is JSON, and plans its copy at `dest`.
fn copy_schema(
    project: &Project,
    pending: &mut Pending,
    source: &Path,
    dest: &str,
) -> Result<String> {
    let text = std::fs::read_to_string(source).map_err(io(source))?;
    let lower = source.to_string_lossy().to_ascii_lowercase();
    // A YAML schema is stored (and served) as the JSON it means, so everything
    // downstream reads one format.
    let text = if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        let value = parse_yaml(source, &text)?;
        let mut json = serde_json::to_string_pretty(&value).map_err(|e| {
            Error::Invalid(format!(
                "{}: cannot be written as JSON: {e}",
                source.display()
            ))
        })?;
        json.push('\n');
        json
    } else {
        parse_json(source, &text)?;
        text
    };
    let target = project.root.join(dest);
    if target.exists() {
        let same = std::fs::canonicalize(&target).ok() == std::fs::canonicalize(source).ok();
        let identical = std::fs::read_to_string(&target)
            .map(|t| t == text)
            .unwrap_or(false);
        if !same && !identical {
            return Err(Error::Invalid(format!(
                "{} already exists and differs from {}; remove it or choose another tool name",
                target.display(),
                source.display()
            )));
        }
    }
    pending.insert(dest.to_string(), text);
    Ok(dest.to_string())
}
