//! Error types: [`Error`] for starting and running a server, [`ToolError`]
//! for handlers, [`ContextError`] for what a [`Context`](crate::Context) call
//! could not do.

use std::fmt;

/// Why a server could not start or stopped with a failure.
///
/// Its `Debug` is its message (see the impl), so `fn main() -> Result<(),
/// mcp_runtime::Error>` prints a sentence, not a struct.
#[derive(thiserror::Error)]
pub enum Error {
    /// A setting had a value that cannot be used.
    #[error("invalid setting {name}={value:?}: {reason}")]
    Setting {
        /// The environment variable, flag or builder method.
        name: String,
        /// The value given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A tool, resource or prompt could not be registered.
    #[error("cannot register {kind} {name:?}: {reason}")]
    Registration {
        /// `tool`, `resource`, `resource template` or `prompt`.
        kind: &'static str,
        /// Its name or URI.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// The builder was used out of order.
    #[error("{0}")]
    Builder(String),
    /// Reading or writing the transport failed, or its listener could not
    /// be bound.
    #[error("{}", describe_io(.0))]
    Io(#[from] std::io::Error),
}

/// The message of an I/O failure, with what to do when the kind tells.
fn describe_io(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::AddrInUse => format!(
            "{e}: another program is listening on this port; stop it, or choose another port with --port or MCP_PORT"
        ),
        ErrorKind::AddrNotAvailable => format!(
            "{e}: no network interface of this machine has this address; choose another with --host or MCP_HOST (127.0.0.1 for this machine only, 0.0.0.0 for all)"
        ),
        ErrorKind::PermissionDenied if e.to_string().contains("cannot listen") => format!(
            "{e}: ports below 1024 need privileges; choose a port from 1024 up with --port or MCP_PORT"
        ),
        _ => format!("transport I/O failed: {e}"),
    }
}

/// The message and the causes not already in it, one sentence: `main`
/// returning `Err` prints an error with `Debug`, and a person reads it, so
/// it says what went wrong and what to do rather than showing the enum
/// (`Io(Custom { kind: AddrInUse, .. })`). `{:#?}` shows the structure.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            return match self {
                Error::Setting {
                    name,
                    value,
                    reason,
                } => f
                    .debug_struct("Setting")
                    .field("name", name)
                    .field("value", value)
                    .field("reason", reason)
                    .finish(),
                Error::Registration { kind, name, reason } => f
                    .debug_struct("Registration")
                    .field("kind", kind)
                    .field("name", name)
                    .field("reason", reason)
                    .finish(),
                Error::Builder(m) => f.debug_tuple("Builder").field(m).finish(),
                Error::Io(e) => f.debug_tuple("Io").field(e).finish(),
            };
        }
        let message = self.to_string();
        f.write_str(&message)?;
        let mut cause = std::error::Error::source(self);
        while let Some(c) = cause {
            let text = c.to_string();
            if !message.contains(&text) {
                write!(f, ": {text}")?;
            }
            cause = c.source();
        }
        Ok(())
    }
}

/// An error a tool returns: its message becomes the text of an `isError`
/// result, which the model sees and can act on.
///
/// ```
/// use mcp_runtime::prelude::*;
/// async fn divide(Args((a, b)): Args<(f64, f64)>) -> Result<f64, ToolError> {
///     if b == 0.0 { return Err(ToolError::new("Cannot divide by zero")); }
///     Ok(a / b)
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolError(String);

impl ToolError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        ToolError(message.into())
    }
    /// The message.
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ToolError {}

impl From<String> for ToolError {
    fn from(s: String) -> Self {
        ToolError(s)
    }
}

impl From<&str> for ToolError {
    fn from(s: &str) -> Self {
        ToolError(s.to_string())
    }
}

impl From<ContextError> for ToolError {
    fn from(e: ContextError) -> Self {
        ToolError(e.to_string())
    }
}

impl From<serde_json::Error> for ToolError {
    fn from(e: serde_json::Error) -> Self {
        ToolError(e.to_string())
    }
}

impl From<std::io::Error> for ToolError {
    fn from(e: std::io::Error) -> Self {
        ToolError(e.to_string())
    }
}

/// Why a request to the client (elicitation, sampling, roots) failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ContextError {
    /// The client did not declare the capability the request needs.
    #[error("the client does not support {0}")]
    Unsupported(&'static str),
    /// The client answered with a JSON-RPC error.
    #[error("the client refused the request: {0}")]
    Client(crate::protocol::jsonrpc::ErrorObject),
    /// The client's answer did not have the expected shape.
    #[error("the client's answer was malformed: {0}")]
    Malformed(String),
    /// The request was cancelled or the connection closed.
    #[error("the request was cancelled")]
    Cancelled,
    /// The client did not answer in time.
    #[error("the client did not answer within {0} seconds")]
    Timeout(u64),
}
