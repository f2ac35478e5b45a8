//! What the long HTTP tests (soak, load) share: the bench example as the
//! server under test, spawned and killed with the test, a free loopback
//! port, and the server's resident memory.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `var` parsed, or `default` when unset or unparsable.
pub fn env_or<T: std::str::FromStr>(var: &str, default: T) -> T {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The bench example next to this test's binary (`target/<profile>/examples`),
/// or `MCP_SOAK_SERVER`. Built every time (a no-op when fresh), so a stale
/// binary never stands in for the code under test.
pub fn server_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("MCP_SOAK_SERVER") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("the test's own path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps/<test>");
    let bench = profile_dir.join("examples").join("bench");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "-p", "mcp-runtime", "--example", "bench"])
        .status()
        .expect("run cargo build");
    assert!(status.success(), "cargo build --example bench failed");
    assert!(bench.exists(), "no bench example at {}", bench.display());
    bench
}

/// A spawned server, killed when dropped.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A loopback port nobody listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// The resident memory of process `pid` in KiB (`VmRSS`), 0 when unknown.
pub fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

impl Server {
    /// Starts the bench example over Streamable HTTP on a free loopback
    /// port, quiet (`MCP_LOG_LEVEL=error`, no `RUST_LOG`), with `configure`
    /// adding the test's own settings; returns once it listens on the port
    /// it returns.
    pub async fn start(configure: impl FnOnce(&mut Command)) -> (Server, u16) {
        let port = free_port();
        let mut command = Command::new(server_binary());
        command
            .args(["--transport", "http", "--host", "127.0.0.1", "--port"])
            .arg(port.to_string())
            .env("MCP_LOG_LEVEL", "error")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        configure(&mut command);
        let server = Server(command.spawn().expect("start the bench example"));
        let started = Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the server did not listen"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        (server, port)
    }
}
