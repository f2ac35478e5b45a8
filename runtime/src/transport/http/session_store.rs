//! Legacy sessions (`Mcp-Session-Id`): creation with a bound (in all and per
//! principal; a full store answers 503, it never evicts a live session), idle
//! expiry, the bounded standalone GET stream of each, and one task that fans
//! registry changes and resource updates out to every session (instead of a
//! task per session, so abandoned sessions leave nothing behind).

use super::event_store::{EventStore, MemoryEventStore};
use super::HttpConfig;
use crate::dispatch::{Core, Event, Outbound, OutboundLimit, OutboundReceiver, Session};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// One event on a standalone stream: `(event id, message)`.
pub(crate) type StreamEvent = (String, String);

/// One legacy session.
pub(crate) struct Entry {
    pub id: String,
    pub session: Arc<Session>,
    /// The open GET stream: each item is `event id`, a newline, the message
    /// (compact JSON holds no raw newline), on a bounded queue.
    standalone: Mutex<Option<Outbound>>,
    last_seen: AtomicU64,
    streams: AtomicUsize,
    /// Cancelled when the session ends: its streams close.
    pub closed: CancellationToken,
    /// The principal of the access token that opened the session (auth on):
    /// only requests carrying a token for the same principal may use it.
    pub owner: Option<crate::auth::Principal>,
    /// Whom the session counts against for `MCP_MAX_SESSIONS_PER_PRINCIPAL`.
    quota: String,
    /// Bounds the requests running at once (`MCP_MAX_REQUESTS_IN_FLIGHT`).
    pub inflight: Arc<Semaphore>,
}

/// Counts an open stream of a session (it is not idle meanwhile).
pub(crate) struct StreamGuard {
    entry: Arc<Entry>,
    store: Weak<SessionStore>,
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.entry.streams.fetch_sub(1, Ordering::Relaxed);
        if let Some(store) = self.store.upgrade() {
            store.touch(&self.entry);
        }
    }
}

/// Why a session could not be created.
pub(crate) enum Full {
    /// `MCP_MAX_SESSIONS` sessions are live.
    Server,
    /// This principal holds `MCP_MAX_SESSIONS_PER_PRINCIPAL` sessions.
    Principal,
}

/// Why the standalone stream could not be opened: another GET stream is open.
pub(crate) struct Busy;

/// Every legacy session of one server.
pub(crate) struct SessionStore {
    core: Arc<Core>,
    map: Mutex<HashMap<String, Arc<Entry>>>,
    max: usize,
    per_principal: usize,
    inflight: usize,
    outbound: OutboundLimit,
    idle: Duration,
    epoch: Instant,
    events: Arc<dyn EventStore>,
    started: AtomicBool,
    shutdown: CancellationToken,
}

impl SessionStore {
    pub(crate) fn new(
        core: Arc<Core>,
        config: &HttpConfig,
        shutdown: CancellationToken,
    ) -> Arc<SessionStore> {
        Arc::new(SessionStore {
            core,
            map: Mutex::new(HashMap::new()),
            max: config.max_sessions,
            per_principal: config.max_sessions_per_principal,
            inflight: config.max_requests_in_flight,
            outbound: config.outbound,
            idle: config.session_idle_timeout,
            epoch: Instant::now(),
            events: Arc::new(MemoryEventStore::default()),
            started: AtomicBool::new(false),
            shutdown,
        })
    }

    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    fn touch(&self, entry: &Entry) {
        entry.last_seen.store(self.now_ms(), Ordering::Relaxed);
    }

