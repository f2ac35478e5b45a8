//! The `{{ name }}` tool: `{{ method }} {{ path }}`{% if let Some(id) = operation_id %} (operationId `{{ id }}`){% endif %}, from
//! `{{ spec }}` at `{{ pointer }}`. The request is built and sent by
//! `crate::generated::openapi::http`; this file only says how.

use crate::generated::openapi::http;
use mcp_runtime::prelude::*;

/// The input schema served in `tools/list`: every parameter and the body, in one object.
pub const INPUT_SCHEMA: &str = {{ input_schema }};
{%- if let Some(s) = output_schema %}

/// The output schema served in `tools/list`.
pub const OUTPUT_SCHEMA: &str = {{ s }};
{%- endif %}

{{ types }}

/// Where each argument goes in the request.
pub const OPERATION: http::Operation = {{ operation }};

/// Calls `{{ method }} {{ path }}` and answers with what the API returned.
pub async fn {{ module }}(Params(input): Params<Input>) -> ToolResult {
    http::call(&super::API, &OPERATION, &input).await
}
