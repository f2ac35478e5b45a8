//! The server's own log: a `tracing` subscriber on stderr, set up by
//! `Server::run` from the settings.

use crate::settings::Settings;

/// Logs to stderr at `MCP_LOG_LEVEL` (debug with `MCP_DEBUG`), or as
/// `RUST_LOG` says when it is set; a subscriber already installed stays.
/// Colours only when stderr is a terminal: a host that captures the log
/// (Claude Desktop, a file, `docker logs`) gets plain text.
pub(super) fn init(settings: &Settings) {
    use tracing_subscriber::filter::LevelFilter;
    let level = match settings.log_level.to_ascii_lowercase().as_str() {
        _ if settings.debug => LevelFilter::DEBUG,
        "trace" => LevelFilter::TRACE,
        "debug" => LevelFilter::DEBUG,
        "info" => LevelFilter::INFO,
        "warn" | "warning" => LevelFilter::WARN,
        "off" => LevelFilter::OFF,
        _ => LevelFilter::ERROR,
    };
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false);
    // RUST_LOG's directives need the regex-based EnvFilter; a plain level
    // does not, which keeps start-up small.
    let _ = match std::env::var("RUST_LOG") {
        Ok(directives) if !directives.is_empty() => builder
            .with_env_filter(tracing_subscriber::EnvFilter::new(directives))
            .try_init(),
        _ => builder.with_max_level(level).try_init(),
    };
}
