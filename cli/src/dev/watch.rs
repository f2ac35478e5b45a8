//! Watching the project's sources: `src/`, `schemas/`, `openapi/` and
//! `Cargo.toml`, debounced, so one save (or a burst of them) is one rebuild.

use super::error::DevError;
use notify_debouncer_full::notify::event::{AccessKind, AccessMode, EventKind};
use notify_debouncer_full::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::mpsc;

/// How long the files must stay quiet before a change is reported.
const QUIET: Duration = Duration::from_millis(300);

/// The folders watched recursively, when they exist.
const FOLDERS: &[&str] = &["src", "schemas", "openapi"];

/// Watches while alive.
pub struct Watcher {
    _debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
}

/// Starts watching the project at `root`; each item received is a batch of
/// changed paths.
pub fn watch(root: &Path) -> Result<(Watcher, mpsc::UnboundedReceiver<Vec<PathBuf>>), DevError> {
    let (sender, receiver) = mpsc::unbounded_channel();
    let manifest = root.join("Cargo.toml");
    let handler = {
        let manifest = manifest.clone();
        let root = root.to_path_buf();
        move |result: DebounceEventResult| {
            let Ok(events) = result else { return };
            let mut changed: Vec<PathBuf> = events
                .into_iter()
                .filter(|e| changes_content(&e.kind))
                .flat_map(|e| e.event.paths)
                .filter(|p| relevant(&root, &manifest, p))
                .collect();
            changed.dedup();
            if !changed.is_empty() {
                // The receiver is gone only while shutting down.
                let _ = sender.send(changed);
            }
        }
    };
    let mut debouncer = new_debouncer(QUIET, None, handler).map_err(|source| DevError::Watch {
        path: root.to_path_buf(),
        source,
    })?;
    let mut add = |path: &Path, mode| {
        debouncer
            .watch(path, mode)
            .map_err(|source| DevError::Watch {
                path: path.to_path_buf(),
                source,
            })
    };
    for folder in FOLDERS {
        let path = root.join(folder);
        if path.is_dir() {
            add(&path, RecursiveMode::Recursive)?;
        }
    }
    // The folder, not the file: editors that save by renaming replace the
    // file, and a watch on the file itself would be lost.
    add(root, RecursiveMode::NonRecursive)?;
    Ok((
        Watcher {
            _debouncer: debouncer,
        },
        receiver,
    ))
}

/// Whether an event may have changed a file: not a mere read (cargo opening
/// Cargo.toml and the sources while building must not start another build).
fn changes_content(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// Whether a change to `path` calls for a rebuild: the manifest, or a file
/// under a watched folder that is not an editor's scratch file.
fn relevant(root: &Path, manifest: &Path, path: &Path) -> bool {
    if path == manifest {
        return true;
    }
    let Ok(inside) = path.strip_prefix(root) else {
        return false;
    };
    let in_folder = inside
        .components()
        .next()
        .is_some_and(|first| FOLDERS.iter().any(|f| first.as_os_str() == *f));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let scratch = name.starts_with(".#")
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name == "4913";
    in_folder && !scratch
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sources_and_the_manifest_count() {
        let root = Path::new("/p");
        let manifest = root.join("Cargo.toml");
        let yes = [
            "/p/Cargo.toml",
            "/p/src/tools/hello.rs",
            "/p/schemas/a.json",
            "/p/openapi/x.yaml",
        ];
        let no = [
            "/p/Cargo.lock",
            "/p/target/debug/x",
            "/p/src/.hello.rs.swp",
            "/p/src/a.rs~",
            "/q/src/a.rs",
            "/p/README.md",
        ];
        for p in yes {
            assert!(relevant(root, &manifest, Path::new(p)), "{p}");
        }
        for p in no {
            assert!(!relevant(root, &manifest, Path::new(p)), "{p}");
        }
    }

    #[tokio::test]
    async fn a_saved_file_is_reported_once_debounced() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = std::fs::canonicalize(dir.path()).expect("canonical");
        std::fs::create_dir(root.join("src")).expect("src");
        std::fs::write(root.join("Cargo.toml"), "").expect("manifest");
        let (_watcher, mut changes) = watch(&root).expect("watch");
        std::fs::write(root.join("src/lib.rs"), "// 1").expect("write");
        std::fs::write(root.join("src/lib.rs"), "// 2").expect("write");
        std::fs::write(root.join("notes.txt"), "x").expect("write");
        let batch = tokio::time::timeout(Duration::from_secs(10), changes.recv())
            .await
            .expect("a change within 10 s")
            .expect("a batch");
        assert_eq!(batch, [root.join("src/lib.rs")]);
        // Reading a watched file (as cargo does while building) is no change.
        std::fs::read_to_string(root.join("Cargo.toml")).expect("read");
        std::fs::read_to_string(root.join("src/lib.rs")).expect("read");
        let quiet = tokio::time::timeout(Duration::from_secs(2), changes.recv()).await;
        assert!(quiet.is_err(), "a read was taken for a change: {quiet:?}");
    }
}
