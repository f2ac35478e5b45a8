//! The examples of the FastMCP FAQ (../shared/seed/fastmcp-faq.md), rebuilt on
//! mcp-runtime with the same tool, resource and template names, arguments,
//! log lines, progress and results. Each item's doc comment names the FAQ
//! question it comes from.
//!
//! ```sh
//! cargo run --example faq                                   # stdio
//! cargo run --example faq -- --transport http --port 8000   # Streamable HTTP
//! cargo run --example faq -- --transport sse                # legacy HTTP+SSE
//! ```
//!
//! "Which transport should I use?": `mcp.run("stdio" | "streamable-http" |
//! "sse")` is `--transport stdio|http|sse` (or `MCP_TRANSPORT`, or
//! `Server::transport`). "What environment variables does FastMCP
//! support?": the runtime reads the same settings as `MCP_*` instead of
//! `FASTMCP_*` (`MCP_HOST`, `MCP_PORT`, `MCP_DEBUG`, `MCP_LOG_LEVEL`,
//! `MCP_MOUNT_PATH`, `MCP_STREAMABLE_HTTP_PATH`, `MCP_WARN_ON_DUPLICATE_*`),
//! and a builder value beats them, as a `FastMCP(...)` keyword does.
//!
//! Over HTTP the server also answers the FAQ's custom routes on the same port:
//! `GET /health`, `/ready`, `/api/stats`, `/debug/info`,
//! `/download/{filename}` and `POST /webhook`.
//!
//! Files are served from one allowed folder: `$FAQ_FILES_DIR`, else a folder
//! in the system temp dir that is filled with sample files at startup.

use mcp_runtime::files::{mime_for, FileRoot};
use mcp_runtime::prelude::*;
use mcp_runtime::transport::http::axum::{
    self,
    extract::Path as UrlPath,
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Extension,
};
use serde_json::Map;
use std::collections::VecDeque;
use std::io;
use std::path::Path;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

// ==== Getting Started ===========================================================

#[derive(Deserialize, JsonSchema)]
struct GreetArgs {
    name: String,
}

/// "How do I install and run my first FastMCP server?": `greet`.
fn greet(Args(GreetArgs { name }): Args<GreetArgs>) -> String {
    format!("Hello, {name}!")
}

#[derive(Deserialize, JsonSchema)]
struct MessageArgs {
    message: String,
}

/// "How do I install and run my first FastMCP server?": `async_example`.
async fn async_example(ctx: Context, Args(MessageArgs { message }): Args<MessageArgs>) -> String {
    ctx.info(format!("Processing message: {message}")).await;
    format!("Processed: {message}")
}

#[derive(Deserialize, JsonSchema)]
struct AddArgs {
    a: i64,
    b: i64,
}

/// "What is FastMCP and how does it differ from the raw MCP SDK?": `add`.
/// Like FastMCP's `-> int`, the sum is the text `"3"` plus `{"result": 3}`.
fn add(Args(AddArgs { a, b }): Args<AddArgs>) -> Json<i64> {
    Json(a + b)
}

// ==== Tools Development =========================================================

/// "How do I validate tool inputs and handle errors properly?": Pydantic's
/// `Field(...)` rules become schema rules, checked before the tool runs; a
/// bad value is an `isError` result naming the field and the rule.
#[derive(Deserialize, JsonSchema)]
struct UserInput {
    /// User's name
    #[schemars(length(min = 1, max = 50))]
    name: String,
    /// User's age
    #[schemars(range(min = 0, max = 150))]
    age: i64,
    /// Valid email
    #[schemars(regex(pattern = r"^[^@]+@[^@]+\.[^@]+$"))]
    email: String,
}

#[derive(Deserialize, JsonSchema)]
struct CreateUserArgs {
    user: UserInput,
}

#[derive(Serialize, JsonSchema)]
struct CreatedUser {
    user_id: u64,
    name: String,
    age: i64,
    email: String,
}

/// Python's `hash(str)` is salted per process; FNV-1a gives the same id every run.
fn stable_hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// "How do I validate tool inputs and handle errors properly?": `create_user`.
async fn create_user(
    ctx: Context,
    Args(CreateUserArgs { user }): Args<CreateUserArgs>,
) -> Json<CreatedUser> {
    ctx.info(format!("Creating user: {}", user.name)).await;
    // Simulate user creation
    let user_id = stable_hash(&user.email) % 10000;
    ctx.info("User created successfully").await;
    Json(CreatedUser {
        user_id,
        name: user.name,
        age: user.age,
        email: user.email,
    })
}

#[derive(Deserialize, JsonSchema)]
struct FibonacciArgs {
    /// Which fibonacci number (93 is the last that fits in 64 bits)
    #[schemars(range(max = 93))]
    n: u32,
}

/// "When should I use async vs sync tools?": `calculate_fibonacci`, a sync
/// tool (sync handlers run on the blocking pool). Iterative, so any allowed
/// `n` answers at once.
fn calculate_fibonacci(Args(FibonacciArgs { n }): Args<FibonacciArgs>) -> Json<u64> {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        (a, b) = (b, a.wrapping_add(b));
    }
    Json(a)
}

#[derive(Deserialize, JsonSchema)]
struct ItemsArgs {
    items: Vec<String>,
}

