//! The events the inspector page receives (see `GET /api/events`) and the
//! hub that broadcasts them and remembers the current status, so a page
//! that connects late first learns where things stand.

use serde_json::{json, Value};
use std::sync::Mutex;
use tokio::sync::broadcast;

/// How many events a slow page may fall behind before it misses some.
const BACKLOG: usize = 4096;

/// One event: its kind (`status`, `build`, `message`, …) and its JSON data.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The SSE event name.
    pub kind: &'static str,
    /// The payload, sent as one line of JSON.
    pub data: Value,
}

/// Where the session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// `cargo build` is running.
    Building,
    /// A server process was started and is not ready yet.
    Starting,
    /// A server is running and takes messages.
    Running,
    /// The last build failed and no server is running.
    BuildFailed,
    /// The server ended by itself and no build has replaced it yet.
    Exited,
}

impl State {
    /// The name the page sees.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Building => "building",
            State::Starting => "starting",
            State::Running => "running",
            State::BuildFailed => "build_failed",
            State::Exited => "exited",
        }
    }
}

#[derive(Debug)]
struct Status {
    state: State,
    generation: u64,
    target: String,
    failure: Option<String>,
}

/// Broadcasts events to every connected page and keeps the status.
#[derive(Debug)]
pub struct Hub {
    sender: broadcast::Sender<Event>,
    status: Mutex<Status>,
    transport: &'static str,
    project: String,
}

impl Hub {
    /// A hub for `project` served over `transport` (`stdio` or `http`).
    pub fn new(transport: &'static str, project: String) -> Hub {
        let (sender, _) = broadcast::channel(BACKLOG);
        Hub {
            sender,
            status: Mutex::new(Status {
                state: State::Building,
                generation: 0,
                target: String::new(),
                failure: None,
            }),
            transport,
            project,
        }
    }

    /// The transport's name.
    pub fn transport(&self) -> &'static str {
        self.transport
    }

    /// The package name.
    pub fn project(&self) -> &str {
        &self.project
    }

    /// Sends an event to every page connected now.
    pub fn emit(&self, kind: &'static str, data: Value) {
        // No page connected is no error.
        let _ = self.sender.send(Event { kind, data });
    }

    /// Changes the state and tells the pages.
    pub fn set_state(&self, state: State) {
        let event = self.update(|s| s.state = state);
        self.emit(event.kind, event.data);
    }

    /// A new server process: its generation and what it runs.
    pub fn started(&self, generation: u64, target: String) {
        let event = self.update(|s| {
            s.generation = generation;
            s.target = target;
            s.state = State::Starting;
        });
        self.emit(event.kind, event.data);
    }

    /// Records the outcome of a build (`None`: it succeeded) and sends
    /// `build_ok` or `build_failed`.
    pub fn built(&self, failure: Option<String>) {
        let mut status = self.lock();
        status.failure = failure.clone();
        drop(status);
        match failure {
            None => self.emit("build_ok", json!({})),
            Some(output) => self.emit("build_failed", json!({ "output": output })),
        }
    }

    /// The events a page gets on connecting: the status, then the last
    /// build's failure if it failed.
    pub fn snapshot(&self) -> Vec<Event> {
        let status = self.lock();
        let mut events = vec![self.status_event(&status)];
        if let Some(output) = &status.failure {
            events.push(Event {
                kind: "build_failed",
                data: json!({ "output": output }),
            });
        }
        events
    }

    /// A receiver of every event sent from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
    }

    fn update(&self, change: impl FnOnce(&mut Status)) -> Event {
        let mut status = self.lock();
        change(&mut status);
        self.status_event(&status)
    }

    fn status_event(&self, status: &Status) -> Event {
        Event {
            kind: "status",
            data: json!({
                "state": status.state.as_str(),
                "generation": status.generation,
                "transport": self.transport,
                "target": status.target,
                "project": self.project,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Status> {
        // A panic while holding the lock leaves plain data behind: keep using it.
        self.status.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_late_page_learns_the_status_and_the_last_failure() {
        let hub = Hub::new("stdio", "demo".into());
        let mut rx = hub.subscribe();
        hub.started(1, "./demo".into());
        hub.set_state(State::Running);
        hub.built(Some("error: nope".into()));
        let snapshot = hub.snapshot();
        assert_eq!(snapshot[0].kind, "status");
        assert_eq!(
            snapshot[0].data,
            json!({"state": "running", "generation": 1, "transport": "stdio", "target": "./demo", "project": "demo"})
        );
        assert_eq!(snapshot[1].data, json!({"output": "error: nope"}));
        hub.built(None);
        assert_eq!(hub.snapshot().len(), 1);
        let kinds: Vec<_> = std::iter::from_fn(|| rx.try_recv().ok())
            .map(|e| e.kind)
            .collect();
        assert_eq!(kinds, ["status", "status", "build_failed", "build_ok"]);
    }
}
