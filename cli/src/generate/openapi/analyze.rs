//! From a loaded document to the tools to generate: filters, names,
//! one merged input schema per operation, output schemas, security schemes
//! and the base URL. Everything here is in memory; nothing is written.

use super::error::OpenApiError;
use super::filter::Filters;
use super::naming::{self, clean, shorten};
use super::operations::{self, BodyKind, Location, Operation, Reply, Version};
use super::schema::Bundler;
use super::source::Sources;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// What to import and how.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Which operations.
    pub filters: Filters,
    /// Tool names chosen by the user, by operationId or `METHOD /path`.
    pub rename: BTreeMap<String, String>,
    /// Tool names already in use (other tools of the project).
    pub taken: Vec<String>,
}

/// How a parameter reaches the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The argument's name in the input schema.
    pub arg: String,
    /// The parameter's name on the wire.
    pub name: String,
    /// Where it goes.
    pub location: Location,
    /// Its style.
    pub style: String,
    /// Whether it explodes.
    pub explode: bool,
}

/// How the body is built from the arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyPlan {
    /// Encoding.
    pub kind: BodyKind,
    /// Media type sent.
    pub media_type: String,
    /// The argument holding the whole body, or `None` when its properties are arguments.
    pub arg: Option<String>,
    /// (argument, property) pairs, when flattened.
    pub fields: Vec<(String, String)>,
}

/// What the tool answers with.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Structured content with this (object) schema; `wrap` puts the answer under `result`.
    Structured {
        /// The schema.
        schema: Value,
        /// Whether the answer is wrapped.
        wrap: bool,
    },
    /// JSON without a declared schema: text.
    Text,
    /// Text or binary, by the answer's media type.
    Media(String),
}

/// One tool to generate.
#[derive(Debug, Clone)]
pub struct ToolPlan {
    /// MCP tool name.
    pub name: String,
    /// The operation's id, if any.
    pub operation_id: Option<String>,
    /// Where the operation is (JSON pointer).
    pub pointer: String,
    /// HTTP method, upper case.
    pub method: String,
    /// Path template.
    pub path: String,
    /// Summary and description.
    pub description: Option<String>,
    /// The merged input schema.
    pub input_schema: Value,
    /// The answer.
    pub output: Output,
    /// Parameters.
    pub params: Vec<Binding>,
    /// Body.
    pub body: Option<BodyPlan>,
    /// Security alternatives.
    pub security: Vec<Vec<String>>,
    /// The operation's own server URL, overriding the API's base URL.
    pub server: Option<String>,
}

/// A security scheme and the env variables it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// An API key in a header, query parameter or cookie.
    ApiKey {
        /// Where.
        location: Location,
        /// Its name there.
        name: String,
        /// Env variable.
        env: String,
    },
    /// `Authorization: Bearer` (also OAuth 2 and OpenID Connect tokens).
    Bearer {
        /// Env variable.
        env: String,
    },
    /// HTTP basic.
    Basic {
        /// Env variable of the user name.
        username_env: String,
        /// Env variable of the password.
        password_env: String,
    },
}

/// A named security scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheme {
    /// Its name in the document.
    pub name: String,
    /// What it needs.
    pub auth: Auth,
}

/// The import, planned.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// `info.title`.
    pub title: String,
    /// The version read.
    pub version: Version,
    /// The base URL from `servers` (or host/basePath), if any.
    pub server: Option<String>,
    /// Security schemes that can be used.
    pub schemes: Vec<Scheme>,
    /// Tools, in document order.
    pub tools: Vec<ToolPlan>,
    /// Renames and other adjustments, to report.
    pub notes: Vec<String>,
    /// Things that may not work as the document intends.
    pub warnings: Vec<String>,
    /// Every tag with its number of operations (before filtering), for `--max-tools` help.
    pub tags: Vec<(String, usize)>,
    /// Operations in the document (before filtering).
    pub total: usize,
}

/// Plans the import of `sources` for the API whose env variables start with `prefix`.
pub fn analyze(sources: &Sources, prefix: &str, opts: &Options) -> Result<Analysis, OpenApiError> {
    let root = sources.root_doc();
    let (version, note) = operations::version(&sources.root, root)?;
    let mut warnings: Vec<String> = note.into_iter().collect();
    let ops = operations::operations(sources, version)?;
    let mut tags: BTreeMap<String, usize> = BTreeMap::new();
    for op in &ops {
        if op.tags.is_empty() {
            *tags.entry("(untagged)".into()).or_default() += 1;
        }
        for t in &op.tags {
            *tags.entry(t.clone()).or_default() += 1;
        }
    }
    let schemes = security_schemes(&sources.root, root, version, prefix, &mut warnings);
    let mut taken = opts.taken.clone();
    let mut notes = Vec::new();
    let mut tools = Vec::new();
    for op in ops.iter().filter(|op| opts.filters.keeps(op)) {
        let key = format!("{} {}", op.method.to_ascii_uppercase(), op.path);
        let requested = opts
            .rename
            .get(op.operation_id.as_deref().unwrap_or(""))
            .or_else(|| opts.rename.get(&key))
            .cloned()
            .or_else(|| op.x_mcp_name.clone())
            .or_else(|| op.operation_id.clone())
            .unwrap_or_else(|| naming::from_method_path(&op.method, &op.path));
        let (name, note) = naming::tool_name(&requested, &mut taken);
        notes.extend(note.map(|n| format!("{key}: {n}")));
        tools.push(tool(sources, op, name, &mut notes, &mut warnings)?);
    }
    Ok(Analysis {
        title: root
            .pointer("/info/title")
            .and_then(Value::as_str)
            .unwrap_or("API")
            .to_string(),
        version,
        server: server(root, version),
        schemes,
        tools,
        notes,
        warnings,
        tags: tags.into_iter().collect(),
        total: ops.len(),
    })
}

