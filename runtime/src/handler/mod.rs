//! Handlers: plain `async fn`s or `fn`s whose parameters are extractors
//! ([`Args`], [`Params`], [`UriParams`], [`Context`], [`Uri`])
//! and whose return value converts into a tool result, resource contents or
//! prompt messages. One trait, [`Handler`], covers all three kinds.
//!
//! Dispatch hands each call down with one request scope (`RequestScope`);
//! the handler layer talks back to the session only through the `Peer` trait
//! in it, which dispatch implements.

pub mod context;
mod extract;
mod input;
mod output;
mod schema;
mod scope;

pub use context::Context;
pub use extract::{Args, FromCall, Params, Uri, UriParams};
pub(crate) use input::{InputRound, Interrupt};
pub use output::{IntoOutput, Json, PromptBody, ResourceBody, ResourceError, Structured};
pub(crate) use schema::{object_properties, schema_for, wrap_output_schema};
pub(crate) use scope::{Peer, RequestScope};

use crate::protocol::jsonrpc::ErrorObject;
use crate::protocol::ToolResult;
use futures::future::BoxFuture;
use futures::FutureExt as _;
use serde_json::Value;
use std::future::Future;

/// What a handler is called with: its arguments (tool or prompt arguments, or
/// the variables matched in a resource template), the URI for resources, and
/// the request's [`Context`].
pub struct CallInput {
    pub(crate) arguments: Value,
    pub(crate) uri: Option<String>,
    pub(crate) context: Context,
    /// Prompt arguments and URI variables arrive as strings, to be parsed
    /// into the fields' types.
    pub(crate) string_args: bool,
}

/// The three kinds of handler, each with what its call produces.
pub trait Kind: Send + 'static {
    /// What a call produces.
    type Output: Send + 'static;
    /// The output for an argument that could not be extracted.
    fn rejected(error: ErrorObject) -> Self::Output;
    /// The output for a handler that panicked.
    fn panicked(message: String) -> Self::Output;
}

/// Tool handlers produce a [`ToolResult`]; failures are `isError` results.
pub struct ToolKind;
impl Kind for ToolKind {
    type Output = ToolResult;
    fn rejected(error: ErrorObject) -> ToolResult {
        ToolResult::error(error.message)
    }
    fn panicked(message: String) -> ToolResult {
        ToolResult::error(format!("The tool failed unexpectedly: {message}"))
    }
}

/// Resource handlers produce contents or a JSON-RPC error.
pub struct ResourceKind;
impl Kind for ResourceKind {
    type Output = Result<ResourceBody, ErrorObject>;
    fn rejected(error: ErrorObject) -> Self::Output {
        Err(error)
    }
    fn panicked(message: String) -> Self::Output {
        Err(ErrorObject::internal(format!(
            "The resource handler failed unexpectedly: {message}"
        )))
    }
}

/// Prompt handlers produce messages or a JSON-RPC error.
pub struct PromptKind;
impl Kind for PromptKind {
    type Output = Result<PromptBody, ErrorObject>;
    fn rejected(error: ErrorObject) -> Self::Output {
        Err(error)
    }
    fn panicked(message: String) -> Self::Output {
        Err(ErrorObject::internal(format!(
            "The prompt handler failed unexpectedly: {message}"
        )))
    }
}

/// A function usable as a handler of kind `K`. Implemented for every `fn` and
/// `async fn` of up to eight extractor parameters whose return value
/// implements [`IntoOutput<K>`]; `M` only tells the impls apart.
///
/// Synchronous functions run on tokio's blocking pool, so a slow one never
/// holds up other requests.
///
/// A function that is not a handler (most often one taking plain values, as
/// in `async fn greet(name: String)`) fails to compile with a message naming
/// the accepted parameter and return types.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a handler: its parameters must be extractors and its return value an output",
    label = "not a handler: a parameter is not an extractor, or the return type is not an output",
    note = "parameters must be extractors: `Args<T>` (with `T: Deserialize + JsonSchema`), `Context`, `Params<T>`, `Uri`, `UriParams<T>`; at most eight of them",
    note = "tools may return `String`, `&'static str`, numbers, `bool`, `()`, `Json<T>`, `Structured<T>`, `Image`, `Audio`, `Content` or a `Vec` of them, `ToolResult`, or `Result<_, E>` of one (`E: Display`)",
    note = "for `async fn greet(name: String)`, wrap the arguments in a struct deriving `Deserialize, JsonSchema`: `async fn greet(Args(GreetArgs {{ name }}): Args<GreetArgs>)`"
)]
pub trait Handler<M, K: Kind>: Send + Sync + 'static {
    /// Runs the handler.
    fn call(&self, input: CallInput) -> BoxFuture<'static, K::Output>;
    /// The input schema its extractors declare, if any.
    fn input_schema() -> Option<Value>;
    /// The output schema its return type declares, if any.
    fn output_schema() -> Option<Value>;
}

