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
    /// Where "today" comes from: the system's clock, or one a test sets.
    clock: tutti_domain::clock::Clock,
}

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
            });
        } else {
            options.max_connections(16).min_connections(1);
            let tls = crate::pg_tls::PgTls::from_url(url, ca_file);
            options.map_sqlx_postgres_opts(move |o| tls.apply(o));
        }
        let db = Database::connect(options).await?;
        Ok(Self {
            db,
            session_cache: Default::default(),
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

    /// The same number for this store and every clone of it, and another for any other
    /// store in the process: for state the web keeps per hub (a billing run in progress).
    pub fn identity(&self) -> usize {
        std::sync::Arc::as_ptr(&self.session_cache) as usize
    }

    /// The pool again, for reads that can run beside a transaction on other connections:
    /// PostgreSQL only (there each connection is a server process of its own, so large reads
    /// share the cores); None on SQLite, where one process reads fast enough alone.
    pub(crate) fn side(&self) -> Option<&DatabaseConnection> {
        (self.db.get_database_backend() == sea_orm::DbBackend::Postgres).then_some(&self.db)
    }

    /// Answers whether the database responds to a trivial query.
    pub async fn ping(&self) -> bool {
        self.db.execute_unprepared("SELECT 1").await.is_ok()
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

    pub async fn close(self) {
        let _ = self.db.close().await;
    }
}
