//! The binary as users run it: `cargo-mcp mcp …` (what `cargo mcp …` runs),
//! exit codes, and error messages that name the file and what to do.

use std::process::Command;

fn cargo_mcp(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-mcp"))
        .arg("mcp")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout),
    )
}

#[test]
fn help_has_examples() {
    let tmp = tempfile::tempdir().expect("tmp");
    for cmd in [
        "new",
        "add-tool",
        "add-resource",
        "add-prompt",
        "generate",
        "inspect",
        "dev",
    ] {
        let (code, out) = cargo_mcp(tmp.path(), &[cmd, "--help"]);
        assert_eq!(code, 0);
        assert!(out.contains("Example"), "{cmd}: {out}");
        assert!(!out.contains('\u{1b}'), "NO_COLOR is honoured");
    }
}

#[test]
fn outside_a_project_says_what_to_do() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, out) = cargo_mcp(tmp.path(), &["add-tool", "x"]);
    assert_eq!(code, 5, "{out}");
    assert!(out.contains("cargo mcp new NAME"), "{out}");
}

#[test]
fn new_then_bad_schema_then_edits_kept() {
    let tmp = tempfile::tempdir().expect("tmp");
    let runtime = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime");
    let runtime = runtime.to_string_lossy().to_string();
    let (code, out) = cargo_mcp(tmp.path(), &["new", "type", "--vcs", "none"]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("it is a Rust keyword"), "{out}");
    let (code, out) = cargo_mcp(
        tmp.path(),
        &["new", "demo", "--vcs", "none", "--runtime-path", &runtime],
    );
    assert_eq!(code, 0, "{out}");
    let (code, out) = cargo_mcp(
        tmp.path(),
        &["new", "demo", "--vcs", "none", "--runtime-path", &runtime],
    );
    assert_eq!(code, 3, "refuses an existing folder: {out}");
    let project = tmp.path().join("demo");
    std::fs::write(
        tmp.path().join("bad.json"),
        "{\n  \"type\": \"object\",\n  \"properties\": {,}\n}\n",
    )
    .expect("write");
    let before = std::fs::read_to_string(project.join("Cargo.toml")).expect("manifest");
    let (code, out) = cargo_mcp(
        &project.join("src"),
        &["add-tool", "bad", "--input", "../../bad.json"],
    );
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("bad.json:3:18: invalid JSON"), "{out}");
    assert_eq!(
        before,
        std::fs::read_to_string(project.join("Cargo.toml")).expect("manifest"),
        "nothing half-written"
    );
    // A hand-edited generated file is reported and kept, then overwritten with --force.
    let server = project.join("src/generated/server.rs");
    let edited = std::fs::read_to_string(&server).expect("server") + "// mine\n";
    std::fs::write(&server, &edited).expect("edit");
    let (code, out) = cargo_mcp(&project, &["add-tool", "search-input", "--arg", "q:string"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("src/generated/server.rs was edited by hand"),
        "{out}"
    );
    assert_eq!(std::fs::read_to_string(&server).expect("server"), edited);
    let (code, out) = cargo_mcp(&project, &["add-tool", "search_input", "--arg", "q:string"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("search_input_2"), "collision reported: {out}");
    let (code, out) = cargo_mcp(&project, &["generate", "--force"]);
    assert_eq!(code, 0, "{out}");
    assert!(std::fs::read_to_string(&server)
        .expect("server")
        .contains("search_input_2"));
}

/// `cargo mcp new demo` in `dir`, on this checkout's runtime; the project folder.
fn new_demo(dir: &std::path::Path) -> std::path::PathBuf {
    let runtime = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime");
    let runtime = runtime.to_string_lossy();
    let (code, out) = cargo_mcp(
        dir,
        &["new", "demo", "--vcs", "none", "--runtime-path", &runtime],
    );
    assert_eq!(code, 0, "{out}");
    dir.join("demo")
}

#[test]
fn yaml_schemas_are_stored_as_json_and_bad_yaml_names_line_and_column() {
    let tmp = tempfile::tempdir().expect("tmp");
    let project = new_demo(tmp.path());
    std::fs::write(
        tmp.path().join("search.yaml"),
        "# a YAML schema\ntype: object\nproperties:\n  query:\n    type: string\n    description: What to look for\n  limit: {type: integer, minimum: 1}\nrequired: [query]\n",
    )
    .expect("write");
    let (code, out) = cargo_mcp(
        &project,
        &["add-tool", "search", "--input", "../search.yaml"],
    );
    assert_eq!(code, 0, "{out}");
    let stored =
        std::fs::read_to_string(project.join("schemas/search.input.json")).expect("stored");
    let stored: serde_json::Value = serde_json::from_str(&stored).expect("stored as JSON");
    assert_eq!(
        stored,
        serde_json::json!({
            "type": "object",
            "properties": {
                "query": {"type": "string", "description": "What to look for"},
                "limit": {"type": "integer", "minimum": 1}
            },
            "required": ["query"]
        })
    );
    assert!(
        std::fs::read_to_string(project.join("src/generated/tools/search.rs"))
            .expect("types")
            .contains("pub query: ::std::string::String")
    );

    std::fs::write(
        tmp.path().join("bad.yml"),
        "type: object\nproperties:\n  a: [1, 2\n",
    )
    .expect("write");
    let before = std::fs::read_to_string(project.join("Cargo.toml")).expect("manifest");
    let (code, out) = cargo_mcp(&project, &["add-tool", "bad", "--input", "../bad.yml"]);
    assert_eq!(code, 3, "{out}");
    assert!(
        out.contains("bad.yml:") && out.contains("invalid YAML"),
        "{out}"
    );
    let located = out
        .split("bad.yml:")
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .and_then(|line| line.parse::<usize>().ok());
    assert!(located.is_some_and(|l| l >= 3), "names the line: {out}");
    assert_eq!(
        before,
        std::fs::read_to_string(project.join("Cargo.toml")).expect("manifest"),
        "nothing half-written"
    );
}

#[test]
fn a_project_inside_a_workspace_is_found_from_anywhere_in_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let runtime = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime");
    let runtime = runtime.to_string_lossy().to_string();
    std::fs::write(
        tmp.path().join("Cargo.toml"),
        "[workspace]\nresolver = \"2\"\nmembers = []\n",
    )
    .expect("workspace");
    for name in ["alpha", "beta"] {
        let (code, out) = cargo_mcp(
            tmp.path(),
            &["new", name, "--vcs", "none", "--runtime-path", &runtime],
        );
        assert_eq!(code, 0, "{out}");
    }
    let workspace = std::fs::read_to_string(tmp.path().join("Cargo.toml")).expect("ws");
    assert!(
        workspace.contains("\"alpha\"") && workspace.contains("\"beta\""),
        "{workspace}"
    );
    // From inside a member: that member.
    let (code, out) = cargo_mcp(
        &tmp.path().join("beta/src/tools"),
        &["add-tool", "only_beta"],
    );
    assert_eq!(code, 0, "{out}");
    let beta = std::fs::read_to_string(tmp.path().join("beta/Cargo.toml")).expect("beta");
    let alpha = std::fs::read_to_string(tmp.path().join("alpha/Cargo.toml")).expect("alpha");
    assert!(beta.contains("only_beta") && !alpha.contains("only_beta"));
    // From the workspace root with two servers: ambiguous, and the message lists them.
    let (code, out) = cargo_mcp(tmp.path(), &["add-tool", "which"]);
    assert_eq!(code, 5, "{out}");
    assert!(
        out.contains("alpha") && out.contains("beta") && out.contains("--manifest-path"),
        "{out}"
    );
}

