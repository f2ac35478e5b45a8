//! The [`Server`] builder: the server's identity, registration of tools,
//! resources, templates and prompts, composition of servers, settings, and
//! building into a [`Service`] or running it.

use super::Service;
use crate::dispatch::{Core, FallbackCompleter};
use crate::error::Error;
use crate::handler::{self, Handler, PromptKind, ResourceKind, ToolKind};
use crate::registry::{
    check_tool_name, default_template_name, Item, PromptArgument, PromptEntry, Registry,
    ResourceEntry, TemplateEntry, ToolEntry, UriTemplate,
};
use crate::settings::{flags_from_args, DuplicatePolicy, Overrides, Settings, Transport};
use crate::transport::http::HttpExtras;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// An MCP server under construction.
///
/// Item methods ([`description`](Server::description), [`title`](Server::title),
/// [`annotations`](Server::annotations), [`mime_type`](Server::mime_type), …)
/// describe the tool, resource, template or prompt registered just before.
pub struct Server {
    pub(super) info: Map<String, Value>,
    pub(super) instructions: Option<String>,
    /// The items in registration order, assembled into a registry at build.
    pub(super) items: Vec<Item>,
    /// What went wrong while building; the first stops `build`.
    pub(super) errors: Vec<Error>,
    pub(super) overrides: Overrides,
    pub(super) completion: Option<FallbackCompleter>,
    pub(super) http: HttpExtras,
}

impl Server {
    /// A server with this name (shown to clients as `serverInfo.name`).
    pub fn new(name: impl Into<String>) -> Self {
        let mut info = Map::new();
        info.insert("name".into(), json!(name.into()));
        info.insert("version".into(), json!(env!("CARGO_PKG_VERSION")));
        Server {
            info,
            instructions: None,
            items: Vec::new(),
            errors: Vec::new(),
            overrides: Overrides::default(),
            completion: None,
            http: Default::default(),
        }
    }

