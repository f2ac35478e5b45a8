//! stdio: newline-delimited JSON-RPC on stdin and stdout. Requests that run
//! user code are served on tasks of their own (up to
//! `MCP_MAX_REQUESTS_IN_FLIGHT`), so the reader keeps reading while a handler
//! works or misbehaves: pings are answered and cancellations delivered.
//! Everything the server logs goes to stderr. On end of input, requests in
//! flight get `MCP_SHUTDOWN_GRACE_SECS` to finish.
//!
//! The process's own stdin and stdout are read and written by blocking
//! threads (tokio's stdio would hop to its blocking pool on every read and
//! write); any other reader and writer (pipes, sockets, tests) is served
//! with async I/O. Both share `Connection`.

use crate::dispatch::{Core, Outbound, Session};
use crate::protocol::jsonrpc::{self, ErrorObject, Message, Request};
use std::future::Future;
use std::io::{BufRead, Write};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Poll;
use std::time::Duration;
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader, BufWriter,
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::task::TaskTracker;

/// The methods that run user code (tools, resources, prompts, completers).
/// They are served on a task of their own, so a handler that blocks its
/// thread never stalls the reader. Every other method is answered on the
/// spot, in input order: requests pipelined after `initialize` find the
/// session ready, and `ping` is answered whatever the handlers do.
const USER_CODE: [&str; 4] = [
    "tools/call",
    "resources/read",
    "prompts/get",
    "completion/complete",
];

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

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

/// What the reader does with one line.
enum Step {
    /// Nothing to write now.
    Nothing,
    /// Write this answer.
    Answer(String),
    /// Serve this request on a task of its own, once a slot is free.
    Spawn(Request),
}

/// One client connection: decodes each line and answers it, on the spot for
/// the protocol's own methods, from a task of its own for user code.
struct Connection {
    session: Arc<Session>,
    out: Outbound,
    tracker: TaskTracker,
    max: usize,
    /// One permit per request served by a task (`MCP_MAX_REQUESTS_IN_FLIGHT`).
    slots: Arc<Semaphore>,
}

impl Connection {
    fn new(core: Arc<Core>, out: Outbound) -> Self {
        let max = core.settings.max_message_bytes;
        let slots = Arc::new(Semaphore::new(core.settings.max_requests_in_flight));
        let session = Session::new(core, out.clone());
        session.spawn_event_forwarding();
        Connection {
            session,
            out,
            tracker: TaskTracker::new(),
            max,
            slots,
        }
    }

    /// Serves one line as far as it can without waiting.
    fn on_line(&self, line: Line, text: &[u8]) -> Step {
        match line {
            Line::Eof => Step::Nothing,
            Line::TooLong(n) => {
                let max = self.max;
                let e = ErrorObject::invalid_request(format!(
                    "Message too large: {n} bytes exceed the limit of {max} (MCP_MAX_MESSAGE_BYTES)"
                ));
                Step::Answer(jsonrpc::encode_error(None, &e))
            }
            Line::Message if text.iter().all(u8::is_ascii_whitespace) => Step::Nothing,
            Line::Message => match Message::decode(text) {
                Ok(Message::Request(request)) if USER_CODE.contains(&request.method.as_str()) => {
                    Step::Spawn(request)
                }
                Ok(Message::Request(request)) => self.answer_now(request),
                Ok(Message::Notification(n)) => {
                    self.session.handle_notification(n);
                    Step::Nothing
                }
                Ok(Message::Response(r)) => {
                    self.session.handle_response(r);
                    Step::Nothing
                }
                Err(e) => {
                    tracing::debug!(error = %e.error, "undecodable message");
                    Step::Answer(jsonrpc::encode_error(e.id.as_ref(), &e.error))
                }
            },
        }
    }

    /// Serves a request that runs no user code: answered here when it does
    /// not wait (always, but for `subscriptions/listen`), else from a task.
    fn answer_now(&self, request: Request) -> Step {
        let session = self.session.clone();
        let out = self.out.clone();
        let mut serve = Box::pin(async move {
            session
                .handle_request(request, out)
                .await
                .map(|r| r.encode())
        });
        let waker = futures::task::noop_waker();
        match serve
            .as_mut()
            .poll(&mut std::task::Context::from_waker(&waker))
        {
            Poll::Ready(Some(reply)) => Step::Answer(reply),
            Poll::Ready(None) => Step::Nothing,
            Poll::Pending => {
                let out = self.out.clone();
                self.tracker.spawn(async move {
                    if let Some(reply) = serve.await {
                        out.send(reply);
                    }
                });
                Step::Nothing
            }
        }
    }

