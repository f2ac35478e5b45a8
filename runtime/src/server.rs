//! The [`Server`] builder: register tools, resources, templates and prompts,
//! describe each right after registering it, then `run()`.
//!
//! ```no_run
//! use mcp_runtime::prelude::*;
//!
//! async fn add(Args((a, b)): Args<(i64, i64)>) -> i64 { a + b }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), mcp_runtime::Error> {
//!     Server::new("demo").tool("add", add).description("Add two numbers").run().await
//! }
//! ```

use crate::dispatch::{Core, Event, FallbackCompleter, Outbound, Session};
use crate::error::Error;
use crate::handler::{self, Handler, PromptKind, ResourceKind, ToolKind};
use crate::protocol::{Annotations, Icon, ToolAnnotations};
use crate::registry::{
    Completer, PromptArgument, PromptEntry, Registry, ResourceEntry, TemplateEntry, ToolEntry,
    UriTemplate,
};
use crate::settings::{flags_from_args, DuplicatePolicy, Overrides, Settings, Transport};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
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

enum Item {
    Tool(ToolEntry),
    Resource(ResourceEntry),
    Template(TemplateEntry),
    Prompt(PromptEntry),
}

impl Item {
    fn kind(&self) -> &'static str {
        match self {
            Item::Tool(_) => "tool",
            Item::Resource(_) => "resource",
            Item::Template(_) => "resource template",
            Item::Prompt(_) => "prompt",
        }
    }
    fn key(&self) -> String {
        match self {
            Item::Tool(t) => t.name.clone(),
            Item::Resource(r) => r.uri.clone(),
            Item::Template(t) => t.template.as_str().to_string(),
            Item::Prompt(p) => p.name.clone(),
        }
    }
}

/// An MCP server under construction.
///
/// Item methods ([`description`](Server::description), [`title`](Server::title),
/// [`annotations`](Server::annotations), [`mime_type`](Server::mime_type), …)
/// describe the tool, resource, template or prompt registered just before.
pub struct Server {
    info: Map<String, Value>,
    instructions: Option<String>,
    items: Vec<Item>,
    errors: Vec<Error>,
    overrides: Overrides,
    completion: Option<FallbackCompleter>,
    http: crate::transport::http::HttpExtras,
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
                let name = crate::registry::default_template_name(&source);
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