    /// The server's version (`serverInfo.version`).
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.info.insert("version".into(), json!(version.into()));
        self
    }

    /// Guidance for the model about this server as a whole.
    pub fn instructions(mut self, text: impl Into<String>) -> Self {
        self.instructions = Some(text.into());
        self
    }

    /// The server's display title and description (`serverInfo`).
    pub fn server_title(mut self, title: impl Into<String>) -> Self {
        self.info.insert("title".into(), json!(title.into()));
        self
    }

    /// A website for the server (`serverInfo.websiteUrl`).
    pub fn website_url(mut self, url: impl Into<String>) -> Self {
        self.info.insert("websiteUrl".into(), json!(url.into()));
        self
    }

    // ---- registration -------------------------------------------------------

    /// Registers a tool. Its input schema comes from its [`Args`](crate::Args)
    /// parameter (or `.input_schema(...)`), its output schema from a
    /// [`Json`](crate::Json) return type (or `.output_schema(...)`).
    pub fn tool<M, H: Handler<M, ToolKind>>(mut self, name: impl Into<String>, handler: H) -> Self {
        let name = name.into();
        if let Err(reason) = check_tool_name(&name) {
            self.errors.push(Error::Registration {
                kind: "tool",
                name: name.clone(),
                reason,
            });
        }
        let input =
            H::input_schema().unwrap_or_else(|| json!({ "type": "object", "properties": {} }));
        let entry = ToolEntry::new(name, input, H::output_schema(), handler::erase(handler));
        self.items.push(Item::Tool(entry));
        self
    }

    /// Registers a resource at a fixed URI.
    pub fn resource<M, H: Handler<M, ResourceKind>>(
        mut self,
        uri: impl Into<String>,
        handler: H,
    ) -> Self {
        let entry = ResourceEntry::new(uri.into(), handler::erase(handler));
        self.items.push(Item::Resource(entry));
        self
    }

    /// Registers a resource template (RFC 6570), such as
    /// `files://{category}/{filename}`; its variables reach the handler through
    /// [`UriParams`](crate::UriParams).
    pub fn resource_template<M, H: Handler<M, ResourceKind>>(
        mut self,
        uri_template: impl Into<String>,
        handler: H,
    ) -> Self {
        let source = uri_template.into();
        match UriTemplate::parse(&source) {
            Ok(template) => {
                let name = default_template_name(&source);
                self.items.push(Item::Template(TemplateEntry {
                    template,
                    name,
                    title: None,
                    description: None,
                    mime_type: None,
                    annotations: None,
                    icons: Vec::new(),
                    meta: None,
                    required_scopes: Vec::new(),
                    handler: handler::erase(handler),
                    completers: HashMap::new(),
                }));
            }
            Err(reason) => self.errors.push(Error::Registration {
                kind: "resource template",
                name: source,
                reason,
            }),
        }
        self
    }

    /// Registers a prompt. Its arguments come from its [`Args`](crate::Args)
    /// parameter's fields (each arrives as a string and is parsed into the
    /// field's type).
    pub fn prompt<M, H: Handler<M, PromptKind>>(
        mut self,
        name: impl Into<String>,
        handler: H,
    ) -> Self {
        let arguments = H::input_schema()
            .map(|s| {
                handler::object_properties(&s)
                    .into_iter()
                    .map(|(name, description, required)| PromptArgument {
                        name,
                        description,
                        required,
                    })
                    .collect()
            })
            .unwrap_or_default();
        self.items.push(Item::Prompt(PromptEntry {
            name: name.into(),
            title: None,
            description: None,
            arguments,
            icons: Vec::new(),
            meta: None,
            required_scopes: Vec::new(),
            handler: handler::erase(handler),
            completers: HashMap::new(),
        }));
        self
    }

    /// Completes arguments that have no completer of their own:
    /// `(reference, argument name, value so far, resolved arguments)`.
    pub fn completion(
        mut self,
        f: impl Fn(&Value, &str, &str, &Map<String, Value>) -> Vec<String> + Send + Sync + 'static,
    ) -> Self {
        self.completion = Some(Arc::new(f));
        self
    }

    // ---- composition ----------------------------------------------------------

    /// Adds every item of `other` to this server, unchanged.
    pub fn merge(mut self, other: Server) -> Self {
        self.items.extend(other.items);
        self.errors.extend(other.errors);
        self
    }

    /// Adds every item of `other` under a prefix: tools and prompts become
    /// `{prefix}_{name}`, resource URIs `{scheme}://{prefix}/{rest}`.
    pub fn mount(mut self, prefix: &str, other: Server) -> Self {
        for item in other.items {
            match item.prefixed(prefix) {
                Ok(item) => self.items.push(item),
                Err(e) => self.errors.push(e),
            }
        }
        self.errors.extend(other.errors);
        self
    }

    // ---- settings -------------------------------------------------------------

    /// Sets a setting by its environment variable name (`"MCP_PORT"`, …); a
    /// builder value beats flags and the environment.
    pub fn setting(mut self, var: &'static str, value: impl Into<String>) -> Self {
        self.overrides.set(var, value);
        self
    }

    /// The transport `run()` serves (else `--transport`, `MCP_TRANSPORT`, stdio).
    pub fn transport(self, transport: Transport) -> Self {
        let name = match transport {
            Transport::Stdio => "stdio",
            Transport::Http => "http",
            Transport::Sse => "sse",
        };
        self.setting("MCP_TRANSPORT", name)
    }

    /// The port for HTTP transports.
    pub fn port(self, port: u16) -> Self {
        self.setting("MCP_PORT", port.to_string())
    }

    /// The host for HTTP transports.
    pub fn host(self, host: impl Into<String>) -> Self {
        self.setting("MCP_HOST", host)
    }

    /// Items per page of a list.
    pub fn page_size(self, n: usize) -> Self {
        self.setting("MCP_PAGE_SIZE", n.to_string())
    }

    /// How long a tool, resource or prompt handler may run (else
    /// `MCP_TOOL_TIMEOUT_SECS`, else 300 s), in whole seconds (a fraction
    /// rounds up); `Duration::ZERO` means no limit. A tool's own
    /// [`timeout`](Server::timeout) wins.
    pub fn tool_timeout(self, limit: std::time::Duration) -> Self {
        let secs = limit.as_secs() + u64::from(limit.subsec_nanos() > 0);
        self.setting("MCP_TOOL_TIMEOUT_SECS", secs.to_string())
    }

    /// What to do when an item is registered twice.
    pub fn on_duplicate(self, policy: DuplicatePolicy) -> Self {
        let v = match policy {
            DuplicatePolicy::Warn => "warn",
            DuplicatePolicy::Replace => "replace",
            DuplicatePolicy::Ignore => "ignore",
            DuplicatePolicy::Error => "error",
        };
        self.setting("MCP_WARN_ON_DUPLICATE_TOOLS", v)
            .setting("MCP_WARN_ON_DUPLICATE_RESOURCES", v)
            .setting("MCP_WARN_ON_DUPLICATE_PROMPTS", v)
    }

    // ---- running --------------------------------------------------------------

    /// Builds the server with settings from the builder, then `flags`, then
    /// the process environment, then defaults.
    pub fn build_with_flags(self, flags: &[(&'static str, String)]) -> Result<Service, Error> {
        let settings = Settings::resolve(&self.overrides, flags, |k| std::env::var(k).ok())?;
        self.build_with(settings)
    }

    /// Builds the server with settings from the builder and the environment.
    pub fn build(self) -> Result<Service, Error> {
        self.build_with_flags(&[])
    }

    /// Builds the server with these settings.
    pub fn build_with(self, settings: Settings) -> Result<Service, Error> {
        if let Some(e) = self.errors.into_iter().next() {
            return Err(e);
        }
        let mut http = self.http;
        super::http::resolve_auth(&mut http, &self.overrides, &settings)?;
        if http.require_auth && settings.transport != Transport::Stdio && !http.auth_configured() {
            return Err(Error::Builder(
                "this server requires access tokens over HTTP, but none are configured: set MCP_AUTH_RESOURCE_URL, MCP_AUTH_ISSUER_URL and MCP_AUTH_JWKS_URL (or MCP_AUTH_INTROSPECTION_URL), in the environment or in .env; for local development set MCP_AUTH_DEV=true (or call .dev_auth()) instead".into(),
            ));
        }
        let registry = Registry::assemble(self.items, &settings)?;
        let core = Core::new(
            Value::Object(self.info),
            self.instructions,
            registry,
            settings,
            self.completion,
        );
        Ok(Service::new(Arc::new(core), http))
    }

    /// Serves the transport chosen by `--transport`/`--host`/`--port`, else
    /// `MCP_TRANSPORT`/`MCP_HOST`/`MCP_PORT`, else stdio; logs go to stderr.
    /// On stdio, see [`Service::serve_stdio`] for what happens to stdout and
    /// to handlers still running after stdin closes.
    pub async fn run(self) -> Result<(), Error> {
        // A `.env` in the working directory fills variables not already set.
        let _ = dotenvy::dotenv();
        let flags = flags_from_args(std::env::args().skip(1))?;
        let service = self.build_with_flags(&flags)?;
        super::tracing::init(&service.core.settings);
        service.core.settings.log_effective();
        service.serve().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Source;
    use crate::transport::http::HttpConfig;
    use std::time::Duration;

    #[test]
    fn tool_timeout_rounds_up_to_whole_seconds_and_zero_means_none() {
        let limit = |server: Server| {
            server
                .build_with_flags(&[])
                .unwrap()
                .settings()
                .tool_timeout
        };
        let s = || Server::new("t");
        assert_eq!(
            limit(s().setting("MCP_TOOL_TIMEOUT_SECS", "300")),
            Some(Duration::from_secs(300))
        );
        assert_eq!(
            limit(s().tool_timeout(Duration::from_millis(1500))),
            Some(Duration::from_secs(2))
        );
        assert_eq!(limit(s().tool_timeout(Duration::ZERO)), None);
    }

    #[test]
    fn a_builder_override_reaches_the_http_config() {
        let service = Server::new("t")
            .setting("MCP_MAX_SESSIONS", "5")
            .setting("MCP_SESSION_IDLE_TIMEOUT_SECS", "7")
            .setting("MCP_JSON_RESPONSE", "true")
            .setting("MCP_STATELESS_HTTP", "true")
            .setting("MCP_SHUTDOWN_GRACE_SECS", "2")
            .setting("MCP_SSE_KEEP_ALIVE_SECS", "3")
            .setting("MCP_DNS_REBINDING_PROTECTION", "false")
            .build_with_flags(&[])
            .unwrap();
        let c = HttpConfig::from_settings(service.settings());
        assert_eq!(c.max_sessions, 5);
        assert_eq!(c.session_idle_timeout, Duration::from_secs(7));
        assert!(c.json_response && c.stateless);
        assert_eq!(c.shutdown_grace, Duration::from_secs(2));
        assert_eq!(c.keep_alive, Duration::from_secs(3));
        assert_eq!(c.dns_rebinding_protection, Some(false));
        let source = service
            .settings()
            .sources
            .iter()
            .find(|(k, _)| *k == "MCP_MAX_SESSIONS")
            .map(|(_, s)| *s);
        assert_eq!(source, Some(Source::Builder));
    }
}
