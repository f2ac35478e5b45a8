//! The `{{ name }}` tool: `{{ method }} {{ path }}`{% if let Some(id) = operation_id %} (operationId `{{ id }}`){% endif %}, from
//! `{{ spec }}` at `{{ pointer }}`. The request is built and sent by
//! `mcp_runtime::openapi`; this file only says how.

use mcp_runtime::openapi;
use mcp_runtime::prelude::*;

/// The input schema served in `tools/list`: every parameter and the body, in one object.
pub const INPUT_SCHEMA: &str = {{ input_schema }};
{%- if let Some(s) = output_schema %}

/// The output schema served in `tools/list`.
pub const OUTPUT_SCHEMA: &str = {{ s }};
{%- endif %}

{{ types }}

/// Where each argument goes in the request.
pub const OPERATION: openapi::Operation = {{ operation }};

/// Calls `{{ method }} {{ path }}` and answers with what the API returned.
pub async fn {{ module }}(Params(input): Params<Input>) -> ToolResult {
    openapi::call(&super::API, &OPERATION, &input).await
}
