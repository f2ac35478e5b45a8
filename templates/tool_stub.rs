//! The `{{ name }}` tool. This file is yours: `cargo mcp` wrote it once and
//! will never overwrite it.

use mcp_runtime::prelude::*;
{%- if let Some(t) = input_type %}
use crate::generated::tools::{{ module }}::{{ t }};
{%- endif %}
{%- if let Some(t) = output_type %}
use crate::generated::tools::{{ module }}::{{ t }};
{%- endif %}

/// Answers a `{{ name }}` call.
{%- if schema_input %}
///
/// The arguments were checked against `{{ input_file }}` before this runs.
{%- endif %}
pub {% if !sync %}async {% endif %}fn {{ module }}(
{%- if let Some(t) = input_type -%}
{%- if schema_input -%}
Params(input): Params<{{ t }}>
{%- else -%}
Args(input): Args<{{ t }}>
{%- endif -%}
{%- endif -%}
) -> Result<
{%- if let Some(t) = output_type -%}
Structured<{{ t }}>
{%- else -%}
String
{%- endif -%}
, ToolError> {
{%- if let Some(t) = output_type %}
    // TODO: build the {{ t }} this tool returns, as in `Ok(Structured(value))`.
{%- if input_type.is_some() %}
    let _ = input;
{%- endif %}
    Err(ToolError::new("`{{ name }}` is not implemented yet: edit src/tools/{{ module }}.rs"))
{%- else if let Some(body) = body %}
    {{ body }}
{%- else if input_type.is_some() %}
    // TODO: replace this echo with what `{{ name }}` does.
    let received = serde_json::to_string(&input).map_err(|e| ToolError::new(e.to_string()))?;
    Ok(format!("{{ name }} received {received}"))
{%- else %}
    // TODO: replace this with what `{{ name }}` does.
    Ok("{{ name }} was called".to_string())
{%- endif %}
}
