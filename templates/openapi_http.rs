//! The HTTP side of every tool imported from OpenAPI, shared by all of them:
//! build the request from the arguments (path, query, header and cookie
//! parameters, a JSON, form or multipart body, credentials from env
//! variables), send it with a timeout, and turn the answer into a tool result
//! (or, for a `GET` imported with `--resources`, into resource contents).
//! An upstream 4xx/5xx becomes an `isError` result with the status and the
//! start of the body. Credentials go only to the API's own base URL: redirects
//! to another host are not followed.

use mcp_runtime::prelude::*;
use std::sync::OnceLock;
use std::time::Duration;

/// An API: where it is and how to sign in.
pub struct Api {
    /// Its name, for messages.
    pub name: &'static str,
    /// The base URL from the document (or `--base-url`); empty if none.
    pub base_url: &'static str,
    /// The env variable that overrides the base URL.
    pub base_url_env: &'static str,
    /// The env variable with the timeout in seconds (default 30).
    pub timeout_env: &'static str,
    /// Its security schemes.
    pub schemes: &'static [Scheme],
}

/// A named security scheme.
pub struct Scheme {
    /// Its name in the document.
    pub name: &'static str,
    /// What it sends.
    pub auth: Auth,
}

/// Credentials and where they go.
pub enum Auth {
    /// An API key in a header, query parameter or cookie.
    ApiKey {
        /// Where it goes.
        location: In,
        /// Its name there.
        name: &'static str,
        /// The env variable holding it.
        env: &'static str,
    },
    /// `Authorization: Bearer <token>`.
    Bearer {
        /// The env variable holding the token.
        env: &'static str,
    },
    /// HTTP basic authentication.
    Basic {
        /// The env variable holding the user name.
        username_env: &'static str,
        /// The env variable holding the password.
        password_env: &'static str,
    },
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum In {
    /// In the path.
    Path,
    /// In the query string.
    Query,
    /// In a header.
    Header,
    /// In the Cookie header.
    Cookie,
}

/// How a parameter is serialized (OpenAPI's `style`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `a,b,c`.
    Simple,
    /// `name=a&name=b` (exploded) or `name=a,b`.
    Form,
    /// `name[key]=value`.
    DeepObject,
    /// `name=a%20b`.
    SpaceDelimited,
    /// `name=a|b`.
    PipeDelimited,
    /// `.a.b` in a path.
    Label,
    /// `;name=a` in a path.
    Matrix,
}

/// One parameter: the argument it comes from and where it goes.
pub struct Param {
    /// The argument's name in the input schema.
    pub arg: &'static str,
    /// The parameter's name on the wire.
    pub name: &'static str,
    /// Where it goes.
    pub location: In,
    /// How it is serialized.
    pub style: Style,
    /// Whether arrays and objects explode.
    pub explode: bool,
}

/// How a body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// JSON.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `multipart/form-data`.
    Multipart,
    /// Sent as text.
    Text,
}

/// The request body.
pub struct Body {
    /// Encoding.
    pub kind: BodyKind,
    /// The media type sent.
    pub media_type: &'static str,
    /// The argument holding the whole body, if it is one argument.
    pub arg: Option<&'static str>,
    /// (argument, property) pairs, when the body's properties are arguments.
    pub fields: &'static [(&'static str, &'static str)],
}

