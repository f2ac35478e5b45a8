//! The 2026-07-28 request headers: `MCP-Protocol-Version`, `Mcp-Method` and
//! `Mcp-Name` must agree with the body. Values are trimmed of spaces and tabs;
//! `=?base64?…?=` values are decoded first.

use crate::dispatch::HeaderParam;
use crate::protocol::jsonrpc::{code, ErrorObject};
use axum::http::HeaderMap;
use base64::Engine as _;
use serde_json::{Map, Value};

/// `MCP-Protocol-Version`.
pub(crate) const PROTOCOL_VERSION: &str = "mcp-protocol-version";
/// `Mcp-Method`.
pub(crate) const METHOD: &str = "mcp-method";
/// `Mcp-Name`.
pub(crate) const NAME: &str = "mcp-name";
/// `Mcp-Session-Id`.
pub(crate) const SESSION_ID: &str = "mcp-session-id";

/// A header's value as text, trimmed; `Err` when it is not visible ASCII/UTF-8.
pub(crate) fn text<'a>(headers: &'a HeaderMap, name: &str) -> Option<Result<&'a str, ()>> {
    headers.get(name).map(|v| {
        v.to_str()
            .map(|s| s.trim_matches(|c| c == ' ' || c == '\t'))
            .map_err(|_| ())
    })
}

/// Decodes a `=?base64?…?=` value; other values are literal.
pub(crate) fn decode_value(raw: &str) -> Result<String, String> {
    match raw
        .strip_prefix("=?base64?")
        .and_then(|r| r.strip_suffix("?="))
    {
        Some(encoded) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .map_err(|e| format!("its base64 value does not decode ({e})"))?;
            String::from_utf8(bytes).map_err(|_| "its base64 value is not UTF-8".to_string())
        }
        None => Ok(raw.to_string()),
    }
}

fn mismatch(message: String) -> ErrorObject {
    ErrorObject::new(code::HEADER_MISMATCH, message)
}

/// Checks the headers of a 2026-07-28 request against its body, in the
/// order the protocol asks for: envelope, version header, `Mcp-Method`,
/// `Mcp-Name`. The protocol version itself is checked later by dispatch.
pub(crate) fn check_modern(
    headers: &HeaderMap,
    method: &str,
    params: &Map<String, Value>,
) -> Result<(), ErrorObject> {
    use crate::protocol::version::{META_CLIENT_CAPABILITIES, META_PROTOCOL_VERSION};
    let meta = match params.get("_meta") {
        Some(Value::Object(m)) => m,
        _ => {
            return Err(ErrorObject::invalid_params(format!(
                "Invalid params: a 2026-07-28 request needs \"_meta\" with \"{META_PROTOCOL_VERSION}\" and \"{META_CLIENT_CAPABILITIES}\""
            )))
        }
    };
    let body_version = match meta.get(META_PROTOCOL_VERSION) {
        Some(Value::String(v)) => v.as_str(),
        _ => {
            return Err(ErrorObject::invalid_params(format!(
            "Invalid params: _meta[\"{META_PROTOCOL_VERSION}\"] is required and must be a string"
        )))
        }
    };
    if !matches!(meta.get(META_CLIENT_CAPABILITIES), Some(Value::Object(_))) {
        return Err(ErrorObject::invalid_params(format!(
            "Invalid params: _meta[\"{META_CLIENT_CAPABILITIES}\"] is required and must be an object"
        )));
    }
    match text(headers, PROTOCOL_VERSION) {
        None => {}
        Some(Err(())) => return Err(mismatch("Header mismatch: MCP-Protocol-Version is not readable text".into())),
        Some(Ok(header)) if header != body_version => {
            return Err(mismatch(format!(
                "Header mismatch: MCP-Protocol-Version {header:?} differs from the body's _meta protocol version {body_version:?}"
            )))
        }
        Some(Ok(_)) => {}
    }
    match text(headers, METHOD) {
        None => {
            return Err(mismatch(format!(
                "Header mismatch: the Mcp-Method header is required (expected {method:?})"
            )))
        }
        Some(Err(())) => {
            return Err(mismatch(
                "Header mismatch: Mcp-Method is not readable text".into(),
            ))
        }
        Some(Ok(raw)) => {
            let value = decode_value(raw)
                .map_err(|e| mismatch(format!("Header mismatch: Mcp-Method: {e}")))?;
            if value != method {
                return Err(mismatch(format!("Header mismatch: Mcp-Method {value:?} differs from the body's method {method:?}")));
            }
        }
    }
    let key = match method {
        "tools/call" | "prompts/get" => "name",
        "resources/read" => "uri",
        _ => return Ok(()),
    };
    let expected = params.get(key).and_then(Value::as_str);
    match text(headers, NAME) {
        None => Err(mismatch(format!("Header mismatch: the Mcp-Name header is required for {method} (the body's params.{key})"))),
        Some(Err(())) => Err(mismatch("Header mismatch: Mcp-Name is not readable text".into())),
        Some(Ok(raw)) => {
            let value = decode_value(raw).map_err(|e| mismatch(format!("Header mismatch: Mcp-Name: {e}")))?;
            if Some(value.as_str()) != expected {
                return Err(mismatch(format!("Header mismatch: Mcp-Name {value:?} differs from the body's params.{key} {expected:?}")));
            }
            Ok(())
        }
    }
}

