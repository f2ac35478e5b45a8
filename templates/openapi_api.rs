//! {{ title }}: {{ count }} tool(s) imported from `{{ spec }}`.
{%- if !resources.is_empty() %}
//! With `--resources`: {{ resources.len() }} parameterless or single-path-parameter `GET`(s) as resources.
{%- endif %}
//!
//! Base URL: `{{ base_url_env }}`, else {% if base_url.is_empty() %}none (set it){% else %}`{{ base_url }}`{% endif %}.
//! Timeout in seconds: `{{ timeout_env }}` (default 30).
{%- for line in auth_lines %}
//! {{ line }}
{%- endfor %}

use mcp_runtime::openapi;
use mcp_runtime::prelude::*;
{% for m in modules %}
pub mod {{ m }};
{%- endfor %}

/// Where the API is and how to sign in.
pub static API: openapi::Api = openapi::Api {
    name: {{ title_lit }},
    base_url: {{ base_url_lit }},
    base_url_env: {{ base_url_env_lit }},
    timeout_env: {{ timeout_env_lit }},
    user_agent: concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")),
    schemes: &[{% for s in schemes %}{{ s }},{% endfor %}],
};

/// Every tool{% if !resources.is_empty() %} and resource{% endif %} of this API, to merge into the server.
pub fn server() -> Server {
    let mut server = Server::new({{ title_lit }});
{%- for t in tools %}
    server = server
        .tool({{ t.name }}, {{ t.module }}::{{ t.module }})
{%- if let Some(d) = t.description %}
        .description({{ d }})
{%- endif %}
        .input_schema({{ t.module }}::INPUT_SCHEMA)
{%- if t.output %}
        .output_schema({{ t.module }}::OUTPUT_SCHEMA)
{%- endif %};
{%- endfor %}
{%- for r in resources %}
    server = server
        .resource{% if r.template %}_template{% endif %}({{ r.uri }}, {{ r.module }}::{{ r.module }})
        .name({{ r.name }})
{%- if let Some(d) = r.description %}
        .description({{ d }})
{%- endif %}
        .mime_type({{ r.mime_type }});
{%- endfor %}
    server
}