/// One operation.
pub struct Operation {
    /// HTTP method.
    pub method: &'static str,
    /// Path template, as in the document.
    pub path: &'static str,
    /// The operation's own server (`servers` on it or its path): an absolute
    /// URL replaces the API's base URL, a relative one is taken from its origin.
    pub server: Option<&'static str>,
    /// Parameters.
    pub params: &'static [Param],
    /// The body, if any.
    pub body: Option<Body>,
    /// Security alternatives, each a list of scheme names (empty: none needed).
    pub security: &'static [&'static [&'static str]],
    /// Whether the answer is structured content (the tool has an output schema).
    pub structured: bool,
    /// Whether the answer goes under `result` (its schema is not an object).
    pub wrap: bool,
}

/// How much of an upstream error body is quoted.
const EXCERPT: usize = 500;

fn client() -> Result<&'static reqwest::Client, String> {
    static CLIENT: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            // Follow redirects only within the same host, so credentials never leave it.
            let policy = reqwest::redirect::Policy::custom(|attempt| {
                let same = attempt.previous().first().map(|u| (u.scheme().to_string(), u.host_str().map(str::to_string), u.port()))
                    == Some((attempt.url().scheme().to_string(), attempt.url().host_str().map(str::to_string), attempt.url().port()));
                if attempt.previous().len() > 5 || !same {
                    attempt.stop()
                } else {
                    attempt.follow()
                }
            });
            reqwest::Client::builder()
                .redirect(policy)
                .user_agent(concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|e| format!("the HTTP client could not be built: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Calls the operation with the tool's arguments and answers as a tool result.
pub async fn call<T: Serialize>(api: &Api, op: &Operation, input: &T) -> ToolResult {
    let fetched = match fetch(api, op, input).await {
        Ok(fetched) => fetched,
        Err(message) => return ToolResult::error(message),
    };
    if !fetched.status.is_success() {
        return ToolResult::error(upstream_error(op, &fetched));
    }
    answer(op, fetched.status, &fetched.mime, &fetched.bytes, &fetched.url)
}

/// Calls a `GET` operation for a resource read and answers with its contents
/// under `uri`: JSON and text as text, anything else as a blob. An upstream
/// 404 is "not found"; other failures are internal errors naming the status.
pub async fn read<T: Serialize>(api: &Api, op: &Operation, input: &T, uri: &str) -> Result<ResourceBody, ResourceError> {
    let fetched = fetch(api, op, input).await.map_err(ResourceError::Internal)?;
    if fetched.status == reqwest::StatusCode::NOT_FOUND {
        return Err(ResourceError::NotFound(upstream_error(op, &fetched)));
    }
    if !fetched.status.is_success() {
        return Err(ResourceError::Internal(upstream_error(op, &fetched)));
    }
    let essence = fetched.mime.split(';').next().unwrap_or("").trim().to_string();
    let mime = if essence.is_empty() { "application/json".to_string() } else { essence.clone() };
    let textual = essence.is_empty() || is_json(&essence) || is_text(&essence);
    let contents = match std::str::from_utf8(&fetched.bytes) {
        Ok(text) if textual => ResourceContents::text(uri, mime, text),
        _ => ResourceContents::blob(uri, mime, &fetched.bytes),
    };
    Ok(ResourceBody::Contents(vec![contents]))
}

/// What the API answered.
struct Fetched {
    status: reqwest::StatusCode,
    mime: String,
    bytes: Vec<u8>,
    url: String,
}

/// `METHOD /path answered STATUS: excerpt of the body`.
fn upstream_error(op: &Operation, fetched: &Fetched) -> String {
    let text = String::from_utf8_lossy(&fetched.bytes);
    let mut excerpt: String = text.chars().take(EXCERPT).collect();
    if text.chars().count() > EXCERPT {
        excerpt.push('…');
    }
    format!("{} {} answered {}: {excerpt}", op.method, op.path, fetched.status)
}

fn is_json(essence: &str) -> bool {
    essence == "application/json" || essence.ends_with("+json")
}

fn is_text(essence: &str) -> bool {
    essence.starts_with("text/")
        || essence.ends_with("+xml")
        || ["application/xml", "application/javascript", "application/x-yaml", "application/yaml", "application/sdp"].contains(&essence)
}

/// Builds the request from the arguments, sends it, and reads the whole answer.
async fn fetch<T: Serialize>(api: &Api, op: &Operation, input: &T) -> Result<Fetched, String> {
    let args = match serde_json::to_value(input).map_err(|e| format!("the arguments could not be encoded: {e}"))? {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    let api_base = env(api.base_url_env).unwrap_or_else(|| api.base_url.to_string());
    let base = match op.server {
        Some(own) if own.starts_with("http://") || own.starts_with("https://") => own.to_string(),
        // Relative server URLs are relative to where the document is served: the API's origin.
        Some(own) => {
            let origin_end = api_base
                .find("://")
                .and_then(|i| api_base[i + 3..].find('/').map(|j| i + 3 + j))
                .unwrap_or(api_base.len());
            format!("{}/{}", &api_base[..origin_end], own.trim_start_matches('/'))
        }
        None => api_base,
    };
    if !base.starts_with("http://") && !base.starts_with("https://") {
        return Err(format!(
            "{} has no absolute base URL ({:?}); set {} to one, as in https://api.example.com",
            api.name, base, api.base_url_env
        ));
    }
    let mut path = op.path.to_string();
    let mut query: Vec<(String, String)> = Vec::new();
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut cookies: Vec<String> = Vec::new();
    for p in op.params {
        let Some(value) = args.get(p.arg).filter(|v| !v.is_null()) else {
            continue;
        };
        match p.location {
            In::Path => {
                let placeholder = ["{", p.name, "}"].concat();
                path = path.replace(&placeholder, &path_value(p, value));
            }
            In::Query => query_pairs(p, value, &mut query),
            In::Header => headers.push((p.name.to_string(), joined(value, ",", p.explode))),
            In::Cookie => cookies.push(format!("{}={}", p.name, encode(&joined(value, ",", false)))),
        }
    }
    let mut bearer = None;
    let mut basic = None;
    if let Some(schemes) = chosen_security(api, op) {
        for scheme in schemes {
            match &scheme.auth {
                Auth::ApiKey { location, name, env: var } => {
                    let key = env(var).unwrap_or_default();
                    match location {
                        In::Query => query.push((name.to_string(), key)),
                        In::Cookie => cookies.push(format!("{name}={}", encode(&key))),
                        In::Header | In::Path => headers.push((name.to_string(), key)),
                    }
                }
                Auth::Bearer { env: var } => bearer = env(var),
                Auth::Basic { username_env, password_env } => {
                    basic = Some((env(username_env).unwrap_or_default(), env(password_env)));
                }
            }
        }
    }
    let mut url = format!("{}{}", base.trim_end_matches('/'), path);
    if !query.is_empty() {
        let pairs: Vec<String> = query.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&pairs.join("&"));
    }
    let method = reqwest::Method::from_bytes(op.method.as_bytes()).map_err(|e| e.to_string())?;
    let timeout = env(api.timeout_env).and_then(|t| t.parse::<f64>().ok()).unwrap_or(30.0);
    let mut request = client()?
        .request(method, &url)
        .timeout(Duration::from_secs_f64(timeout.max(0.001)))
        .header("accept", "application/json, */*;q=0.5");
    for (name, value) in headers {
        request = request.header(name, value);
    }
    if !cookies.is_empty() {
        request = request.header("cookie", cookies.join("; "));
    }
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    if let Some((user, password)) = basic {
        request = request.basic_auth(user, password);
    }
    if let Some(body) = &op.body {
        let value = match body.arg {
            Some(arg) => args.get(arg).cloned().filter(|v| !v.is_null()),
            None => {
                let fields: serde_json::Map<String, Value> = body
                    .fields
                    .iter()
                    .filter_map(|(arg, name)| args.get(*arg).map(|v| (name.to_string(), v.clone())))
                    .collect();
                (!fields.is_empty()).then_some(Value::Object(fields))
            }
        };
        if let Some(value) = value {
            request = match body.kind {
                BodyKind::Json => request.header("content-type", body.media_type).body(value.to_string()),
                BodyKind::Form => request
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(form_encode(&value)),
                BodyKind::Multipart => {
                    let boundary = format!("mcp-{:016x}", fastrand_seed());
                    request
                        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
                        .body(multipart(&value, &boundary))
                }
                BodyKind::Text => request.header("content-type", body.media_type).body(match value {
                    Value::String(s) => s,
                    other => other.to_string(),
                }),
            };
        }
    }
    let response = request.send().await.map_err(|e| {
        let why = if e.is_timeout() {
            format!("no answer within {timeout} s (set {} to wait longer)", api.timeout_env)
        } else if e.is_connect() {
            format!("could not connect to {base}")
        } else {
            "the request failed".to_string()
        };
        format!("{} {}: {why}", op.method, op.path)
    })?;
    let status = response.status();
    let mime = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| format!("{} {}: reading the answer failed: {e}", op.method, op.path))?;
    Ok(Fetched { status, mime, bytes: bytes.to_vec(), url })
}

/// The first security alternative whose credentials are all set.
fn chosen_security(api: &Api, op: &Operation) -> Option<Vec<&'static Scheme>> {
    let api_schemes: &'static [Scheme] = api.schemes;
    for alternative in op.security {
        let schemes: Vec<&'static Scheme> = alternative
            .iter()
            .filter_map(|name| api_schemes.iter().find(|s| s.name == *name))
            .collect();
        let ready = schemes.iter().all(|s| match &s.auth {
            Auth::ApiKey { env: var, .. } | Auth::Bearer { env: var } => env(var).is_some(),
            Auth::Basic { username_env, .. } => env(username_env).is_some(),
        });
        if ready && schemes.len() == alternative.len() {
            return Some(schemes);
        }
    }
    None
}


fn fastrand_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0));
    h.finish()
}

