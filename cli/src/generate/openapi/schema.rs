//! One tool's schema, self-contained: every `$ref` (local or into another
//! file) becomes a `$defs` entry with a local reference, so recursive types
//! stay recursive without ever being expanded; OpenAPI's dialect (`nullable`,
//! boolean `exclusiveMinimum`, `type: file`, `example`, `discriminator`,
//! `x-*`) becomes JSON Schema 2020-12; `allOf`s of objects are merged.

use super::error::OpenApiError;
use super::source::{escape, Located, Sources};
use serde_json::{json, Map, Value};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Nesting deeper than this (inline, not through `$ref`s) is cut to `{}`.
const MAX_DEPTH: usize = 64;

/// Keywords whose value is a map of schemas.
const SCHEMA_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];
/// Keywords whose value is a schema.
const SCHEMA_ONE: &[&str] = &[
    "items",
    "additionalProperties",
    "additionalItems",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
];
/// Keywords whose value is a list of schemas.
const SCHEMA_LISTS: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];
/// OpenAPI-only or identity keywords that would confuse a JSON Schema validator or a model.
const DROPPED: &[&str] = &[
    "example",
    "xml",
    "externalDocs",
    "discriminator",
    "$id",
    "id",
    "$schema",
    "nullable",
    "$recursiveAnchor",
    "$dynamicAnchor",
    "$anchor",
];

/// Builds self-contained schemas for one tool; `$defs` are shared between the
/// schemas built with the same bundler.
pub struct Bundler<'a> {
    sources: &'a Sources,
    defs: Map<String, Value>,
    names: HashMap<(PathBuf, String), String>,
    in_progress: HashSet<String>,
    /// The `$defs` being built, innermost last (`$recursiveRef` points to one).
    stack: Vec<String>,
    /// Places where nesting was cut, as JSON pointers.
    pub cut: Vec<String>,
}

impl<'a> Bundler<'a> {
    /// A bundler with no `$defs` yet.
    pub fn new(sources: &'a Sources) -> Self {
        Bundler {
            sources,
            defs: Map::new(),
            names: HashMap::new(),
            in_progress: HashSet::new(),
            stack: Vec::new(),
            cut: Vec::new(),
        }
    }

    /// The schema at `node`; a `$ref` at its top is followed and inlined (so
    /// callers can see its properties), every other `$ref` becomes `$defs`.
    pub fn inline(&mut self, node: &Located) -> Result<Value, OpenApiError> {
        let node = self.sources.deref(node.clone())?;
        self.walk(&node.file, &node.pointer, &node.value, 0)
    }

