//! The command line, in one place: clap's cargo-subcommand pattern, so both
//! `cargo mcp …` and `cargo-mcp mcp …` work (cargo runs the latter).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// `cargo`, as far as this subcommand is concerned.
#[derive(Debug, Parser)]
#[command(name = "cargo", bin_name = "cargo", styles = clap_cargo_styles())]
pub enum Cargo {
    /// Create and grow MCP servers in Rust.
    Mcp(Mcp),
}

/// `cargo mcp`.
#[derive(Debug, Args)]
#[command(
    version,
    about = "Create and grow MCP (Model Context Protocol) servers in Rust",
    after_help = "Examples:\n  cargo mcp new weather\n  cd weather && cargo mcp add-tool forecast --arg city:string:\"City name\"\n  cargo run\n\nExit codes: 0 success, 1 failure, 2 usage error, 3 bad input (schema, manifest, name), 4 file system error, 5 not inside a project, 6 could not reach the MCP server (inspect)."
)]
pub struct Mcp {
    /// Options every command takes.
    #[command(flatten)]
    pub global: Global,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// Print only errors and warnings.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print every file written or kept.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Colour: auto (honours NO_COLOR and non-terminals), always, never.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// Colour when writing to a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new MCP server project with a `hello` tool.
    #[command(
        after_help = "Example:\n  cargo mcp new weather --transport http\n  cd weather && cargo run -- --transport http --port 8000"
    )]
    New(NewArgs),
    /// Add a tool: from `--arg`s, or from JSON Schema files typed with typify.
    #[command(
        after_help = "Examples:\n  cargo mcp add-tool add --description \"Add two numbers\" --arg a:integer:\"First\" --arg b:integer:\"Second\"\n  cargo mcp add-tool search --input search.json --output results.json\n\nArgument types: string, integer, number, boolean; add `?` for optional (limit:integer?)."
    )]
    AddTool(AddToolArgs),
    /// Add a resource at a fixed URI, or a resource template with `{variables}`.
    #[command(
        after_help = "Examples:\n  cargo mcp add-resource config://app --mime-type application/json\n  cargo mcp add-resource \"users://{user_id}/profile\""
    )]
    AddResource(AddResourceArgs),
    /// Add a prompt.
    #[command(
        after_help = "Example:\n  cargo mcp add-prompt summarize --description \"Summarize a topic\" --arg topic:string:\"What to summarize\""
    )]
    AddPrompt(AddPromptArgs),
    /// Import an HTTP API from an OpenAPI document: one tool per operation, calling the real API.
    #[command(
        after_help = "Examples:\n  cargo mcp import-openapi petstore.yaml\n  cargo mcp import-openapi api.github.com.json --include-tag issues --methods get\n  cargo mcp import-openapi openapi.json --include-path '/v1/models/**' --base-url https://api.example.com\n\nOpenAPI 3.0 and 3.1 (JSON or YAML) and Swagger 2.0; relative $refs into other files are followed.\nThe document is copied under openapi/ so `cargo mcp generate` can regenerate from it.\nEnv variables (base URL, credentials, timeout) are listed in openapi/README.md."
    )]
    ImportOpenapi(ImportOpenApiArgs),
    /// Rewrite every generator-owned file from [package.metadata.mcp].
    #[command(
        after_help = "Example (after editing schemas/search.input.json):\n  cargo mcp generate\n\nA generated file you edited is reported and kept; --force overwrites it."
    )]
    Generate(GenerateArgs),
    /// Talk to an MCP server from the terminal: list and call tools, read resources, get prompts.
    #[command(
        after_help = "Examples:\n  cargo mcp inspect ./target/debug/weather tools\n  cargo mcp inspect \"cargo run -q -- --transport stdio\" call forecast --arg city=Paris\n  cargo mcp inspect http://127.0.0.1:8000/mcp read config://app\n  cargo mcp inspect --json ./target/debug/weather call add --args-json '{\"a\": 1, \"b\": 2}'\n  cargo mcp inspect -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:8000/mcp tools\n\nTARGET is an http:// or https:// URL (Streamable HTTP) or a command line, split as a shell\nwould, started as a child speaking JSON-RPC on stdio.\nExit codes: 1 the tool answered isError or the server answered an error, 3 bad --arg or\n--args-json, 6 the server could not be started or reached."
    )]
    Inspect(InspectArgs),
    /// Build and run the server, rebuild and restart it on every change, and inspect it in the browser.
    #[command(
        after_help = "Examples:\n  cargo mcp dev\n  cargo mcp dev --transport http --port 8000 --no-open\n  cargo mcp dev --inspector official\n\nWatches src/, schemas/, openapi/ and Cargo.toml. A failed build is shown (in the terminal\nand the page) and the last good server keeps running. The inspector listens on 127.0.0.1\nonly; Ctrl-C stops it and the server.\n--inspector official runs `npx -y @modelcontextprotocol/inspector` and needs Node.js 22.19+."
    )]
    Dev(DevArgs),
}

