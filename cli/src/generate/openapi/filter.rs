//! Which operations become tools: tags, path globs, methods, `x-mcp: false`,
//! and an explicit list of operations (`add-tool --operation`).

use super::operations::Operation;

/// The filters, as given on the command line and kept in the metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Keep operations with one of these tags (all when empty).
    pub include_tags: Vec<String>,
    /// Drop operations with one of these tags.
    pub exclude_tags: Vec<String>,
    /// Keep operations whose path matches one of these globs (all when empty).
    pub include_paths: Vec<String>,
    /// Drop operations whose path matches one of these globs.
    pub exclude_paths: Vec<String>,
    /// Keep only these methods (all when empty).
    pub methods: Vec<String>,
    /// Keep only these operations, by operationId or `METHOD /path` (all when empty).
    pub operations: Vec<String>,
}

impl Filters {
    /// Whether `op` passes.
    pub fn keeps(&self, op: &Operation) -> bool {
        if op.x_mcp == Some(false) {
            return false;
        }
        if !self.operations.is_empty() {
            let key = format!("{} {}", op.method.to_ascii_uppercase(), op.path);
            return self.operations.iter().any(|o| {
                Some(o.as_str()) == op.operation_id.as_deref() || o.eq_ignore_ascii_case(&key)
            });
        }
        let tagged = |list: &[String]| {
            op.tags
                .iter()
                .any(|t| list.iter().any(|l| l.eq_ignore_ascii_case(t)))
        };
        (self.include_tags.is_empty() || tagged(&self.include_tags))
            && !tagged(&self.exclude_tags)
            && (self.include_paths.is_empty()
                || self.include_paths.iter().any(|g| glob(g, &op.path)))
            && !self.exclude_paths.iter().any(|g| glob(g, &op.path))
            && (self.methods.is_empty()
                || self
                    .methods
                    .iter()
                    .any(|m| m.eq_ignore_ascii_case(&op.method)))
    }

    /// Whether any filter is set.
    pub fn is_empty(&self) -> bool {
        self == &Filters::default()
    }
}

/// Matches a path against a glob: `*` is any run of characters but `/`,
/// `**` any run including `/`, `?` one character but `/`.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Iterative matcher with memo: (pi, ti) pairs already known to fail.
    let mut failed = std::collections::HashSet::new();
    fn go(
        p: &[char],
        t: &[char],
        pi: usize,
        ti: usize,
        failed: &mut std::collections::HashSet<(usize, usize)>,
    ) -> bool {
        if failed.contains(&(pi, ti)) {
            return false;
        }
        let ok = if pi == p.len() {
            ti == t.len()
        } else if p[pi] == '*' {
            let double = p.get(pi + 1) == Some(&'*');
            let next = if double { pi + 2 } else { pi + 1 };
            let mut i = ti;
            loop {
                if go(p, t, next, i, failed) {
                    break true;
                }
                if i == t.len() || (!double && t[i] == '/') {
                    break false;
                }
                i += 1;
            }
        } else if ti < t.len() && (p[pi] == t[ti] || (p[pi] == '?' && t[ti] != '/')) {
            go(p, t, pi + 1, ti + 1, failed)
        } else {
            false
        };
        if !ok {
            failed.insert((pi, ti));
        }
        ok
    }
    go(&p, &t, 0, 0, &mut failed)
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs() {
        assert!(glob("/pets/*", "/pets/{id}"));
        assert!(!glob("/pets/*", "/pets/{id}/photos"));
        assert!(glob("/pets/**", "/pets/{id}/photos"));
        assert!(glob("/repos/**", "/repos/{owner}/{repo}"));
        assert!(!glob("/users", "/users/{id}"));
    }
}