    /// Attaches the `$defs` that `schema` reaches (transitively).
    pub fn finish(&self, mut schema: Value) -> Value {
        let mut used = BTreeSet::new();
        let mut stack = vec![schema.clone()];
        while let Some(v) = stack.pop() {
            let mut refs = Vec::new();
            local_refs(&v, &mut refs);
            for r in refs {
                if used.insert(r.clone()) {
                    if let Some(d) = self.defs.get(&r) {
                        stack.push(d.clone());
                    }
                }
            }
        }
        if !used.is_empty() {
            if let Value::Object(map) = &mut schema {
                let defs: Map<String, Value> = self
                    .defs
                    .iter()
                    .filter(|(k, _)| used.contains(*k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                map.insert("$defs".into(), Value::Object(defs));
            }
        }
        schema
    }

    fn def_for(&mut self, file: &Path, at: &str, reference: &str) -> Result<String, OpenApiError> {
        let target = self.sources.resolve(file, at, reference)?;
        let key = (target.file.clone(), target.pointer.clone());
        if let Some(name) = self.names.get(&key) {
            return Ok(name.clone());
        }
        let stem = match target.pointer.rsplit('/').next().filter(|s| !s.is_empty()) {
            Some(last) => last.replace("~1", "/").replace("~0", "~"),
            None => target
                .file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "schema".into()),
        };
        let mut base: String = stem
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if base.is_empty() {
            base = "schema".into();
        }
        let taken: HashSet<&String> = self.names.values().collect();
        let mut name = base.clone();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        self.names.insert(key, name.clone());
        self.in_progress.insert(name.clone());
        self.stack.push(name.clone());
        let body = self
            .sources
            .deref(target)
            .and_then(|node| self.walk(&node.file, &node.pointer, &node.value, 0));
        self.stack.pop();
        self.in_progress.remove(&name);
        let body = body?;
        self.defs.insert(name.clone(), body);
        Ok(name)
    }

    fn walk(
        &mut self,
        file: &Path,
        at: &str,
        value: &Value,
        depth: usize,
    ) -> Result<Value, OpenApiError> {
        let Value::Object(map) = value else {
            // `true`, `false`, or something that is not a schema: keep booleans, loosen the rest.
            return Ok(if value.is_boolean() {
                value.clone()
            } else {
                json!({})
            });
        };
        if depth > MAX_DEPTH {
            self.cut.push(format!("{}#{at}", file.display()));
            return Ok(json!({}));
        }
        let mut out = Map::new();
        for (key, v) in map {
            let here = format!("{at}/{}", escape(key));
            if DROPPED.contains(&key.as_str()) || key.starts_with("x-") {
                continue;
            }
            let converted = if key == "$recursiveRef" || key == "$dynamicRef" {
                // 2019-09/2020-12 dynamic references: in practice they point to the
                // schema being defined; anything else is loosened.
                if let Some(def) = self.stack.last() {
                    out.insert("$ref".into(), json!(format!("#/$defs/{def}")));
                }
                continue;
            } else if key == "pattern" {
                match v.as_str() {
                    Some(p) => json!(literal_braces(p)),
                    None => continue,
                }
            } else if key == "$ref" {
                match v.as_str() {
                    Some(r) => json!(format!("#/$defs/{}", self.def_for(file, &here, r)?)),
                    None => continue,
                }
            } else if SCHEMA_MAPS.contains(&key.as_str()) {
                let Value::Object(m) = v else { continue };
                let mut o = Map::new();
                for (k, s) in m {
                    o.insert(
                        k.clone(),
                        self.walk(file, &format!("{here}/{}", escape(k)), s, depth + 1)?,
                    );
                }
                if key == "definitions" || key == "$defs" {
                    // Inline definitions reached only through `$ref`s, which already became `$defs`.
                    continue;
                }
                Value::Object(o)
            } else if SCHEMA_ONE.contains(&key.as_str()) {
                match v {
                    Value::Array(items) if key == "items" => {
                        let mut list = Vec::new();
                        for (i, s) in items.iter().enumerate() {
                            list.push(self.walk(file, &format!("{here}/{i}"), s, depth + 1)?);
                        }
                        out.insert("prefixItems".into(), Value::Array(list));
                        continue;
                    }
                    Value::Object(_) | Value::Bool(_) => self.walk(file, &here, v, depth + 1)?,
                    _ => continue,
                }
            } else if SCHEMA_LISTS.contains(&key.as_str()) {
                let Value::Array(items) = v else { continue };
                let mut list = Vec::new();
                for (i, s) in items.iter().enumerate() {
                    list.push(self.walk(file, &format!("{here}/{i}"), s, depth + 1)?);
                }
                Value::Array(list)
            } else if key == "type" && v == "file" {
                out.insert("format".into(), json!("binary"));
                json!("string")
            } else if key == "required" && !v.is_array() {
                // Swagger-style `required: true` on a property: not JSON Schema.
                continue;
            } else {
                v.clone()
            };
            out.insert(key.clone(), converted);
        }
        openapi_dialect(map, &mut out);
        self.merge_all_of(&mut out);
        well_formed(&mut out);
        Ok(Value::Object(out))
    }

    /// Merges `allOf` members that are plain object schemas into the schema
    /// itself; members that are recursive or use composition stay as they are.
    fn merge_all_of(&self, out: &mut Map<String, Value>) {
        let Some(Value::Array(members)) = out.get("allOf") else {
            return;
        };
        let mut resolved = Vec::new();
        for m in members {
            let m = match m
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/$defs/"))
            {
                Some(name) if !self.in_progress.contains(name) => match self.defs.get(name) {
                    Some(d) if m.as_object().is_some_and(|o| o.len() == 1) => d.clone(),
                    _ => return,
                },
                Some(_) => return,
                None => m.clone(),
            };
            let Value::Object(o) = m else { return };
            let mergeable = !o.keys().any(|k| {
                matches!(
                    k.as_str(),
                    "$ref" | "oneOf" | "anyOf" | "not" | "if" | "allOf" | "patternProperties"
                )
            }) && o.get("type").is_none_or(|t| t == "object");
            if !mergeable {
                return;
            }
            resolved.push(o);
        }
        out.remove("allOf");
        for o in resolved {
            for (k, v) in o {
                match (k.as_str(), out.get_mut(&k)) {
                    ("properties", Some(Value::Object(existing))) => {
                        if let Value::Object(more) = v {
                            for (pk, pv) in more {
                                existing.entry(pk).or_insert(pv);
                            }
                        }
                    }
                    ("required", Some(Value::Array(existing))) => {
                        if let Value::Array(more) = v {
                            for r in more {
                                if !existing.contains(&r) {
                                    existing.push(r);
                                }
                            }
                        }
                    }
                    (_, Some(_)) => {}
                    (_, None) => {
                        out.insert(k, v);
                    }
                }
            }
        }
        if out.contains_key("properties") && !out.contains_key("type") {
            out.insert("type".into(), json!("object"));
        }
    }
}

/// `nullable` and boolean `exclusiveMinimum`/`exclusiveMaximum` (OpenAPI 3.0,
/// and found in some 3.1 documents) in 2020-12 terms.
fn openapi_dialect(original: &Map<String, Value>, out: &mut Map<String, Value>) {
    if original.get("nullable") == Some(&Value::Bool(true)) {
        match out.get_mut("type") {
            Some(Value::String(t)) => {
                let t = t.clone();
                out.insert("type".into(), json!([t, "null"]));
            }
            Some(Value::Array(types)) if !types.contains(&json!("null")) => {
                types.push(json!("null"))
            }
            _ => {}
        }
        if let Some(Value::Array(values)) = out.get_mut("enum") {
            if !values.contains(&Value::Null) {
                values.push(Value::Null);
            }
        }
    }
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(Value::Bool(b)) = out.get(exclusive) {
            let b = *b;
            out.remove(exclusive);
            if b {
                if let Some(n) = out.remove(bound) {
                    out.insert(exclusive.into(), n);
                }
            }
        }
    }
}

