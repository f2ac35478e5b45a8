//! {{ title }}: {{ count }} tool(s) imported from `{{ spec }}`.
//!
//! Base URL: `{{ base_url_env }}`, else {% if base_url.is_empty() %}none (set it){% else %}`{{ base_url }}`{% endif %}.
//! Timeout in seconds: `{{ timeout_env }}` (default 30).
{%- for line in auth_lines %}
//! {{ line }}
{%- endfor %}

use crate::generated::openapi::http;
use mcp_runtime::prelude::*;
{% for m in modules %}
pub mod {{ m }};
{%- endfor %}

/// Where the API is and how to sign in.
pub static API: http::Api = http::Api {
    name: {{ title_lit }},
    base_url: {{ base_url_lit }},
    base_url_env: {{ base_url_env_lit }},
    timeout_env: {{ timeout_env_lit }},
    schemes: &[{% for s in schemes %}{{ s }},{% endfor %}],
};

/// Every tool of this API, to merge into the server.
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
    server
}
