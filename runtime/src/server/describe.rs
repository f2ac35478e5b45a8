//! The builder's item methods: each describes the tool, resource, template
//! or prompt registered just before it (description, title, schemas,
//! scopes, annotations, completion, …).

use super::Server;
use crate::error::Error;
use crate::protocol::{Annotations, Icon, ToolAnnotations};
use crate::registry::{Completer, Item, PromptArgument};
use serde_json::{Map, Value};
use std::sync::Arc;

/// A JSON Schema given at registration: a `serde_json::Value`, or JSON text
/// (such as `include_str!("../schemas/tool.input.json")`).
pub trait SchemaSource {
    /// The schema, or why the text is not JSON.
    fn into_schema(self) -> Result<Value, String>;
}

impl SchemaSource for Value {
    fn into_schema(self) -> Result<Value, String> {
        Ok(self)
    }
}

impl SchemaSource for &str {
    fn into_schema(self) -> Result<Value, String> {
        serde_json::from_str(self).map_err(|e| format!("the schema is not valid JSON: {e}"))
    }
}

impl SchemaSource for String {
    fn into_schema(self) -> Result<Value, String> {
        self.as_str().into_schema()
    }
}

impl Server {
    fn last(&mut self, method: &str) -> Option<&mut Item> {
        if self.items.is_empty() {
            self.errors.push(Error::Builder(format!(
                "`.{method}()` describes the tool, resource or prompt registered before it, but none was registered yet"
            )));
        }
        self.items.last_mut()
    }

    fn misuse(&mut self, method: &str, item: &'static str) {
        self.errors.push(Error::Builder(format!(
            "`.{method}()` does not apply to a {item}"
        )));
    }

