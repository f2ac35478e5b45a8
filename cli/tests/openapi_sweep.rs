//! The OpenAPI sweep: every document in ../shared/fixtures/openapi is
//! loaded, planned and rendered (typed with typify, formatted) in memory.
//! None may panic; one that cannot be imported must fail with a message
//! that names the file and a JSON pointer (`file#/pointer: ...`).

mod common;

use cargo_mcp::generate::openapi::{self, render_in_memory, Options};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

fn documents(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            documents(&p, out);
        } else if p
            .extension()
            .is_some_and(|e| e == "json" || e == "yaml" || e == "yml")
        {
            out.push(p);
        }
    }
}

/// The shared fixtures, or `None` (skipped) outside CI when they are absent.
pub fn shared() -> Option<PathBuf> {
    let dir = common::repo().join("../shared/fixtures/openapi");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must run the OpenAPI sweep: {} is missing",
        dir.display()
    );
    eprintln!("skipped: {} is not present", dir.display());
    None
}

#[test]
fn every_shared_document_imports_or_fails_with_a_pointer() {
    let Some(dir) = shared() else { return };
    let mut docs = Vec::new();
    documents(&dir, &mut docs);
    assert!(docs.len() > 100, "{} documents", docs.len());
    let (mut ok, mut failed, mut tools) = (0, 0, 0);
    let mut panics = Vec::new();
    let mut bad_schemas = Vec::new();
    for doc in &docs {
        let rel = doc.strip_prefix(&dir).unwrap_or(doc).display().to_string();
        // The two big documents are typed in the timing test; here, planning and rendering are swept.
        let typed = std::fs::metadata(doc)
            .map(|m| m.len() < 1_000_000)
            .unwrap_or(true);
        let result = catch_unwind(AssertUnwindSafe(|| {
            render_in_memory(doc, &Options::default(), typed)
        }));
        match result {
            Err(_) => panics.push(rel),
            Ok(Ok((analysis, files))) => {
                ok += 1;
                tools += analysis.tools.len();
                for (path, text) in files {
                    assert!(
                        syn::parse_file(&text).is_ok() || !path.ends_with(".rs"),
                        "{rel}: {path} does not parse"
                    );
                }
                for t in &analysis.tools {
                    assert!(
                        t.name.len() <= 64
                            && t.name
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c)),
                        "{rel}: {}",
                        t.name
                    );
                    assert_eq!(t.input_schema["type"], "object", "{rel}: {}", t.name);
                    // The generated server compiles these at start-up; one bad schema stops it.
                    let mut schemas = vec![("input", &t.input_schema)];
                    if let openapi::analyze::Output::Structured { schema, .. } = &t.output {
                        schemas.push(("output", schema));
                    }
                    for (which, schema) in schemas {
                        if let Err(e) = jsonschema::validator_for(schema) {
                            bad_schemas.push(format!("{rel}: {} {which}: {e}", t.name));
                        }
                    }
                }
            }
            Ok(Err(e)) => {
                failed += 1;
                let message = e.to_string();
                assert!(
                    message.contains('#'),
                    "{rel}: the error names no JSON pointer: {message}"
                );
                eprintln!("{rel}: {}", message.lines().next().unwrap_or(""));
            }
        }
    }
    eprintln!(
        "{} documents: {ok} imported ({tools} tools), {failed} refused cleanly",
        docs.len()
    );
    assert!(panics.is_empty(), "panicked on: {panics:?}");
    assert!(
        bad_schemas.is_empty(),
        "{} schemas a validator refuses:\n{}",
        bad_schemas.len(),
        bad_schemas.join("\n")
    );
}
