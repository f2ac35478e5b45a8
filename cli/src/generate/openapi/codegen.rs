//! The Rust of an imported API: one generator-owned file per tool (its
//! schemas, typify types for its input, how the arguments map onto the
//! request) and one per API (base URL, security schemes, registration). The
//! HTTP code they call is the runtime's `mcp_runtime::openapi` (feature `openapi`).

use super::analyze::{Analysis, Auth, Output, ToolPlan};
use super::operations::{BodyKind, Location};
use crate::generate::error::{Error, Result};
use crate::generate::names::{module_name, type_stem};
use crate::generate::render::{lit, render};
use crate::generate::schema_types::{type_schema, Outcome};
use askama::Template;

#[derive(Template)]
#[template(path = "openapi_tool.rs", escape = "none")]
struct ToolRs<'a> {
    name: &'a str,
    module: &'a str,
    method: &'a str,
    path: &'a str,
    operation_id: Option<&'a str>,
    spec: &'a str,
    pointer: &'a str,
    input_schema: String,
    output_schema: Option<String>,
    types: String,
    operation: String,
}

struct ToolReg {
    name: String,
    module: String,
    description: Option<String>,
    output: bool,
}

#[derive(Template)]
#[template(path = "openapi_resource.rs", escape = "none")]
struct ResourceRs<'a> {
    uri: &'a str,
    module: &'a str,
    path: &'a str,
    operation_id: Option<&'a str>,
    spec: &'a str,
    pointer: &'a str,
    operation: String,
    /// (template variable literal, argument literal) of a template.
    variable: Option<(String, String)>,
}

struct ResourceReg {
    uri: String,
    name: String,
    module: String,
    description: Option<String>,
    mime_type: String,
    template: bool,
}

/// How a `GET` is served as a resource (`--resources`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsResource {
    /// The URI, or an RFC 6570 template with one variable.
    pub uri: String,
    /// The template's variable and the argument it fills.
    pub variable: Option<(String, String)>,
}

/// FastMCP's route map: a `GET` with no parameters and no body becomes a
/// resource `SCHEME://path`, one with a single path parameter and nothing
/// else a template `SCHEME://path/{var}`; everything else stays a tool.
pub fn as_resource(tool: &ToolPlan, scheme: &str) -> Option<AsResource> {
    if tool.method != "GET" || tool.body.is_some() {
        return None;
    }
    let rest = tool.path.trim_matches('/');
    let rest = if rest.is_empty() { "index" } else { rest };
    match tool.params.as_slice() {
        [] if !rest.contains(['{', '}']) => Some(AsResource {
            uri: format!("{scheme}://{rest}"),
            variable: None,
        }),
        [p] if p.location == Location::Path => {
            let placeholder = format!("{{{}}}", p.name);
            if rest.matches(['{', '}']).count() != 2 || !rest.contains(&placeholder) {
                return None;
            }
            // RFC 6570 variable names: letters, digits and `_` (dots separate).
            let var: String = p
                .name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            Some(AsResource {
                uri: format!(
                    "{scheme}://{}",
                    rest.replace(&placeholder, &format!("{{{var}}}"))
                ),
                variable: Some((var, p.arg.clone())),
            })
        }
        _ => None,
    }
}

/// The URI scheme of an API's resources: its module name as RFC 3986 allows.
pub fn uri_scheme(module: &str) -> String {
    let scheme: String = module
        .chars()
        .map(|c| match c {
            'a'..='z' | '0'..='9' | '+' | '-' | '.' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            _ => '-',
        })
        .collect();
    if scheme.starts_with(|c: char| c.is_ascii_lowercase()) {
        scheme
    } else {
        format!("api-{scheme}")
    }
}

#[derive(Template)]
#[template(path = "openapi_api.rs", escape = "none")]
struct ApiRs<'a> {
    title: &'a str,
    title_lit: String,
    count: usize,
    spec: &'a str,
    base_url: &'a str,
    base_url_lit: String,
    base_url_env: &'a str,
    base_url_env_lit: String,
    timeout_env: &'a str,
    timeout_env_lit: String,
    auth_lines: Vec<String>,
    schemes: Vec<String>,
    modules: Vec<String>,
    tools: Vec<ToolReg>,
    resources: Vec<ResourceReg>,
}

