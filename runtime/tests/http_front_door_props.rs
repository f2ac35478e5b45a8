//! Property tests of the HTTP front door (issue 12): random methods, paths,
//! headers, content types and bodies (garbage, JSON, near-valid JSON-RPC of
//! both eras) sent to the router in-process. A bounded number of cases.
//!
//! Every request must be answered (no panic, no hang: each case has a
//! deadline) with a well-formed response; every 4xx and 5xx the transport
//! makes carries a JSON-RPC error body (`"jsonrpc": "2.0"`, an `error` with
//! an integer `code` and a string `message`), and a JSON 2xx parses as JSON.

use axum::body::Body;
use axum::http::{Method, Request};
use mcp_runtime::prelude::*;
use mcp_runtime::settings::Settings;
use mcp_runtime::transport::http::{axum, router};
use proptest::prelude::*;
use std::sync::OnceLock;
use std::time::Duration;

#[derive(Deserialize, JsonSchema)]
struct EchoArgs {
    /// What to send back
    text: String,
}

async fn echo(Args(EchoArgs { text }): Args<EchoArgs>) -> String {
    text
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime")
    })
}

/// One router for every case (built inside the runtime: sessions start
/// their tasks there).
fn app() -> &'static axum::Router {
    static APP: OnceLock<axum::Router> = OnceLock::new();
    APP.get_or_init(|| {
        let service = Server::new("props")
            .tool("echo", echo)
            .description("Echo")
            .route("/health", axum::routing::get(|| async { "ok" }))
            .build_with(Settings::defaults())
            .expect("the server builds");
        let _inside = runtime().enter();
        router(service)
    })
}

fn arb_method() -> impl Strategy<Value = Method> {
    prop_oneof![
        30 => Just(Method::POST),
        2 => Just(Method::GET),
        2 => Just(Method::DELETE),
        1 => Just(Method::PUT),
        1 => Just(Method::PATCH),
        1 => Just(Method::OPTIONS),
        1 => Just(Method::HEAD),
        1 => "[A-Z]{1,8}".prop_map(|m| Method::from_bytes(m.as_bytes()).unwrap_or(Method::TRACE)),
    ]
}

fn arb_path() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => Just("/mcp".to_string()),
        1 => Just("/mcp/".to_string()),
        1 => Just("/sse".to_string()),
        1 => Just("/messages/".to_string()),
        2 => "[0-9a-f]{0,32}".prop_map(|id| format!("/messages/?session_id={id}")),
        1 => Just("/messages/?sessionId=&session_id=%zz".to_string()),
        1 => Just("/health".to_string()),
        1 => Just("/".to_string()),
        1 => "(/[a-zA-Z0-9%._~-]{0,12}){1,3}(\\?[a-z=&%]{0,12})?",
    ]
}

fn arb_header() -> impl Strategy<Value = (String, String)> {
    let text = "[ -~]{0,40}";
    prop_oneof![
        prop_oneof![
            Just("application/json"),
            Just("application/json; charset=utf-8"),
            Just("text/plain"),
            Just("application/vnd.api+json"),
            Just("multipart/form-data; boundary=x"),
            Just(""),
        ]
        .prop_map(|v| ("content-type".to_string(), v.to_string())),
        prop_oneof![
            Just("application/json, text/event-stream"),
            Just("application/json"),
            Just("text/event-stream"),
            Just("text/html"),
            Just("*/*"),
        ]
        .prop_map(|v| ("accept".to_string(), v.to_string())),
        prop_oneof![
            Just("2026-07-28"),
            Just("2025-11-25"),
            Just("2024-11-05"),
            Just("1999-01-01"),
            Just(""),
        ]
        .prop_map(|v| ("mcp-protocol-version".to_string(), v.to_string())),
        "[0-9a-f]{0,40}".prop_map(|v| ("mcp-session-id".to_string(), v)),
        prop_oneof![
            Just("tools/call"),
            Just("tools/list"),
            Just("initialize"),
            Just("x"),
        ]
        .prop_map(|v| ("mcp-method".to_string(), v.to_string())),
        text.prop_map(|v| ("mcp-name".to_string(), v)),
        prop_oneof![
            3 => Just("http://localhost"),
            1 => Just("https://evil.example"),
            1 => Just("null"),
        ]
        .prop_map(|v| ("origin".to_string(), v.to_string())),
        prop_oneof![
            3 => Just("127.0.0.1"),
            3 => Just("localhost:8000"),
            1 => Just("evil.example")
        ]
        .prop_map(|v| ("host".to_string(), v.to_string())),
        text.prop_map(|v| ("last-event-id".to_string(), v)),
        "[0-9]{1,6}".prop_map(|v| ("content-length".to_string(), v)),
        ("x-[a-z]{1,8}", text).prop_map(|(k, v)| (k, v)),
    ]
}

