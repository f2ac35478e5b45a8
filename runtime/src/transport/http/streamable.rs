//! The Streamable HTTP endpoint: POST, GET and DELETE for both eras.

// A refusal is an HTTP response; boxing it would only add an allocation.
#![allow(clippy::result_large_err)]

use super::headers::{self, PROTOCOL_VERSION, SESSION_ID};
use super::listener::{BodyTimeout, ConnectionCloser};
use super::reply::{answer, error_response, sse_response, Answer};
use super::session_store::{Busy, Full};
use super::App;
use crate::dispatch::{Outbound, Reply, Session};
use crate::protocol::jsonrpc::{code, ErrorObject, Message, Request, RequestId};
use crate::protocol::version::{Era, LATEST_LEGACY, LEGACY_VERSIONS};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::sse::Event;
use axum::response::{IntoResponse, Response};
use futures::{FutureExt, StreamExt};
use serde_json::{json, Map, Value};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// `-32001`: the session is unknown or has ended (with HTTP 404), the code
/// of the official TypeScript SDK; no other refusal uses it.
pub(crate) const SESSION_NOT_FOUND: i64 = -32001;
const _: () = assert!(SESSION_NOT_FOUND != crate::auth::UNAUTHORIZED_CODE);
/// `-32000`: the server cannot take the request now.
pub(crate) const SERVER_BUSY: i64 = -32000;

/// The connection a request came on: the token that closes it (a stream
/// whose reader lets its queue fill cancels it) and the client's address.
#[derive(Clone, Debug, Default)]
pub(crate) struct Connection {
    pub closer: CancellationToken,
    pub address: Option<IpAddr>,
}

impl Connection {
    /// The connection from a request's extensions (none when the router is
    /// served by something else than `serve_listener`: then a fresh token).
    pub(crate) fn from_parts(
        closer: Option<axum::Extension<ConnectionCloser>>,
        address: Option<axum::Extension<axum::extract::ConnectInfo<SocketAddr>>>,
    ) -> Connection {
        Connection {
            closer: closer.map(|axum::Extension(c)| c.0).unwrap_or_default(),
            address: address.map(|axum::Extension(a)| a.0.ip()),
        }
    }

    /// Whom a new session counts against for `MCP_MAX_SESSIONS_PER_PRINCIPAL`:
    /// the token's principal, else (no auth) the client's IP address.
    pub(crate) fn quota(&self, principal: Option<&crate::auth::Principal>) -> String {
        match (principal, self.address) {
            (Some(p), _) => format!("principal:{p:?}"),
            (None, Some(ip)) => format!("address:{ip}"),
            (None, None) => "anonymous".into(),
        }
    }
}

/// 503 with a JSON-RPC error body and `Retry-After`.
pub(crate) fn busy(id: Option<&RequestId>, message: &str) -> Response {
    let mut r = error_response(
        StatusCode::SERVICE_UNAVAILABLE,
        id,
        &ErrorObject::new(SERVER_BUSY, message),
    );
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    r
}

/// 429: a session has `MCP_MAX_REQUESTS_IN_FLIGHT` requests running.
pub(crate) fn too_many_in_flight(id: Option<&RequestId>) -> Response {
    let mut r = error_response(
        StatusCode::TOO_MANY_REQUESTS,
        id,
        &ErrorObject::new(
            SERVER_BUSY,
            "Too many requests: this session has MCP_MAX_REQUESTS_IN_FLIGHT requests running; wait for answers first",
        ),
    );
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    r
}

/// The answer when a session cannot be created.
pub(crate) fn full(id: Option<&RequestId>, why: Full) -> Response {
    match why {
        Full::Server => busy(id, "Service unavailable: too many sessions are open (MCP_MAX_SESSIONS); try again later"),
        Full::Principal => busy(id, "Service unavailable: this client holds too many sessions (MCP_MAX_SESSIONS_PER_PRINCIPAL); end some with DELETE or try again later"),
    }
}

fn bad(status: StatusCode, message: impl Into<String>) -> Response {
    error_response(status, None, &ErrorObject::invalid_request(message))
}

fn method_not_allowed(message: &str) -> Response {
    let mut r = bad(StatusCode::METHOD_NOT_ALLOWED, message);
    r.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("POST"));
    r
}

/// What the client's `Accept` header allows: (JSON, SSE).
fn accepts(headers: &HeaderMap) -> (bool, bool) {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return (true, true);
    };
    let accept = accept.to_ascii_lowercase();
    let any = accept.contains("*/*");
    (
        any || accept.contains("application/json") || accept.contains("application/*"),
        any || accept.contains("text/event-stream"),
    )
}