/// Escapes `{` and `}` that are not part of a `{n}`, `{n,}` or `{n,m}`
/// quantifier: ECMAScript reads them as literals, stricter engines refuse them.
pub fn literal_braces(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let (mut i, mut in_class) = (0, false);
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                out.push(c);
                if let Some(n) = chars.get(i + 1) {
                    out.push(*n);
                }
                i += 2;
                continue;
            }
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '{' if !in_class => {
                let close = chars[i + 1..]
                    .iter()
                    .position(|c| *c == '}')
                    .map(|p| i + 1 + p);
                let quantifier = close.is_some_and(|e| {
                    let inner: String = chars[i + 1..e].iter().collect();
                    let mut parts = inner.splitn(2, ',');
                    let first = parts.next().unwrap_or("");
                    !first.is_empty()
                        && first.chars().all(|c| c.is_ascii_digit())
                        && parts
                            .next()
                            .is_none_or(|m| m.chars().all(|c| c.is_ascii_digit()))
                });
                if let (true, Some(e)) = (quantifier, close) {
                    out.extend(&chars[i..=e]);
                    i = e + 1;
                    continue;
                }
                out.push_str("\\{");
                i += 1;
                continue;
            }
            '}' if !in_class => {
                out.push_str("\\}");
                i += 1;
                continue;
            }
            _ => {}
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Repairs what real documents get wrong and a validator refuses to compile
/// (which would stop the whole server): duplicate `required` or `type`
/// entries, unknown type names.
fn well_formed(out: &mut Map<String, Value>) {
    const TYPES: &[&str] = &[
        "null", "boolean", "object", "array", "number", "string", "integer",
    ];
    for key in ["required", "type"] {
        if let Some(Value::Array(items)) = out.get_mut(key) {
            let mut seen = Vec::new();
            items.retain(|v| {
                let keep = v.is_string()
                    && !seen.contains(v)
                    && (key != "type" || TYPES.contains(&v.as_str().unwrap_or("")));
                if keep {
                    seen.push(v.clone());
                }
                keep
            });
        }
    }
    match out.get("type") {
        Some(Value::String(t)) if !TYPES.contains(&t.as_str()) => {
            out.remove("type");
        }
        Some(Value::Array(a)) if a.is_empty() => {
            out.remove("type");
        }
        Some(Value::String(_)) | Some(Value::Array(_)) | None => {}
        Some(_) => {
            out.remove("type");
        }
    }
    if out.get("required").is_some_and(|r| !r.is_array()) {
        out.remove("required");
    }
}

