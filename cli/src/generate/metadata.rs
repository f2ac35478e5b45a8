//! `[package.metadata.mcp]`: the tools, resources and prompts of a project,
//! read from and written to its Cargo.toml with toml_edit, so the user's
//! formatting and comments stay as they were.

use super::error::{Error, Result};
use super::model::Filters;
pub use super::model::{Arg, ArgType, AuthKind, Metadata, OpenApi, Prompt, Resource, Tool};
use std::path::Path;
use toml_edit::{value, Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table};

/// `--arg` parsing lives here, beside the `args` of the metadata, so that
/// [`super::model`] stays free of the generator's errors and naming rules.
impl Arg {
    /// Parses `name:type[:description]`; a `?` after the type makes it optional.
    pub fn parse(spec: &str) -> Result<Arg> {
        let mut parts = spec.splitn(3, ':');
        let name = parts.next().unwrap_or("").trim();
        let ty = parts.next().map(str::trim).unwrap_or("string");
        let description = parts
            .next()
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty());
        let (ty, required) = match ty.strip_suffix('?') {
            Some(t) => (t, false),
            None => (ty, true),
        };
        let ty = ArgType::parse(ty).ok_or_else(|| {
            Error::Invalid(format!(
                "--arg {spec:?}: unknown type `{ty}`; use string, integer, number or boolean (add `?` for an optional argument), as in --arg limit:integer?:Max results"
            ))
        })?;
        super::names::field_name(name)
            .map_err(|e| Error::Invalid(format!("--arg {spec:?}: {e}")))?;
        Ok(Arg {
            name: name.to_string(),
            ty,
            description,
            required,
        })
    }
}

fn bad(path: &Path, message: String) -> Error {
    Error::Manifest {
        path: path.to_path_buf(),
        message,
    }
}

/// Parses a manifest's text.
pub fn parse_manifest(path: &Path, text: &str) -> Result<DocumentMut> {
    text.parse::<DocumentMut>().map_err(|e| {
        let (line, column) = e
            .span()
            .map(|s| {
                let before = &text[..s.start.min(text.len())];
                (
                    before.matches('\n').count() + 1,
                    before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1,
                )
            })
            .unwrap_or((1, 1));
        bad(
            path,
            format!(
                "{line}:{column}: invalid TOML: {}\nFix the manifest and run the command again.",
                e.message()
            ),
        )
    })
}

/// Reads `[package.metadata.mcp]`; `None` if the manifest has none.
pub fn read(path: &Path, doc: &DocumentMut) -> Result<Option<Metadata>> {
    let Some(mcp) = doc
        .get("package")
        .and_then(|p| p.get("metadata"))
        .and_then(|m| m.get("mcp"))
    else {
        return Ok(None);
    };
    let auth = match mcp.get("auth").map(|a| a.as_str()) {
        None => None,
        Some(Some("jwt")) => Some(AuthKind::Jwt),
        Some(Some("dev")) => Some(AuthKind::Dev),
        Some(other) => {
            return Err(bad(
                path,
                format!(
                    "[package.metadata.mcp] `auth` must be \"jwt\" or \"dev\", not {}",
                    other.unwrap_or("a non-string")
                ),
            ))
        }
    };
    let mut meta = Metadata {
        auth,
        ..Metadata::default()
    };
    let list = |key: &str| -> Result<Vec<&Table>> {
        match mcp.get(key) {
            None => Ok(Vec::new()),
            Some(Item::ArrayOfTables(a)) => Ok(a.iter().collect()),
            Some(_) => Err(bad(path, format!("[package.metadata.mcp] `{key}` must be an array of tables ([[package.metadata.mcp.{key}]])"))),
        }
    };
    for (i, t) in list("tools")?.into_iter().enumerate() {
        let at = format!("package.metadata.mcp.tools[{i}]");
        meta.tools.push(Tool {
            name: req_str(path, t, "name", &at)?,
            module: req_str(path, t, "module", &at)?,
            description: opt_str(path, t, "description", &at)?,
            input: opt_str(path, t, "input", &at)?,
            output: opt_str(path, t, "output", &at)?,
            args: read_args(path, t, &at)?,
            sync: t.get("sync").and_then(Item::as_bool).unwrap_or(false),
            scopes: read_strings(path, t, "scopes", &at)?,
        });
    }
    for (i, t) in list("resources")?.into_iter().enumerate() {
        let at = format!("package.metadata.mcp.resources[{i}]");
        meta.resources.push(Resource {
            uri: req_str(path, t, "uri", &at)?,
            module: req_str(path, t, "module", &at)?,
            description: opt_str(path, t, "description", &at)?,
            mime_type: opt_str(path, t, "mime_type", &at)?,
        });
    }
    for (i, t) in list("prompts")?.into_iter().enumerate() {
        let at = format!("package.metadata.mcp.prompts[{i}]");
        meta.prompts.push(Prompt {
            name: req_str(path, t, "name", &at)?,
            module: req_str(path, t, "module", &at)?,
            description: opt_str(path, t, "description", &at)?,
            args: read_args(path, t, &at)?,
        });
    }
    for (i, t) in list("openapi")?.into_iter().enumerate() {
        let at = format!("package.metadata.mcp.openapi[{i}]");
        let strings = |key: &str| read_strings(path, t, key, &at);
        let rename = match t.get("tool_names") {
            None => Default::default(),
            Some(item) => item
                .as_inline_table()
                .map(|t| {
                    t.iter()
                        .filter_map(|(k, v)| v.as_str().map(|v| (k.to_string(), v.to_string())))
                        .collect()
                })
                .ok_or_else(|| bad(path, format!("`{at}.tool_names` must be an inline table")))?,
        };
        meta.openapi.push(OpenApi {
            name: req_str(path, t, "name", &at)?,
            spec: req_str(path, t, "spec", &at)?,
            base_url: opt_str(path, t, "base_url", &at)?,
            filters: Filters {
                include_tags: strings("include_tags")?,
                exclude_tags: strings("exclude_tags")?,
                include_paths: strings("include_paths")?,
                exclude_paths: strings("exclude_paths")?,
                methods: strings("methods")?,
                operations: strings("operations")?,
            },
            rename,
            typed: t.get("typed").and_then(Item::as_bool).unwrap_or(true),
            resources: t.get("resources").and_then(Item::as_bool).unwrap_or(false),
        });
    }
    Ok(Some(meta))
}