/// "How do I access MCP capabilities like logging and progress reporting?":
/// `long_running_task`.
async fn long_running_task(
    ctx: Context,
    Args(ItemsArgs { items }): Args<ItemsArgs>,
) -> Json<Vec<String>> {
    let mut results = Vec::new();
    ctx.info(format!("Starting to process {} items", items.len()))
        .await;
    let total = items.len() as f64;
    for (i, item) in items.iter().enumerate() {
        ctx.debug(format!("Processing item {}: {item}", i + 1))
            .await;
        ctx.report_progress(
            i as f64 / total,
            Some(1.0),
            Some(&format!("Processing {item}")),
        )
        .await;
        // Simulate work
        tokio::time::sleep(Duration::from_millis(500)).await;
        results.push(format!("processed_{item}"));
    }
    ctx.info("All items processed successfully").await;
    Json(results)
}

#[derive(Deserialize, JsonSchema)]
struct ChartArgs {
    data: Vec<i64>,
}

/// "Can I return rich content like images from tools?": `generate_chart`, a
/// line chart of `data` as a PNG (drawn and encoded here, not by matplotlib).
fn generate_chart(Args(ChartArgs { data }): Args<ChartArgs>) -> Image {
    Image::png(chart::line_chart(&data))
}

#[derive(Deserialize, JsonSchema)]
struct FilenameArgs {
    /// A file inside the allowed folder
    filename: String,
}

/// "Can I return rich content like images from tools?": `get_file_content`;
/// unlike the FAQ's `open(filename)` it only reads inside the allowed folder
/// (see "How do I implement secure file access with resources?").
fn get_file_content(
    Args(FilenameArgs { filename }): Args<FilenameArgs>,
) -> Result<String, ToolError> {
    let root = data_root()?;
    let path = root
        .resolve(&filename)
        .map_err(|e| ToolError::new(e.to_string()))?;
    std::fs::read_to_string(path).map_err(|e| ToolError::new(format!("{filename}: {e}")))
}

// ==== Resources =================================================================

// Resource bodies are structs, so their JSON keys keep the FAQ's order.

#[derive(Serialize)]
struct AppSettings {
    version: &'static str,
    debug: bool,
    max_connections: u32,
}

/// "What's the difference between static resources and resource templates?":
/// the static resource `config://app-settings`.
fn app_config() -> Json<AppSettings> {
    Json(AppSettings {
        version: "1.0",
        debug: false,
        max_connections: 100,
    })
}

#[derive(Deserialize)]
struct UserIdVar {
    user_id: String,
}

#[derive(Serialize)]
struct UserProfile {
    user_id: String,
    name: String,
    profile_data: &'static str,
}

/// "What's the difference between static resources and resource templates?":
/// the template `user://{user_id}/profile`.
fn user_profile(UriParams(UserIdVar { user_id }): UriParams<UserIdVar>) -> Json<UserProfile> {
    Json(UserProfile {
        name: format!("User {user_id}"),
        user_id,
        profile_data: "...",
    })
}

#[derive(Deserialize)]
struct FileVars {
    category: String,
    filename: String,
}

/// "What's the difference between static resources and resource templates?":
/// the template `files://{category}/{filename}` (`/data/{category}/{filename}`
/// of the FAQ is `{category}/{filename}` in the allowed folder).
async fn get_file(
    UriParams(FileVars { category, filename }): UriParams<FileVars>,
) -> Result<String, String> {
    let root = data_root()?;
    root.read_to_string(&format!("{category}/{filename}"))
        .await
        .map_err(|e| e.to_string())
}

#[derive(Deserialize)]
struct PathVar {
    path: String,
}

/// "How do I implement secure file access with resources?": `file://{+path}`.
/// `path` is relative to the allowed folder; `..`, absolute paths
/// (`file:///etc/passwd`) and symlinks out are refused. The template is
/// `{+path}` rather than the FAQ's `{path}` so that a path may contain `/`,
/// and a trailing `/` is dropped: URL parsers (the Python SDK's among them)
/// read `file://notes.txt` as host `notes.txt` and send `file://notes.txt/`.
async fn secure_file_access(
    UriParams(PathVar { path }): UriParams<PathVar>,
) -> Result<String, String> {
    let path = path.strip_suffix('/').unwrap_or(&path).to_string();
    let read = async {
        let root = data_root()?;
        let requested = root.resolve(&path).map_err(|e| match e.kind() {
            io::ErrorKind::PermissionDenied => {
                format!("Access denied: {path} is outside allowed directories")
            }
            io::ErrorKind::NotFound => format!("File not found: {path}"),
            _ => e.to_string(),
        })?;
        if !requested.is_file() {
            return Err(format!("Path is not a file: {path}"));
        }
        tokio::fs::read_to_string(&requested)
            .await
            .map_err(|e| e.to_string())
    };
    read.await
        .map_err(|e| format!("Error accessing file {path}: {e}"))
}

#[derive(Deserialize)]
struct ImageNameVar {
    image_name: String,
}

/// "How do I implement secure file access with resources?":
/// `safe-image://{image_name}`, a PNG from `images/` only.
fn get_safe_image(
    UriParams(ImageNameVar { image_name }): UriParams<ImageNameVar>,
) -> Result<Vec<u8>, String> {
    // Validate image name (no path traversal)
    if image_name.contains("..") || image_name.contains('/') || image_name.contains('\\') {
        return Err("Invalid image name".into());
    }
    let root = data_root()?;
    let path = root.path().join("images").join(format!("{image_name}.png"));
    if !path.exists() {
        return Err(format!("Image not found: {image_name}"));
    }
    std::fs::read(path).map_err(|e| e.to_string())
}

#[derive(Deserialize)]
struct NameVar {
    name: String,
}

