//! A valid example of a JSON Schema's instance, for the generated call test
//! of a tool whose input comes from a schema file.
//!
//! Deliberately narrow: it answers only for schemas whose every keyword it
//! understands (objects, arrays and scalars with bounds, enums, constants,
//! defaults and examples), so that what it returns always validates. Anything
//! else (`$ref`, composition, `pattern`, an unknown `format`, ...) gives `None`,
//! and the test only checks that the tool is listed.

use serde_json::{Map, Value};

/// Keywords that never constrain an instance here.
const ANNOTATIONS: &[&str] = &[
    "$schema",
    "$id",
    "$comment",
    "title",
    "description",
    "deprecated",
    "readOnly",
    "writeOnly",
    "examples",
    "default",
    "additionalProperties",
    "unevaluatedProperties",
];

/// Formats an example is written for.
const FORMATS: &[(&str, &str)] = &[
    ("date-time", "2024-01-01T00:00:00Z"),
    ("date", "2024-01-01"),
    ("time", "12:00:00Z"),
    ("email", "ada@example.com"),
    ("uri", "https://example.com/"),
    ("uuid", "123e4567-e89b-12d3-a456-426614174000"),
];

/// A value `schema` accepts, when the schema is simple enough to be sure.
pub fn example(schema: &Value) -> Option<Value> {
    example_at(schema, 0)
}

fn example_at(schema: &Value, depth: usize) -> Option<Value> {
    if depth > 8 {
        return None;
    }
    let map = match schema {
        Value::Bool(true) => return Some(Value::Null),
        Value::Object(map) => map,
        _ => return None,
    };
    let ty = map.get("type").and_then(Value::as_str);
    let known = |k: &str| {
        ANNOTATIONS.contains(&k)
            || match ty {
                Some("object") => ["type", "properties", "required"].contains(&k),
                Some("array") => ["type", "items", "minItems", "maxItems"].contains(&k),
                Some("string") => {
                    ["type", "minLength", "maxLength", "format", "enum", "const"].contains(&k)
                }
                Some("integer" | "number") => {
                    ["type", "minimum", "maximum", "enum", "const"].contains(&k)
                }
                Some("boolean") => ["type", "enum", "const"].contains(&k),
                _ => false,
            }
    };
    if !map.keys().all(|k| known(k)) {
        return None;
    }
    if let Some(c) = map.get("const") {
        return Some(c.clone());
    }
    if let Some(first) = map
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return Some(first.clone());
    }
    match ty? {
        "object" => {
            let properties = map.get("properties").and_then(Value::as_object);
            let mut out = Map::new();
            for name in map
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let name = name.as_str()?;
                let property = properties?.get(name)?;
                out.insert(name.to_string(), example_at(property, depth + 1)?);
            }
            Some(Value::Object(out))
        }
        "array" => {
            let count = map.get("minItems").and_then(Value::as_u64).unwrap_or(0);
            if count > 8 {
                return None;
            }
            let items = match map.get("items") {
                Some(items) => example_at(items, depth + 1)?,
                None if count == 0 => Value::Null,
                None => return None,
            };
            Some(Value::Array(vec![items; count as usize]))
        }
        "string" => {
            if let Some(format) = map.get("format").and_then(Value::as_str) {
                let (_, value) = FORMATS.iter().find(|(f, _)| *f == format)?;
                let fits = map
                    .get("maxLength")
                    .and_then(Value::as_u64)
                    .is_none_or(|max| value.len() as u64 <= max)
                    && map
                        .get("minLength")
                        .and_then(Value::as_u64)
                        .is_none_or(|min| value.len() as u64 >= min);
                return fits.then(|| Value::from(*value));
            }
            let min = map.get("minLength").and_then(Value::as_u64).unwrap_or(0);
            let max = map
                .get("maxLength")
                .and_then(Value::as_u64)
                .unwrap_or(u64::MAX);
            let len = min.max(7.min(max));
            if len > 256 || len > max {
                return None;
            }
            Some(Value::from(
                "example"[..].repeat(1 + len as usize / 7)[..len as usize].to_string(),
            ))
        }
        "integer" => {
            let min = map.get("minimum").and_then(Value::as_f64);
            let max = map.get("maximum").and_then(Value::as_f64);
            let pick = match (min, max) {
                (Some(lo), _) => lo.ceil(),
                (None, Some(hi)) => hi.floor().min(1.0),
                (None, None) => 1.0,
            };
            if max.is_some_and(|m| pick > m) || pick.abs() > 1e15 {
                return None;
            }
            Some(Value::from(pick as i64))
        }
        "number" => {
            let min = map.get("minimum").and_then(Value::as_f64);
            let max = map.get("maximum").and_then(Value::as_f64);
            let pick = match (min, max) {
                (Some(lo), _) => lo,
                (None, Some(hi)) => hi.min(1.5),
                (None, None) => 1.5,
            };
            if max.is_some_and(|m| pick > m) {
                return None;
            }
            serde_json::Number::from_f64(pick).map(Value::Number)
        }
        "boolean" => Some(Value::Bool(true)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn simple_schemas_get_examples_that_respect_their_bounds() {
        let schema = json!({
            "type": "object",
            "properties": {
                "a": {"type": "number", "description": "first"},
                "b": {"type": "integer", "minimum": 3, "maximum": 9},
                "name": {"type": "string", "minLength": 10},
                "tags": {"type": "array", "items": {"type": "string", "enum": ["x", "y"]}, "minItems": 2},
                "when": {"type": "string", "format": "date-time"},
                "note": {"type": "string"}
            },
            "required": ["a", "b", "name", "tags", "when"],
            "additionalProperties": false
        });
        assert_eq!(
            example(&schema),
            Some(
                json!({"a": 1.5, "b": 3, "name": "exampleexa", "tags": ["x", "x"], "when": "2024-01-01T00:00:00Z"})
            )
        );
        assert_eq!(example(&json!({"type": "object"})), Some(json!({})));
        // An optional property is left out, whatever its schema says.
        assert_eq!(
            example(
                &json!({"type": "object", "properties": {"x": {"type": "string", "pattern": "a"}}})
            ),
            Some(json!({}))
        );
        assert_eq!(
            example(&json!({"type": "integer", "maximum": -4})),
            Some(json!(-4))
        );
    }

    #[test]
    fn anything_it_cannot_be_sure_of_gives_none() {
        for schema in [
            json!({"type": "object", "properties": {"a": {"$ref": "#/$defs/a"}}, "required": ["a"]}),
            json!({"type": "string", "pattern": "^[a-z]+$"}),
            json!({"oneOf": [{"type": "string"}, {"type": "integer"}]}),
            json!({"type": "string", "format": "ipv6"}),
            json!({"type": "object", "required": ["missing"]}),
            json!({"type": "integer", "minimum": 5, "maximum": 4}),
        ] {
            assert_eq!(example(&schema), None, "{schema}");
        }
    }
}
