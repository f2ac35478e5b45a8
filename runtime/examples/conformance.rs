//! The fixture of the official MCP conformance suite: the `test_*` tools,
//! `test://` resources and prompts that its server scenarios call, for both
//! protocol eras (see ../shared/checks/README.md and
//! ../shared/checks/ref/py_conformance_server.py).
//!
//! ```sh
//! cargo run --example conformance                       # stdio
//! cargo run --example conformance -- --transport http --port 3000
//! ```

use mcp_runtime::prelude::*;
use mcp_runtime::{InputRequest, ResourceBody};
use std::time::Duration;

/// A 1x1 red PNG.
const PNG_1X1: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

fn png() -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(PNG_1X1)
        .unwrap_or_default()
}

/// A silent WAV of eight samples.
fn wav() -> Vec<u8> {
    let samples = [0u8; 16];
    let mut out = Vec::new();
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + samples.len() as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes()); // fmt chunk size
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&8000u32.to_le_bytes());
    out.extend_from_slice(&16000u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(samples.len() as u32).to_le_bytes());
    out.extend_from_slice(&samples);
    out
}

// ---- content tools ------------------------------------------------------------

fn test_simple_text() -> &'static str {
    "This is a simple text response for testing."
}

fn test_image_content() -> Image {
    Image::png(png())
}

fn test_audio_content() -> Audio {
    Audio::wav(wav())
}

fn test_embedded_resource() -> Content {
    Content::resource(ResourceContents::text(
        "test://embedded-resource",
        "text/plain",
        "This is an embedded resource content.",
    ))
}

fn test_multiple_content_types() -> Vec<Content> {
    vec![
        Content::text("Multiple content types test:"),
        Image::png(png()).into(),
        Content::resource(ResourceContents::text(
            "test://mixed-content-resource",
            "application/json",
            json!({ "test": "data", "value": 123 }).to_string(),
        )),
    ]
}

async fn test_tool_with_logging(ctx: Context) -> &'static str {
    ctx.info("Tool execution started").await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    ctx.info("Tool processing data").await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    ctx.info("Tool execution completed").await;
    "Tool with logging executed successfully"
}

async fn test_tool_with_progress(ctx: Context) -> &'static str {
    for (i, p) in [0.0, 50.0, 100.0].into_iter().enumerate() {
        if i > 0 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        ctx.report_progress(p, Some(100.0), Some(&format!("Completed step {p} of 100")))
            .await;
    }
    "Tool with progress executed successfully"
}

fn test_error_handling() -> Result<String, ToolError> {
    Err(ToolError::new(
        "This tool intentionally returns an error for testing",
    ))
}

// ---- client requests (legacy era: sent mid-call) --------------------------------

#[derive(Deserialize, JsonSchema)]
struct PromptArg {
    /// The prompt to send to the client's model
    prompt: String,
}

async fn test_sampling(ctx: Context, Args(PromptArg { prompt }): Args<PromptArg>) -> String {
    match ctx.sample(prompt, 100).await {
        Ok(r) => format!("LLM response: {}", r.text().unwrap_or("No response")),
        Err(e) => format!("Sampling not supported or error: {e}"),
    }
}

async fn elicit(ctx: &Context, message: &str, schema: Value, prefix: &str) -> String {
    match ctx.elicit(message, schema).await {
        Ok(r) => format!(
            "{prefix}: action={}, content={}",
            serde_json::to_value(r.action)
                .unwrap_or_default()
                .as_str()
                .unwrap_or(""),
            Value::Object(r.content.unwrap_or_default())
        ),
        Err(e) => format!("Elicitation not supported or error: {e}"),
    }
}

#[derive(Deserialize, JsonSchema)]
struct MessageArg {
    /// The message to show the user
    message: String,
}

async fn test_elicitation(ctx: Context, Args(MessageArg { message }): Args<MessageArg>) -> String {
    let schema = json!({
        "type": "object",
        "properties": {
            "username": { "type": "string", "description": "User's response" },
            "email": { "type": "string", "description": "User's email address" }
        },
        "required": ["username", "email"]
    });
    elicit(&ctx, &message, schema, "User response").await
}