/// "How do I handle different file types and MIME types in resources?":
/// `image://{name}` with MIME type `image/png`.
async fn get_png_image(UriParams(NameVar { name }): UriParams<NameVar>) -> Result<Vec<u8>, String> {
    let root = data_root()?;
    root.read(&format!("images/{name}.png"))
        .await
        .map_err(|e| e.to_string())
}

/// "How do I handle different file types and MIME types in resources?":
/// `data://{name}` with MIME type `application/json`.
fn get_json_data(UriParams(NameVar { name }): UriParams<NameVar>) -> Json<JsonData> {
    Json(JsonData {
        name,
        kind: "json",
        data: "...",
    })
}

#[derive(Serialize)]
struct JsonData {
    name: String,
    #[serde(rename = "type")]
    kind: &'static str,
    data: &'static str,
}

#[derive(Deserialize)]
struct DocumentVar {
    filename: String,
}

/// "How do I handle different file types and MIME types in resources?":
/// `document://{filename}`, with its MIME type guessed from the name: text
/// as text, anything else as a base64 blob (the FAQ's base64 string, typed).
async fn get_document(
    Uri(uri): Uri,
    UriParams(DocumentVar { filename }): UriParams<DocumentVar>,
) -> Result<ResourceContents, String> {
    let root = data_root()?;
    let rel = format!("documents/{filename}");
    let bytes = root
        .read(&rel)
        .await
        .map_err(|_| format!("Document not found: {filename}"))?;
    let mime = mime_for(&filename);
    if mime.starts_with("text/") {
        let text = String::from_utf8(bytes).map_err(|e| format!("{filename}: {e}"))?;
        Ok(ResourceContents::text(uri, mime, text))
    } else {
        Ok(ResourceContents::blob(uri, mime, &bytes))
    }
}

// ==== Authentication & Security =================================================
//
// TODO(auth): "How do I add authentication to my FastMCP server?" and "How do I
// implement scope-based access control?": `protected_tool`, `read_data` and
// `modify_user_profile` need the access token of the request (OAuth provider,
// scopes), which the runtime's auth layer, being built separately, will
// provide. Register them here once it lands. ("Can I use authentication with
// stdio transport?": no; the auth layer applies to the HTTP transports only.)

// ==== Configuration & Environment ===============================================

/// "How do I configure my server for different environments?": when
/// `ENVIRONMENT` is set, its profile's settings are given to the builder (so
/// they beat flags and `MCP_*` variables, as `FastMCP(..., **config)` beats
/// `FASTMCP_*`). Unset, nothing is forced and the usual settings apply.
fn environment_config(server: Server) -> Server {
    let Ok(env) = std::env::var("ENVIRONMENT") else {
        return server;
    };
    let (debug, log_level, host, port) = match env.as_str() {
        "production" => (false, "info", "0.0.0.0", 8000),
        "staging" => (true, "debug", "0.0.0.0", 8080),
        _ => (true, "debug", "127.0.0.1", 3000), // development
    };
    server
        .setting("MCP_DEBUG", debug.to_string())
        .setting("MCP_LOG_LEVEL", log_level)
        .host(host)
        .port(port)
}

// ==== Performance & Optimization ================================================

/// `@lru_cache(maxsize=128)` of the FAQ: the 128 most recently used results.
static CACHE: Mutex<VecDeque<(String, String)>> = Mutex::new(VecDeque::new());

/// "How do I optimize my FastMCP server for production?" (2.): the expensive
/// computation behind `cached_tool`, one second the first time per input.
async fn expensive_computation(data: &str) -> String {
    {
        let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(i) = cache.iter().position(|(k, _)| k == data) {
            let hit = cache.remove(i).expect("position is in range");
            let value = hit.1.clone();
            cache.push_back(hit);
            return value;
        }
    }
    // Simulate expensive operation
    tokio::time::sleep(Duration::from_secs(1)).await;
    let value = format!("processed_{data}");
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    cache.push_back((data.to_string(), value.clone()));
    if cache.len() > 128 {
        cache.pop_front();
    }
    value
}

#[derive(Deserialize, JsonSchema)]
struct DataArgs {
    data: String,
}

/// "How do I optimize my FastMCP server for production?" (2.): `cached_tool`.
async fn cached_tool(ctx: Context, Args(DataArgs { data }): Args<DataArgs>) -> String {
    ctx.info("Using cached computation").await;
    expensive_computation(&data).await
}

/// The FAQ's `= 10` defaults.
fn ten<T: From<u8>>() -> T {
    T::from(10)
}

#[derive(Deserialize, JsonSchema)]
struct BatchArgs {
    items: Vec<String>,
    /// Items per batch
    #[serde(default = "ten::<usize>")]
    #[schemars(range(min = 1))]
    batch_size: usize,
}

/// The FAQ leaves `process_item` undefined; this one does what
/// `long_running_task` does to an item.
async fn process_item(item: String) -> String {
    tokio::task::yield_now().await;
    format!("processed_{item}")
}

/// "How do I optimize my FastMCP server for production?" (3.): `batch_processor`.
async fn batch_processor(
    ctx: Context,
    Args(BatchArgs { items, batch_size }): Args<BatchArgs>,
) -> Json<Vec<String>> {
    let mut results = Vec::new();
    let total = items.len();
    for (b, batch) in items.chunks(batch_size).enumerate() {
        ctx.info(format!("Processing batch {}", b + 1)).await;
        // Process batch concurrently
        let batch_results =
            futures::future::join_all(batch.iter().cloned().map(process_item)).await;
        results.extend(batch_results);
        let done = (b * batch_size + batch_size).min(total);
        ctx.report_progress(
            done as f64 / total as f64,
            Some(1.0),
            Some(&format!("Processed {done} of {total} items")),
        )
        .await;
    }
    Json(results)
}

