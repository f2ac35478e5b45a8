//! Bounded load test of the HTTP listener (issue 12): for 30 s, 200 slow or
//! idle connections (silent ones, ones that dribble a request head, ones that
//! send half a body) and an HTTP+SSE client that never reads its stream but
//! keeps posting 256 KiB calls, against the bench example on loopback with
//! 2 s header, body and idle timeouts and a 1 MiB outbound queue. Every abusive connection that the
//! server closes is opened again at once, so the pressure holds.
//!
//! Passes when
//! - a normal client, calling `tools/call` every 200 ms, is answered every
//!   time (200 with the right text, within 10 s);
//! - the server's RSS (`VmRSS` of `/proc/PID/status`), sampled every second,
//!   stays under twice its value at the start (after one warm-up call);
//! - the non-reading SSE client was disconnected at least once.
//!
//! Ignored by default (about 35 s); `.ci/test.sh` runs it:
//! `cargo test -p mcp-runtime --test http_load -- --ignored --nocapture`.
//! `MCP_LOAD_SECS` shortens it for a trial run. The server is the bench
//! example of this target directory (built first), or
//! `MCP_SOAK_SERVER`. Linux only (it reads `/proc`).
#![cfg(target_os = "linux")]

mod bench_server;
use bench_server::{env_or, free_port, rss_kib, server_binary, Server};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SLOW_CONNECTIONS: usize = 200;
const TIMEOUT_SECS: u64 = 2;
const ACCEPT: &str = "application/json, text/event-stream";

/// Raises this process's soft file descriptor limit towards `wanted` (the
/// server inherits it); the limit that holds afterwards.
fn raise_fd_limit(wanted: u64) -> u64 {
    use rustix::process::{getrlimit, setrlimit, Resource};
    let mut limit = getrlimit(Resource::Nofile);
    let current = limit.current.unwrap_or(u64::MAX);
    if current >= wanted {
        return current;
    }
    let target = limit.maximum.map_or(wanted, |max| max.min(wanted));
    limit.current = Some(target);
    match setrlimit(Resource::Nofile, limit) {
        Ok(()) => target,
        Err(_) => current,
    }
}

/// One abusive connection, opened again whenever the server closes it.
async fn abuser(port: u16, kind: usize, until: Instant, closed: Arc<AtomicU64>) {
    while Instant::now() < until {
        let Ok(mut tcp) = TcpStream::connect(("127.0.0.1", port)).await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let head = format!("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n");
        let started = match kind {
            // Silent.
            0 => Ok(()),
            // Half a body.
            1 => {
                tcp.write_all(format!("{head}{{\"jsonrpc\"").as_bytes())
                    .await
            }
            // A head dribbled out a few bytes at a time.
            _ => tcp.write_all(b"PO").await,
        };
        if started.is_err() {
            continue;
        }
        let mut buf = [0u8; 1024];
        let mut dribbled = 2;
        loop {
            let tick = tokio::time::timeout(Duration::from_millis(500), tcp.read(&mut buf)).await;
            match tick {
                Ok(Ok(0)) | Ok(Err(_)) => {
                    closed.fetch_add(1, Ordering::Relaxed);
                    break;
                }
                Ok(Ok(_)) => {}
                Err(_) if Instant::now() >= until => return,
                Err(_) if kind >= 2 && dribbled < head.len() => {
                    let end = (dribbled + 3).min(head.len());
                    if tcp
                        .write_all(&head.as_bytes()[dribbled..end])
                        .await
                        .is_err()
                    {
                        closed.fetch_add(1, Ordering::Relaxed);
                        break;
                    }
                    dribbled = end;
                }
                Err(_) => {}
            }
        }
    }
}

