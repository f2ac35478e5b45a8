//! A registered prompt.

use super::Completer;
use crate::handler::{ErasedHandler, PromptKind};
use crate::protocol::Icon;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// An argument a prompt takes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PromptArgument {
    /// Its name.
    pub name: String,
    /// What it is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether it must be given.
    pub required: bool,
}

/// A prompt with its arguments and completers.
pub(crate) struct PromptEntry {
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub arguments: Vec<PromptArgument>,
    pub icons: Vec<Icon>,
    pub meta: Option<Map<String, Value>>,
    /// Scopes a caller's token needs to see and use it (`.scopes()`).
    pub required_scopes: Vec<String>,
    pub handler: ErasedHandler<PromptKind>,
    pub completers: HashMap<String, Completer>,
}

impl PromptEntry {
    /// The prompt as `prompts/list` shows it.
    pub fn descriptor(&self) -> Value {
        let mut d = Map::new();
        d.insert("name".into(), json!(self.name));
        if let Some(t) = &self.title {
            d.insert("title".into(), json!(t));
        }
        d.insert(
            "description".into(),
            json!(self.description.clone().unwrap_or_default()),
        );
        if !self.arguments.is_empty() {
            d.insert("arguments".into(), json!(self.arguments));
        }
        if !self.icons.is_empty() {
            d.insert("icons".into(), json!(self.icons));
        }
        if let Some(m) = &self.meta {
            d.insert("_meta".into(), Value::Object(m.clone()));
        }
        Value::Object(d)
    }
}