#[derive(Deserialize, JsonSchema)]
struct ProcessingArgs {
    /// A text file in the allowed folder, one item a line (e.g. `datasets/records.txt`)
    data_source: String,
    /// `{"uppercase": true}` and/or `{"prefix": "..."}`
    processing_options: Map<String, Value>,
}

#[derive(Serialize, JsonSchema)]
struct ProcessingReport {
    status: String,
    items_processed: usize,
    result_file: String,
    processing_options: Map<String, Value>,
}

/// The FAQ's undefined helpers of `long_data_processing`: load the lines of a
/// file, transform each by the options, save them as JSON under `results/`.
async fn load_data(source: &str) -> Result<Vec<String>, String> {
    let text = data_root()?
        .read_to_string(source)
        .await
        .map_err(|e| format!("Cannot load {source}: {e}"))?;
    Ok(text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect())
}

async fn process_single_item(item: &str, options: &Map<String, Value>) -> String {
    let mut out = item.to_string();
    if options.get("uppercase").and_then(Value::as_bool) == Some(true) {
        out = out.to_uppercase();
    }
    if let Some(prefix) = options.get("prefix").and_then(Value::as_str) {
        out = format!("{prefix}{out}");
    }
    out
}

async fn save_results(source: &str, items: &[String]) -> Result<String, String> {
    let root = data_root()?;
    let stem = Path::new(source)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("data");
    let rel = format!("results/{stem}.processed.json");
    let json = serde_json::to_string_pretty(items).map_err(|e| e.to_string())?;
    write_atomic(&root.path().join(&rel), json.as_bytes())
        .map_err(|e| format!("Cannot save {rel}: {e}"))?;
    Ok(rel)
}

/// "How do I handle long-running operations and progress reporting?":
/// `long_data_processing`, in three phases with progress from 0.1 to 1.0.
async fn long_data_processing(
    ctx: Context,
    Args(ProcessingArgs {
        data_source,
        processing_options,
    }): Args<ProcessingArgs>,
) -> Result<Json<ProcessingReport>, String> {
    // Phase 1: Load data
    ctx.info("Loading data...").await;
    ctx.report_progress(0.1, Some(1.0), Some("Loading data"))
        .await;
    let data = load_data(&data_source).await?;
    let data_size = data.len();

    // Phase 2: Process data
    ctx.info(format!("Processing {data_size} items...")).await;
    let mut processed_items = Vec::new();
    for (i, item) in data.iter().enumerate() {
        let fraction = i as f64 / data_size as f64;
        // Update progress every 10 items or every 5%
        if i % 10 == 0 || fraction % 0.05 == 0.0 {
            let progress = 0.1 + fraction * 0.8; // 10% to 90%
            ctx.report_progress(
                progress,
                Some(1.0),
                Some(&format!("Processing item {} of {data_size}", i + 1)),
            )
            .await;
        }
        processed_items.push(process_single_item(item, &processing_options).await);
        // Yield control to allow cancellation
        tokio::task::yield_now().await;
    }

    // Phase 3: Save results
    ctx.info("Saving results...").await;
    ctx.report_progress(0.95, Some(1.0), Some("Saving results"))
        .await;
    let result_file = save_results(&data_source, &processed_items).await?;

    // Complete
    ctx.report_progress(1.0, Some(1.0), Some("Processing complete"))
        .await;
    ctx.info(format!(
        "Processing complete. Results saved to {result_file}"
    ))
    .await;
    Ok(Json(ProcessingReport {
        status: "completed".into(),
        items_processed: processed_items.len(),
        result_file,
        processing_options,
    }))
}

// Left out: `optimized_database_query` (needs a database pool) and
// `robust_api_call` (needs an HTTP client); this example adds no dependencies.

// ==== Debugging & Troubleshooting ===============================================

#[derive(Deserialize, JsonSchema)]
struct DictArgs {
    data: Map<String, Value>,
}

/// The FAQ leaves `process_complex_data` undefined; this one echoes the data
/// with its size, and fails on an empty object.
fn process_complex_data(data: &Map<String, Value>) -> Result<Map<String, Value>, String> {
    if data.is_empty() {
        return Err("ValueError: No data to process".into());
    }
    let mut result = Map::new();
    result.insert("received".into(), Value::Object(data.clone()));
    result.insert("field_count".into(), json!(data.len()));
    Ok(result)
}

/// "How do I debug my FastMCP server?": `debug_tool`. (`ctx.client_id` is the
/// client's name from `initialize` here; debug mode and level are
/// `MCP_DEBUG=true MCP_LOG_LEVEL=debug` or `--log-level debug`.)
async fn debug_tool(
    ctx: Context,
    Args(DictArgs { data }): Args<DictArgs>,
) -> Result<Json<Map<String, Value>>, String> {
    ctx.debug(format!(
        "Tool called with data: {}",
        Value::Object(data.clone())
    ))
    .await;
    ctx.debug(format!("Request ID: {}", ctx.request_id())).await;
    let client = ctx
        .client_info()
        .and_then(|c| c.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("None");
    ctx.debug(format!("Client ID: {client}")).await;
    ctx.info("Starting data processing").await;
    match process_complex_data(&data) {
        Ok(result) => {
            ctx.info("Processing completed successfully").await;
            ctx.debug(format!(
                "Result keys: {:?}",
                result.keys().collect::<Vec<_>>()
            ))
            .await;
            Ok(Json(result))
        }
        Err(e) => {
            ctx.error(format!("Processing failed: {e}")).await;
            Err(e)
        }
    }
}

#[derive(Serialize)]
struct DebugInfo {
    server_name: &'static str,
    debug_mode: bool,
    log_level: String,
    tools_count: usize,
    resources_count: usize,
}

/// "How do I debug my FastMCP server?": the HTTP route `GET /debug/info`.
async fn debug_info(Extension(server): Extension<ServerHandle>) -> Response {
    let settings = server.settings();
    json_reply(
        StatusCode::OK,
        &DebugInfo {
            server_name: SERVER_NAME,
            debug_mode: settings.debug,
            log_level: settings.log_level.to_ascii_uppercase(),
            tools_count: server.tool_names().len(),
            resources_count: server.resource_uris().len(),
        },
    )
}

/// "My tools aren't being discovered. What's wrong?": `early_tool`, registered
/// before `run()`. (The FAQ's wrong variants, untyped or `*args`, do not
/// compile in Rust, and nothing can be registered after `run()`.)
fn early_tool() -> &'static str {
    "This will work"
}

