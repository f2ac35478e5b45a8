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
    let mut reasons: std::collections::BTreeMap<String, usize> = Default::default();
    for (name, schema) in &cases {
        let outcome = type_schema(schema, "ToolInput");
        let part = match outcome {
            Outcome::Typed(t) => {
                typed += 1;
                SchemaPart {
                    file: name.clone(),
                    module: "input".into(),
                    type_name: "ToolInput".into(),
                    alias: Some(t.root),
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
    }
    println!(
        "sweep: {} schemas, {typed} typed, {fallback} fell back to serde_json::Value",
        cases.len()
    );
    for (feature, n) in &reasons {
        println!("  {n:4}  {feature}");
    }
}
