//! Types of the `{{ tool }}` tool, generated from its schemas with typify 0.8.
//! The schemas themselves are served verbatim, and arguments are checked
//! against the input schema before these types see them.
{% for part in parts %}
{%- match part.code %}
{%- when Some(code) %}
/// Types of `{{ part.file }}`.
#[allow(clippy::all, clippy::pedantic, dead_code, unused_imports, irrefutable_let_patterns, non_camel_case_types)]
pub mod {{ part.module }} {
{{ code }}
{%- if let Some(alias) = part.alias %}
    /// The schema's root type.
    pub type {{ part.type_name }} = {{ alias }};
{%- endif %}
}
pub use {{ part.module }}::{{ part.type_name }};
{%- when None %}
#[doc = {{ part.reason }}]
pub type {{ part.type_name }} = ::serde_json::Value;
{%- endmatch %}
{% endfor %}