#[derive(Deserialize, JsonSchema)]
struct XyArgs {
    x: i64,
    y: i64,
}

/// "My tools aren't being discovered. What's wrong?": `good_tool`.
fn good_tool(Args(XyArgs { x, y }): Args<XyArgs>) -> Json<i64> {
    Json(x + y)
}

#[derive(Deserialize, JsonSchema)]
struct ValidToolArgs {
    a: String,
    #[serde(default = "ten::<i64>")]
    b: i64,
}

/// "My tools aren't being discovered. What's wrong?": `valid_tool`, with `b`
/// defaulting to 10.
fn valid_tool(Args(ValidToolArgs { a, b }): Args<ValidToolArgs>) -> String {
    format!("{a}: {b}")
}

fn yes() -> bool {
    true
}

#[derive(Deserialize, JsonSchema)]
struct RobustArgs {
    data: String,
    #[serde(default = "yes")]
    validate: bool,
}

/// How long `robust_tool`'s processing may take before it times out (the FAQ
/// sleeps 100 s for `"timeout"` and expects `asyncio.TimeoutError`).
const ROBUST_TOOL_TIMEOUT: Duration = Duration::from_secs(2);

/// "How do I handle errors gracefully in my tools?": `robust_tool`. An empty
/// `data` is a validation error (an `isError` result), `"error"` a processing
/// error answered as a normal result, `"timeout"` times out.
async fn robust_tool(
    ctx: Context,
    Args(RobustArgs { data, validate }): Args<RobustArgs>,
) -> Result<Json<Map<String, Value>>, ToolError> {
    ctx.info(format!("Processing data: {data}")).await;

    // Input validation
    if validate && data.trim().is_empty() {
        ctx.error("Validation error: Data cannot be empty").await;
        return Err(ToolError::new("Data cannot be empty"));
    }

    let processing = async {
        // Simulate processing that might fail
        if data == "error" {
            return Err("Simulated processing error".to_string());
        }
        if data == "timeout" {
            tokio::time::sleep(Duration::from_secs(100)).await; // Simulate timeout
        }
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or_default();
        let mut result = Map::new();
        result.insert("original".into(), json!(data));
        result.insert("processed".into(), json!(data.to_uppercase()));
        result.insert("length".into(), json!(data.chars().count()));
        result.insert("timestamp".into(), json!(timestamp));
        Ok(result)
    };

    match tokio::time::timeout(ROBUST_TOOL_TIMEOUT, processing).await {
        Ok(Ok(result)) => {
            ctx.info("Processing completed successfully").await;
            Ok(Json(result))
        }
        Ok(Err(message)) => {
            ctx.error(format!("Processing error: {message}")).await;
            // Could return error response instead of raising
            let mut result = Map::new();
            result.insert("error".into(), json!("processing_failed"));
            result.insert("message".into(), json!(message));
            result.insert("data".into(), json!(data));
            Ok(Json(result))
        }
        Err(_elapsed) => {
            ctx.error("Operation timed out").await;
            Err(ToolError::new("Processing timed out"))
        }
    }
}

// ==== Advanced Usage: a modular server ==========================================

#[derive(Deserialize, JsonSchema)]
struct LoginArgs {
    username: String,
    #[allow(dead_code)] // checked by a real login
    password: String,
}

#[derive(Serialize, JsonSchema)]
struct LoginResult {
    token: String,
    user: String,
}

/// "How do I create a modular server with multiple components?" (modules/auth.py): `login`.
async fn login(
    ctx: Context,
    Args(LoginArgs { username, .. }): Args<LoginArgs>,
) -> Json<LoginResult> {
    ctx.info(format!("Login attempt for user: {username}"))
        .await;
    // Implement authentication logic
    Json(LoginResult {
        token: "auth-token".into(),
        user: username,
    })
}

#[derive(Deserialize, JsonSchema)]
struct TokenArgs {
    #[allow(dead_code)]
    token: String,
}

/// "How do I create a modular server with multiple components?" (modules/auth.py): `logout`.
async fn logout(ctx: Context, Args(_): Args<TokenArgs>) -> Json<bool> {
    ctx.info("User logged out").await;
    Json(true)
}

/// modules/auth.py: `add_auth_tools(mcp)` is a server of its own, merged.
fn auth_module() -> Server {
    Server::new("auth")
        .tool("login", login)
        .description("User login.")
        .tool("logout", logout)
        .description("User logout.")
}

#[derive(Deserialize, JsonSchema)]
struct UserIdArgs {
    user_id: String,
}

