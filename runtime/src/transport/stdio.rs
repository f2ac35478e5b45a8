//! stdio: newline-delimited JSON-RPC on stdin and stdout. Requests are served
//! concurrently (a slow tool never blocks a fast one); everything the server
//! logs goes to stderr. On end of input, requests in flight are given a
//! moment to finish, then the server exits.
//!
//! The process's own stdin and stdout are read and written by blocking
//! threads (tokio's stdio would hop to its blocking pool on every read and
//! write); any other reader and writer (pipes, sockets, tests) is served
//! with async I/O. Both share [`Connection`], which answers a request on the
//! spot when it can and spawns a task only for requests that wait.

use crate::dispatch::{Core, Outbound, Session};
use crate::protocol::jsonrpc::{self, ErrorObject, Message};
use std::future::Future;
use std::io::{BufRead, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader, BufWriter,
};
use tokio_util::task::TaskTracker;

/// How long requests in flight may run after the input closes.
const DRAIN_GRACE: Duration = Duration::from_secs(10);

/// What one line of input was.
enum Line {
    Message,
    TooLong(usize),
    Eof,
}

/// Splits input into lines of at most `max` bytes; a longer line is skipped
/// (never held in memory) and reported.
struct LineReader {
    max: usize,
    buf: Vec<u8>,
    skipped: usize,
}

impl LineReader {
    fn new(max: usize) -> Self {
        LineReader {
            max,
            buf: Vec::with_capacity(4096),
            skipped: 0,
        }
    }

    /// Takes `available` bytes; returns how many were used and whether a
    /// line ended.
    fn take(&mut self, available: &[u8]) -> (usize, bool) {
        let (chunk, used, done) = match available.iter().position(|b| *b == b'\n') {
            Some(i) => (&available[..i], i + 1, true),
            None => (available, available.len(), false),
        };
        if self.skipped > 0 || self.buf.len() + chunk.len() > self.max {
            self.skipped += self.buf.len() + chunk.len();
            self.buf.clear();
        } else {
            self.buf.extend_from_slice(chunk);
        }
        (used, done)
    }

    fn finish(&mut self, eof: bool) -> Line {
        let skipped = std::mem::take(&mut self.skipped);
        if skipped > 0 {
            Line::TooLong(skipped)
        } else if eof && self.buf.is_empty() {
            Line::Eof
        } else {
            Line::Message
        }
    }

    async fn read_async<R: AsyncBufRead + Unpin>(
        &mut self,
        reader: &mut R,
    ) -> std::io::Result<Line> {
        self.buf.clear();
        loop {
            let available = reader.fill_buf().await?;
            if available.is_empty() {
                return Ok(self.finish(true));
            }
            let (used, done) = self.take(available);
            reader.consume(used);
            if done {
                return Ok(self.finish(false));
            }
        }
    }

    fn read_blocking<R: BufRead>(&mut self, reader: &mut R) -> std::io::Result<Line> {
        self.buf.clear();
        loop {
            let available = match reader.fill_buf() {
                Ok(a) => a,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                return Ok(self.finish(true));
            }
            let (used, done) = self.take(available);
            reader.consume(used);
            if done {
                return Ok(self.finish(false));
            }
        }
    }
}

/// One client connection: decodes each line and answers it, at once when
/// the handler does not wait, from a task of its own otherwise.
struct Connection {
    session: Arc<Session>,
    out: Outbound,
    tracker: TaskTracker,
    max: usize,
}

impl Connection {
    fn new(core: Arc<Core>, out: Outbound) -> Self {
        let max = core.settings.max_message_bytes;
        let session = Session::new(core, out.clone());
        session.spawn_event_forwarding();
        Connection {
            session,
            out,
            tracker: TaskTracker::new(),
            max,
        }
    }

    /// Serves one line; returns the answer when it is ready at once (the
    /// caller writes it), otherwise the answer goes to `out` later.
    fn on_line(&self, line: Line, text: &[u8]) -> Option<String> {
        match line {
            Line::Eof => None,
            Line::TooLong(n) => {
                let max = self.max;
                let e = ErrorObject::invalid_request(format!(
                    "Message too large: {n} bytes exceed the limit of {max} (MCP_MAX_MESSAGE_BYTES)"
                ));
                Some(jsonrpc::encode_error(None, &e))
            }
            Line::Message if text.iter().all(u8::is_ascii_whitespace) => None,
            Line::Message => match Message::decode(text) {
                Ok(Message::Request(request)) => {
                    let session = self.session.clone();
                    let out = self.out.clone();
                    let mut serve = Box::pin(async move {
                        session
                            .handle_request(request, out)
                            .await
                            .map(|r| r.encode())
                    });
                    // Most requests finish without waiting on anything (and
                    // `initialize` always does, so requests pipelined after it
                    // find the session ready): answer them here.
                    let waker = futures::task::noop_waker();
                    match serve
                        .as_mut()
                        .poll(&mut std::task::Context::from_waker(&waker))
                    {
                        std::task::Poll::Ready(reply) => reply,
                        std::task::Poll::Pending => {
                            let out = self.out.clone();
                            self.tracker.spawn(async move {
                                if let Some(reply) = serve.await {
                                    out.send(reply);
                                }
                            });
                            None
                        }
                    }
                }
                Ok(Message::Notification(n)) => {
                    self.session.handle_notification(n);
                    None
                }
                Ok(Message::Response(r)) => {
                    self.session.handle_response(r);
                    None
                }
                Err(e) => {
                    tracing::debug!(error = %e.error, "undecodable message");
                    Some(jsonrpc::encode_error(e.id.as_ref(), &e.error))
                }
            },
        }
    }

