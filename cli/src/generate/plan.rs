//! The plan: every file the metadata implies, rendered in memory. Nothing is
//! written here; [`super::files::apply`] writes a plan all at once.

use super::error::{Error, Result};
use super::files::{with_header, Owner, PlannedFile};
use super::metadata::{self, Arg, ArgType, Prompt, Resource, Tool};
use super::names::{self, crate_name, type_stem};
use super::project::Project;
use super::render::{self, lit, render, Field};
use super::schema_types::{self, Outcome};
use super::versions;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

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

/// Reads a JSON file, with line and column on error.
pub fn parse_json(path: &Path, text: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| Error::Json {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: e
            .to_string()
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .to_string(),
    })
}

/// Parses a YAML file's text into JSON, naming the file, line and column on failure.
pub fn parse_yaml(path: &Path, text: &str) -> Result<Value> {
    serde_yaml_ng::from_str(text).map_err(|e| {
        let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
        let message = e.to_string();
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_string();
        Error::Yaml {
            path: path.to_path_buf(),
            line,
            column,
            message,
        }
    })
}

fn read_schema(project: &Project, pending: &Pending, rel: &str) -> Result<Value> {
    let path = project.root.join(rel);
    let text = match pending.get(rel) {
        Some(t) => t.clone(),
        None => std::fs::read_to_string(&path).map_err(|e| Error::Io {
            path: path.clone(),
            source: e,
        })?,
    };
    parse_json(Path::new(rel), &text)
}

