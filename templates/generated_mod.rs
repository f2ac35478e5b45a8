//! Generator-owned code: the server's registrations and the types of every
//! tool, resource and prompt in `[package.metadata.mcp]`.

mod server;
pub use server::server;

/// Argument and result types of tools.
pub mod tools {
{%- for m in tools %}
    pub mod {{ m }};
{%- endfor %}
}

/// URI variables of resource templates.
pub mod resources {
{%- for m in resources %}
    pub mod {{ m }};
{%- endfor %}
}

/// Arguments of prompts.
pub mod prompts {
{%- for m in prompts %}
    pub mod {{ m }};
{%- endfor %}
}
{%- if openapi %}

/// HTTP APIs imported from OpenAPI documents.
pub mod openapi;
{%- endif %}
