//! A registered tool.

use super::ArgumentValidator;
use crate::handler::{ErasedHandler, ToolKind};
use crate::protocol::{Icon, ToolAnnotations};
use serde_json::{json, Map, Value};
use std::sync::OnceLock;

/// A tool: its description as `tools/list` shows it, its handler, and the
/// validator of its input schema.
pub(crate) struct ToolEntry {
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub input_schema: Value,
    pub output_schema: Option<Value>,
    /// Whether structured results are wrapped as `{"result": ...}` because the
    /// output schema was not an object.
    pub wrap_result: bool,
    pub annotations: Option<ToolAnnotations>,
    pub icons: Vec<Icon>,
    pub meta: Option<Map<String, Value>>,
    /// Scopes a caller's token needs to see and call the tool (`.scopes()`).
    pub required_scopes: Vec<String>,
    /// Its own time limit (`.timeout()`), else `MCP_TOOL_TIMEOUT_SECS`;
    /// zero means none.
    pub timeout: Option<std::time::Duration>,
    pub handler: ErasedHandler<ToolKind>,
    /// Compiled on first use for derived schemas, at registration for
    /// schemas given verbatim (so a broken one stops startup).
    validator: OnceLock<Result<ArgumentValidator, String>>,
    /// Whether a schema was given verbatim (not derived from types).
    pub verbatim: bool,
    descriptor: OnceLock<Value>,
}

impl ToolEntry {
    pub fn new(
        name: String,
        input_schema: Value,
        output_schema: Option<Value>,
        handler: ErasedHandler<ToolKind>,
    ) -> Self {
        let (output_schema, wrap_result) = match output_schema {
            Some(s) => {
                let (s, wrap) = crate::handler::wrap_output_schema(s);
                (Some(s), wrap)
            }
            None => (None, false),
        };
        ToolEntry {
            name,
            title: None,
            description: None,
            input_schema,
            output_schema,
            wrap_result,
            annotations: None,
            icons: Vec::new(),
            meta: None,
            required_scopes: Vec::new(),
            timeout: None,
            handler,
            validator: OnceLock::new(),
            verbatim: false,
            descriptor: OnceLock::new(),
        }
    }

    /// Sets a schema given verbatim, deciding again whether results wrap.
    pub fn set_output_schema(&mut self, schema: Value) {
        let wraps = schema.get("type").and_then(Value::as_str) != Some("object");
        let (schema, _) = crate::handler::wrap_output_schema(schema);
        self.output_schema = Some(schema);
        self.wrap_result = wraps;
    }

    /// Compiles the validator; the error says what is wrong with the schema.
    pub fn compile(&mut self) -> Result<(), String> {
        if self.input_schema.get("type").and_then(Value::as_str) != Some("object") {
            return Err("the input schema must have \"type\": \"object\" at its root".into());
        }
        if self.verbatim {
            self.validator().map_err(str::to_string)?;
            if let Some(out) = &self.output_schema {
                ArgumentValidator::compile(out).map_err(|e| format!("output schema: {e}"))?;
            }
        }
        Ok(())
    }

    /// The validator of the input schema, compiled on first use.
    pub fn validator(&self) -> Result<&ArgumentValidator, &str> {
        self.validator
            .get_or_init(|| ArgumentValidator::compile(&self.input_schema))
            .as_ref()
            .map_err(String::as_str)
    }

    /// The arguments that travel in `Mcp-Param-*` headers too: those its
    /// input schema marks with `x-mcp-header`.
    pub fn header_params(&self) -> Vec<HeaderParam> {
        header_params(&self.input_schema)
    }

    /// The tool as `tools/list` shows it.
    pub fn descriptor(&self) -> &Value {
        self.descriptor.get_or_init(|| {
            let mut d = Map::new();
            d.insert("name".into(), json!(self.name));
            if let Some(t) = &self.title {
                d.insert("title".into(), json!(t));
            }
            d.insert(
                "description".into(),
                json!(self.description.clone().unwrap_or_default()),
            );
            d.insert("inputSchema".into(), self.input_schema.clone());
            if let Some(o) = &self.output_schema {
                d.insert("outputSchema".into(), o.clone());
            }
            if let Some(a) = &self.annotations {
                d.insert("annotations".into(), json!(a));
            }
            if !self.icons.is_empty() {
                d.insert("icons".into(), json!(self.icons));
            }
            if let Some(m) = &self.meta {
                d.insert("_meta".into(), Value::Object(m.clone()));
            }
            Value::Object(d)
        })
    }
}

/// An argument mirrored in an HTTP header: `argument` in the arguments,
/// `Mcp-Param-{header}` on the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeaderParam {
    pub argument: String,
    pub header: String,
}

/// The `x-mcp-header` marks of an input schema's properties.
pub(crate) fn header_params(input_schema: &Value) -> Vec<HeaderParam> {
    let Some(properties) = input_schema.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    properties
        .iter()
        .filter_map(|(name, schema)| {
            let header = schema.get("x-mcp-header").and_then(Value::as_str)?;
            Some(HeaderParam {
                argument: name.clone(),
                header: header.to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_params_are_the_marked_properties() {
        let schema = json!({"type": "object", "properties": {
            "region": {"type": "string", "x-mcp-header": "Region"},
            "plain": {"type": "string"},
            "n": {"type": "number", "x-mcp-header": "N"}
        }});
        let found: Vec<(String, String)> = header_params(&schema)
            .into_iter()
            .map(|p| (p.argument, p.header))
            .collect();
        assert_eq!(
            found,
            [("region".into(), "Region".into()), ("n".into(), "N".into())]
        );
        assert!(header_params(&json!({"type": "object"})).is_empty());
    }
}
