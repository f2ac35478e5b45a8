//! `cargo mcp inspect` as a library: connect to a server (a command over
//! stdio, or an http(s) URL), ask it one thing, print the answer as text or
//! JSON, and close the session. [`crate::commands`] only parses and calls it.

pub mod arguments;
mod print;

pub use arguments::{parse_header, prompt_arguments, tool_arguments};

use crate::client::{Client, ClientError};
use crate::ui::Ui;
use print::{print_content, print_json, print_resource_contents, print_table, print_tool_result};
use serde_json::{json, Value};
use std::time::Duration;

/// What to ask the server.
#[derive(Debug, Clone, PartialEq)]
pub enum Ask {
    /// Its info and capabilities (the initialize result).
    Info,
    /// Its tools.
    Tools,
    /// Its prompts.
    Prompts,
    /// Its resources and resource templates.
    Resources,
    /// Call a tool with these arguments.
    Call {
        /// The tool.
        name: String,
        /// Its arguments, a JSON object.
        arguments: Value,
    },
    /// Read a resource.
    Read {
        /// Its URI.
        uri: String,
    },
    /// Get a prompt with these arguments.
    Prompt {
        /// The prompt.
        name: String,
        /// Its arguments, a JSON object of strings.
        arguments: Value,
    },
}

impl Ask {
    /// The request that asks it, for the questions that are one request.
    fn request(&self) -> Option<(&'static str, Value)> {
        match self {
            Ask::Call { name, arguments } => {
                Some(("tools/call", json!({"name": name, "arguments": arguments})))
            }
            Ask::Read { uri } => Some(("resources/read", json!({"uri": uri}))),
            Ask::Prompt { name, arguments } => {
                Some(("prompts/get", json!({"name": name, "arguments": arguments})))
            }
            _ => None,
        }
    }
}

/// The server to ask, and how.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// An http(s):// URL, or a command line to start.
    pub target: &'a str,
    /// How long to wait for each answer.
    pub timeout: Duration,
    /// HTTP headers sent with every request to an http(s) target.
    pub headers: &'a [(String, String)],
}

/// Connects to the target, asks, prints the answer (raw JSON with `json`),
/// and closes the session. A tool that reports an error is an error.
pub fn inspect(target: Target<'_>, ask: &Ask, json: bool, ui: &Ui) -> Result<(), ClientError> {
    let mut client = Client::connect(target.target, target.timeout, target.headers)?;
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
    let outcome = run(&mut client, ask, json);
    client.close();
    outcome
}

fn run(client: &mut Client, ask: &Ask, json: bool) -> Result<(), ClientError> {
    match ask {
        Ask::Info => print_json(&client.server),
        Ask::Tools => {
            let tools = client.list("tools/list", "tools")?;
            if json {
                print_json(&Value::Array(tools));
            } else {
                print_table(&tools, "name");
            }
        }
        Ask::Prompts => {
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
        Ask::Resources => {
            let resources = client.list("resources/list", "resources")?;
            // A server without templates may not know the method: that is no error.
            let templates = match client.list("resources/templates/list", "resourceTemplates") {
                Ok(t) => t,
                Err(ClientError::Rpc { code: -32601, .. }) => Vec::new(),
                Err(e) => return Err(e),
            };
            if json {
                print_json(&json!({"resources": resources, "resourceTemplates": templates}));
            } else {
                print_table(&resources, "uri");
                print_table(&templates, "uriTemplate");
            }
        }
        Ask::Call { .. } | Ask::Read { .. } | Ask::Prompt { .. } => {
            let Some((method, params)) = ask.request() else {
                return Ok(());
            };
            let result = client.request(method, params)?;
            let tool_error = method == "tools/call" && result["isError"] == json!(true);
            if json {
                print_json(&result);
            } else {
                match ask {
                    Ask::Call { .. } if tool_error => {}
                    Ask::Call { .. } => print_tool_result(&result),
                    Ask::Read { .. } => {
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
                return Err(ClientError::Tool(message));
            }
        }
    }
    Ok(())
}
