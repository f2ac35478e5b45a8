//! Asking the client for input: the questions a handler may ask
//! ([`InputRequest`]), the typed answers, and the state of one 2026-07-28
//! round ([`InputRound`]), which stops the handler with an [`Interrupt`]
//! when answers are missing so dispatch can answer `input_required`.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use tokio::sync::oneshot;

/// A question for the client.
#[derive(Debug, Clone, PartialEq)]
pub enum InputRequest {
    /// `elicitation/create` in form mode: a message and a flat object schema.
    Elicit {
        /// What to ask the user.
        message: String,
        /// The form's schema.
        schema: Value,
    },
    /// `sampling/createMessage` with these params.
    Sample(Value),
    /// `roots/list`.
    ListRoots,
}

impl InputRequest {
    /// An elicitation in form mode.
    pub fn elicit(message: impl Into<String>, schema: Value) -> Self {
        InputRequest::Elicit {
            message: message.into(),
            schema,
        }
    }
    /// A sampling request for one user message.
    pub fn sample(prompt: impl Into<String>, max_tokens: u32) -> Self {
        InputRequest::Sample(json!({
            "messages": [{ "role": "user", "content": { "type": "text", "text": prompt.into() } }],
            "maxTokens": max_tokens,
        }))
    }
    pub(crate) fn method(&self) -> &'static str {
        match self {
            InputRequest::Elicit { .. } => "elicitation/create",
            InputRequest::Sample(_) => "sampling/createMessage",
            InputRequest::ListRoots => "roots/list",
        }
    }
    pub(crate) fn capability(&self) -> &'static str {
        match self {
            InputRequest::Elicit { .. } => "elicitation",
            InputRequest::Sample(_) => "sampling",
            InputRequest::ListRoots => "roots",
        }
    }
    pub(crate) fn key_prefix(&self) -> &'static str {
        match self {
            InputRequest::Elicit { .. } => "elicit",
            InputRequest::Sample(_) => "sample",
            InputRequest::ListRoots => "roots",
        }
    }
    /// Whether `answer` has the shape of an answer to this request.
    pub(crate) fn accepts(&self, answer: &Value) -> bool {
        match self {
            InputRequest::Elicit { .. } => matches!(
                answer.get("action").and_then(Value::as_str),
                Some("accept" | "decline" | "cancel")
            ),
            InputRequest::Sample(_) => answer.get("content").is_some(),
            InputRequest::ListRoots => answer.get("roots").is_some_and(Value::is_array),
        }
    }
    pub(crate) fn params(&self) -> Value {
        match self {
            InputRequest::Elicit { message, schema } => {
                json!({ "mode": "form", "message": message, "requestedSchema": schema })
            }
            InputRequest::Sample(p) => p.clone(),
            InputRequest::ListRoots => json!({}),
        }
    }
}

/// What the user did with an elicitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ElicitAction {
    /// Submitted the form.
    Accept,
    /// Said no.
    Decline,
    /// Dismissed it.
    Cancel,
}

/// The client's answer to an elicitation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ElicitResult {
    /// What the user did.
    pub action: ElicitAction,
    /// The form's values, when accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Map<String, Value>>,
}

/// A typed elicitation outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum Elicited<T> {
    /// The user submitted the form.
    Accepted(T),
    /// The user said no.
    Declined,
    /// The user dismissed the form.
    Cancelled,
}

/// The client's answer to a sampling request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SamplingResult {
    /// Who produced the content (normally the assistant).
    pub role: crate::protocol::Role,
    /// The content block (or blocks) produced.
    pub content: Value,
    /// The model used.
    #[serde(default)]
    pub model: String,
    /// Why sampling stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_reason: Option<String>,
}

impl SamplingResult {
    /// The text of the content, when it is a text block.
    pub fn text(&self) -> Option<&str> {
        self.content.get("text").and_then(Value::as_str)
    }
}

/// Why a handler was stopped before it finished.
#[derive(Debug)]
pub(crate) enum Interrupt {
    /// It needs these inputs (key → `{method, params}`).
    NeedInput(Map<String, Value>),
    /// The client lacks a capability the handler needs.
    MissingCapability(Value),
}

/// The answers known to one round of a request, and the way to interrupt it.
pub(crate) struct InputRound {
    known: Map<String, Value>,
    counter: AtomicUsize,
    interrupt: Mutex<Option<oneshot::Sender<Interrupt>>>,
    interrupted: Mutex<Option<oneshot::Receiver<Interrupt>>>,
}

impl InputRound {
    /// A round that already knows these answers (from `requestState` and
    /// `inputResponses`).
    pub fn new(known: Map<String, Value>) -> Self {
        let (tx, rx) = oneshot::channel();
        InputRound {
            known,
            counter: AtomicUsize::new(0),
            interrupt: Mutex::new(Some(tx)),
            interrupted: Mutex::new(Some(rx)),
        }
    }

    /// The receiver of this round's interrupt, for whoever runs the handler;
    /// `None` once taken.
    pub fn take_interrupts(&self) -> Option<oneshot::Receiver<Interrupt>> {
        lock(&self.interrupted).take()
    }

    /// The key of the next input this handler asks for: the same key for the
    /// same question on every replay, since handlers ask in the same order.
    pub fn next_key(&self, kind: &str) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed) + 1;
        format!("{kind}-{n}")
    }

    /// The answer under `key`, if the client gave one.
    pub fn answer(&self, key: &str) -> Option<&Value> {
        self.known.get(key)
    }

    /// Every answer known to this round.
    pub fn known(&self) -> &Map<String, Value> {
        &self.known
    }

    /// Stops the handler; only the first interrupt counts.
    pub fn interrupt(&self, why: Interrupt) {
        if let Some(tx) = lock(&self.interrupt).take() {
            let _ = tx.send(why);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
