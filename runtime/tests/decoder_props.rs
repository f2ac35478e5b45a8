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
