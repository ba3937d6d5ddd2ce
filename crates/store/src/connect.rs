//! Opening the database from a URL: SQLite tuned for one writer, PostgreSQL as a pool.
use std::time::Duration;

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

use crate::error::Result;

/// Which database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A handle on the hub's database. Cheap to clone: it holds a connection pool.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    /// Sessions read a moment ago, shared by every clone of this store.
    pub(crate) session_cache: std::sync::Arc<crate::platform::session_cache::SessionCache>,
    /// What changed on this or another app server, for what each keeps in memory.
    changes: std::sync::Arc<crate::platform::changes::Changes>,
    /// Where "today" comes from: the system's clock, or one a test sets.
    clock: tutti_domain::clock::Clock,
}

#[tutti_boxed::boxed]
impl Store {
    /// Connects to `sqlite://path` (created when missing) or `postgres://...`.
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_with(url, None).await
    }

    /// Connects as [`Store::connect`] does, trusting the certificates in `ca_file` (PEM) besides
    /// the system's roots when PostgreSQL's certificate is verified. `sslmode` and
    /// `sslrootcert` in the URL mean what they mean to libpq (see [`crate::pg_tls`]).
    pub async fn connect_with(url: &str, ca_file: Option<&std::path::Path>) -> Result<Self> {
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .sqlx_logging(false)
            .connect_timeout(Duration::from_secs(5))
            .acquire_timeout(Duration::from_secs(10));
        if url.starts_with("sqlite:") {
            // SQLite allows one writer at a time; writers wait on the busy timeout and
            // every write transaction begins IMMEDIATE (see `write`), so readers in WAL
            // mode never block and writers never deadlock on lock upgrades.
            options.max_connections(8).min_connections(1).map_sqlx_sqlite_opts(|o| {
                o.create_if_missing(true)
                    .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    // Reads through a memory map of up to 256 MB of the file, shared by every
                    // connection through the system's page cache, rather than copying each page
                    // into each connection's own small cache: reports that read most of a
                    // year's rows (the dashboard, the data return) spend a third less time.
                    .pragma("mmap_size", "268435456")
            });
        } else {
            options.max_connections(16).min_connections(1);
            let tls = crate::pg_tls::PgTls::from_url(url, ca_file);
            options.map_sqlx_postgres_opts(move |o| tls.apply(o));
        }
        let db = Database::connect(options).await?;
        let changes = std::sync::Arc::new(crate::platform::changes::Changes::default());
        Ok(Self {
            session_cache: std::sync::Arc::new(crate::platform::session_cache::SessionCache::new(
                changes.clone(),
                db.clone(),
            )),
            changes,
            db,
            clock: Default::default(),
        })
    }

    /// The same store reading the date and time from `clock`.
    pub fn with_clock(mut self, clock: tutti_domain::clock::Clock) -> Self {
        self.clock = clock;
        self
    }

    pub fn clock(&self) -> &tutti_domain::clock::Clock {
        &self.clock
    }

    /// The hub's current instant, from its clock.
    pub fn now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }

    /// The hub's today, in London, from its clock.
    pub fn today(&self) -> time::Date {
        self.clock.today()
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> Result<()> {
        crate::migrations::up(&self.db).await?;
        Ok(())
    }

    /// The migrations [`Store::migrate`] would apply, applying none.
    pub async fn pending_migrations(&self) -> Result<Vec<&'static str>> {
        Ok(crate::migrations::pending(&self.db).await?)
    }

    pub fn backend(&self) -> Backend {
        match self.db.get_database_backend() {
            DbBackend::Postgres => Backend::Postgres,
            _ => Backend::Sqlite,
        }
    }

    pub fn conn(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The pool again, for reads that can run beside a transaction on other connections:
    /// PostgreSQL only (there each connection is a server process of its own, so large reads
    /// share the cores); None on SQLite, where one process reads fast enough alone.
    pub(crate) fn side(&self) -> Option<&DatabaseConnection> {
        (self.db.get_database_backend() == sea_orm::DbBackend::Postgres).then_some(&self.db)
    }

    /// The connection pool's use: (connections open, of which idle, the most it may open).
    pub fn pool_use(&self) -> (u32, usize, u32) {
        match self.backend() {
            Backend::Postgres => {
                let pool = self.db.get_postgres_connection_pool();
                (pool.size(), pool.num_idle(), pool.options().get_max_connections())
            }
            Backend::Sqlite => {
                let pool = self.db.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle(), pool.options().get_max_connections())
            }
        }
    }

    /// Answers whether the database responds to a trivial query.
    pub async fn ping(&self) -> bool {
        self.db.execute_unprepared("SELECT 1").await.is_ok()
    }

    /// Ready to serve: the database answers and has exactly the migrations this binary knows
    /// (not ready before they are applied, nor after a newer version applied its own).
    pub async fn ready(&self) -> bool {
        matches!(crate::migrations::current(&self.db).await, Ok(true))
    }

    /// Begins a write transaction: `BEGIN IMMEDIATE` on SQLite, a plain one on PostgreSQL.
    pub async fn write(&self) -> Result<DatabaseTransaction> {
        let options = TransactionOptions {
            sqlite_transaction_mode: match self.backend() {
                Backend::Sqlite => Some(SqliteTransactionMode::Immediate),
                Backend::Postgres => None,
            },
            ..Default::default()
        };
        Ok(self.db.begin_with_options(options).await?)
    }

    /// What changed on this or another app server (`platform::changes`).
    pub fn changes(&self) -> &crate::platform::changes::Changes {
        &self.changes
    }

    /// A change made here, for every app server's memory: here at once, elsewhere when the
    /// notice arrives.
    pub fn announce(&self, change: crate::platform::changes::Change) {
        self.changes.announce(&self.db, change);
    }

    /// Hears the other app servers' changes until the store is closed (PostgreSQL; on SQLite
    /// it returns at once). A serving process runs it in the background.
    pub async fn listen_for_changes(&self) {
        crate::platform::changes::listen(self.db.clone(), self.changes.clone()).await;
    }

    pub async fn close(self) {
        let _ = self.db.close().await;
    }
}
