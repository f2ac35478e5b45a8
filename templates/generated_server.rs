//! The server, with every tool, resource and prompt of `[package.metadata.mcp]`
//! registered in the order listed there.

use mcp_runtime::prelude::*;

/// The server, ready to `run()` (see `src/main.rs`) or to build in-process (see `tests/`).
pub fn server() -> Server {
    Server::new(env!("CARGO_PKG_NAME"))
        .version(env!("CARGO_PKG_VERSION"))
{%- for t in tools %}
        .tool({{ t.name }}, crate::tools::{{ t.module }}::{{ t.module }})
{%- if let Some(d) = t.description %}
        .description({{ d }})
{%- endif %}
{%- if let Some(s) = t.input_schema %}
        .input_schema(include_str!({{ s }}))
{%- endif %}
{%- if let Some(s) = t.output_schema %}
        .output_schema(include_str!({{ s }}))
{%- endif %}
{%- if !t.scopes.is_empty() %}
        .scopes([{% for s in t.scopes %}{{ s }}{% if !loop.last %}, {% endif %}{% endfor %}])
{%- endif %}
{%- endfor %}
{%- for r in resources %}
{%- if r.template %}
        .resource_template({{ r.uri }}, crate::resources::{{ r.module }}::{{ r.module }})
{%- else %}
        .resource({{ r.uri }}, crate::resources::{{ r.module }}::{{ r.module }})
{%- endif %}
{%- if let Some(d) = r.description %}
        .description({{ d }})
{%- endif %}
{%- if let Some(m) = r.mime_type %}
        .mime_type({{ m }})
{%- endif %}
{%- endfor %}
{%- for p in prompts %}
        .prompt({{ p.name }}, crate::prompts::{{ p.module }}::{{ p.module }})
{%- if let Some(d) = p.description %}
        .description({{ d }})
{%- endif %}
{%- endfor %}
{%- for a in apis %}
        .merge(crate::generated::openapi::{{ a }}::server())
{%- endfor %}
{%- if let Some(auth) = auth %}
{%- if auth == &"dev" %}
        // `auth = "dev"`: the development authorization server runs on the same
        // port and signs the tokens this server accepts. Not for production.
        .dev_auth()
{%- else %}
        // `auth = "jwt"`: tokens are checked against MCP_AUTH_* (see README.md);
        // serving HTTP without them is refused.
        .require_auth()
{%- endif %}
{%- endif %}
}