/// The era of a message with these params (none for GET and DELETE), as
/// [`Era::of`] decides from its `_meta` and `MCP-Protocol-Version` header.
fn era(headers: &HeaderMap, params: Option<&Map<String, Value>>) -> Era {
    Era::of(
        params,
        headers::text(headers, PROTOCOL_VERSION).and_then(Result::ok),
    )
}

/// Status of a 2026-07-28 reply sent as JSON.
fn modern_status(reply: &Reply) -> StatusCode {
    match &reply.outcome {
        Err(e) if e.code == code::METHOD_NOT_FOUND => StatusCode::NOT_FOUND,
        Err(e)
            if matches!(
                e.code,
                code::HEADER_MISMATCH
                    | code::MISSING_REQUIRED_CLIENT_CAPABILITY
                    | code::UNSUPPORTED_PROTOCOL_VERSION
            ) =>
        {
            StatusCode::BAD_REQUEST
        }
        // `auth::protect` adds the `insufficient_scope` challenge.
        Err(e) if e.code == crate::auth::INSUFFICIENT_SCOPE_CODE => StatusCode::FORBIDDEN,
        _ => StatusCode::OK,
    }
}

fn legacy_status(reply: &Reply) -> StatusCode {
    match &reply.outcome {
        // `auth::protect` adds the `insufficient_scope` challenge.
        Err(e) if e.code == crate::auth::INSUFFICIENT_SCOPE_CODE => StatusCode::FORBIDDEN,
        _ => StatusCode::OK,
    }
}

/// Every method on the endpoint.
pub(crate) async fn handle(
    State(app): State<Arc<App>>,
    method: Method,
    headers: HeaderMap,
    token: Option<axum::Extension<Arc<crate::auth::AccessToken>>>,
    closer: Option<axum::Extension<ConnectionCloser>>,
    address: Option<axum::Extension<axum::extract::ConnectInfo<SocketAddr>>>,
    body: Body,
) -> Response {
    if let Err((status, error)) = app.guard.check(&headers) {
        return error_response(status, None, &error);
    }
    let conn = Connection::from_parts(closer, address);
    // The token `auth::protect` verified rides along with the request's work
    // (read back by dispatch, and by `session_of`, with `auth::current_access_token`).
    let token = token.map(|axum::Extension(t)| t);
    match method {
        Method::POST => crate::auth::with_access_token(token, post(app, headers, body, conn)).await,
        Method::GET => {
            crate::auth::with_access_token(token, async { get(app, headers, conn) }).await
        }
        Method::DELETE => {
            crate::auth::with_access_token(token, async { delete(app, headers) }).await
        }
        other => {
            let mut r = bad(
                StatusCode::METHOD_NOT_ALLOWED,
                format!("Method not allowed: {other} (use POST, GET or DELETE)"),
            );
            r.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET, POST, DELETE"));
            r
        }
    }
}

/// Reads the body, refusing one larger than the limit (413) or slower than
/// `MCP_HTTP_BODY_TIMEOUT_SECS` (408; the listener sets the deadline).
pub(crate) async fn read_body(
    body: Body,
    headers: &HeaderMap,
    limit: usize,
) -> Result<axum::body::Bytes, Response> {
    let too_large = |n: Option<u64>| {
        let size = n
            .map(|n| format!("{n} bytes"))
            .unwrap_or_else(|| "the body".into());
        bad(StatusCode::PAYLOAD_TOO_LARGE, format!("Payload too large: {size} exceed the limit of {limit} bytes (MCP_MAX_MESSAGE_BYTES)"))
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large(declared));
    }
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => Ok(bytes),
        Err(e) if is_body_timeout(&e) => Err(bad(
            StatusCode::REQUEST_TIMEOUT,
            "Request Timeout: the body did not arrive in time (MCP_HTTP_BODY_TIMEOUT_SECS)",
        )),
        Err(e) if e.to_string().contains("length limit") => Err(too_large(None)),
        Err(e) => Err(bad(
            StatusCode::BAD_REQUEST,
            format!("Bad request: the body could not be read ({e})"),
        )),
    }
}

/// Whether a body failed because the listener's deadline passed.
fn is_body_timeout(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.is::<BodyTimeout>() {
            return true;
        }
        source = err.source();
    }
    false
}

