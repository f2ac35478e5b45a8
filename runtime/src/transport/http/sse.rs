//! The deprecated HTTP+SSE transport (protocol 2024-11-05): `GET /sse` opens
//! a stream whose first event, `endpoint`, names where to POST
//! (`/messages/?session_id=…`); POSTs there are answered 202 and their
//! replies travel on the stream. The session ends when the stream closes.

use super::listener::ConnectionCloser;
use super::session_store::Full;
use super::streamable::{
    check_content_type, full, read_body, too_many_in_flight, Connection, SESSION_NOT_FOUND,
};
use super::{error_response, join_path, sse_response, App};
use crate::dispatch::{Outbound, Session};
use crate::protocol::jsonrpc::{ErrorObject, Message};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::sse::Event;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

struct SseSession {
    session: Arc<Session>,
    sink: Outbound,
    /// The principal of the token that opened it (auth on).
    owner: Option<crate::auth::Principal>,
    /// Whom it counts against for `MCP_MAX_SESSIONS_PER_PRINCIPAL`.
    quota: String,
    /// Bounds the requests running at once (`MCP_MAX_REQUESTS_IN_FLIGHT`).
    inflight: Arc<Semaphore>,
    /// Cancelled when the stream ends: its requests still running stop.
    done: CancellationToken,
}

/// The open HTTP+SSE sessions, by id.
#[derive(Default)]
pub(crate) struct SseSessions {
    map: Mutex<HashMap<String, SseSession>>,
}

impl SseSessions {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, SseSession>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Ends the session when its stream is dropped.
struct Ending {
    sessions: Arc<SseSessions>,
    id: String,
    done: CancellationToken,
}

impl Drop for Ending {
    fn drop(&mut self) {
        self.done.cancel();
        if let Some(s) = self.sessions.lock().remove(&self.id) {
            s.session.close();
            tracing::debug!(session = %self.id, "SSE session ended");
        }
    }
}

fn bad(status: StatusCode, message: impl Into<String>) -> Response {
    error_response(status, None, &ErrorObject::invalid_request(message))
}

fn only(allowed: &'static str) -> Response {
    let mut r = bad(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("Method not allowed: use {allowed}"),
    );
    r.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allowed));
    r
}

/// `GET /sse`: opens a session and its stream.
pub(crate) async fn stream(
    State(app): State<Arc<App>>,
    method: Method,
    headers: HeaderMap,
    token: Option<axum::Extension<Arc<crate::auth::AccessToken>>>,
    closer: Option<axum::Extension<ConnectionCloser>>,
    address: Option<axum::Extension<axum::extract::ConnectInfo<SocketAddr>>>,
) -> Response {
    let owner = crate::auth::session_owner(token.as_ref().map(|axum::Extension(t)| &**t));
    if let Err((status, error)) = app.guard.check(&headers) {
        return error_response(status, None, &error);
    }
    if method != Method::GET {
        return only("GET");
    }
    let conn = Connection::from_parts(closer, address);
    // Every reply and notification of the session waits here for the
    // stream's reader; one that lets the queue fill loses the connection
    // (the closer is the overflow token), and the session ends with it.
    let (sink, rx) = Outbound::bounded_with(app.config.outbound, conn.closer.clone());
    let id = format!("{:032x}", rand::random::<u128>());
    let session = Session::new(app.core.clone(), sink.clone());
    let done = CancellationToken::new();
    {
        let mut map = app.sse.lock();
        let quota = conn.quota(owner.as_ref());
        if map.len() >= app.config.max_sessions {
            return full(None, Full::Server);
        }
        if map.values().filter(|s| s.quota == quota).count()
            >= app.config.max_sessions_per_principal
        {
            return full(None, Full::Principal);
        }
        map.insert(
            id.clone(),
            SseSession {
                session: session.clone(),
                sink: sink.clone(),
                owner,
                quota,
                inflight: Arc::new(Semaphore::new(app.config.max_requests_in_flight)),
                done: done.clone(),
            },
        );
    }
    // Registry changes and resource updates, until the stream closes.
    let mut events = app.core.events.subscribe();
    let (forward_done, weak, forward_sink) = (done.clone(), Arc::downgrade(&session), sink);
    tokio::spawn(async move {
        loop {
            let event = tokio::select! {
                e = events.recv() => e,
                _ = forward_done.cancelled() => return,
            };
            let event = match event {
                Ok(e) => e,
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(_) => return,
            };
            let Some(session) = weak.upgrade() else {
                return;
            };
            if let Some(message) = session.notification_for(&event) {
                forward_sink.send(message);
            }
        }
    });
    drop(session);
    let settings = &app.core.settings;
    let endpoint = format!(
        "{}?session_id={id}",
        join_path(&settings.mount_path, &settings.message_path)
    );
    tracing::debug!(session = %id, "SSE session opened");
    let ending = Ending {
        sessions: app.sse.clone(),
        id,
        done,
    };
    let messages =
        futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|m| (m, rx)) }).map(
            move |m| {
                let _ = &ending;
                Event::default().event("message").data(m)
            },
        );
    let events =
        futures::stream::once(async move { Event::default().event("endpoint").data(endpoint) })
            .chain(messages);
    sse_response(
        events.take_until(app.shutdown.clone().cancelled_owned()),
        app.config.keep_alive,
        Vec::new(),
    )
}

