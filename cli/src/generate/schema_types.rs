//! JSON Schema to Rust types with typify 0.8, guarded: typify panics or
//! errs on many real schemas, so every call runs under `catch_unwind`, and a
//! schema it cannot type becomes `serde_json::Value` with a warning that
//! names the schema feature at fault and where it is (a JSON pointer).

use serde_json::{Map, Value};
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

/// Rust types for one schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typed {
    /// Formatted Rust items (structs, enums, impls), without a header.
    pub code: String,
    /// The Rust type of the schema's root, as written in code (`Foo`, `Vec<Bar>`, `::serde_json::Value`).
    pub root: String,
    /// Crates the code needs.
    pub uses_chrono: bool,
    /// Whether the code needs `uuid`.
    pub uses_uuid: bool,
    /// Whether the code needs `regress`.
    pub uses_regress: bool,
    /// Whether the code itself defines a type named as the root was asked
    /// to be (so no alias to `root` is needed under that name).
    pub defines_root: bool,
}

/// The result of typing a schema: types, or a reason for the fallback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// typify produced types.
    Typed(Typed),
    /// typify could not: the schema is served as is and arrives as `serde_json::Value`.
    Fallback {
        /// Why, naming the schema feature and its JSON pointer.
        reason: String,
    },
}

thread_local! {
    static QUIET_PANICS: Cell<bool> = const { Cell::new(false) };
}

/// Installs (once) a panic hook that stays silent while typify runs on this thread.
fn install_quiet_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET_PANICS.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Types `schema` with typify, naming the root type `root_name` when typify
/// lets us. Never panics.
pub fn type_schema(schema: &Value, root_name: &str) -> Outcome {
    install_quiet_hook();
    QUIET_PANICS.with(|q| q.set(true));
    let result = catch_unwind(AssertUnwindSafe(|| run_typify(schema, root_name)));
    QUIET_PANICS.with(|q| q.set(false));
    let failure = match result {
        Ok(Ok(typed)) => return Outcome::Typed(typed),
        Ok(Err(message)) => first_line(&message).to_string(),
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".into());
            format!("typify panicked: {}", first_line(&message))
        }
    };
    let reason = match hard_feature_for(schema, &failure) {
        Some((feature, pointer)) => format!(
            "the schema uses {feature} at `{pointer}`, which typify 0.8 cannot type ({failure})"
        ),
        None => format!("typify 0.8 could not type it ({failure})"),
    };
    Outcome::Fallback { reason }
}

/// The first line of a message, at most 160 characters (typify's messages can dump whole schemas).
fn first_line(s: &str) -> &str {
    let line = s.lines().next().unwrap_or(s);
    match line.char_indices().nth(160) {
        Some((i, _)) => &line[..i],
        None => line,
    }
}

