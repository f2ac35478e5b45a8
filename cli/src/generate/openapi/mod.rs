//! OpenAPI to MCP: an HTTP API described by OpenAPI 3.0, 3.1 or Swagger 2.0
//! (JSON or YAML, in one file or several) becomes one typed tool per
//! operation, whose generated handler calls the real API.
//!
//! [`source`] loads, [`operations`] reads the operations into one model,
//! [`analyze`] plans the tools (names, schemas, bindings), [`codegen`]
//! writes their Rust; this module ties them to a project's metadata.

pub mod analyze;
pub mod codegen;
pub mod error;
pub mod filter;
pub mod naming;
pub mod operations;
pub mod schema;
pub mod source;

pub use analyze::{analyze, Analysis, Options};
pub use error::OpenApiError;
pub use filter::Filters;
pub use source::Sources;

use super::error::{io, Error, Result};
use super::files::{with_header, Owner, PlannedFile};
use super::metadata::{self, OpenApi};
use super::names::module_name;
use super::ops::{finish_with, Report};
use super::plan::Pending;
use super::project::Project;
use super::render::format_rust;
use askama::Template;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The default of `--max-tools`.
pub const DEFAULT_MAX_TOOLS: usize = 100;

/// What `import-openapi` (and `new --from-openapi`) is asked to do.
#[derive(Debug, Clone)]
pub struct Import {
    /// The document.
    pub spec: PathBuf,
    /// The API's module name (default: from the file name or title).
    pub name: Option<String>,
    /// `--base-url`.
    pub base_url: Option<String>,
    /// Filters.
    pub filters: Filters,
    /// Tool names chosen by the user.
    pub rename: BTreeMap<String, String>,
    /// Most tools to import without filters.
    pub max_tools: usize,
    /// Type inputs with typify.
    pub typed: bool,
    /// Serve parameterless and single-path-parameter GETs as resources.
    pub resources: bool,
}

impl Default for Import {
    fn default() -> Self {
        Import {
            spec: PathBuf::new(),
            name: None,
            base_url: None,
            filters: Filters::default(),
            rename: BTreeMap::new(),
            max_tools: DEFAULT_MAX_TOOLS,
            typed: true,
            resources: false,
        }
    }
}

impl From<OpenApiError> for Error {
    fn from(e: OpenApiError) -> Self {
        Error::Invalid(e.to_string())
    }
}

/// Loads and plans a document outside any project (what `new --from-openapi`
/// checks first, and what the tests sweep).
pub fn dry_run(spec: &Path, opts: &Options) -> std::result::Result<Analysis, OpenApiError> {
    let sources = Sources::load(spec)?;
    analyze(&sources, "API", opts)
}

/// Loads, plans and renders a document's files in memory, formatted, without
/// a project (the sweep test's entry point). The API module is `api`.
pub fn render_in_memory(
    spec: &Path,
    opts: &Options,
    typed: bool,
) -> Result<(Analysis, Vec<(String, String)>)> {
    let sources = Sources::load(spec)?;
    let analysis = analyze(&sources, "API", opts)?;
    let code = codegen::api_code(&analysis, "api", "openapi/api/spec", None, typed, false)?;
    let mut files = Vec::new();
    for (path, body) in code.files {
        files.push((path.clone(), generated(&path, &body)?.contents));
    }
    Ok((analysis, files))
}

/// Refuses an import of more than `max` tools, listing tags to filter by.
pub fn check_count(spec: &Path, analysis: &Analysis, max: usize) -> Result<()> {
    if analysis.tools.len() <= max {
        return Ok(());
    }
    let tags: Vec<String> = analysis
        .tags
        .iter()
        .map(|(t, n)| format!("  {n:>5}  {t}"))
        .collect();
    Err(Error::Invalid(format!(
        "{} has {} operations to import, more than --max-tools {max}: that many tools flood a model's context.\nChoose some with --include-tag, --exclude-tag, --include-path GLOB, --exclude-path GLOB or --methods, or raise --max-tools.\nOperations by tag:\n{}",
        spec.display(),
        analysis.tools.len(),
        tags.join("\n")
    )))
}

/// The API module name for a document: `requested`, else the file name, else
/// (for generic names like `openapi.json`) the title.
pub fn api_name(spec: &Path, requested: Option<&str>, title: &str, taken: &[String]) -> String {
    let stem = requested.map(str::to_string).unwrap_or_else(|| {
        spec.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "api".into())
    });
    let stem = stem
        .trim_end_matches(".openapi")
        .trim_end_matches(".swagger")
        .to_string();
    let stem = if requested.is_none()
        && matches!(
            stem.as_str(),
            "openapi" | "swagger" | "api" | "spec" | "index"
        ) {
        let title: String = title
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == ' ')
            .collect();
        let title = title
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join("_");
        if title.is_empty() {
            stem
        } else {
            title
        }
    } else {
        stem
    };
    let mut taken = taken.to_vec();
    taken.push("http".into());
    module_name(&stem, &taken).0
}

