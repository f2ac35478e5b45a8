//! OpenAPI to MCP: an HTTP API described by OpenAPI 3.0, 3.1 or Swagger 2.0
//! (JSON or YAML, in one file or several) becomes one typed tool per
//! operation, whose generated handler calls the real API.
//!
//! [`source`] loads, [`operations`] reads the operations into one model,
//! [`analyze`] plans the tools (names, schemas, bindings), [`codegen`]
//! writes their Rust; this module plans the files of the APIs a project's
//! metadata lists. A pure generator: importing into a project (writing the
//! metadata, copying the document) is [`super::ops`]'s work.

pub mod analyze;
pub mod codegen;
pub mod error;
pub mod filter;
pub mod naming;
pub mod operations;
pub mod schema;
pub mod source;

pub use super::model::Filters;
pub use analyze::{analyze, Analysis, Options};
pub use error::OpenApiError;
pub use source::Sources;

use super::error::{Error, Result};
use super::files::{with_header, Owner, PlannedFile};
use super::model::{OpenApi, Pending};
use super::names::module_name;
use super::render::format_rust;
use askama::Template;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The default of `--max-tools`.
pub const DEFAULT_MAX_TOOLS: usize = 100;

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

/// Every file of every API in `apis`, for the project at `root` whose tools
/// are named `taken`; `pending` holds documents not yet written (called by
/// [`super::plan::plan`]).
pub fn plan_apis(
    root: &Path,
    apis: &[OpenApi],
    mut taken: Vec<String>,
    pending: &Pending,
) -> Result<Planned> {
    let mut planned = Planned::default();
    if apis.is_empty() {
        return Ok(planned);
    }
    let overlay: BTreeMap<PathBuf, String> = pending
        .iter()
        .map(|(k, v)| {
            (
                source::normalize(
                    &std::path::absolute(root.join(k)).unwrap_or_else(|_| root.join(k)),
                ),
                v.clone(),
            )
        })
        .collect();
    let mut readme = Vec::new();
    for api in apis {
        let spec_path = root.join(&api.spec);
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
