//! The OpenAPI client (`mcp_runtime::openapi`, feature `openapi`) against a
//! mock upstream on 127.0.0.1 that echoes what it received: a GET with path
//! and query parameters, JSON and form bodies, credentials from env
//! variables, an upstream error as an `isError` result, redirects (followed
//! on the same origin only), and resource reads.

use axum::body::Bytes;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use mcp_runtime::openapi::{self, Api, Auth, Body, BodyKind, In, Operation, Param, Scheme, Style};
use mcp_runtime::{ResourceBody, ResourceError, ToolResult};
use serde_json::{json, Value};
use std::sync::OnceLock;

/// The mock's port, once it listens; env variables are set before any test
/// reads them (every test calls this first).
fn upstream() -> u16 {
    static PORT: OnceLock<u16> = OnceLock::new();
    *PORT.get_or_init(|| {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        listener.set_nonblocking(true).expect("non-blocking");
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                let app = axum::Router::new().fallback(move |m, u, h, b| echo(port, m, u, h, b));
                axum::serve(listener, app).await.expect("serve");
            });
        });
        for (name, value) in [
            ("OC_BASE_URL", format!("http://127.0.0.1:{port}/v1")),
            ("OC_TIMEOUT_SECS", "5".to_string()),
            ("OC_KEY", "key-1".to_string()),
            ("OC_TOKEN", "token-1".to_string()),
            ("OC_USER", "me".to_string()),
            ("OC_PASSWORD", "pw".to_string()),
            ("OC_EMPTY", String::new()),
        ] {
            std::env::set_var(name, value);
        }
        port
    })
}

/// Answers `/v1/missing` with a 404, `/v1/old` with a same-origin redirect,
/// `/v1/away` with a redirect to another origin (`localhost` rather than
/// `127.0.0.1`), and everything else with what it received, as JSON.
async fn echo(port: u16, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    match uri.path() {
        "/v1/missing" => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"message":"no such pet"}"#,
        )
            .into_response(),
        "/v1/old" => (
            StatusCode::FOUND,
            [(header::LOCATION, "/v1/new?from=old".to_string())],
        )
            .into_response(),
        "/v1/away" => (
            StatusCode::FOUND,
            [(header::LOCATION, format!("http://localhost:{port}/v1/new"))],
        )
            .into_response(),
        _ => {
            let header = |name: &str| {
                headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let seen = json!({
                "method": method.as_str(),
                "path": uri.path(),
                "query": uri.query(),
                "content_type": header("content-type"),
                "authorization": header("authorization"),
                "api_key": header("x-api-key"),
                "cookie": header("cookie"),
                "trace": header("x-trace"),
                "user_agent": header("user-agent"),
                "accept": header("accept"),
                "body": String::from_utf8_lossy(&body),
            });
            (
                [(header::CONTENT_TYPE, "application/json")],
                seen.to_string(),
            )
                .into_response()
        }
    }
}

static API: Api = Api {
    name: "Echo",
    base_url: "",
    base_url_env: "OC_BASE_URL",
    timeout_env: "OC_TIMEOUT_SECS",
    user_agent: "openapi-client-test/1.0",
    schemes: &[
        Scheme {
            name: "key",
            auth: Auth::ApiKey {
                location: In::Header,
                name: "x-api-key",
                env: "OC_KEY",
            },
        },
        Scheme {
            name: "token",
            auth: Auth::Bearer { env: "OC_TOKEN" },
        },
        Scheme {
            name: "basic",
            auth: Auth::Basic {
                username_env: "OC_USER",
                password_env: "OC_PASSWORD",
            },
        },
        Scheme {
            name: "unset",
            auth: Auth::Bearer { env: "OC_EMPTY" },
        },
    ],
};

/// A structured `GET` of `path` with no parameters and the given security.
const fn get(path: &'static str, security: &'static [&'static [&'static str]]) -> Operation {
    Operation {
        method: "GET",
        path,
        server: None,
        params: &[],
        body: None,
        security,
        structured: true,
        wrap: false,
    }
}

/// Calls and returns the result as the wire sees it.
async fn call(op: &Operation, input: Value) -> Value {
    upstream();
    let result: ToolResult = openapi::call(&API, op, &input).await;
    serde_json::to_value(result).expect("serializes")
}

/// What the mock received, from a structured result.
fn seen(result: &Value) -> &Value {
    assert_ne!(result["isError"], json!(true), "{result}");
    &result["structuredContent"]
}

fn error_text(result: &Value) -> &str {
    assert_eq!(result["isError"], json!(true), "{result}");
    result["content"][0]["text"].as_str().unwrap_or("")
}

#[tokio::test]
async fn a_get_with_path_and_query_parameters() {
    const OP: Operation = Operation {
        path: "/pets/{petId}",
        params: &[
            Param {
                arg: "pet_id",
                name: "petId",
                location: In::Path,
                style: Style::Simple,
                explode: false,
            },
            Param {
                arg: "tags",
                name: "tags",
                location: In::Query,
                style: Style::Form,
                explode: true,
            },
            Param {
                arg: "filter",
                name: "filter",
                location: In::Query,
                style: Style::DeepObject,
                explode: true,
            },
            Param {
                arg: "trace",
                name: "x-trace",
                location: In::Header,
                style: Style::Simple,
                explode: false,
            },
            Param {
                arg: "session",
                name: "session",
                location: In::Cookie,
                style: Style::Form,
                explode: false,
            },
        ],
        ..get("", &[])
    };
    let r = call(
        &OP,
        json!({"pet_id": "9 9", "tags": ["a", "b c"], "filter": {"kind": "cat"}, "trace": [1, 2], "session": "s1", "absent": null}),
    )
    .await;
    let s = seen(&r);
    assert_eq!(s["method"], "GET");
    assert_eq!(s["path"], "/v1/pets/9%209");
    assert_eq!(s["query"], "tags=a&tags=b%20c&filter%5Bkind%5D=cat");
    assert_eq!(s["trace"], "1,2");
    assert_eq!(s["cookie"], "session=s1");
    assert_eq!(s["user_agent"], "openapi-client-test/1.0");
    assert_eq!(s["accept"], "application/json, */*;q=0.5");
    assert_eq!(
        s["authorization"],
        Value::Null,
        "no security asked, none sent"
    );
}