#[derive(Serialize, JsonSchema)]
struct UserData {
    user_id: String,
    data: String,
}

/// "How do I create a modular server with multiple components?" (modules/data.py): `get_user_data`.
async fn get_user_data(
    ctx: Context,
    Args(UserIdArgs { user_id }): Args<UserIdArgs>,
) -> Json<UserData> {
    ctx.info(format!("Fetching data for user: {user_id}")).await;
    Json(UserData {
        user_id,
        data: "user data".into(),
    })
}

/// "How do I create a modular server with multiple components?" (modules/data.py): `user_profile`.
fn module_user_profile(
    UriParams(UserIdVar { user_id }): UriParams<UserIdVar>,
) -> Json<ModuleProfile> {
    Json(ModuleProfile {
        user_id,
        profile: "profile data",
    })
}

#[derive(Serialize)]
struct ModuleProfile {
    user_id: String,
    profile: &'static str,
}

/// modules/data.py: `add_data_tools(mcp)`. Its `user://{user_id}/profile`
/// would replace the Resources section's template of the same URI, so this
/// module is mounted under `data`: `data_get_user_data` and
/// `user://data/{user_id}/profile`.
fn data_module() -> Server {
    Server::new("data")
        .tool("get_user_data", get_user_data)
        .description("Get user data.")
        .resource_template("user://{user_id}/profile", module_user_profile)
        .description("User profile resource.")
        .mime_type("application/json")
}

/// The static resources of this server (FastMCP's `_resource_manager.resources`
/// counts these, not templates); the runtime's `ServerHandle` lists tools only.
const STATIC_RESOURCES: &[&str] = &["config://app-settings"];

#[derive(Serialize, JsonSchema)]
struct ServerStatus {
    status: String,
    tools: usize,
    resources: usize,
}

/// "How do I create a modular server with multiple components?" (main.py): `server_status`.
fn server_status(ctx: Context) -> Json<ServerStatus> {
    Json(ServerStatus {
        status: "running".into(),
        tools: ctx.server().tool_names().len(),
        resources: STATIC_RESOURCES.len(),
    })
}

// ==== Custom HTTP routes ========================================================

// Served beside `/mcp` on the same port by the HTTP transports (`--transport
// http` or `sse`); a stdio server has no routes.

/// When the server started, for `/api/stats`'s `uptime`.
static STARTED: OnceLock<Instant> = OnceLock::new();

/// Python's `time.time()`: seconds since the epoch, with a fraction.
fn unix_time() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    timestamp: f64,
    server: &'static str,
    version: String,
}

/// "Can I create custom HTTP routes alongside my MCP server?" and "How do I
/// deploy my FastMCP server to production?": `GET /health`. The FAQ writes it
/// twice (with `server`, then with `version` from `APP_VERSION`); one route
/// answers both.
async fn health_check() -> Response {
    json_reply(
        StatusCode::OK,
        &Health {
            status: "healthy",
            timestamp: unix_time(),
            server: SERVER_NAME,
            version: std::env::var("APP_VERSION").unwrap_or_else(|_| "unknown".into()),
        },
    )
}