fn tool(
    sources: &Sources,
    op: &Operation,
    name: String,
    notes: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Result<ToolPlan, OpenApiError> {
    let mut bundler = Bundler::new(sources);
    let mut properties = Map::new();
    let mut required = Vec::new();
    let mut params = Vec::new();
    let mut taken: Vec<String> = Vec::new();
    let arg_name = |wanted: &str,
                    location: &str,
                    taken: &mut Vec<String>,
                    notes: &mut Vec<String>|
     -> String {
        let mut arg = shorten(&clean(wanted), 64);
        if arg.is_empty() {
            arg = format!("{location}_{}", naming::short_hash(wanted));
        }
        let first = arg.clone();
        if taken.contains(&arg) {
            arg = format!("{}_{location}", shorten(&first, 64 - location.len() - 1));
            let mut n = 2;
            while taken.contains(&arg) {
                arg = format!("{}_{location}_{n}", shorten(&first, 50));
                n += 1;
            }
        }
        if arg != wanted {
            let why = if first != arg {
                "another argument already has that name"
            } else {
                "argument names use only A-Z a-z 0-9 _ - ."
            };
            notes.push(format!(
                "{name}: {location} `{wanted}` is the argument `{arg}` ({why})"
            ));
        }
        taken.push(arg.clone());
        arg
    };
    let mut ordered: Vec<&operations::Param> = op.params.iter().collect();
    ordered.sort_by_key(|p| p.location);
    for p in ordered {
        let arg = arg_name(&p.name, p.location.as_str(), &mut taken, notes);
        let mut schema = bundler.inline(&p.schema)?;
        if let (Some(d), Value::Object(m)) = (&p.description, &mut schema) {
            m.entry("description").or_insert(json!(d));
        }
        if p.required {
            required.push(json!(arg));
        }
        properties.insert(arg.clone(), schema);
        if p.style == "deepObject" && p.location != Location::Query {
            warnings.push(format!(
                "{name}: `style: deepObject` outside the query string is sent as `form`"
            ));
        }
        params.push(Binding {
            arg,
            name: p.name.clone(),
            location: p.location,
            style: p.style.clone(),
            explode: p.explode,
        });
    }
    let mut body = None;
    if let Some(b) = &op.body {
        let schema = bundler.inline(&b.schema)?;
        let flat = matches!(
            b.kind,
            BodyKind::Json | BodyKind::Form | BodyKind::Multipart
        ) && schema.get("type").and_then(Value::as_str) == Some("object")
            && schema
                .get("properties")
                .and_then(Value::as_object)
                .is_some_and(|p| !p.is_empty())
            && !schema.as_object().is_some_and(|m| {
                m.keys().any(|k| {
                    matches!(
                        k.as_str(),
                        "oneOf" | "anyOf" | "allOf" | "patternProperties" | "$ref" | "not" | "if"
                    )
                }) || m
                    .get("additionalProperties")
                    .is_some_and(|a| a.is_object() || a == &json!(true))
            });
        if flat {
            let body_required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut fields = Vec::new();
            for (prop, s) in schema["properties"].as_object().into_iter().flatten() {
                if s.get("readOnly") == Some(&json!(true)) {
                    continue;
                }
                let arg = arg_name(prop, "body", &mut taken, notes);
                if body_required.contains(&prop.as_str()) && (b.required || op.params.is_empty()) {
                    required.push(json!(arg));
                }
                properties.insert(arg.clone(), s.clone());
                fields.push((arg, prop.clone()));
            }
            body = Some(BodyPlan {
                kind: b.kind,
                media_type: b.media_type.clone(),
                arg: None,
                fields,
            });
        } else {
            let arg = arg_name("body", "body", &mut taken, notes);
            let mut schema = schema;
            if let (Some(d), Value::Object(m)) = (&b.description, &mut schema) {
                m.entry("description").or_insert(json!(d));
            }
            if b.required {
                required.push(json!(arg));
            }
            properties.insert(arg.clone(), schema);
            body = Some(BodyPlan {
                kind: b.kind,
                media_type: b.media_type.clone(),
                arg: Some(arg),
                fields: Vec::new(),
            });
        }
    }
    let mut input = Map::new();
    input.insert("type".into(), json!("object"));
    input.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        input.insert("required".into(), Value::Array(required));
    }
    let input_schema = bundler.finish(Value::Object(input));

    let output = match &op.reply {
        Reply::Json(Some(s)) => {
            let mut out_bundler = Bundler::new(sources);
            let schema = out_bundler.inline(s)?;
            let is_object = schema.get("type").and_then(Value::as_str) == Some("object");
            let (schema, wrap) = if is_object {
                (schema, false)
            } else {
                (
                    json!({"type": "object", "properties": {"result": schema}, "required": ["result"]}),
                    true,
                )
            };
            for c in &out_bundler.cut {
                warnings.push(format!(
                    "{name}: output schema nested too deeply at {c}; cut to `{{}}`"
                ));
            }
            Output::Structured {
                schema: out_bundler.finish(schema),
                wrap,
            }
        }
        Reply::Json(None) | Reply::Empty => Output::Text,
        Reply::Other(m) => Output::Media(m.clone()),
    };
    for c in &bundler.cut {
        warnings.push(format!(
            "{name}: input schema nested too deeply at {c}; cut to `{{}}`"
        ));
    }
    let description = match (&op.summary, &op.description) {
        (Some(s), Some(d)) if d.trim() != s.trim() => Some(format!("{}\n\n{}", s.trim(), d.trim())),
        (Some(s), _) => Some(s.trim().to_string()),
        (None, Some(d)) => Some(d.trim().to_string()),
        (None, None) => None,
    }
    .map(|d| {
        if op.deprecated {
            format!("(Deprecated) {d}")
        } else {
            d
        }
    });
    Ok(ToolPlan {
        name,
        operation_id: op.operation_id.clone(),
        pointer: op.pointer.clone(),
        method: op.method.to_ascii_uppercase(),
        path: op.path.clone(),
        description,
        input_schema,
        output,
        params,
        body,
        security: op.security.clone(),
        server: op.server.clone(),
    })
}

