//! In-process tests of the `{{ name }}` tool. Yours to extend: `cargo mcp`
//! wrote this file once and will never overwrite it.

mod support;

use serde_json::json;

#[tokio::test]
async fn {{ module }}_is_listed() {
    let answer = support::after_initialize("tools/list", json!({})).await;
    let tools = answer["result"]["tools"].as_array().expect("a tool list");
    assert!(tools.iter().any(|t| t["name"] == {{ name_lit }}), "{answer}");
}
{%- if let Some(args) = call_args %}

#[tokio::test]
async fn {{ module }}_answers() {
    let answer = support::after_initialize("tools/call", json!({"name": {{ name_lit }}, "arguments": {{ args }}})).await;
    let result = &answer["result"];
    assert_ne!(result["isError"], json!(true), "{answer}");
}
{%- endif %}