/// `import-openapi`: copies the document under `openapi/NAME/`, records it in
/// the metadata and generates its tools. Over `max_tools` without filters, it
/// stops and lists the tags to filter by.
pub fn import(project: &mut Project, opts: &Import) -> Result<Report> {
    let taken: Vec<String> = project
        .meta
        .openapi
        .iter()
        .map(|a| a.name.clone())
        .collect();
    let sources = Sources::load(&opts.spec)?;
    let title = sources
        .root_doc()
        .pointer("/info/title")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("")
        .to_string();
    let name = api_name(&opts.spec, opts.name.as_deref(), &title, &taken);
    let tool_names: Vec<String> = project.meta.tools.iter().map(|t| t.name.clone()).collect();
    let analysis = analyze(
        &sources,
        &codegen::prefix(&name),
        &Options {
            filters: opts.filters.clone(),
            rename: opts.rename.clone(),
            taken: tool_names,
        },
    )?;
    if analysis.tools.is_empty() {
        return Err(Error::Invalid(format!(
            "{}: no operation to import ({} in the document{}); check the filters",
            opts.spec.display(),
            analysis.total,
            if analysis.total == 0 {
                ", it has no `paths`"
            } else {
                ""
            }
        )));
    }
    check_count(&opts.spec, &analysis, opts.max_tools)?;
    let mut pending = Pending::new();
    let spec_rel = copy_sources(&sources, &name, &mut pending)?;
    let api = OpenApi {
        name,
        spec: spec_rel,
        base_url: opts.base_url.clone(),
        filters: opts.filters.clone(),
        rename: opts.rename.clone(),
        typed: opts.typed,
        resources: opts.resources,
    };
    metadata::set_openapi(&project.manifest, &mut project.doc, &api)?;
    match project.meta.openapi.iter_mut().find(|a| a.name == api.name) {
        Some(slot) => *slot = api,
        None => project.meta.openapi.push(api),
    }
    let mut notes = analysis.notes.clone();
    notes.extend(analysis.warnings.iter().map(|w| format!("warning: {w}")));
    finish_with(project, pending, notes)
}

/// `add-tool NAME --openapi FILE --operation ID`: one operation as one tool.
pub fn add_operation(
    project: &mut Project,
    tool: &str,
    spec: &Path,
    operation: &str,
) -> Result<Report> {
    // The same document imported before: its copy under openapi/ has the same text.
    let text = std::fs::read(spec).map_err(io(spec))?;
    let existing = project
        .meta
        .openapi
        .iter()
        .find(|a| std::fs::read(project.root.join(&a.spec)).ok().as_ref() == Some(&text))
        .cloned();
    let mut opts = Import {
        spec: spec.to_path_buf(),
        max_tools: usize::MAX,
        ..Default::default()
    };
    if let Some(a) = &existing {
        if a.filters.operations.is_empty() {
            return Err(Error::Invalid(format!(
                "{} is already imported whole as `{}`; its operations are tools already",
                spec.display(),
                a.name
            )));
        }
        opts.name = Some(a.name.clone());
        opts.base_url = a.base_url.clone();
        opts.filters = a.filters.clone();
        opts.rename = a.rename.clone();
        opts.typed = a.typed;
        opts.resources = a.resources;
    }
    // Check the operation exists before recording it.
    let sources = Sources::load(spec)?;
    let one = Filters {
        operations: vec![operation.to_string()],
        ..Default::default()
    };
    let found = analyze(
        &sources,
        "API",
        &Options {
            filters: one,
            ..Default::default()
        },
    )?;
    if found.tools.is_empty() {
        return Err(Error::Invalid(format!(
            "{}: no operation `{operation}`; give an operationId or `METHOD /path` (as in `GET /pets/{{id}}`)",
            spec.display()
        )));
    }
    if !opts.filters.operations.iter().any(|o| o == operation) {
        opts.filters.operations.push(operation.to_string());
    }
    opts.rename.insert(operation.to_string(), tool.to_string());
    if existing.is_some() {
        // Re-import under the same name: the copy is refreshed from FILE.
        project
            .meta
            .openapi
            .retain(|a| Some(&a.name) != opts.name.as_ref());
    }
    import(project, &opts)
}

