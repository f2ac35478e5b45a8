//! The HTTP listener: accepts at most `MCP_MAX_CONNECTIONS` connections at
//! once (fewer if the open-file limit is lower), serves each with hyper's
//! HTTP/1 (`TCP_NODELAY` on), closes those that take too long to send a
//! request head (`MCP_HTTP_HEADER_TIMEOUT_SECS`, counted from the accept or
//! from the first byte after an idle spell) or sit idle between requests
//! (`MCP_HTTP_IDLE_TIMEOUT_SECS`), fails a request body that takes longer
//! than `MCP_HTTP_BODY_TIMEOUT_SECS` ([`BodyTimeout`]), closes a connection
//! whose stream overflowed ([`ConnectionCloser`]), and shuts down gracefully.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, Response};
use axum::Router;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// The connection a request came on, as a request extension: cancelling it
/// closes the connection at once (a stream whose peer does not read).
#[derive(Clone, Debug, Default)]
pub(crate) struct ConnectionCloser(pub CancellationToken);

/// Why a request body could not be read: it did not arrive in time.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within MCP_HTTP_BODY_TIMEOUT_SECS")]
pub(crate) struct BodyTimeout;

/// A request body that must be complete by a deadline (set when its head
/// arrived), whoever reads it: the MCP endpoints or a custom route.
struct Deadline {
    inner: Incoming,
    expires: Pin<Box<tokio::time::Sleep>>,
}

impl hyper::body::Body for Deadline {
    type Data = axum::body::Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.get_mut();
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        match this.expires.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(BodyTimeout.into()))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The listener's limits.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
    pub grace: Duration,
}

/// What one connection is doing, seen from its socket and its requests.
struct Activity {
    epoch: Instant,
    /// Requests whose response is not finished.
    active: AtomicUsize,
    /// When the connection last became idle (ms since `epoch`).
    idle_since: AtomicU64,
    /// 1 + when the next request head started: the accept, or the first byte
    /// after an idle spell; 0 when idle between requests.
    head_started: AtomicU64,
}

impl Activity {
    fn now(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    fn on_bytes(&self) {
        if self.active.load(Ordering::Acquire) == 0 {
            let now = self.now() + 1;
            let _ = self
                .head_started
                .compare_exchange(0, now, Ordering::AcqRel, Ordering::Acquire);
        }
    }

    fn start(&self) {
        self.active.fetch_add(1, Ordering::AcqRel);
        self.head_started.store(0, Ordering::Release);
    }

    fn finish(&self) {
        self.idle_since.store(self.now(), Ordering::Release);
        self.head_started.store(0, Ordering::Release);
        self.active.fetch_sub(1, Ordering::AcqRel);
    }

    /// Why the connection should close now, if it should.
    fn expired(&self, limits: &Limits) -> Option<&'static str> {
        if self.active.load(Ordering::Acquire) > 0 {
            return None;
        }
        let now = self.now();
        match self.head_started.load(Ordering::Acquire) {
            0 => {
                let idle = now.saturating_sub(self.idle_since.load(Ordering::Acquire));
                (idle >= limits.idle_timeout.as_millis() as u64)
                    .then_some("idle for MCP_HTTP_IDLE_TIMEOUT_SECS")
            }
            started => (now.saturating_sub(started - 1)
                >= limits.header_timeout.as_millis() as u64)
                .then_some("request head not sent within MCP_HTTP_HEADER_TIMEOUT_SECS"),
        }
    }
}

/// Marks the request finished when its response body is dropped.
struct Finished(Arc<Activity>);

impl Drop for Finished {
    fn drop(&mut self) {
        self.0.finish();
    }
}

/// A response body that keeps its request counted until it is sent.
struct Counted {
    inner: Body,
    _finished: Finished,
}

