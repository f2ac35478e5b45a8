//! Parameters on the wire: percent-encoding, and OpenAPI's serialization
//! styles for path segments (simple, label, matrix), query pairs (form,
//! deepObject, space- and pipe-delimited), headers and cookies.

use super::spec::{Param, Style};
use serde_json::Value;

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

/// A scalar as text: strings as they are, `null` as nothing, the rest as JSON.
pub(crate) fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Arrays and objects joined by `sep` (objects as `k,v` or, exploded, `k=v`).
pub(crate) fn joined(value: &Value, sep: &str, explode: bool) -> String {
    match value {
        Value::Array(items) => items.iter().map(scalar).collect::<Vec<_>>().join(sep),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| {
                if explode {
                    format!("{k}={}", scalar(v))
                } else {
                    format!("{k}{sep}{}", scalar(v))
                }
            })
            .collect::<Vec<_>>()
            .join(sep),
        other => scalar(other),
    }
}

/// What replaces `{name}` in the path, encoded, in the parameter's style.
pub(crate) fn path_value(p: &Param, value: &Value) -> String {
    let encoded = |v: &Value, sep: &str| -> String {
        match v {
            Value::Array(items) => items
                .iter()
                .map(|i| encode(&scalar(i)))
                .collect::<Vec<_>>()
                .join(sep),
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
            Value::Array(items) if p.explode => items
                .iter()
                .map(|i| format!(";{}={}", p.name, encode(&scalar(i))))
                .collect(),
            _ => format!(";{}={}", p.name, encoded(value, ",")),
        },
        _ => encoded(value, ","),
    }
}

/// Appends the query pairs of one parameter (not yet encoded) to `out`.
pub(crate) fn query_pairs(p: &Param, value: &Value, out: &mut Vec<(String, String)>) {
    match (p.style, value) {
        (Style::DeepObject, Value::Object(_)) => deep(p.name, value, out),
        (Style::SpaceDelimited, Value::Array(_)) => {
            out.push((p.name.to_string(), joined(value, " ", false)))
        }
        (Style::PipeDelimited, Value::Array(_)) => {
            out.push((p.name.to_string(), joined(value, "|", false)))
        }
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

/// `prefix[key][key]=value` for every leaf of `value`.
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

/// `k=v&k=v`, each side percent-encoded.
pub(crate) fn query_string(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openapi::spec::In;
    use serde_json::json;

    fn param(style: Style, explode: bool, location: In) -> Param {
        Param {
            arg: "x",
            name: "x",
            location,
            style,
            explode,
        }
    }

    fn query(style: Style, explode: bool, value: Value) -> String {
        let mut out = Vec::new();
        query_pairs(&param(style, explode, In::Query), &value, &mut out);
        query_string(&out)
    }

    #[test]
    fn encode_keeps_only_unreserved_characters() {
        assert_eq!(encode("a-b.c_d~e"), "a-b.c_d~e");
        assert_eq!(encode("9 9/é&"), "9%209%2F%C3%A9%26");
    }

    #[test]
    fn query_styles() {
        let list = json!(["a", "b"]);
        assert_eq!(query(Style::Form, true, list.clone()), "x=a&x=b");
        assert_eq!(query(Style::Form, false, list.clone()), "x=a%2Cb");
        assert_eq!(query(Style::SpaceDelimited, false, list.clone()), "x=a%20b");
        assert_eq!(query(Style::PipeDelimited, false, list), "x=a%7Cb");
        let obj = json!({"k": 1, "m": "v"});
        assert_eq!(query(Style::Form, true, obj.clone()), "k=1&m=v");
        assert_eq!(query(Style::Form, false, obj.clone()), "x=k%2C1%2Cm%2Cv");
        assert_eq!(
            query(Style::DeepObject, true, json!({"a": {"b": 1}, "c": [2, 3]})),
            "x%5Ba%5D%5Bb%5D=1&x%5Bc%5D%5B%5D=2&x%5Bc%5D%5B%5D=3"
        );
        assert_eq!(query(Style::Form, true, json!(true)), "x=true");
    }

    #[test]
    fn path_styles() {
        let list = json!(["a b", "c"]);
        assert_eq!(
            path_value(&param(Style::Simple, false, In::Path), &list),
            "a%20b,c"
        );
        assert_eq!(
            path_value(&param(Style::Label, false, In::Path), &list),
            ".a%20b,c"
        );
        assert_eq!(
            path_value(&param(Style::Label, true, In::Path), &list),
            ".a%20b.c"
        );
        assert_eq!(
            path_value(&param(Style::Matrix, false, In::Path), &list),
            ";x=a%20b,c"
        );
        assert_eq!(
            path_value(&param(Style::Matrix, true, In::Path), &list),
            ";x=a%20b;x=c"
        );
        let obj = json!({"k": "v"});
        assert_eq!(
            path_value(&param(Style::Simple, true, In::Path), &obj),
            "k=v"
        );
        assert_eq!(
            path_value(&param(Style::Simple, false, In::Path), &obj),
            "k,v"
        );
        assert_eq!(
            path_value(&param(Style::Simple, false, In::Path), &json!(42)),
            "42"
        );
    }

    #[test]
    fn joined_values_for_headers() {
        assert_eq!(joined(&json!([1, 2]), ",", false), "1,2");
        assert_eq!(joined(&json!({"a": 1}), ",", true), "a=1");
        assert_eq!(joined(&json!({"a": 1}), ",", false), "a,1");
        assert_eq!(joined(&Value::Null, ",", false), "");
    }
}