#[tokio::test]
async fn a_json_body_from_the_arguments() {
    const OP: Operation = Operation {
        method: "POST",
        body: Some(Body {
            kind: BodyKind::Json,
            media_type: "application/json",
            arg: None,
            fields: &[("pet_name", "name"), ("tag", "tag")],
        }),
        ..get("/pets", &[])
    };
    let r = call(&OP, json!({"pet_name": "Rex", "tag": "dog", "other": 1})).await;
    let s = seen(&r);
    assert_eq!(
        (s["method"].as_str(), s["content_type"].as_str()),
        (Some("POST"), Some("application/json"))
    );
    let body: Value = serde_json::from_str(s["body"].as_str().unwrap_or("")).expect("JSON body");
    assert_eq!(body, json!({"name": "Rex", "tag": "dog"}));
}

#[tokio::test]
async fn a_form_body() {
    const OP: Operation = Operation {
        method: "POST",
        body: Some(Body {
            kind: BodyKind::Form,
            media_type: "application/x-www-form-urlencoded",
            arg: Some("form"),
            fields: &[],
        }),
        ..get("/form", &[])
    };
    let r = call(&OP, json!({"form": {"name": "Rex Jr", "tags": ["a", "b"]}})).await;
    let s = seen(&r);
    assert_eq!(s["content_type"], "application/x-www-form-urlencoded");
    assert_eq!(s["body"], "name=Rex%20Jr&tags=a&tags=b");
}

#[tokio::test]
async fn credentials_come_from_the_environment() {
    // Both schemes of the first alternative are set: an API key header and a bearer token.
    const BOTH: Operation = get("/secure", &[&["key", "token"], &["basic"]]);
    let r = call(&BOTH, json!({})).await;
    let s = seen(&r);
    assert_eq!(
        (s["api_key"].as_str(), s["authorization"].as_str()),
        (Some("key-1"), Some("Bearer token-1"))
    );
    // An alternative whose variable is empty is skipped for the next one.
    const BASIC: Operation = get("/secure", &[&["unset"], &["basic"]]);
    let s = seen(&call(&BASIC, json!({})).await).clone();
    assert_eq!(s["authorization"], "Basic bWU6cHc=", "me:pw");
    assert_eq!(s["api_key"], Value::Null);
}

#[tokio::test]
async fn an_upstream_error_is_an_is_error_result() {
    let r = call(&get("/missing", &[]), json!({})).await;
    let text = error_text(&r);
    assert!(
        text.starts_with("GET /missing answered 404 Not Found: "),
        "{text}"
    );
    assert!(text.contains("no such pet"), "{text}");
}

#[tokio::test]
async fn redirects_are_followed_on_the_same_origin_only() {
    let r = call(&get("/old", &[&["token"]]), json!({})).await;
    let s = seen(&r);
    assert_eq!(
        (s["path"].as_str(), s["query"].as_str()),
        (Some("/v1/new"), Some("from=old"))
    );
    assert_eq!(
        s["authorization"], "Bearer token-1",
        "kept on the same origin"
    );
    // To another origin: not followed, so the token never leaves; the 302 is the answer.
    let r = call(&get("/away", &[&["token"]]), json!({})).await;
    assert!(
        error_text(&r).starts_with("GET /away answered 302 Found"),
        "{r}"
    );
}

#[tokio::test]
async fn resources_read_through_the_upstream() {
    upstream();
    let op = get("/inventory", &[]);
    let body = openapi::read(&API, &op, &json!({}), "echo://inventory").await;
    let Ok(ResourceBody::Contents(contents)) = body else {
        panic!("contents expected: {body:?}");
    };
    let contents = serde_json::to_value(&contents).expect("serializes");
    assert_eq!(contents[0]["uri"], "echo://inventory");
    assert_eq!(contents[0]["mimeType"], "application/json");
    let missing = openapi::read(&API, &get("/missing", &[]), &json!({}), "echo://missing").await;
    assert!(
        matches!(missing, Err(ResourceError::NotFound(ref m)) if m.contains("404")),
        "{missing:?}"
    );
}

#[tokio::test]
async fn failures_before_any_answer_say_what_to_do() {
    upstream();
    static NOWHERE: Api = Api {
        name: "Nowhere",
        base_url: "",
        base_url_env: "OC_NOWHERE_BASE_URL",
        timeout_env: "OC_NOWHERE_TIMEOUT_SECS",
        user_agent: "t/0",
        schemes: &[],
    };
    let r = openapi::call(&NOWHERE, &get("/x", &[]), &json!({})).await;
    let r = serde_json::to_value(r).expect("serializes");
    assert!(error_text(&r).contains("set OC_NOWHERE_BASE_URL"), "{r}");
    // A server that is gone: the operation's own absolute server on a closed port.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url: &'static str = format!(
        "http://127.0.0.1:{}",
        closed.local_addr().expect("address").port()
    )
    .leak();
    drop(closed);
    let op = Operation {
        server: Some(url),
        ..get("/x", &[])
    };
    let r = call(&op, json!({})).await;
    assert!(error_text(&r).contains("could not connect to"), "{r}");
}