/// How an argument value reads in a header: strings as they are, numbers
/// and booleans as JavaScript's `String()` writes them.
fn header_form(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            _ => n.to_string(),
        }),
        _ => None,
    }
}

/// Checks the `Mcp-Param-*` headers of a `tools/call` against its arguments,
/// for every argument the tool mirrors in a header (dispatch says which).
pub(crate) fn check_params(
    headers: &HeaderMap,
    mirrored: &[HeaderParam],
    params: &Map<String, Value>,
) -> Result<(), ErrorObject> {
    let arguments = params.get("arguments").and_then(Value::as_object);
    for HeaderParam {
        argument: name,
        header: suffix,
    } in mirrored
    {
        let header = format!("mcp-param-{}", suffix.to_ascii_lowercase());
        let argument = arguments.and_then(|a| a.get(name)).filter(|v| !v.is_null());
        match (text(headers, &header), argument) {
            (None, None) => {}
            (None, Some(_)) => {
                return Err(mismatch(format!("Header mismatch: the Mcp-Param-{suffix} header is required when the argument {name:?} is given")))
            }
            (Some(Err(())), _) => return Err(mismatch(format!("Header mismatch: Mcp-Param-{suffix} is not readable text"))),
            (Some(Ok(raw)), argument) => {
                let value = decode_value(raw).map_err(|e| mismatch(format!("Header mismatch: Mcp-Param-{suffix}: {e}")))?;
                let expected = argument.and_then(header_form);
                if expected.as_deref() != Some(value.as_str()) {
                    return Err(mismatch(format!(
                        "Header mismatch: Mcp-Param-{suffix} {value:?} differs from the argument {name:?} ({})",
                        expected.map(|e| format!("{e:?}")).unwrap_or_else(|| "absent".into())
                    )));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use serde_json::json;

    fn params(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    fn meta() -> Value {
        json!({"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}})
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn ladder() {
        let p = params(json!({"name": "echo", "_meta": meta()}));
        let ok = headers(&[
            (PROTOCOL_VERSION, "2026-07-28"),
            (METHOD, "tools/call"),
            (NAME, "  echo\t"),
        ]);
        assert!(check_modern(&ok, "tools/call", &p).is_ok());
        let b64 = headers(&[(METHOD, "tools/call"), (NAME, "=?base64?ZWNobw==?=")]);
        assert!(check_modern(&b64, "tools/call", &p).is_ok());
        let bad_b64 = headers(&[(METHOD, "tools/call"), (NAME, "=?base64?ZWNob?=")]);
        assert_eq!(
            check_modern(&bad_b64, "tools/call", &p).unwrap_err().code,
            code::HEADER_MISMATCH
        );
        let no_name = headers(&[(METHOD, "tools/call")]);
        assert_eq!(
            check_modern(&no_name, "tools/call", &p).unwrap_err().code,
            code::HEADER_MISMATCH
        );
        let upper = headers(&[(METHOD, "TOOLS/CALL"), (NAME, "echo")]);
        assert_eq!(
            check_modern(&upper, "tools/call", &p).unwrap_err().code,
            code::HEADER_MISMATCH
        );
        let version = headers(&[
            (PROTOCOL_VERSION, "2025-11-25"),
            (METHOD, "tools/call"),
            (NAME, "echo"),
        ]);
        assert_eq!(
            check_modern(&version, "tools/call", &p).unwrap_err().code,
            code::HEADER_MISMATCH
        );
        let schema = ["region", "n"].map(|argument| HeaderParam {
            argument: argument.into(),
            header: if argument == "n" { "N" } else { "Region" }.into(),
        });
        let call = params(json!({"name": "echo", "arguments": {"region": "Hello", "n": 2.0}}));
        let good = headers(&[
            ("mcp-param-region", "=?base64?SGVsbG8=?="),
            ("mcp-param-n", "2"),
        ]);
        assert!(check_params(&good, &schema, &call).is_ok());
        let missing = headers(&[("mcp-param-n", "2")]);
        assert_eq!(
            check_params(&missing, &schema, &call).unwrap_err().code,
            code::HEADER_MISMATCH
        );
        let padding = headers(&[
            ("mcp-param-region", "=?base64?SGVsbG8?="),
            ("mcp-param-n", "2"),
        ]);
        assert!(check_params(&padding, &schema, &call).is_err());
        let no_meta = params(json!({"name": "echo"}));
        assert_eq!(
            check_modern(&ok, "tools/call", &no_meta).unwrap_err().code,
            code::INVALID_PARAMS
        );
    }
}