/// Checks the `Content-Type` of a POST: JSON or none.
pub(crate) fn check_content_type(headers: &HeaderMap) -> Result<(), Response> {
    match headers.get(header::CONTENT_TYPE) {
        None => Ok(()),
        Some(v) => {
            let ok = v.to_str().map(|c| {
                let c = c.to_ascii_lowercase();
                let essence = c.split(';').next().unwrap_or("").trim();
                essence == "application/json" || essence.ends_with("+json")
            });
            if ok.unwrap_or(false) {
                Ok(())
            } else {
                Err(bad(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "Unsupported Media Type: the body must be application/json",
                ))
            }
        }
    }
}

async fn post(app: Arc<App>, headers: HeaderMap, body: Body, conn: Connection) -> Response {
    if let Err(r) = check_content_type(&headers) {
        return r;
    }
    let (json_ok, sse_ok) = accepts(&headers);
    if !json_ok && !sse_ok {
        return bad(
            StatusCode::NOT_ACCEPTABLE,
            "Not Acceptable: the client must accept application/json and text/event-stream",
        );
    }
    let limit = app.core.settings.max_message_bytes;
    let bytes = match read_body(body, &headers, limit).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let message = match Message::decode(&bytes) {
        Ok(m) => m,
        Err(e) => return error_response(StatusCode::BAD_REQUEST, e.id.as_ref(), &e.error),
    };
    match message {
        Message::Request(request) => {
            if era(&headers, Some(&request.params)).is_modern() {
                modern(app, headers, request, json_ok, sse_ok, conn).await
            } else {
                legacy(app, headers, request, json_ok, sse_ok, conn).await
            }
        }
        Message::Notification(n) => {
            if era(&headers, Some(&n.params)).is_modern() || app.config.stateless {
                return StatusCode::ACCEPTED.into_response();
            }
            match session_of(&app, &headers) {
                Ok(Some(entry)) => {
                    entry.session.handle_notification(n);
                    StatusCode::ACCEPTED.into_response()
                }
                Ok(None) => bad(
                    StatusCode::BAD_REQUEST,
                    "Bad Request: the Mcp-Session-Id header is required (send initialize first)",
                ),
                Err(r) => r,
            }
        }
        Message::Response(response) => {
            if app.config.stateless {
                return StatusCode::ACCEPTED.into_response();
            }
            match session_of(&app, &headers) {
                Ok(Some(entry)) => {
                    entry.session.handle_response(response);
                    StatusCode::ACCEPTED.into_response()
                }
                Ok(None) => bad(
                    StatusCode::BAD_REQUEST,
                    "Bad Request: the Mcp-Session-Id header is required",
                ),
                Err(r) => r,
            }
        }
    }
}

/// The session named by `Mcp-Session-Id`: `Ok(None)` without the header,
/// `Err(404)` for an unknown one, and for one opened with another principal's
/// token (a leaked or guessed id is useless to anyone else).
fn session_of(
    app: &App,
    headers: &HeaderMap,
) -> Result<Option<Arc<super::session_store::Entry>>, Response> {
    match headers::text(headers, SESSION_ID) {
        None => Ok(None),
        Some(Ok(id)) => match app.sessions.get(id) {
            Some(entry)
                if crate::auth::may_use(
                    entry.owner.as_ref(),
                    crate::auth::current_access_token().as_deref(),
                ) =>
            {
                Ok(Some(entry))
            }
            Some(entry) => {
                tracing::warn!(session = %entry.id, "a request for a session opened by another principal was refused");
                Err(session_not_found())
            }
            None => Err(session_not_found()),
        },
        Some(Err(())) => Err(session_not_found()),
    }
}

/// The principal of the current request's access token, if any.
fn caller() -> Option<crate::auth::Principal> {
    crate::auth::session_owner(crate::auth::current_access_token().as_deref())
}

fn session_not_found() -> Response {
    error_response(
        StatusCode::NOT_FOUND,
        None,
        &ErrorObject::new(
            SESSION_NOT_FOUND,
            "Session not found: it ended or never existed; send initialize for a new one",
        ),
    )
}