    // ---- describing the last item -------------------------------------------

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
    /// not apply.
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
        for mut item in other.items {
            match &mut item {
                Item::Tool(t) => t.name = format!("{prefix}_{}", t.name),
                Item::Prompt(p) => p.name = format!("{prefix}_{}", p.name),
                Item::Resource(r) => r.uri = prefix_uri(prefix, &r.uri),
                Item::Template(t) => {
                    let source = prefix_uri(prefix, t.template.as_str());
                    match UriTemplate::parse(&source) {
                        Ok(parsed) => t.template = parsed,
                        Err(reason) => {
                            self.errors.push(Error::Registration {
                                kind: "resource template",
                                name: source,
                                reason,
                            });
                            continue;
                        }
                    }
                }
            }
            self.items.push(item);
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

    // ---- custom HTTP routes ---------------------------------------------------

    /// Requires tokens on the MCP endpoints, checked by `auth` (a JWKS or
    /// introspection verifier, your own [`TokenVerifier`](crate::auth::TokenVerifier),
    /// or the development authorization server's). Without this, `MCP_AUTH_*`
    /// settings configure it.
    #[cfg(feature = "auth")]
    pub fn auth(mut self, auth: Arc<crate::auth::Auth>) -> Self {
        self.http.auth = Some(auth);
        self
    }

    /// Refuses to serve HTTP unless access tokens are checked (by
    /// [`Server::auth`] or `MCP_AUTH_*`): a server that must not run open
    /// stops at startup with a message naming the variables, instead of
    /// serving everyone. Stdio is unaffected (there are no tokens there).
    ///
    /// ```
    /// # use mcp_runtime::prelude::*;
    /// let server = Server::new("private").tool("wipe", || async { "done" }).require_auth();
    /// # let _ = server;
    /// ```
    pub fn require_auth(mut self) -> Self {
        self.http.require_auth = true;
        self
    }

    /// Serves the development OAuth 2.1 authorization server
    /// ([`DevAuthServer`](crate::auth::dev_server::DevAuthServer)) on the
    /// server's own port and requires its tokens on the MCP endpoints, so
    /// that OAuth clients run the whole flow (discovery, dynamic client
    /// registration, authorization code with PKCE, token) against one
    /// process. **Development only**: it approves every request as the user
    /// `dev-user` without a login, and says so in a loud warning at start.
    ///
    /// - The issuer is the server's base URL: the origin of
    ///   `MCP_AUTH_RESOURCE_URL` when set, else `http://127.0.0.1:PORT` for a
    ///   server bound to `0.0.0.0`, `localhost` or `127.0.0.1` (else
    ///   `http://HOST:PORT`), with the port actually bound.
    /// - The resource (the token audience, RFC 8707) is the MCP endpoint's
    ///   URL, such as `http://127.0.0.1:8000/mcp`; clients should connect
    ///   to that very URL.
    /// - `MCP_AUTH_REQUIRED_SCOPES` are required on every request and,
    ///   with `MCP_AUTH_SCOPES_SUPPORTED`, announced; per-item
    ///   [`scopes`](Server::scopes) work as with any verifier.
    /// - The signing key is kept in `MCP_AUTH_DEV_KEY_FILE` (default
    ///   `.mcp-dev-auth.key` in the working directory, made with mode 0600),
    ///   so tokens survive restarts.
    ///
    /// `MCP_AUTH_DEV=true` in the environment turns it on for any server;
    /// this method wins over the environment (and `MCP_AUTH_DEV=false`
    /// wins over nothing). An explicit [`auth`](Server::auth) wins over
    /// both. Over stdio it is ignored, with a warning.
    ///
    /// ```no_run
    /// use mcp_runtime::prelude::*;
    ///
    /// async fn whoami(ctx: Context) -> String {
    ///     ctx.access_token()
    ///         .and_then(|t| t.subject.clone())
    ///         .unwrap_or_default()
    /// }
    ///
    /// #[tokio::main]
    /// async fn main() -> Result<(), mcp_runtime::Error> {
    ///     // Then: cargo run -- --transport http --port 8000, and point an
    ///     // OAuth-capable client at http://127.0.0.1:8000/mcp.
    ///     Server::new("demo").tool("whoami", whoami).dev_auth().run().await
    /// }
    /// ```
    #[cfg(feature = "auth")]
    pub fn dev_auth(self) -> Self {
        self.setting("MCP_AUTH_DEV", "true")
    }

    /// Serves an axum route beside the MCP endpoint, on the same port (HTTP
    /// transports only): `.route("/health", axum::routing::get(|| async { "ok" }))`.
    /// Handlers may take `axum::Extension<ServerHandle>` to reach the server.
    pub fn route(mut self, path: &str, route: axum::routing::MethodRouter) -> Self {
        if let Err(e) = self.http.add_route(path, route) {
            self.errors.push(e);
        }
        self
    }

    /// Serves a whole axum router beside the MCP endpoint, on the same port
    /// (HTTP transports only). The MCP endpoints win where paths overlap.
    pub fn router(mut self, router: axum::Router) -> Self {
        if let Err(e) = self.http.add_router(router) {
            self.errors.push(e);
        }
        self
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
        resolve_auth(&mut http, &self.overrides, &settings)?;
        if http.require_auth && settings.transport != Transport::Stdio && !http.auth_configured() {
            return Err(Error::Builder(
                "this server requires access tokens over HTTP, but none are configured: set MCP_AUTH_RESOURCE_URL, MCP_AUTH_ISSUER_URL and MCP_AUTH_JWKS_URL (or MCP_AUTH_INTROSPECTION_URL), in the environment or in .env; for local development set MCP_AUTH_DEV=true (or call .dev_auth()) instead".into(),
            ));
        }
        let registry = assemble(self.items, &settings)?;
        let core = Core::new(
            Value::Object(self.info),
            self.instructions,
            registry,
            settings,
            self.completion,
        );
        Ok(Service {
            core: Arc::new(core),
            http,
        })
    }

    /// Serves the transport chosen by `--transport`/`--host`/`--port`, else
    /// `MCP_TRANSPORT`/`MCP_HOST`/`MCP_PORT`, else stdio; logs go to stderr.
    pub async fn run(self) -> Result<(), Error> {
        // A `.env` in the working directory fills variables not already set.
        let _ = dotenvy::dotenv();
        let flags = flags_from_args(std::env::args().skip(1))?;
        let service = self.build_with_flags(&flags)?;
        init_tracing(&service.core.settings);
        service.core.settings.log_effective();
        service.serve().await
    }
}

/// Turns `MCP_AUTH_*` (from the builder, else the environment) into token
/// checks on the HTTP endpoints, unless `Server::auth` already set them.
#[cfg(feature = "auth")]
fn resolve_auth(
    http: &mut crate::transport::http::HttpExtras,
    overrides: &Overrides,
    settings: &Settings,
) -> Result<(), Error> {
    if http.auth.is_some() {
        return Ok(());
    }
    let lookup = |var: &str| {
        overrides
            .values
            .iter()
            .rev()
            .find(|(k, _)| *k == var)
            .map(|(_, v)| v.clone())
            .or_else(|| std::env::var(var).ok())
    };
    if settings.auth_dev {
        // The development server is the verifier; the other values (the
        // resource URL, scopes) still apply.
        let config = crate::auth::AuthConfig::read_lookup(lookup)
            .map_err(|e| Error::Builder(e.to_string()))?;
        let endpoint =
            crate::transport::http::join_path(&settings.mount_path, &settings.streamable_http_path);
        http.dev_auth = Some(Arc::new(crate::auth::dev_mode::DevAuthPlan::new(
            config, settings, endpoint,
        )));
        return Ok(());
    }
    let config =
        crate::auth::AuthConfig::from_lookup(lookup).map_err(|e| Error::Builder(e.to_string()))?;
    if let Some(config) = config {
        let auth =
            crate::auth::Auth::from_config(config).map_err(|e| Error::Builder(e.to_string()))?;
        http.auth = Some(Arc::new(auth));
    }
    Ok(())
}

#[cfg(not(feature = "auth"))]
fn resolve_auth(
    _http: &mut crate::transport::http::HttpExtras,
    _overrides: &Overrides,
    _settings: &Settings,
) -> Result<(), Error> {
    Ok(())
}

fn prefix_uri(prefix: &str, uri: &str) -> String {
    match uri.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{prefix}/{rest}"),
        None => format!("{prefix}/{uri}"),
    }
}