#[test]
fn generate_removes_what_is_no_longer_generated_and_keeps_what_was_edited() {
    let tmp = tempfile::tempdir().expect("tmp");
    let project = new_demo(tmp.path());
    for name in ["keep", "drop"] {
        let (code, out) = cargo_mcp(&project, &["add-tool", name, "--arg", "q:string"]);
        assert_eq!(code, 0, "{out}");
    }
    let generated = project.join("src/generated/tools/drop.rs");
    assert!(generated.is_file());
    // The user takes `drop` out of [package.metadata.mcp] by hand.
    let manifest = std::fs::read_to_string(project.join("Cargo.toml")).expect("manifest");
    let start = manifest
        .find("[[package.metadata.mcp.tools]]\nname = \"drop\"")
        .expect("drop's entry");
    let end = manifest[start + 1..]
        .find("\n[[")
        .map_or(manifest.len(), |i| start + 1 + i + 1);
    std::fs::write(
        project.join("Cargo.toml"),
        format!("{}{}", &manifest[..start], &manifest[end..]),
    )
    .expect("edit");
    // A stale generated file the user edited is kept.
    let edited = project.join("src/generated/tools/old.rs");
    let header =
        std::fs::read_to_string(project.join("src/generated/tools/keep.rs")).expect("keep");
    std::fs::write(&edited, header + "// mine\n").expect("write");

    let (code, out) = cargo_mcp(&project, &["generate"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Removed src/generated/tools/drop.rs"), "{out}");
    assert!(!generated.exists());
    assert!(
        project.join("src/tools/drop.rs").is_file(),
        "the user's handler stays"
    );
    assert!(project.join("src/generated/tools/keep.rs").is_file());
    assert!(
        out.contains("src/generated/tools/old.rs is no longer generated"),
        "{out}"
    );
    assert!(edited.is_file());
    let (code, out) = cargo_mcp(&project, &["generate", "--force"]);
    assert_eq!(code, 0, "{out}");
    assert!(!edited.exists(), "--force removes it: {out}");
    // Still builds-ready: a second generate changes nothing.
    let (code, out) = cargo_mcp(&project, &["generate", "--verbose"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("Wrote") && !out.contains("Removed"), "{out}");
}
