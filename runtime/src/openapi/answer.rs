//! What the API answered, as MCP sees it: a tool result (structured content
//! for JSON with an output schema, text, image, audio or an embedded blob), or
//! resource contents; a 4xx/5xx as an error quoting the start of the body.

use super::client::Fetched;
use super::error::Error;
use super::spec::Operation;
use crate::{Content, ResourceBody, ResourceContents, ResourceError, ToolResult};
use serde_json::Value;

/// How much of an upstream error body is quoted, in characters.
const EXCERPT: usize = 500;

/// The tool result for an answer: an error for a 4xx/5xx.
pub(crate) fn tool_result(op: &Operation, fetched: &Fetched) -> ToolResult {
    if !fetched.status.is_success() {
        return ToolResult::error(upstream_error(op, fetched).to_string());
    }
    let (status, bytes) = (fetched.status, fetched.bytes.as_slice());
    if bytes.is_empty() {
        return ToolResult::new(vec![Content::text(format!(
            "{} {} answered {status} with no content",
            op.method, op.path
        ))]);
    }
    let essence = essence(&fetched.mime);
    let json = essence.is_empty() || is_json(essence);
    if json {
        if let Ok(value) = serde_json::from_slice::<Value>(bytes) {
            if op.structured && (op.wrap || value.is_object()) {
                let value = if op.wrap {
                    serde_json::json!({ "result": value })
                } else {
                    value
                };
                return ToolResult {
                    content: vec![Content::text(value.to_string())],
                    structured_content: Some(value),
                    ..Default::default()
                };
            }
            return ToolResult::new(vec![Content::text(value.to_string())]);
        }
    }
    match std::str::from_utf8(bytes) {
        Ok(text) if is_text(essence) || essence.is_empty() || json => {
            ToolResult::new(vec![Content::text(text)])
        }
        _ if essence.starts_with("image/") => ToolResult::new(vec![Content::image(bytes, essence)]),
        _ if essence.starts_with("audio/") => ToolResult::new(vec![Content::audio(bytes, essence)]),
        _ => {
            let uri = fetched.url.split('?').next().unwrap_or(&fetched.url);
            let mime = if essence.is_empty() {
                "application/octet-stream"
            } else {
                essence
            };
            ToolResult::new(vec![Content::resource(ResourceContents::blob(
                uri, mime, bytes,
            ))])
        }
    }
}

/// The contents of a resource read under `uri`: JSON and text as text,
/// anything else as a blob. A 404 is "not found"; other failures are internal
/// errors naming the status.
pub(crate) fn resource(
    op: &Operation,
    fetched: &Fetched,
    uri: &str,
) -> Result<ResourceBody, ResourceError> {
    if fetched.status == reqwest::StatusCode::NOT_FOUND {
        return Err(ResourceError::NotFound(
            upstream_error(op, fetched).to_string(),
        ));
    }
    if !fetched.status.is_success() {
        return Err(ResourceError::Internal(
            upstream_error(op, fetched).to_string(),
        ));
    }
    let essence = essence(&fetched.mime);
    let mime = if essence.is_empty() {
        "application/json"
    } else {
        essence
    };
    let textual = essence.is_empty() || is_json(essence) || is_text(essence);
    let contents = match std::str::from_utf8(&fetched.bytes) {
        Ok(text) if textual => ResourceContents::text(uri, mime, text),
        _ => ResourceContents::blob(uri, mime, &fetched.bytes),
    };
    Ok(ResourceBody::Contents(vec![contents]))
}

/// `METHOD /path answered STATUS: excerpt of the body`.
fn upstream_error(op: &Operation, fetched: &Fetched) -> Error {
    let text = String::from_utf8_lossy(&fetched.bytes);
    let mut excerpt: String = text.chars().take(EXCERPT).collect();
    if text.chars().count() > EXCERPT {
        excerpt.push('…');
    }
    Error::Upstream {
        method: op.method,
        path: op.path,
        status: fetched.status,
        excerpt,
    }
}

/// A media type without its parameters (`text/html; charset=utf-8` → `text/html`).
fn essence(mime: &str) -> &str {
    mime.split(';').next().unwrap_or("").trim()
}