/// Records an OpenAPI import, replacing the entry with the same `name`.
pub fn set_openapi(path: &Path, doc: &mut DocumentMut, api: &OpenApi) -> Result<()> {
    let mut t = Table::new();
    t.insert("name", value(&api.name));
    t.insert("spec", value(&api.spec));
    if let Some(b) = &api.base_url {
        t.insert("base_url", value(b));
    }
    let f = &api.filters;
    for (key, list) in [
        ("include_tags", &f.include_tags),
        ("exclude_tags", &f.exclude_tags),
        ("include_paths", &f.include_paths),
        ("exclude_paths", &f.exclude_paths),
        ("methods", &f.methods),
        ("operations", &f.operations),
    ] {
        if !list.is_empty() {
            let mut a = Array::new();
            for s in list {
                a.push(s.as_str());
            }
            t.insert(key, value(a));
        }
    }
    if !api.rename.is_empty() {
        let mut it = InlineTable::new();
        for (k, v) in &api.rename {
            it.insert(k, v.as_str().into());
        }
        t.insert("tool_names", value(it));
    }
    if api.resources {
        t.insert("resources", value(true));
    }
    if !api.typed {
        t.insert("typed", value(false));
    }
    let mcp = mcp_table(path, doc)?;
    let entry = mcp
        .entry("openapi")
        .or_insert_with(|| Item::ArrayOfTables(ArrayOfTables::new()));
    let array = entry.as_array_of_tables_mut().ok_or_else(|| {
        bad(
            path,
            "`package.metadata.mcp.openapi` must be an array of tables".into(),
        )
    })?;
    let existing = array
        .iter()
        .position(|e| e.get("name").and_then(Item::as_str) == Some(api.name.as_str()));
    match existing.and_then(|i| array.get_mut(i)) {
        Some(slot) => *slot = t,
        None => array.push(t),
    }
    Ok(())
}

fn opt_str(path: &Path, t: &Table, key: &str, at: &str) -> Result<Option<String>> {
    match t.get(key) {
        None => Ok(None),
        Some(item) => item
            .as_str()
            .map(|s| Some(s.to_string()))
            .ok_or_else(|| bad(path, format!("`{at}.{key}` must be a string"))),
    }
}

fn req_str(path: &Path, t: &Table, key: &str, at: &str) -> Result<String> {
    opt_str(path, t, key, at)?.ok_or_else(|| {
        bad(
            path,
            format!("`{at}` has no `{key}`; add it, or remove the entry"),
        )
    })
}

