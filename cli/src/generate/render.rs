//! The askama templates (in the repository's `templates/` folder), one per
//! generated file, and the views they render. Views hold values already
//! written as Rust or TOML text (string literals are escaped here).

use super::error::{Error, Result};
use askama::Template;

/// A Rust string literal for `s`.
pub fn lit(s: &str) -> String {
    format!("{s:?}")
}

/// Renders a template, naming it in the error.
pub fn render<T: Template>(name: &'static str, template: &T) -> Result<String> {
    template
        .render()
        .map_err(|source| Error::Template { name, source })
}

/// Formats Rust source with prettyplease.
pub fn format_rust(name: &'static str, source: &str) -> Result<String> {
    let file = syn::parse_file(source).map_err(|e| {
        Error::Invalid(format!(
            "generated {name} does not parse ({e}); this is a bug in cargo-mcp, please report it"
        ))
    })?;
    Ok(prettyplease::unparse(&file))
}

/// The new project's Cargo.toml.
#[derive(Template)]
#[template(path = "project_Cargo.toml", escape = "none")]
pub struct ProjectManifest<'a> {
    /// Package name.
    pub name: &'a str,
    /// `[dependencies]` lines.
    pub dependencies: Vec<String>,
}

/// The new project's README.
#[derive(Template)]
#[template(path = "project_README.md", escape = "none")]
pub struct ProjectReadme<'a> {
    /// Package name.
    pub name: &'a str,
    /// `stdio` or `Streamable HTTP`.
    pub transport: &'a str,
    /// Where the runtime comes from.
    pub runtime_note: String,
    /// `jwt` or `dev` when the project checks access tokens.
    pub auth: Option<&'a str>,
    /// Whether HTTP is the default transport.
    pub http: bool,
}

/// `.gitignore`.
#[derive(Template)]
#[template(path = "project_gitignore", escape = "none")]
pub struct GitIgnore;

/// `src/main.rs`.
#[derive(Template)]
#[template(path = "main.rs", escape = "none")]
pub struct MainRs<'a> {
    /// Crate name.
    pub crate_name: &'a str,
    /// Whether HTTP is the default transport.
    pub http: bool,
}

/// `src/lib.rs`.
#[derive(Template)]
#[template(path = "lib.rs", escape = "none")]
pub struct LibRs<'a> {
    /// Package name.
    pub name: &'a str,
}

/// `src/generated/mod.rs`.
#[derive(Template)]
#[template(path = "generated_mod.rs", escape = "none")]
pub struct GeneratedMod {
    /// Tool type modules.
    pub tools: Vec<String>,
    /// Resource type modules.
    pub resources: Vec<String>,
    /// Prompt type modules.
    pub prompts: Vec<String>,
    /// Whether the project imports OpenAPI documents (`generated/openapi/`).
    pub openapi: bool,
}

/// A tool as `server.rs` registers it.
pub struct ToolReg {
    /// Name literal.
    pub name: String,
    /// Module.
    pub module: String,
    /// Description literal.
    pub description: Option<String>,
    /// `include_str!` path literal of the input schema.
    pub input_schema: Option<String>,
    /// `include_str!` path literal of the output schema.
    pub output_schema: Option<String>,
    /// Literals of the scopes a caller needs.
    pub scopes: Vec<String>,
}

/// A resource as `server.rs` registers it.
pub struct ResourceReg {
    /// URI literal.
    pub uri: String,
    /// Module.
    pub module: String,
    /// Whether it is a template.
    pub template: bool,
    /// Description literal.
    pub description: Option<String>,
    /// MIME type literal.
    pub mime_type: Option<String>,
}

/// A prompt as `server.rs` registers it.
pub struct PromptReg {
    /// Name literal.
    pub name: String,
    /// Module.
    pub module: String,
    /// Description literal.
    pub description: Option<String>,
}

/// `src/generated/server.rs`.
#[derive(Template)]
#[template(path = "generated_server.rs", escape = "none")]
pub struct ServerRs {
    /// Tools.
    pub tools: Vec<ToolReg>,
    /// Resources.
    pub resources: Vec<ResourceReg>,
    /// Prompts.
    pub prompts: Vec<PromptReg>,
    /// Modules of APIs imported from OpenAPI, merged in after the rest.
    pub apis: Vec<String>,
    /// `jwt` or `dev` when the server checks access tokens.
    pub auth: Option<&'static str>,
}

