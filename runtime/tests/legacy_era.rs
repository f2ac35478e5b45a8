//! The legacy era (2024-11-05 to 2025-11-25) end to end over the stdio
//! transport's framing: handshake, every method, bad input, cancellation,
//! concurrency, notifications, and requests from server to client.

#[path = "../examples/conformance.rs"]
mod conformance;
mod support;

use mcp_runtime::prelude::*;
use mcp_runtime::settings::DuplicatePolicy;
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use support::{text, Client};

const LATEST: &str = "2025-11-25";

#[derive(Deserialize, JsonSchema)]
#[allow(dead_code)]
struct NewUser {
    /// The user's login
    #[schemars(length(min = 3, max = 12))]
    name: String,
    /// Age in years
    #[schemars(range(min = 0, max = 150))]
    age: u32,
    /// Contact address
    #[schemars(regex(pattern = r"^[^@\s]+@[^@\s]+$"))]
    email: String,
    role: Role,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum Role {
    Admin,
    Member,
}

async fn create_user(Args(u): Args<NewUser>) -> String {
    format!("created {}", u.name)
}

#[derive(Serialize, JsonSchema)]
struct Stats {
    count: usize,
    mean: f64,
}

#[derive(Deserialize, JsonSchema)]
struct Numbers {
    values: Vec<f64>,
}

async fn stats(Args(Numbers { values }): Args<Numbers>) -> Result<Json<Stats>, ToolError> {
    if values.is_empty() {
        return Err(ToolError::new("values must not be empty"));
    }
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    Ok(Json(Stats {
        count: values.len(),
        mean,
    }))
}

async fn squares(Args(Numbers { values }): Args<Numbers>) -> Json<Vec<f64>> {
    Json(values.iter().map(|v| v * v).collect())
}

async fn boom() -> String {
    panic!("the handler exploded")
}

fn sync_boom() -> String {
    panic!("the sync handler exploded")
}

#[derive(Deserialize, JsonSchema)]
struct Millis {
    ms: u64,
}

async fn sleepy(Args(Millis { ms }): Args<Millis>) -> String {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    format!("slept {ms}")
}

async fn levels(ctx: Context) -> &'static str {
    ctx.debug("d").await;
    ctx.info("i").await;
    ctx.warning("w").await;
    ctx.error("e").await;
    "logged"
}

async fn touch(ctx: Context) -> &'static str {
    ctx.notify_resource_updated("mem://watched");
    "touched"
}

async fn late() -> &'static str {
    "I was added while serving"
}

fn add_late_tool(ctx: Context) -> Result<String, ToolError> {
    ctx.server()
        .add(Server::new("").tool("late", late).description("added late"))
        .map_err(|e| ToolError::new(e.to_string()))?;
    Ok("added".into())
}

#[derive(Deserialize)]
struct FileVars {
    category: String,
    filename: String,
}

fn file(UriParams(v): UriParams<FileVars>) -> String {
    format!("{}/{}", v.category, v.filename)
}

#[derive(Deserialize)]
struct UserVars {
    user_id: u64,
}

fn profile(UriParams(v): UriParams<UserVars>) -> Json<serde_json::Value> {
    Json(json!({ "id": v.user_id, "double": v.user_id * 2 }))
}

#[derive(Deserialize, JsonSchema)]
struct Topic {
    /// What to write about
    topic: String,
    /// How many paragraphs
    paragraphs: Option<u32>,
}

fn essay(Args(t): Args<Topic>) -> String {
    format!(
        "Write {} paragraphs about {}",
        t.paragraphs.unwrap_or(1),
        t.topic
    )
}

fn kitchen() -> Server {
    Server::new("kitchen")
        .version("9.9.9")
        .instructions("Test server")
        .tool("create_user", create_user)
        .description("Create a user")
        .tool("stats", stats)
        .description("Mean of numbers")
        .tool("squares", squares)
        .description("Squares")
        .tool("boom", boom)
        .description("Panics")
        .tool("sync_boom", sync_boom)
        .description("Panics synchronously")
        .tool("sleepy", sleepy)
        .description("Sleeps")
        .tool("levels", levels)
        .description("Logs at four levels")
        .tool("touch", touch)
        .description("Updates mem://watched")
        .tool("add_late_tool", add_late_tool)
        .description("Adds a tool")
        .resource("mem://watched", || "watched")
        .description("A resource to subscribe to")
        .resource("mem://bytes", || vec![1u8, 2, 3])
        .mime_type("application/x-test")
        .resource_template("files://{category}/{filename}", file)
        .resource_template("users://{user_id}/profile", profile)
        .prompt("essay", essay)
        .description("Write an essay")
        .complete("topic", |value, _| {
            ["rust", "rivers", "mcp"]
                .iter()
                .filter(|t| t.starts_with(value))
                .map(|t| t.to_string())
                .collect()
        })
}