/// A 2026-07-28 request: checked against its headers, served on a session of
/// its own; dropping the response cancels it.
async fn modern(
    app: Arc<App>,
    headers: HeaderMap,
    request: Request,
    json_ok: bool,
    sse_ok: bool,
    conn: Connection,
) -> Response {
    if let Err(e) = headers::check_modern(&headers, &request.method, &request.params) {
        return error_response(StatusCode::BAD_REQUEST, Some(&request.id), &e);
    }
    if request.method == "tools/call" {
        let name = request
            .params
            .get("name")
            .and_then(|n| n.as_str())
            .unwrap_or_default();
        let mirrored = app.core.header_params(name);
        if let Err(e) = headers::check_params(&headers, &mirrored, &request.params) {
            return error_response(StatusCode::BAD_REQUEST, Some(&request.id), &e);
        }
    }
    let listen = request.method == "subscriptions/listen";
    if listen && !sse_ok {
        return error_response(
            StatusCode::NOT_ACCEPTABLE,
            Some(&request.id),
            &ErrorObject::invalid_request("Not Acceptable: subscriptions/listen answers with an SSE stream; accept text/event-stream"),
        );
    }
    let session = Session::new(app.core.clone(), app.nowhere.clone());
    // A reader that lets the stream's queue fill loses its connection, and
    // with it this request (its work is dropped with the response).
    let (sink, rx) = Outbound::bounded_with(app.config.outbound, conn.closer);
    let token = crate::auth::current_access_token();
    let work = async move {
        crate::auth::with_access_token(token, session.handle_request(request, sink)).await
    }
    .boxed();
    let how = Answer {
        sse: sse_ok && (listen || !app.config.json_response),
        json: json_ok,
        status: modern_status,
        until: listen.then(|| app.shutdown.clone()),
        headers: Vec::new(),
        keep_alive: app.config.keep_alive,
    };
    answer(work, rx, how).await
}

/// A legacy request: on the session its `Mcp-Session-Id` names (`initialize`
/// opens one). It runs to the end even if the client goes away; the client
/// cancels with `notifications/cancelled`.
async fn legacy(
    app: Arc<App>,
    headers: HeaderMap,
    request: Request,
    json_ok: bool,
    sse_ok: bool,
    conn: Connection,
) -> Response {
    let initialize = request.method == "initialize";
    if !initialize {
        match headers::text(&headers, PROTOCOL_VERSION) {
            Some(Ok(v)) if LEGACY_VERSIONS.contains(&v) => {}
            None => {}
            Some(other) => {
                let shown = other
                    .map(str::to_string)
                    .unwrap_or_else(|()| "(unreadable)".into());
                return error_response(
                    StatusCode::BAD_REQUEST,
                    Some(&request.id),
                    &ErrorObject::invalid_request(format!(
                        "Bad Request: unsupported MCP-Protocol-Version {shown:?} (supported: {})",
                        crate::protocol::version::supported_versions().join(", ")
                    )),
                );
            }
        }
    }
    let sse = sse_ok && !app.config.json_response;
    if app.config.stateless {
        return stateless_legacy(app, headers, request, json_ok, sse, conn).await;
    }
    let (entry, created) = match session_of(&app, &headers) {
        Ok(Some(entry)) => (entry, false),
        Err(r) => return r,
        Ok(None) if initialize => {
            let owner = caller();
            let quota = conn.quota(owner.as_ref());
            match app.sessions.create(&app.nowhere, owner, quota) {
                Ok(entry) => (entry, true),
                Err(why) => return full(Some(&request.id), why),
            }
        }
        Ok(None) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                Some(&request.id),
                &ErrorObject::invalid_request(format!(
                    "Bad Request: the Mcp-Session-Id header is required for {:?} (send initialize first)",
                    request.method
                )),
            )
        }
    };
    let mut extra = Vec::new();
    if created {
        tracing::debug!(session = %entry.id, "session created");
        if let Ok(v) = HeaderValue::from_str(&entry.id) {
            extra.push((HeaderName::from_static(SESSION_ID), v));
        }
    }
    // At most MCP_MAX_REQUESTS_IN_FLIGHT requests of a session run at once.
    let Ok(permit) = entry.inflight.clone().try_acquire_owned() else {
        return too_many_in_flight(Some(&request.id));
    };
    // A reader that lets the stream's queue fill loses its connection, and
    // the request is cancelled; so is every request of an ended session.
    let (sink, rx) = Outbound::bounded_with(app.config.outbound, conn.closer);
    let overflowed = sink.overflowed();
    let ended = entry.closed.clone();
    let guard = app.sessions.guard(&entry);
    let session = entry.session.clone();
    let token = crate::auth::current_access_token();
    // Admitted here, before the task starts, so a cancellation or a
    // duplicate id that arrives next is applied to it.
    let served = session.handle_request(request, sink);
    let task = tokio::spawn(async move {
        let served = crate::auth::with_access_token(token, served);
        let reply = tokio::select! {
            reply = served => reply,
            _ = overflowed.cancelled() => None,
            _ = ended.cancelled() => None,
        };
        drop(guard);
        drop(permit);
        reply
    });
    let work = async move { task.await.ok().flatten() }.boxed();
    let how = Answer {
        sse,
        json: json_ok,
        status: legacy_status,
        until: None,
        headers: extra,
        keep_alive: app.config.keep_alive,
    };
    answer(work, rx, how).await
}

