//! Return values: what a handler may return, and how each becomes a tool
//! result, resource contents or prompt messages.

use super::{schema_for, Kind, PromptKind, ResourceKind, ToolKind};
use crate::protocol::jsonrpc::{code, ErrorObject};
use crate::protocol::{
    Audio, Content, EmbeddedResource, Image, PromptMessage, ResourceContents, ResourceLink,
    ToolResult,
};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;
use std::fmt::Display;

/// A value a handler of kind `K` may return.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned by a handler of this kind",
    label = "not a handler output",
    note = "tools may return `String`, `&'static str`, numbers, `bool`, `()`, `Json<T>` (with `T: Serialize + JsonSchema`), `Structured<T>`, `Image`, `Audio`, `Content` or a `Vec` of them, `ToolResult`, or `Result<_, E>` of one (`E: Display`)",
    note = "resources may return `String`, `&'static str`, bytes (`Vec<u8>`), `Json<T>`, `ResourceContents` or a `Vec` of them, `ResourceBody`, or `Result<_, E>` of one; prompts `String`, `PromptMessage` or a `Vec` of them, `PromptBody`, or `Result<_, E>` of one"
)]
pub trait IntoOutput<K: Kind> {
    /// Converts the value.
    fn into_output(self) -> K::Output;
    /// The output schema the type declares (tools only).
    fn output_schema() -> Option<Value> {
        None
    }
}

/// A structured result: `structuredContent` plus a text block of the same
/// JSON, and an `outputSchema` derived from `T`. For resources, JSON text
/// with MIME type `application/json`.
///
/// ```
/// use mcp_runtime::prelude::*;
///
/// #[derive(Serialize, JsonSchema)]
/// struct Weather { temperature: f64, conditions: String }
///
/// async fn weather() -> Json<Weather> {
///     Json(Weather { temperature: 21.5, conditions: "sunny".into() })
/// }
/// let server = Server::new("demo").tool("weather", weather);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Json<T>(pub T);

/// A structured result whose output schema is given at registration
/// (`.output_schema(...)`), as generated code does.
#[derive(Debug, Clone, PartialEq)]
pub struct Structured<T>(pub T);

fn structured_result(value: Result<Value, serde_json::Error>) -> ToolResult {
    match value {
        Ok(value) => {
            let text = value.to_string();
            ToolResult {
                content: vec![Content::text(text)],
                structured_content: Some(value),
                ..Default::default()
            }
        }
        Err(e) => ToolResult::error(format!(
            "The tool's result could not be encoded as JSON: {e}"
        )),
    }
}

// ---- tools ----------------------------------------------------------------

impl IntoOutput<ToolKind> for ToolResult {
    fn into_output(self) -> ToolResult {
        self
    }
}

impl IntoOutput<ToolKind> for String {
    fn into_output(self) -> ToolResult {
        ToolResult::new(vec![Content::text(self)])
    }
}

impl IntoOutput<ToolKind> for &'static str {
    fn into_output(self) -> ToolResult {
        ToolResult::new(vec![Content::text(self)])
    }
}

impl IntoOutput<ToolKind> for () {
    fn into_output(self) -> ToolResult {
        ToolResult::new(Vec::new())
    }
}

macro_rules! display_as_text {
    ($($t:ty),*) => {$(
        impl IntoOutput<ToolKind> for $t {
            fn into_output(self) -> ToolResult {
                ToolResult::new(vec![Content::text(self.to_string())])
            }
        }
    )*};
}
display_as_text!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64, bool, char
);

macro_rules! one_block {
    ($($t:ty),*) => {$(
        impl IntoOutput<ToolKind> for $t {
            fn into_output(self) -> ToolResult {
                ToolResult::new(vec![Content::from(self)])
            }
        }
    )*};
}
one_block!(Content, Image, Audio, EmbeddedResource, ResourceLink);

impl<T: Into<Content>> IntoOutput<ToolKind> for Vec<T> {
    fn into_output(self) -> ToolResult {
        ToolResult::new(self.into_iter().map(Into::into).collect())
    }
}

impl<T: Serialize + JsonSchema> IntoOutput<ToolKind> for Json<T> {
    fn into_output(self) -> ToolResult {
        structured_result(serde_json::to_value(&self.0))
    }
    fn output_schema() -> Option<Value> {
        Some(schema_for::<T>())
    }
}

impl<T: Serialize> IntoOutput<ToolKind> for Structured<T> {
    fn into_output(self) -> ToolResult {
        structured_result(serde_json::to_value(&self.0))
    }
}

impl<T: IntoOutput<ToolKind>, E: Display> IntoOutput<ToolKind> for Result<T, E> {
    fn into_output(self) -> ToolResult {
        match self {
            Ok(v) => v.into_output(),
            Err(e) => ToolResult::error(e.to_string()),
        }
    }
    fn output_schema() -> Option<Value> {
        T::output_schema()
    }
}

// ---- resources --------------------------------------------------------------

/// What a resource handler produced, before the registry adds the URI and
/// MIME type.
#[derive(Debug, Clone, PartialEq)]
pub enum ResourceBody {
    /// Text, with the resource's MIME type (`text/plain` when it has none).
    Text(String),
    /// Bytes, with the resource's MIME type (`application/octet-stream` when it has none).
    Blob(Vec<u8>),
    /// JSON text (`application/json` when the resource has no MIME type).
    Json(String),
    /// Complete contents, used as they are.
    Contents(Vec<ResourceContents>),
}

