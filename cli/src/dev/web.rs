//! The inspector's web server on 127.0.0.1: the embedded page, the event
//! stream (`GET /api/events`), `POST /api/send` and `GET /api/info`.

use super::bridge::Link;
use super::events::{Event, Hub};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ORIGIN};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{self, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use futures::{Stream, StreamExt};
use serde_json::{json, Value};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

const INDEX: &str = include_str!("assets/index.html");
const SCRIPT: &str = include_str!("assets/app.js");
const STYLE: &str = include_str!("assets/app.css");

/// What the handlers share.
#[derive(Clone)]
struct App {
    hub: Arc<Hub>,
    link: Arc<Link>,
    port: u16,
}

/// The inspector's routes; `port` is the one it listens on (for the Origin check).
pub fn router(hub: Arc<Hub>, link: Arc<Link>, port: u16) -> Router {
    Router::new()
        .route(
            "/",
            get(|| async { asset("text/html; charset=utf-8", INDEX) }),
        )
        .route(
            "/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", SCRIPT) }),
        )
        .route(
            "/app.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE) }),
        )
        .route("/api/events", get(events))
        .route("/api/send", post(send))
        .route("/api/info", get(info))
        .with_state(App { hub, link, port })
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [(CONTENT_TYPE, content_type), (CACHE_CONTROL, "no-store")],
        body,
    )
        .into_response()
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (
        status,
        [
            (CONTENT_TYPE, "application/json"),
            (CACHE_CONTROL, "no-store"),
        ],
        body.to_string(),
    )
        .into_response()
}

fn to_sse(event: Event) -> sse::Event {
    sse::Event::default()
        .event(event.kind)
        .data(event.data.to_string())
}

/// The status (and last failure) first, then every event as it happens.
async fn events(State(app): State<App>) -> Sse<impl Stream<Item = Result<sse::Event, Infallible>>> {
    // Subscribe before the snapshot, so nothing falls between them.
    let receiver = app.hub.subscribe();
    let first = futures::stream::iter(app.hub.snapshot());
    let live = futures::stream::unfold(receiver, |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok(event) => return Some((event, receiver)),
                // A page that fell behind misses some lines; it goes on.
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(first.chain(live).map(|e| Ok(to_sse(e))))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// One JSON-RPC message from the page to the server.
async fn send(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    // Only the page itself may talk to the server: a page of another site
    // open in the same browser must not.
    if let Some(origin) = headers.get(ORIGIN) {
        let allowed = [
            format!("http://127.0.0.1:{}", app.port),
            format!("http://localhost:{}", app.port),
        ];
        if !allowed.iter().any(|a| origin.as_bytes() == a.as_bytes()) {
            return json_response(
                StatusCode::FORBIDDEN,
                json!({"error": "requests from other origins are refused"}),
            );
        }
    }
    let message = match serde_json::from_slice::<Value>(&body) {
        Ok(message @ Value::Object(_)) => message,
        Ok(_) => {
            return json_response(
                StatusCode::BAD_REQUEST,
                json!({"error": "the body must be one JSON-RPC message (a JSON object)"}),
            )
        }
        Err(e) => {
            return json_response(
                StatusCode::BAD_REQUEST,
                json!({"error": format!("the body is not JSON: {e}")}),
            )
        }
    };
    match app.link.send(message) {
        Ok(generation) => json_response(StatusCode::ACCEPTED, json!({"generation": generation})),
        Err(e) => json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"error": e.to_string()}),
        ),
    }
}

async fn info(State(app): State<App>) -> Response {
    json_response(
        StatusCode::OK,
        json!({
            "version": env!("CARGO_PKG_VERSION"),
            "transport": app.hub.transport(),
            "project": app.hub.project(),
        }),
    )
}
