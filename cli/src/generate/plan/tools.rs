//! The tools' files: each tool's types (from `--arg`s or its JSON Schemas,
//! typed with typify), its handler stub and its call test, and the tests'
//! shared support module.

use super::args::args_struct;
use super::output::{generated, user, Output, Uses};
use crate::generate::error::{Error, Result};
use crate::generate::example;
use crate::generate::model::{Arg, ArgType, Findings, Pending, Tool};
use crate::generate::names::{crate_name, type_stem};
use crate::generate::parse::parse_json;
use crate::generate::project::Project;
use crate::generate::render::{self, lit, render};
use crate::generate::schema_types::{self, Outcome};
use serde_json::Value;
use std::path::Path;

/// Plans every tool's files; returns their registrations for `server.rs`.
pub(super) fn plan(
    project: &Project,
    pending: &Pending,
    out: &mut Output,
) -> Result<Vec<render::ToolReg>> {
    let krate = crate_name(&project.package);
    let mut tool_regs = Vec::new();
    for tool in &project.meta.tools {
        tool_regs.push(plan_tool(project, pending, tool, out)?);
    }
    if !project.meta.tools.is_empty() {
        out.files.push(user(
            "tests/support/mod.rs",
            render(
                "test_support.rs",
                &render::TestSupport { crate_name: &krate },
            )?,
        ));
    }

    Ok(tool_regs)
}

/// One tool: its types, handler stub and call test; returns its registration.
fn plan_tool(
    project: &Project,
    pending: &Pending,
    tool: &Tool,
    out: &mut Output,
) -> Result<render::ToolReg> {
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
                call_args = example::example(&schema)
                    .filter(Value::is_object)
                    .map(|v| v.to_string());
            }
            if module == "input" && schema.get("type").and_then(Value::as_str) != Some("object") {
                out.findings.warnings.push(format!(
                    "{file}: the input schema's root is not `\"type\": \"object\"`; MCP clients expect an object of arguments"
                ));
            }
            parts.push(schema_part(
                file,
                module,
                type_name,
                &schema,
                &mut out.findings,
                &mut out.uses,
            ));
        }
        let body = render(
            "schema_types.rs",
            &render::SchemaTypes {
                tool: tool.name.clone(),
                parts,
            },
        )?;
        out.files.push(generated(&types_path, &body)?);
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
                &mut out.findings,
                &mut out.uses,
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
        out.files.push(generated(&types_path, &parts.join("\n"))?);
    }
    out.files.push(user(
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
    out.files.push(user(
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
    Ok(render::ToolReg {
        name: lit(&tool.name),
        module: tool.module.clone(),
        description: tool.description.as_deref().map(lit),
        input_schema: tool.input.as_deref().map(|p| lit(&format!("../../{p}"))),
        output_schema: tool.output.as_deref().map(|p| lit(&format!("../../{p}"))),
        scopes: tool.scopes.iter().map(|s| lit(s)).collect(),
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
    uses: &mut Uses,
) -> render::SchemaPart {
    match schema_types::type_schema(schema, type_name) {
        Outcome::Typed(t) => {
            findings.typed += 1;
            uses.chrono |= t.uses_chrono;
            uses.uuid |= t.uses_uuid;
            uses.regress |= t.uses_regress;
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