/// A legacy request in stateless mode: a fresh session, initialized on the
/// spot with the version the headers name.
async fn stateless_legacy(
    app: Arc<App>,
    headers: HeaderMap,
    request: Request,
    json_ok: bool,
    sse: bool,
    conn: Connection,
) -> Response {
    let session = Session::new(app.core.clone(), app.nowhere.clone());
    if request.method != "initialize" {
        let version = match headers::text(&headers, PROTOCOL_VERSION) {
            Some(Ok(v)) => v.to_string(),
            _ => LATEST_LEGACY.to_string(),
        };
        let mut params = Map::new();
        params.insert("protocolVersion".into(), json!(version));
        params.insert("capabilities".into(), json!({}));
        let init = Request {
            id: RequestId::String("stateless-initialize".into()),
            method: "initialize".into(),
            params,
        };
        let _ = session.handle_request(init, app.nowhere.clone()).await;
    }
    let (sink, rx) = Outbound::bounded_with(app.config.outbound, conn.closer);
    let token = crate::auth::current_access_token();
    let work = async move {
        crate::auth::with_access_token(token, session.handle_request(request, sink)).await
    }
    .boxed();
    let how = Answer {
        sse,
        json: json_ok,
        status: legacy_status,
        until: None,
        headers: Vec::new(),
        keep_alive: app.config.keep_alive,
    };
    answer(work, rx, how).await
}

/// GET: the standalone stream of a legacy session.
fn get(app: Arc<App>, headers: HeaderMap, conn: Connection) -> Response {
    if era(&headers, None).is_modern() {
        return method_not_allowed("Method not allowed: the 2026-07-28 protocol has no GET stream; use subscriptions/listen");
    }
    if app.config.stateless {
        return method_not_allowed(
            "Method not allowed: this server is stateless and opens no standalone stream",
        );
    }
    let (_, sse_ok) = accepts(&headers);
    if !sse_ok {
        return bad(
            StatusCode::NOT_ACCEPTABLE,
            "Not Acceptable: the GET stream is text/event-stream; accept it",
        );
    }
    let entry = match session_of(&app, &headers) {
        Ok(Some(e)) => e,
        Ok(None) => {
            return method_not_allowed(
                "Method not allowed: GET needs an Mcp-Session-Id (send initialize first)",
            )
        }
        Err(r) => return r,
    };
    let last_event_id = headers.get("last-event-id").and_then(|v| v.to_str().ok());
    // A reader that lets the stream's queue fill loses its connection.
    let (replay, rx, guard) = match app.sessions.attach(&entry, last_event_id, conn.closer) {
        Ok(x) => x,
        Err(Busy) => {
            return bad(
                StatusCode::CONFLICT,
                "Conflict: this session's GET stream is already open",
            )
        }
    };
    let live = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    })
    .map(|item| match item.split_once('\n') {
        Some((id, message)) => (id.to_string(), message.to_string()),
        None => (String::new(), item),
    });
    let events = futures::stream::iter(replay)
        .chain(live)
        .map(move |(id, message)| {
            let _ = &guard;
            Event::default().id(id).data(message)
        });
    sse_response(
        events.take_until(entry.closed.clone().cancelled_owned()),
        app.config.keep_alive,
        Vec::new(),
    )
}

/// DELETE: ends a legacy session.
fn delete(app: Arc<App>, headers: HeaderMap) -> Response {
    if era(&headers, None).is_modern() || app.config.stateless {
        return method_not_allowed("Method not allowed: there is no session to end");
    }
    // Found the way every request finds it, so only its owner can end it.
    match session_of(&app, &headers) {
        Ok(None) => method_not_allowed("Method not allowed: DELETE needs an Mcp-Session-Id"),
        Ok(Some(entry)) if app.sessions.remove(&entry.id) => {
            tracing::debug!(session = %entry.id, "session ended by the client");
            StatusCode::OK.into_response()
        }
        Ok(Some(_)) => session_not_found(),
        Err(r) => r,
    }
}
