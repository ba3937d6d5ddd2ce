//! Changes other app servers must hear of at once: what each process keeps in memory (pages
//! for anonymous visitors, the menu, the hub's identity, sessions) is marked out of date everywhere,
//! through PostgreSQL's `LISTEN`/`NOTIFY`, within moments of a change on any one of them.
//!
//! Each kind of change has a generation number per process: a cache remembers the generation
//! it was filled at and treats itself as empty once the number moves. A change made here moves
//! it at once and is announced to the others; a notice from another process moves it there.
//! If the listening connection drops, every generation moves (a notice may have been missed).
//! On SQLite there is one process, and announcing is only the local part.
//! See docs/decisions/0082-jobs-in-the-database.md.
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};

/// The channel every app server of a hub listens on.
const CHANNEL: &str = "tutti_changes";

/// What changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Anything drawn on pages: public content, the menu, prices shown on public pages, the
    /// hub's identity (name, logo, contacts). Pages kept for anonymous visitors, the menu and
    /// the identity kept in memory are out of date.
    Pages,
    /// A session or an account: sessions read a moment ago are out of date.
    Sessions,
}

const ALL: [Change; 2] = [Change::Pages, Change::Sessions];

impl Change {
    fn word(self) -> &'static str {
        match self {
            Change::Pages => "pages",
            Change::Sessions => "sessions",
        }
    }

    fn index(self) -> usize {
        match self {
            Change::Pages => 0,
            Change::Sessions => 1,
        }
    }

    fn from_word(word: &str) -> Option<Change> {
        ALL.into_iter().find(|c| c.word() == word)
    }
}

/// This process's generations, and its name in notices (so that it ignores its own).
#[derive(Debug)]
pub struct Changes {
    generations: [AtomicU64; 2],
    me: String,
}

impl Default for Changes {
    fn default() -> Self {
        let mut bytes = [0u8; 6];
        getrandom::fill(&mut bytes).expect("the operating system's random source failed");
        let me = format!(
            "{}-{}",
            std::process::id(),
            bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
        );
        Changes {
            generations: Default::default(),
            me,
        }
    }
}

impl Changes {
    /// The generation of one kind of change, as this process knows it.
    pub fn generation(&self, change: Change) -> u64 {
        self.generations[change.index()].load(Ordering::Acquire)
    }

    /// A name for this process, unique among the hub's app servers: the holder of the jobs
    /// it runs and the sender of the mail it claims.
    pub fn me(&self) -> &str {
        &self.me
    }

    fn bump(&self, change: Change) {
        self.generations[change.index()].fetch_add(1, Ordering::AcqRel);
    }

    /// A change made here: out of date here at once, and on PostgreSQL announced to every
    /// other process (in the background: the caller's answer does not wait for it).
    pub fn announce(&self, db: &DatabaseConnection, change: Change) {
        self.bump(change);
        if db.get_database_backend() != DbBackend::Postgres {
            return;
        }
        let db = db.clone();
        let payload = format!("{}:{}", change.word(), self.me);
        // Outside any runtime (a synchronous test), there is no other process to tell.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let sql = sea_orm::Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT pg_notify($1, $2)",
                    [CHANNEL.into(), payload.into()],
                );
                if let Err(e) = db.execute_raw(sql).await {
                    tracing::warn!(error = %e, "could not tell the other app servers of a change");
                }
            });
        }
    }

    /// A notice from another process.
    fn heard(&self, payload: &str) {
        let (word, from) = payload.split_once(':').unwrap_or((payload, ""));
        if from == self.me {
            return;
        }
        match Change::from_word(word) {
            Some(change) => self.bump(change),
            None => tracing::warn!(payload, "an unknown change was announced"),
        }
    }

    /// As if another app server had announced `change`.
    #[cfg(test)]
    pub(crate) fn heard_for_tests(&self, change: Change) {
        self.bump(change);
    }

    fn missed_some(&self) {
        for change in ALL {
            self.bump(change);
        }
    }
}

/// Listens for other processes' notices until the pool closes (PostgreSQL only; on SQLite
/// this returns at once). Run it in the background of a serving process.
pub async fn listen(db: DatabaseConnection, changes: Arc<Changes>) {
    if db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    let pool = db.get_postgres_connection_pool().clone();
    loop {
        let mut listener = match sea_orm::sqlx::postgres::PgListener::connect_with(&pool).await {
            Ok(l) => l,
            Err(e) => {
                if pool.is_closed() {
                    return;
                }
                tracing::warn!(error = %e, "could not listen for other app servers' changes; trying again");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Err(e) = listener.listen(CHANNEL).await {
            tracing::warn!(error = %e, "could not listen for other app servers' changes; trying again");
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            continue;
        }
        // Anything changed before this point is read afresh.
        changes.missed_some();
        loop {
            match listener.try_recv().await {
                Ok(Some(notice)) => changes.heard(notice.payload()),
                // The connection dropped and will be made again: notices may have been lost.
                Ok(None) => changes.missed_some(),
                Err(e) => {
                    if pool.is_closed() {
                        return;
                    }
                    tracing::warn!(error = %e, "lost the connection that hears other app servers' changes");
                    changes.missed_some();
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_moves_its_generation_unless_it_is_our_own() {
        let changes = Changes::default();
        let before = changes.generation(Change::Pages);
        changes.heard(&format!("pages:{}", changes.me()));
        assert_eq!(changes.generation(Change::Pages), before);
        changes.heard("pages:another-process");
        assert_eq!(changes.generation(Change::Pages), before + 1);
        assert_eq!(changes.generation(Change::Sessions), 0);
        changes.missed_some();
        assert_eq!(changes.generation(Change::Sessions), 1);
        assert_eq!(changes.generation(Change::Pages), before + 2);
    }
}