/// What one API's code needs from the project.
#[derive(Debug, Default, Clone, Copy)]
pub struct Uses {
    /// chrono (typify, `format: date-time`).
    pub chrono: bool,
    /// uuid.
    pub uuid: bool,
    /// regress (typify, `pattern`).
    pub regress: bool,
}

/// The generated files of one API, as (project-relative path, Rust body) pairs.
pub struct ApiCode {
    /// Files.
    pub files: Vec<(String, String)>,
    /// Fallbacks to `serde_json::Value`, as warnings.
    pub warnings: Vec<String>,
    /// Crates the types need.
    pub uses: Uses,
    /// Env variables and what they are, for the README.
    pub env: Vec<(String, String)>,
    /// Names of the tools.
    pub tools: Vec<String>,
    /// URIs (or templates) of the resources (`--resources`).
    pub resources: Vec<String>,
}

/// The env variable prefix of an API module (`petstore` → `PETSTORE`).
pub fn prefix(module: &str) -> String {
    super::analyze::env_name(module)
}

/// A raw string literal holding `s`.
pub fn raw(s: &str) -> String {
    let mut hashes = String::from("#");
    while s.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{s}\"{hashes}")
}

/// Renders an API: `module` is its folder under `src/generated/openapi/`.
pub fn api_code(
    analysis: &Analysis,
    module: &str,
    spec: &str,
    base_url: Option<&str>,
    typed: bool,
    resources: bool,
) -> Result<ApiCode> {
    let prefix = prefix(module);
    let base_url_env = format!("{prefix}_BASE_URL");
    let timeout_env = format!("{prefix}_TIMEOUT_SECS");
    let base = base_url
        .map(str::to_string)
        .or_else(|| analysis.server.clone())
        .unwrap_or_default();
    let mut files = Vec::new();
    let mut warnings = Vec::new();
    let mut uses = Uses::default();
    // Taken: the API module imports `mcp_runtime::openapi` under that name.
    let mut modules: Vec<String> = vec!["openapi".into()];
    let mut regs = Vec::new();
    let mut resource_regs = Vec::new();
    let mut tool_names = Vec::new();
    let mut resource_uris = Vec::new();
    let scheme = uri_scheme(module);
    for tool in &analysis.tools {
        let (m, _) = module_name(&tool.name, &modules);
        modules.push(m.clone());
        if let Some(res) = resources.then(|| as_resource(tool, &scheme)).flatten() {
            let body = render(
                "openapi_resource.rs",
                &ResourceRs {
                    uri: &res.uri,
                    module: &m,
                    path: &tool.path.replace('\n', " "),
                    operation_id: tool.operation_id.as_deref(),
                    spec,
                    pointer: &tool.pointer,
                    operation: operation_code(tool, false, false),
                    variable: res.variable.as_ref().map(|(v, a)| (lit(v), lit(a))),
                },
            )?;
            files.push((format!("src/generated/openapi/{module}/{m}.rs"), body));
            resource_uris.push(res.uri.clone());
            resource_regs.push(ResourceReg {
                uri: lit(&res.uri),
                name: lit(&tool.name),
                module: m,
                description: tool.description.as_deref().map(lit),
                mime_type: lit(match &tool.output {
                    Output::Media(mime) => mime,
                    _ => "application/json",
                }),
                template: res.variable.is_some(),
            });
            continue;
        }
        let body = tool_rs(tool, &m, spec, typed, &mut warnings, &mut uses)?;
        files.push((format!("src/generated/openapi/{module}/{m}.rs"), body));
        tool_names.push(tool.name.clone());
        regs.push(ToolReg {
            name: lit(&tool.name),
            module: m,
            description: tool.description.as_deref().map(lit),
            output: matches!(tool.output, Output::Structured { .. }),
        });
    }
    modules.remove(0);
    let mut env = vec![
        (
            base_url_env.clone(),
            if base.is_empty() {
                "base URL (required)".to_string()
            } else {
                format!("base URL (default `{base}`)")
            },
        ),
        (
            timeout_env.clone(),
            "timeout in seconds (default 30)".to_string(),
        ),
    ];
    let mut schemes = Vec::new();
    let mut auth_lines = Vec::new();
    for s in &analysis.schemes {
        let (code, line) = match &s.auth {
            Auth::ApiKey {
                location,
                name,
                env: var,
            } => {
                env.push((
                    var.clone(),
                    format!("API key `{}` ({} `{name}`)", s.name, location.as_str()),
                ));
                let loc = match location {
                    Location::Query => "Query",
                    Location::Cookie => "Cookie",
                    _ => "Header",
                };
                (
                    format!("openapi::Scheme {{ name: {}, auth: openapi::Auth::ApiKey {{ location: openapi::In::{loc}, name: {}, env: {} }} }}", lit(&s.name), lit(name), lit(var)),
                    format!("`{var}`: API key `{}`, sent as {} `{name}`.", s.name, location.as_str()),
                )
            }
            Auth::Bearer { env: var } => {
                env.push((var.clone(), format!("bearer token for `{}`", s.name)));
                (
                    format!(
                        "openapi::Scheme {{ name: {}, auth: openapi::Auth::Bearer {{ env: {} }} }}",
                        lit(&s.name),
                        lit(var)
                    ),
                    format!("`{var}`: bearer token for `{}`.", s.name),
                )
            }
            Auth::Basic {
                username_env,
                password_env,
            } => {
                env.push((
                    username_env.clone(),
                    format!("user name for `{}` (HTTP basic)", s.name),
                ));
                env.push((
                    password_env.clone(),
                    format!("password for `{}` (HTTP basic)", s.name),
                ));
                (
                    format!(
                        "openapi::Scheme {{ name: {}, auth: openapi::Auth::Basic {{ username_env: {}, password_env: {} }} }}",
                        lit(&s.name),
                        lit(username_env),
                        lit(password_env)
                    ),
                    format!("`{username_env}` and `{password_env}`: HTTP basic credentials for `{}`.", s.name),
                )
            }
        };
        schemes.push(code);
        auth_lines.push(line);
    }
    let body = render(
        "openapi_api.rs",
        &ApiRs {
            title: &analysis.title.replace('\n', " "),
            title_lit: lit(&analysis.title),
            count: regs.len(),
            spec,
            base_url: &base,
            base_url_lit: lit(&base),
            base_url_env: &base_url_env,
            base_url_env_lit: lit(&base_url_env),
            timeout_env: &timeout_env,
            timeout_env_lit: lit(&timeout_env),
            auth_lines,
            schemes,
            modules,
            tools: regs,
            resources: resource_regs,
        },
    )?;
    files.push((format!("src/generated/openapi/{module}/mod.rs"), body));
    Ok(ApiCode {
        files,
        warnings,
        uses,
        env,
        tools: tool_names,
        resources: resource_uris,
    })
}