/// Plans every generator-owned file, plus user-owned files that are missing
/// (written only if absent). Edits `project.doc` to add needed dependencies;
/// the manifest is part of the plan if it changed.
pub fn plan(project: &mut Project, pending: &Pending) -> Result<(Vec<PlannedFile>, Findings)> {
    let mut files = Vec::new();
    let mut findings = Findings::default();
    let (mut chrono, mut uuid, mut regress) = (false, false, false);
    let krate = crate_name(&project.package);
    let meta = project.meta.clone();

    let mut tool_regs = Vec::new();
    for tool in &meta.tools {
        let stem = type_stem(&tool.module);
        let input_type = format!("{stem}Input");
        let output_type = format!("{stem}Output");
        let types_path = format!("src/generated/tools/{}.rs", tool.module);
        let has_input = tool.input.is_some() || !tool.args.is_empty();
        // The generated call test's arguments: from `--arg`s, or an example of
        // the input schema when one can be made surely valid.
        let mut call_args =
            (tool.input.is_none() && tool.output.is_none()).then(|| sample_args(&tool.args));
        if let Some(input) = &tool.input {
            let mut parts = Vec::new();
            for (file, module, type_name) in [
                (Some(input), "input", &input_type),
                (tool.output.as_ref(), "output", &output_type),
            ] {
                let Some(file) = file else { continue };
                let schema = read_schema(project, pending, file)?;
                if module == "input" && tool.output.is_none() {
                    call_args = super::example::example(&schema)
                        .filter(Value::is_object)
                        .map(|v| v.to_string());
                }
                if module == "input" && schema.get("type").and_then(Value::as_str) != Some("object")
                {
                    findings.warnings.push(format!(
                        "{file}: the input schema's root is not `\"type\": \"object\"`; MCP clients expect an object of arguments"
                    ));
                }
                parts.push(schema_part(
                    file,
                    module,
                    type_name,
                    &schema,
                    &mut findings,
                    (&mut chrono, &mut uuid, &mut regress),
                ));
            }
            let body = render(
                "schema_types.rs",
                &render::SchemaTypes {
                    tool: tool.name.clone(),
                    parts,
                },
            )?;
            files.push(generated(&types_path, &body)?);
        } else {
            let mut parts = Vec::new();
            if !tool.args.is_empty() {
                let body = args_struct(
                    &format!(
                        "Arguments of the `{}` tool, declared with `--arg`.",
                        tool.name
                    ),
                    &format!("The arguments of `{}`.", tool.name),
                    true,
                    &input_type,
                    &tool.args,
                )?;
                parts.push(body);
            }
            if let Some(output) = &tool.output {
                let schema = read_schema(project, pending, output)?;
                let part = schema_part(
                    output,
                    "output",
                    &output_type,
                    &schema,
                    &mut findings,
                    (&mut chrono, &mut uuid, &mut regress),
                );
                let body = render(
                    "schema_types.rs",
                    &render::SchemaTypes {
                        tool: tool.name.clone(),
                        parts: vec![part],
                    },
                )?;
                parts.push(
                    body.lines()
                        .filter(|l| !l.starts_with("//!"))
                        .collect::<Vec<_>>()
                        .join("\n"),
                );
            }
            if parts.is_empty() {
                parts.push(format!(
                    "//! The `{}` tool takes no arguments, so it has no types.\n",
                    tool.name
                ));
            }
            files.push(generated(&types_path, &parts.join("\n"))?);
        }
        files.push(user(
            &format!("src/tools/{}.rs", tool.module),
            render(
                "tool_stub.rs",
                &render::ToolStub {
                    name: tool.name.clone(),
                    module: tool.module.clone(),
                    input_type: has_input.then(|| input_type.clone()),
                    schema_input: tool.input.is_some(),
                    input_file: tool.input.clone().unwrap_or_default(),
                    output_type: tool.output.as_ref().map(|_| output_type.clone()),
                    sync: tool.sync,
                    body: hello_body(tool),
                },
            )?,
        ));
        files.push(user(
            &format!("tests/{}.rs", tool.module),
            render(
                "tool_test.rs",
                &render::ToolTest {
                    name: tool.name.clone(),
                    name_lit: lit(&tool.name),
                    module: tool.module.clone(),
                    call_args: call_args.clone(),
                },
            )?,
        ));
        tool_regs.push(render::ToolReg {
            name: lit(&tool.name),
            module: tool.module.clone(),
            description: tool.description.as_deref().map(lit),
            input_schema: tool.input.as_deref().map(|p| lit(&format!("../../{p}"))),
            output_schema: tool.output.as_deref().map(|p| lit(&format!("../../{p}"))),
            scopes: tool.scopes.iter().map(|s| lit(s)).collect(),
        });
    }
    if !meta.tools.is_empty() {
        files.push(user(
            "tests/support/mod.rs",
            render(
                "test_support.rs",
                &render::TestSupport { crate_name: &krate },
            )?,
        ));
    }

    let mut resource_regs = Vec::new();
    for r in &meta.resources {
        files.push(generated(
            &format!("src/generated/resources/{}.rs", r.module),
            &resource_types(r)?,
        )?);
        files.push(user(
            &format!("src/resources/{}.rs", r.module),
            render(
                "resource_stub.rs",
                &render::ResourceStub {
                    uri: r.uri.clone(),
                    module: r.module.clone(),
                    params_type: r
                        .is_template()
                        .then(|| format!("{}Params", type_stem(&r.module))),
                },
            )?,
        ));
        resource_regs.push(render::ResourceReg {
            uri: lit(&r.uri),
            module: r.module.clone(),
            template: r.is_template(),
            description: r.description.as_deref().map(lit),
            mime_type: r.mime_type.as_deref().map(lit),
        });
    }

    let mut prompt_regs = Vec::new();
    for p in &meta.prompts {
        files.push(generated(
            &format!("src/generated/prompts/{}.rs", p.module),
            &prompt_types(p)?,
        )?);
        files.push(user(
            &format!("src/prompts/{}.rs", p.module),
            render(
                "prompt_stub.rs",
                &render::PromptStub {
                    name: p.name.clone(),
                    module: p.module.clone(),
                    args_type: (!p.args.is_empty())
                        .then(|| format!("{}Args", type_stem(&p.module))),
                },
            )?,
        ));
        prompt_regs.push(render::PromptReg {
            name: lit(&p.name),
            module: p.module.clone(),
            description: p.description.as_deref().map(lit),
        });
    }

    let apis = super::openapi::plan_apis(project, pending)?;
    chrono |= apis.uses.chrono;
    uuid |= apis.uses.uuid;
    regress |= apis.uses.regress;
    findings.typed += apis.typed.0;
    findings.fallback += apis.typed.1;
    findings.warnings.extend(apis.warnings);
    files.extend(apis.files);
    if !apis.modules.is_empty()
        && metadata::ensure_runtime_feature(
            &project.manifest,
            &mut project.doc,
            versions::OPENAPI_FEATURE,
        )?
    {
        findings.added_dependencies.push(format!(
            "{}/{}",
            versions::RUNTIME,
            versions::OPENAPI_FEATURE
        ));
    }
    let modules = |v: Vec<String>| v;
    files.push(generated(
        "src/generated/mod.rs",
        &render(
            "generated_mod.rs",
            &render::GeneratedMod {
                tools: modules(meta.tools.iter().map(|t| t.module.clone()).collect()),
                resources: meta.resources.iter().map(|r| r.module.clone()).collect(),
                prompts: meta.prompts.iter().map(|p| p.module.clone()).collect(),
                openapi: !apis.modules.is_empty(),
            },
        )?,
    )?);
    files.push(generated(
        "src/generated/server.rs",
        &render(
            "generated_server.rs",
            &render::ServerRs {
                tools: tool_regs,
                resources: resource_regs,
                prompts: prompt_regs,
                apis: apis.modules.clone(),
                auth: meta.auth.map(super::metadata::AuthKind::as_str),
            },
        )?,
    )?);
    for (dir, kind, command, list) in [
        (
            "tools",
            "tool",
            "add-tool",
            meta.tools
                .iter()
                .map(|t| t.module.clone())
                .collect::<Vec<_>>(),
        ),
        (
            "resources",
            "resource",
            "add-resource",
            meta.resources.iter().map(|r| r.module.clone()).collect(),
        ),
        (
            "prompts",
            "prompt",
            "add-prompt",
            meta.prompts.iter().map(|p| p.module.clone()).collect(),
        ),
    ] {
        let body = render(
            "handlers_mod.rs",
            &render::HandlersMod {
                kind,
                command,
                modules: list,
            },
        )?;
        files.push(generated(&format!("src/{dir}/mod.rs"), &body)?);
    }

    for (needed, dep) in [
        (chrono, versions::CHRONO),
        (uuid, versions::UUID),
        (regress, versions::REGRESS),
    ] {
        if needed && metadata::ensure_dependency(&project.manifest, &mut project.doc, &dep)? {
            findings.added_dependencies.push(dep.name.to_string());
        }
    }
    let manifest = project.doc.to_string();
    if manifest != project.original {
        files.push(PlannedFile {
            path: "Cargo.toml".into(),
            contents: manifest,
            owner: Owner::Replace,
        });
    }
    Ok((files, findings))
}