impl hyper::body::Body for Counted {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A socket that reports the bytes it receives.
struct Tracked {
    io: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Tracked {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let read = Pin::new(&mut this.io).poll_read(cx, buf);
        if matches!(read, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.activity.on_bytes();
        }
        read
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

/// Serves `app` on `listener` until `stop` is cancelled; then lets the
/// connections finish for up to `limits.grace`.
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    stop: CancellationToken,
) -> std::io::Result<()> {
    let max_connections = match open_files_limit() {
        // Keep some descriptors for everything else the process opens.
        Some(files) if files > 128 && files - 64 < limits.max_connections => {
            tracing::info!(
                "serving at most {} connections at once: the open-file limit is {files} (MCP_MAX_CONNECTIONS is {})",
                files - 64,
                limits.max_connections
            );
            files - 64
        }
        _ => limits.max_connections,
    };
    let slots = Arc::new(Semaphore::new(max_connections));
    let tracker = TaskTracker::new();
    let force = CancellationToken::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    // hyper's own head timer runs from the moment it waits for a head; ours
    // (below) counts from the head's first byte. Set past ours, it is only a
    // backstop.
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout + limits.idle_timeout)
        .keep_alive(true);
    let period = (limits.header_timeout.min(limits.idle_timeout) / 4)
        .clamp(Duration::from_millis(100), Duration::from_secs(1));
    loop {
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => p,
            _ = stop.cancelled() => break,
        };
        let Ok(permit) = permit else { break };
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(x) => x,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before
                    // it was accepted: wait a little, never spin.
                    tracing::debug!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stop.cancelled() => break,
        };
        // Nagle's algorithm would hold small SSE frames and answers back.
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
        let activity = Arc::new(Activity {
            epoch: Instant::now(),
            active: AtomicUsize::new(0),
            idle_since: AtomicU64::new(0),
            // A new connection owes its first head at once.
            head_started: AtomicU64::new(1),
        });
        let closer = CancellationToken::new();
        let inner = TowerToHyperService::new(app.clone());
        let service = {
            let (activity, closer) = (activity.clone(), closer.clone());
            hyper::service::service_fn(move |mut request: Request<Incoming>| {
                activity.start();
                let finished = Finished(activity.clone());
                request
                    .extensions_mut()
                    .insert(ConnectionCloser(closer.clone()));
                request.extensions_mut().insert(ConnectInfo(peer));
                let expires = Box::pin(tokio::time::sleep(limits.body_timeout));
                let request = request.map(|inner| Body::new(Deadline { inner, expires }));
                let served = hyper::service::Service::call(&inner, request);
                async move {
                    let response: Response<Body> = match served.await {
                        Ok(r) => r,
                        Err(never) => match never {},
                    };
                    Ok::<_, Infallible>(response.map(|inner| Counted {
                        inner,
                        _finished: finished,
                    }))
                }
            })
        };
        let connection = http.serve_connection(
            TokioIo::new(Tracked {
                io: tcp,
                activity: activity.clone(),
            }),
            service,
        );
        let (stop, force) = (stop.clone(), force.clone());
        tracker.spawn(async move {
            let _permit = permit;
            tokio::pin!(connection);
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut draining = false;
            loop {
                tokio::select! {
                    served = connection.as_mut() => {
                        if let Err(e) = served {
                            tracing::debug!(%peer, error = %e, "connection ended with an error");
                        }
                        break;
                    }
                    _ = closer.cancelled() => {
                        tracing::debug!(%peer, "closing a connection whose peer does not read");
                        break;
                    }
                    _ = stop.cancelled(), if !draining => {
                        draining = true;
                        connection.as_mut().graceful_shutdown();
                    }
                    _ = force.cancelled() => break,
                    _ = tick.tick() => {
                        if let Some(why) = activity.expired(&limits) {
                            tracing::debug!(%peer, "closing a connection: {why}");
                            break;
                        }
                    }
                }
            }
        });
    }
    drop(listener);
    tracker.close();
    if tokio::time::timeout(limits.grace, tracker.wait())
        .await
        .is_err()
    {
        tracing::info!("shutdown grace elapsed; closing the remaining connections");
        force.cancel();
    }
    Ok(())
}

/// The soft limit on open files (Linux), if known.
fn open_files_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}