impl IntoOutput<ResourceKind> for ResourceBody {
    fn into_output(self) -> Result<ResourceBody, ErrorObject> {
        Ok(self)
    }
}

impl IntoOutput<ResourceKind> for String {
    fn into_output(self) -> Result<ResourceBody, ErrorObject> {
        Ok(ResourceBody::Text(self))
    }
}

impl IntoOutput<ResourceKind> for &'static str {
    fn into_output(self) -> Result<ResourceBody, ErrorObject> {
        Ok(ResourceBody::Text(self.to_string()))
    }
}

impl IntoOutput<ResourceKind> for Vec<u8> {
    fn into_output(self) -> Result<ResourceBody, ErrorObject> {
        Ok(ResourceBody::Blob(self))
    }
}

impl IntoOutput<ResourceKind> for ResourceContents {
    fn into_output(self) -> Result<ResourceBody, ErrorObject> {
        Ok(ResourceBody::Contents(vec![self]))
    }
}

impl IntoOutput<ResourceKind> for Vec<ResourceContents> {
    fn into_output(self) -> Result<ResourceBody, ErrorObject> {
        Ok(ResourceBody::Contents(self))
    }
}

impl<T: Serialize> IntoOutput<ResourceKind> for Json<T> {
    fn into_output(self) -> Result<ResourceBody, ErrorObject> {
        serde_json::to_string_pretty(&self.0)
            .map(ResourceBody::Json)
            .map_err(|e| {
                ErrorObject::internal(format!("The resource could not be encoded as JSON: {e}"))
            })
    }
}

/// Why a resource could not be read, for handlers that want the client to
/// see "not found" (or bad parameters) rather than an internal error.
///
/// ```
/// use mcp_runtime::prelude::*;
/// use mcp_runtime::handler::ResourceError;
///
/// async fn note(Uri(uri): Uri) -> Result<String, ResourceError> {
///     Err(ResourceError::NotFound(format!("no note at {uri}")))
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResourceError {
    /// Nothing is there (JSON-RPC -32002 before 2026-07-28, -32602 since).
    #[error("{0}")]
    NotFound(String),
    /// The URI's parameters are wrong (-32602).
    #[error("{0}")]
    InvalidParams(String),
    /// Anything else (-32603).
    #[error("{0}")]
    Internal(String),
}

impl From<ResourceError> for ErrorObject {
    fn from(e: ResourceError) -> ErrorObject {
        match e {
            ResourceError::NotFound(m) => ErrorObject::new(code::RESOURCE_NOT_FOUND, m),
            ResourceError::InvalidParams(m) => ErrorObject::invalid_params(m),
            ResourceError::Internal(m) => ErrorObject::internal(m),
        }
    }
}

/// An error from a resource handler: a [`ResourceError`] keeps its kind, an
/// `std::io::Error` of kind `NotFound` means not found, anything else is an
/// internal error with the error's message.
fn resource_error<E: Display + 'static>(e: E) -> ErrorObject {
    let any: &dyn std::any::Any = &e;
    if let Some(r) = any.downcast_ref::<ResourceError>() {
        return r.clone().into();
    }
    if let Some(io) = any.downcast_ref::<std::io::Error>() {
        if io.kind() == std::io::ErrorKind::NotFound {
            return ErrorObject::new(code::RESOURCE_NOT_FOUND, io.to_string());
        }
    }
    ErrorObject::internal(e.to_string())
}

impl<T: IntoOutput<ResourceKind>, E: Display + 'static> IntoOutput<ResourceKind> for Result<T, E> {
    fn into_output(self) -> Result<ResourceBody, ErrorObject> {
        match self {
            Ok(v) => v.into_output(),
            Err(e) => Err(resource_error(e)),
        }
    }
}

// ---- prompts ----------------------------------------------------------------

/// What a prompt handler produced.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PromptBody {
    /// A description of this rendering of the prompt.
    pub description: Option<String>,
    /// The messages.
    pub messages: Vec<PromptMessage>,
}

impl IntoOutput<PromptKind> for PromptBody {
    fn into_output(self) -> Result<PromptBody, ErrorObject> {
        Ok(self)
    }
}

impl IntoOutput<PromptKind> for String {
    fn into_output(self) -> Result<PromptBody, ErrorObject> {
        Ok(PromptBody {
            description: None,
            messages: vec![PromptMessage::user(self)],
        })
    }
}

impl IntoOutput<PromptKind> for &'static str {
    fn into_output(self) -> Result<PromptBody, ErrorObject> {
        Ok(PromptBody {
            description: None,
            messages: vec![PromptMessage::user(self)],
        })
    }
}

impl IntoOutput<PromptKind> for PromptMessage {
    fn into_output(self) -> Result<PromptBody, ErrorObject> {
        Ok(PromptBody {
            description: None,
            messages: vec![self],
        })
    }
}

impl IntoOutput<PromptKind> for Vec<PromptMessage> {
    fn into_output(self) -> Result<PromptBody, ErrorObject> {
        Ok(PromptBody {
            description: None,
            messages: self,
        })
    }
}

impl<T: IntoOutput<PromptKind>, E: Display> IntoOutput<PromptKind> for Result<T, E> {
    fn into_output(self) -> Result<PromptBody, ErrorObject> {
        match self {
            Ok(v) => v.into_output(),
            Err(e) => Err(ErrorObject::internal(e.to_string())),
        }
    }
}
