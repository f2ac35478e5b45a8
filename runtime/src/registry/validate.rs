//! Argument validation against the very schema a tool serves.

use serde_json::Value;

/// A compiled input schema.
pub(crate) struct ArgumentValidator {
    validator: jsonschema::Validator,
}

impl ArgumentValidator {
    /// Compiles `schema`; the error says what is wrong with it.
    pub fn compile(schema: &Value) -> Result<Self, String> {
        jsonschema::validator_for(schema)
            .map(|validator| ArgumentValidator { validator })
            .map_err(|e| format!("{} (at {})", e, e.schema_path()))
    }

    /// Checks `arguments`; the error names each failing field and rule.
    pub fn check(&self, arguments: &Value) -> Result<(), String> {
        if self.validator.is_valid(arguments) {
            return Ok(());
        }
        let problems: Vec<String> = self
            .validator
            .iter_errors(arguments)
            .take(5)
            .map(|e| {
                let path = e.instance_path().to_string();
                let field = if path.is_empty() {
                    "arguments".to_string()
                } else {
                    path.trim_start_matches('/').replace('/', ".")
                };
                format!("{field}: {e} (rule: {})", e.kind().keyword())
            })
            .collect();
        Err(problems.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_the_field_and_the_rule() {
        let v = ArgumentValidator::compile(&json!({
            "type": "object",
            "properties": {"age": {"type": "integer", "minimum": 0, "maximum": 150}, "name": {"type": "string", "minLength": 2}},
            "required": ["name"]
        }))
        .unwrap();
        assert!(v.check(&json!({"name": "Al", "age": 3})).is_ok());
        let e = v.check(&json!({"name": "A", "age": 200})).unwrap_err();
        assert!(e.contains("age") && e.contains("maximum"), "{e}");
        assert!(e.contains("name") && e.contains("minLength"), "{e}");
        let e = v.check(&json!({})).unwrap_err();
        assert!(e.contains("required"), "{e}");
    }
}
