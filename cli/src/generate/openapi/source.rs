//! Reading an OpenAPI document: JSON or YAML, the root file and every file
//! its relative `$ref`s reach (loaded up front, so resolving never does I/O),
//! and resolving a `$ref` to the file and JSON pointer it names.

use super::error::OpenApiError;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// A schema, parameter or other node together with the file it came from
/// (relative `$ref`s inside it resolve against that file).
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    /// The file holding the node.
    pub file: PathBuf,
    /// Where in that file, as a JSON pointer.
    pub pointer: String,
    /// The node.
    pub value: Value,
}

/// Every file of one document, parsed.
#[derive(Debug, Default)]
pub struct Sources {
    /// The root file.
    pub root: PathBuf,
    /// Files by normalized path, in load order.
    pub docs: BTreeMap<PathBuf, Value>,
}

/// Longest chain of `$ref`s to `$ref`s followed before giving up.
const MAX_REF_CHAIN: usize = 32;
/// Most files one document may pull in.
const MAX_FILES: usize = 256;

impl Sources {
    /// Loads `root` and every file reachable from it through relative `$ref`s.
    pub fn load(root: &Path) -> Result<Sources, OpenApiError> {
        Sources::load_with(root, &BTreeMap::new())
    }

    /// Like [`Sources::load`], but files in `overlay` (by absolute path) are
    /// read from there instead of the disk (copies not yet written).
    pub fn load_with(
        root: &Path,
        overlay: &BTreeMap<PathBuf, String>,
    ) -> Result<Sources, OpenApiError> {
        let root = normalize(&std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf()));
        let mut sources = Sources {
            root: root.clone(),
            docs: BTreeMap::new(),
        };
        let mut queue = vec![(root, None::<(PathBuf, String)>)];
        while let Some((file, from)) = queue.pop() {
            if sources.docs.contains_key(&file) {
                continue;
            }
            if sources.docs.len() >= MAX_FILES {
                return Err(OpenApiError::new(
                    &sources.root,
                    "",
                    format!("the document pulls in more than {MAX_FILES} files through `$ref`s"),
                ));
            }
            let read = match overlay.get(&file) {
                Some(text) => parse_document(&file, text),
                None => read_document(&file),
            };
            let doc = read.map_err(|e| match &from {
                Some((f, p)) => OpenApiError::new(
                    f,
                    p,
                    format!(
                        "this `$ref` names {}, which could not be read: {}",
                        file.display(),
                        e.message
                    ),
                ),
                None => e,
            })?;
            let mut refs = Vec::new();
            collect_file_refs(&doc, String::new(), &mut refs);
            for (pointer, reference) in refs {
                let target = join_ref_file(&file, &reference);
                if !sources.docs.contains_key(&target) {
                    queue.push((target, Some((file.clone(), pointer))));
                }
            }
            sources.docs.insert(file, doc);
        }
        Ok(sources)
    }

    /// The root document.
    pub fn root_doc(&self) -> &Value {
        &self.docs[&self.root]
    }

    /// The files loaded, root first.
    pub fn files(&self) -> Vec<PathBuf> {
        let mut files = vec![self.root.clone()];
        files.extend(self.docs.keys().filter(|k| **k != self.root).cloned());
        files
    }

    /// Resolves `reference` (as written in `file` at `at`) to its target.
    pub fn resolve(&self, file: &Path, at: &str, reference: &str) -> Result<Located, OpenApiError> {
        let (file_part, fragment) = match reference.split_once('#') {
            Some((f, p)) => (f, p),
            None => (reference, ""),
        };
        if file_part.contains("://") {
            return Err(OpenApiError::new(
                file,
                at,
                format!("`$ref: {reference}` points to another server; only local and relative file references are followed (download the file and refer to it by a relative path)"),
            ));
        }
        let target = if file_part.is_empty() {
            normalize(file)
        } else {
            join_ref_file(file, file_part)
        };
        let Some(doc) = self.docs.get(&target) else {
            return Err(OpenApiError::new(
                file,
                at,
                format!(
                    "`$ref: {reference}`: file {} was not loaded",
                    target.display()
                ),
            ));
        };
        let pointer = percent_decode(fragment);
        if !pointer.is_empty() && !pointer.starts_with('/') {
            return Err(OpenApiError::new(
                file,
                at,
                format!(
                    "`$ref: {reference}`: only JSON pointers (`#/...`) are supported as fragments"
                ),
            ));
        }
        let value = doc.pointer(&pointer).ok_or_else(|| {
            OpenApiError::new(
                file,
                at,
                format!(
                    "`$ref: {reference}` points to nothing (no `{pointer}` in {})",
                    target.display()
                ),
            )
        })?;
        Ok(Located {
            file: target,
            pointer,
            value: value.clone(),
        })
    }

    /// Follows `$ref`s until a node that is not one (parameters, bodies, responses).
    pub fn deref(&self, node: Located) -> Result<Located, OpenApiError> {
        let mut node = node;
        for _ in 0..MAX_REF_CHAIN {
            match node.value.get("$ref").and_then(Value::as_str) {
                Some(r) => {
                    let r = r.to_string();
                    node = self.resolve(&node.file, &format!("{}/$ref", node.pointer), &r)?;
                }
                None => return Ok(node),
            }
        }
        Err(OpenApiError::new(
            &node.file,
            &node.pointer,
            "a chain of `$ref`s that never ends (a cycle)",
        ))
    }
}

/// Reads one file as JSON or YAML.
pub fn read_document(path: &Path) -> Result<Value, OpenApiError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| OpenApiError::new(path, "", format!("cannot read the file: {e}")))?;
    parse_document(path, &text)
}

/// Parses JSON (when it looks like JSON) or YAML.
pub fn parse_document(path: &Path, text: &str) -> Result<Value, OpenApiError> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return serde_json::from_str(trimmed).map_err(|e| {
            OpenApiError::new(
                path,
                "",
                format!(
                    "invalid JSON at line {}, column {}: {e}",
                    e.line(),
                    e.column()
                ),
            )
        });
    }
    let value: Value = serde_yaml_ng::from_str(trimmed)
        .map_err(|e| OpenApiError::new(path, "", format!("invalid YAML: {e}")))?;
    Ok(value)
}

fn collect_file_refs(value: &Value, pointer: String, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let here = format!("{pointer}/{}", escape(k));
                if k == "$ref" {
                    if let Some(r) = v.as_str() {
                        let file = r.split('#').next().unwrap_or("");
                        if !file.is_empty() && !file.contains("://") {
                            out.push((here, file.to_string()));
                        }
                    }
                } else {
                    collect_file_refs(v, here, out);
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect_file_refs(v, format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Escapes one JSON pointer segment.
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn join_ref_file(from: &Path, file_part: &str) -> PathBuf {
    let base = from.parent().unwrap_or(Path::new("."));
    normalize(&base.join(percent_decode(file_part)))
}

/// Removes `.` and `..` without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let Some(Ok(b)) = s.get(i + 1..i + 3).map(|h| u8::from_str_radix(h, 16)) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
