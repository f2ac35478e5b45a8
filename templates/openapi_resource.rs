//! The `{{ uri }}` resource{% if variable.is_some() %} template{% endif %}: `GET {{ path }}`{% if let Some(id) = operation_id %} (operationId `{{ id }}`){% endif %}, from
//! `{{ spec }}` at `{{ pointer }}`. The request is built and sent by
//! `mcp_runtime::openapi`; this file only says how.

use mcp_runtime::openapi;
use mcp_runtime::prelude::*;

/// Where the URI's parts go in the request.
pub const OPERATION: openapi::Operation = {{ operation }};

/// Reads `{{ uri }}` by calling `GET {{ path }}`.
{%- if let Some((var, arg)) = variable %}
pub async fn {{ module }}(Uri(uri): Uri, UriParams(vars): UriParams<std::collections::HashMap<String, String>>) -> Result<ResourceBody, ResourceError> {
    let value = vars
        .get({{ var }})
        .cloned()
        .ok_or_else(|| ResourceError::InvalidParams(format!("{uri} gives no `{}`", {{ var }})))?;
    let mut input = serde_json::Map::new();
    input.insert({{ arg }}.to_string(), Value::String(value));
    openapi::read(&super::API, &OPERATION, &input, &uri).await
}
{%- else %}
pub async fn {{ module }}(Uri(uri): Uri) -> Result<ResourceBody, ResourceError> {
    openapi::read(&super::API, &OPERATION, &serde_json::Map::new(), &uri).await
}
{%- endif %}