fn generated(path: &str, body: &str) -> Result<PlannedFile> {
    let name: &'static str = if path.ends_with("server.rs") {
        "server.rs"
    } else {
        "a generated module"
    };
    let formatted = render::format_rust(name, body).map_err(|e| match e {
        Error::Invalid(m) => Error::Invalid(format!("{path}: {m}")),
        other => other,
    })?;
    Ok(PlannedFile {
        path: path.into(),
        contents: with_header(&formatted),
        owner: Owner::Generator,
    })
}

fn user(path: &str, contents: String) -> PlannedFile {
    PlannedFile {
        path: path.into(),
        contents,
        owner: Owner::User,
    }
}

fn hello_body(tool: &Tool) -> Option<String> {
    let greets = tool.name == "hello"
        && tool.args.len() == 1
        && tool.args[0].name == "name"
        && tool.input.is_none();
    greets.then(|| "Ok(format!(\"Hello, {}!\", input.name))".to_string())
}

/// Arguments that satisfy `args`, as JSON text.
fn sample_args(args: &[Arg]) -> String {
    let map: serde_json::Map<String, Value> = args
        .iter()
        .filter(|a| a.required)
        .map(|a| {
            let v = match a.ty {
                ArgType::String => Value::from("example"),
                ArgType::Integer => Value::from(1),
                ArgType::Number => Value::from(1.5),
                ArgType::Boolean => Value::from(true),
            };
            (a.name.clone(), v)
        })
        .collect();
    Value::Object(map).to_string()
}

