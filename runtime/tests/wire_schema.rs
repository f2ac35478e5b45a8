//! What the runtime puts on the wire validates against the official
//! `schema.json` of the revision in use (fixtures/mcp-schema/<revision>/).
//! Every message of a scripted session is checked: each result against the
//! result type of its method, errors, notifications and the server's own
//! requests against theirs.

#[path = "../examples/conformance.rs"]
mod conformance;
mod support;

use serde_json::{json, Value};
use std::collections::HashMap;
use support::{modern, Client, MODERN};

struct Schema {
    doc: Value,
    defs: &'static str,
}

impl Schema {
    fn load(version: &str) -> Schema {
        let path = format!(
            "{}/../fixtures/mcp-schema/{version}/schema.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let defs = if doc.get("$defs").is_some() {
            "$defs"
        } else {
            "definitions"
        };
        Schema { doc, defs }
    }

    fn has(&self, name: &str) -> bool {
        self.doc[self.defs].get(name).is_some()
    }

    fn check(&self, name: &str, value: &Value) -> Result<(), String> {
        let mut schema = self.doc.clone();
        schema["$ref"] = json!(format!("#/{}/{name}", self.defs));
        let validator =
            jsonschema::validator_for(&schema).map_err(|e| format!("schema {name}: {e}"))?;
        let errors: Vec<String> = validator
            .iter_errors(value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!("{name}: {}\n  in {value}", errors.join("; ")))
        }
    }
}

fn result_type(method: &str) -> &'static str {
    match method {
        "initialize" => "InitializeResult",
        "server/discover" => "DiscoverResult",
        "tools/list" => "ListToolsResult",
        "tools/call" => "CallToolResult",
        "resources/list" => "ListResourcesResult",
        "resources/templates/list" => "ListResourceTemplatesResult",
        "resources/read" => "ReadResourceResult",
        "prompts/list" => "ListPromptsResult",
        "prompts/get" => "GetPromptResult",
        "completion/complete" => "CompleteResult",
        _ => "EmptyResult",
    }
}

fn message_type(method: &str) -> Option<&'static str> {
    Some(match method {
        "notifications/message" => "LoggingMessageNotification",
        "notifications/progress" => "ProgressNotification",
        "notifications/resources/updated" => "ResourceUpdatedNotification",
        "notifications/tools/list_changed" => "ToolListChangedNotification",
        "notifications/prompts/list_changed" => "PromptListChangedNotification",
        "notifications/subscriptions/acknowledged" => "SubscriptionsAcknowledgedNotification",
        "sampling/createMessage" => "CreateMessageRequest",
        "elicitation/create" => "ElicitRequest",
        "roots/list" => "ListRootsRequest",
        _ => return None,
    })
}

/// Validates everything the server sent; `sent` maps request ids to methods.
fn validate_all(
    schema: &Schema,
    received: &[Value],
    sent: &HashMap<String, String>,
) -> Vec<String> {
    let error_type = if schema.has("JSONRPCErrorResponse") {
        "JSONRPCErrorResponse"
    } else {
        "JSONRPCError"
    };
    let mut problems = Vec::new();
    let mut checked = 0;
    for m in received {
        let outcome = if let Some(method) = m.get("method").and_then(Value::as_str) {
            match message_type(method) {
                Some(t) => schema.check(t, m),
                None => Err(format!("unexpected message {m}")),
            }
        } else if m.get("error").is_some() {
            schema.check(error_type, m)
        } else {
            let id = m["id"].to_string();
            let method = sent.get(&id).map(String::as_str).unwrap_or("");
            let result = &m["result"];
            if result["resultType"] == "input_required" {
                schema.check("InputRequiredResult", result)
            } else {
                schema.check(result_type(method), result)
            }
        };
        checked += 1;
        if let Err(e) = outcome {
            problems.push(e);
        }
    }
    assert!(checked > 10, "too few messages checked");
    problems
}

/// Sends `method` and records it for validation.
async fn call(c: &mut Client, sent: &mut HashMap<String, String>, method: &str, params: Value) {
    // The client numbers requests from 1; mirror that to know each response's method.
    let id = sent.len() as i64 + 1;
    sent.insert(id.to_string(), method.to_string());
    c.call(method, params).await;
}

