//! stdio: newline-delimited JSON-RPC on stdin and stdout. Requests are served
//! concurrently (a slow tool never blocks a fast one); everything the server
//! logs goes to stderr. On end of input, requests in flight are given a
//! moment to finish, then the server exits.

use crate::dispatch::{Core, Outbound, Session};
use crate::protocol::jsonrpc::{self, ErrorObject, Message};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader, BufWriter,
};
use tokio_util::task::TaskTracker;

/// How long requests in flight may run after the input closes.
const DRAIN_GRACE: Duration = Duration::from_secs(10);

enum Line {
    Message,
    TooLong(usize),
    Eof,
}

/// Reads one line into `buf` (without the newline), never holding more than
/// `max` bytes: a longer line is skipped and reported.
async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<Line> {
    buf.clear();
    let mut skipped = 0usize;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(if skipped > 0 {
                Line::TooLong(skipped)
            } else if buf.is_empty() {
                Line::Eof
            } else {
                Line::Message
            });
        }
        let (chunk, done) = match available.iter().position(|b| *b == b'\n') {
            Some(i) => (&available[..i], Some(i + 1)),
            None => (available, None),
        };
        if skipped > 0 || buf.len() + chunk.len() > max {
            skipped += buf.len() + chunk.len();
            buf.clear();
        } else {
            buf.extend_from_slice(chunk);
        }
        let consumed = done.unwrap_or(available.len());
        reader.consume(consumed);
        if done.is_some() {
            return Ok(if skipped > 0 {
                Line::TooLong(skipped)
            } else {
                Line::Message
            });
        }
    }
}

/// Serves one connection over any reader and writer (stdin/stdout, a pipe,
/// an in-memory duplex in tests) until the reader ends.
pub(crate) async fn serve<R, W>(core: Arc<Core>, reader: R, writer: W) -> Result<(), crate::Error>
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let max = core.settings.max_message_bytes;
    let (out, mut outgoing) = Outbound::channel();
    let writer_task = tokio::spawn(async move {
        let mut w = BufWriter::with_capacity(64 * 1024, writer);
        while let Some(message) = outgoing.recv().await {
            w.write_all(message.as_bytes()).await?;
            w.write_all(b"\n").await?;
            // Write everything already queued before paying for a flush.
            while let Ok(message) = outgoing.try_recv() {
                w.write_all(message.as_bytes()).await?;
                w.write_all(b"\n").await?;
            }
            w.flush().await?;
        }
        Ok::<_, std::io::Error>(())
    });

    let session = Session::new(core, out.clone());
    session.spawn_event_forwarding();
    let tracker = TaskTracker::new();
    let mut reader = BufReader::with_capacity(64 * 1024, reader);
    let mut line = Vec::with_capacity(4096);
    loop {
        match read_line(&mut reader, &mut line, max).await? {
            Line::Eof => break,
            Line::TooLong(n) => {
                let e = ErrorObject::invalid_request(format!(
                    "Message too large: {n} bytes exceed the limit of {max} (MCP_MAX_MESSAGE_BYTES)"
                ));
                out.send(jsonrpc::encode_error(None, &e));
                continue;
            }
            Line::Message => {}
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match Message::decode(&line) {
            // `initialize` is answered before the next line is read, so a
            // client that pipelines requests after it finds the session ready.
            Ok(Message::Request(request))
                if request.method == "initialize" && !request.params.contains_key("_meta") =>
            {
                if let Some(reply) = session.handle_request(request, out.clone()).await {
                    out.send(reply.encode());
                }
            }
            Ok(Message::Request(request)) => {
                let session = session.clone();
                let out = out.clone();
                let mut serve = Box::pin(async move {
                    if let Some(reply) = session.handle_request(request, out.clone()).await {
                        out.send(reply.encode());
                    }
                });
                // Most requests finish without waiting on anything: serve them
                // here, and give only the rest a task of their own.
                let waker = futures::task::noop_waker();
                if serve
                    .as_mut()
                    .poll(&mut std::task::Context::from_waker(&waker))
                    .is_pending()
                {
                    tracker.spawn(serve);
                }
            }
            Ok(Message::Notification(n)) => session.handle_notification(n),
            Ok(Message::Response(r)) => session.handle_response(r),
            Err(e) => {
                tracing::debug!(error = %e.error, "undecodable message");
                out.send(jsonrpc::encode_error(e.id.as_ref(), &e.error));
            }
        }
    }
    tracker.close();
    if tokio::time::timeout(DRAIN_GRACE, tracker.wait())
        .await
        .is_err()
    {
        tracing::debug!("input closed; cancelling requests still in flight");
    }
    session.close();
    drop(session);
    drop(out);
    match tokio::time::timeout(Duration::from_secs(2), writer_task).await {
        Ok(Ok(Err(e))) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}
