//! The sweep: every schema in ../shared/fixtures/jsonschema (the
//! JSON-Schema-Test-Suite's draft2020-12 and draft7 files, the real-world
//! schemas, the MCP spec's own schemas) goes through the typing step and the
//! formatter that `add-tool` uses. None may panic, every result must parse as
//! Rust, and the counts of typed and fallen-back schemas are printed.
//! (Compiling a sample is the e2e test's job: the `real-world` and
//! `mcp-tools` fixtures.)

mod common;

use cargo_mcp::generate::render::{self, SchemaPart, SchemaTypes};
use cargo_mcp::generate::schema_types::{type_schema, Outcome};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
}

#[test]
fn every_shared_schema_types_or_falls_back_without_panicking() {
    let shared = common::repo().join("../shared/fixtures/jsonschema");
    if !shared.is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the sweep: {} is missing",
            shared.display()
        );
        eprintln!("skipped: {} is not present", shared.display());
        return;
    }
    let mut cases: Vec<(String, Value)> = Vec::new();
    for suite in ["draft2020-12", "draft7"] {
        let mut files = Vec::new();
        json_files(
            &shared.join("JSON-Schema-Test-Suite/tests").join(suite),
            &mut files,
        );
        for f in files {
            let groups: Value = serde_json::from_str(&std::fs::read_to_string(&f).expect("read"))
                .expect("suite JSON");
            for (i, group) in groups.as_array().into_iter().flatten().enumerate() {
                if let Some(schema) = group.get("schema") {
                    cases.push((
                        format!("{}#{i}", f.strip_prefix(&shared).unwrap_or(&f).display()),
                        schema.clone(),
                    ));
                }
            }
        }
    }
    let mut others = Vec::new();
    json_files(&shared.join("real-world"), &mut others);
    json_files(&shared.join("mcp-spec"), &mut others);
    for f in others
        .into_iter()
        .filter(|f| !f.to_string_lossy().contains("/examples/"))
    {
        let schema: Value =
            serde_json::from_str(&std::fs::read_to_string(&f).expect("read")).expect("schema JSON");
        cases.push((
            f.strip_prefix(&shared).unwrap_or(&f).display().to_string(),
            schema,
        ));
    }
    assert!(cases.len() > 500, "found only {} schemas", cases.len());

    let (mut typed, mut fallback) = (0, 0);
    let mut compiled: Vec<(String, String)> = Vec::new();
    let mut reasons: std::collections::BTreeMap<String, usize> = Default::default();
    let mut examples = 0;
    for (name, schema) in &cases {
        // The generated call test's example must validate wherever one is made.
        if let Some(example) = cargo_mcp::generate::example::example(schema) {
            examples += 1;
            if let Ok(validator) = jsonschema::validator_for(schema) {
                let errors: Vec<String> = validator
                    .iter_errors(&example)
                    .map(|e| e.to_string())
                    .collect();
                assert!(
                    errors.is_empty(),
                    "{name}: the example {example} is invalid: {errors:?}"
                );
            }
        }
        let outcome = type_schema(schema, "ToolInput");
        let part = match outcome {
            Outcome::Typed(t) => {
                typed += 1;
                SchemaPart {
                    file: name.clone(),
                    module: "input".into(),
                    type_name: "ToolInput".into(),
                    alias: (!t.defines_root).then(|| t.root.clone()),
                    code: Some(t.code),
                    reason: String::new(),
                }
            }
            Outcome::Fallback { reason } => {
                fallback += 1;
                let feature = reason
                    .split(" at `")
                    .next()
                    .and_then(|r| r.split(" (").next())
                    .unwrap_or(&reason)
                    .to_string();
                *reasons.entry(feature).or_default() += 1;
                SchemaPart {
                    file: name.clone(),
                    module: "input".into(),
                    type_name: "ToolInput".into(),
                    alias: None,
                    code: None,
                    reason: render::lit(&reason),
                }
            }
        };
        let body = render::render(
            "schema_types.rs",
            &SchemaTypes {
                tool: "sweep".into(),
                parts: vec![part],
            },
        )
        .expect("renders");
        if let Err(e) = render::format_rust("sweep", &body) {
            panic!("{name}: generated code does not parse: {e}");
        }
        if body.contains("pub mod input") {
            compiled.push((name.clone(), body));
        }
    }
    compile_all(&compiled);
    println!(
        "sweep: {} schemas, {typed} typed, {fallback} fell back to serde_json::Value, {examples} with a call-test example (all valid)",
        cases.len()
    );
    for (feature, n) in &reasons {
        println!("  {n:4}  {feature}");
    }
}

/// Builds every typed result in one crate (one module per schema), the way a
/// generated project builds them: a typed tool must never leave a project
/// that fails to compile. Shares the e2e tests' target folder.
fn compile_all(typed: &[(String, String)]) {
    if std::env::var_os("CARGO_MCP_SKIP_E2E").is_some() {
        eprintln!("skipped compiling the sweep (CARGO_MCP_SKIP_E2E)");
        return;
    }
    use cargo_mcp::generate::versions::{Dependency, BASE, CHRONO, REGRESS, UUID};
    let repo = common::repo();
    let dir = repo.join("target/sweep-compile");
    std::fs::create_dir_all(dir.join("src")).expect("sweep crate folder");
    let dep = |d: &Dependency| {
        format!(
            "{} = {{ version = \"{}\", features = [{}] }}\n",
            d.name,
            d.version,
            d.features
                .iter()
                .map(|f| format!("\"{f}\""))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let mut manifest = String::from(
        "[package]\nname = \"sweep-compile\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[workspace]\n\n[dependencies]\n",
    );
    manifest.push_str(&format!(
        "mcp-runtime = {{ path = {:?} }}\n",
        repo.join("runtime").display().to_string()
    ));
    for d in BASE.iter().chain([CHRONO, UUID, REGRESS].iter()) {
        manifest.push_str(&dep(d));
    }
    std::fs::write(dir.join("Cargo.toml"), manifest).expect("write manifest");
    let mut lib = String::from("#![allow(warnings, clippy::all)]\n");
    for (i, (name, body)) in typed.iter().enumerate() {
        lib.push_str(&format!("/// {name}\npub mod s{i} {{\n{body}\n}}\n"));
    }
    std::fs::write(dir.join("src/lib.rs"), lib).expect("write lib");
    let target = std::env::var_os("CARGO_MCP_E2E_TARGET")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| repo.join("target/cargo-mcp-e2e"));
    let out = std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--quiet", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target)
        .output()
        .expect("run cargo");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{} typed schemas do not all compile:\n{}",
        typed.len(),
        stderr.lines().take(60).collect::<Vec<_>>().join("\n")
    );
    println!(
        "sweep: all {} typed results compile in one crate",
        typed.len()
    );
}