/// The base URL the document names: the first server, variables at their defaults.
fn server(root: &Value, version: Version) -> Option<String> {
    if version == Version::Swagger2 {
        let host = root.get("host").and_then(Value::as_str);
        let base = root.get("basePath").and_then(Value::as_str).unwrap_or("");
        let scheme = root
            .get("schemes")
            .and_then(Value::as_array)
            .and_then(|s| {
                s.iter()
                    .filter_map(Value::as_str)
                    .find(|x| *x == "https")
                    .or_else(|| s.iter().filter_map(Value::as_str).next())
            })
            .unwrap_or("https");
        return match host {
            Some(h) => Some(format!("{scheme}://{h}{base}")),
            None if !base.is_empty() => Some(base.to_string()),
            None => None,
        };
    }
    operations::first_server(root.get("servers"))
}

/// Upper snake case for env variable names.
pub fn env_name(s: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_uppercase());
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            prev_lower = false;
        }
    }
    out.trim_end_matches('_').to_string()
}

fn security_schemes(
    file: &Path,
    root: &Value,
    version: Version,
    prefix: &str,
    warnings: &mut Vec<String>,
) -> Vec<Scheme> {
    let defs = if version == Version::Swagger2 {
        root.get("securityDefinitions")
    } else {
        root.pointer("/components/securitySchemes")
    };
    let Some(Value::Object(defs)) = defs else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, s) in defs {
        let env = format!("{prefix}_{}", env_name(name));
        let ty = s.get("type").and_then(Value::as_str).unwrap_or("");
        let auth = match ty {
            "apiKey" => {
                let location = match s.get("in").and_then(Value::as_str) {
                    Some("query") => Location::Query,
                    Some("cookie") => Location::Cookie,
                    _ => Location::Header,
                };
                Auth::ApiKey {
                    location,
                    name: s
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or("X-API-Key")
                        .to_string(),
                    env,
                }
            }
            "basic" => Auth::Basic {
                username_env: format!("{env}_USERNAME"),
                password_env: format!("{env}_PASSWORD"),
            },
            "http" => match s
                .get("scheme")
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase)
                .as_deref()
            {
                Some("basic") => Auth::Basic {
                    username_env: format!("{env}_USERNAME"),
                    password_env: format!("{env}_PASSWORD"),
                },
                Some("bearer") => Auth::Bearer {
                    env: format!("{env}_TOKEN"),
                },
                other => {
                    warnings.push(format!("{}: security scheme `{name}` uses HTTP `{}`, which generated code does not send; call that operation from a tool of your own, or use another scheme", file.display(), other.unwrap_or("?")));
                    continue;
                }
            },
            "oauth2" | "openIdConnect" => Auth::Bearer {
                env: format!("{env}_TOKEN"),
            },
            other => {
                warnings.push(format!("{}: security scheme `{name}` of type `{other}` is not supported; its operations are called without it", file.display()));
                continue;
            }
        };
        out.push(Scheme {
            name: name.clone(),
            auth,
        });
    }
    out
}