/// `dev`.
#[derive(Debug, Args)]
pub struct DevArgs {
    /// How the inspector talks to the server.
    #[arg(long, value_enum, default_value_t = TransportArg::Stdio)]
    pub transport: TransportArg,
    /// The server's port with `--transport http` (it listens on 127.0.0.1).
    #[arg(long, value_name = "PORT", default_value_t = 8000)]
    pub port: u16,
    /// The inspector's port on 127.0.0.1.
    #[arg(long, value_name = "PORT", default_value_t = 6274)]
    pub inspector_port: u16,
    /// Do not open the browser.
    #[arg(long)]
    pub no_open: bool,
    /// Which inspector: the built-in page, or the official MCP Inspector (through npx, Node.js 22.19+).
    #[arg(long, value_enum, default_value_t = InspectorArg::Builtin)]
    pub inspector: InspectorArg,
    /// Where the project is.
    #[command(flatten)]
    pub project: ProjectArgs,
}

/// Inspectors of `dev`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InspectorArg {
    /// The page built into cargo-mcp, served on 127.0.0.1.
    Builtin,
    /// The official MCP Inspector, run with npx (needs Node.js 22.19+).
    Official,
}

/// `inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Print the raw JSON result instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Seconds to wait for each answer.
    #[arg(long, value_name = "SECS", default_value_t = 60, global = true)]
    pub timeout: u64,
    /// An HTTP header sent with every request to an http(s) target, `NAME: VALUE`
    /// (repeatable), such as `Authorization: Bearer TOKEN` for a server with auth.
    #[arg(long, short = 'H', value_name = "NAME: VALUE", global = true)]
    pub header: Vec<String>,
    /// The server: an http(s):// URL, or a command line to start (quote it if it has spaces).
    pub target: String,
    /// What to ask it.
    #[command(subcommand)]
    pub action: InspectAction,
}

/// What `inspect` asks the server.
#[derive(Debug, Subcommand)]
pub enum InspectAction {
    /// List the tools (name and description; the raw tools array with --json).
    Tools,
    /// Call a tool.
    Call {
        /// The tool's name.
        name: String,
        /// An argument, KEY=VALUE; VALUE is read as JSON when it parses (42, true, [1], {"a":1}), else as a string.
        #[arg(long, value_name = "KEY=VALUE")]
        arg: Vec<String>,
        /// All arguments as one JSON object (--arg entries are added on top).
        #[arg(long, value_name = "JSON")]
        args_json: Option<String>,
    },
    /// Read a resource.
    Read {
        /// Its URI.
        uri: String,
    },
    /// Get a prompt.
    Prompt {
        /// The prompt's name.
        name: String,
        /// An argument, KEY=VALUE (prompt arguments are strings).
        #[arg(long, value_name = "KEY=VALUE")]
        arg: Vec<String>,
    },
    /// List the resources and resource templates.
    Resources,
    /// List the prompts.
    Prompts,
    /// Show the server's info and capabilities (the initialize result).
    Info,
}

/// Where the project is (commands other than `new`).
#[derive(Debug, Args)]
pub struct ProjectArgs {
    /// The project's Cargo.toml (default: found from the current folder upwards).
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
}

/// `new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// Package name (cargo's rules).
    pub name: String,
    /// Folder to create [default: ./NAME].
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,
    /// The transport the server serves when run with no arguments.
    #[arg(long, value_enum, default_value_t = TransportArg::Stdio)]
    pub transport: TransportArg,
    /// Version control to initialize (skipped inside an existing repository).
    #[arg(long, value_enum, default_value_t = Vcs::Git)]
    pub vcs: Vcs,
    /// Depend on the runtime at this folder [default: the checkout cargo-mcp
    /// was built from, when run from one; else --runtime-version].
    #[arg(long, value_name = "DIR", conflicts_with = "runtime_version")]
    pub runtime_path: Option<PathBuf>,
    /// Depend on this published version of mcp-runtime [default outside a
    /// checkout: the version this cargo-mcp was built for].
    #[arg(long, value_name = "VERSION")]
    pub runtime_version: Option<String>,
    /// Check access tokens over HTTP: `jwt` against your authorization server
    /// (MCP_AUTH_* variables), or `dev` with the runtime's development
    /// authorization server on the same port. Implies `--transport http`.
    #[arg(long, value_enum, value_name = "KIND")]
    pub auth: Option<AuthArg>,
    /// Also import this OpenAPI document (as `import-openapi` does).
    #[arg(long, value_name = "FILE")]
    pub from_openapi: Option<PathBuf>,
    /// Options of the import (with --from-openapi).
    #[command(flatten)]
    pub openapi: OpenApiOptions,
}

