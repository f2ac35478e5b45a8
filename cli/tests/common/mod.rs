//! The fixture projects, built by calling the generator directly, and the
//! helpers the tests share.

#![allow(dead_code)]

use cargo_mcp::generate::{
    self,
    metadata::{Arg, AuthKind},
    AddTool, NewProject, Project, RuntimeSource,
};
use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The runtime checkout generated projects depend on.
pub fn runtime() -> PathBuf {
    std::fs::canonicalize(repo().join("runtime")).expect("runtime/ exists")
}

/// Every fixture project, by name.
pub const FIXTURES: &[&str] = &[
    "hello",
    "arg-tool",
    "resource-template",
    "prompt",
    "real-world",
    "mcp-tools",
    "auth-jwt",
    "auth-dev",
];

/// The tools of the `real-world` fixture: (tool name, schema file).
pub const REAL_WORLD: &[&str] = &[
    "changie",
    "cloudbuild",
    "compose-spec",
    "dependabot",
    "github-actions",
    "github-workflows",
];

/// The tools of the `mcp-tools` fixture: (tool name, example file stem, has output).
pub const MCP_TOOLS: &[(&str, &str, bool)] = &[
    ("list_users", "tool-with-array-output-schema", true),
    ("find_resource", "tool-with-composition-input-schema", false),
    ("calculate_sum", "with-default-2020-12-input-schema", false),
    (
        "calculate_sum_draft7",
        "with-explicit-draft-07-input-schema",
        false,
    ),
    ("get_current_time", "with-no-parameters", false),
    (
        "get_weather_data",
        "with-output-schema-for-structured-content",
        true,
    ),
];

fn args(specs: &[&str]) -> Vec<Arg> {
    specs
        .iter()
        .map(|s| Arg::parse(s).expect("valid --arg"))
        .collect()
}

/// `cargo mcp new NAME` at `dir` (stdio, no git, this checkout's runtime), loaded.
pub fn new_project(name: &str, dir: &Path) -> Project {
    generate::new_project(&NewProject {
        name: name.into(),
        path: dir.to_path_buf(),
        http: false,
        git: false,
        runtime: RuntimeSource::Path(runtime()),
        auth: None,
    })
    .expect("new");
    Project::find(dir).expect("project")
}

/// A second `generate` over the project at `root` changes no byte.
pub fn assert_generate_is_stable(root: &Path) {
    let before = files(root);
    let mut project = Project::find(root).expect("project");
    let report = generate::generate(&mut project, false).expect("generate");
    assert!(
        report.applied.written.is_empty(),
        "{:?}",
        report.applied.written
    );
    assert_eq!(before, files(root));
}

/// Creates fixture `name` at `dir` (which must not exist).
pub fn build_fixture(name: &str, dir: &Path) -> PathBuf {
    let package = format!("fixture-{name}");
    let opts = NewProject {
        name: package,
        path: dir.to_path_buf(),
        http: false,
        git: false,
        runtime: RuntimeSource::Path(runtime()),
        auth: match name {
            "auth-jwt" => Some(AuthKind::Jwt),
            "auth-dev" => Some(AuthKind::Dev),
            _ => None,
        },
    };
    generate::new_project(&opts).expect("new");
    let mut project = Project::find(dir).expect("project");
    let schemas = repo().join("fixtures/jsonschema");
    match name {
        "hello" => {}
        "arg-tool" => {
            let tool = AddTool {
                name: "add".into(),
                description: Some("Add two numbers".into()),
                args: args(&[
                    "a:integer:First number",
                    "b:integer:Second number",
                    "note:string?:A remark",
                ]),
                ..Default::default()
            };
            generate::add_tool(&mut project, &tool).expect("add-tool");
        }
        "resource-template" => {
            generate::add_resource(
                &mut project,
                "users://{user_id}/profile",
                Some("A user's profile".into()),
                Some("application/json".into()),
            )
            .expect("add-resource");
            generate::add_resource(
                &mut project,
                "config://app",
                Some("The app's configuration".into()),
                None,
            )
            .expect("add-resource");
        }
        "prompt" => {
            generate::add_prompt(
                &mut project,
                "summarize",
                Some("Summarize a topic".into()),
                args(&[
                    "topic:string:What to summarize",
                    "words:integer?:How many words",
                ]),
            )
            .expect("add-prompt");
        }
        "real-world" => {
            for tool in REAL_WORLD {
                let opts = AddTool {
                    name: (*tool).into(),
                    description: Some(format!("Check a {tool} document")),
                    input: Some(schemas.join(format!("real-world/{tool}.json"))),
                    ..Default::default()
                };
                generate::add_tool(&mut project, &opts).expect("add-tool");
            }
        }
        "mcp-tools" => {
            for (tool, stem, output) in MCP_TOOLS {
                let opts = AddTool {
                    name: (*tool).into(),
                    input: Some(schemas.join(format!("mcp-tools/{stem}.input.json"))),
                    output: output.then(|| schemas.join(format!("mcp-tools/{stem}.output.json"))),
                    ..Default::default()
                };
                generate::add_tool(&mut project, &opts).expect("add-tool");
            }
        }
        "auth-dev" => {}
        "auth-jwt" => {
            let tool = AddTool {
                name: "wipe".into(),
                description: Some("Wipe everything (admins only)".into()),
                scopes: vec!["admin".into()],
                ..Default::default()
            };
            generate::add_tool(&mut project, &tool).expect("add-tool");
        }
        other => panic!("no fixture {other}"),
    }
    dir.to_path_buf()
}

/// Every file of a project, relative path and text, sorted (no target/, .git/, Cargo.lock).
pub fn files(root: &Path) -> Vec<(String, String)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("read_dir")
            .map(|e| e.expect("entry").path())
            .collect();
        entries.sort();
        for p in entries {
            let rel = p
                .strip_prefix(root)
                .expect("prefix")
                .to_string_lossy()
                .replace('\\', "/");
            if rel == "target" || rel == ".git" || rel == "Cargo.lock" {
                continue;
            }
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.push((rel, std::fs::read_to_string(&p).expect("text file")));
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out
}

/// Every schema under fixtures/jsonschema: (path, text).
pub fn fixture_schemas() -> impl Iterator<Item = (PathBuf, String)> {
    let dir = repo().join("fixtures/jsonschema");
    ["real-world", "mcp-tools"]
        .into_iter()
        .flat_map(move |sub| {
            let mut paths: Vec<PathBuf> = std::fs::read_dir(dir.join(sub))
                .expect("fixture folder")
                .map(|e| e.expect("entry").path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect();
            paths.sort();
            paths.into_iter().map(|p| {
                let text = std::fs::read_to_string(&p).expect("schema");
                (p, text)
            })
        })
}