async fn legacy_session(version: &str) -> (Vec<Value>, HashMap<String, String>) {
    let mut c = Client::start(conformance::server());
    let mut sent = HashMap::new();
    call(
        &mut c,
        &mut sent,
        "initialize",
        json!({"protocolVersion": version, "capabilities": {"sampling": {}, "elicitation": {}}, "clientInfo": {"name": "t", "version": "1"}}),
    )
    .await;
    let calls: Vec<(&str, Value)> = vec![
        ("ping", json!({})),
        ("tools/list", json!({})),
        ("resources/list", json!({})),
        ("resources/templates/list", json!({})),
        ("prompts/list", json!({})),
        ("tools/call", json!({"name": "test_simple_text"})),
        ("tools/call", json!({"name": "test_image_content"})),
        ("tools/call", json!({"name": "test_embedded_resource"})),
        ("tools/call", json!({"name": "test_multiple_content_types"})),
        ("tools/call", json!({"name": "test_error_handling"})),
        ("tools/call", json!({"name": "test_tool_with_logging"})),
        (
            "tools/call",
            json!({"name": "test_tool_with_progress", "_meta": {"progressToken": 7}}),
        ),
        (
            "tools/call",
            json!({"name": "test_sampling", "arguments": {"prompt": "hi"}}),
        ),
        (
            "tools/call",
            json!({"name": "add", "arguments": {"a": "x"}}),
        ),
        ("tools/call", json!({"name": "no_such_tool"})),
        ("resources/read", json!({"uri": "test://static-text"})),
        ("resources/read", json!({"uri": "test://static-binary"})),
        ("resources/read", json!({"uri": "test://template/5/data"})),
        ("resources/read", json!({"uri": "test://missing"})),
        (
            "prompts/get",
            json!({"name": "test_prompt_with_arguments", "arguments": {"arg1": "a", "arg2": "b"}}),
        ),
        (
            "prompts/get",
            json!({"name": "test_prompt_with_embedded_resource", "arguments": {"resourceUri": "test://x"}}),
        ),
        ("prompts/get", json!({"name": "test_prompt_with_image"})),
        ("logging/setLevel", json!({"level": "info"})),
        (
            "resources/subscribe",
            json!({"uri": "test://watched-resource"}),
        ),
    ];
    let mut calls = calls;
    if version >= "2025-03-26" {
        calls.push(("tools/call", json!({"name": "test_audio_content"})));
        calls.push(("completion/complete", json!({"ref": {"type": "ref/prompt", "name": "test_prompt_with_arguments"}, "argument": {"name": "arg1", "value": "pa"}})));
    }
    if version >= "2025-06-18" {
        calls.push((
            "tools/call",
            json!({"name": "test_elicitation", "arguments": {"message": "who?"}}),
        ));
    }
    for (method, params) in calls {
        call(&mut c, &mut sent, method, params).await;
    }
    (c.received, sent)
}

#[tokio::test]
async fn legacy_sessions_validate_against_each_revisions_schema() {
    for version in ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"] {
        let schema = Schema::load(version);
        // The validator does catch a malformed result.
        assert!(schema
            .check("CallToolResult", &json!({"isError": true}))
            .is_err());
        let (received, sent) = legacy_session(version).await;
        let problems = validate_all(&schema, &received, &sent);
        assert!(problems.is_empty(), "{version}:\n{}", problems.join("\n"));
    }
}

#[tokio::test]
async fn stateless_requests_validate_against_the_2026_schema() {
    let schema = Schema::load(MODERN);
    // A 2026 result without resultType is invalid; the validator must say so.
    assert!(schema
        .check("CallToolResult", &json!({"content": []}))
        .is_err());
    let mut c = Client::start(conformance::server());
    let mut sent = HashMap::new();
    let caps = json!({"sampling": {}, "elicitation": {}, "roots": {}});
    let log = json!({"io.modelcontextprotocol/logLevel": "debug", "progressToken": "p"});
    let calls: Vec<(&str, Value)> = vec![
        ("server/discover", json!({})),
        ("tools/list", json!({})),
        ("resources/list", json!({})),
        ("resources/templates/list", json!({})),
        ("prompts/list", json!({})),
        ("tools/call", json!({"name": "test_simple_text"})),
        ("tools/call", json!({"name": "test_audio_content"})),
        ("tools/call", json!({"name": "test_multiple_content_types"})),
        ("tools/call", json!({"name": "test_error_handling"})),
        (
            "tools/call",
            json!({"name": "test_input_required_result_multiple_inputs"}),
        ),
        ("tools/call", json!({"name": "no_such_tool"})),
        ("resources/read", json!({"uri": "test://static-binary"})),
        ("resources/read", json!({"uri": "test://template/1/data"})),
        ("resources/read", json!({"uri": "test://missing"})),
        ("prompts/get", json!({"name": "test_prompt_with_image"})),
        (
            "prompts/get",
            json!({"name": "test_input_required_result_prompt"}),
        ),
        (
            "completion/complete",
            json!({"ref": {"type": "ref/prompt", "name": "test_prompt_with_arguments"}, "argument": {"name": "arg1", "value": "p"}}),
        ),
        ("ping", json!({})),
    ];
    for (method, params) in calls {
        call(
            &mut c,
            &mut sent,
            method,
            modern(params, caps.clone(), json!({})),
        )
        .await;
    }
    for name in ["test_tool_with_logging", "test_tool_with_progress"] {
        call(
            &mut c,
            &mut sent,
            "tools/call",
            modern(json!({"name": name}), caps.clone(), log.clone()),
        )
        .await;
    }
    let e = json!({"io.modelcontextprotocol/protocolVersion": "1.0"});
    call(
        &mut c,
        &mut sent,
        "tools/list",
        modern(json!({}), caps.clone(), e),
    )
    .await;
    call(
        &mut c,
        &mut sent,
        "tools/call",
        modern(
            json!({"name": "test_missing_capability"}),
            json!({}),
            json!({}),
        ),
    )
    .await;
    let problems = validate_all(&schema, &c.received, &sent);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
