//! Tool names: from `x-mcp-name`, else `operationId`, else method and path;
//! only `A-Z a-z 0-9 _ - .`; at most 64 characters, a longer name keeping
//! its start and ending in a stable short hash of the whole; unique.

use crate::generate::names::MAX_TOOL_NAME;
use sha2::{Digest, Sha256};

/// A short, stable hash of `s` (8 hex digits).
pub fn short_hash(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `s` with every character outside `A-Z a-z 0-9 _ - .` turned into `_`,
/// runs of `_` collapsed and `_` trimmed at both ends.
pub fn clean(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '-' | '.') {
            c
        } else {
            '_'
        };
        if c == '_' && (out.is_empty() || out.ends_with('_')) {
            continue;
        }
        out.push(c);
    }
    out.trim_end_matches('_').to_string()
}

/// The name an operation asks for before cleaning: `GET /pets/{id}` → `get_pets_id`.
pub fn from_method_path(method: &str, path: &str) -> String {
    format!(
        "{}_{}",
        method.to_ascii_lowercase(),
        path.replace(['{', '}'], "")
    )
}

/// At most `max` characters: the start, `_`, and a hash of the whole.
pub fn shorten(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_string();
    }
    let hash = short_hash(name);
    let keep = max - hash.len() - 1;
    let start: String = name.chars().take(keep).collect();
    format!("{}_{hash}", start.trim_end_matches(['_', '-', '.']))
}

/// Makes `requested` a legal, unique tool name; says why if it changed.
pub fn tool_name(requested: &str, taken: &mut Vec<String>) -> (String, Option<String>) {
    let mut name = clean(requested);
    if name.is_empty() {
        name = format!("tool_{}", short_hash(requested));
    }
    let mut why = Vec::new();
    if name != requested {
        why.push("characters outside A-Z a-z 0-9 _ - . became `_`");
    }
    if name.len() > MAX_TOOL_NAME {
        name = shorten(&name, MAX_TOOL_NAME);
        why.push("longer than 64 characters, so it was cut and given a hash of the full name");
    }
    if taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        let base = name.clone();
        let mut n = 2;
        loop {
            let suffix = format!("_{n}");
            let candidate = format!("{}{suffix}", shorten(&base, MAX_TOOL_NAME - suffix.len()));
            if !taken.iter().any(|t| t.eq_ignore_ascii_case(&candidate)) {
                name = candidate;
                break;
            }
            n += 1;
        }
        why.push("another tool already had that name");
    }
    taken.push(name.clone());
    let note = (!why.is_empty())
        .then(|| format!("`{requested}` became tool `{name}`: {}", why.join("; ")));
    (name, note)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let mut taken = Vec::new();
        assert_eq!(tool_name("repos/get", &mut taken).0, "repos_get");
        assert_eq!(tool_name("repos/get", &mut taken).0, "repos_get_2");
        let long = "x".repeat(100);
        let (n, note) = tool_name(&long, &mut taken);
        assert_eq!(n.len(), 64);
        assert!(note.is_some());
        assert_eq!(
            tool_name(&from_method_path("GET", "/pets/{id}"), &mut taken).0,
            "get_pets_id"
        );
    }
}