fn read_args(path: &Path, t: &Table, at: &str) -> Result<Vec<Arg>> {
    let Some(item) = t.get("args") else {
        return Ok(Vec::new());
    };
    let array = item.as_array().ok_or_else(|| {
        bad(
            path,
            format!("`{at}.args` must be an array of inline tables"),
        )
    })?;
    array
        .iter()
        .enumerate()
        .map(|(j, v)| {
            let table = v.as_inline_table().ok_or_else(|| bad(path, format!("`{at}.args[{j}]` must be an inline table")))?;
            let get = |k: &str| table.get(k).and_then(|v| v.as_str()).map(str::to_string);
            let name = get("name").ok_or_else(|| bad(path, format!("`{at}.args[{j}]` has no `name`")))?;
            let ty_name = get("type").unwrap_or_else(|| "string".into());
            let ty = ArgType::parse(&ty_name)
                .ok_or_else(|| bad(path, format!("`{at}.args[{j}].type` is `{ty_name}`; use string, integer, number or boolean")))?;
            Ok(Arg { name, ty, description: get("description"), required: table.get("required").and_then(|v| v.as_bool()).unwrap_or(true) })
        })
        .collect()
}

fn args_array(args: &[Arg]) -> Array {
    let mut array = Array::new();
    for a in args {
        let mut t = InlineTable::new();
        t.insert("name", a.name.as_str().into());
        t.insert("type", a.ty.as_str().into());
        if let Some(d) = &a.description {
            t.insert("description", d.as_str().into());
        }
        if !a.required {
            t.insert("required", false.into());
        }
        array.push(t);
    }
    if array.len() > 1 {
        for v in array.iter_mut() {
            v.decor_mut().set_prefix("\n    ");
        }
        array.set_trailing("\n");
        array.set_trailing_comma(true);
    }
    array
}

/// The `[package.metadata.mcp]` table, created (with its parents, dotted) if missing.
fn mcp_table<'a>(path: &Path, doc: &'a mut DocumentMut) -> Result<&'a mut Table> {
    let package = doc
        .get_mut("package")
        .and_then(Item::as_table_mut)
        .ok_or_else(|| {
            bad(
                path,
                "has no [package] table; cargo mcp works on a package, not a virtual workspace"
                    .into(),
            )
        })?;
    let metadata = package.entry("metadata").or_insert_with(|| {
        let mut t = Table::new();
        t.set_implicit(true);
        Item::Table(t)
    });
    let metadata = metadata
        .as_table_mut()
        .ok_or_else(|| bad(path, "`package.metadata` must be a table".into()))?;
    let mcp = metadata
        .entry("mcp")
        .or_insert_with(|| Item::Table(Table::new()));
    mcp.as_table_mut()
        .ok_or_else(|| bad(path, "`package.metadata.mcp` must be a table".into()))
}

fn push(path: &Path, doc: &mut DocumentMut, key: &str, table: Table) -> Result<()> {
    let mcp = mcp_table(path, doc)?;
    let entry = mcp
        .entry(key)
        .or_insert_with(|| Item::ArrayOfTables(ArrayOfTables::new()));
    let array = entry.as_array_of_tables_mut().ok_or_else(|| {
        bad(
            path,
            format!("`package.metadata.mcp.{key}` must be an array of tables"),
        )
    })?;
    array.push(table);
    Ok(())
}

/// Makes sure the manifest has a `[package.metadata.mcp]` table.
pub fn ensure_table(path: &Path, doc: &mut DocumentMut) -> Result<()> {
    mcp_table(path, doc).map(|_| ())
}

/// Appends a tool.
pub fn add_tool(path: &Path, doc: &mut DocumentMut, tool: &Tool) -> Result<()> {
    let mut t = Table::new();
    t.insert("name", value(&tool.name));
    t.insert("module", value(&tool.module));
    if let Some(d) = &tool.description {
        t.insert("description", value(d));
    }
    if let Some(i) = &tool.input {
        t.insert("input", value(i));
    }
    if let Some(o) = &tool.output {
        t.insert("output", value(o));
    }
    if !tool.args.is_empty() {
        t.insert("args", value(args_array(&tool.args)));
    }
    if tool.sync {
        t.insert("sync", value(true));
    }
    if !tool.scopes.is_empty() {
        let mut a = Array::new();
        for s in &tool.scopes {
            a.push(s.as_str());
        }
        t.insert("scopes", value(a));
    }
    push(path, doc, "tools", t)
}

