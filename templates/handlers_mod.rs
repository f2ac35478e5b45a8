//! The {{ kind }} handlers, one module each. The modules are yours; this list
//! belongs to `cargo mcp`, which adds a line for every `cargo mcp {{ command }}`.
{% for m in modules %}
pub mod {{ m }};
{%- endfor %}
