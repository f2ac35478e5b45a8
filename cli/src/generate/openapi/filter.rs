//! Which operations become tools: tags, path globs, methods, `x-mcp: false`,
//! and an explicit list of operations (`add-tool --operation`).

use super::operations::Operation;
pub use crate::generate::model::Filters;

/// The matching half of [`Filters`] (the value lives in the generator's
/// model, which knows nothing of operations).
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