/// Appends a resource.
pub fn add_resource(path: &Path, doc: &mut DocumentMut, resource: &Resource) -> Result<()> {
    let mut t = Table::new();
    t.insert("uri", value(&resource.uri));
    t.insert("module", value(&resource.module));
    if let Some(d) = &resource.description {
        t.insert("description", value(d));
    }
    if let Some(m) = &resource.mime_type {
        t.insert("mime_type", value(m));
    }
    push(path, doc, "resources", t)
}

/// Appends a prompt.
pub fn add_prompt(path: &Path, doc: &mut DocumentMut, prompt: &Prompt) -> Result<()> {
    let mut t = Table::new();
    t.insert("name", value(&prompt.name));
    t.insert("module", value(&prompt.module));
    if let Some(d) = &prompt.description {
        t.insert("description", value(d));
    }
    if !prompt.args.is_empty() {
        t.insert("args", value(args_array(&prompt.args)));
    }
    push(path, doc, "prompts", t)
}

/// Adds `[dependencies] name = ...` unless the manifest already has it.
/// Returns whether it was added.
pub fn ensure_dependency(
    path: &Path,
    doc: &mut DocumentMut,
    dep: &super::versions::Dependency,
) -> Result<bool> {
    let deps = doc
        .entry("dependencies")
        .or_insert_with(|| Item::Table(Table::new()));
    let deps = deps
        .as_table_like_mut()
        .ok_or_else(|| bad(path, "`dependencies` must be a table".into()))?;
    if deps.contains_key(dep.name) {
        return Ok(false);
    }
    if dep.features.is_empty() {
        deps.insert(dep.name, value(dep.version));
    } else {
        let mut t = InlineTable::new();
        t.insert("version", dep.version.into());
        let mut features = Array::new();
        for f in dep.features {
            features.push(*f);
        }
        t.insert("features", features.into());
        deps.insert(dep.name, value(t));
    }
    Ok(true)
}

/// Enables `feature` on the project's runtime dependency (a version string
/// becomes `{ version = "..", features = [..] }`); false if it already was.
pub fn ensure_runtime_feature(path: &Path, doc: &mut DocumentMut, feature: &str) -> Result<bool> {
    let name = super::versions::RUNTIME;
    let runtime = doc
        .get_mut("dependencies")
        .and_then(Item::as_table_like_mut)
        .and_then(|deps| deps.get_mut(name))
        .ok_or_else(|| {
            bad(
                path,
                format!("`[dependencies]` has no `{name}`; add it back"),
            )
        })?;
    if let Some(version) = runtime.as_str().map(str::to_string) {
        let mut t = InlineTable::new();
        t.insert("version", version.into());
        *runtime = value(t);
    }
    let table = runtime.as_table_like_mut().ok_or_else(|| {
        bad(
            path,
            format!("`dependencies.{name}` must be a string or a table"),
        )
    })?;
    let features = table
        .entry("features")
        .or_insert_with(|| value(Array::new()))
        .as_array_mut()
        .ok_or_else(|| {
            bad(
                path,
                format!("`dependencies.{name}.features` must be an array"),
            )
        })?;
    if features.iter().any(|f| f.as_str() == Some(feature)) {
        return Ok(false);
    }
    features.push(feature);
    if let Some(t) = runtime.as_inline_table_mut() {
        t.fmt();
    }
    Ok(true)
}

/// An optional array of strings at `key` of `table`.
fn read_strings(path: &Path, table: &Table, key: &str, at: &str) -> Result<Vec<String>> {
    match table.get(key) {
        None => Ok(Vec::new()),
        Some(item) => item
            .as_array()
            .and_then(|a| {
                a.iter()
                    .map(|v| v.as_str().map(str::to_string))
                    .collect::<Option<Vec<String>>>()
            })
            .ok_or_else(|| bad(path, format!("`{at}.{key}` must be an array of strings"))),
    }
}

/// Records how the server checks access tokens.
pub fn set_auth(path: &Path, doc: &mut DocumentMut, auth: AuthKind) -> Result<()> {
    let mcp = doc
        .get_mut("package")
        .and_then(|p| p.get_mut("metadata"))
        .and_then(|m| m.get_mut("mcp"))
        .and_then(Item::as_table_mut)
        .ok_or_else(|| bad(path, "has no [package.metadata.mcp] table".to_string()))?;
    mcp.insert("auth", value(auth.as_str()));
    Ok(())
}