    /// Serves a request that runs user code on a task of its own, holding
    /// `slot` until it ends. The session admits the request here, on the
    /// reader, so a cancellation or a duplicate id read next is applied to it.
    fn spawn(&self, request: Request, slot: Option<OwnedSemaphorePermit>) {
        let serve = self.session.handle_request(request, self.out.clone());
        let out = self.out.clone();
        self.tracker.spawn(async move {
            let _slot = slot;
            if let Some(reply) = serve.await {
                out.send(reply.encode());
            }
        });
    }

    /// A free slot for a request served by a task, without waiting.
    fn try_slot(&self) -> Option<OwnedSemaphorePermit> {
        self.slots.clone().try_acquire_owned().ok()
    }

    /// Waits for a free slot (the reader stops reading meanwhile).
    async fn slot(&self) -> Option<OwnedSemaphorePermit> {
        self.slots.clone().acquire_owned().await.ok()
    }

    /// After the input ended: no new requests come, streams end.
    fn input_ended(&self) {
        self.session.end_streams();
        self.tracker.close();
    }

    /// Lets requests in flight finish (within `grace`), then cancels the
    /// rest; `true` when all finished.
    async fn drain(self, grace: Duration) -> bool {
        self.input_ended();
        let finished = tokio::time::timeout(grace, self.tracker.wait())
            .await
            .is_ok();
        if !finished {
            tracing::debug!("input closed; cancelling requests still in flight");
        }
        self.session.close();
        finished
    }
}

/// Whether the client stopped reading: its outbound queue overflowed
/// (`MCP_MAX_OUTBOUND_QUEUE`), so the connection ends as if input had.
fn not_reading(out: &Outbound) -> bool {
    let overflowed = out.overflowed().is_cancelled();
    if overflowed {
        tracing::error!("the client does not read stdout (outbound queue full: MCP_MAX_OUTBOUND_QUEUE, MCP_MAX_OUTBOUND_QUEUE_BYTES); ending the connection");
    }
    overflowed
}

