//! The HTTP client behind tools imported from OpenAPI (feature `openapi`),
//! as progenitor ships `progenitor-client`: generated code describes each API
//! and operation as `static` data ([`Api`], [`Operation`]) and calls [`call`]
//! or [`read`]; this module builds the request (path, query, header and cookie
//! parameters in their OpenAPI styles, a JSON, form or multipart body,
//! credentials from env variables), sends it with a timeout, and turns the
//! answer into a tool result or resource contents. An upstream 4xx/5xx becomes
//! an `isError` result with the status and the start of the body. Credentials
//! go only to the API's own origin: redirects elsewhere are not followed.
//!
//! ```no_run
//! use mcp_runtime::openapi::{self, Api, In, Operation, Param, Style};
//! use mcp_runtime::prelude::*;
//!
//! static API: Api = Api {
//!     name: "Petstore",
//!     base_url: "https://petstore.example/v1",
//!     base_url_env: "PETSTORE_BASE_URL",
//!     timeout_env: "PETSTORE_TIMEOUT_SECS",
//!     user_agent: concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")),
//!     schemes: &[],
//! };
//!
//! const LIST_PETS: Operation = Operation {
//!     method: "GET",
//!     path: "/pets",
//!     server: None,
//!     params: &[Param { arg: "limit", name: "limit", location: In::Query, style: Style::Form, explode: true }],
//!     body: None,
//!     security: &[],
//!     structured: false,
//!     wrap: false,
//! };
//!
//! async fn list_pets(Params(input): Params<Value>) -> ToolResult {
//!     openapi::call(&API, &LIST_PETS, &input).await
//! }
//! ```

mod answer;
mod auth;
mod body;
mod client;
mod error;
mod params;
mod request;
mod spec;

pub use params::encode;
pub use spec::{Api, Auth, Body, BodyKind, In, Operation, Param, Scheme, Style};

use crate::{ResourceBody, ResourceError, ToolResult};
use client::Fetched;
use error::Error;
use serde::Serialize;
use serde_json::Value;

/// Calls the operation with the tool's arguments and answers as a tool result:
/// JSON as structured content when the tool has an output schema (under
/// `result` when `op.wrap`), text, images and audio as such, anything else as
/// an embedded blob; any failure as an `isError` result saying what to do.
pub async fn call<T: Serialize>(api: &Api, op: &Operation, input: &T) -> ToolResult {
    match fetch(api, op, input).await {
        Ok(fetched) => answer::tool_result(op, &fetched),
        Err(e) => ToolResult::error(e.to_string()),
    }
}

/// Calls a `GET` operation for a resource read and answers with its contents
/// under `uri`: JSON and text as text, anything else as a blob. An upstream
/// 404 is "not found"; other failures are internal errors naming the status.
pub async fn read<T: Serialize>(
    api: &Api,
    op: &Operation,
    input: &T,
    uri: &str,
) -> Result<ResourceBody, ResourceError> {
    let fetched = fetch(api, op, input)
        .await
        .map_err(|e| ResourceError::Internal(e.to_string()))?;
    answer::resource(op, &fetched, uri)
}

/// Builds the request from the arguments and the process environment, sends
/// it, and reads the whole answer.
async fn fetch<T: Serialize>(api: &Api, op: &Operation, input: &T) -> Result<Fetched, Error> {
    let args = match serde_json::to_value(input)? {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    let prepared = request::prepare(api, op, &args, &auth::process_env)?;
    client::send(api, op, prepared).await
}