#[tokio::test]
async fn negotiates_each_legacy_version_and_falls_back_to_the_latest() {
    for version in ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"] {
        let mut c = Client::start(kitchen());
        let r = c.initialize(version).await;
        assert_eq!(r["protocolVersion"], version);
        assert_eq!(
            r["serverInfo"],
            json!({"name": "kitchen", "version": "9.9.9"})
        );
        assert_eq!(r["instructions"], "Test server");
        assert!(
            r["capabilities"]["tools"].is_object()
                && r["capabilities"]["resources"]["subscribe"] == true
        );
    }
    let mut c = Client::start(kitchen());
    assert_eq!(c.initialize("1999-01-01").await["protocolVersion"], LATEST);
}

#[tokio::test]
async fn a_request_before_initialize_is_refused_and_the_server_keeps_serving() {
    let mut c = Client::start(kitchen());
    let e = c.error("tools/list", json!({})).await;
    assert_eq!(e["code"], -32600);
    assert!(e["message"].as_str().unwrap().contains("initialize"));
    assert_eq!(c.result("ping", json!({})).await, json!({}));
    c.initialize(LATEST).await;
    assert_eq!(
        c.result("tools/list", json!({})).await["tools"]
            .as_array()
            .unwrap()
            .len(),
        9
    );
}