async fn test_elicitation_sep1034_defaults(ctx: Context) -> String {
    let schema = json!({
        "type": "object",
        "properties": {
            "name": { "type": "string", "description": "User name", "default": "John Doe" },
            "age": { "type": "integer", "description": "User age", "default": 30 },
            "score": { "type": "number", "description": "User score", "default": 95.5 },
            "status": { "type": "string", "description": "User status", "enum": ["active", "inactive", "pending"], "default": "active" },
            "verified": { "type": "boolean", "description": "Verification status", "default": true }
        },
        "required": []
    });
    elicit(
        &ctx,
        "Please review and update the form fields with defaults",
        schema,
        "Elicitation completed",
    )
    .await
}

async fn test_elicitation_sep1330_enums(ctx: Context) -> String {
    let schema = json!({
        "type": "object",
        "properties": {
            "untitledSingle": { "type": "string", "description": "Select one option", "enum": ["option1", "option2", "option3"] },
            "titledSingle": {
                "type": "string",
                "description": "Select one option with titles",
                "oneOf": [
                    { "const": "value1", "title": "First Option" },
                    { "const": "value2", "title": "Second Option" },
                    { "const": "value3", "title": "Third Option" }
                ]
            },
            "legacyEnum": {
                "type": "string",
                "description": "Select one option (legacy)",
                "enum": ["opt1", "opt2", "opt3"],
                "enumNames": ["Option One", "Option Two", "Option Three"]
            },
            "untitledMulti": {
                "type": "array",
                "description": "Select multiple options",
                "minItems": 1,
                "maxItems": 3,
                "items": { "type": "string", "enum": ["option1", "option2", "option3"] }
            },
            "titledMulti": {
                "type": "array",
                "description": "Select multiple options with titles",
                "minItems": 1,
                "maxItems": 3,
                "items": {
                    "anyOf": [
                        { "const": "value1", "title": "First Choice" },
                        { "const": "value2", "title": "Second Choice" },
                        { "const": "value3", "title": "Third Choice" }
                    ]
                }
            }
        },
        "required": []
    });
    elicit(
        &ctx,
        "Please select options from the enum fields",
        schema,
        "Elicitation completed",
    )
    .await
}

fn json_schema_2020_12_tool(Params(args): Params<Value>) -> String {
    format!("JSON Schema 2020-12 tool called with: {args}")
}

// ---- generic smoke tools --------------------------------------------------------

#[derive(Deserialize, JsonSchema)]
struct EchoArgs {
    /// Text to echo
    text: String,
}

fn echo(Args(EchoArgs { text }): Args<EchoArgs>) -> String {
    format!("echo: {text}")
}

#[derive(Deserialize, JsonSchema)]
struct AddArgs {
    a: i64,
    b: i64,
}

fn add(Args(AddArgs { a, b }): Args<AddArgs>) -> i64 {
    a + b
}

#[derive(Deserialize, JsonSchema)]
struct CountArgs {
    /// How far to count
    n: u32,
}

async fn count_with_progress(ctx: Context, Args(CountArgs { n }): Args<CountArgs>) -> String {
    for i in 1..=n {
        ctx.info(format!("step {i} of {n}")).await;
        ctx.report_progress(i, Some(n as f64), Some(&format!("step {i}")))
            .await;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    format!("counted to {n}")
}

// ---- 2026-07-28: stateless diagnostics and multi round-trip input ------------------

async fn test_missing_capability(ctx: Context) -> Result<String, ToolError> {
    let r = ctx.sample("This tool needs sampling", 10).await?;
    Ok(r.text().unwrap_or_default().to_string())
}

async fn test_streaming_elicitation(ctx: Context) -> Result<String, ToolError> {
    let r = ctx
        .elicit(
            "Streaming elicitation test",
            json!({"type": "object", "properties": {"value": {"type": "string"}}}),
        )
        .await?;
    Ok(format!("elicitation action: {:?}", r.action))
}

async fn test_logging_tool(ctx: Context) -> &'static str {
    ctx.info("logging tool: this message is sent only when the client asked for logs")
        .await;
    "logging tool done"
}

async fn dynamic_tool() -> &'static str {
    "a tool added while serving"
}

fn dynamic_prompt() -> &'static str {
    "a prompt added while serving"
}

