//! The operations behind `add-tool`, `add-resource`, `add-prompt` and
//! `generate`: change the metadata in memory, plan every file, then write
//! the plan at once.

use super::error::{io, Error, Result};
use super::files::{apply, remove_stale, Applied, Owner, PlannedFile};
use super::metadata::{self, Arg, Prompt, Resource, Tool};
use super::names;
use super::plan::{parse_json, parse_yaml, plan, template_variables, Findings, Pending};
use super::project::Project;
use std::path::{Path, PathBuf};

/// What an operation did and found.
#[derive(Debug, Default)]
pub struct Report {
    /// Files written, unchanged, kept.
    pub applied: Applied,
    /// Warnings and typing counts.
    pub findings: Findings,
    /// Names that were adjusted, and why.
    pub notes: Vec<String>,
}

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

/// `add-resource`: records a resource (or template, if the URI has `{variables}`) and regenerates.
pub fn add_resource(
    project: &mut Project,
    uri: &str,
    description: Option<String>,
    mime_type: Option<String>,
) -> Result<Report> {
    let mut notes = Vec::new();
    if !uri.contains(':') {
        return Err(Error::Invalid(format!("`{uri}` is not a URI: give a scheme, as in `config://app` or `users://{{user_id}}/profile`")));
    }
    if project.meta.resources.iter().any(|r| r.uri == uri) {
        return Err(Error::Invalid(format!(
            "the resource `{uri}` is already in [package.metadata.mcp]"
        )));
    }
    if uri.matches('{').count() != uri.matches('}').count() {
        return Err(Error::Invalid(format!(
            "`{uri}` has unbalanced braces; a template variable is written `{{name}}`"
        )));
    }
    for v in template_variables(uri) {
        names::field_name(&v).map_err(|e| Error::Invalid(format!("in `{uri}`: {e}")))?;
    }
    let stem: String = uri
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|s| !s.is_empty() && !template_variables(uri).iter().any(|v| v == s))
        .collect::<Vec<_>>()
        .join("_");
    let (module, note) = names::module_name(&stem, &project.meta.modules());
    notes.extend(note);
    let resource = Resource {
        uri: uri.to_string(),
        module,
        description,
        mime_type,
    };
    metadata::add_resource(&project.manifest, &mut project.doc, &resource)?;
    project.meta.resources.push(resource);
    finish(project, Pending::new(), notes, false, false)
}

/// `add-prompt`: records a prompt and regenerates.
pub fn add_prompt(
    project: &mut Project,
    name: &str,
    description: Option<String>,
    args: Vec<Arg>,
) -> Result<Report> {
    let mut notes = Vec::new();
    let (name, note) = names::tool_name(name).map_err(Error::Invalid)?;
    notes.extend(note);
    if project.meta.prompts.iter().any(|p| p.name == name) {
        return Err(Error::Invalid(format!(
            "a prompt named `{name}` is already in [package.metadata.mcp]; pick another name"
        )));
    }
    let (module, note) = names::module_name(&name, &project.meta.modules());
    notes.extend(note);
    let prompt = Prompt {
        name,
        module,
        description,
        args,
    };
    metadata::add_prompt(&project.manifest, &mut project.doc, &prompt)?;
    project.meta.prompts.push(prompt);
    finish(project, Pending::new(), notes, false, false)
}

/// `generate`: rewrites every generator-owned file; keeps hand-edited ones unless `force`.
pub fn generate(project: &mut Project, force: bool) -> Result<Report> {
    finish(project, Pending::new(), Vec::new(), force, true)
}

/// Plans, writes the pending copies with the plan, and reports every warning
/// (what [`super::openapi::import`] ends with).
pub(crate) fn finish_with(
    project: &mut Project,
    pending: Pending,
    notes: Vec<String>,
) -> Result<Report> {
    finish(project, pending, notes, false, true)
}

fn finish(
    project: &mut Project,
    pending: Pending,
    notes: Vec<String>,
    force: bool,
    all_warnings: bool,
) -> Result<Report> {
    let (mut files, mut findings) = plan(project, &pending)?;
    if !all_warnings {
        // Adding an item: warn about the files being added, not every earlier fallback again.
        findings
            .warnings
            .retain(|w| pending.keys().any(|p| w.starts_with(p.as_str())));
    }
    for (path, contents) in pending {
        files.push(PlannedFile {
            path,
            contents,
            owner: Owner::Replace,
        });
    }
    let mut applied = apply(&project.root, &files, force)?;
    remove_stale(&project.root, &files, force, &mut applied)?;
    project.original = project.doc.to_string();
    Ok(Report {
        applied,
        findings,
        notes,
    })
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