/// Plans the copies of every file of the document under `openapi/NAME/`,
/// keeping their relative layout; returns the root's project-relative path.
fn copy_sources(sources: &Sources, name: &str, pending: &mut Pending) -> Result<String> {
    let files = sources.files();
    let mut base = files[0].parent().map(Path::to_path_buf).unwrap_or_default();
    while !files.iter().all(|f| f.starts_with(&base)) {
        if !base.pop() {
            break;
        }
    }
    let mut root_rel = String::new();
    for f in &files {
        let rel = f
            .strip_prefix(&base)
            .unwrap_or(f)
            .to_string_lossy()
            .replace('\\', "/");
        let dest = format!("openapi/{name}/{rel}");
        let text = std::fs::read_to_string(f).map_err(io(f))?;
        if *f == sources.root {
            root_rel = dest.clone();
        }
        pending.insert(dest, text);
    }
    Ok(root_rel)
}

#[derive(Template)]
#[template(path = "openapi_README.md", escape = "none")]
struct Readme {
    apis: Vec<ReadmeApi>,
}

struct ReadmeApi {
    title: String,
    spec: String,
    base_url: String,
    base_url_env: String,
    timeout_env: String,
    env: Vec<(String, String)>,
    tools: Vec<String>,
    resources: Vec<String>,
}

/// What the OpenAPI part of a project adds to its plan.
#[derive(Debug, Default)]
pub struct Planned {
    /// Files.
    pub files: Vec<PlannedFile>,
    /// API modules, for `server.rs`.
    pub modules: Vec<String>,
    /// Warnings (typing fallbacks).
    pub warnings: Vec<String>,
    /// Crates the types need: chrono, uuid, regress.
    pub uses: codegen::Uses,
    /// Typed and fallen-back inputs.
    pub typed: (usize, usize),
}

/// Every file of every API in the metadata (called by [`super::plan::plan`]).
pub fn plan_apis(project: &Project, pending: &Pending) -> Result<Planned> {
    let mut planned = Planned::default();
    if project.meta.openapi.is_empty() {
        return Ok(planned);
    }
    let overlay: BTreeMap<PathBuf, String> = pending
        .iter()
        .map(|(k, v)| {
            (
                source::normalize(
                    &std::path::absolute(project.root.join(k))
                        .unwrap_or_else(|_| project.root.join(k)),
                ),
                v.clone(),
            )
        })
        .collect();
    let mut taken: Vec<String> = project.meta.tools.iter().map(|t| t.name.clone()).collect();
    let mut readme = Vec::new();
    for api in &project.meta.openapi {
        let spec_path = project.root.join(&api.spec);
        let sources = Sources::load_with(&spec_path, &overlay)?;
        let analysis = analyze(
            &sources,
            &codegen::prefix(&api.name),
            &Options {
                filters: api.filters.clone(),
                rename: api.rename.clone(),
                taken: taken.clone(),
            },
        )?;
        taken.extend(analysis.tools.iter().map(|t| t.name.clone()));
        let code = codegen::api_code(
            &analysis,
            &api.name,
            &api.spec,
            api.base_url.as_deref(),
            api.typed,
            api.resources,
        )?;
        planned.uses.chrono |= code.uses.chrono;
        planned.uses.uuid |= code.uses.uuid;
        planned.uses.regress |= code.uses.regress;
        let fallbacks = code.warnings.len();
        planned.typed.1 += fallbacks;
        planned.typed.0 += code.tools.len().saturating_sub(fallbacks);
        planned.warnings.extend(code.warnings);
        for (path, body) in code.files {
            planned.files.push(generated(&path, &body)?);
        }
        readme.push(ReadmeApi {
            title: analysis.title.replace('\n', " "),
            spec: api.spec.clone(),
            base_url: api
                .base_url
                .clone()
                .or(analysis.server.clone())
                .unwrap_or_default(),
            base_url_env: code.env[0].0.clone(),
            timeout_env: code.env[1].0.clone(),
            env: code.env[2..].to_vec(),
            tools: code.tools.clone(),
            resources: code.resources.clone(),
        });
        planned.modules.push(api.name.clone());
    }
    let mut mod_rs = String::from("//! HTTP APIs imported from OpenAPI documents, one module each; they call\n//! the runtime's HTTP client, `mcp_runtime::openapi`.\n\n");
    for m in &planned.modules {
        mod_rs.push_str(&format!("pub mod {m};\n"));
    }
    planned
        .files
        .push(generated("src/generated/openapi/mod.rs", &mod_rs)?);
    let text = Readme { apis: readme }
        .render()
        .map_err(|source| Error::Template {
            name: "openapi_README.md",
            source,
        })?;
    planned.files.push(PlannedFile {
        path: "openapi/README.md".into(),
        contents: text,
        owner: Owner::Replace,
    });
    Ok(planned)
}

fn generated(path: &str, body: &str) -> Result<PlannedFile> {
    let formatted = format_rust("a generated OpenAPI module", body).map_err(|e| match e {
        Error::Invalid(m) => Error::Invalid(format!("{path}: {m}")),
        other => other,
    })?;
    Ok(PlannedFile {
        path: path.into(),
        contents: with_header(&formatted),
        owner: Owner::Generator,
    })
}
