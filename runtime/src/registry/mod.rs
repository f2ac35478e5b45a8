//! The registry: tools, resources, resource templates and prompts, in
//! registration order, each with its handler. Items go in through its verbs
//! (insert with the duplicate policy, merge); lists are paginated with
//! opaque cursors.

mod item;
mod prompt;
mod resource;
mod template;
mod tool;
mod validate;

pub(crate) use item::{check_tool_name, Item};
pub use prompt::PromptArgument;
pub(crate) use prompt::PromptEntry;
pub(crate) use resource::ResourceEntry;
pub(crate) use template::TemplateEntry;
pub use template::UriTemplate;
pub(crate) use tool::{HeaderParam, ToolEntry};
pub(crate) use validate::ArgumentValidator;

use crate::protocol::jsonrpc::ErrorObject;
use base64::Engine as _;
use indexmap::IndexMap;
use std::sync::Arc;

/// A completion function: given the value typed so far and the arguments
/// already resolved, the candidates.
pub type Completer =
    Arc<dyn Fn(&str, &serde_json::Map<String, serde_json::Value>) -> Vec<String> + Send + Sync>;

/// Everything the server offers. Cloning is cheap (entries are shared).
#[derive(Clone, Default)]
pub(crate) struct Registry {
    pub tools: IndexMap<String, Arc<ToolEntry>>,
    pub resources: IndexMap<String, Arc<ResourceEntry>>,
    pub templates: IndexMap<String, Arc<TemplateEntry>>,
    pub prompts: IndexMap<String, Arc<PromptEntry>>,
}

impl Registry {
    /// Every scope some tool, resource, template or prompt requires, once
    /// each, in order (what the development authorization server grants).
    #[cfg(feature = "auth")]
    pub fn required_scopes(&self) -> Vec<String> {
        let lists = self
            .tools
            .values()
            .map(|t| &t.required_scopes)
            .chain(self.resources.values().map(|r| &r.required_scopes))
            .chain(self.templates.values().map(|t| &t.required_scopes))
            .chain(self.prompts.values().map(|p| &p.required_scopes));
        let mut all: Vec<String> = Vec::new();
        for scope in lists.flatten() {
            if !all.contains(scope) {
                all.push(scope.clone());
            }
        }
        all
    }
}

impl Registry {
    /// The tools, resources, templates and prompts that declare scopes, as
    /// `tool "name"`, `resource "uri"`, `template "uri"` or `prompt "name"`,
    /// in registration order.
    pub fn scoped_items(&self) -> Vec<String> {
        let kind = |kind: &'static str| move |key: &String| format!("{kind} {key:?}");
        fn scoped<'a>((key, scopes): (&'a String, &'a Vec<String>)) -> Option<&'a String> {
            (!scopes.is_empty()).then_some(key)
        }
        let tools = self.tools.iter().map(|(k, t)| (k, &t.required_scopes));
        let resources = self.resources.iter().map(|(k, r)| (k, &r.required_scopes));
        let templates = self.templates.iter().map(|(k, t)| (k, &t.required_scopes));
        let prompts = self.prompts.iter().map(|(k, p)| (k, &p.required_scopes));
        (tools.filter_map(scoped).map(kind("tool")))
            .chain(resources.filter_map(scoped).map(kind("resource")))
            .chain(templates.filter_map(scoped).map(kind("template")))
            .chain(prompts.filter_map(scoped).map(kind("prompt")))
            .collect()
    }
}

/// One page of a list.
pub(crate) struct Page<'a, T> {
    pub items: &'a [T],
    pub next_cursor: Option<String>,
}

/// Cuts one page out of `items`, starting where `cursor` says.
pub(crate) fn paginate<'a, T>(
    items: &'a [T],
    cursor: Option<&str>,
    page_size: usize,
) -> Result<Page<'a, T>, ErrorObject> {
    let start = match cursor {
        None => 0,
        Some(c) => decode_cursor(c)
            .ok_or_else(|| ErrorObject::invalid_params(format!("Invalid cursor: {c:?}")))?,
    };
    if start > items.len() {
        return Err(ErrorObject::invalid_params(format!(
            "Invalid cursor: {}",
            cursor.unwrap_or_default()
        )));
    }
    let end = (start + page_size.max(1)).min(items.len());
    let next_cursor = (end < items.len()).then(|| encode_cursor(end));
    Ok(Page {
        items: &items[start..end],
        next_cursor,
    })
}

fn encode_cursor(offset: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("offset:{offset}"))
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.strip_prefix("offset:")?.parse().ok()
}

/// A template's default name: its text without variables and scheme punctuation.
pub(crate) fn default_template_name(template: &str) -> String {
    let rest = template
        .split_once("://")
        .map(|(_, r)| r)
        .unwrap_or(template);
    let head: String = rest
        .split('{')
        .next()
        .unwrap_or("")
        .trim_end_matches('/')
        .to_string();
    if head.is_empty() {
        template.split("://").next().unwrap_or(template).to_string()
    } else {
        head.replace('/', "-")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_every_item_once() {
        let items: Vec<u32> = (0..7).collect();
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = paginate(&items, cursor.as_deref(), 3).unwrap();
            seen.extend_from_slice(page.items);
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(seen, items);
    }

    #[test]
    fn a_forged_cursor_is_invalid_params() {
        let items = [1, 2, 3];
        assert_eq!(
            paginate(&items, Some("bogus!"), 2).err().unwrap().code,
            -32602
        );
        let far = encode_cursor(99);
        assert!(paginate(&items, Some(&far), 2).is_err());
    }
}