/// An HTTP+SSE client that never reads its stream and posts big calls; it
/// opens a new session whenever the server drops it. Counts the drops.
async fn non_reader(port: u16, until: Instant, dropped: Arc<AtomicU64>) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("an HTTP client");
    let big = "x".repeat(256 * 1024);
    while Instant::now() < until {
        let Ok(mut sse) = TcpStream::connect(("127.0.0.1", port)).await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let get = format!(
            "GET /sse HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n"
        );
        if sse.write_all(get.as_bytes()).await.is_err() {
            continue;
        }
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        let endpoint = loop {
            match tokio::time::timeout(Duration::from_secs(5), sse.read(&mut buf)).await {
                Ok(Ok(n)) if n > 0 => seen.extend_from_slice(&buf[..n]),
                _ => break None,
            }
            let text = String::from_utf8_lossy(&seen);
            if let Some(start) = text.find("/messages") {
                let rest: String = text[start..]
                    .chars()
                    .take_while(|c| !c.is_whitespace())
                    .collect();
                if rest.contains("session_id=") && text[start..].contains('\n') {
                    break Some(rest);
                }
            }
        };
        let Some(endpoint) = endpoint else { continue };
        let url = format!("http://127.0.0.1:{port}{endpoint}");
        let post = |body: String| {
            client
                .post(&url)
                .header("content-type", "application/json")
                .body(body)
                .send()
        };
        let _ = post(r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"load","version":"1"}}}"#.into()).await;
        let _ = post(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#.into()).await;
        let mut n = 0u64;
        // Never read `sse` again.
        while Instant::now() < until {
            n += 1;
            let call = format!(
                r#"{{"jsonrpc":"2.0","id":{n},"method":"tools/call","params":{{"name":"echo","arguments":{{"text":"{big}"}}}}}}"#
            );
            match post(call).await.map(|r| r.status().as_u16()) {
                Ok(202) | Ok(429) => tokio::time::sleep(Duration::from_millis(50)).await,
                Ok(404) => {
                    dropped.fetch_add(1, Ordering::Relaxed);
                    break;
                }
                _ => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        drop(sse);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "load test, about 35 s; run with --ignored"]
async fn slow_and_idle_connections_do_not_starve_a_normal_client() {
    let secs: u64 = env_or("MCP_LOAD_SECS", 30);
    // This process holds the abusive connections; the server as many again.
    let fds = raise_fd_limit(4096);
    assert!(
        fds >= 2 * SLOW_CONNECTIONS as u64 + 200,
        "the file descriptor limit ({fds}) is too low for {SLOW_CONNECTIONS} connections"
    );
    let (server, port) = Server::start(|c| {
        c.env("MCP_HTTP_HEADER_TIMEOUT_SECS", TIMEOUT_SECS.to_string())
            .env("MCP_HTTP_BODY_TIMEOUT_SECS", TIMEOUT_SECS.to_string())
            .env("MCP_HTTP_IDLE_TIMEOUT_SECS", TIMEOUT_SECS.to_string())
            .env_remove("MCP_MAX_CONNECTIONS")
            // A 1 MiB queue per reader (default 4 MiB), so the non-reading
            // client is dropped every few calls.
            .env("MCP_MAX_OUTBOUND_QUEUE_BYTES", (1024 * 1024).to_string());
    })
    .await;
    let pid = server.0.id();
    let url = format!("http://127.0.0.1:{port}/mcp");

    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("an HTTP client");
    let call = |n: u64| {
        let body = format!(
            r#"{{"jsonrpc":"2.0","id":{n},"method":"tools/call","params":{{"name":"echo","arguments":{{"text":"load-{n}"}},"_meta":{{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{{}}}}}}}}"#
        );
        client
            .post(&url)
            .header("content-type", "application/json")
            .header("accept", ACCEPT)
            .header("mcp-protocol-version", "2026-07-28")
            .header("mcp-method", "tools/call")
            .header("mcp-name", "echo")
            .body(body)
            .send()
    };
    let answered = |n: u64, r: Result<reqwest::Response, reqwest::Error>| async move {
        let r = r.map_err(|e| format!("call {n}: {e}"))?;
        let status = r.status().as_u16();
        let body = r.text().await.map_err(|e| format!("call {n} body: {e}"))?;
        if status == 200 && body.contains(&format!("load-{n}")) {
            Ok(())
        } else {
            Err(format!("call {n}: {status} {body}"))
        }
    };
    // Warm up, then take the starting RSS.
    answered(0, call(0).await).await.expect("the warm-up call");
    let start_rss = rss_kib(pid);
    println!("load: {SLOW_CONNECTIONS} slow or idle connections and a non-reading SSE client for {secs} s; server pid {pid}, RSS at start {start_rss} KiB, fd limit {fds}");

    let until = Instant::now() + Duration::from_secs(secs);
    let closed = Arc::new(AtomicU64::new(0));
    let dropped = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for i in 0..SLOW_CONNECTIONS {
        tasks.push(tokio::spawn(abuser(port, i % 3, until, closed.clone())));
    }
    tasks.push(tokio::spawn(non_reader(port, until, dropped.clone())));

    let stop_sampling = Arc::new(AtomicBool::new(false));
    let sampler = {
        let stop = stop_sampling.clone();
        tokio::spawn(async move {
            let mut samples = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                samples.push(rss_kib(pid));
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            samples
        })
    };

    let (mut ok, mut failures) = (0u64, Vec::new());
    let mut slowest = Duration::ZERO;
    let mut n = 0u64;
    while Instant::now() < until {
        n += 1;
        let asked = Instant::now();
        match answered(n, call(n).await).await {
            Ok(()) => ok += 1,
            Err(e) => failures.push(e),
        }
        slowest = slowest.max(asked.elapsed());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for t in tasks {
        let _ = t.await;
    }
    stop_sampling.store(true, Ordering::Relaxed);
    let samples = sampler.await.expect("the sampler");
    let peak = samples.iter().copied().max().unwrap_or(0);
    println!(
        "load: normal client {ok} answered, {} failed, slowest {slowest:?}",
        failures.len()
    );
    println!(
        "load: abusive connections closed by the server {}, non-reading SSE sessions dropped {}",
        closed.load(Ordering::Relaxed),
        dropped.load(Ordering::Relaxed)
    );
    println!("load: RSS samples (KiB): {samples:?}\nload: start {start_rss} KiB, peak {peak} KiB, ratio {:.2} (bound 2.0)", peak as f64 / start_rss.max(1) as f64);
    assert!(
        failures.is_empty(),
        "the normal client failed: {failures:?}"
    );
    assert!(ok > 0, "the normal client was never answered");
    assert!(
        dropped.load(Ordering::Relaxed) > 0,
        "the non-reading SSE client was never disconnected"
    );
    assert!(
        closed.load(Ordering::Relaxed) >= SLOW_CONNECTIONS as u64,
        "the server did not close the slow and idle connections"
    );
    assert!(
        peak < 2 * start_rss,
        "RSS grew from {start_rss} KiB to {peak} KiB (more than twice)"
    );
    // Still serving.
    answered(999_999, call(999_999).await)
        .await
        .expect("a call after the load");
}

/// Issue 12, defect 3 as reported: with a 300 file descriptor limit, 320
/// silent sockets made a normal client time out. The server now serves at
/// most its limit less 64 connections and closes silent ones after the
/// header timeout, so the client is answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "spawns the bench example; run with --ignored"]
async fn idle_sockets_past_the_fd_limit_do_not_starve_a_client() {
    raise_fd_limit(4096);
    let port = free_port();
    let child = Command::new("sh")
        .arg("-c")
        .arg("ulimit -n 300 && exec \"$0\" --transport http --host 127.0.0.1 --port \"$1\"")
        .arg(server_binary())
        .arg(port.to_string())
        .env("MCP_HTTP_HEADER_TIMEOUT_SECS", TIMEOUT_SECS.to_string())
        .env("MCP_LOG_LEVEL", "error")
        .env_remove("MCP_MAX_CONNECTIONS")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the bench example");
    let _server = Server(child);
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server did not listen"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut silent = Vec::new();
    for _ in 0..320 {
        if let Ok(s) = TcpStream::connect(("127.0.0.1", port)).await {
            silent.push(s);
        }
    }
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("an HTTP client");
    let asked = Instant::now();
    let r = client
        .post(format!("http://127.0.0.1:{port}/mcp"))
        .header("content-type", "application/json")
        .header("accept", ACCEPT)
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", "server/discover")
        .body(r#"{"jsonrpc":"2.0","id":1,"method":"server/discover","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"load","version":"1"}}}}"#)
        .send()
        .await
        .expect("the normal client is answered despite 320 silent sockets");
    println!(
        "fd limit 300, {} silent sockets: answered {} in {:?}",
        silent.len(),
        r.status(),
        asked.elapsed()
    );
    assert_eq!(r.status().as_u16(), 200);
}
