//! Legacy sessions (`Mcp-Session-Id`): creation with a bound, idle expiry,
//! the standalone GET stream of each, and one task that fans registry
//! changes and resource updates out to every session (instead of a task per
//! session, so abandoned sessions leave nothing behind).

use super::event_store::{EventStore, MemoryEventStore};
use crate::dispatch::{Core, Event, Outbound, Session};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// A session idle for less than this is never evicted to make room.
const EVICT_MIN_IDLE: Duration = Duration::from_secs(5);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// One event on a standalone stream: `(event id, message)`.
pub(crate) type StreamEvent = (String, String);

/// One legacy session.
pub(crate) struct Entry {
    pub id: String,
    pub session: Arc<Session>,
    standalone: Mutex<Option<mpsc::UnboundedSender<StreamEvent>>>,
    last_seen: AtomicU64,
    streams: AtomicUsize,
    /// Cancelled when the session ends: its streams close.
    pub closed: CancellationToken,
    /// The principal of the access token that opened the session (auth on):
    /// only requests carrying a token for the same principal may use it.
    pub owner: Option<crate::auth::Principal>,
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
pub(crate) struct Full;

/// Why the standalone stream could not be opened: another GET stream is open.
pub(crate) struct Busy;

/// Every legacy session of one server.
pub(crate) struct SessionStore {
    core: Arc<Core>,
    map: Mutex<HashMap<String, Arc<Entry>>>,
    max: usize,
    idle: Duration,
    epoch: Instant,
    events: Arc<dyn EventStore>,
    started: AtomicBool,
    shutdown: CancellationToken,
}

impl SessionStore {
    pub(crate) fn new(
        core: Arc<Core>,
        max: usize,
        idle: Duration,
        shutdown: CancellationToken,
    ) -> Arc<SessionStore> {
        Arc::new(SessionStore {
            core,
            map: Mutex::new(HashMap::new()),
            max,
            idle,
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
    pub(crate) fn push(&self, entry: &Entry, message: String) {
        let standalone = lock(&entry.standalone);
        let id = self.events.store(&entry.id, &message);
        if let Some(tx) = standalone.as_ref() {
            let _ = tx.send((id, message));
        }
    }

    /// Opens the standalone stream, replaying what followed `last_event_id`.
    pub(crate) fn attach(
        self: &Arc<Self>,
        entry: &Arc<Entry>,
        last_event_id: Option<&str>,
    ) -> Result<
        (
            Vec<StreamEvent>,
            mpsc::UnboundedReceiver<StreamEvent>,
            StreamGuard,
        ),
        Busy,
    > {
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
        let (tx, rx) = mpsc::unbounded_channel();
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

    /// A new session, or `Full`.
    pub(crate) fn create(
        self: &Arc<Self>,
        nowhere: &Outbound,
        owner: Option<crate::auth::Principal>,
    ) -> Result<Arc<Entry>, Full> {
        self.start();
        let mut map = lock(&self.map);
        if map.len() >= self.max {
            self.expire_locked(&mut map);
        }
        if map.len() >= self.max && !self.evict_one(&mut map) {
            return Err(Full);
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

    /// Ends the least recently used session without open streams, if it has
    /// been idle for a while.
    fn evict_one(&self, map: &mut HashMap<String, Arc<Entry>>) -> bool {
        let now = self.now_ms();
        let victim = map
            .values()
            .filter(|e| {
                e.streams.load(Ordering::Relaxed) == 0 && self.idle_for(e, now) >= EVICT_MIN_IDLE
            })
            .min_by_key(|e| e.last_seen.load(Ordering::Relaxed))
            .map(|e| e.id.clone());
        match victim.and_then(|id| map.remove(&id)) {
            Some(e) => {
                tracing::debug!(session = %e.id, "session evicted to make room");
                self.end(&e);
                true
            }
            None => false,
        }
    }
}
