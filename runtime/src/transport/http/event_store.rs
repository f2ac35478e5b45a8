//! Resumable streams: every message on a legacy session's standalone stream
//! gets an event id and is kept (a bounded number per stream), so a client
//! that reconnects with `Last-Event-ID` gets what it missed.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// Keeps the messages sent on SSE streams for replay. The default is
/// [`MemoryEventStore`]; replicas behind a load balancer share one through
/// an implementation backed by a shared store.
pub trait EventStore: Send + Sync + 'static {
    /// Keeps `message`, sent on `stream`, and gives its event id.
    fn store(&self, stream: &str, message: &str) -> String;
    /// The stream `last_event_id` belongs to and the events sent on it after
    /// that one, oldest first, as `(event id, message)`; `None` when the id is
    /// unknown (or too old to replay).
    fn replay_after(&self, last_event_id: &str) -> Option<(String, Vec<(String, String)>)>;
    /// Forgets a stream (its session ended).
    fn forget(&self, stream: &str);
}

/// Per stream: the last sequence number given, and the events kept.
type Streams = HashMap<String, (u64, VecDeque<(u64, String)>)>;

/// Events kept in memory, the newest `capacity` per stream.
#[derive(Debug)]
pub struct MemoryEventStore {
    capacity: usize,
    streams: Mutex<Streams>,
}

impl Default for MemoryEventStore {
    fn default() -> Self {
        Self::new(256)
    }
}

impl MemoryEventStore {
    /// A store keeping the newest `capacity` events of each stream.
    pub fn new(capacity: usize) -> Self {
        MemoryEventStore {
            capacity: capacity.max(1),
            streams: Mutex::new(HashMap::new()),
        }
    }
}

impl EventStore for MemoryEventStore {
    fn store(&self, stream: &str, message: &str) -> String {
        let mut streams = self.streams.lock().unwrap_or_else(|p| p.into_inner());
        let (next, events) = streams.entry(stream.to_string()).or_default();
        *next += 1;
        events.push_back((*next, message.to_string()));
        while events.len() > self.capacity {
            events.pop_front();
        }
        format!("{stream}/{next}")
    }

    fn replay_after(&self, last_event_id: &str) -> Option<(String, Vec<(String, String)>)> {
        let (stream, seq) = last_event_id.rsplit_once('/')?;
        let seq: u64 = seq.parse().ok()?;
        let streams = self.streams.lock().unwrap_or_else(|p| p.into_inner());
        let (next, events) = streams.get(stream)?;
        if seq > *next {
            return None;
        }
        // Events after `seq` were dropped: the gap cannot be replayed.
        if let Some((oldest, _)) = events.front() {
            if *oldest > seq + 1 {
                return None;
            }
        }
        let replay = events
            .iter()
            .filter(|(n, _)| *n > seq)
            .map(|(n, m)| (format!("{stream}/{n}"), m.clone()))
            .collect();
        Some((stream.to_string(), replay))
    }

    fn forget(&self, stream: &str) {
        self.streams
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(stream);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replays_what_follows_an_id() {
        let s = MemoryEventStore::new(2);
        let a = s.store("x", "a");
        let b = s.store("x", "b");
        assert_eq!(
            s.replay_after(&a),
            Some(("x".to_string(), vec![(b.clone(), "b".to_string())]))
        );
        let _c = s.store("x", "c");
        assert_eq!(s.replay_after(&a).map(|r| r.1.len()), Some(2));
        let _d = s.store("x", "d");
        assert_eq!(s.replay_after(&a), None, "a gap cannot be replayed");
        assert_eq!(s.replay_after("nonsense"), None);
        s.forget("x");
        assert_eq!(s.replay_after(&b), None);
    }
}
