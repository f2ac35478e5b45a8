//! The legacy era (2024-11-05 to 2025-11-25): `initialize` negotiates a
//! version and capabilities once per session; `ping`, `logging/setLevel` and
//! `resources/subscribe` exist; handlers may send requests to the client.

use super::methods::{self, Stop};
use super::peer::SessionPeer;
use super::{Outbound, Session};
use crate::handler::RequestScope;
use crate::protocol::jsonrpc::{ErrorObject, Request};
use crate::protocol::version::{Era, LogLevel, LATEST_LEGACY};
use serde_json::{json, Map, Value};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// The capabilities this server declares (both eras).
pub(crate) fn capabilities() -> Value {
    json!({
        "logging": {},
        "completions": {},
        "prompts": { "listChanged": true },
        "resources": { "subscribe": true, "listChanged": true },
        "tools": { "listChanged": true },
    })
}

pub(crate) async fn serve(
    session: &Arc<Session>,
    request: Request,
    sink: Outbound,
    cancel: CancellationToken,
) -> Result<Value, ErrorObject> {
    let params = &request.params;
    match request.method.as_str() {
        "initialize" => return initialize(session, params),
        "ping" => return Ok(json!({})),
        _ => {}
    }
    let Some(era) = session.legacy_era() else {
        return Err(ErrorObject::invalid_request(format!(
            "Session not initialized: send \"initialize\" before \"{}\"",
            request.method
        )));
    };
    let scope = || {
        let (client_capabilities, client_info) = session.client();
        RequestScope {
            id: request.id.clone(),
            era,
            progress_token: params
                .get("_meta")
                .and_then(|m| m.get("progressToken"))
                .cloned(),
            log_level: None,
            client_capabilities,
            client_info,
            cancel: cancel.clone(),
            input: None,
            access_token: crate::auth::current_access_token(),
            peer: SessionPeer::for_request(session, &sink),
        }
    };
    let outcome = match (request.method.as_str(), methods::List::of(&request.method)) {
        (_, Some(which)) => methods::list(session, which, params),
        ("tools/call", _) => methods::call_tool(session, params, scope()).await,
        ("resources/read", _) => methods::read_resource(session, params, scope()).await,
        ("prompts/get", _) => methods::get_prompt(session, params, scope()).await,
        ("completion/complete", _) => methods::complete(session, params),
        ("logging/setLevel", _) => set_level(session, params),
        ("resources/subscribe" | "resources/unsubscribe", _) => {
            subscribe(session, params, request.method == "resources/subscribe")
        }
        (other, None) => Err(Stop::Error(ErrorObject::method_not_found(other))),
    };
    match outcome {
        Ok(result) => Ok(Value::Object(result)),
        Err(Stop::Error(e)) => Err(e),
        Err(Stop::TimedOut(limit)) => Err(methods::timed_out(limit)),
        // Legacy handlers ask the client directly and are never interrupted.
        Err(Stop::Interrupted(..)) => Err(ErrorObject::internal(
            "unexpected interrupt in a legacy session",
        )),
    }
}

/// The handshake. Only once per session: a second `initialize` is refused
/// (as the TypeScript SDK does) and changes nothing.
fn initialize(session: &Session, params: &Map<String, Value>) -> Result<Value, ErrorObject> {
    let requested = params
        .get("protocolVersion")
        .and_then(Value::as_str)
        .unwrap_or(LATEST_LEGACY);
    let era = Era::legacy(requested).unwrap_or(Era::Legacy(LATEST_LEGACY));
    let client_capabilities = params
        .get("capabilities")
        .cloned()
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}));
    let client_info = params.get("clientInfo").cloned();
    tracing::debug!(version = era.version(), client = ?client_info, "initialize");
    session.update_legacy(|s| match s.era {
        Some(negotiated) => Err(ErrorObject::invalid_request(format!(
            "Invalid request: the session is already initialized (protocol version {}); start a new session to initialize again",
            negotiated.version()
        ))),
        None => {
            s.era = Some(era);
            s.client_capabilities = Arc::new(client_capabilities);
            s.client_info = client_info.map(Arc::new);
            Ok(())
        }
    })?;
    let core = &session.core;
    let mut result = json!({
        "protocolVersion": era.version(),
        "capabilities": capabilities(),
        "serverInfo": core.info,
    });
    if let Some(i) = &core.instructions {
        result["instructions"] = json!(i);
    }
    Ok(result)
}

fn set_level(session: &Session, params: &Map<String, Value>) -> Result<Map<String, Value>, Stop> {
    let level = params
        .get("level")
        .and_then(Value::as_str)
        .and_then(LogLevel::parse)
        .ok_or_else(|| ErrorObject::invalid_params("Invalid params: \"level\" must be one of debug, info, notice, warning, error, critical, alert, emergency"))?;
    session.update_legacy(|s| s.log_level = level);
    Ok(Map::new())
}

/// `resources/subscribe` and `resources/unsubscribe`. A subscription is
/// kept for the session's life, so only a URI the server serves (a resource,
/// or a match of a template), of bounded length, and only so many of them
/// (`MCP_MAX_SUBSCRIPTIONS_PER_SESSION`).
fn subscribe(
    session: &Session,
    params: &Map<String, Value>,
    on: bool,
) -> Result<Map<String, Value>, Stop> {
    let uri = params
        .get("uri")
        .and_then(Value::as_str)
        .ok_or_else(|| ErrorObject::invalid_params("Invalid params: missing \"uri\""))?;
    if !on {
        session.update_legacy(|s| s.subscriptions.remove(uri));
        return Ok(Map::new());
    }
    methods::check_subscribable(session, uri)?;
    let max = session.core.settings.max_subscriptions_per_session;
    session.update_legacy(|s| {
        if !s.subscriptions.contains(uri) && s.subscriptions.len() >= max {
            return Err(ErrorObject::invalid_request(format!(
                "Invalid request: this session already has {max} resource subscriptions (MCP_MAX_SUBSCRIPTIONS_PER_SESSION); unsubscribe from one first"
            )));
        }
        s.subscriptions.insert(uri.to_string());
        Ok(())
    })?;
    Ok(Map::new())
}