/// The first name defined twice among the top-level items of `code`.
fn duplicate_item(code: &str) -> Option<String> {
    let file = syn::parse_file(code).ok()?;
    let mut seen = std::collections::HashSet::new();
    for item in &file.items {
        let ident = match item {
            syn::Item::Struct(i) => &i.ident,
            syn::Item::Enum(i) => &i.ident,
            syn::Item::Type(i) => &i.ident,
            syn::Item::Mod(i) => &i.ident,
            syn::Item::Const(i) => &i.ident,
            syn::Item::Fn(i) => &i.sig.ident,
            _ => continue,
        };
        if !seen.insert(ident.to_string()) {
            return Some(ident.to_string());
        }
    }
    None
}

fn tool_rs(
    tool: &ToolPlan,
    module: &str,
    spec: &str,
    typed: bool,
    warnings: &mut Vec<String>,
    uses: &mut Uses,
) -> Result<String> {
    let pretty = |v: &serde_json::Value| {
        serde_json::to_string_pretty(v).map_err(|e| Error::Invalid(format!("{}: {e}", tool.name)))
    };
    let input_type = format!("{}Input", type_stem(module));
    let outcome = if typed {
        type_schema(&tool.input_schema, &input_type)
    } else {
        Outcome::Fallback {
            reason: "typing was turned off for this import".into(),
        }
    };
    // typify 0.8 sometimes emits two items with one name (a nullable enum
    // `$defs` entry becomes a newtype and an enum, both `Name`): that code
    // parses but does not compile, so it falls back like any other failure.
    let outcome = match outcome {
        Outcome::Typed(t) => match duplicate_item(&t.code) {
            Some(name) => Outcome::Fallback {
                reason: format!("typify 0.8 generated two types named `{name}`"),
            },
            None => Outcome::Typed(t),
        },
        other => other,
    };
    let types = match outcome {
        Outcome::Typed(t) => {
            uses.chrono |= t.uses_chrono;
            uses.uuid |= t.uses_uuid;
            uses.regress |= t.uses_regress;
            let root = if t
                .root
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                format!("types::{}", t.root)
            } else {
                t.root.clone()
            };
            format!(
                "/// The input, typed by typify 0.8 from `INPUT_SCHEMA`.\n#[allow(clippy::all, clippy::pedantic, dead_code, unused_imports, irrefutable_let_patterns, non_camel_case_types)]\npub mod types {{\n{}\n}}\n\n/// The arguments, checked against `INPUT_SCHEMA` before they arrive.\npub type Input = {root};\n",
                t.code
            )
        }
        Outcome::Fallback { reason } => {
            if typed {
                warnings.push(format!(
                    "{}: input arrives as serde_json::Value: {reason}",
                    tool.name
                ));
            }
            format!(
                "#[doc = {}]\npub type Input = ::serde_json::Value;\n",
                lit(&format!(
                    " The arguments, as JSON (checked against `INPUT_SCHEMA`): {}.",
                    reason.replace('\n', " ")
                ))
            )
        }
    };
    let (output_schema, structured, wrap) = match &tool.output {
        Output::Structured { schema, wrap } => (Some(raw(&pretty(schema)?)), true, *wrap),
        _ => (None, false, false),
    };
    let operation = operation_code(tool, structured, wrap);
    render(
        "openapi_tool.rs",
        &ToolRs {
            name: &tool.name,
            module,
            method: &tool.method,
            path: &tool.path.replace('\n', " "),
            operation_id: tool.operation_id.as_deref(),
            spec,
            pointer: &tool.pointer,
            input_schema: raw(&pretty(&tool.input_schema)?),
            output_schema,
            types,
            operation,
        },
    )
}

