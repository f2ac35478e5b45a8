//! Property tests of the message decoder and of the server's resilience:
//! no input, however malformed, makes either panic or stop serving.

mod support;

use mcp_runtime::protocol::jsonrpc::{code, Message};
use proptest::prelude::*;
use serde_json::{json, Value};

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        "[a-z/_.]{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("2.0"),
            Just("jsonrpc"),
            Just("method"),
            Just("id"),
            Just("params"),
            Just("tools/call")
        ]
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("jsonrpc"),
                        Just("id"),
                        Just("method"),
                        Just("params"),
                        Just("result"),
                        Just("error"),
                        Just("x")
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(
                kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            )),
        ]
    })
}

proptest! {
    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        if let Err(e) = Message::decode(&bytes) {
            prop_assert!([code::PARSE_ERROR, code::INVALID_REQUEST, code::INVALID_PARAMS].contains(&e.error.code));
        }
    }

    #[test]
    fn decoding_arbitrary_json_never_panics_and_classifies(value in arb_json()) {
        let text = value.to_string();
        match Message::decode(text.as_bytes()) {
            Ok(Message::Request(r)) => {
                prop_assert_eq!(&value["jsonrpc"], "2.0");
                prop_assert_eq!(value["method"].as_str(), Some(r.method.as_str()));
            }
            Ok(Message::Notification(n)) => prop_assert_eq!(value["method"].as_str(), Some(n.method.as_str())),
            Ok(Message::Response(_)) => prop_assert!(value.get("result").is_some() || value.get("error").is_some()),
            Err(e) => prop_assert!(e.error.code == code::INVALID_REQUEST || e.error.code == code::INVALID_PARAMS),
        }
    }
}

/// What a JSON-RPC 2.0 message under MCP's rules decodes to, written from
/// the specification rather than from the decoder: the kind of message, or
/// the error code it must be refused with.
#[derive(Debug, PartialEq)]
enum Expected {
    Request,
    Notification,
    Response,
    Refused(i64),
}

fn expected(value: &Value) -> Expected {
    let Some(obj) = value.as_object() else {
        return Expected::Refused(code::INVALID_REQUEST);
    };
    let has_method = obj.contains_key("method");
    let id_ok = match obj.get("id") {
        None => true,
        Some(Value::String(_)) => true,
        Some(Value::Number(n)) => n.as_i64().is_some(),
        // MCP: request ids must not be null; a response may say null.
        Some(Value::Null) => !has_method,
        Some(_) => false,
    };
    if !id_ok || obj.get("jsonrpc") != Some(&json!("2.0")) {
        return Expected::Refused(code::INVALID_REQUEST);
    }
    let has_id = !matches!(obj.get("id"), None | Some(Value::Null));
    match obj.get("method") {
        Some(Value::String(_)) => match obj.get("params") {
            None | Some(Value::Null) | Some(Value::Object(_)) if has_id => Expected::Request,
            None | Some(Value::Null) | Some(Value::Object(_)) => Expected::Notification,
            Some(_) => Expected::Refused(code::INVALID_PARAMS),
        },
        Some(_) => Expected::Refused(code::INVALID_REQUEST),
        None if has_id && (obj.contains_key("result") || obj.contains_key("error")) => {
            Expected::Response
        }
        None => Expected::Refused(code::INVALID_REQUEST),
    }
}

fn decoded(text: &[u8]) -> Expected {
    match Message::decode(text) {
        Ok(Message::Request(_)) => Expected::Request,
        Ok(Message::Notification(_)) => Expected::Notification,
        Ok(Message::Response(_)) => Expected::Response,
        Err(e) => Expected::Refused(e.error.code),
    }
}

/// Any JSON value at all: any keys, any text, floats, big numbers.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(any::<String>(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A well-formed request, notification or response.
fn valid_message() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "x"}})),
        Just(json!({"jsonrpc": "2.0", "id": "s-1", "method": "ping"})),
        Just(
            json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 7}})
        ),
        Just(json!({"jsonrpc": "2.0", "id": 3, "result": {}})),
        Just(json!({"jsonrpc": "2.0", "id": 3, "error": {"code": -1, "message": "no"}})),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn any_json_value_decodes_to_what_the_specification_says(value in any_json()) {
        prop_assert_eq!(decoded(value.to_string().as_bytes()), expected(&value), "{}", value);
    }

    #[test]
    fn every_field_with_a_wrong_type_gets_the_right_error(
        base in valid_message(),
        field in prop_oneof![Just("jsonrpc"), Just("id"), Just("method"), Just("params"), Just("result"), Just("error")],
        replacement in any_json(),
    ) {
        let mut value = base;
        value[field] = replacement;
        prop_assert_eq!(decoded(value.to_string().as_bytes()), expected(&value), "{}", value);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    #[test]
    fn deep_nesting_is_a_parse_error_not_a_crash(depth in 100usize..100_000, object in any::<bool>()) {
        let (open, close) = if object { (r#"{"a":"#, "}") } else { ("[", "]") };
        let nested = format!("{}1{}", open.repeat(depth), close.repeat(depth));
        let text = format!(r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"x":{nested}}}}}"#);
        // serde_json stops at 128 levels: a parse error, answered, never a stack overflow.
        prop_assert_eq!(decoded(text.as_bytes()), Expected::Refused(code::PARSE_ERROR));
    }

    #[test]
    fn huge_strings_in_every_place_decode_or_are_refused_by_type(
        size in 1usize..(4 << 20),
        place in 0usize..4,
    ) {
        let huge = "x".repeat(size);
        let value = match place {
            0 => json!({"jsonrpc": "2.0", "id": huge, "method": "ping"}),
            1 => json!({"jsonrpc": "2.0", "id": 1, "method": huge}),
            2 => json!({"jsonrpc": "2.0", "id": 1, "method": "ping", "params": huge}),
            _ => json!({"jsonrpc": huge, "id": 1, "method": "ping"}),
        };
        prop_assert_eq!(decoded(value.to_string().as_bytes()), expected(&value));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]
    #[test]
    fn the_server_answers_every_bad_line_and_keeps_serving(lines in prop::collection::vec(arb_json().prop_map(|v| v.to_string()), 1..6), junk in "[^\n]{0,40}") {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let mut c = support::Client::start(mcp_runtime::Server::new("props").tool("noop", || "ok").description("nothing"));
            c.initialize("2025-11-25").await;
            for line in lines.iter().chain(std::iter::once(&junk)) {
                c.send_raw(line).await;
            }
            let r = c.call("ping", json!({})).await;
            assert_eq!(r["result"], json!({}));
            for m in &c.received {
                assert_eq!(m["jsonrpc"], "2.0", "every answer is JSON-RPC: {m}");
            }
        });
    }
}
