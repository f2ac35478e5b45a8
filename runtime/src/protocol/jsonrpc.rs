//! JSON-RPC 2.0 framing: decoding one wire message into a [`Message`], and
//! encoding responses, notifications and errors back to text.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

/// A JSON-RPC request id: a string or an integer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RequestId {
    /// A numeric id.
    Number(i64),
    /// A string id.
    String(String),
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestId::Number(n) => write!(f, "{n}"),
            RequestId::String(s) => write!(f, "{s}"),
        }
    }
}

/// Standard and MCP-defined JSON-RPC error codes.
pub mod code {
    /// Invalid JSON was received.
    pub const PARSE_ERROR: i64 = -32700;
    /// The JSON sent is not a valid request object.
    pub const INVALID_REQUEST: i64 = -32600;
    /// The method does not exist or is not available.
    pub const METHOD_NOT_FOUND: i64 = -32601;
    /// Invalid method parameters.
    pub const INVALID_PARAMS: i64 = -32602;
    /// Internal error.
    pub const INTERNAL_ERROR: i64 = -32603;
    /// Resource not found (2025-11-25 and earlier).
    pub const RESOURCE_NOT_FOUND: i64 = -32002;
    /// HTTP headers do not match the body (2026-07-28).
    pub const HEADER_MISMATCH: i64 = -32020;
    /// A client capability the request needs was not declared (2026-07-28).
    pub const MISSING_REQUIRED_CLIENT_CAPABILITY: i64 = -32021;
    /// The request's protocol version is not supported (2026-07-28).
    pub const UNSUPPORTED_PROTOCOL_VERSION: i64 = -32022;
}

/// The `error` member of a JSON-RPC error response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorObject {
    /// The error code (see [`code`]).
    pub code: i64,
    /// A one-sentence description.
    pub message: String,
    /// Extra, machine-readable detail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

impl ErrorObject {
    /// An error with a code and a message.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            data: None,
        }
    }
    /// Attaches `data`.
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }
    /// `-32601`: the method is unknown or not offered.
    pub fn method_not_found(method: &str) -> Self {
        Self::new(
            code::METHOD_NOT_FOUND,
            format!("Method not found: {method}"),
        )
    }
    /// `-32602`: the parameters are wrong.
    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self::new(code::INVALID_PARAMS, message)
    }
    /// `-32603`: something failed inside the server.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(code::INTERNAL_ERROR, message)
    }
    /// `-32600`: not a valid JSON-RPC request.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(code::INVALID_REQUEST, message)
    }
}

impl fmt::Display for ErrorObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

/// A request from the peer.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The request id.
    pub id: RequestId,
    /// The method name.
    pub method: String,
    /// The params object (empty when absent).
    pub params: Map<String, Value>,
}

/// A notification from the peer.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// The method name.
    pub method: String,
    /// The params object (empty when absent).
    pub params: Map<String, Value>,
}

/// A response from the peer to a request this side sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The id of the request answered.
    pub id: RequestId,
    /// The result, or the error.
    pub outcome: Result<Value, ErrorObject>,
}

/// One decoded JSON-RPC message.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// A request, which must be answered.
    Request(Request),
    /// A notification, never answered.
    Notification(Notification),
    /// A response to a request this side sent.
    Response(Response),
}

/// Why a wire message could not be decoded, with the id to answer with when
/// one could be read.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeError {
    /// The id of the offending request, when it had a readable one.
    pub id: Option<RequestId>,
    /// The JSON-RPC error to answer with.
    pub error: Box<ErrorObject>,
}

impl Message {
    /// Decodes one message from its JSON text.
    ///
    /// ```
    /// use mcp_runtime::protocol::jsonrpc::{Message, code};
    /// let m = Message::decode(br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#).unwrap();
    /// assert!(matches!(m, Message::Request(r) if r.method == "ping"));
    /// let e = Message::decode(b"{not json").unwrap_err();
    /// assert_eq!(e.error.code, code::PARSE_ERROR);
    /// ```
    pub fn decode(text: &[u8]) -> Result<Message, DecodeError> {
        let value: Value = serde_json::from_slice(text).map_err(|e| DecodeError {
            id: None,
            error: Box::new(ErrorObject::new(
                code::PARSE_ERROR,
                format!("Parse error: {e}"),
            )),
        })?;
        Self::from_value(value)
    }