/// Marks handlers that are `async fn`s.
#[doc(hidden)]
pub struct AsyncFn;
/// Marks handlers that are plain `fn`s.
#[doc(hidden)]
pub struct SyncFn;

/// A handler with its types erased, as the registry stores it.
pub(crate) type ErasedHandler<K> =
    std::sync::Arc<dyn Fn(CallInput) -> BoxFuture<'static, <K as Kind>::Output> + Send + Sync>;

/// Erases a handler's type, and turns a panic inside it into an output.
pub(crate) fn erase<M, K: Kind, H: Handler<M, K>>(handler: H) -> ErasedHandler<K> {
    std::sync::Arc::new(move |input| {
        let fut = std::panic::AssertUnwindSafe(handler.call(input)).catch_unwind();
        async move {
            match fut.await {
                Ok(out) => out,
                Err(panic) => K::panicked(panic_message(&*panic)),
            }
        }
        .boxed()
    })
}

pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    }
}

macro_rules! impl_handler {
    ($($e:ident),*) => {
        #[allow(non_snake_case, unused_variables)]
        impl<F, Fut, K, $($e,)*> Handler<(AsyncFn, $($e,)*), K> for F
        where
            F: Fn($($e),*) -> Fut + Send + Sync + 'static,
            Fut: Future + Send + 'static,
            Fut::Output: IntoOutput<K>,
            K: Kind,
            $($e: FromCall,)*
        {
            fn call(&self, input: CallInput) -> BoxFuture<'static, K::Output> {
                $(
                    let $e = match $e::from_call(&input) {
                        Ok(v) => v,
                        Err(e) => return futures::future::ready(K::rejected(e)).boxed(),
                    };
                )*
                let fut = (self)($($e),*);
                async move { fut.await.into_output() }.boxed()
            }
            fn input_schema() -> Option<Value> {
                None $(.or_else($e::input_schema))*
            }
            fn output_schema() -> Option<Value> {
                <Fut::Output as IntoOutput<K>>::output_schema()
            }
        }

        #[allow(non_snake_case, unused_variables)]
        impl<F, R, K, $($e,)*> Handler<(SyncFn, $($e,)*), K> for F
        where
            F: Fn($($e),*) -> R + Clone + Send + Sync + 'static,
            R: IntoOutput<K> + Send + 'static,
            K: Kind,
            $($e: FromCall,)*
        {
            fn call(&self, input: CallInput) -> BoxFuture<'static, K::Output> {
                $(
                    let $e = match $e::from_call(&input) {
                        Ok(v) => v,
                        Err(e) => return futures::future::ready(K::rejected(e)).boxed(),
                    };
                )*
                let f = self.clone();
                async move {
                    match tokio::task::spawn_blocking(move || f($($e),*).into_output()).await {
                        Ok(out) => out,
                        Err(join) if join.is_panic() => K::panicked(panic_message(&*join.into_panic())),
                        Err(join) => K::panicked(join.to_string()),
                    }
                }
                .boxed()
            }
            fn input_schema() -> Option<Value> {
                None $(.or_else($e::input_schema))*
            }
            fn output_schema() -> Option<Value> {
                <R as IntoOutput<K>>::output_schema()
            }
        }
    };
}

impl_handler!();
impl_handler!(E1);
impl_handler!(E1, E2);
impl_handler!(E1, E2, E3);
impl_handler!(E1, E2, E3, E4);
impl_handler!(E1, E2, E3, E4, E5);
impl_handler!(E1, E2, E3, E4, E5, E6);
impl_handler!(E1, E2, E3, E4, E5, E6, E7);
impl_handler!(E1, E2, E3, E4, E5, E6, E7, E8);