fn arb_body() -> impl Strategy<Value = Vec<u8>> {
    let method = prop_oneof![
        prop::sample::select(vec![
            "initialize",
            "tools/call",
            "tools/list",
            "server/discover",
            "subscriptions/listen",
            "ping",
            "resources/read",
            "notifications/initialized",
            "notifications/cancelled",
        ])
        .prop_map(String::from),
        "[a-z/]{0,16}",
    ];
    let id = prop_oneof![
        Just(serde_json::Value::Null),
        any::<i32>().prop_map(|n| json!(n)),
        "[a-z0-9]{0,8}".prop_map(|s| json!(s)),
        Just(json!({})),
    ];
    let meta = prop_oneof![
        Just(json!({})),
        Just(
            json!({"io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {}})
        ),
        Just(json!({"io.modelcontextprotocol/protocolVersion": 7})),
    ];
    let params = (meta, "[ -~]{0,20}").prop_map(|(meta, text)| {
        json!({"name": "echo", "arguments": {"text": text}, "_meta": meta,
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "p", "version": "1"}})
    });
    prop_oneof![
        Just(Vec::new()),
        prop::collection::vec(any::<u8>(), 0..256),
        "[ -~]{0,64}".prop_map(String::into_bytes),
        (method, id, params, any::<bool>()).prop_map(|(method, id, params, with_id)| {
            let mut m = json!({"jsonrpc": "2.0", "method": method, "params": params});
            if with_id {
                m["id"] = id;
            }
            m.to_string().into_bytes()
        }),
        Just(b"[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]".to_vec()),
        Just(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}".to_vec()),
    ]
}

/// Checks one answer; `Err` says what is wrong.
async fn check(method: &Method, response: axum::http::Response<Body>) -> Result<(), String> {
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if content_type.starts_with("text/event-stream") {
        // A stream may be endless; its head is what can be checked.
        return if status.is_success() {
            Ok(())
        } else {
            Err(format!("{status} with an SSE body"))
        };
    }
    let body = tokio::time::timeout(
        Duration::from_secs(5),
        axum::body::to_bytes(response.into_body(), 16 * 1024 * 1024),
    )
    .await
    .map_err(|_| format!("{status}: the body did not end"))?
    .map_err(|e| format!("{status}: the body failed: {e}"))?;
    if *method == Method::HEAD {
        return Ok(());
    }
    if status.is_client_error() || status.is_server_error() {
        let v: serde_json::Value = serde_json::from_slice(&body).map_err(|e| {
            format!(
                "{status} without a JSON body ({e}): {:?}",
                String::from_utf8_lossy(&body)
            )
        })?;
        let well_formed = v["jsonrpc"] == "2.0"
            && v["error"]["code"].is_i64()
            && v["error"]["message"].is_string();
        if !well_formed {
            return Err(format!("{status} without a JSON-RPC error body: {v}"));
        }
    } else if content_type.starts_with("application/json") {
        serde_json::from_slice::<serde_json::Value>(&body)
            .map_err(|e| format!("{status}: a JSON answer that does not parse: {e}"))?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_request_gets_a_well_formed_answer(
        method in arb_method(),
        path in arb_path(),
        headers in prop::collection::vec(arb_header(), 0..5),
        body in arb_body(),
    ) {
        let app = app().clone();
        // What a conforming client sends, unless a random header replaces it.
        let mut request = Request::builder()
            .method(method.clone())
            .uri(path.as_str())
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream");
        for (k, v) in &headers {
            if let Some(h) = request.headers_mut() {
                h.remove(k.as_str());
            }
            request = request.header(k.as_str(), v.as_str());
        }
        // A header value the http crate refuses is no request at all.
        let Ok(request) = request.body(Body::from(body)) else {
            return Ok(());
        };
        let asked = method.clone();
        let outcome = runtime().block_on(async move {
            let served = hyper::service::Service::call(
                &hyper_util::service::TowerToHyperService::new(app),
                request,
            );
            let response = match tokio::time::timeout(Duration::from_secs(10), served).await {
                Ok(Ok(response)) => response,
                Ok(Err(never)) => match never {},
                Err(_) => return Err("no answer within 10 s".to_string()),
            };
            check(&asked, response).await
        });
        prop_assert!(outcome.is_ok(), "{} {} {:?}: {:?}", method, path, headers, outcome);
    }
}