#[tokio::test]
async fn malformed_messages_get_the_right_errors_and_lose_nothing() {
    let mut c = Client::start(kitchen());
    c.initialize(LATEST).await;
    let cases: [(&str, i64, serde_json::Value); 6] = [
        ("{not json", -32700, json!(null)),
        (
            r#"{"jsonrpc":"1.0","id":7,"method":"ping"}"#,
            -32600,
            json!(7),
        ),
        (r#"{"id":8,"method":"ping"}"#, -32600, json!(8)),
        ("[1,2]", -32600, json!(null)),
        (
            r#"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":[1]}"#,
            -32602,
            json!(9),
        ),
        (
            r#"{"jsonrpc":"2.0","id":10,"method":"no/such/method"}"#,
            -32601,
            json!(10),
        ),
    ];
    for (line, code, id) in cases {
        c.send_raw(line).await;
        let m = c.read().await.unwrap();
        assert_eq!(m["error"]["code"], code, "{line} -> {m}");
        assert_eq!(m["id"], id, "{line} -> {m}");
    }
    let e = c.error("tools/call", json!({"arguments": {}})).await;
    assert_eq!(e["code"], -32602);
    let e = c.error("tools/call", json!({"name": "nope"})).await;
    assert_eq!(e["code"], -32602);
    assert_eq!(c.result("ping", json!({})).await, json!({}));
}

#[tokio::test]
async fn an_oversized_message_is_refused_and_the_next_one_served() {
    let mut c = Client::start(kitchen().setting("MCP_MAX_MESSAGE_BYTES", "1000"));
    c.initialize(LATEST).await;
    let big =
        json!({"jsonrpc": "2.0", "id": 99, "method": "ping", "params": {"pad": "x".repeat(5000)}});
    c.send(&big).await;
    let m = c.read().await.unwrap();
    assert_eq!(m["error"]["code"], -32600);
    assert!(
        m["error"]["message"]
            .as_str()
            .unwrap()
            .contains("too large"),
        "{m}"
    );
    assert_eq!(c.result("ping", json!({})).await, json!({}));
}

#[tokio::test]
async fn arguments_that_break_the_schema_name_the_field_and_the_rule() {
    let mut c = Client::start(kitchen());
    c.initialize(LATEST).await;
    let good = json!({"name": "ada", "age": 36, "email": "ada@example.com", "role": "admin"});
    let r = c
        .result(
            "tools/call",
            json!({"name": "create_user", "arguments": good}),
        )
        .await;
    assert_eq!(text(&r), "created ada");
    assert!(r.get("isError").is_none());
    let cases = [
        (
            json!({"age": 36, "email": "a@b", "role": "admin"}),
            "required",
        ),
        (
            json!({"name": "ada", "age": "old", "email": "a@b", "role": "admin"}),
            "age",
        ),
        (
            json!({"name": "ada", "age": 151, "email": "a@b", "role": "admin"}),
            "maximum",
        ),
        (
            json!({"name": "al", "age": 3, "email": "a@b", "role": "admin"}),
            "minLength",
        ),
        (
            json!({"name": "ada", "age": 3, "email": "not-an-email", "role": "admin"}),
            "pattern",
        ),
        (
            json!({"name": "ada", "age": 3, "email": "a@b", "role": "owner"}),
            "role",
        ),
    ];
    for (args, rule) in cases {
        let r = c
            .result(
                "tools/call",
                json!({"name": "create_user", "arguments": args}),
            )
            .await;
        assert_eq!(r["isError"], true, "{r}");
        assert!(text(&r).contains(rule), "expected {rule:?} in {}", text(&r));
    }
    let r = c.result("tools/call", json!({"name": "create_user", "arguments": {"name": "ada", "age": 151, "email": "a@b", "role": "admin"}})).await;
    assert!(text(&r).contains("age"), "{}", text(&r));
}

#[tokio::test]
async fn a_panicking_handler_is_an_error_result_and_the_server_keeps_serving() {
    let mut c = Client::start(kitchen());
    c.initialize(LATEST).await;
    for tool in ["boom", "sync_boom"] {
        let r = c.result("tools/call", json!({"name": tool})).await;
        assert_eq!(r["isError"], true);
        assert!(text(&r).contains("exploded"), "{r}");
    }
    let r = c
        .result(
            "tools/call",
            json!({"name": "sleepy", "arguments": {"ms": 1}}),
        )
        .await;
    assert_eq!(text(&r), "slept 1");
}

#[tokio::test]
async fn json_results_are_structured_with_an_output_schema() {
    let mut c = Client::start(kitchen());
    c.initialize(LATEST).await;
    let tools = c.result("tools/list", json!({})).await;
    let stats = tools["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "stats")
        .unwrap();
    assert_eq!(stats["outputSchema"]["type"], "object");
    assert!(stats["outputSchema"]["properties"]["mean"].is_object());
    let r = c
        .result(
            "tools/call",
            json!({"name": "stats", "arguments": {"values": [1.0, 2.0, 6.0]}}),
        )
        .await;
    assert_eq!(r["structuredContent"], json!({"count": 3, "mean": 3.0}));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(text(&r)).unwrap(),
        r["structuredContent"]
    );
    let r = c
        .result(
            "tools/call",
            json!({"name": "stats", "arguments": {"values": []}}),
        )
        .await;
    assert_eq!(
        (r["isError"].clone(), text(&r)),
        (json!(true), "values must not be empty")
    );
    // A non-object result is wrapped, in the schema and in the result alike.
    let squares = tools["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "squares")
        .unwrap();
    assert_eq!(
        squares["outputSchema"]["properties"]["result"]["type"],
        "array"
    );
    let r = c
        .result(
            "tools/call",
            json!({"name": "squares", "arguments": {"values": [2.0, 3.0]}}),
        )
        .await;
    assert_eq!(r["structuredContent"], json!({"result": [4.0, 9.0]}));
}

#[tokio::test]
async fn every_content_kind_of_the_conformance_fixture() {
    let mut c = Client::start(conformance::server());
    c.initialize(LATEST).await;
    let r = c
        .result("tools/call", json!({"name": "test_image_content"}))
        .await;
    assert_eq!(
        (
            r["content"][0]["type"].as_str(),
            r["content"][0]["mimeType"].as_str()
        ),
        (Some("image"), Some("image/png"))
    );
    let r = c
        .result("tools/call", json!({"name": "test_audio_content"}))
        .await;
    assert_eq!(r["content"][0]["mimeType"], "audio/wav");
    let r = c
        .result("tools/call", json!({"name": "test_embedded_resource"}))
        .await;
    assert_eq!(
        r["content"][0]["resource"]["uri"],
        "test://embedded-resource"
    );
    let r = c
        .result("tools/call", json!({"name": "test_multiple_content_types"}))
        .await;
    let kinds: Vec<&str> = r["content"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["text", "image", "resource"]);
    let r = c
        .result("tools/call", json!({"name": "test_error_handling"}))
        .await;
    assert_eq!(r["isError"], true);
    let r = c
        .result(
            "tools/call",
            json!({"name": "add", "arguments": {"a": 2, "b": 40}}),
        )
        .await;
    assert_eq!(text(&r), "42");
}

#[tokio::test]
async fn lists_are_paginated_with_opaque_cursors_in_a_stable_order() {
    let mut server = kitchen().page_size(4);
    for i in 0..3 {
        server = server.tool(format!("extra_{i}"), late).description("extra");
    }
    let mut c = Client::start(server);
    c.initialize(LATEST).await;
    let mut names = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let params = match &cursor {
            Some(c) => json!({"cursor": c}),
            None => json!({}),
        };
        let r = c.result("tools/list", params).await;
        pages += 1;
        names.extend(
            r["tools"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["name"].as_str().unwrap().to_string()),
        );
        match r["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(names.len(), 12);
    assert_eq!(names[0], "create_user");
    assert_eq!(names[11], "extra_2");
    assert_eq!(
        c.error("tools/list", json!({"cursor": "bm9wZQ"})).await["code"],
        -32602
    );
}

#[tokio::test]
async fn logs_obey_the_level_the_client_set() {
    let mut c = Client::start(kitchen());
    c.initialize(LATEST).await;
    let (_, notes) = c.call_full("tools/call", json!({"name": "levels"})).await;
    assert_eq!(
        notes
            .iter()
            .filter(|n| n["method"] == "notifications/message")
            .count(),
        4
    );
    assert_eq!(
        c.result("logging/setLevel", json!({"level": "warning"}))
            .await,
        json!({})
    );
    let (_, notes) = c.call_full("tools/call", json!({"name": "levels"})).await;
    let levels: Vec<&str> = notes
        .iter()
        .filter_map(|n| n["params"]["level"].as_str())
        .collect();
    assert_eq!(levels, ["warning", "error"]);
    assert_eq!(notes[0]["params"]["logger"], "kitchen");
    assert_eq!(
        c.error("logging/setLevel", json!({"level": "loud"})).await["code"],
        -32602
    );
}

#[tokio::test]
async fn progress_is_sent_only_for_a_progress_token_and_only_grows() {
    let mut c = Client::start(conformance::server());
    c.initialize(LATEST).await;
    let (_, notes) = c
        .call_full(
            "tools/call",
            json!({"name": "count_with_progress", "arguments": {"n": 3}}),
        )
        .await;
    assert!(notes
        .iter()
        .all(|n| n["method"] != "notifications/progress"));
    let (r, notes) = c
        .call_full("tools/call", json!({"name": "count_with_progress", "arguments": {"n": 3}, "_meta": {"progressToken": "tok"}}))
        .await;
    assert_eq!(text(&r["result"]), "counted to 3");
    let progress: Vec<f64> = notes
        .iter()
        .filter(|n| n["method"] == "notifications/progress")
        .map(|n| {
            assert_eq!(n["params"]["progressToken"], "tok");
            n["params"]["progress"].as_f64().unwrap()
        })
        .collect();
    assert_eq!(progress, [1.0, 2.0, 3.0]);
}

static DROPPED: AtomicBool = AtomicBool::new(false);

struct SetOnDrop;
impl Drop for SetOnDrop {
    fn drop(&mut self) {
        DROPPED.store(true, Ordering::SeqCst);
    }
}

async fn forever() -> &'static str {
    let _guard = SetOnDrop;
    tokio::time::sleep(Duration::from_secs(3600)).await;
    "never"
}

#[tokio::test]
async fn a_cancelled_request_is_dropped_and_never_answered() {
    let mut c = Client::start(kitchen().tool("forever", forever).description("Never ends"));
    c.initialize(LATEST).await;
    c.send(&json!({"jsonrpc": "2.0", "id": "slow", "method": "tools/call", "params": {"name": "forever"}})).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    c.notify(
        "notifications/cancelled",
        json!({"requestId": "slow", "reason": "user"}),
    )
    .await;
    assert_eq!(c.result("ping", json!({})).await, json!({}));
    for _ in 0..50 {
        if DROPPED.load(Ordering::SeqCst) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        DROPPED.load(Ordering::SeqCst),
        "the handler's future was dropped"
    );
    assert!(
        c.received.iter().all(|m| m["id"] != "slow"),
        "a cancelled request got an answer"
    );
}

#[tokio::test]
async fn a_slow_tool_does_not_hold_up_a_fast_one() {
    let mut c = Client::start(kitchen());
    c.initialize(LATEST).await;
    c.send(&json!({"jsonrpc": "2.0", "id": "slow", "method": "tools/call", "params": {"name": "sleepy", "arguments": {"ms": 400}}})).await;
    c.send(&json!({"jsonrpc": "2.0", "id": "fast", "method": "tools/call", "params": {"name": "sleepy", "arguments": {"ms": 1}}})).await;
    let first = c.read().await.unwrap();
    assert_eq!(first["id"], "fast");
    let second = c.read().await.unwrap();
    assert_eq!(second["id"], "slow");
}

#[tokio::test]
async fn subscribers_hear_resource_updates_and_everyone_hears_list_changes() {
    let mut c = Client::start(kitchen());
    c.initialize(LATEST).await;
    c.result("resources/subscribe", json!({"uri": "mem://watched"}))
        .await;
    c.result("tools/call", json!({"name": "touch"})).await;
    c.settle().await;
    let updates = c.notifications("notifications/resources/updated");
    assert_eq!(
        updates,
        [
            json!({"jsonrpc": "2.0", "method": "notifications/resources/updated", "params": {"uri": "mem://watched"}})
        ]
    );
    c.result("resources/unsubscribe", json!({"uri": "mem://watched"}))
        .await;
    c.result("tools/call", json!({"name": "touch"})).await;
    c.result("tools/call", json!({"name": "add_late_tool"}))
        .await;
    c.settle().await;
    assert_eq!(
        c.notifications("notifications/resources/updated").len(),
        1,
        "no update after unsubscribe"
    );
    assert_eq!(c.notifications("notifications/tools/list_changed").len(), 1);
    let tools = c.result("tools/list", json!({})).await;
    assert!(tools["tools"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["name"] == "late"));
    assert_eq!(
        text(&c.result("tools/call", json!({"name": "late"})).await),
        "I was added while serving"
    );
}

#[tokio::test]
async fn sampling_and_elicitation_reach_the_client_mid_call() {
    let mut c = Client::start(conformance::server());
    c.initialize(LATEST).await;
    let r = c
        .result(
            "tools/call",
            json!({"name": "test_sampling", "arguments": {"prompt": "hi"}}),
        )
        .await;
    assert_eq!(text(&r), "LLM response: sampled: hi");
    let r = c
        .result(
            "tools/call",
            json!({"name": "test_elicitation", "arguments": {"message": "who?"}}),
        )
        .await;
    assert!(
        text(&r).contains("action=accept") && text(&r).contains("ada@example.com"),
        "{r}"
    );
    assert!(c
        .received
        .iter()
        .any(|m| m["method"] == "elicitation/create" && m["params"]["message"] == "who?"));

    // A client that did not declare the capabilities gets a clear error instead.
    let mut c = Client::start(conformance::server());
    c.result("initialize", json!({"protocolVersion": LATEST, "capabilities": {}, "clientInfo": {"name": "bare", "version": "1"}})).await;
    let r = c
        .result(
            "tools/call",
            json!({"name": "test_sampling", "arguments": {"prompt": "hi"}}),
        )
        .await;
    assert!(text(&r).contains("does not support sampling"), "{r}");
}

#[tokio::test]
async fn resources_static_and_templated_with_typed_parameters() {
    let mut c = Client::start(kitchen());
    c.initialize(LATEST).await;
    let r = c
        .result("resources/read", json!({"uri": "mem://bytes"}))
        .await;
    assert_eq!(
        r["contents"][0],
        json!({"uri": "mem://bytes", "mimeType": "application/x-test", "blob": "AQID"})
    );
    let r = c
        .result(
            "resources/read",
            json!({"uri": "files://docs/read%20me.md"}),
        )
        .await;
    assert_eq!(r["contents"][0]["text"], "docs/read me.md");
    let r = c
        .result("resources/read", json!({"uri": "users://21/profile"}))
        .await;
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(r["contents"][0]["text"].as_str().unwrap())
            .unwrap()["double"],
        42
    );
    assert_eq!(r["contents"][0]["mimeType"], "application/json");
    let e = c
        .error("resources/read", json!({"uri": "users://abc/profile"}))
        .await;
    assert_eq!(e["code"], -32602, "{e}");
    let e = c
        .error("resources/read", json!({"uri": "mem://missing"}))
        .await;
    assert_eq!(
        (e["code"].clone(), e["data"]["uri"].clone()),
        (json!(-32002), json!("mem://missing"))
    );
    let t = c.result("resources/templates/list", json!({})).await;
    let templates: Vec<&str> = t["resourceTemplates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["uriTemplate"].as_str().unwrap())
        .collect();
    assert_eq!(
        templates,
        ["files://{category}/{filename}", "users://{user_id}/profile"]
    );
}

#[tokio::test]
async fn prompts_take_typed_arguments_and_complete_them() {
    let mut c = Client::start(kitchen());
    c.initialize(LATEST).await;
    let list = c.result("prompts/list", json!({})).await;
    let args = &list["prompts"][0]["arguments"];
    assert_eq!(
        args[0],
        json!({"name": "topic", "description": "What to write about", "required": true})
    );
    assert_eq!(args[1]["required"], false);
    let r = c
        .result(
            "prompts/get",
            json!({"name": "essay", "arguments": {"topic": "rust", "paragraphs": "3"}}),
        )
        .await;
    assert_eq!(
        r["messages"][0],
        json!({"role": "user", "content": {"type": "text", "text": "Write 3 paragraphs about rust"}})
    );
    assert_eq!(
        c.error("prompts/get", json!({"name": "essay", "arguments": {}}))
            .await["code"],
        -32602
    );
    assert_eq!(
        c.error(
            "prompts/get",
            json!({"name": "essay", "arguments": {"topic": "x", "paragraphs": "many"}})
        )
        .await["code"],
        -32602
    );
    let r = c.result("completion/complete", json!({"ref": {"type": "ref/prompt", "name": "essay"}, "argument": {"name": "topic", "value": "ri"}})).await;
    assert_eq!(r["completion"]["values"], json!(["rivers"]));
}

#[tokio::test]
async fn end_of_input_ends_the_server_cleanly_after_answering() {
    let mut c = Client::start(kitchen());
    c.initialize(LATEST).await;
    c.send(&json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "sleepy", "arguments": {"ms": 100}}})).await;
    c.close().await;
    let m = c.read().await.unwrap();
    assert_eq!(text(&m["result"]), "slept 100");
    assert!(c.read().await.is_none());
    let outcome = tokio::time::timeout(Duration::from_secs(5), &mut c.server_task)
        .await
        .unwrap()
        .unwrap();
    assert!(outcome.is_ok());
}

