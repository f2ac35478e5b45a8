//! `--inspector official`: the official MCP Inspector, run with
//! `npx -y @modelcontextprotocol/inspector`, which needs Node.js 22.19+.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The oldest Node.js the official inspector runs on.
pub const MINIMUM: (u32, u32) = (22, 19);

/// The npm package of the official inspector.
pub const PACKAGE: &str = "@modelcontextprotocol/inspector";

/// Node.js cannot run the official inspector.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NodeError {
    /// No `node` on PATH.
    #[error("`--inspector official` runs the official MCP Inspector through npx, which needs Node.js 22.19 or newer, but no `node` was found on PATH; install Node.js 22.19+ (with npx), or drop `--inspector official` to use the built-in inspector")]
    Missing,
    /// `node --version` failed or said something unexpected.
    #[error("`--inspector official` needs Node.js 22.19 or newer, but `{} --version` did not tell its version ({detail}); install Node.js 22.19+, or drop `--inspector official` to use the built-in inspector", path.display())]
    Unknown {
        /// The node found.
        path: PathBuf,
        /// What went wrong.
        detail: String,
    },
    /// Too old.
    #[error("`--inspector official` runs the official MCP Inspector through npx, which needs Node.js 22.19 or newer, but the node found at {} is {version}; install Node.js 22.19+, or drop `--inspector official` to use the built-in inspector", path.display())]
    TooOld {
        /// The node found.
        path: PathBuf,
        /// What `node --version` printed.
        version: String,
    },
}

/// Checks that the `node` on PATH is recent enough.
pub fn check_node() -> Result<(), NodeError> {
    let path = find_on_path("node").ok_or(NodeError::Missing)?;
    let output = Command::new(&path)
        .arg("--version")
        .output()
        .map_err(|e| NodeError::Unknown {
            path: path.clone(),
            detail: e.to_string(),
        })?;
    let version = String::from_utf8_lossy(&output.stdout).trim().to_string();
    match parse_version(&version) {
        Some((major, minor)) if (major, minor) >= MINIMUM => Ok(()),
        Some(_) => Err(NodeError::TooOld { path, version }),
        None => Err(NodeError::Unknown {
            path,
            detail: format!("it printed `{version}`"),
        }),
    }
}

/// `v22.19.0` → (22, 19).
fn parse_version(text: &str) -> Option<(u32, u32)> {
    let mut parts = text.trim().strip_prefix('v').unwrap_or(text).split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// The first executable file named `name` in PATH.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let names: Vec<String> = if cfg!(windows) {
        vec![format!("{name}.exe"), format!("{name}.cmd")]
    } else {
        vec![name.to_string()]
    };
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| is_executable(p))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// The arguments after `npx`: the inspector, then the server, as a command
/// (stdio) or a URL (Streamable HTTP).
pub fn npx_args(server: &Server) -> Vec<String> {
    let mut args = vec!["-y".to_string(), PACKAGE.to_string()];
    match server {
        Server::Command(binary) => {
            // Through the environment rather than `--transport stdio`, which
            // the inspector would take as its own flag.
            args.extend(["-e".into(), "MCP_TRANSPORT=stdio".into()]);
            args.push(binary.to_string_lossy().into_owned());
        }
        Server::Url(url) => {
            args.extend([
                "--transport".into(),
                "http".into(),
                "--server-url".into(),
                url.clone(),
            ]);
        }
    }
    args
}

/// What the official inspector connects to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Server {
    /// A binary it starts itself, speaking stdio.
    Command(PathBuf),
    /// A Streamable HTTP endpoint `cargo mcp dev` runs.
    Url(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_by_major_and_minor() {
        assert_eq!(parse_version("v22.19.0"), Some((22, 19)));
        assert_eq!(parse_version("v20.20.2\n"), Some((20, 20)));
        assert_eq!(parse_version("nonsense"), None);
        assert!(parse_version("v22.18.9").is_some_and(|v| v < MINIMUM));
        assert!(parse_version("v23.0.0").is_some_and(|v| v >= MINIMUM));
    }

    #[test]
    fn the_message_says_which_node_and_what_is_needed() {
        let err = NodeError::TooOld {
            path: "/usr/bin/node".into(),
            version: "v20.20.2".into(),
        };
        let text = err.to_string();
        assert!(
            text.contains("the node found at /usr/bin/node is v20.20.2"),
            "{text}"
        );
        assert!(text.contains("Node.js 22.19 or newer"), "{text}");
        assert!(NodeError::Missing
            .to_string()
            .contains("no `node` was found on PATH"));
    }

    #[test]
    fn npx_gets_the_server_command_or_url() {
        assert_eq!(
            npx_args(&Server::Command("/t/demo".into())),
            ["-y", PACKAGE, "-e", "MCP_TRANSPORT=stdio", "/t/demo"]
        );
        assert_eq!(
            npx_args(&Server::Url("http://127.0.0.1:8000/mcp".into()))[2..],
            [
                "--transport",
                "http",
                "--server-url",
                "http://127.0.0.1:8000/mcp"
            ]
        );
    }
}
