//! Why a call to an upstream API failed, worded for the model that made it:
//! each message names the operation and, where it helps, the env variable to set.

/// A failed call. Tools answer with it as an `isError` result; resources as
/// an internal error (an upstream 404 as "not found").
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    /// The arguments did not serialize.
    #[error("the arguments could not be encoded: {0}")]
    Arguments(#[from] serde_json::Error),
    /// Neither the document nor the environment gives an absolute base URL.
    #[error("{api} has no absolute base URL ({base:?}); set {env} to one, as in https://api.example.com")]
    NoBaseUrl {
        api: &'static str,
        base: String,
        env: &'static str,
    },
    /// The operation's method is not an HTTP method.
    #[error("{0}")]
    Method(String),
    /// The shared HTTP client could not be built (no TLS backend, say).
    #[error("the HTTP client could not be built: {0}")]
    Client(String),
    /// No answer within the timeout.
    #[error("{method} {path}: no answer within {secs} s (set {env} to wait longer)")]
    Timeout {
        method: &'static str,
        path: &'static str,
        secs: f64,
        env: &'static str,
    },
    /// The upstream could not be reached.
    #[error("{method} {path}: could not connect to {base}")]
    Connect {
        method: &'static str,
        path: &'static str,
        base: String,
    },
    /// Any other failure while sending (a bad header value, a dropped connection).
    #[error("{method} {path}: the request failed")]
    Send {
        method: &'static str,
        path: &'static str,
    },
    /// The answer broke off.
    #[error("{method} {path}: reading the answer failed: {source}")]
    Read {
        method: &'static str,
        path: &'static str,
        source: reqwest::Error,
    },
    /// The upstream answered with a 4xx or 5xx: its status and the start of its body.
    #[error("{method} {path} answered {status}: {excerpt}")]
    Upstream {
        method: &'static str,
        path: &'static str,
        status: reqwest::StatusCode,
        excerpt: String,
    },
}