/// The `mcp_runtime::openapi::Operation` literal saying where each argument goes in the request.
fn operation_code(tool: &ToolPlan, structured: bool, wrap: bool) -> String {
    let params: Vec<String> = tool
        .params
        .iter()
        .map(|p| {
            let location = match p.location {
                Location::Path => "Path",
                Location::Query => "Query",
                Location::Header => "Header",
                Location::Cookie => "Cookie",
            };
            let style = match p.style.as_str() {
                "form" => "Form",
                "deepObject" if p.location == Location::Query => "DeepObject",
                "deepObject" => "Form",
                "spaceDelimited" => "SpaceDelimited",
                "pipeDelimited" => "PipeDelimited",
                "label" => "Label",
                "matrix" => "Matrix",
                _ => "Simple",
            };
            format!(
                "openapi::Param {{ arg: {}, name: {}, location: openapi::In::{location}, style: openapi::Style::{style}, explode: {} }}",
                lit(&p.arg),
                lit(&p.name),
                p.explode
            )
        })
        .collect();
    let body = match &tool.body {
        None => "None".to_string(),
        Some(b) => {
            let kind = match b.kind {
                BodyKind::Json => "Json",
                BodyKind::Form => "Form",
                BodyKind::Multipart => "Multipart",
                BodyKind::Text => "Text",
            };
            let fields: Vec<String> = b
                .fields
                .iter()
                .map(|(a, n)| format!("({}, {})", lit(a), lit(n)))
                .collect();
            format!(
                "Some(openapi::Body {{ kind: openapi::BodyKind::{kind}, media_type: {}, arg: {}, fields: &[{}] }})",
                lit(&b.media_type),
                b.arg.as_deref().map_or("None".to_string(), |a| format!("Some({})", lit(a))),
                fields.join(", ")
            )
        }
    };
    let security: Vec<String> = tool
        .security
        .iter()
        .map(|alt| {
            format!(
                "&[{}]",
                alt.iter().map(|s| lit(s)).collect::<Vec<_>>().join(", ")
            )
        })
        .collect();
    format!(
        "openapi::Operation {{ method: {}, path: {}, server: {}, params: &[{}], body: {body}, security: &[{}], structured: {structured}, wrap: {wrap} }}",
        lit(&tool.method),
        lit(&tool.path),
        tool.server.as_deref().map_or("None".to_string(), |s| format!("Some({})", lit(s))),
        params.join(", "),
        security.join(", ")
    )
}