/// Tool names: 1 to 128 characters of `A-Z a-z 0-9 _ - .` (the spec's rule).
fn check_tool_name(name: &str) -> Result<(), String> {
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

fn assemble(items: Vec<Item>, settings: &Settings) -> Result<Registry, Error> {
    let mut registry = Registry::default();
    for item in items {
        let kind = item.kind();
        let key = item.key();
        let (policy, exists) = match &item {
            Item::Tool(_) => (settings.duplicate_tools, registry.tools.contains_key(&key)),
            Item::Resource(_) => (
                settings.duplicate_resources,
                registry.resources.contains_key(&key),
            ),
            Item::Template(_) => (
                settings.duplicate_resources,
                registry.templates.contains_key(&key),
            ),
            Item::Prompt(_) => (
                settings.duplicate_prompts,
                registry.prompts.contains_key(&key),
            ),
        };
        if exists {
            match policy {
                DuplicatePolicy::Error => {
                    return Err(Error::Registration {
                        kind,
                        name: key,
                        reason: "registered twice".into(),
                    })
                }
                DuplicatePolicy::Ignore => continue,
                DuplicatePolicy::Warn => tracing::warn!(
                    "{kind} {key:?} registered twice; the later one replaces the earlier"
                ),
                DuplicatePolicy::Replace => {}
            }
        }
        insert(&mut registry, item)?;
    }
    Ok(registry)
}

fn insert(registry: &mut Registry, item: Item) -> Result<(), Error> {
    match item {
        Item::Tool(mut t) => {
            t.compile().map_err(|reason| Error::Registration {
                kind: "tool",
                name: t.name.clone(),
                reason,
            })?;
            registry.tools.insert(t.name.clone(), Arc::new(t));
        }
        Item::Resource(r) => {
            registry.resources.insert(r.uri.clone(), Arc::new(r));
        }
        Item::Template(t) => {
            registry
                .templates
                .insert(t.template.as_str().to_string(), Arc::new(t));
        }
        Item::Prompt(p) => {
            registry.prompts.insert(p.name.clone(), Arc::new(p));
        }
    }
    Ok(())
}

fn init_tracing(settings: &Settings) {
    use tracing_subscriber::filter::LevelFilter;
    let level = match settings.log_level.to_ascii_lowercase().as_str() {
        _ if settings.debug => LevelFilter::DEBUG,
        "trace" => LevelFilter::TRACE,
        "debug" => LevelFilter::DEBUG,
        "info" => LevelFilter::INFO,
        "warn" | "warning" => LevelFilter::WARN,
        "off" => LevelFilter::OFF,
        _ => LevelFilter::ERROR,
    };
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false);
    // RUST_LOG's directives need the regex-based EnvFilter; a plain level
    // does not, which keeps start-up small.
    let _ = match std::env::var("RUST_LOG") {
        Ok(directives) if !directives.is_empty() => builder
            .with_env_filter(tracing_subscriber::EnvFilter::new(directives))
            .try_init(),
        _ => builder.with_max_level(level).try_init(),
    };
}