#[derive(Serialize)]
struct Readiness {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// "How do I deploy my FastMCP server to production?": `GET /ready`, the
/// readiness probe for Kubernetes. This server's one dependency is its allowed
/// folder (the FAQ's database and external services); 503 while it is missing.
async fn readiness_check() -> Response {
    let checked = data_root().and_then(|root| {
        std::fs::metadata(root.path())
            .map(|_| ())
            .map_err(|e| format!("{}: {e}", root.path().display()))
    });
    match checked {
        Ok(()) => json_reply(
            StatusCode::OK,
            &Readiness {
                status: "ready",
                error: None,
            },
        ),
        Err(e) => json_reply(
            StatusCode::SERVICE_UNAVAILABLE,
            &Readiness {
                status: "not ready",
                error: Some(e),
            },
        ),
    }
}

#[derive(Serialize)]
struct Stats {
    tools: usize,
    resources: usize,
    uptime: f64,
}

/// "Can I create custom HTTP routes alongside my MCP server?": `GET /api/stats`.
async fn server_stats(Extension(server): Extension<ServerHandle>) -> Response {
    json_reply(
        StatusCode::OK,
        &Stats {
            tools: server.tool_names().len(),
            resources: server.resource_uris().len(),
            uptime: STARTED.get_or_init(Instant::now).elapsed().as_secs_f64(),
        },
    )
}

/// A JSON answer (Starlette's `JSONResponse`), through axum's own `Json`.
fn json_reply(status: StatusCode, body: &impl Serialize) -> Response {
    (status, axum::Json(body)).into_response()
}

fn json_error(status: StatusCode, error: String) -> Response {
    json_reply(status, &json!({ "error": error }))
}

/// "Can I create custom HTTP routes alongside my MCP server?":
/// `GET /download/{filename}`, from the allowed folder (the FAQ's `/downloads`).
async fn download_file(UrlPath(filename): UrlPath<String>) -> Response {
    let file = data_root().and_then(|root| root.resolve(&filename).map_err(|e| e.to_string()));
    let bytes = match file.map(std::fs::read) {
        Ok(Ok(bytes)) => bytes,
        _ => return json_error(StatusCode::NOT_FOUND, "File not found".into()),
    };
    let disposition = format!(
        "attachment; filename=\"{}\"",
        filename.replace(['"', '\\'], "_")
    );
    (
        [
            (header::CONTENT_TYPE, mime_for(&filename).to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// What the FAQ's `handle_user_update` stands for: log the update.
async fn handle_user_update(data: &Value) {
    tracing::info!("webhook: user update {data}");
}

#[derive(Serialize)]
struct Processed {
    status: &'static str,
}

/// "Can I create custom HTTP routes alongside my MCP server?": `POST /webhook`.
/// A body that is not JSON, or a `user_update` without `data`, is a 400 with
/// the reason.
async fn webhook_handler(body: String) -> Response {
    let payload: Value = match serde_json::from_str(&body) {
        Ok(p) => p,
        Err(e) => return json_error(StatusCode::BAD_REQUEST, e.to_string()),
    };
    if payload.get("type").and_then(Value::as_str) == Some("user_update") {
        match payload.get("data") {
            Some(data) => handle_user_update(data).await,
            None => return json_error(StatusCode::BAD_REQUEST, "'data'".into()),
        }
    }
    json_reply(
        StatusCode::OK,
        &Processed {
            status: "processed",
        },
    )
}

// ==== The server ================================================================

/// The server's name (`serverInfo.name`, and `server` in `/health`).
const SERVER_NAME: &str = "FastMCP FAQ";

/// Every FAQ example above, as one server.
pub fn server() -> Server {
    // Create and fill the allowed folder now rather than on the first read.
    let _ = data_root();
    STARTED.get_or_init(Instant::now);
    let server = Server::new(SERVER_NAME)
        // Getting Started
        .tool("greet", greet)
        .description("Greet someone by name.")
        .tool("async_example", async_example)
        .description("Example with logging and context.")
        .tool("add", add)
        .description("Add two numbers together.")
        // Tools Development
        .tool("create_user", create_user)
        .description("Create user with validation.")
        .tool("calculate_fibonacci", calculate_fibonacci)
        .description("Calculate fibonacci number (sync).")
        .tool("long_running_task", long_running_task)
        .description("Process items with progress reporting.")
        .tool("generate_chart", generate_chart)
        .description("Generate a chart image.")
        .tool("get_file_content", get_file_content)
        .description("Return file content as text.")
        // Resources
        .resource(STATIC_RESOURCES[0], app_config)
        .name("app_config")
        .description("Application configuration.")
        .mime_type("application/json")
        .resource_template("user://{user_id}/profile", user_profile)
        .name("user_profile")
        .description("Get user profile by ID.")
        .mime_type("application/json")
        .resource_template("files://{category}/{filename}", get_file)
        .name("get_file")
        .description("Get file content by category and name.")
        .resource_template("file://{+path}", secure_file_access)
        .name("secure_file_access")
        .description("Securely access files within allowed directories.")
        .resource_template("safe-image://{image_name}", get_safe_image)
        .name("get_safe_image")
        .description("Get images from safe directory only.")
        .mime_type("image/png")
        .resource_template("image://{name}", get_png_image)
        .name("get_png_image")
        .description("Get PNG image.")
        .mime_type("image/png")
        .resource_template("data://{name}", get_json_data)
        .name("get_json_data")
        .description("Get JSON data.")
        .mime_type("application/json")
        .resource_template("document://{filename}", get_document)
        .name("get_document")
        .description("Get document with auto-detected MIME type.")
        // Performance & Optimization
        .tool("cached_tool", cached_tool)
        .description("Tool with caching.")
        .tool("batch_processor", batch_processor)
        .description("Process items in batches for better performance.")
        .tool("long_data_processing", long_data_processing)
        .description("Long-running data processing with progress updates.")
        // Debugging & Troubleshooting
        .tool("debug_tool", debug_tool)
        .description("Tool with comprehensive debugging.")
        .tool("early_tool", early_tool)
        .description("A tool registered before run().")
        .tool("good_tool", good_tool)
        .description("A tool with proper type annotations.")
        .tool("valid_tool", valid_tool)
        .description("A tool with explicit parameters.")
        .tool("robust_tool", robust_tool)
        .description("Tool with comprehensive error handling.")
        // Advanced Usage: modules, then the main tools
        .merge(auth_module())
        .mount("data", data_module())
        .tool("server_status", server_status)
        .description("Get server status.")
        // Custom HTTP routes
        .route("/debug/info", get(debug_info))
        .route("/health", get(health_check))
        .route("/ready", get(readiness_check))
        .route("/api/stats", get(server_stats))
        .route("/download/{filename}", get(download_file))
        .route("/webhook", post(webhook_handler));
    // TODO(auth): the auth provider and settings of "How do I add
    // authentication to my FastMCP server?" go here.
    environment_config(server)
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> Result<(), mcp_runtime::Error> {
    server().run().await
}

// ==== The allowed folder ========================================================

/// The folder that file resources and tools may read: `$FAQ_FILES_DIR`, else
/// `mcp-runtime-faq` in the temp dir, filled with sample files.
fn data_root() -> Result<&'static FileRoot, String> {
    static ROOT: OnceLock<Result<FileRoot, String>> = OnceLock::new();
    ROOT.get_or_init(|| match std::env::var_os("FAQ_FILES_DIR") {
        Some(dir) => FileRoot::new(&dir)
            .map_err(|e| format!("FAQ_FILES_DIR={}: {e}", Path::new(&dir).display())),
        None => {
            let dir = std::env::temp_dir().join("mcp-runtime-faq");
            seed_samples(&dir).map_err(|e| format!("cannot fill {}: {e}", dir.display()))?;
            FileRoot::new(&dir).map_err(|e| format!("{}: {e}", dir.display()))
        }
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// Writes a file whole or not at all (other server processes may read it).
fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// The sample files the FAQ's resources read.
fn seed_samples(dir: &Path) -> io::Result<()> {
    let logo = chart::line_chart(&[1, 3, 2, 5, 4]);
    let records: String = (1..=25).map(|i| format!("record-{i:02}\n")).collect();
    let files: [(&str, &[u8]); 7] = [
        ("hello.txt", b"Hello from the allowed folder!\n"),
        (
            "public/welcome.txt",
            b"Welcome to the FastMCP FAQ example.\n",
        ),
        (
            "docs/readme.md",
            b"# FAQ example\n\nServed by files://docs/readme.md\n",
        ),
        ("images/logo.png", &logo),
        (
            "documents/notes.txt",
            b"Meeting notes: ship the FAQ example.\n",
        ),
        ("documents/logo.png", &logo),
        ("datasets/records.txt", records.as_bytes()),
    ];
    for (rel, bytes) in files {
        write_atomic(&dir.join(rel), bytes)?;
    }
    Ok(())
}

// ==== A tiny PNG line chart ======================================================

/// Line charts as PNG, without an image library: RGB pixels, zlib "stored"
/// (uncompressed) deflate blocks, CRC-32 and Adler-32 written out by hand.
mod chart {
    const W: usize = 200;
    const H: usize = 120;
    const LEFT: usize = 16;
    const RIGHT: usize = 8;
    const TOP: usize = 8;
    const BOTTOM: usize = 16;
    const AXIS: [u8; 3] = [64, 64, 64];
    const LINE: [u8; 3] = [31, 119, 180]; // matplotlib's first colour

    /// A 200x120 PNG plotting `data` left to right, scaled to its range.
    pub fn line_chart(data: &[i64]) -> Vec<u8> {
        let mut px = vec![255u8; W * H * 3];
        let mut put = |x: usize, y: usize, c: [u8; 3]| {
            if x < W && y < H {
                px[(y * W + x) * 3..(y * W + x) * 3 + 3].copy_from_slice(&c);
            }
        };
        for x in LEFT..W - RIGHT {
            put(x, H - BOTTOM, AXIS);
        }
        for y in TOP..=H - BOTTOM {
            put(LEFT, y, AXIS);
        }
        let (lo, hi) = (
            data.iter().copied().min().unwrap_or(0),
            data.iter().copied().max().unwrap_or(0),
        );
        let (x0, x1, y0, y1) = (LEFT + 2, W - RIGHT - 1, TOP, H - BOTTOM - 2);
        let point = |i: usize, v: i64| -> (i64, i64) {
            let x = if data.len() < 2 {
                (x0 + x1) / 2
            } else {
                x0 + i * (x1 - x0) / (data.len() - 1)
            };
            let y = if hi == lo {
                (y0 + y1) / 2
            } else {
                y1 - ((v - lo) as f64 / (hi - lo) as f64 * (y1 - y0) as f64).round() as usize
            };
            (x as i64, y as i64)
        };
        let points: Vec<(i64, i64)> = data.iter().enumerate().map(|(i, &v)| point(i, v)).collect();
        let mut plot = |(x, y): (i64, i64)| {
            for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                put((x + dx) as usize, (y + dy) as usize, LINE);
            }
        };
        if let [only] = points[..] {
            plot(only);
        }
        for pair in points.windows(2) {
            // Bresenham
            let ((mut x, mut y), (xe, ye)) = (pair[0], pair[1]);
            let (dx, dy) = ((xe - x).abs(), -(ye - y).abs());
            let (sx, sy) = (if x < xe { 1 } else { -1 }, if y < ye { 1 } else { -1 });
            let mut err = dx + dy;
            loop {
                plot((x, y));
                if x == xe && y == ye {
                    break;
                }
                let e2 = 2 * err;
                if e2 >= dy {
                    err += dy;
                    x += sx;
                }
                if e2 <= dx {
                    err += dx;
                    y += sy;
                }
            }
        }
        encode_rgb(W as u32, H as u32, &px)
    }

    /// A PNG of 8-bit RGB pixels, rows top to bottom.
    pub fn encode_rgb(width: u32, height: u32, rgb: &[u8]) -> Vec<u8> {
        let row = width as usize * 3;
        let mut raw = Vec::with_capacity((row + 1) * height as usize);
        for line in rgb.chunks(row) {
            raw.push(0); // filter: none
            raw.extend_from_slice(line);
        }
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&width.to_be_bytes());
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8 bits, RGB, deflate, no filter, no interlace
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        chunk(&mut png, b"IHDR", &ihdr);
        chunk(&mut png, b"IDAT", &zlib_stored(&raw));
        chunk(&mut png, b"IEND", &[]);
        png
    }

    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }

    /// A zlib stream of stored deflate blocks (at most 65535 bytes each).
    fn zlib_stored(data: &[u8]) -> Vec<u8> {
        let mut out = vec![0x78, 0x01];
        let mut blocks = data.chunks(65535).peekable();
        if blocks.peek().is_none() {
            out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
        }
        while let Some(block) = blocks.next() {
            out.push(u8::from(blocks.peek().is_none())); // BFINAL, BTYPE = 00
            let len = block.len() as u16;
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&(!len).to_le_bytes());
            out.extend_from_slice(block);
        }
        out.extend_from_slice(&adler32(data).to_be_bytes());
        out
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn adler32(data: &[u8]) -> u32 {
        let (mut a, mut b) = (1u32, 0u32);
        for &x in data {
            a = (a + u32::from(x)) % 65521;
            b = (b + a) % 65521;
        }
        (b << 16) | a
    }
}
