//! `cargo mcp inspect`: connect, ask one thing, print the answer.

use crate::cli::{InspectAction, InspectArgs};
use crate::client::{Client, ClientError};
use crate::generate::Error;
use crate::ui::Ui;
use serde_json::{json, Map, Value};
use std::time::Duration;

/// Connects to the target, runs the action, and closes the session.
pub fn exec(args: InspectArgs, ui: &Ui) -> anyhow::Result<()> {
    // Bad arguments are reported before anything is started.
    let request = match &args.action {
        InspectAction::Call {
            name,
            arg,
            args_json,
        } => Some((
            "tools/call",
            json!({"name": name, "arguments": tool_arguments(arg, args_json.as_deref())?}),
        )),
        InspectAction::Read { uri } => Some(("resources/read", json!({"uri": uri}))),
        InspectAction::Prompt { name, arg } => Some((
            "prompts/get",
            json!({"name": name, "arguments": prompt_arguments(arg)?}),
        )),
        _ => None,
    };
    let headers = args
        .header
        .iter()
        .map(|h| parse_header(h))
        .collect::<Result<Vec<_>, _>>()?;
    if !headers.is_empty() && !args.target.starts_with("http") {
        ui.warn("--header applies to http(s) targets only; a command speaks stdio");
    }
    let mut client = Client::connect(
        &args.target,
        Duration::from_secs(args.timeout.max(1)),
        &headers,
    )?;
    let server = &client.server["serverInfo"];
    ui.detail(
        "Connected",
        format!(
            "{} {} (protocol {})",
            server["name"].as_str().unwrap_or("?"),
            server["version"].as_str().unwrap_or("?"),
            client.server["protocolVersion"].as_str().unwrap_or("?")
        ),
    );
    let outcome = run(&mut client, &args, request);
    client.close();
    outcome
}

fn run(
    client: &mut Client,
    args: &InspectArgs,
    request: Option<(&str, Value)>,
) -> anyhow::Result<()> {
    let json = args.json;
    match &args.action {
        InspectAction::Info => print_json(&client.server),
        InspectAction::Tools => {
            let tools = client.list("tools/list", "tools")?;
            if json {
                print_json(&Value::Array(tools));
            } else {
                print_table(&tools, "name");
            }
        }
        InspectAction::Prompts => {
            let prompts = client.list("prompts/list", "prompts")?;
            if json {
                print_json(&Value::Array(prompts));
            } else {
                for p in &prompts {
                    let args: Vec<String> = p["arguments"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|a| {
                            let name = a["name"].as_str().unwrap_or("?");
                            if a["required"] == json!(true) {
                                name.to_string()
                            } else {
                                format!("{name}?")
                            }
                        })
                        .collect();
                    let name = p["name"].as_str().unwrap_or("?");
                    let described = p["description"].as_str().unwrap_or_default();
                    println!("{name}({})  {described}", args.join(", "));
                }
            }
        }
        InspectAction::Resources => {
            let resources = client.list("resources/list", "resources")?;
            // A server without templates may not know the method: that is no error.
            let templates = match client.list("resources/templates/list", "resourceTemplates") {
                Ok(t) => t,
                Err(ClientError::Rpc { code: -32601, .. }) => Vec::new(),
                Err(e) => return Err(e.into()),
            };
            if json {
                print_json(&json!({"resources": resources, "resourceTemplates": templates}));
            } else {
                print_table(&resources, "uri");
                print_table(&templates, "uriTemplate");
            }
        }
        InspectAction::Call { .. } | InspectAction::Read { .. } | InspectAction::Prompt { .. } => {
            let (method, params) = request.expect("built in exec");
            let result = client.request(method, params)?;
            let tool_error = method == "tools/call" && result["isError"] == json!(true);
            if json {
                print_json(&result);
            } else {
                match &args.action {
                    InspectAction::Call { .. } if tool_error => {}
                    InspectAction::Call { .. } => print_tool_result(&result),
                    InspectAction::Read { .. } => {
                        for c in result["contents"].as_array().into_iter().flatten() {
                            print_resource_contents(c);
                        }
                    }
                    _ => {
                        if let Some(d) = result["description"].as_str() {
                            println!("# {d}");
                        }
                        for m in result["messages"].as_array().into_iter().flatten() {
                            println!("{}:", m["role"].as_str().unwrap_or("?"));
                            print_content(&m["content"]);
                        }
                    }
                }
            }
            if tool_error {
                let message: Vec<&str> = result["content"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|c| c["text"].as_str())
                    .collect();
                let message = if message.is_empty() {
                    "the tool reported an error".to_string()
                } else {
                    message.join("\n")
                };
                return Err(ClientError::Tool(message).into());
            }
        }
    }
    Ok(())
}

/// `--args-json` then `--arg k=v` on top; values are JSON when they parse.
/// `NAME: VALUE` as a header name and value.
fn parse_header(text: &str) -> Result<(String, String), Error> {
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

fn tool_arguments(args: &[String], args_json: Option<&str>) -> Result<Value, Error> {
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

/// Prompt arguments are strings.
fn prompt_arguments(args: &[String]) -> Result<Value, Error> {
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

fn print_json(value: &Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("JSON values serialize")
    );
}

/// One line per item: its `key`, then its description (or name/title).
fn print_table(items: &[Value], key: &str) {
    let width = items
        .iter()
        .filter_map(|i| i[key].as_str())
        .map(|s| s.chars().count())
        .max()
        .unwrap_or(0);
    for item in items {
        let first = item[key].as_str().unwrap_or("?");
        let rest = item["description"]
            .as_str()
            .or_else(|| item["title"].as_str())
            .or_else(|| (key != "name").then(|| item["name"].as_str()).flatten())
            .unwrap_or_default();
        let line = format!(
            "{first:<width$}  {}",
            rest.lines().next().unwrap_or_default()
        );
        println!("{}", line.trim_end());
    }
}

/// Text blocks as they are, structured content pretty-printed (once: a text
/// block that only repeats it is skipped), other blocks summarised.
fn print_tool_result(result: &Value) {
    let structured = result.get("structuredContent");
    for block in result["content"].as_array().into_iter().flatten() {
        if let (Some(s), Some(text)) = (structured, block["text"].as_str()) {
            if serde_json::from_str::<Value>(text).ok().as_ref() == Some(s) {
                continue;
            }
        }
        print_content(block);
    }
    if let Some(s) = structured {
        print_json(s);
    }
}

fn print_content(block: &Value) {
    let mime = block["mimeType"].as_str().unwrap_or("?");
    match block["type"].as_str() {
        Some("text") => println!("{}", block["text"].as_str().unwrap_or_default()),
        Some("image") | Some("audio") => println!(
            "[{} {mime}, {} bytes of base64]",
            block["type"].as_str().unwrap_or_default(),
            block["data"].as_str().map(str::len).unwrap_or(0)
        ),
        Some("resource_link") => println!(
            "[resource link {}{}]",
            block["uri"].as_str().unwrap_or("?"),
            block["name"]
                .as_str()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default()
        ),
        Some("resource") => print_resource_contents(&block["resource"]),
        _ => print_json(block),
    }
}

fn print_resource_contents(contents: &Value) {
    if let Some(text) = contents["text"].as_str() {
        println!("{text}");
    } else if let Some(blob) = contents["blob"].as_str() {
        println!(
            "[{} {}, {} bytes of base64]",
            contents["uri"].as_str().unwrap_or("?"),
            contents["mimeType"].as_str().unwrap_or("?"),
            blob.len()
        );
    } else {
        print_json(contents);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
