//! What the user gives `inspect` on the command line, checked before
//! anything is started: tool and prompt arguments, HTTP headers.

use crate::generate::Error;
use serde_json::{Map, Value};

/// `NAME: VALUE` as a header name and value.
pub fn parse_header(text: &str) -> Result<(String, String), Error> {
    let bad = |why: &str| {
        Error::Invalid(format!(
            "--header {text:?}: {why}; write it as `NAME: VALUE`, like `Authorization: Bearer TOKEN`"
        ))
    };
    let (name, value) = text.split_once(':').ok_or_else(|| bad("no `:`"))?;
    let name = name.trim();
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    {
        return Err(bad("not a header name"));
    }
    let value = value.trim();
    if value.bytes().any(|b| b == b'\r' || b == b'\n') {
        return Err(bad("a line break in the value"));
    }
    Ok((name.to_string(), value.to_string()))
}

/// `--args-json` then `--arg k=v` on top; values are JSON when they parse.
pub fn tool_arguments(args: &[String], args_json: Option<&str>) -> Result<Value, Error> {
    let mut map = match args_json {
        None => Map::new(),
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => map,
            Ok(_) => {
                return Err(Error::Invalid(
                    "--args-json must be a JSON object, like '{\"a\": 1}'".into(),
                ))
            }
            Err(e) => {
                return Err(Error::Invalid(format!(
                    "--args-json is not valid JSON: {e}"
                )))
            }
        },
    };
    for arg in args {
        let (key, value) = split_arg(arg)?;
        let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.into()));
        map.insert(key.to_string(), value);
    }
    Ok(Value::Object(map))
}

/// Prompt arguments (`--arg k=v`), which are strings.
pub fn prompt_arguments(args: &[String]) -> Result<Value, Error> {
    let mut map = Map::new();
    for arg in args {
        let (key, value) = split_arg(arg)?;
        map.insert(key.to_string(), Value::String(value.into()));
    }
    Ok(Value::Object(map))
}

fn split_arg(arg: &str) -> Result<(&str, &str), Error> {
    match arg.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key, value)),
        _ => Err(Error::Invalid(format!(
            "--arg `{arg}` should be KEY=VALUE, like --arg name=Ada"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn arguments_are_json_when_they_parse() {
        let args = ["n=42", "s=Ada", "b=true", "o={\"x\":1}", "e="].map(String::from);
        assert_eq!(
            tool_arguments(&args, Some(r#"{"n": 1, "k": [1]}"#)).unwrap(),
            json!({"n": 42, "k": [1], "s": "Ada", "b": true, "o": {"x": 1}, "e": ""})
        );
        assert!(tool_arguments(&["novalue".into()], None).is_err());
        assert!(tool_arguments(&[], Some("[1]")).is_err());
        assert_eq!(
            prompt_arguments(&["words=50".into()]).unwrap(),
            json!({"words": "50"})
        );
    }
}
