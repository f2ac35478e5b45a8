//! Resource templates: RFC 6570 URI templates, matched against URIs to pull
//! out their variables.

use super::Completer;
use crate::handler::{ErasedHandler, ResourceKind};
use crate::protocol::{Annotations, Icon};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// A URI template that can match URIs (RFC 6570 levels 1 to 3: `{var}`,
/// `{+var}`, `{#var}`, `{/var}`, `{?a,b}`, `{&a}`).
///
/// ```
/// use mcp_runtime::registry::UriTemplate;
/// let t = UriTemplate::parse("files://{category}/{filename}").unwrap();
/// let vars = t.matches("files://docs/readme.md").unwrap();
/// assert_eq!(vars["category"], "docs");
/// assert_eq!(vars["filename"], "readme.md");
/// assert!(t.matches("files://docs").is_none());
/// ```
#[derive(Debug, Clone)]
pub struct UriTemplate {
    source: String,
    regex: regex::Regex,
    /// For each capture group: the variable it fills, or the query variables it holds.
    groups: Vec<Group>,
}

#[derive(Debug, Clone)]
enum Group {
    Var(String),
    Query(Vec<String>),
}

impl UriTemplate {
    /// Parses a template; the error says what is wrong with it.
    pub fn parse(template: &str) -> Result<Self, String> {
        let mut pattern = String::from("^");
        let mut groups = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            pattern.push_str(&regex::escape(&rest[..open]));
            let after = &rest[open + 1..];
            let close = after
                .find('}')
                .ok_or_else(|| format!("unclosed '{{' in URI template {template:?}"))?;
            let expr = &after[..close];
            rest = &after[close + 1..];
            let (op, vars) = match expr.chars().next() {
                Some(c @ ('+' | '#' | '/' | '?' | '&' | '.' | ';')) => (Some(c), &expr[1..]),
                Some(_) => (None, expr),
                None => {
                    return Err(format!(
                        "empty expression '{{}}' in URI template {template:?}"
                    ))
                }
            };
            let names: Vec<String> = vars
                .split(',')
                .map(|v| {
                    v.trim_end_matches('*')
                        .split(':')
                        .next()
                        .unwrap_or("")
                        .to_string()
                })
                .collect();
            if names.iter().any(|n| {
                n.is_empty()
                    || !n
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '%')
            }) {
                return Err(format!(
                    "bad variable name in '{{{expr}}}' of URI template {template:?}"
                ));
            }
            match op {
                None | Some('+') | Some('#') | Some('.') | Some('/') | Some(';') => {
                    let (prefix, sep, class) = match op {
                        None => ("", ",", "[^/?#,]+"),
                        Some('+') => ("", ",", "[^?#]+"),
                        Some('#') => ("#", ",", ".+"),
                        Some('.') => (".", ".", "[^/?#.]+"),
                        Some('/') => ("/", "/", "[^/?#]+"),
                        _ => (";", ";", "[^/?#;]+"),
                    };
                    pattern.push_str(&regex::escape(prefix));
                    for (i, name) in names.iter().enumerate() {
                        if i > 0 {
                            pattern.push_str(&regex::escape(sep));
                        }
                        if op == Some(';') {
                            pattern.push_str(&regex::escape(&format!("{name}=")));
                        }
                        pattern.push_str(&format!("({class})"));
                        groups.push(Group::Var(name.clone()));
                    }
                }
                _ => {
                    pattern.push_str(r"(?:[?&]([^#]*))?");
                    groups.push(Group::Query(names));
                }
            }
        }
        if rest.contains('}') {
            return Err(format!("unmatched '}}' in URI template {template:?}"));
        }
        pattern.push_str(&regex::escape(rest));
        pattern.push('$');
        let regex =
            regex::Regex::new(&pattern).map_err(|e| format!("URI template {template:?}: {e}"))?;
        Ok(UriTemplate {
            source: template.to_string(),
            regex,
            groups,
        })
    }

    /// The template text.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The variable names, in order.
    pub fn variables(&self) -> Vec<&str> {
        self.groups
            .iter()
            .flat_map(|g| match g {
                Group::Var(v) => vec![v.as_str()],
                Group::Query(vs) => vs.iter().map(String::as_str).collect(),
            })
            .collect()
    }

    /// The variables of `uri`, percent-decoded, if it matches.
    pub fn matches(&self, uri: &str) -> Option<HashMap<String, String>> {
        let caps = self.regex.captures(uri)?;
        let mut vars = HashMap::new();
        for (i, group) in self.groups.iter().enumerate() {
            let Some(m) = caps.get(i + 1) else { continue };
            match group {
                Group::Var(name) => {
                    vars.insert(name.clone(), decode(m.as_str()));
                }
                Group::Query(names) => {
                    for pair in m.as_str().split('&') {
                        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                        if names.iter().any(|n| n == k) {
                            vars.insert(k.to_string(), decode(v));
                        }
                    }
                }
            }
        }
        Some(vars)
    }
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// A registered resource template.
pub(crate) struct TemplateEntry {
    pub template: UriTemplate,
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub mime_type: Option<String>,
    pub annotations: Option<Annotations>,
    pub icons: Vec<Icon>,
    pub meta: Option<Map<String, Value>>,
    /// Scopes a caller's token needs to see and use it (`.scopes()`).
    pub required_scopes: Vec<String>,
    pub handler: ErasedHandler<ResourceKind>,
    pub completers: HashMap<String, Completer>,
}

impl TemplateEntry {
    /// The template as `resources/templates/list` shows it.
    pub fn descriptor(&self) -> Value {
        let mut d = Map::new();
        d.insert("uriTemplate".into(), json!(self.template.as_str()));
        d.insert("name".into(), json!(self.name));
        super::resource::insert_common(
            &mut d,
            &self.title,
            &self.description,
            &self.mime_type,
            &self.annotations,
            &self.icons,
            &self.meta,
        );
        Value::Object(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators() {
        let t = UriTemplate::parse("repo://{owner}/{+path}{?ref}").unwrap();
        let v = t.matches("repo://me/src/lib.rs?ref=main").unwrap();
        assert_eq!(
            (v["owner"].as_str(), v["path"].as_str(), v["ref"].as_str()),
            ("me", "src/lib.rs", "main")
        );
        let v = t.matches("repo://me/a%20b").unwrap();
        assert_eq!(v["path"], "a b");
        assert!(!v.contains_key("ref"));
        let t = UriTemplate::parse("users://{user_id}/profile").unwrap();
        assert_eq!(t.matches("users://42/profile").unwrap()["user_id"], "42");
        assert!(t.matches("users://42/x/profile").is_none());
        assert!(UriTemplate::parse("bad://{x").is_err());
        assert!(UriTemplate::parse("bad://{}").is_err());
    }
}
