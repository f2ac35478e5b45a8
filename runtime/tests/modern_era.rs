//! The stateless era (2026-07-28) end to end: `_meta` envelopes, discovery,
//! errors, logging rules, `input_required` round trips with a signed
//! `requestState`, and `subscriptions/listen`.

#[path = "../examples/conformance.rs"]
mod conformance;
mod support;

use serde_json::{json, Value};
use support::{modern, text, Client, MODERN};

fn caps_all() -> Value {
    json!({"sampling": {}, "elicitation": {}, "roots": {"listChanged": true}})
}

fn m(params: Value) -> Value {
    modern(params, caps_all(), json!({}))
}

#[tokio::test]
async fn discover_lists_the_version_capabilities_and_caching_hints() {
    let mut c = Client::start(conformance::server());
    let r = c.result("server/discover", m(json!({}))).await;
    assert_eq!(r["supportedVersions"], json!([MODERN]));
    assert_eq!(r["resultType"], "complete");
    assert!(r["capabilities"]["tools"].is_object());
    assert!(r["ttlMs"].as_u64().is_some());
    assert!(r["cacheScope"] == "public" || r["cacheScope"] == "private");
    assert_eq!(
        r["_meta"]["io.modelcontextprotocol/serverInfo"]["name"],
        "mcp-conformance-test-server"
    );
}

#[tokio::test]
async fn envelope_errors_come_in_the_spec_order() {
    let mut c = Client::start(conformance::server());
    // Missing clientCapabilities: invalid params.
    let p = json!({"_meta": {"io.modelcontextprotocol/protocolVersion": MODERN}});
    assert_eq!(c.error("tools/list", p).await["code"], -32602);
    // An unknown version: -32022 with what is supported.
    let p = modern(
        json!({}),
        json!({}),
        json!({"io.modelcontextprotocol/protocolVersion": "v999.0.0"}),
    );
    let e = c.error("server/discover", p).await;
    assert_eq!(e["code"], -32022);
    assert_eq!(
        e["data"],
        json!({"supported": [MODERN], "requested": "v999.0.0"})
    );
    // A bad log level.
    let p = modern(
        json!({}),
        json!({}),
        json!({"io.modelcontextprotocol/logLevel": "loud"}),
    );
    assert_eq!(c.error("tools/list", p).await["code"], -32602);
    // Methods removed in 2026-07-28.
    for method in [
        "initialize",
        "ping",
        "logging/setLevel",
        "resources/subscribe",
        "unknown/method",
    ] {
        assert_eq!(
            c.error(method, m(json!({}))).await["code"],
            -32601,
            "{method}"
        );
    }
    // A capability the tool needs and the request did not declare.
    let e = c
        .error(
            "tools/call",
            modern(
                json!({"name": "test_missing_capability"}),
                json!({}),
                json!({}),
            ),
        )
        .await;
    assert_eq!(e["code"], -32021);
    assert_eq!(e["data"]["requiredCapabilities"], json!({"sampling": {}}));
}

#[tokio::test]
async fn results_carry_result_type_and_lists_carry_caching_hints() {
    let mut c = Client::start(conformance::server());
    for method in [
        "tools/list",
        "resources/list",
        "resources/templates/list",
        "prompts/list",
    ] {
        let r = c.result(method, m(json!({}))).await;
        assert_eq!(r["resultType"], "complete", "{method}");
        assert!(
            r["ttlMs"].is_u64() && r["cacheScope"].is_string(),
            "{method}: {r}"
        );
    }
    let r = c
        .result("resources/read", m(json!({"uri": "test://static-text"})))
        .await;
    assert!(r["ttlMs"].is_u64());
    let r = c
        .result("tools/call", m(json!({"name": "test_simple_text"})))
        .await;
    assert_eq!(r["resultType"], "complete");
    assert!(r.get("ttlMs").is_none());
    let e = c
        .error("resources/read", m(json!({"uri": "test://nope"})))
        .await;
    assert_eq!(
        (e["code"].clone(), e["data"]["uri"].clone()),
        (json!(-32602), json!("test://nope"))
    );
}

#[tokio::test]
async fn logs_only_when_the_request_asks_and_at_its_level() {
    let mut c = Client::start(conformance::server());
    let (_, notes) = c
        .call_full("tools/call", m(json!({"name": "test_tool_with_logging"})))
        .await;
    assert!(notes.is_empty(), "no logLevel, no logs: {notes:?}");
    let p = modern(
        json!({"name": "test_tool_with_logging"}),
        caps_all(),
        json!({"io.modelcontextprotocol/logLevel": "info"}),
    );
    let (_, notes) = c.call_full("tools/call", p).await;
    assert_eq!(
        notes
            .iter()
            .filter(|n| n["method"] == "notifications/message")
            .count(),
        3
    );
    let p = modern(
        json!({"name": "test_tool_with_logging"}),
        caps_all(),
        json!({"io.modelcontextprotocol/logLevel": "error"}),
    );
    let (_, notes) = c.call_full("tools/call", p).await;
    assert!(notes.is_empty());
}

