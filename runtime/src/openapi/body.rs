//! Request bodies: which arguments make the body, and how it is encoded
//! (JSON, `application/x-www-form-urlencoded`, `multipart/form-data`, text).

use super::params::{encode, scalar};
use super::spec::{Body, BodyKind};
use serde_json::{Map, Value};

/// An encoded body and its `Content-Type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Encoded {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The body from the arguments: one argument, or the listed ones gathered into
/// an object. `None` when they are all absent (nothing is sent).
pub(crate) fn encoded(body: &Body, args: &Map<String, Value>) -> Option<Encoded> {
    let value = match body.arg {
        Some(arg) => args.get(arg).cloned().filter(|v| !v.is_null()),
        None => {
            let fields: Map<String, Value> = body
                .fields
                .iter()
                .filter_map(|(arg, name)| args.get(*arg).map(|v| (name.to_string(), v.clone())))
                .collect();
            (!fields.is_empty()).then_some(Value::Object(fields))
        }
    }?;
    Some(match body.kind {
        BodyKind::Json => Encoded {
            content_type: body.media_type.to_string(),
            bytes: value.to_string().into_bytes(),
        },
        BodyKind::Form => Encoded {
            content_type: "application/x-www-form-urlencoded".to_string(),
            bytes: form(&value).into_bytes(),
        },
        BodyKind::Multipart => {
            let boundary = format!("mcp-{:016x}", random());
            Encoded {
                content_type: format!("multipart/form-data; boundary={boundary}"),
                bytes: multipart(&value, &boundary),
            }
        }
        BodyKind::Text => Encoded {
            content_type: body.media_type.to_string(),
            bytes: match value {
                Value::String(s) => s,
                other => other.to_string(),
            }
            .into_bytes(),
        },
    })
}

/// `application/x-www-form-urlencoded`: each property a pair; arrays repeat
/// their name, nested objects are sent as JSON.
pub(crate) fn form(value: &Value) -> String {
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
pub(crate) fn multipart(value: &Value, boundary: &str) -> Vec<u8> {
    let mut out = Vec::new();
    if let Value::Object(map) = value {
        for (k, v) in map {
            let items: Vec<&Value> = match v {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            for item in items {
                let name = k.replace('"', "%22");
                out.extend_from_slice(
                    format!(
                        "--{boundary}\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n"
                    )
                    .as_bytes(),
                );
                out.extend_from_slice(scalar(item).as_bytes());
                out.extend_from_slice(b"\r\n");
            }
        }
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

/// A boundary that no part is likely to contain.
fn random() -> u64 {
    rand::random()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn args(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn form_bodies_repeat_arrays_and_skip_nulls() {
        let value = json!({"name": "Rex Jr", "tags": ["a", "b&c"], "gone": null, "meta": {"k": 1}});
        assert_eq!(
            form(&value),
            "name=Rex%20Jr&tags=a&tags=b%26c&meta=%7B%22k%22%3A1%7D"
        );
    }

    #[test]
    fn fields_gather_into_one_json_object() {
        let body = Body {
            kind: BodyKind::Json,
            media_type: "application/json",
            arg: None,
            fields: &[("pet_name", "name"), ("tag", "tag")],
        };
        let e = encoded(&body, &args(json!({"pet_name": "Rex", "other": 1}))).expect("a body");
        assert_eq!(e.content_type, "application/json");
        assert_eq!(e.bytes, br#"{"name":"Rex"}"#);
        assert_eq!(encoded(&body, &args(json!({"other": 1}))), None);
    }

    #[test]
    fn one_argument_is_the_whole_body() {
        let body = Body {
            kind: BodyKind::Text,
            media_type: "text/plain",
            arg: Some("body"),
            fields: &[],
        };
        let e = encoded(&body, &args(json!({"body": "hi"}))).expect("a body");
        assert_eq!(
            (e.content_type.as_str(), e.bytes.as_slice()),
            ("text/plain", &b"hi"[..])
        );
        assert_eq!(encoded(&body, &args(json!({"body": null}))), None);
    }

    #[test]
    fn multipart_parts() {
        let out = multipart(&json!({"a": "1", "b": [2, 3]}), "B");
        let text = String::from_utf8(out).expect("UTF-8");
        assert_eq!(
            text,
            "--B\r\ncontent-disposition: form-data; name=\"a\"\r\n\r\n1\r\n\
             --B\r\ncontent-disposition: form-data; name=\"b\"\r\n\r\n2\r\n\
             --B\r\ncontent-disposition: form-data; name=\"b\"\r\n\r\n3\r\n--B--\r\n"
        );
        let body = Body {
            kind: BodyKind::Multipart,
            media_type: "multipart/form-data",
            arg: Some("file"),
            fields: &[],
        };
        let e = encoded(&body, &args(json!({"file": {"a": "1"}}))).expect("a body");
        assert!(e
            .content_type
            .starts_with("multipart/form-data; boundary=mcp-"));
    }
}
