//! {{ doc }}

use mcp_runtime::prelude::*;

#[doc = {{ what }}]
{%- if schema %}
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[schemars(crate = "mcp_runtime::schemars")]
{%- else %}
#[derive(Debug, Clone, Deserialize, Serialize)]
{%- endif %}
pub struct {{ type_name }} {
{%- for f in fields %}
{%- if let Some(d) = f.doc %}
    #[doc = {{ d }}]
{%- endif %}
{%- if let Some(r) = f.rename %}
    #[serde(rename = {{ r }})]
{%- endif %}
{%- if !f.required %}
    #[serde(default, skip_serializing_if = "Option::is_none")]
{%- endif %}
    pub {{ f.field }}: {{ f.ty }},
{%- endfor %}
}