#[tokio::test]
async fn input_required_round_trips_with_a_signed_request_state() {
    let mut c = Client::start(conformance::server());
    let call = |extra: Value| {
        let mut p = json!({"name": "test_input_required_result_multi_round", "arguments": {}});
        if let Value::Object(e) = extra {
            for (k, v) in e {
                p[k] = v;
            }
        }
        m(p)
    };
    let r1 = c.result("tools/call", call(json!({}))).await;
    assert_eq!(r1["resultType"], "input_required");
    assert_eq!(r1["inputRequests"]["step1"]["method"], "elicitation/create");
    let s1 = r1["requestState"].as_str().unwrap().to_string();
    assert!(
        c.received
            .iter()
            .all(|m| m.get("method").is_none() || m.get("id").is_none()),
        "no request on the wire"
    );

    let answer1 = json!({"step1": {"action": "accept", "content": {"name": "Alice"}}});
    let r2 = c
        .result(
            "tools/call",
            call(json!({"inputResponses": answer1, "requestState": s1})),
        )
        .await;
    assert_eq!(r2["resultType"], "input_required");
    assert!(r2["inputRequests"].get("step1").is_none());
    let s2 = r2["requestState"].as_str().unwrap().to_string();
    assert_ne!(s1, s2);

    let answer2 = json!({"step2": {"action": "accept", "content": {"color": "blue"}}});
    let r3 = c
        .result(
            "tools/call",
            call(json!({"inputResponses": answer2, "requestState": s2.clone()})),
        )
        .await;
    assert_eq!(r3["resultType"], "complete");
    assert_eq!(text(&r3), "Alice likes blue.");

    // A changed state is refused; so is a state moved to another tool.
    let mut tampered = s2.clone();
    tampered.insert(5, 'x');
    let e = c
        .error(
            "tools/call",
            call(json!({"inputResponses": answer2, "requestState": tampered})),
        )
        .await;
    assert_eq!(e["code"], -32602);
    let moved = m(json!({"name": "test_input_required_result_elicitation", "requestState": s2}));
    assert_eq!(c.error("tools/call", moved).await["code"], -32602);
}

#[tokio::test]
async fn wrong_or_malformed_answers_are_asked_again() {
    let mut c = Client::start(conformance::server());
    let p = m(
        json!({"name": "test_input_required_result_elicitation", "inputResponses": {"wrong_key": {"action": "accept"}}}),
    );
    let r = c.result("tools/call", p).await;
    assert_eq!(r["resultType"], "input_required");
    assert!(r["inputRequests"]["user_name"].is_object());
    let p = m(
        json!({"name": "test_input_required_result_elicitation", "inputResponses": {"user_name": 12345}}),
    );
    assert_eq!(
        c.result("tools/call", p).await["resultType"],
        "input_required"
    );
    let ok =
        json!({"user_name": {"action": "accept", "content": {"name": "Alice"}}, "extra": {"x": 1}});
    let r = c
        .result(
            "tools/call",
            m(json!({"name": "test_input_required_result_elicitation", "inputResponses": ok})),
        )
        .await;
    assert_eq!(text(&r), "Hello, Alice!");
}

#[tokio::test]
async fn prompts_can_ask_for_input_and_lists_never_do() {
    let mut c = Client::start(conformance::server());
    let r = c
        .result(
            "prompts/get",
            m(json!({"name": "test_input_required_result_prompt"})),
        )
        .await;
    assert_eq!(r["resultType"], "input_required");
    let answers = json!({"user_context": {"action": "accept", "content": {"context": "ctx!"}}});
    let r = c
        .result("prompts/get", m(json!({"name": "test_input_required_result_prompt", "inputResponses": answers, "requestState": r["requestState"]})))
        .await;
    assert_eq!(
        r["messages"][0]["content"]["text"],
        "Use this context: ctx!"
    );
}

#[tokio::test]
async fn listen_acknowledges_then_streams_what_was_asked_for() {
    let mut c = Client::start(conformance::server());
    let listen = json!({"jsonrpc": "2.0", "id": "sub-1", "method": "subscriptions/listen",
        "params": m(json!({"notifications": {"toolsListChanged": true, "resourcesListChanged": false}}))});
    c.send(&listen).await;
    let ack = c.read().await.unwrap();
    assert_eq!(ack["method"], "notifications/subscriptions/acknowledged");
    assert_eq!(
        ack["params"]["notifications"],
        json!({"toolsListChanged": true})
    );
    assert_eq!(
        ack["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
        "sub-1"
    );
    c.result(
        "tools/call",
        m(json!({"name": "test_trigger_prompt_change"})),
    )
    .await;
    c.result("tools/call", m(json!({"name": "test_trigger_tool_change"})))
        .await;
    c.settle().await;
    let changed = c.notifications("notifications/tools/list_changed");
    assert_eq!(changed.len(), 1);
    assert_eq!(
        changed[0]["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
        "sub-1"
    );
    assert!(
        c.notifications("notifications/prompts/list_changed")
            .is_empty(),
        "not asked for"
    );
    // Cancelling the listen request ends it without an answer.
    c.notify("notifications/cancelled", json!({"requestId": "sub-1"}))
        .await;
    c.settle().await;
    assert!(c.received.iter().all(|m| m["id"] != "sub-1"));
}

#[tokio::test]
async fn both_eras_share_one_connection_and_one_registry() {
    let mut c = Client::start(conformance::server());
    let modern_tools = c.result("tools/list", m(json!({}))).await["tools"].clone();
    c.initialize("2025-11-25").await;
    let legacy = c.result("tools/list", json!({})).await;
    assert!(legacy.get("resultType").is_none());
    assert_eq!(legacy["tools"], modern_tools);
}