    /// Describes the last item.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        let text = Some(text.into());
        match self.last("description") {
            Some(Item::Tool(t)) => t.description = text,
            Some(Item::Resource(r)) => r.description = text,
            Some(Item::Template(t)) => t.description = text,
            Some(Item::Prompt(p)) => p.description = text,
            None => {}
        }
        self
    }

    /// Gives the last item a display title.
    pub fn title(mut self, text: impl Into<String>) -> Self {
        let text = Some(text.into());
        match self.last("title") {
            Some(Item::Tool(t)) => t.title = text,
            Some(Item::Resource(r)) => r.title = text,
            Some(Item::Template(t)) => t.title = text,
            Some(Item::Prompt(p)) => p.title = text,
            None => {}
        }
        self
    }

    /// Renames the last resource or template (its `name`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        match self.last("name") {
            Some(Item::Resource(r)) => r.name = name,
            Some(Item::Template(t)) => t.name = name,
            Some(Item::Tool(_)) => self.misuse("name", "tool (its name is given to `.tool()`)"),
            Some(Item::Prompt(_)) => {
                self.misuse("name", "prompt (its name is given to `.prompt()`)")
            }
            None => {}
        }
        self
    }

    /// Adds an icon to the last item.
    pub fn icon(mut self, icon: Icon) -> Self {
        match self.last("icon") {
            Some(Item::Tool(t)) => t.icons.push(icon),
            Some(Item::Resource(r)) => r.icons.push(icon),
            Some(Item::Template(t)) => t.icons.push(icon),
            Some(Item::Prompt(p)) => p.icons.push(icon),
            None => {}
        }
        self
    }

    /// Sets a `_meta` entry on the last item.
    pub fn meta(mut self, key: impl Into<String>, value: Value) -> Self {
        let key = key.into();
        let slot = match self.last("meta") {
            Some(Item::Tool(t)) => &mut t.meta,
            Some(Item::Resource(r)) => &mut r.meta,
            Some(Item::Template(t)) => &mut t.meta,
            Some(Item::Prompt(p)) => &mut p.meta,
            None => return self,
        };
        slot.get_or_insert_with(Map::new).insert(key, value);
        self
    }

    /// Scopes the caller's access token needs for the last tool, resource,
    /// template or prompt (HTTP with auth only): without them it is left
    /// out of the lists, and calling or reading it is refused with
    /// `insufficient_scope`. Without a token (stdio, auth off) scopes do
    /// not apply; serving HTTP without auth then logs a warning naming the
    /// scoped items ([`require_auth`](Server::require_auth) refuses to start).
    ///
    /// ```
    /// # use mcp_runtime::prelude::*;
    /// Server::new("demo").tool("wipe", || async { "done" }).scopes(["admin"]);
    /// ```
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let scopes: Vec<String> = scopes.into_iter().map(Into::into).collect();
        let slot = match self.last("scopes") {
            Some(Item::Tool(t)) => &mut t.required_scopes,
            Some(Item::Resource(r)) => &mut r.required_scopes,
            Some(Item::Template(t)) => &mut t.required_scopes,
            Some(Item::Prompt(p)) => &mut p.required_scopes,
            None => return self,
        };
        for s in scopes {
            if !slot.contains(&s) {
                slot.push(s);
            }
        }
        self
    }

    /// Sets the last tool's time limit: past it the call is stopped and
    /// answered with an `isError` result saying so. Beats
    /// [`Server::tool_timeout`]; `Duration::ZERO` means no limit.
    pub fn timeout(mut self, limit: std::time::Duration) -> Self {
        match self.last("timeout") {
            Some(Item::Tool(t)) => t.timeout = Some(limit),
            Some(_) => self.misuse("timeout", "resource or prompt (use `Server::tool_timeout`)"),
            None => {}
        }
        self
    }

    /// Sets the last tool's behaviour hints.
    pub fn annotations(mut self, annotations: ToolAnnotations) -> Self {
        match self.last("annotations") {
            Some(Item::Tool(t)) => t.annotations = Some(annotations),
            Some(_) => self.misuse(
                "annotations",
                "resource or prompt (use `.content_annotations()`)",
            ),
            None => {}
        }
        self
    }

    /// Marks the last tool read-only (a hint for clients).
    pub fn read_only(mut self) -> Self {
        match self.last("read_only") {
            Some(Item::Tool(t)) => {
                t.annotations
                    .get_or_insert_with(Default::default)
                    .read_only_hint = Some(true)
            }
            Some(_) => self.misuse("read_only", "resource or prompt"),
            None => {}
        }
        self
    }

    /// Sets the last resource's or template's content annotations.
    pub fn content_annotations(mut self, annotations: Annotations) -> Self {
        match self.last("content_annotations") {
            Some(Item::Resource(r)) => r.annotations = Some(annotations),
            Some(Item::Template(t)) => t.annotations = Some(annotations),
            Some(_) => self.misuse("content_annotations", "tool or prompt"),
            None => {}
        }
        self
    }

    /// Sets the MIME type of the last resource or template.
    pub fn mime_type(mut self, mime: impl Into<String>) -> Self {
        let mime = Some(mime.into());
        match self.last("mime_type") {
            Some(Item::Resource(r)) => r.mime_type = mime,
            Some(Item::Template(t)) => t.mime_type = mime,
            Some(_) => self.misuse("mime_type", "tool or prompt"),
            None => {}
        }
        self
    }

    /// Sets the size in bytes of the last resource.
    pub fn size(mut self, bytes: u64) -> Self {
        match self.last("size") {
            Some(Item::Resource(r)) => r.size = Some(bytes),
            Some(_) => self.misuse("size", "tool, template or prompt"),
            None => {}
        }
        self
    }

    /// Serves this input schema for the last tool, verbatim, and validates
    /// arguments against it.
    pub fn input_schema(mut self, schema: impl SchemaSource) -> Self {
        match schema.into_schema() {
            Ok(schema) => match self.last("input_schema") {
                Some(Item::Tool(t)) => {
                    t.input_schema = schema;
                    t.verbatim = true;
                }
                Some(_) => self.misuse("input_schema", "resource or prompt"),
                None => {}
            },
            Err(reason) => self.item_error(reason),
        }
        self
    }

    /// Serves this output schema for the last tool (a non-object schema is
    /// wrapped as `{"result": ...}`, and so are the results).
    pub fn output_schema(mut self, schema: impl SchemaSource) -> Self {
        match schema.into_schema() {
            Ok(schema) => match self.last("output_schema") {
                Some(Item::Tool(t)) => {
                    t.set_output_schema(schema);
                    t.verbatim = true;
                }
                Some(_) => self.misuse("output_schema", "resource or prompt"),
                None => {}
            },
            Err(reason) => self.item_error(reason),
        }
        self
    }

    /// Declares (or redescribes) an argument of the last prompt.
    pub fn argument(
        mut self,
        name: impl Into<String>,
        description: impl Into<String>,
        required: bool,
    ) -> Self {
        let arg = PromptArgument {
            name: name.into(),
            description: Some(description.into()),
            required,
        };
        match self.last("argument") {
            Some(Item::Prompt(p)) => match p.arguments.iter_mut().find(|a| a.name == arg.name) {
                Some(existing) => *existing = arg,
                None => p.arguments.push(arg),
            },
            Some(_) => self.misuse("argument", "tool or resource"),
            None => {}
        }
        self
    }

    /// Completes the argument `arg` of the last prompt or template:
    /// `f(value_so_far, resolved_arguments)` gives the candidates.
    pub fn complete(
        mut self,
        arg: impl Into<String>,
        f: impl Fn(&str, &Map<String, Value>) -> Vec<String> + Send + Sync + 'static,
    ) -> Self {
        let completer: Completer = Arc::new(f);
        match self.last("complete") {
            Some(Item::Prompt(p)) => {
                p.completers.insert(arg.into(), completer);
            }
            Some(Item::Template(t)) => {
                t.completers.insert(arg.into(), completer);
            }
            Some(_) => self.misuse("complete", "tool or static resource"),
            None => {}
        }
        self
    }

    fn item_error(&mut self, reason: String) {
        let (kind, name) = self
            .items
            .last()
            .map(|i| (i.kind(), i.key()))
            .unwrap_or(("item", String::new()));
        self.errors.push(Error::Registration { kind, name, reason });
    }
}