    /// Decodes one message from an already parsed JSON value.
    pub fn from_value(value: Value) -> Result<Message, DecodeError> {
        let Value::Object(mut obj) = value else {
            let what = if value.is_array() {
                "batches are not supported; send one JSON-RPC object per message"
            } else {
                "a JSON-RPC message must be a JSON object"
            };
            return Err(DecodeError {
                id: None,
                error: Box::new(ErrorObject::invalid_request(format!(
                    "Invalid request: {what}"
                ))),
            });
        };
        let id = match obj.remove("id") {
            None => None,
            Some(Value::Number(n)) => match n.as_i64() {
                Some(i) => Some(RequestId::Number(i)),
                None => {
                    return Err(DecodeError {
                        id: None,
                        error: Box::new(ErrorObject::invalid_request(
                            "Invalid request: id must be a string or an integer",
                        )),
                    })
                }
            },
            Some(Value::String(s)) => Some(RequestId::String(s)),
            // MCP forbids null ids: a request with one is neither answerable
            // by id nor a notification (which has no id at all). A response
            // with a null id is the peer saying it could not read our
            // message; it is decoded below and refused as before.
            Some(Value::Null) if obj.contains_key("method") => {
                return Err(DecodeError {
                    id: None,
                    error: Box::new(ErrorObject::invalid_request(
                        "Invalid request: \"id\" must be a string or an integer, not null (omit it to send a notification)",
                    )),
                })
            }
            Some(Value::Null) => None,
            Some(_) => {
                return Err(DecodeError {
                    id: None,
                    error: Box::new(ErrorObject::invalid_request(
                        "Invalid request: id must be a string or an integer",
                    )),
                })
            }
        };
        let fail = |id: Option<RequestId>, msg: &str| DecodeError {
            id,
            error: Box::new(ErrorObject::invalid_request(format!(
                "Invalid request: {msg}"
            ))),
        };
        match obj.get("jsonrpc") {
            Some(Value::String(v)) if v == "2.0" => {}
            Some(_) => return Err(fail(id, "\"jsonrpc\" must be \"2.0\"")),
            None => return Err(fail(id, "missing \"jsonrpc\": \"2.0\"")),
        }
        if let Some(method) = obj.remove("method") {
            let Value::String(method) = method else {
                return Err(fail(id, "\"method\" must be a string"));
            };
            let params = match obj.remove("params") {
                None | Some(Value::Null) => Map::new(),
                Some(Value::Object(p)) => p,
                Some(_) => {
                    return Err(DecodeError {
                        id,
                        error: Box::new(ErrorObject::invalid_params(
                            "Invalid params: \"params\" must be an object",
                        )),
                    })
                }
            };
            return Ok(match id {
                Some(id) => Message::Request(Request { id, method, params }),
                None => Message::Notification(Notification { method, params }),
            });
        }
        let Some(id) = id else {
            return Err(fail(
                None,
                "a message needs \"method\" (request or notification) or \"id\" (response)",
            ));
        };
        if let Some(result) = obj.remove("result") {
            return Ok(Message::Response(Response {
                id,
                outcome: Ok(result),
            }));
        }
        if let Some(error) = obj.remove("error") {
            let error = serde_json::from_value::<ErrorObject>(error)
                .unwrap_or_else(|e| ErrorObject::internal(format!("malformed error object: {e}")));
            return Ok(Message::Response(Response {
                id,
                outcome: Err(error),
            }));
        }
        Err(fail(Some(id), "a response needs \"result\" or \"error\""))
    }
}

/// Encodes a success response.
pub fn encode_result(id: &RequestId, result: &Value) -> String {
    #[derive(Serialize)]
    struct Out<'a> {
        jsonrpc: &'static str,
        id: &'a RequestId,
        result: &'a Value,
    }
    to_string(&Out {
        jsonrpc: "2.0",
        id,
        result,
    })
}

/// Encodes an error response; `id` is `null` when the request's id was unreadable.
pub fn encode_error(id: Option<&RequestId>, error: &ErrorObject) -> String {
    #[derive(Serialize)]
    struct Out<'a> {
        jsonrpc: &'static str,
        id: Option<&'a RequestId>,
        error: &'a ErrorObject,
    }
    to_string(&Out {
        jsonrpc: "2.0",
        id,
        error,
    })
}

/// Encodes a notification.
pub fn encode_notification(method: &str, params: &Value) -> String {
    #[derive(Serialize)]
    struct Out<'a> {
        jsonrpc: &'static str,
        method: &'a str,
        params: &'a Value,
    }
    to_string(&Out {
        jsonrpc: "2.0",
        method,
        params,
    })
}

/// Encodes a request this side sends to the peer.
pub fn encode_request(id: &RequestId, method: &str, params: &Value) -> String {
    #[derive(Serialize)]
    struct Out<'a> {
        jsonrpc: &'static str,
        id: &'a RequestId,
        method: &'a str,
        params: &'a Value,
    }
    to_string(&Out {
        jsonrpc: "2.0",
        id,
        method,
        params,
    })
}

fn to_string<T: Serialize>(value: &T) -> String {
    // Serializing these plain structs of `Value`s cannot fail: every map key is a string.
    serde_json::to_string(value).unwrap_or_else(|e| {
        format!(r#"{{"jsonrpc":"2.0","id":null,"error":{{"code":-32603,"message":"encoding failed: {e}"}}}}"#)
    })
}