/// Serves one connection over any async reader and writer (a pipe, a
/// socket, an in-memory duplex in tests) until the reader ends.
pub(crate) async fn serve<R, W>(core: Arc<Core>, reader: R, writer: W) -> Result<(), crate::Error>
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let grace = core.settings.shutdown_grace;
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
        if matches!(line, Line::Eof) || not_reading(&out) {
            break;
        }
        match connection.on_line(line, &lines.buf) {
            Step::Nothing => {}
            Step::Answer(reply) => {
                out.send(reply);
            }
            Step::Spawn(request) => {
                let slot = match connection.try_slot() {
                    Some(slot) => Some(slot),
                    None => connection.slot().await,
                };
                connection.spawn(request, slot);
            }
        }
    }
    connection.drain(grace).await;
    drop(out);
    match tokio::time::timeout(Duration::from_secs(2), writer_task).await {
        Ok(Ok(Err(e))) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// Where the process writes protocol messages. On Unix, the process's
/// stdout (fd 1) is kept for the transport and fd 1 is pointed at stderr,
/// so whatever else writes to stdout (a handler's `println!`, a child
/// process) lands in the log instead of corrupting the JSON-RPC stream.
#[cfg(unix)]
fn protocol_output() -> std::io::Result<std::fs::File> {
    use std::os::fd::{AsFd, OwnedFd};
    // Taken once per process; a second server in the same process shares it.
    static TAKEN: Mutex<Option<OwnedFd>> = Mutex::new(None);
    let mut taken = lock(&TAKEN);
    let fd = match taken.as_ref() {
        Some(fd) => fd.try_clone()?,
        None => {
            // Holding stdout's lock, nothing is printed half way through.
            let mut stdout = std::io::stdout().lock();
            stdout.flush()?;
            let fd = stdout.as_fd().try_clone_to_owned()?;
            rustix::stdio::dup2_stdout(std::io::stderr())?;
            *taken = Some(fd.try_clone()?);
            fd
        }
    };
    Ok(std::fs::File::from(fd))
}

/// Where the process writes protocol messages: its stdout (elsewhere than
/// Unix, a handler's `println!` still reaches the client).
#[cfg(not(unix))]
fn protocol_output() -> std::io::Result<std::io::Stdout> {
    Ok(std::io::stdout())
}

/// Ends the process `grace` after stdin closed unless `done` is dropped
/// first: a sync handler's thread or an async handler that blocks its thread
/// cannot be stopped, and the tokio runtime would wait for them forever
/// when dropped, leaving an orphan process per abandoned client.
fn exit_after(
    grace: Duration,
    stdout: Arc<Mutex<impl Write + Send + 'static>>,
) -> std::sync::mpsc::Sender<()> {
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let spawned = std::thread::Builder::new()
        .name("mcp-stdio-exit".into())
        .spawn(move || {
            if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = finished.recv_timeout(grace)
            {
                tracing::warn!(
                    "stdin closed and requests still run after {} s (MCP_SHUTDOWN_GRACE_SECS): exiting",
                    grace.as_secs()
                );
                if let Ok(mut w) = stdout.try_lock() {
                    let _ = w.flush();
                }
                std::process::exit(0);
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("cannot watch the shutdown grace period: {e}");
    }
    done
}

/// Serves the process's stdin and stdout until stdin ends. Requests still
/// running `MCP_SHUTDOWN_GRACE_SECS` after that end the process (see
/// [`exit_after`]).
pub(crate) async fn serve_process_stdio(core: Arc<Core>) -> Result<(), crate::Error> {
    let grace = core.settings.shutdown_grace;
    let stdout = Arc::new(Mutex::new(std::io::BufWriter::with_capacity(
        64 * 1024,
        protocol_output()?,
    )));
    let (out, mut outgoing) = Outbound::channel();

    // Messages sent while requests run (and answers of requests on tasks).
    let writer = stdout.clone();
    let writer_thread = std::thread::Builder::new()
        .name("mcp-stdout".into())
        .spawn(move || -> std::io::Result<()> {
            while let Some(message) = outgoing.blocking_recv() {
                let mut w = lock(&writer);
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
    let reader_stdout = stdout.clone();
    let (connection, read_outcome) = tokio::task::spawn_blocking(move || {
        let stdin = std::io::stdin();
        let mut reader = std::io::BufReader::with_capacity(64 * 1024, stdin.lock());
        let mut lines = LineReader::new(connection.max);
        let mut answers = Vec::<u8>::with_capacity(64 * 1024);
        let write = |answers: &mut Vec<u8>| -> std::io::Result<()> {
            if answers.is_empty() {
                return Ok(());
            }
            let mut w = lock(&reader_stdout);
            w.write_all(answers).and_then(|_| w.flush())?;
            answers.clear();
            Ok(())
        };
        let outcome = loop {
            let line = match lines.read_blocking(&mut reader) {
                Ok(Line::Eof) => break Ok(()),
                Ok(_) if not_reading(&connection.out) => break Ok(()),
                Ok(line) => line,
                Err(e) => break Err(e),
            };
            match connection.on_line(line, &lines.buf) {
                Step::Nothing => {}
                Step::Answer(reply) => {
                    answers.extend_from_slice(reply.as_bytes());
                    answers.push(b'\n');
                }
                Step::Spawn(request) => {
                    let slot = match connection.try_slot() {
                        Some(slot) => Some(slot),
                        None => {
                            // Every slot is taken: stop reading until one frees.
                            if let Err(e) = write(&mut answers) {
                                break Err(e);
                            }
                            futures::executor::block_on(connection.slot())
                        }
                    };
                    connection.spawn(request, slot);
                }
            }
            // Write when no further line is already waiting.
            if !reader.buffer().contains(&b'\n') {
                if let Err(e) = write(&mut answers) {
                    break Err(e);
                }
            }
        };
        (connection, outcome)
    })
    .await
    .map_err(|e| std::io::Error::other(format!("stdin reader failed: {e}")))?;

    // The watchdog runs on its own thread: handlers that block every worker
    // thread cannot delay it.
    let watchdog = exit_after(grace, stdout.clone());
    connection.input_ended();
    connection.tracker.wait().await;
    drop(watchdog);
    connection.session.close();
    drop(connection);
    drop(out);
    let written = tokio::task::spawn_blocking(move || writer_thread.join()).await;
    match (read_outcome, written) {
        (Err(e), _) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        (_, Ok(Ok(Err(e)))) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}