/// Adds a tool if it is absent, removes it otherwise: either way clients hear list_changed.
fn test_trigger_tool_change(ctx: Context) -> Result<String, ToolError> {
    let server = ctx.server();
    if server.remove_tool("test_dynamic_tool") {
        return Ok("removed test_dynamic_tool".into());
    }
    server
        .add(
            Server::new("")
                .tool("test_dynamic_tool", dynamic_tool)
                .description("Added by test_trigger_tool_change"),
        )
        .map_err(|e| ToolError::new(e.to_string()))?;
    Ok("added test_dynamic_tool".into())
}

fn test_trigger_prompt_change(ctx: Context) -> Result<String, ToolError> {
    let server = ctx.server();
    if server.remove_prompt("test_dynamic_prompt") {
        return Ok("removed test_dynamic_prompt".into());
    }
    server
        .add(
            Server::new("")
                .prompt("test_dynamic_prompt", dynamic_prompt)
                .description("Added by test_trigger_prompt_change"),
        )
        .map_err(|e| ToolError::new(e.to_string()))?;
    Ok("added test_dynamic_prompt".into())
}

fn ask_name() -> InputRequest {
    InputRequest::elicit(
        "What is your name?",
        json!({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}),
    )
}

fn field<'a>(answer: &'a Value, name: &str) -> &'a str {
    answer
        .get("content")
        .and_then(|c| c.get(name))
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn sampled_text(answer: &Value) -> &str {
    answer
        .get("content")
        .and_then(|c| c.get("text"))
        .and_then(Value::as_str)
        .unwrap_or("")
}

async fn test_input_required_result_elicitation(ctx: Context) -> Result<String, ToolError> {
    let a = ctx.request_inputs(vec![("user_name", ask_name())]).await?;
    Ok(format!("Hello, {}!", field(&a["user_name"], "name")))
}

async fn test_input_required_result_sampling(ctx: Context) -> Result<String, ToolError> {
    let a = ctx
        .request_inputs(vec![(
            "capital_question",
            InputRequest::sample("What is the capital of France?", 100),
        )])
        .await?;
    Ok(format!(
        "The model said: {}",
        sampled_text(&a["capital_question"])
    ))
}

async fn test_input_required_result_list_roots(ctx: Context) -> Result<String, ToolError> {
    let a = ctx
        .request_inputs(vec![("client_roots", InputRequest::ListRoots)])
        .await?;
    Ok(format!("Client roots: {}", a["client_roots"]["roots"]))
}

