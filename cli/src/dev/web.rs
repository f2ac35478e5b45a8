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
    /// The page's own origins, the only ones `/api/send` accepts.
    origins: Arc<[String]>,
}

/// The inspector's routes; `port` is the one it listens on (for the Origin check).
pub fn router(hub: Arc<Hub>, link: Arc<Link>, port: u16) -> Router {
    // The listener is bound to 127.0.0.1 only; a browser names it so or `localhost`.
    let hosts: Arc<[String]> = [format!("127.0.0.1:{port}"), format!("localhost:{port}")].into();
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
        .layer(axum::middleware::from_fn(move |request, next| {
            local_host_only(hosts.clone(), request, next)
        }))
        .with_state(App {
            hub,
            link,
            origins: [
                format!("http://127.0.0.1:{port}"),
                format!("http://localhost:{port}"),
            ]
            .into(),
        })
}

/// Refuses requests whose `Host` is not this machine at the inspector's port:
/// a page of another site that rebinds its name to 127.0.0.1 (DNS rebinding)
/// must not read the event stream or the page.
async fn local_host_only(
    allowed: Arc<[String]>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    match request.headers().get(axum::http::header::HOST) {
        Some(host) if !allowed.iter().any(|a| host.as_bytes() == a.as_bytes()) => json_response(
            StatusCode::FORBIDDEN,
            json!({"error": "the inspector answers only at 127.0.0.1 or localhost"}),
        ),
        _ => next.run(request).await,
    }
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
        if !app
            .origins
            .iter()
            .any(|a| origin.as_bytes() == a.as_bytes())
        {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Serves the router on 127.0.0.1:0; its port.
    async fn serve() -> u16 {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("address").port();
        let app = router(
            Arc::new(Hub::new("stdio", "demo".into())),
            Arc::new(Link::default()),
            port,
        );
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        port
    }

    #[tokio::test]
    async fn only_local_hosts_and_the_own_origin_are_answered() {
        let port = serve().await;
        let client = reqwest::Client::new();
        let url = format!("http://127.0.0.1:{port}/");
        let page = client.get(&url).send().await.expect("GET");
        assert_eq!(page.status(), 200);
        // DNS rebinding: the browser sends the attacker's name as Host.
        let rebound = client
            .get(format!("http://127.0.0.1:{port}/api/info"))
            .header("host", format!("evil.example:{port}"))
            .send()
            .await
            .expect("GET");
        assert_eq!(rebound.status(), 403);
        let foreign = client
            .post(format!("http://127.0.0.1:{port}/api/send"))
            .header("origin", "http://evil.example")
            .body("{}")
            .send()
            .await
            .expect("POST");
        assert_eq!(foreign.status(), 403);
        let own = client
            .post(format!("http://127.0.0.1:{port}/api/send"))
            .header("origin", format!("http://127.0.0.1:{port}"))
            .body(r#"{"jsonrpc":"2.0","method":"ping","id":1}"#)
            .send()
            .await
            .expect("POST");
        assert_eq!(own.status(), 503, "passed the checks; no server is running");
    }
}
