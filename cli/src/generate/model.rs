//! The generator's shared values: what `[package.metadata.mcp]` lists (tools,
//! resources, prompts, OpenAPI imports and their filters) and what planning
//! reports. A leaf: it imports nothing of the generator, and every layer uses it.

use std::collections::BTreeMap;

/// The type of a `--arg`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgType {
    /// `string`
    String,
    /// `integer`
    Integer,
    /// `number`
    Number,
    /// `boolean`
    Boolean,
}

impl ArgType {
    /// Parses `string`, `integer`, `number`, `boolean` (or `String`, `i64`, `f64`, `bool`).
    pub fn parse(s: &str) -> Option<ArgType> {
        Some(match s {
            "string" | "str" | "String" => ArgType::String,
            "integer" | "int" | "i64" => ArgType::Integer,
            "number" | "float" | "f64" => ArgType::Number,
            "boolean" | "bool" => ArgType::Boolean,
            _ => return None,
        })
    }
    /// The JSON Schema name.
    pub fn as_str(self) -> &'static str {
        match self {
            ArgType::String => "string",
            ArgType::Integer => "integer",
            ArgType::Number => "number",
            ArgType::Boolean => "boolean",
        }
    }
    /// The Rust type.
    pub fn rust(self) -> &'static str {
        match self {
            ArgType::String => "String",
            ArgType::Integer => "i64",
            ArgType::Number => "f64",
            ArgType::Boolean => "bool",
        }
    }
}

/// One argument of a tool or prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    /// Its name on the wire.
    pub name: String,
    /// Its type.
    pub ty: ArgType,
    /// What it is for.
    pub description: Option<String>,
    /// Whether callers must give it.
    pub required: bool,
}

/// A tool.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tool {
    /// Its MCP name.
    pub name: String,
    /// Its Rust module (and handler function) name.
    pub module: String,
    /// What it does.
    pub description: Option<String>,
    /// Input schema file, relative to the project root.
    pub input: Option<String>,
    /// Output schema file, relative to the project root.
    pub output: Option<String>,
    /// Arguments declared with `--arg` (when there is no input schema).
    pub args: Vec<Arg>,
    /// Whether the handler is a plain `fn`.
    pub sync: bool,
    /// Scopes a caller's access token needs to see and call the tool (HTTP with auth).
    pub scopes: Vec<String>,
}

/// A resource or resource template.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Resource {
    /// The URI, or an RFC 6570 template.
    pub uri: String,
    /// Its Rust module (and handler function) name.
    pub module: String,
    /// What it holds.
    pub description: Option<String>,
    /// Its MIME type.
    pub mime_type: Option<String>,
}

impl Resource {
    /// Whether the URI is a template (has `{variables}`).
    pub fn is_template(&self) -> bool {
        self.uri.contains('{')
    }
}

/// A prompt.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Prompt {
    /// Its MCP name.
    pub name: String,
    /// Its Rust module (and handler function) name.
    pub module: String,
    /// What it is for.
    pub description: Option<String>,
    /// Its arguments.
    pub args: Vec<Arg>,
}

/// An HTTP API imported from an OpenAPI document (`[[package.metadata.mcp.openapi]]`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OpenApi {
    /// Its Rust module under `src/generated/openapi/` (and env variable prefix).
    pub name: String,
    /// The document, relative to the project root (copied under `openapi/`).
    pub spec: String,
    /// The base URL given with `--base-url`, if any.
    pub base_url: Option<String>,
    /// Which operations.
    pub filters: Filters,
    /// Tool names chosen by the user, by operationId or `METHOD /path`.
    pub rename: std::collections::BTreeMap<String, String>,
    /// Whether inputs are typed with typify (default true).
    pub typed: bool,
    /// Whether plain GETs are served as resources (`--resources`).
    pub resources: bool,
}

/// Everything `[package.metadata.mcp]` lists.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Metadata {
    /// Tools, in registration order.
    pub tools: Vec<Tool>,
    /// Resources and templates.
    pub resources: Vec<Resource>,
    /// Prompts.
    pub prompts: Vec<Prompt>,
    /// HTTP APIs imported from OpenAPI documents.
    pub openapi: Vec<OpenApi>,
    /// How the server checks access tokens over HTTP (`auth = "jwt" | "dev"`).
    pub auth: Option<AuthKind>,
}

/// How a generated server checks access tokens (`cargo mcp new --auth`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    /// JWTs from a real authorization server, configured by `MCP_AUTH_*`;
    /// the server refuses to serve HTTP without them.
    Jwt,
    /// The runtime's development authorization server, on the same port.
    Dev,
}

impl AuthKind {
    /// The value written in `[package.metadata.mcp] auth`.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthKind::Jwt => "jwt",
            AuthKind::Dev => "dev",
        }
    }
}

impl Metadata {
    /// Every module name in use, for collision checks.
    pub fn modules(&self) -> Vec<String> {
        let mut all: Vec<String> = self.tools.iter().map(|t| t.module.clone()).collect();
        all.extend(self.resources.iter().map(|r| r.module.clone()));
        all.extend(self.prompts.iter().map(|p| p.module.clone()));
        all
    }
}

/// The filters, as given on the command line and kept in the metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Keep operations with one of these tags (all when empty).
    pub include_tags: Vec<String>,
    /// Drop operations with one of these tags.
    pub exclude_tags: Vec<String>,
    /// Keep operations whose path matches one of these globs (all when empty).
    pub include_paths: Vec<String>,
    /// Drop operations whose path matches one of these globs.
    pub exclude_paths: Vec<String>,
    /// Keep only these methods (all when empty).
    pub methods: Vec<String>,
    /// Keep only these operations, by operationId or `METHOD /path` (all when empty).
    pub operations: Vec<String>,
}

impl Filters {
    /// Whether any filter is set.
    pub fn is_empty(&self) -> bool {
        self == &Filters::default()
    }
}

/// What planning found worth telling.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Findings {
    /// Warnings (fallbacks, schema shapes).
    pub warnings: Vec<String>,
    /// Schemas typed by typify.
    pub typed: usize,
    /// Schemas that fell back to `serde_json::Value`.
    pub fallback: usize,
    /// Dependencies added to Cargo.toml.
    pub added_dependencies: Vec<String>,
}

/// Schema texts not yet on disk (being added), by project-relative path.
pub type Pending = BTreeMap<String, String>;

/// The variables of an RFC 6570 template, in order, without operators or modifiers.
pub fn template_variables(uri: &str) -> Vec<String> {
    let mut vars = Vec::new();
    let mut rest = uri;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else { break };
        let expr = after[..end].trim_start_matches(['+', '#', '.', '/', ';', '?', '&']);
        for v in expr.split(',') {
            let v = v.trim_end_matches('*');
            let v = v.split(':').next().unwrap_or(v);
            if !v.is_empty() && !vars.iter().any(|x| x == v) {
                vars.push(v.to_string());
            }
        }
        rest = &after[end + 1..];
    }
    vars
}