fn confirm() -> InputRequest {
    InputRequest::elicit(
        "Please confirm",
        json!({"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}),
    )
}

async fn test_input_required_result_request_state(ctx: Context) -> Result<String, ToolError> {
    let a = ctx.request_inputs(vec![("confirm", confirm())]).await?;
    let ok = a["confirm"]
        .get("content")
        .and_then(|c| c.get("ok"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Ok(format!("state-ok: confirmed={ok}"))
}

async fn test_input_required_result_multiple_inputs(ctx: Context) -> Result<String, ToolError> {
    let a = ctx
        .request_inputs(vec![
            ("user_name", ask_name()),
            ("greeting", InputRequest::sample("Generate a greeting", 50)),
            ("client_roots", InputRequest::ListRoots),
        ])
        .await?;
    Ok(format!(
        "name={}, greeting={}, roots={}",
        field(&a["user_name"], "name"),
        sampled_text(&a["greeting"]),
        a["client_roots"]["roots"]
    ))
}

async fn test_input_required_result_multi_round(ctx: Context) -> Result<String, ToolError> {
    let step1 = InputRequest::elicit(
        "Step 1: What is your name?",
        json!({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}),
    );
    let a = ctx.request_inputs(vec![("step1", step1)]).await?;
    let step2 = InputRequest::elicit(
        "Step 2: What is your favorite color?",
        json!({"type": "object", "properties": {"color": {"type": "string"}}, "required": ["color"]}),
    );
    let b = ctx.request_inputs(vec![("step2", step2)]).await?;
    Ok(format!(
        "{} likes {}.",
        field(&a["step1"], "name"),
        field(&b["step2"], "color")
    ))
}

async fn test_input_required_result_tampered_state(ctx: Context) -> Result<String, ToolError> {
    ctx.request_inputs(vec![("confirm", confirm())]).await?;
    Ok("confirmed".into())
}

async fn test_input_required_result_capabilities(ctx: Context) -> Result<String, ToolError> {
    let caps = ctx.client_capabilities();
    let a = if caps.get("elicitation").is_some() {
        ctx.request_inputs(vec![("user_name", ask_name())]).await?
    } else if caps.get("sampling").is_some() {
        ctx.request_inputs(vec![("sample", InputRequest::sample("Say hello", 50))])
            .await?
    } else if caps.get("roots").is_some() {
        ctx.request_inputs(vec![("client_roots", InputRequest::ListRoots)])
            .await?
    } else {
        return Ok("The client declared no capability to ask with".into());
    };
    Ok(format!("answered: {}", Value::Object(a)))
}

async fn test_input_required_result_prompt(ctx: Context) -> Result<Vec<PromptMessage>, ToolError> {
    let ask = InputRequest::elicit(
        "What context should the prompt use?",
        json!({"type": "object", "properties": {"context": {"type": "string"}}, "required": ["context"]}),
    );
    let a = ctx.request_inputs(vec![("user_context", ask)]).await?;
    Ok(vec![PromptMessage::user(format!(
        "Use this context: {}",
        field(&a["user_context"], "context")
    ))])
}

// ---- resources -------------------------------------------------------------------

fn static_text() -> &'static str {
    "This is the content of the static text resource."
}

fn static_binary() -> Vec<u8> {
    png()
}

#[derive(Deserialize)]
struct TemplateVars {
    id: String,
}

fn template(UriParams(TemplateVars { id }): UriParams<TemplateVars>) -> ResourceBody {
    ResourceBody::Json(
        json!({ "id": id, "templateTest": true, "data": format!("Data for ID: {id}") }).to_string(),
    )
}

fn watched() -> &'static str {
    "Watched resource content"
}

// ---- prompts -------------------------------------------------------------------------

fn test_simple_prompt() -> &'static str {
    "This is a simple prompt for testing."
}

#[derive(Deserialize, JsonSchema)]
struct TwoArgs {
    /// First test argument
    arg1: String,
    /// Second test argument
    arg2: String,
}

fn test_prompt_with_arguments(Args(TwoArgs { arg1, arg2 }): Args<TwoArgs>) -> String {
    format!("Prompt with arguments: arg1='{arg1}', arg2='{arg2}'")
}

#[derive(Deserialize, JsonSchema)]
struct ResourceArg {
    /// URI of the resource to embed
    #[serde(rename = "resourceUri")]
    resource_uri: String,
}

fn test_prompt_with_embedded_resource(
    Args(ResourceArg { resource_uri }): Args<ResourceArg>,
) -> Vec<PromptMessage> {
    vec![
        PromptMessage::user(Content::resource(ResourceContents::text(
            resource_uri,
            "text/plain",
            "Embedded resource content for testing.",
        ))),
        PromptMessage::user("Please process the embedded resource above."),
    ]
}

fn test_prompt_with_image() -> Vec<PromptMessage> {
    vec![
        PromptMessage::user(Image::png(png())),
        PromptMessage::user("Please analyze the image above."),
    ]
}

fn json_schema_2020_12() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "$defs": {
            "address": {
                "$anchor": "address",
                "type": "object",
                "properties": { "street": { "type": "string" }, "city": { "type": "string" } }
            }
        },
        "properties": {
            "name": { "type": "string" },
            "address": { "$ref": "#/$defs/address" }
        },
        "additionalProperties": false
    })
}

