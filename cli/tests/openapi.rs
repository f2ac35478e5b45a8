//! OpenAPI import: snapshots of the generated code for small documents
//! (`snapshots/openapi-*/`), summary snapshots (tool names and input-schema
//! digests) for GitHub and OpenAI, and import timings.

mod common;

use cargo_mcp::generate::openapi::{self, Filters, Options};
use cargo_mcp::generate::Project;
use cargo_mcp::generate::{import_openapi, Import};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn fixture(rel: &str) -> PathBuf {
    common::repo().join("fixtures/openapi").join(rel)
}

/// A new project at `dir` with `import` done.
fn project_with(dir: &Path, import: &Import) -> Project {
    let mut project = common::new_project("api-server", dir);
    import_openapi(&mut project, import).expect("import");
    project
}

fn check(name: &str, import: Import) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("api-server");
    project_with(&root, &import);
    let runtime = common::runtime().to_string_lossy().to_string();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(common::repo().join("snapshots").join(name));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for (path, text) in common::files(&root) {
            let pinned = path.starts_with("src/generated/openapi/")
                || path == "openapi/README.md"
                || path == "Cargo.toml"
                || path == "src/generated/server.rs"
                || path == "src/generated/mod.rs";
            if pinned {
                insta::assert_snapshot!(
                    path.replace('/', "__"),
                    text.replace(&runtime, "<runtime>")
                );
            }
        }
    });
    common::assert_generate_is_stable(&root);
}

#[test]
fn petstore_3_0() {
    check(
        "openapi-petstore-3.0",
        Import {
            spec: fixture("oai-examples/v3.0-yaml/petstore.yaml"),
            ..Default::default()
        },
    );
}

#[test]
fn petstore_2_0() {
    check(
        "openapi-petstore-2.0",
        Import {
            spec: fixture("oai-examples/v2.0-json/petstore.json"),
            ..Default::default()
        },
    );
}

#[test]
fn petstore_3_1() {
    check(
        "openapi-petstore-3.1",
        Import {
            spec: fixture("readme-oas-examples/3.1/petstore.json"),
            ..Default::default()
        },
    );
}

#[test]
fn star_trek_without_operation_ids() {
    check(
        "openapi-star-trek",
        Import {
            spec: fixture("readme-oas-examples/3.0/star-trek.json"),
            filters: Filters {
                include_paths: vec![
                    "/animal".into(),
                    "/animal/**".into(),
                    "/spacecraft".into(),
                    "/spacecraft/**".into(),
                ],
                ..Default::default()
            },
            ..Default::default()
        },
    );
}

#[test]
fn max_tools_asks_for_filters_and_lists_tags() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("p");
    let mut project = common::new_project("p", &root);
    let import = Import {
        spec: fixture("readme-oas-examples/3.0/star-trek.json"),
        ..Default::default()
    };
    let err = import_openapi(&mut project, &import)
        .expect_err("over --max-tools")
        .to_string();
    assert!(
        err.contains("--max-tools 100") && err.contains("Spacecraft"),
        "{err}"
    );
    assert!(!root.join("openapi").exists(), "nothing written");
}

fn shared(rel: &str) -> Option<PathBuf> {
    let path = common::repo().join("../shared/fixtures/openapi").join(rel);
    if path.is_file() {
        return Some(path);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI needs {}",
        path.display()
    );
    eprintln!("skipped: {} is not present", path.display());
    None
}

/// One line per tool: name, method and path, and a digest of its input schema.
fn summary(spec: &Path) -> String {
    let analysis = openapi::dry_run(spec, &Options::default()).expect("imports");
    let mut out = format!(
        "{} tools of {} operations\n",
        analysis.tools.len(),
        analysis.total
    );
    for t in &analysis.tools {
        let digest = Sha256::digest(t.input_schema.to_string().as_bytes());
        let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
        out.push_str(&format!("{} {} {} {hex}\n", t.name, t.method, t.path));
    }
    for n in &analysis.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    out
}

#[test]
fn github_summary() {
    let Some(spec) = shared("github/api.github.com.json") else {
        return;
    };
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(common::repo().join("snapshots/openapi-summaries"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!("github", summary(&spec)));
}

#[test]
fn openai_summary() {
    let Some(spec) = shared("openai/openapi.json") else {
        return;
    };
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(common::repo().join("snapshots/openapi-summaries"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!("openai", summary(&spec)));
}

/// Load, plan, type every input with typify and format every file: what an
/// import does before writing. Prints the timings; in release builds the
/// GitHub document must take under 5 s.
#[test]
fn import_timings() {
    let mut cases = vec![("petstore", fixture("oai-examples/v3.0-yaml/petstore.yaml"))];
    for (name, rel) in [
        ("openai", "openai/openapi.json"),
        ("github", "github/api.github.com.json"),
    ] {
        if let Some(p) = shared(rel) {
            cases.push((name, p));
        }
    }
    for (name, spec) in cases {
        let start = Instant::now();
        let (analysis, files) =
            openapi::render_in_memory(&spec, &Options::default(), true).expect("renders");
        let elapsed = start.elapsed();
        let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
        eprintln!(
            "timing: {name}: {} tools, {} files, {:.1} MB of Rust in {:.2} s ({})",
            analysis.tools.len(),
            files.len(),
            bytes as f64 / 1e6,
            elapsed.as_secs_f64(),
            if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            }
        );
        if name == "github" && !cfg!(debug_assertions) {
            assert!(elapsed.as_secs_f64() < 5.0, "GitHub took {elapsed:?}");
        }
    }
}

#[test]
fn resources_from_plain_gets() {
    check(
        "openapi-resources",
        Import {
            spec: fixture("readme-oas-examples/3.1/petstore.json"),
            name: Some("shop".into()),
            filters: Filters {
                operations: vec![
                    "getInventory".into(),
                    "getPetById".into(),
                    "findPetsByStatus".into(),
                    "deletePet".into(),
                ],
                ..Default::default()
            },
            resources: true,
            ..Default::default()
        },
    );
}

#[test]
fn an_operations_own_server_is_kept() {
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = tmp.path().join("uploads.json");
    std::fs::write(
        &spec,
        serde_json::json!({
            "openapi": "3.1.0",
            "info": {"title": "Uploads", "version": "1"},
            "servers": [{"url": "https://api.example.com/v3"}],
            "paths": {
                "/assets": {"post": {
                    "operationId": "upload",
                    "servers": [{"url": "https://{host}.example.com", "variables": {"host": {"default": "uploads"}}}],
                    "responses": {"201": {"description": "made"}}
                }},
                "/assets/{id}": {"get": {
                    "operationId": "fetch",
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "it"}}
                }}
            }
        })
        .to_string(),
    )
    .expect("write");
    let (_, files) = openapi::render_in_memory(&spec, &Options::default(), true).expect("renders");
    let file = |name: &str| {
        files
            .iter()
            .find(|(p, _)| p.ends_with(&format!("/{name}.rs")))
            .map(|(_, text)| text.clone())
            .unwrap_or_default()
    };
    assert!(
        file("upload").contains(r#"server: Some("https://uploads.example.com")"#),
        "{}",
        file("upload")
    );
    assert!(file("fetch").contains("server: None"), "{}", file("fetch"));
}
