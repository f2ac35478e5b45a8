//! A registered static resource.

use crate::handler::{ErasedHandler, ResourceKind};
use crate::protocol::{Annotations, Icon};
use serde_json::{json, Map, Value};

/// A resource with a fixed URI.
pub(crate) struct ResourceEntry {
    pub uri: String,
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub mime_type: Option<String>,
    pub size: Option<u64>,
    pub annotations: Option<Annotations>,
    pub icons: Vec<Icon>,
    pub meta: Option<Map<String, Value>>,
    /// Scopes a caller's token needs to see and use it (`.scopes()`).
    pub required_scopes: Vec<String>,
    pub handler: ErasedHandler<ResourceKind>,
}

impl ResourceEntry {
    pub fn new(uri: String, handler: ErasedHandler<ResourceKind>) -> Self {
        ResourceEntry {
            name: default_name(&uri),
            uri,
            title: None,
            description: None,
            mime_type: None,
            size: None,
            annotations: None,
            icons: Vec::new(),
            meta: None,
            required_scopes: Vec::new(),
            handler,
        }
    }

    /// The resource as `resources/list` shows it.
    pub fn descriptor(&self) -> Value {
        let mut d = Map::new();
        d.insert("uri".into(), json!(self.uri));
        d.insert("name".into(), json!(self.name));
        insert_common(
            &mut d,
            &self.title,
            &self.description,
            &self.mime_type,
            &self.annotations,
            &self.icons,
            &self.meta,
        );
        if let Some(s) = self.size {
            d.insert("size".into(), json!(s));
        }
        Value::Object(d)
    }
}

pub(crate) fn insert_common(
    d: &mut Map<String, Value>,
    title: &Option<String>,
    description: &Option<String>,
    mime_type: &Option<String>,
    annotations: &Option<Annotations>,
    icons: &[Icon],
    meta: &Option<Map<String, Value>>,
) {
    if let Some(t) = title {
        d.insert("title".into(), json!(t));
    }
    if let Some(t) = description {
        d.insert("description".into(), json!(t));
    }
    if let Some(t) = mime_type {
        d.insert("mimeType".into(), json!(t));
    }
    if let Some(a) = annotations {
        d.insert("annotations".into(), json!(a));
    }
    if !icons.is_empty() {
        d.insert("icons".into(), json!(icons));
    }
    if let Some(m) = meta {
        d.insert("_meta".into(), Value::Object(m.clone()));
    }
}

/// A name from a URI: its last non-empty segment (`config://app-settings` → `app-settings`).
pub(crate) fn default_name(uri: &str) -> String {
    let rest = uri.split_once("://").map(|(_, r)| r).unwrap_or(uri);
    rest.trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or(uri)
        .to_string()
}