fn session_id(uri: &Uri) -> Option<String> {
    let query = uri.query()?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).ok()?;
    pairs
        .into_iter()
        .find(|(k, _)| k == "session_id" || k == "sessionId")
        .map(|(_, v)| v)
}

/// `POST /messages/?session_id=…`: one message for a session; 202.
pub(crate) async fn message(
    State(app): State<Arc<App>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    token: Option<axum::Extension<Arc<crate::auth::AccessToken>>>,
    body: Body,
) -> Response {
    let token = token.map(|axum::Extension(t)| t);
    if let Err((status, error)) = app.guard.check(&headers) {
        return error_response(status, None, &error);
    }
    if method != Method::POST {
        return only("POST");
    }
    let Some(id) = session_id(&uri) else {
        return bad(
            StatusCode::BAD_REQUEST,
            "Bad Request: the session_id query parameter is required",
        );
    };
    // A session opened with a token answers only that token's principal.
    let found = app
        .sse
        .lock()
        .get(&id)
        .filter(|s| crate::auth::may_use(s.owner.as_ref(), token.as_deref()))
        .map(|s| {
            (
                s.session.clone(),
                s.sink.clone(),
                s.inflight.clone(),
                s.done.clone(),
            )
        });
    let Some((session, sink, inflight, done)) = found else {
        return error_response(
            StatusCode::NOT_FOUND,
            None,
            &ErrorObject::new(
                SESSION_NOT_FOUND,
                "Session not found: open a new one with GET on the SSE endpoint",
            ),
        );
    };
    if let Err(r) = check_content_type(&headers) {
        return r;
    }
    let limit = app.core.settings.max_message_bytes;
    let bytes = match read_body(body, &headers, limit).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    match Message::decode(&bytes) {
        Ok(Message::Request(request)) => {
            // At most MCP_MAX_REQUESTS_IN_FLIGHT requests run at once; each
            // stops when the stream ends or its reader stops reading.
            let Ok(permit) = inflight.try_acquire_owned() else {
                return too_many_in_flight(Some(&request.id));
            };
            let overflowed = sink.overflowed();
            // Admitted here, before the POST is acknowledged, so a
            // cancellation or a duplicate id posted next is applied to it.
            let served = session.handle_request(request, sink.clone());
            tokio::spawn(async move {
                let served = crate::auth::with_access_token(token, served);
                let reply = tokio::select! {
                    reply = served => reply,
                    _ = done.cancelled() => None,
                    _ = overflowed.cancelled() => None,
                };
                drop(permit);
                if let Some(reply) = reply {
                    sink.send(reply.encode());
                }
            });
        }
        Ok(Message::Notification(n)) => session.handle_notification(n),
        Ok(Message::Response(r)) => session.handle_response(r),
        Err(e) => return error_response(StatusCode::BAD_REQUEST, e.id.as_ref(), &e.error),
    }
    (StatusCode::ACCEPTED, "Accepted").into_response()
}
