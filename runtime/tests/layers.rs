//! The runtime's layers keep their one-way arrows (DESIGN.md, "The runtime, as
//! layers"): server → transport → dispatch → registry → handler → protocol.
//! A `use` that points up the stack fails here, naming the file and the line,
//! before it can grow into a cycle.

use std::fs;
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, recursively.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("readable source folder") {
            let path = entry.expect("readable entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The lines of the layer's code (not its doc comments or unit tests) that
/// name a module the layer must not reach.
fn reaches_up(layer: &str, forbidden: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(layer);
    let mut hits = Vec::new();
    for file in sources(&root) {
        let text = fs::read_to_string(&file).expect("readable source");
        // Unit tests may build a whole server; the layer's code may not.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (n, line) in code.lines().enumerate() {
            let line = line.trim_start();
            if line.starts_with("//") {
                continue;
            }
            for module in forbidden {
                if line.contains(module) {
                    hits.push(format!("{}:{}: {line}", file.display(), n + 1));
                }
            }
        }
    }
    hits
}

#[test]
fn the_handler_layer_never_reaches_dispatch_server_or_registry() {
    let hits = reaches_up(
        "handler",
        &[
            "crate::dispatch",
            "crate::server",
            "crate::registry",
            "crate::transport",
            "crate::Server",
            "crate::Service",
        ],
    );
    assert!(hits.is_empty(), "handler/ reaches up:\n{}", hits.join("\n"));
}

#[test]
fn the_transport_layer_never_reaches_the_server_builder() {
    let hits = reaches_up(
        "transport",
        &[
            "crate::server",
            "crate::Server",
            "crate::Service",
            "crate::ServerHandle",
            "crate::registry",
            // The registry behind the dispatch core: ask dispatch instead.
            ".registry()",
        ],
    );
    assert!(
        hits.is_empty(),
        "transport/ reaches up:\n{}",
        hits.join("\n")
    );
}

#[test]
fn dispatch_and_registry_never_reach_transport_or_server() {
    for layer in ["dispatch", "registry"] {
        let hits = reaches_up(
            layer,
            &[
                "crate::server",
                "crate::transport",
                "crate::Server",
                "crate::Service",
            ],
        );
        assert!(hits.is_empty(), "{layer}/ reaches up:\n{}", hits.join("\n"));
    }
}

#[test]
fn protocol_is_a_leaf() {
    let hits = reaches_up(
        "protocol",
        &[
            "crate::handler",
            "crate::dispatch",
            "crate::registry",
            "crate::server",
            "crate::transport",
            "crate::context",
        ],
    );
    assert!(
        hits.is_empty(),
        "protocol/ reaches up:\n{}",
        hits.join("\n")
    );
}