fn schema_part(
    file: &str,
    module: &str,
    type_name: &str,
    schema: &Value,
    findings: &mut Findings,
    uses: (&mut bool, &mut bool, &mut bool),
) -> render::SchemaPart {
    match schema_types::type_schema(schema, type_name) {
        Outcome::Typed(t) => {
            findings.typed += 1;
            *uses.0 |= t.uses_chrono;
            *uses.1 |= t.uses_uuid;
            *uses.2 |= t.uses_regress;
            render::SchemaPart {
                file: file.into(),
                module: module.into(),
                type_name: type_name.into(),
                alias: (!t.defines_root).then(|| t.root.clone()),
                code: Some(t.code),
                reason: String::new(),
            }
        }
        Outcome::Fallback { reason } => {
            findings.fallback += 1;
            findings
                .warnings
                .push(format!("{file}: falls back to serde_json::Value: {reason}"));
            let doc = format!(" `{file}` could not be typed, so it arrives as JSON (still validated against the schema): {reason}.");
            render::SchemaPart {
                file: file.into(),
                module: module.into(),
                type_name: type_name.into(),
                code: None,
                alias: None,
                reason: lit(&doc.replace('\n', " ")),
            }
        }
    }
}

fn fields(args: &[Arg]) -> Result<Vec<Field>> {
    args.iter()
        .map(|a| {
            let (field, renamed) = names::field_name(&a.name).map_err(Error::Invalid)?;
            let ty = if a.required {
                a.ty.rust().to_string()
            } else {
                format!("Option<{}>", a.ty.rust())
            };
            Ok(Field {
                field,
                ty,
                doc: a.description.as_deref().map(|d| lit(&format!(" {d}"))),
                rename: renamed.then(|| lit(&a.name)),
                required: a.required,
            })
        })
        .collect()
}

fn args_struct(
    doc: &str,
    what: &str,
    schema: bool,
    type_name: &str,
    args: &[Arg],
) -> Result<String> {
    render(
        "args_types.rs",
        &render::ArgsTypes {
            doc: doc.into(),
            what: lit(&format!(" {what}")),
            schema,
            type_name: type_name.into(),
            fields: fields(args)?,
        },
    )
}

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

fn resource_types(r: &Resource) -> Result<String> {
    let vars = template_variables(&r.uri);
    if vars.is_empty() {
        return Ok(format!(
            "//! The resource `{}` has a fixed URI, so it has no types.\n",
            r.uri.replace('\n', " ")
        ));
    }
    let args: Vec<Arg> = vars
        .iter()
        .map(|v| Arg {
            name: v.clone(),
            ty: ArgType::String,
            description: None,
            required: true,
        })
        .collect();
    args_struct(
        &format!("Variables of the resource template `{}`.", r.uri),
        &format!("The variables matched in `{}`.", r.uri),
        false,
        &format!("{}Params", type_stem(&r.module)),
        &args,
    )
}

fn prompt_types(p: &Prompt) -> Result<String> {
    if p.args.is_empty() {
        return Ok(format!(
            "//! The `{}` prompt takes no arguments, so it has no types.\n",
            p.name
        ));
    }
    args_struct(
        &format!("Arguments of the `{}` prompt.", p.name),
        &format!(
            "The arguments of `{}`; each arrives as a string and is parsed into its field's type.",
            p.name
        ),
        true,
        &format!("{}Args", type_stem(&p.module)),
        &p.args,
    )
}