/// A built server, ready to serve any transport. Cloning shares it.
#[derive(Clone)]
pub struct Service {
    pub(crate) core: Arc<Core>,
    pub(crate) http: crate::transport::http::HttpExtras,
}

impl Service {
    /// The effective settings.
    pub fn settings(&self) -> &Settings {
        &self.core.settings
    }

    /// A handle to change the server while it serves.
    pub fn handle(&self) -> ServerHandle {
        ServerHandle {
            core: self.core.clone(),
        }
    }

    /// Serves the transport the settings chose.
    pub async fn serve(&self) -> Result<(), Error> {
        #[cfg(not(feature = "auth"))]
        if self.core.settings.auth_dev {
            tracing::warn!(
                "MCP_AUTH_DEV is ignored: this server was built without the `auth` feature"
            );
        }
        match self.core.settings.transport {
            Transport::Stdio => {
                // Logged here, once tracing is set up (not while building).
                if self.http.auth_configured() {
                    tracing::warn!(
                        "MCP_AUTH_* settings are ignored on stdio: tokens apply to the HTTP transports only"
                    );
                }
                self.serve_stdio().await
            }
            Transport::Http | Transport::Sse => crate::transport::serve_http(self.clone()).await,
        }
    }

    /// Serves stdin/stdout until stdin ends.
    pub async fn serve_stdio(&self) -> Result<(), Error> {
        crate::transport::stdio::serve_process_stdio(self.core.clone()).await
    }

    /// Serves newline-delimited JSON-RPC over any reader and writer (a pipe,
    /// a socket, an in-memory duplex) until the reader ends.
    pub async fn serve_io<R, W>(&self, reader: R, writer: W) -> Result<(), Error>
    where
        R: tokio::io::AsyncRead + Unpin + Send + 'static,
        W: tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        crate::transport::stdio::serve(self.core.clone(), reader, writer).await
    }

    /// Serves Streamable HTTP (and the legacy SSE endpoints) on a listener
    /// bound by the caller, with the service's HTTP settings, until SIGTERM
    /// or Ctrl-C.
    pub async fn serve_http_on(&self, listener: tokio::net::TcpListener) -> Result<(), Error> {
        let config = crate::transport::http::HttpConfig::from_settings(self.settings());
        crate::transport::http::serve_listener(
            self.clone(),
            listener,
            config,
            crate::transport::http::shutdown_signal(),
        )
        .await
    }

    /// The axum router of the HTTP transports (the MCP endpoints and the
    /// custom routes), to serve or nest as you like.
    pub fn http_router(&self) -> axum::Router {
        crate::transport::http::router(self.clone())
    }

    /// A new session whose session-wide notifications go to `notify`
    /// (for transports).
    pub fn session(&self, notify: Outbound) -> Arc<Session> {
        Session::new(self.core.clone(), notify)
    }
}

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
        let mut staged = Vec::new();
        for item in items.items {
            let mut single = Registry::default();
            insert(&mut single, item)?;
            staged.push(single);
        }
        let mut events = Vec::new();
        self.core.update_registry(|r| {
            for s in staged {
                if !s.tools.is_empty() {
                    events.push(Event::ToolsChanged);
                }
                if !s.resources.is_empty() || !s.templates.is_empty() {
                    events.push(Event::ResourcesChanged);
                }
                if !s.prompts.is_empty() {
                    events.push(Event::PromptsChanged);
                }
                r.tools.extend(s.tools);
                r.resources.extend(s.resources);
                r.templates.extend(s.templates);
                r.prompts.extend(s.prompts);
            }
            None
        });
        events.dedup();
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
