//! The `{{ name }}` prompt. This file is yours: `cargo mcp` wrote it once
//! and will never overwrite it.

use mcp_runtime::prelude::*;
{%- if let Some(t) = args_type %}
use crate::generated::prompts::{{ module }}::{{ t }};
{%- endif %}

/// Renders the `{{ name }}` prompt: the messages sent to the model.
pub async fn {{ module }}(
{%- if let Some(t) = args_type -%}
Args(args): Args<{{ t }}>
{%- endif -%}
) -> Result<Vec<PromptMessage>, ToolError> {
{%- if args_type.is_some() %}
    // TODO: write the prompt; `args` holds what the client filled in.
    let filled = serde_json::to_string(&args).map_err(|e| ToolError::new(e.to_string()))?;
    Ok(vec![PromptMessage::user(format!("{{ name }} with {filled}"))])
{%- else %}
    // TODO: write the prompt.
    Ok(vec![PromptMessage::user("{{ name }}")])
{%- endif %}
}