fn run_typify(schema: &Value, root_name: &str) -> Result<Typed, String> {
    let normalized = normalize(schema);
    let root: schemars::schema::RootSchema = serde_json::from_value(normalized)
        .map_err(|e| format!("not a schema typify reads: {e}"))?;
    let mut settings = typify::TypeSpaceSettings::default();
    settings.with_struct_builder(false);
    let mut space = typify::TypeSpace::new(&settings);
    space
        .add_ref_types(root.definitions.clone())
        .map_err(|e| e.to_string())?;
    let id = space
        .add_type_with_name(
            &schemars::schema::Schema::Object(root.schema.clone()),
            Some(root_name.to_string()),
        )
        .map_err(|e| e.to_string())?;
    let ty = space.get_type(&id).map_err(|e| e.to_string())?;
    let root_ident = ty.ident().to_string();
    let tokens = space.to_stream();
    let file = syn::parse2::<syn::File>(tokens)
        .map_err(|e| format!("typify produced code that does not parse: {e}"))?;
    check_names(&file)?;
    let defines_root = file.items.iter().any(|item| match item {
        syn::Item::Struct(s) => s.ident == root_name,
        syn::Item::Enum(e) => e.ident == root_name,
        syn::Item::Type(t) => t.ident == root_name,
        _ => false,
    });
    let code = prettyplease::unparse(&file);
    let root = syn::parse_str::<syn::Type>(&root_ident)
        .map(|t| prettyplease::unparse(&syn::parse_quote!(type T = #t;)))
        .map_err(|e| format!("typify's root type does not parse: {e}"))?;
    let root = root
        .trim()
        .trim_start_matches("type T = ")
        .trim_end_matches(';')
        .to_string();
    Ok(Typed {
        code,
        root,
        uses_chrono: space.uses_chrono(),
        uses_uuid: space.uses_uuid(),
        uses_regress: space.uses_regress(),
        defines_root,
    })
}

/// Rewrites 2020-12 spellings that schemars 0.8 does not read: `$defs`
/// becomes `definitions` (and `#/$defs/...` references follow).
fn normalize(schema: &Value) -> Value {
    let mut value = rewrite_refs(schema);
    if let Value::Object(map) = &mut value {
        if let Some(Value::Object(defs)) = map.remove("$defs") {
            let target = map
                .entry("definitions")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(target) = target {
                for (k, v) in defs {
                    target.entry(k).or_insert(v);
                }
            }
        }
    }
    value
}

fn rewrite_refs(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = match (k.as_str(), v) {
                        ("$ref", Value::String(r)) if r.starts_with("#/$defs/") => {
                            Value::String(r.replacen("#/$defs/", "#/definitions/", 1))
                        }
                        _ => rewrite_refs(v),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(rewrite_refs).collect()),
        other => other.clone(),
    }
}

/// The schema feature typify 0.8 most likely failed on, and the JSON
/// pointer where it appears: first whatever typify's message names, then
/// features in order of how often they defeat it.
pub fn hard_feature(schema: &Value) -> Option<(String, String)> {
    hard_feature_for(schema, "")
}

fn hard_feature_for(schema: &Value, failure: &str) -> Option<(String, String)> {
    type Check = fn(&str, &Value) -> Option<String>;
    let by_message: Option<Check> = if failure.contains("unique variant names") {
        Some(|k, v| {
            use heck::ToPascalCase;
            let values: Vec<String> = v
                .as_array()?
                .iter()
                .filter_map(|x| x.as_str().map(|s| s.to_pascal_case()))
                .collect();
            let mut sorted = values.clone();
            sorted.sort();
            sorted.dedup();
            (k == "enum" && sorted.len() < values.len())
                .then(|| "enum values that become the same Rust variant name".to_string())
        })
    } else {
        None
    };
    let checks: [Check; 6] = [
        |k, v| match (k, v.as_str()) {
            ("$ref", Some(r)) if !r.starts_with('#') => Some(format!("a remote `$ref` ({r})")),
            ("$ref", Some(r)) if r.matches('/').count() > 2 => {
                Some(format!("a `$ref` into a nested schema ({r})"))
            }
            ("$ref", Some("#")) => Some("a recursive `$ref` to the root".to_string()),
            ("$dynamicRef" | "$recursiveRef", _) => Some(format!("`{k}`")),
            _ => None,
        },
        |k, _| matches!(k, "if" | "then" | "else").then(|| "`if`/`then`/`else`".to_string()),
        |k, _| {
            matches!(
                k,
                "patternProperties"
                    | "propertyNames"
                    | "unevaluatedProperties"
                    | "unevaluatedItems"
            )
            .then(|| format!("`{k}`"))
        },
        |k, _| {
            matches!(
                k,
                "allOf" | "not" | "dependentSchemas" | "dependentRequired" | "dependencies"
            )
            .then(|| format!("`{k}`"))
        },
        |k, _| {
            matches!(
                k,
                "prefixItems" | "contains" | "minContains" | "maxContains"
            )
            .then(|| format!("`{k}`"))
        },
        |_, v| (v == &Value::Bool(false)).then(|| "the `false` schema".to_string()),
    ];
    by_message
        .into_iter()
        .chain(checks)
        .find_map(|check| find(schema, "", check))
}

fn find(
    value: &Value,
    pointer: &str,
    check: fn(&str, &Value) -> Option<String>,
) -> Option<(String, String)> {
    match value {
        Value::Object(map) => map.iter().find_map(|(key, v)| {
            let here = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
            match check(key, v) {
                Some(feature) => Some((feature, here)),
                None => find(v, &here, check),
            }
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| find(v, &format!("{pointer}/{i}"), check)),
        _ => None,
    }
}

/// Refuses code that parses but cannot compile because typify gave two
/// things one name: two items of a module, two fields of a struct (property
/// names that differ only in characters an identifier drops, like `foo\nbar`
/// and `foo\rbar`), or two variants of an enum. Such a schema falls back to
/// `serde_json::Value` instead of breaking the project.
fn check_names(file: &syn::File) -> Result<(), String> {
    fn unique<'a>(what: &str, names: impl Iterator<Item = String> + 'a) -> Result<(), String> {
        let mut seen = std::collections::HashSet::new();
        for name in names {
            if !seen.insert(name.clone()) {
                return Err(format!("typify gave two {what} the name `{name}`"));
            }
        }
        Ok(())
    }
    fn check_items(items: &[syn::Item]) -> Result<(), String> {
        let mut types = Vec::new();
        for item in items {
            match item {
                syn::Item::Struct(s) => {
                    types.push(s.ident.to_string());
                    if let syn::Fields::Named(named) = &s.fields {
                        unique(
                            "fields",
                            named
                                .named
                                .iter()
                                .filter_map(|f| f.ident.as_ref().map(|i| i.to_string())),
                        )?;
                    }
                }
                syn::Item::Enum(e) => {
                    types.push(e.ident.to_string());
                    unique("variants", e.variants.iter().map(|v| v.ident.to_string()))?;
                }
                syn::Item::Type(t) => types.push(t.ident.to_string()),
                syn::Item::Mod(m) => {
                    if let Some((_, items)) = &m.content {
                        check_items(items)?;
                    }
                }
                _ => {}
            }
        }
        unique("types", types.into_iter())
    }
    check_items(&file.items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn types_a_plain_object() {
        let schema =
            json!({"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]});
        match type_schema(&schema, "SearchInput") {
            Outcome::Typed(t) => {
                assert_eq!(t.root, "SearchInput");
                assert!(
                    t.code.contains("pub q: ::std::string::String"),
                    "{}",
                    t.code
                );
            }
            Outcome::Fallback { reason } => panic!("{reason}"),
        }
    }

    #[test]
    fn feature_pointer() {
        let schema = json!({"properties": {"a": {"if": {}, "then": {}}}});
        assert_eq!(
            hard_feature(&schema),
            Some(("`if`/`then`/`else`".into(), "/properties/a/if".into()))
        );
    }
}
