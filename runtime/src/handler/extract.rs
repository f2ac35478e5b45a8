//! Extractors: the types a handler's parameters may have.

use super::{schema_for, CallInput, Context};
use crate::protocol::jsonrpc::ErrorObject;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A value a handler can take as a parameter, built from the call.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a handler parameter: it is not an extractor",
    label = "not an extractor",
    note = "parameters must be extractors: `Args<T>` (with `T: Deserialize + JsonSchema`), `Context`, `Params<T>`, `Uri`, `UriParams<T>`",
    note = "to take plain values, wrap them in a struct deriving `Deserialize, JsonSchema`: `Args(GreetArgs {{ name }}): Args<GreetArgs>`"
)]
pub trait FromCall: Sized + Send + 'static {
    /// Builds the value, or says why the call cannot be served.
    fn from_call(input: &CallInput) -> Result<Self, ErrorObject>;
    /// The JSON Schema of the arguments this extractor reads, if it reads them.
    fn input_schema() -> Option<Value> {
        None
    }
}

/// The call's arguments, deserialized into `T`; the tool's (or prompt's) input
/// schema is derived from `T` with schemars.
///
/// ```
/// use mcp_runtime::prelude::*;
///
/// #[derive(Deserialize, JsonSchema)]
/// struct AddArgs {
///     /// First number
///     a: i64,
///     /// Second number
///     b: i64,
/// }
///
/// async fn add(Args(AddArgs { a, b }): Args<AddArgs>) -> i64 {
///     a + b
/// }
/// let server = Server::new("demo").tool("add", add);
/// ```
#[derive(Debug, Clone)]
pub struct Args<T>(pub T);

impl<T: DeserializeOwned + JsonSchema + Send + 'static> FromCall for Args<T> {
    fn from_call(input: &CallInput) -> Result<Self, ErrorObject> {
        if input.string_args {
            return from_strings(&input.arguments).map(Args);
        }
        deserialize(&input.arguments).map(Args)
    }
    fn input_schema() -> Option<Value> {
        Some(schema_for::<T>())
    }
}

/// The call's arguments, deserialized into `T`, for handlers whose schema is
/// given at registration (`.input_schema(...)`), as generated code does.
/// Arguments are still validated against that schema before the handler runs.
#[derive(Debug, Clone)]
pub struct Params<T>(pub T);

impl<T: DeserializeOwned + Send + 'static> FromCall for Params<T> {
    fn from_call(input: &CallInput) -> Result<Self, ErrorObject> {
        deserialize(&input.arguments).map(Params)
    }
}

/// The variables matched in a resource template's URI, deserialized into `T`.
/// Each variable arrives as a string and is parsed into the field's type
/// (numbers, booleans, strings), so `users://{user_id}/profile` can fill a
/// `user_id: u64`.
///
/// ```
/// use mcp_runtime::prelude::*;
///
/// #[derive(Deserialize)]
/// struct Profile { user_id: u64 }
///
/// async fn profile(UriParams(p): UriParams<Profile>) -> Json<serde_json::Value> {
///     Json(serde_json::json!({ "id": p.user_id }))
/// }
/// let server = Server::new("demo").resource_template("users://{user_id}/profile", profile);
/// ```
#[derive(Debug, Clone)]
pub struct UriParams<T>(pub T);

impl<T: DeserializeOwned + Send + 'static> FromCall for UriParams<T> {
    fn from_call(input: &CallInput) -> Result<Self, ErrorObject> {
        from_strings(&input.arguments).map(UriParams)
    }
}

/// The URI being read, for resource handlers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uri(pub String);

impl FromCall for Uri {
    fn from_call(input: &CallInput) -> Result<Self, ErrorObject> {
        Ok(Uri(input.uri.clone().unwrap_or_default()))
    }
}

impl FromCall for Context {
    fn from_call(input: &CallInput) -> Result<Self, ErrorObject> {
        Ok(input.context.clone())
    }
}

fn deserialize<T: DeserializeOwned>(arguments: &Value) -> Result<T, ErrorObject> {
    T::deserialize(arguments)
        .map_err(|e| ErrorObject::invalid_params(format!("Invalid arguments: {e}")))
}

/// Deserializes an object of strings, parsing each into its field's type.
fn from_strings<T: DeserializeOwned>(arguments: &Value) -> Result<T, ErrorObject> {
    let pairs: Vec<(&str, &str)> = match arguments {
        Value::Object(map) => map
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k.as_str(), v)))
            .collect(),
        _ => Vec::new(),
    };
    let encoded = serde_urlencoded::to_string(&pairs)
        .map_err(|e| ErrorObject::invalid_params(format!("Invalid arguments: {e}")))?;
    serde_urlencoded::from_str(&encoded)
        .map_err(|e| ErrorObject::invalid_params(format!("Invalid arguments: {e}")))
}
