//! Answering one POST: JSON when the reply is all there is, else an SSE
//! stream that carries what the handler sent (notifications, and in the
//! legacy era server-to-client requests) before the reply.

use crate::dispatch::{OutboundReceiver, Reply};
use crate::protocol::jsonrpc::{self, ErrorObject, RequestId};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::future::BoxFuture;
use futures::{Stream, StreamExt};
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// A JSON body with a status.
pub(crate) fn json_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// A JSON-RPC error body with a status (every 4xx says what was wrong).
pub(crate) fn error_response(
    status: StatusCode,
    id: Option<&RequestId>,
    error: &ErrorObject,
) -> Response {
    json_response(status, jsonrpc::encode_error(id, error))
}

/// An SSE response: each message one `data:` line, keep-alive comments, and
/// `X-Accel-Buffering: no` so proxies pass events on at once.
pub(crate) fn sse_response<S>(
    stream: S,
    keep_alive: Duration,
    extra: Vec<(HeaderName, HeaderValue)>,
) -> Response
where
    S: Stream<Item = Event> + Send + 'static,
{
    let sse =
        Sse::new(stream.map(Ok::<_, Infallible>)).keep_alive(KeepAlive::new().interval(keep_alive));
    let mut response = sse.into_response();
    let headers = response.headers_mut();
    headers.insert(
        HeaderName::from_static("x-accel-buffering"),
        HeaderValue::from_static("no"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    for (k, v) in extra {
        headers.insert(k, v);
    }
    response
}

/// The messages of one request, then its reply: drains `rx` while the work
/// runs, then whatever it queued last, then the reply, then ends.
pub(crate) struct ReplyStream {
    first: Option<String>,
    rx: Option<OutboundReceiver>,
    work: Option<BoxFuture<'static, Option<Reply>>>,
    last: Option<String>,
}

impl Stream for ReplyStream {
    type Item = String;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<String>> {
        let this = &mut *self;
        if let Some(first) = this.first.take() {
            return Poll::Ready(Some(first));
        }
        if let Some(rx) = &mut this.rx {
            if let Poll::Ready(Some(m)) = rx.poll_recv(cx) {
                return Poll::Ready(Some(m));
            }
        }
        if let Some(work) = &mut this.work {
            match work.as_mut().poll(cx) {
                Poll::Ready(reply) => {
                    this.work = None;
                    this.last = reply.map(|r| r.encode());
                }
                Poll::Pending => return Poll::Pending,
            }
        }
        if let Some(rx) = &mut this.rx {
            if let Ok(m) = rx.try_recv() {
                return Poll::Ready(Some(m));
            }
        }
        this.rx = None;
        Poll::Ready(this.last.take())
    }
}

/// How to answer one request.
pub(crate) struct Answer {
    /// Whether an SSE stream may be used (the client accepts it and JSON-only
    /// mode is off).
    pub sse: bool,
    /// Whether the client accepts JSON (else even a lone reply is streamed).
    pub json: bool,
    /// The status of a JSON reply.
    pub status: fn(&Reply) -> StatusCode,
    /// Ends the stream early (long-lived streams, at shutdown).
    pub until: Option<CancellationToken>,
    /// Headers to add (`Mcp-Session-Id`).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The keep-alive interval of a stream.
    pub keep_alive: Duration,
}

/// Runs `work` and answers: JSON if it finishes before sending anything,
/// otherwise an SSE stream. Dropping the response drops `work`.
pub(crate) async fn answer(
    mut work: BoxFuture<'static, Option<Reply>>,
    rx: OutboundReceiver,
    how: Answer,
) -> Response {
    let mut rx = rx;
    if !how.sse {
        drop(rx);
        return json_answer(work.await, &how);
    }
    let (first, last) = tokio::select! {
        biased;
        reply = &mut work => match rx.try_recv() {
            Ok(first) => (Some(first), Some(reply)),
            Err(_) if how.json || reply.is_none() => return json_answer(reply, &how),
            Err(_) => (None, Some(reply)),
        },
        Some(first) = rx.recv() => (Some(first), None),
    };
    let stream = match last {
        Some(reply) => ReplyStream {
            first,
            rx: Some(rx),
            work: None,
            last: reply.map(|r| r.encode()),
        },
        None => ReplyStream {
            first,
            rx: Some(rx),
            work: Some(work),
            last: None,
        },
    };
    let events = stream.map(|m| Event::default().data(m));
    match how.until {
        Some(token) => sse_response(
            events.take_until(token.cancelled_owned()),
            how.keep_alive,
            how.headers,
        ),
        None => sse_response(events, how.keep_alive, how.headers),
    }
}

fn json_answer(reply: Option<Reply>, how: &Answer) -> Response {
    let mut response = match reply {
        Some(reply) => json_response((how.status)(&reply), reply.encode()),
        // Cancelled: nothing is sent for it.
        None => StatusCode::ACCEPTED.into_response(),
    };
    for (k, v) in &how.headers {
        response.headers_mut().insert(k.clone(), v.clone());
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dispatch::Outbound;
    use futures::FutureExt;
    use serde_json::json;

    #[tokio::test]
    async fn notifications_come_before_the_reply() {
        let (out, rx) = Outbound::channel();
        let work = async move {
            out.send("n1".into());
            tokio::task::yield_now().await;
            out.send("n2".into());
            Some(Reply {
                id: RequestId::Number(1),
                outcome: Ok(json!({})),
            })
        }
        .boxed();
        let s = ReplyStream {
            first: None,
            rx: Some(rx),
            work: Some(work),
            last: None,
        };
        let items: Vec<String> = s.collect().await;
        assert_eq!(items.len(), 3);
        assert_eq!(&items[..2], &["n1".to_string(), "n2".to_string()]);
        assert!(items[2].contains("\"result\""));
    }
}
