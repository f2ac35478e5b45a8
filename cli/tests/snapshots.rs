//! Snapshot tests: every file of every fixture project, pinned in
//! `snapshots/<fixture>/` (run `cargo insta review` after a deliberate change).

mod common;

fn check(fixture: &str) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = common::build_fixture(fixture, &tmp.path().join(fixture));
    let runtime = common::runtime().to_string_lossy().to_string();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(common::repo().join("snapshots").join(fixture));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for (path, text) in common::files(&root) {
            if let Some(copy) = path.strip_prefix("schemas/") {
                // Copied verbatim: compare with the source instead of pinning a second copy.
                assert!(
                    common::fixture_schemas().any(|(_, source)| source == text),
                    "{copy} is not a verbatim copy"
                );
                continue;
            }
            let name = path.replace('/', "__");
            insta::assert_snapshot!(name, text.replace(&runtime, "<runtime>"));
        }
    });
    // A second generate changes no byte.
    common::assert_generate_is_stable(&root);
}

#[test]
fn hello() {
    check("hello");
}

#[test]
fn arg_tool() {
    check("arg-tool");
}

#[test]
fn resource_template() {
    check("resource-template");
}

#[test]
fn prompt() {
    check("prompt");
}

#[test]
fn real_world() {
    check("real-world");
}

#[test]
fn mcp_tools() {
    check("mcp-tools");
}

#[test]
fn auth_jwt() {
    check("auth-jwt");
}

#[test]
fn auth_dev() {
    check("auth-dev");
}
