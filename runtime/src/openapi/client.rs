//! Sending a prepared request: one shared reqwest client whose redirect policy
//! follows only same-origin redirects (so credentials never leave the API's
//! host), a per-request timeout, and the whole answer read into memory.

use super::error::Error;
use super::request::Prepared;
use super::spec::{Api, Operation};
use std::sync::OnceLock;
use std::time::Duration;

/// How many redirects are followed before the last answer is taken as it is.
const MAX_REDIRECTS: usize = 5;

/// What the API answered.
#[derive(Debug)]
pub(crate) struct Fetched {
    /// Its status.
    pub status: reqwest::StatusCode,
    /// Its `Content-Type`, lowercased (empty if none).
    pub mime: String,
    /// Its body.
    pub bytes: Vec<u8>,
    /// The URL asked (names blobs in tool results).
    pub url: String,
}

/// The client shared by every API of the process.
fn client() -> Result<&'static reqwest::Client, Error> {
    static CLIENT: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            let policy = reqwest::redirect::Policy::custom(|attempt| {
                let origin = |u: &reqwest::Url| {
                    (
                        u.scheme().to_string(),
                        u.host_str().map(str::to_string),
                        u.port(),
                    )
                };
                let same = attempt.previous().first().map(origin) == Some(origin(attempt.url()));
                if attempt.previous().len() > MAX_REDIRECTS || !same {
                    attempt.stop()
                } else {
                    attempt.follow()
                }
            });
            reqwest::Client::builder()
                .redirect(policy)
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| Error::Client(e.clone()))
}

/// Sends the request and reads the whole answer, whatever its status.
pub(crate) async fn send(api: &Api, op: &Operation, prepared: Prepared) -> Result<Fetched, Error> {
    let method = reqwest::Method::from_bytes(op.method.as_bytes())
        .map_err(|e| Error::Method(e.to_string()))?;
    let mut request = client()?
        .request(method, &prepared.url)
        .timeout(Duration::from_secs_f64(prepared.timeout.max(0.001)))
        .header(reqwest::header::USER_AGENT, api.user_agent)
        .header(reqwest::header::ACCEPT, "application/json, */*;q=0.5");
    for (name, value) in prepared.headers {
        request = request.header(name, value);
    }
    if let Some(cookie) = prepared.cookie {
        request = request.header(reqwest::header::COOKIE, cookie);
    }
    if let Some(token) = prepared.bearer {
        request = request.bearer_auth(token);
    }
    if let Some((user, password)) = prepared.basic {
        request = request.basic_auth(user, password);
    }
    if let Some(body) = prepared.body {
        request = request
            .header(reqwest::header::CONTENT_TYPE, body.content_type)
            .body(body.bytes);
    }
    let response = request.send().await.map_err(|e| {
        let (method, path) = (op.method, op.path);
        if e.is_timeout() {
            Error::Timeout {
                method,
                path,
                secs: prepared.timeout,
                env: api.timeout_env,
            }
        } else if e.is_connect() {
            Error::Connect {
                method,
                path,
                base: prepared.base.clone(),
            }
        } else {
            Error::Send { method, path }
        }
    })?;
    let status = response.status();
    let mime = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let bytes = response.bytes().await.map_err(|source| Error::Read {
        method: op.method,
        path: op.path,
        source,
    })?;
    Ok(Fetched {
        status,
        mime,
        bytes: bytes.to_vec(),
        url: prepared.url,
    })
}