#[tokio::test]
async fn duplicate_registrations_follow_the_policy() {
    let twice = || kitchen().tool("sleepy", late).description("second");
    assert!(twice()
        .on_duplicate(DuplicatePolicy::Error)
        .build()
        .is_err());
    let mut c = Client::start(twice());
    c.initialize(LATEST).await;
    assert_eq!(
        text(&c.result("tools/call", json!({"name": "sleepy"})).await),
        "I was added while serving"
    );
    let mut c = Client::start(twice().on_duplicate(DuplicatePolicy::Ignore));
    c.initialize(LATEST).await;
    assert_eq!(
        text(
            &c.result(
                "tools/call",
                json!({"name": "sleepy", "arguments": {"ms": 1}})
            )
            .await
        ),
        "slept 1"
    );
}

#[tokio::test]
async fn builder_misuse_and_bad_schemas_stop_startup_with_a_message() {
    let e = Server::new("x")
        .description("orphan")
        .build()
        .err()
        .unwrap();
    assert!(e.to_string().contains("description"), "{e}");
    let e = Server::new("x")
        .tool("bad name!", late)
        .build()
        .err()
        .unwrap();
    assert!(e.to_string().contains("bad name!"), "{e}");
    let e = Server::new("x")
        .tool("t", late)
        .input_schema("{not json")
        .build()
        .err()
        .unwrap();
    assert!(e.to_string().contains("not valid JSON"), "{e}");
    let e = Server::new("x")
        .tool("t", late)
        .input_schema(json!({"type": "string"}))
        .build()
        .err()
        .unwrap();
    assert!(e.to_string().contains("object"), "{e}");
    let e = Server::new("x")
        .resource_template("bad://{x", late_resource)
        .build()
        .err()
        .unwrap();
    assert!(e.to_string().contains("unclosed"), "{e}");
    let _ = Arc::new(());
}

