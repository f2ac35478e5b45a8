//! [`ServerHandle`]: changes a serving server (items added and removed,
//! resource updates announced) and tells what it serves.

use super::Server;
use crate::dispatch::{core_of, Core, Event};
use crate::error::Error;
use crate::handler::Context;
use crate::registry::{Item, Registry};
use crate::settings::{DuplicatePolicy, Settings};
use std::sync::Arc;

/// Changes a serving server: add or remove items (clients are told their
/// lists changed), and announce resource updates to subscribers.
#[derive(Clone)]
pub struct ServerHandle {
    core: Arc<Core>,
}

impl ServerHandle {
    pub(crate) fn from_core(core: Arc<Core>) -> Self {
        ServerHandle { core }
    }

    /// Adds (or replaces) every item of `items`, built like any server:
    /// `handle.add(Server::new("").tool("late", late).description("..."))`.
    pub fn add(&self, items: Server) -> Result<(), Error> {
        if let Some(e) = items.errors.into_iter().next() {
            return Err(e);
        }
        // One event per item, in order, repeats side by side told once.
        let mut events: Vec<Event> = items
            .items
            .iter()
            .map(|item| match item {
                Item::Tool(_) => Event::ToolsChanged,
                Item::Resource(_) | Item::Template(_) => Event::ResourcesChanged,
                Item::Prompt(_) => Event::PromptsChanged,
            })
            .collect();
        events.dedup();
        let mut staged = Registry::default();
        for item in items.items {
            staged.insert(item, DuplicatePolicy::Replace)?;
        }
        self.core.update_registry(|r| {
            r.merge(staged);
            None
        });
        for e in events {
            let _ = self.core.events.send(e);
        }
        Ok(())
    }

    /// Removes a tool; `false` if there was none.
    pub fn remove_tool(&self, name: &str) -> bool {
        let mut removed = false;
        self.core.update_registry(|r| {
            removed = r.tools.shift_remove(name).is_some();
            removed.then_some(Event::ToolsChanged)
        });
        removed
    }

    /// Removes a resource (or a template, by its template text); `false` if there was none.
    pub fn remove_resource(&self, uri: &str) -> bool {
        let mut removed = false;
        self.core.update_registry(|r| {
            removed =
                r.resources.shift_remove(uri).is_some() || r.templates.shift_remove(uri).is_some();
            removed.then_some(Event::ResourcesChanged)
        });
        removed
    }

    /// Removes a prompt; `false` if there was none.
    pub fn remove_prompt(&self, name: &str) -> bool {
        let mut removed = false;
        self.core.update_registry(|r| {
            removed = r.prompts.shift_remove(name).is_some();
            removed.then_some(Event::PromptsChanged)
        });
        removed
    }

    /// The effective settings.
    pub fn settings(&self) -> &Settings {
        &self.core.settings
    }

    /// Tells clients subscribed to `uri` that it changed.
    pub fn notify_resource_updated(&self, uri: impl Into<String>) {
        let _ = self.core.events.send(Event::ResourceUpdated(uri.into()));
    }

    /// The URIs of the static resources, in list order.
    pub fn resource_uris(&self) -> Vec<String> {
        self.core.registry().resources.keys().cloned().collect()
    }

    /// The resource templates, in list order.
    pub fn resource_templates(&self) -> Vec<String> {
        self.core.registry().templates.keys().cloned().collect()
    }

    /// The names of the prompts, in list order.
    pub fn prompt_names(&self) -> Vec<String> {
        self.core.registry().prompts.keys().cloned().collect()
    }

    /// The names of the tools, in list order.
    pub fn tool_names(&self) -> Vec<String> {
        self.core.registry().tools.keys().cloned().collect()
    }
}

impl Context {
    /// A handle to change the server (add or remove tools, resources and
    /// prompts) from inside a handler.
    pub fn server(&self) -> ServerHandle {
        match core_of(self) {
            Some(core) => ServerHandle::from_core(core),
            // Only dispatch builds a Context, always served by a session.
            None => unreachable!("a Context is always served by a session"),
        }
    }
}