    /// Starts the fan-out and expiry tasks (once, from inside the runtime).
    fn start(self: &Arc<Self>) {
        if self.started.swap(true, Ordering::AcqRel) {
            return;
        }
        let weak = Arc::downgrade(self);
        let mut events = self.core.events.subscribe();
        let stop = self.shutdown.clone();
        tokio::spawn(async move {
            loop {
                let event = tokio::select! {
                    e = events.recv() => e,
                    _ = stop.cancelled() => return,
                };
                let event = match event {
                    Ok(e) => e,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(_) => return,
                };
                let Some(store) = weak.upgrade() else { return };
                store.fan_out(&event);
            }
        });
        let weak = Arc::downgrade(self);
        let period = (self.idle / 4).clamp(Duration::from_secs(1), Duration::from_secs(60));
        let stop = self.shutdown.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = stop.cancelled() => break,
                }
                let Some(store) = weak.upgrade() else { return };
                store.expire();
            }
        });
    }

    fn fan_out(&self, event: &Event) {
        let entries: Vec<Arc<Entry>> = lock(&self.map).values().cloned().collect();
        for entry in entries {
            if let Some(message) = entry.session.notification_for(event) {
                self.push(&entry, message);
            }
        }
    }

    /// Sends a message on a session's standalone stream (kept for replay).
    /// A stream whose reader lets its queue fill is closed.
    pub(crate) fn push(&self, entry: &Entry, message: String) {
        let mut standalone = lock(&entry.standalone);
        let id = self.events.store(&entry.id, &message);
        if let Some(tx) = standalone.as_ref() {
            if !tx.send(format!("{id}\n{message}")) {
                *standalone = None;
            }
        }
    }

    /// Opens the standalone stream, replaying what followed `last_event_id`.
    /// `overflowed` is cancelled if the reader lets the stream's queue fill
    /// (the transport passes the token that closes its connection).
    pub(crate) fn attach(
        self: &Arc<Self>,
        entry: &Arc<Entry>,
        last_event_id: Option<&str>,
        overflowed: CancellationToken,
    ) -> Result<(Vec<StreamEvent>, OutboundReceiver, StreamGuard), Busy> {
        let mut standalone = lock(&entry.standalone);
        if standalone.as_ref().is_some_and(|tx| !tx.is_closed()) {
            return Err(Busy);
        }
        // An id this session cannot replay (unknown, or too old) opens a
        // fresh stream: the client misses what it missed, nothing more.
        let replay = match last_event_id.and_then(|last| self.events.replay_after(last)) {
            Some((stream, events)) if stream == entry.id => events,
            _ => Vec::new(),
        };
        let (tx, rx) = Outbound::bounded_with(self.outbound, overflowed);
        *standalone = Some(tx);
        Ok((replay, rx, self.guard(entry)))
    }

    /// Counts an open stream of `entry` until the guard drops.
    pub(crate) fn guard(self: &Arc<Self>, entry: &Arc<Entry>) -> StreamGuard {
        entry.streams.fetch_add(1, Ordering::Relaxed);
        self.touch(entry);
        StreamGuard {
            entry: entry.clone(),
            store: Arc::downgrade(self),
        }
    }

    /// A new session counted against `quota` (its principal, or its
    /// client's address without auth), or `Full`. Only sessions idle past
    /// the idle timeout make room; live ones are never evicted.
    pub(crate) fn create(
        self: &Arc<Self>,
        nowhere: &Outbound,
        owner: Option<crate::auth::Principal>,
        quota: String,
    ) -> Result<Arc<Entry>, Full> {
        self.start();
        let mut map = lock(&self.map);
        let held =
            |map: &HashMap<String, Arc<Entry>>| map.values().filter(|e| e.quota == quota).count();
        if map.len() >= self.max || held(&map) >= self.per_principal {
            self.expire_locked(&mut map);
        }
        if map.len() >= self.max {
            return Err(Full::Server);
        }
        if held(&map) >= self.per_principal {
            return Err(Full::Principal);
        }
        let id = format!("{:032x}", rand::random::<u128>());
        let entry = Arc::new(Entry {
            id: id.clone(),
            session: Session::new(self.core.clone(), nowhere.clone()),
            standalone: Mutex::new(None),
            last_seen: AtomicU64::new(self.now_ms()),
            streams: AtomicUsize::new(0),
            closed: self.shutdown.child_token(),
            owner,
            quota,
            inflight: Arc::new(Semaphore::new(self.inflight)),
        });
        map.insert(id, entry.clone());
        Ok(entry)
    }

    /// The session with this id (and marks it used).
    pub(crate) fn get(&self, id: &str) -> Option<Arc<Entry>> {
        let entry = lock(&self.map).get(id).cloned()?;
        self.touch(&entry);
        Some(entry)
    }

    /// Ends a session; `false` if there was none.
    pub(crate) fn remove(&self, id: &str) -> bool {
        let entry = lock(&self.map).remove(id);
        match entry {
            Some(entry) => {
                self.end(&entry);
                true
            }
            None => false,
        }
    }

    fn end(&self, entry: &Entry) {
        entry.closed.cancel();
        entry.session.close();
        self.events.forget(&entry.id);
    }

    fn idle_for(&self, entry: &Entry, now: u64) -> Duration {
        Duration::from_millis(now.saturating_sub(entry.last_seen.load(Ordering::Relaxed)))
    }

    fn expire(&self) {
        let mut map = lock(&self.map);
        self.expire_locked(&mut map);
    }

    fn expire_locked(&self, map: &mut HashMap<String, Arc<Entry>>) {
        let now = self.now_ms();
        let mut ended = Vec::new();
        map.retain(|_, e| {
            let keep = e.streams.load(Ordering::Relaxed) > 0 || self.idle_for(e, now) < self.idle;
            if !keep {
                ended.push(e.clone());
            }
            keep
        });
        for e in ended {
            tracing::debug!(session = %e.id, "session expired");
            self.end(&e);
        }
    }
}
