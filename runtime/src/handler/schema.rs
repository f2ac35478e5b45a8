//! JSON Schemas derived from Rust types with schemars, shaped as MCP wants
//! them: input schemas are objects, output schemas are objects (a non-object
//! result is wrapped as `{"result": ...}`).

use schemars::JsonSchema;
use serde_json::{json, Map, Value};

/// The JSON Schema (2020-12) of `T`.
pub(crate) fn schema_for<T: JsonSchema>() -> Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let schema = generator.into_root_schema_for::<T>();
    let mut value = schema.to_value();
    if let Value::Object(map) = &mut value {
        // The title is the Rust type's name, which means nothing to a client.
        map.remove("title");
    }
    value
}

/// Whether a schema describes objects only.
fn is_object_schema(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("object")
}

/// An output schema that is an object: `schema` itself when it is one,
/// otherwise `{"type":"object","properties":{"result": schema}}`. The flag
/// says whether results must be wrapped the same way.
pub(crate) fn wrap_output_schema(schema: Value) -> (Value, bool) {
    if is_object_schema(&schema) {
        return (schema, false);
    }
    let mut inner = schema;
    let mut outer = Map::new();
    if let Value::Object(map) = &mut inner {
        for key in ["$schema", "$defs", "definitions"] {
            if let Some(v) = map.remove(key) {
                outer.insert(key.to_string(), v);
            }
        }
    }
    outer.insert("type".into(), json!("object"));
    outer.insert("properties".into(), json!({ "result": inner }));
    outer.insert("required".into(), json!(["result"]));
    (Value::Object(outer), true)
}

/// The top-level properties of an object schema: name, description, required.
pub(crate) fn object_properties(schema: &Value) -> Vec<(String, Option<String>, bool)> {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|props| {
            props
                .iter()
                .map(|(name, prop)| {
                    let description = prop
                        .get("description")
                        .and_then(Value::as_str)
                        .map(str::to_string);
                    (name.clone(), description, required.contains(&name.as_str()))
                })
                .collect()
        })
        .unwrap_or_default()
}