/// `src/{tools,resources,prompts}/mod.rs`.
#[derive(Template)]
#[template(path = "handlers_mod.rs", escape = "none")]
pub struct HandlersMod<'a> {
    /// `tool`, `resource`, `prompt`.
    pub kind: &'a str,
    /// `add-tool`, ...
    pub command: &'a str,
    /// Modules.
    pub modules: Vec<String>,
}

/// One field of an argument struct.
pub struct Field {
    /// Rust field name.
    pub field: String,
    /// Rust type.
    pub ty: String,
    /// Doc literal.
    pub doc: Option<String>,
    /// serde rename literal.
    pub rename: Option<String>,
    /// Whether required.
    pub required: bool,
}

/// A struct of arguments (`--arg` tools, prompts, template variables).
#[derive(Template)]
#[template(path = "args_types.rs", escape = "none")]
pub struct ArgsTypes {
    /// Module doc.
    pub doc: String,
    /// Struct doc literal.
    pub what: String,
    /// Whether to derive JsonSchema.
    pub schema: bool,
    /// Struct name.
    pub type_name: String,
    /// Fields.
    pub fields: Vec<Field>,
}

/// One schema's part of a types module.
pub struct SchemaPart {
    /// File it came from.
    pub file: String,
    /// `input` or `output`.
    pub module: String,
    /// The exported type name.
    pub type_name: String,
    /// typify's code, if typed.
    pub code: Option<String>,
    /// The root type, when it is not `type_name` itself.
    pub alias: Option<String>,
    /// Doc literal saying why it fell back.
    pub reason: String,
}

/// `src/generated/tools/NAME.rs` for schema tools.
#[derive(Template)]
#[template(path = "schema_types.rs", escape = "none")]
pub struct SchemaTypes {
    /// Tool name.
    pub tool: String,
    /// Input and/or output.
    pub parts: Vec<SchemaPart>,
}

/// `src/tools/NAME.rs`.
#[derive(Template)]
#[template(path = "tool_stub.rs", escape = "none")]
pub struct ToolStub {
    /// Tool name.
    pub name: String,
    /// Module.
    pub module: String,
    /// Input type.
    pub input_type: Option<String>,
    /// Whether the input comes from a schema (`Params`) rather than `--arg` (`Args`).
    pub schema_input: bool,
    /// Input schema file.
    pub input_file: String,
    /// Output type.
    pub output_type: Option<String>,
    /// Plain `fn`.
    pub sync: bool,
    /// A body to use instead of the echo.
    pub body: Option<String>,
}

/// `src/resources/NAME.rs`.
#[derive(Template)]
#[template(path = "resource_stub.rs", escape = "none")]
pub struct ResourceStub {
    /// URI.
    pub uri: String,
    /// Module.
    pub module: String,
    /// Variables type, for templates.
    pub params_type: Option<String>,
}

/// `src/prompts/NAME.rs`.
#[derive(Template)]
#[template(path = "prompt_stub.rs", escape = "none")]
pub struct PromptStub {
    /// Prompt name.
    pub name: String,
    /// Module.
    pub module: String,
    /// Arguments type.
    pub args_type: Option<String>,
}

/// `tests/support/mod.rs`.
#[derive(Template)]
#[template(path = "test_support.rs", escape = "none")]
pub struct TestSupport<'a> {
    /// Crate name.
    pub crate_name: &'a str,
}

/// `tests/NAME.rs`.
#[derive(Template)]
#[template(path = "tool_test.rs", escape = "none")]
pub struct ToolTest {
    /// Tool name.
    pub name: String,
    /// Name literal.
    pub name_lit: String,
    /// Module.
    pub module: String,
    /// JSON arguments for a call that must succeed, if known.
    pub call_args: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gitignore_keeps_secrets_out_of_git() {
        let ignore = render("project_gitignore", &GitIgnore).expect("renders");
        let lines: Vec<&str> = ignore.lines().collect();
        assert!(lines.contains(&".env"), "{ignore}");
        assert!(lines.contains(&".mcp-dev-auth.key"), "{ignore}");
    }
}
