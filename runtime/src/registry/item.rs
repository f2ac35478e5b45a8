//! The registry's verbs: one item of any kind, inserted as the duplicate
//! policy says, renamed under a prefix when a server is mounted into another.

use super::{PromptEntry, Registry, ResourceEntry, TemplateEntry, ToolEntry, UriTemplate};
use crate::error::Error;
use crate::settings::{DuplicatePolicy, Settings};
use std::sync::Arc;

/// A tool, resource, resource template or prompt on its way into a registry.
pub(crate) enum Item {
    Tool(ToolEntry),
    Resource(ResourceEntry),
    Template(TemplateEntry),
    Prompt(PromptEntry),
}

impl Item {
    /// What it is, as error messages say it.
    pub fn kind(&self) -> &'static str {
        match self {
            Item::Tool(_) => "tool",
            Item::Resource(_) => "resource",
            Item::Template(_) => "resource template",
            Item::Prompt(_) => "prompt",
        }
    }

    /// Its key in the registry: a name, a URI or a template's text.
    pub fn key(&self) -> String {
        match self {
            Item::Tool(t) => t.name.clone(),
            Item::Resource(r) => r.uri.clone(),
            Item::Template(t) => t.template.as_str().to_string(),
            Item::Prompt(p) => p.name.clone(),
        }
    }

    /// What the settings say to do when its key is taken.
    fn duplicate_policy(&self, settings: &Settings) -> DuplicatePolicy {
        match self {
            Item::Tool(_) => settings.duplicate_tools,
            Item::Resource(_) | Item::Template(_) => settings.duplicate_resources,
            Item::Prompt(_) => settings.duplicate_prompts,
        }
    }

    /// The item under `prefix` (for [`Server::mount`](crate::Server::mount)):
    /// tools and prompts become `{prefix}_{name}`, resource URIs and
    /// templates `{scheme}://{prefix}/{rest}`.
    pub fn prefixed(mut self, prefix: &str) -> Result<Item, Error> {
        match &mut self {
            Item::Tool(t) => t.name = format!("{prefix}_{}", t.name),
            Item::Prompt(p) => p.name = format!("{prefix}_{}", p.name),
            Item::Resource(r) => r.uri = prefix_uri(prefix, &r.uri),
            Item::Template(t) => {
                let source = prefix_uri(prefix, t.template.as_str());
                t.template = UriTemplate::parse(&source).map_err(|reason| Error::Registration {
                    kind: "resource template",
                    name: source,
                    reason,
                })?;
            }
        }
        Ok(self)
    }
}

fn prefix_uri(prefix: &str, uri: &str) -> String {
    match uri.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{prefix}/{rest}"),
        None => format!("{prefix}/{uri}"),
    }
}

impl Registry {
    /// A registry of `items` in order, each key taken twice handled as the
    /// settings' duplicate policies say.
    pub fn assemble(items: Vec<Item>, settings: &Settings) -> Result<Registry, Error> {
        let mut registry = Registry::default();
        for item in items {
            let policy = item.duplicate_policy(settings);
            registry.insert(item, policy)?;
        }
        Ok(registry)
    }

    /// Whether an item of this kind holds this key.
    fn holds(&self, item: &Item, key: &str) -> bool {
        match item {
            Item::Tool(_) => self.tools.contains_key(key),
            Item::Resource(_) => self.resources.contains_key(key),
            Item::Template(_) => self.templates.contains_key(key),
            Item::Prompt(_) => self.prompts.contains_key(key),
        }
    }

    /// Adds `item`; when its key is taken, `policy` decides: refuse, keep the
    /// first, or replace it (with a warning for [`DuplicatePolicy::Warn`]).
    /// A tool whose schema does not compile is refused.
    pub fn insert(&mut self, item: Item, policy: DuplicatePolicy) -> Result<(), Error> {
        let key = item.key();
        if self.holds(&item, &key) {
            let kind = item.kind();
            match policy {
                DuplicatePolicy::Error => {
                    return Err(Error::Registration {
                        kind,
                        name: key,
                        reason: "registered twice".into(),
                    })
                }
                DuplicatePolicy::Ignore => return Ok(()),
                DuplicatePolicy::Warn => tracing::warn!(
                    "{kind} {key:?} registered twice; the later one replaces the earlier"
                ),
                DuplicatePolicy::Replace => {}
            }
        }
        match item {
            Item::Tool(mut t) => {
                t.compile().map_err(|reason| Error::Registration {
                    kind: "tool",
                    name: key.clone(),
                    reason,
                })?;
                self.tools.insert(key, Arc::new(t));
            }
            Item::Resource(r) => {
                self.resources.insert(key, Arc::new(r));
            }
            Item::Template(t) => {
                self.templates.insert(key, Arc::new(t));
            }
            Item::Prompt(p) => {
                self.prompts.insert(key, Arc::new(p));
            }
        }
        Ok(())
    }

    /// Adds every item of `other`, replacing items with the same key (for
    /// [`ServerHandle::add`](crate::ServerHandle::add)).
    pub fn merge(&mut self, other: Registry) {
        self.tools.extend(other.tools);
        self.resources.extend(other.resources);
        self.templates.extend(other.templates);
        self.prompts.extend(other.prompts);
    }
}

/// Tool names: 1 to 128 characters of `A-Z a-z 0-9 _ - .` (the spec's rule).
pub(crate) fn check_tool_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 128 {
        return Err("a tool name must have 1 to 128 characters".into());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
    {
        return Err(format!(
            "a tool name may only contain A-Z, a-z, 0-9, '_', '-' and '.', not {c:?}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(uri: &str, text: &'static str) -> Item {
        let handler = crate::handler::erase::<_, crate::handler::ResourceKind, _>(
            move || async move { text },
        );
        Item::Resource(ResourceEntry::new(uri.into(), handler))
    }

    #[test]
    fn the_duplicate_policy_decides_a_second_insert() {
        let mut r = Registry::default();
        r.insert(resource("a://x", "first"), DuplicatePolicy::Error)
            .unwrap();
        let e = r
            .insert(resource("a://x", "second"), DuplicatePolicy::Error)
            .unwrap_err();
        assert!(e.to_string().contains("registered twice"), "{e}");
        r.insert(resource("a://y", "y"), DuplicatePolicy::Warn)
            .unwrap();
        r.insert(resource("a://x", "second"), DuplicatePolicy::Ignore)
            .unwrap();
        r.insert(resource("a://x", "third"), DuplicatePolicy::Replace)
            .unwrap();
        // Replacing keeps the first position.
        let keys: Vec<&String> = r.resources.keys().collect();
        assert_eq!(keys, ["a://x", "a://y"]);
    }

    #[test]
    fn a_prefix_goes_after_the_scheme() {
        let Ok(Item::Resource(r)) = resource("file://notes/a", "a").prefixed("docs") else {
            panic!("a resource stays a resource");
        };
        assert_eq!(r.uri, "file://docs/notes/a");
        assert_eq!(prefix_uri("p", "plain"), "p/plain");
        assert!(check_tool_name("ok.name-1").is_ok());
        assert!(check_tool_name("no spaces").is_err());
    }
}
