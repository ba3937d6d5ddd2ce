//! Sessions read in the last moment, kept in memory so that a busy visitor's requests do not
//! each cost a query (the teacher's day page, issue 4's hottest path, spent a third of its
//! time loading the session). Short-lived on purpose: every change this process makes to
//! sessions or accounts empties it at once; one made by another app server empties it there
//! when that server's notice arrives (`platform::changes`, PostgreSQL), and one made by a
//! process that announces nothing (`tutti users disable` at the command line) shows within
//! `FRESH_FOR`.
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use crate::platform::changes::{Change, Changes};
use crate::platform::sessions::Session;

/// How long a session read from the database is trusted without reading it again.
const FRESH_FOR: Duration = Duration::from_secs(2);
/// More live sessions than this at once and the cache starts again (it is only a cache).
const MAX_ENTRIES: usize = 20_000;

struct Entry {
    read_at: Instant,
    /// The generation of session changes it was read at.
    generation: u64,
    session: Session,
    /// When the session ends however busy it is.
    expires_at: OffsetDateTime,
}

#[derive(Default)]
pub(crate) struct SessionCache {
    map: Mutex<HashMap<String, Entry>>,
    changes: Arc<Changes>,
    /// Where changes are announced to the other app servers (set once connected).
    db: OnceLock<sea_orm::DatabaseConnection>,
}

impl std::fmt::Debug for SessionCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionCache")
    }
}

impl SessionCache {
    pub(crate) fn new(changes: Arc<Changes>, db: sea_orm::DatabaseConnection) -> SessionCache {
        let cache = SessionCache {
            changes,
            ..Default::default()
        };
        let _ = cache.db.set(db);
        cache
    }

    /// The session by its id hash if it was read within `FRESH_FOR` and has not ended since
    /// (by its absolute expiry or by going idle for `idle`).
    pub(crate) fn get(&self, id_hash: &str, now: OffsetDateTime, idle: time::Duration) -> Option<Session> {
        let map = self.map.lock().ok()?;
        let e = map.get(id_hash)?;
        let live = e.generation == self.changes.generation(Change::Sessions)
            && e.read_at.elapsed() < FRESH_FOR
            && e.expires_at > now
            && e.session.last_seen_at + idle > now;
        live.then(|| e.session.clone())
    }

    pub(crate) fn put(&self, session: Session, expires_at: OffsetDateTime) {
        let generation = self.changes.generation(Change::Sessions);
        if let Ok(mut map) = self.map.lock() {
            if map.len() >= MAX_ENTRIES {
                map.retain(|_, e| e.read_at.elapsed() < FRESH_FOR);
                if map.len() >= MAX_ENTRIES {
                    map.clear();
                }
            }
            map.insert(
                session.id_hash.clone(),
                Entry {
                    read_at: Instant::now(),
                    generation,
                    session,
                    expires_at,
                },
            );
        }
    }

    /// Forgets everything: after any change to a session or an account. Every other app
    /// server forgets too.
    pub(crate) fn clear(&self) {
        if let Ok(mut map) = self.map.lock() {
            map.clear();
        }
        if let Some(db) = self.db.get() {
            self.changes.announce(db, Change::Sessions);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(id: &str, last_seen_at: OffsetDateTime) -> Session {
        Session {
            id_hash: id.into(),
            csrf_token: "t".into(),
            flash: None,
            user: None,
            last_seen_at,
            second_factor_done: false,
            challenge: None,
        }
    }

    #[test]
    fn a_session_is_kept_only_while_fresh_and_live() {
        let now = OffsetDateTime::now_utc();
        let idle = time::Duration::hours(2);
        let cache = SessionCache::default();
        cache.put(session("a", now), now + time::Duration::hours(1));
        assert_eq!(cache.get("a", now, idle).map(|s| s.id_hash), Some("a".into()));
        assert!(cache.get("b", now, idle).is_none());
        // Past its absolute end, or idle too long, it is not served from memory.
        assert!(cache.get("a", now + time::Duration::hours(2), idle).is_none());
        cache.put(
            session("c", now - time::Duration::hours(3)),
            now + time::Duration::hours(1),
        );
        assert!(cache.get("c", now, idle).is_none());
        // Any change to sessions or accounts empties it.
        cache.clear();
        assert!(cache.get("a", now, idle).is_none());
        // So does a change another app server announced.
        cache.put(session("d", now), now + time::Duration::hours(1));
        assert!(cache.get("d", now, idle).is_some());
        cache.changes.heard_for_tests(Change::Sessions);
        assert!(cache.get("d", now, idle).is_none());
    }
}