fn is_json(essence: &str) -> bool {
    essence == "application/json" || essence.ends_with("+json")
}

fn is_text(essence: &str) -> bool {
    essence.starts_with("text/")
        || essence.ends_with("+xml")
        || [
            "application/xml",
            "application/javascript",
            "application/x-yaml",
            "application/yaml",
            "application/sdp",
        ]
        .contains(&essence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const OP: Operation = Operation {
        method: "GET",
        path: "/pets/{id}",
        server: None,
        params: &[],
        body: None,
        security: &[],
        structured: true,
        wrap: false,
    };

    fn fetched(status: u16, mime: &str, bytes: &[u8]) -> Fetched {
        Fetched {
            status: reqwest::StatusCode::from_u16(status).expect("a status"),
            mime: mime.into(),
            bytes: bytes.to_vec(),
            url: "http://h/pets/1?x=1".into(),
        }
    }

    fn json_of(r: &ToolResult) -> Value {
        serde_json::to_value(r).expect("serializes")
    }

    #[test]
    fn upstream_errors_are_is_error_results_quoting_the_body() {
        let long = "x".repeat(600);
        let r = json_of(&tool_result(
            &OP,
            &fetched(500, "text/plain", long.as_bytes()),
        ));
        assert_eq!(r["isError"], json!(true));
        let text = r["content"][0]["text"].as_str().unwrap_or("");
        assert!(
            text.starts_with("GET /pets/{id} answered 500 Internal Server Error: xxx"),
            "{text}"
        );
        assert_eq!(text.chars().filter(|c| *c == 'x').count(), EXCERPT);
        assert!(text.ends_with('…'));
    }

    #[test]
    fn json_objects_are_structured_and_arrays_wrapped() {
        let r = json_of(&tool_result(
            &OP,
            &fetched(200, "application/json; charset=utf-8", br#"{"id":1}"#),
        ));
        assert_eq!(r["structuredContent"], json!({"id": 1}));
        let wrapped = Operation { wrap: true, ..OP };
        let r = json_of(&tool_result(&wrapped, &fetched(200, "", b"[1,2]")));
        assert_eq!(r["structuredContent"], json!({"result": [1, 2]}));
        let plain = Operation {
            structured: false,
            ..OP
        };
        let r = json_of(&tool_result(
            &plain,
            &fetched(200, "application/json", b"[1]"),
        ));
        assert_eq!(
            (r["content"][0]["text"].clone(), r.get("structuredContent")),
            (json!("[1]"), None)
        );
    }

    #[test]
    fn other_media_types() {
        let r = json_of(&tool_result(&OP, &fetched(204, "", b"")));
        assert_eq!(
            r["content"][0]["text"],
            "GET /pets/{id} answered 204 No Content with no content"
        );
        let r = json_of(&tool_result(
            &OP,
            &fetched(200, "image/png", &[0x89, 0x50, 0xff]),
        ));
        assert_eq!(
            (
                r["content"][0]["type"].clone(),
                r["content"][0]["mimeType"].clone()
            ),
            (json!("image"), json!("image/png"))
        );
        let r = json_of(&tool_result(
            &OP,
            &fetched(200, "application/pdf", &[0xff, 0x00]),
        ));
        assert_eq!(r["content"][0]["resource"]["uri"], "http://h/pets/1");
        let r = json_of(&tool_result(&OP, &fetched(200, "application/xml", b"<a/>")));
        assert_eq!(r["content"][0]["text"], "<a/>");
    }

    #[test]
    fn resources_map_404_to_not_found() {
        assert!(matches!(
            resource(&OP, &fetched(404, "", b"{}"), "x://1"),
            Err(ResourceError::NotFound(_))
        ));
        let err = resource(&OP, &fetched(503, "", b"down"), "x://1");
        assert!(
            matches!(&err, Err(ResourceError::Internal(m)) if m.contains("503") && m.ends_with("down")),
            "{err:?}"
        );
        let ok = resource(&OP, &fetched(200, "", br#"{"a":1}"#), "x://1");
        assert!(
            matches!(ok, Ok(ResourceBody::Contents(ref c)) if c.len() == 1),
            "{ok:?}"
        );
    }
}