    /// After the input ended: lets requests in flight finish (within a
    /// bound), then cancels the rest.
    async fn drain(self) {
        self.session.end_streams();
        self.tracker.close();
        if tokio::time::timeout(DRAIN_GRACE, self.tracker.wait())
            .await
            .is_err()
        {
            tracing::debug!("input closed; cancelling requests still in flight");
        }
        self.session.close();
    }
}

/// Serves one connection over any async reader and writer (a pipe, a
/// socket, an in-memory duplex in tests) until the reader ends.
pub(crate) async fn serve<R, W>(core: Arc<Core>, reader: R, writer: W) -> Result<(), crate::Error>
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
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

    let connection = Connection::new(core, out.clone());
    let mut reader = BufReader::with_capacity(64 * 1024, reader);
    let mut lines = LineReader::new(connection.max);
    loop {
        let line = lines.read_async(&mut reader).await?;
        if matches!(line, Line::Eof) {
            break;
        }
        if let Some(reply) = connection.on_line(line, &lines.buf) {
            out.send(reply);
        }
    }
    connection.drain().await;
    drop(out);
    match tokio::time::timeout(Duration::from_secs(2), writer_task).await {
        Ok(Ok(Err(e))) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// Serves the process's stdin and stdout until stdin ends.
pub(crate) async fn serve_process_stdio(core: Arc<Core>) -> Result<(), crate::Error> {
    let stdout = Arc::new(Mutex::new(std::io::BufWriter::with_capacity(
        64 * 1024,
        std::io::stdout(),
    )));
    let (out, mut outgoing) = Outbound::channel();

    // Messages sent while requests run (and answers of requests that waited).
    let writer = stdout.clone();
    let writer_thread = std::thread::Builder::new()
        .name("mcp-stdout".into())
        .spawn(move || -> std::io::Result<()> {
            while let Some(message) = outgoing.blocking_recv() {
                let mut w = writer.lock().unwrap_or_else(|p| p.into_inner());
                w.write_all(message.as_bytes())?;
                w.write_all(b"\n")?;
                while let Ok(message) = outgoing.try_recv() {
                    w.write_all(message.as_bytes())?;
                    w.write_all(b"\n")?;
                }
                w.flush()?;
            }
            Ok(())
        })?;

    let connection = Connection::new(core, out.clone());
    // The reader thread answers what it can on the spot and writes those
    // answers itself, once per batch of input lines.
    let (connection, read_outcome) = tokio::task::spawn_blocking(move || {
        let stdin = std::io::stdin();
        let mut reader = std::io::BufReader::with_capacity(64 * 1024, stdin.lock());
        let mut lines = LineReader::new(connection.max);
        let mut answers = Vec::<u8>::with_capacity(64 * 1024);
        let outcome = loop {
            let line = match lines.read_blocking(&mut reader) {
                Ok(Line::Eof) => break Ok(()),
                Ok(line) => line,
                Err(e) => break Err(e),
            };
            if let Some(reply) = connection.on_line(line, &lines.buf) {
                answers.extend_from_slice(reply.as_bytes());
                answers.push(b'\n');
            }
            // Write when no further line is already waiting.
            if !answers.is_empty() && !reader.buffer().contains(&b'\n') {
                let mut w = stdout.lock().unwrap_or_else(|p| p.into_inner());
                if let Err(e) = w.write_all(&answers).and_then(|_| w.flush()) {
                    break Err(e);
                }
                answers.clear();
            }
        };
        (connection, outcome)
    })
    .await
    .map_err(|e| std::io::Error::other(format!("stdin reader failed: {e}")))?;

    connection.drain().await;
    drop(out);
    let written = tokio::task::spawn_blocking(move || writer_thread.join()).await;
    match (read_outcome, written) {
        (Err(e), _) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        (_, Ok(Ok(Err(e)))) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}
