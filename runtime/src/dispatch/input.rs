//! Multi round-trip input (2026-07-28), its wire half: a handler that asks
//! the client for input is interrupted (the handler layer's `InputRound`),
//! the request answers `input_required` with the questions and an
//! integrity-protected `requestState`, and the client's retry replays the
//! handler with the answers. The state is HMAC-SHA256-signed and bound to
//! the request's method and target, so it cannot be forged, altered or moved
//! to another request.

use crate::protocol::jsonrpc::ErrorObject;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::{json, Map, Value};
use sha2::Sha256;

/// How long a `requestState` stays valid.
const STATE_LIFETIME_SECS: u64 = 3600;

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn mac(key: &[u8], data: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    m.update(data);
    m
}

/// Signs the answers so far, bound to `method` and `target`.
pub(crate) fn sign_state(
    key: &[u8],
    method: &str,
    target: &str,
    answers: &Map<String, Value>,
) -> String {
    let payload = json!({ "v": 1, "method": method, "target": target, "answers": answers, "iat": now_secs() });
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload.to_string());
    let tag = mac(key, payload.as_bytes()).finalize().into_bytes();
    format!(
        "{payload}.{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tag)
    )
}

/// Checks a `requestState` and returns the answers it carries.
pub(crate) fn verify_state(
    key: &[u8],
    method: &str,
    target: &str,
    state: &str,
) -> Result<Map<String, Value>, ErrorObject> {
    let invalid = |why: &str| ErrorObject::invalid_params(format!("Invalid requestState: {why}"));
    let (payload, tag) = state
        .split_once('.')
        .ok_or_else(|| invalid("not a state this server issued"))?;
    let tag = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(tag)
        .map_err(|_| invalid("malformed signature"))?;
    mac(key, payload.as_bytes())
        .verify_slice(&tag)
        .map_err(|_| invalid("the signature does not match (tampered or from another server)"))?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| invalid("malformed payload"))?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| invalid("malformed payload"))?;
    if value.get("method").and_then(Value::as_str) != Some(method)
        || value.get("target").and_then(Value::as_str) != Some(target)
    {
        return Err(invalid("it belongs to a different request"));
    }
    let iat = value.get("iat").and_then(Value::as_u64).unwrap_or(0);
    if now_secs().saturating_sub(iat) > STATE_LIFETIME_SECS {
        return Err(invalid("it has expired; send the request again without it"));
    }
    match value.get("answers") {
        Some(Value::Object(m)) => Ok(m.clone()),
        _ => Err(invalid("malformed payload")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips_and_refuses_tampering() {
        let key = b"k".to_vec();
        let mut answers = Map::new();
        answers.insert("elicit-1".into(), json!({"action": "accept"}));
        let s = sign_state(&key, "tools/call", "t", &answers);
        assert_eq!(verify_state(&key, "tools/call", "t", &s).unwrap(), answers);
        assert!(verify_state(&key, "tools/call", "other", &s).is_err());
        assert!(verify_state(b"other key", "tools/call", "t", &s).is_err());
        let mut forged = s.clone().into_bytes();
        forged[3] ^= 1;
        assert!(verify_state(&key, "tools/call", "t", &String::from_utf8_lossy(&forged)).is_err());
        assert!(verify_state(&key, "tools/call", "t", "garbage").is_err());
    }
}