fn local_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "$ref" {
                    if let Some(name) = v.as_str().and_then(|r| r.strip_prefix("#/$defs/")) {
                        out.push(name.to_string());
                    }
                } else if k != "$defs" {
                    local_refs(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| local_refs(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(doc: Value) -> Sources {
        let mut s = Sources {
            root: PathBuf::from("/api.json"),
            ..Default::default()
        };
        s.docs.insert(s.root.clone(), doc);
        s
    }

    #[test]
    fn recursion_becomes_local_defs() {
        let s = sources(json!({"components": {"schemas": {
            "Node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}}
        }}}));
        let mut b = Bundler::new(&s);
        let root = Located {
            file: s.root.clone(),
            pointer: String::new(),
            value: json!({"$ref": "#/components/schemas/Node"}),
        };
        let v = b.inline(&root).unwrap();
        let v = b.finish(v);
        assert_eq!(v["properties"]["children"]["items"]["$ref"], "#/$defs/Node");
        assert_eq!(
            v["$defs"]["Node"]["properties"]["children"]["items"]["$ref"],
            "#/$defs/Node"
        );
    }

    #[test]
    fn braces_become_literal_unless_quantifiers() {
        assert_eq!(literal_braces("^{[0-9]{4}}$"), "^\\{[0-9]{4}\\}$");
        assert_eq!(literal_braces("a{2,}[{}]\\{"), "a{2,}[{}]\\{");
    }

    #[test]
    fn all_of_and_nullable() {
        let s = sources(json!({"components": {"schemas": {
            "Base": {"type": "object", "properties": {"id": {"type": "integer", "nullable": true}}, "required": ["id"]},
        }}}));
        let mut b = Bundler::new(&s);
        let root = Located {
            file: s.root.clone(),
            pointer: String::new(),
            value: json!({"allOf": [
                {"$ref": "#/components/schemas/Base"},
                {"type": "object", "properties": {"name": {"type": "string", "example": "x"}}}
            ]}),
        };
        let v = b.inline(&root).unwrap();
        let v = b.finish(v);
        assert_eq!(v["properties"]["id"]["type"], json!(["integer", "null"]));
        assert_eq!(v["properties"]["name"], json!({"type": "string"}));
        assert_eq!(v["required"], json!(["id"]));
        assert!(v.get("$defs").is_none(), "{v}");
    }
}