/// Options shared by `import-openapi` and `new --from-openapi`.
#[derive(Debug, Args, Default)]
pub struct OpenApiOptions {
    /// Keep operations with this tag (repeatable).
    #[arg(long, value_name = "TAG")]
    pub include_tag: Vec<String>,
    /// Leave out operations with this tag (repeatable).
    #[arg(long, value_name = "TAG")]
    pub exclude_tag: Vec<String>,
    /// Keep operations whose path matches this glob (`*` within a segment, `**` across; repeatable).
    #[arg(long, value_name = "GLOB")]
    pub include_path: Vec<String>,
    /// Leave out operations whose path matches this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude_path: Vec<String>,
    /// Keep only these HTTP methods (comma-separated: get,post).
    #[arg(long, value_name = "METHODS", value_delimiter = ',')]
    pub methods: Vec<String>,
    /// Base URL baked in as the default (the env variable still overrides it).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Refuse to import more tools than this; filter instead.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub max_tools: usize,
    /// Module name of the API (default: from the file name).
    #[arg(long, value_name = "NAME")]
    pub api_name: Option<String>,
    /// Do not type inputs with typify (arguments arrive as serde_json::Value).
    #[arg(long)]
    pub untyped: bool,
    /// Serve GETs without parameters as resources (`SCHEME://path`) and GETs
    /// with one path parameter as resource templates (`SCHEME://path/{id}`),
    /// as FastMCP's route maps do; the rest stay tools.
    #[arg(long)]
    pub resources: bool,
}

/// `import-openapi`.
#[derive(Debug, Args)]
pub struct ImportOpenApiArgs {
    /// The OpenAPI document (JSON or YAML).
    pub file: PathBuf,
    /// Options of the import.
    #[command(flatten)]
    pub openapi: OpenApiOptions,
    /// Where the project is.
    #[command(flatten)]
    pub project: ProjectArgs,
}

/// Transports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TransportArg {
    /// Newline-delimited JSON over stdin/stdout.
    Stdio,
    /// Streamable HTTP.
    Http,
}

/// Version control systems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Vcs {
    /// `git init`.
    Git,
    /// None.
    None,
}

/// `add-tool`.
#[derive(Debug, Args)]
pub struct AddToolArgs {
    /// Tool name (A-Z a-z 0-9 _ - ., at most 64 characters; others are replaced).
    pub name: String,
    /// What the tool does (shown to the model).
    #[arg(long, short)]
    pub description: Option<String>,
    /// JSON Schema of the arguments; copied to schemas/ and served verbatim.
    #[arg(long, value_name = "SCHEMA", conflicts_with = "arg")]
    pub input: Option<PathBuf>,
    /// JSON Schema of the structured result; copied to schemas/ and served verbatim.
    #[arg(long, value_name = "SCHEMA")]
    pub output: Option<PathBuf>,
    /// An argument: name:type[:description], type one of string, integer, number, boolean (`?` = optional).
    #[arg(long, value_name = "NAME:TYPE[:DESCRIPTION]")]
    pub arg: Vec<String>,
    /// Generate a plain `fn` handler instead of an `async fn`.
    #[arg(long)]
    pub sync: bool,
    /// A scope the caller's access token needs to see and call the tool (repeatable; HTTP with auth).
    #[arg(long, value_name = "SCOPE")]
    pub scope: Vec<String>,
    /// Make the tool from an operation of this OpenAPI document (with --operation).
    #[arg(long, value_name = "FILE", requires = "operation", conflicts_with_all = ["input", "output", "arg"])]
    pub openapi: Option<PathBuf>,
    /// The operation: its operationId, or `METHOD /path`.
    #[arg(long, value_name = "ID", requires = "openapi")]
    pub operation: Option<String>,
    /// Where the project is.
    #[command(flatten)]
    pub project: ProjectArgs,
}

/// `add-resource`.
#[derive(Debug, Args)]
pub struct AddResourceArgs {
    /// The URI (`config://app`) or RFC 6570 template (`users://{user_id}/profile`).
    pub uri: String,
    /// What the resource holds.
    #[arg(long, short)]
    pub description: Option<String>,
    /// Its MIME type.
    #[arg(long)]
    pub mime_type: Option<String>,
    /// Where the project is.
    #[command(flatten)]
    pub project: ProjectArgs,
}

/// `add-prompt`.
#[derive(Debug, Args)]
pub struct AddPromptArgs {
    /// Prompt name.
    pub name: String,
    /// What the prompt is for.
    #[arg(long, short)]
    pub description: Option<String>,
    /// An argument: name:type[:description] (`?` after the type = optional).
    #[arg(long, value_name = "NAME:TYPE[:DESCRIPTION]")]
    pub arg: Vec<String>,
    /// Where the project is.
    #[command(flatten)]
    pub project: ProjectArgs,
}

/// `generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Overwrite generated files even if they were edited by hand.
    #[arg(long)]
    pub force: bool,
    /// Where the project is.
    #[command(flatten)]
    pub project: ProjectArgs,
}

fn clap_cargo_styles() -> clap::builder::Styles {
    use anstyle::{AnsiColor, Effects};
    clap::builder::Styles::styled()
        .header(AnsiColor::Green.on_default() | Effects::BOLD)
        .usage(AnsiColor::Green.on_default() | Effects::BOLD)
        .literal(AnsiColor::Cyan.on_default() | Effects::BOLD)
        .placeholder(AnsiColor::Cyan.on_default())
}

/// `new --auth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthArg {
    /// JWTs from your authorization server, checked against its JWKS (MCP_AUTH_* variables).
    Jwt,
    /// The runtime's development authorization server (not for production).
    Dev,
}