/// The whole fixture, ready to serve.
pub fn server() -> Server {
    Server::new("mcp-conformance-test-server")
        .version("0.1.0")
        .tool("test_simple_text", test_simple_text)
        .description("Tests simple text content response")
        .tool("test_image_content", test_image_content)
        .description("Tests image content response")
        .tool("test_audio_content", test_audio_content)
        .description("Tests audio content response")
        .tool("test_embedded_resource", test_embedded_resource)
        .description("Tests embedded resource content response")
        .tool("test_multiple_content_types", test_multiple_content_types)
        .description("Tests response with multiple content types (text, image, resource)")
        .tool("test_tool_with_logging", test_tool_with_logging)
        .description("Tests tool that emits log messages during execution")
        .tool("test_tool_with_progress", test_tool_with_progress)
        .description("Tests tool that reports progress notifications")
        .tool("test_error_handling", test_error_handling)
        .description("Tests error response handling")
        .tool("test_sampling", test_sampling)
        .description("Tests server-initiated sampling (LLM completion request)")
        .tool("test_elicitation", test_elicitation)
        .description("Tests server-initiated elicitation (user input request)")
        .tool("test_elicitation_sep1034_defaults", test_elicitation_sep1034_defaults)
        .description("Tests elicitation with default values per SEP-1034")
        .tool("test_elicitation_sep1330_enums", test_elicitation_sep1330_enums)
        .description("Tests elicitation with enum schema improvements per SEP-1330")
        .tool("json_schema_2020_12_tool", json_schema_2020_12_tool)
        .description("Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613)")
        .input_schema(json_schema_2020_12())
        .tool("echo", echo)
        .description("Echoes the given text back")
        .tool("add", add)
        .description("Adds two integers")
        .tool("count_with_progress", count_with_progress)
        .description("Counts to n, reporting progress and logging each step")
        .tool("test_missing_capability", test_missing_capability)
        .description("Needs the client's sampling capability (2026-07-28: -32021 without it)")
        .tool("test_streaming_elicitation", test_streaming_elicitation)
        .description("Asks for input; in 2026-07-28 this is an input_required result, never a request on the stream")
        .tool("test_logging_tool", test_logging_tool)
        .description("Logs one message; in 2026-07-28 only when the request set a log level")
        .tool("test_trigger_tool_change", test_trigger_tool_change)
        .description("Adds or removes a tool, so that clients hear tools/list_changed")
        .tool("test_trigger_prompt_change", test_trigger_prompt_change)
        .description("Adds or removes a prompt, so that clients hear prompts/list_changed")
        .tool("test_input_required_result_elicitation", test_input_required_result_elicitation)
        .description("Asks the user's name through an input_required result")
        .tool("test_input_required_result_sampling", test_input_required_result_sampling)
        .description("Asks the client's model through an input_required result")
        .tool("test_input_required_result_list_roots", test_input_required_result_list_roots)
        .description("Asks for the client's roots through an input_required result")
        .tool("test_input_required_result_request_state", test_input_required_result_request_state)
        .description("Asks for confirmation and carries requestState")
        .tool("test_input_required_result_multiple_inputs", test_input_required_result_multiple_inputs)
        .description("Asks three questions of three kinds at once")
        .tool("test_input_required_result_multi_round", test_input_required_result_multi_round)
        .description("Asks two questions in two rounds")
        .tool("test_input_required_result_tampered_state", test_input_required_result_tampered_state)
        .description("Refuses a requestState that was changed")
        .tool("test_input_required_result_capabilities", test_input_required_result_capabilities)
        .description("Asks only what the client's capabilities allow")
        .resource("test://static-text", static_text)
        .name("static-text")
        .description("A static text resource")
        .mime_type("text/plain")
        .resource("test://static-binary", static_binary)
        .name("static-binary")
        .description("A static binary resource (PNG)")
        .mime_type("image/png")
        .resource_template("test://template/{id}/data", template)
        .name("template")
        .description("A resource template with an id parameter")
        .mime_type("application/json")
        .resource("test://watched-resource", watched)
        .name("watched-resource")
        .description("A subscribable resource")
        .mime_type("text/plain")
        .prompt("test_simple_prompt", test_simple_prompt)
        .description("A simple prompt without arguments")
        .prompt("test_prompt_with_arguments", test_prompt_with_arguments)
        .description("A prompt with required arguments")
        .prompt("test_prompt_with_embedded_resource", test_prompt_with_embedded_resource)
        .description("A prompt that embeds a resource")
        .prompt("test_prompt_with_image", test_prompt_with_image)
        .description("A prompt with image content")
        .prompt("test_input_required_result_prompt", test_input_required_result_prompt)
        .description("A prompt that asks the user for context first")
        .completion(|_reference, _arg, value, _context| {
            ["paris", "park", "party", "hello", "world"].iter().filter(|o| o.starts_with(value)).map(|o| o.to_string()).collect()
        })
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> Result<(), mcp_runtime::Error> {
    server().run().await
}
