//! The resource `{{ uri }}`. This file is yours: `cargo mcp` wrote it once
//! and will never overwrite it.

use mcp_runtime::prelude::*;
{%- if let Some(t) = params_type %}
use crate::generated::resources::{{ module }}::{{ t }};
{%- endif %}

/// Reads `{{ uri }}`.
pub async fn {{ module }}(
{%- if let Some(t) = params_type -%}
UriParams(params): UriParams<{{ t }}>
{%- endif -%}
) -> Result<String, ToolError> {
{%- if params_type.is_some() %}
    // TODO: look the resource up; `params` holds the URI's variables.
    let vars = serde_json::to_string(&params).map_err(|e| ToolError::new(e.to_string()))?;
    Ok(format!("{{ module }} for {vars}"))
{%- else %}
    // TODO: return the resource's contents.
    Ok("contents of {{ uri }}".to_string())
{%- endif %}
}