fn answer(op: &Operation, status: reqwest::StatusCode, mime: &str, bytes: &[u8], url: &str) -> ToolResult {
    if bytes.is_empty() {
        return ToolResult::new(vec![Content::text(format!("{} {} answered {status} with no content", op.method, op.path))]);
    }
    let essence = mime.split(';').next().unwrap_or("").trim();
    let json = essence.is_empty() || is_json(essence);
    if json {
        if let Ok(value) = serde_json::from_slice::<Value>(bytes) {
            if op.structured && (op.wrap || value.is_object()) {
                let value = if op.wrap { serde_json::json!({ "result": value }) } else { value };
                return ToolResult {
                    content: vec![Content::text(value.to_string())],
                    structured_content: Some(value),
                    ..Default::default()
                };
            }
            return ToolResult::new(vec![Content::text(value.to_string())]);
        }
    }
    let textual = is_text(essence);
    match std::str::from_utf8(bytes) {
        Ok(text) if textual || essence.is_empty() || json => ToolResult::new(vec![Content::text(text)]),
        _ if essence.starts_with("image/") => ToolResult::new(vec![Content::image(bytes, essence)]),
        _ if essence.starts_with("audio/") => ToolResult::new(vec![Content::audio(bytes, essence)]),
        _ => {
            let uri = url.split('?').next().unwrap_or(url).to_string();
            let mime = if essence.is_empty() { "application/octet-stream" } else { essence };
            ToolResult::new(vec![Content::resource(ResourceContents::blob(uri, mime, bytes))])
        }
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Arrays and objects joined by `sep` (objects as `k,v` or, exploded, `k=v`).
fn joined(value: &Value, sep: &str, explode: bool) -> String {
    match value {
        Value::Array(items) => items.iter().map(scalar).collect::<Vec<_>>().join(sep),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| if explode { format!("{k}={}", scalar(v)) } else { format!("{k}{sep}{}", scalar(v)) })
            .collect::<Vec<_>>()
            .join(sep),
        other => scalar(other),
    }
}

fn path_value(p: &Param, value: &Value) -> String {
    let encoded = |v: &Value, sep: &str| -> String {
        match v {
            Value::Array(items) => items.iter().map(|i| encode(&scalar(i))).collect::<Vec<_>>().join(sep),
            Value::Object(map) => map
                .iter()
                .map(|(k, v)| {
                    if p.explode {
                        format!("{}={}", encode(k), encode(&scalar(v)))
                    } else {
                        format!("{}{sep}{}", encode(k), encode(&scalar(v)))
                    }
                })
                .collect::<Vec<_>>()
                .join(sep),
            other => encode(&scalar(other)),
        }
    };
    match p.style {
        Style::Label => format!(".{}", encoded(value, if p.explode { "." } else { "," })),
        Style::Matrix => match value {
            Value::Array(items) if p.explode => items.iter().map(|i| format!(";{}={}", p.name, encode(&scalar(i)))).collect(),
            _ => format!(";{}={}", p.name, encoded(value, ",")),
        },
        _ => encoded(value, ","),
    }
}

fn query_pairs(p: &Param, value: &Value, out: &mut Vec<(String, String)>) {
    match (p.style, value) {
        (Style::DeepObject, Value::Object(_)) => deep(p.name, value, out),
        (Style::SpaceDelimited, Value::Array(_)) => out.push((p.name.to_string(), joined(value, " ", false))),
        (Style::PipeDelimited, Value::Array(_)) => out.push((p.name.to_string(), joined(value, "|", false))),
        (_, Value::Array(items)) if p.explode => {
            for item in items {
                out.push((p.name.to_string(), scalar(item)));
            }
        }
        (_, Value::Object(map)) if p.explode => {
            for (k, v) in map {
                out.push((k.clone(), scalar(v)));
            }
        }
        _ => out.push((p.name.to_string(), joined(value, ",", false))),
    }
}

fn deep(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                deep(&format!("{prefix}[{k}]"), v, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                deep(&format!("{prefix}[]"), item, out);
            }
        }
        other => out.push((prefix.to_string(), scalar(other))),
    }
}

/// `application/x-www-form-urlencoded`: each property a pair; arrays repeat
/// their name, nested objects are sent as JSON.
fn form_encode(value: &Value) -> String {
    let mut pairs = Vec::new();
    if let Value::Object(map) = value {
        for (k, v) in map {
            match v {
                Value::Array(items) => {
                    for i in items {
                        pairs.push(format!("{}={}", encode(k), encode(&scalar(i))));
                    }
                }
                Value::Null => {}
                other => pairs.push(format!("{}={}", encode(k), encode(&scalar(other)))),
            }
        }
    }
    pairs.join("&")
}

/// `multipart/form-data`: each property a part (text; objects as JSON).
fn multipart(value: &Value, boundary: &str) -> Vec<u8> {
    let mut out = Vec::new();
    if let Value::Object(map) = value {
        for (k, v) in map {
            let items: Vec<&Value> = match v {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            for item in items {
                let name = k.replace('"', "%22");
                out.extend_from_slice(format!("--{boundary}\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes());
                out.extend_from_slice(scalar(item).as_bytes());
                out.extend_from_slice(b"\r\n");
            }
        }
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}