fn late_resource() -> &'static str {
    "r"
}

async fn read_other(ctx: Context) -> Result<String, ToolError> {
    let contents = ctx
        .read_resource("mem://watched")
        .await
        .map_err(|e| ToolError::new(e.message))?;
    Ok(format!("read {}", contents[0].uri()))
}

#[tokio::test]
async fn tools_carry_title_annotations_icons_and_meta_and_templates_complete() {
    let server = kitchen()
        .tool("described", read_other)
        .title("Described tool")
        .description("Reads another resource")
        .read_only()
        .icon(Icon::new("https://example.com/i.png"))
        .meta("com.example/team", json!("core"))
        .resource_template("docs://{section}", late_resource)
        .complete("section", |v, _| {
            vec![format!("{v}-intro"), format!("{v}-guide")]
        });
    let mut c = Client::start(server);
    c.initialize(LATEST).await;
    let tools = c.result("tools/list", json!({})).await;
    let t = tools["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "described")
        .unwrap()
        .clone();
    assert_eq!(t["title"], "Described tool");
    assert_eq!(t["annotations"], json!({"readOnlyHint": true}));
    assert_eq!(t["icons"], json!([{"src": "https://example.com/i.png"}]));
    assert_eq!(t["_meta"], json!({"com.example/team": "core"}));
    assert_eq!(
        text(&c.result("tools/call", json!({"name": "described"})).await),
        "read mem://watched"
    );
    let r = c
        .result("completion/complete", json!({"ref": {"type": "ref/resource", "uri": "docs://{section}"}, "argument": {"name": "section", "value": "api"}}))
        .await;
    assert_eq!(r["completion"]["values"], json!(["api-intro", "api-guide"]));
    let e = c.error("completion/complete", json!({"ref": {"type": "ref/resource", "uri": "nope://{x}"}, "argument": {"name": "x", "value": ""}})).await;
    assert_eq!(e["code"], -32602);
}

#[derive(Deserialize)]
struct NoteVars {
    id: String,
}

async fn note(UriParams(v): UriParams<NoteVars>) -> Result<String, ResourceError> {
    match v.id.as_str() {
        "1" => Ok("the first note".into()),
        "bad" => Err(ResourceError::InvalidParams("ids are numbers".into())),
        other => Err(ResourceError::NotFound(format!("no note {other}"))),
    }
}

async fn on_disk(Uri(uri): Uri) -> Result<String, std::io::Error> {
    std::fs::read_to_string(uri.trim_start_matches("disk://"))
}

#[tokio::test]
async fn resource_handlers_can_say_not_found_in_each_eras_words() {
    let server = || {
        kitchen()
            .resource_template("notes://{id}", note)
            .resource("disk:///nonexistent/file.txt", on_disk)
    };
    let mut c = Client::start(server());
    c.initialize(LATEST).await;
    assert_eq!(
        c.result("resources/read", json!({"uri": "notes://1"}))
            .await["contents"][0]["text"],
        "the first note"
    );
    let e = c.error("resources/read", json!({"uri": "notes://7"})).await;
    assert_eq!(
        (
            e["code"].clone(),
            e["message"].clone(),
            e["data"]["uri"].clone()
        ),
        (json!(-32002), json!("no note 7"), json!("notes://7"))
    );
    assert_eq!(
        c.error("resources/read", json!({"uri": "notes://bad"}))
            .await["code"],
        -32602
    );
    assert_eq!(
        c.error(
            "resources/read",
            json!({"uri": "disk:///nonexistent/file.txt"})
        )
        .await["code"],
        -32002
    );
    let mut c = Client::start(server());
    let p = support::modern(json!({"uri": "notes://7"}), json!({}), json!({}));
    let e = c.error("resources/read", p).await;
    assert_eq!(
        (e["code"].clone(), e["data"]["uri"].clone()),
        (json!(-32602), json!("notes://7"))
    );
}
