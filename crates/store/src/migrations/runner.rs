//! Applies the schema's migrations in order, each once, recording them in `seaql_migrations`
//! (the table and names earlier versions wrote, so existing databases carry on). All pending
//! migrations run in one transaction, under an advisory lock on PostgreSQL, so app servers
//! starting together cannot apply the same migration twice or see half a schema.
use sea_orm::sea_query::{ColumnDef, Expr, Query, Table, TableCreateStatement};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, StatementBuilder, TransactionTrait,
};

/// The table that lists applied migrations by name.
const APPLIED: &str = "seaql_migrations";
/// The advisory lock key migrations run under on PostgreSQL ("tutti-mg" as bytes).
const LOCK_KEY: i64 = 0x7475_7474_692d_6d67;

/// The names of the migrations this binary knows, recorded by the first `up`: a hub is ready
/// only when its database has applied exactly these (`current`).
static KNOWN: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();

/// Whether the database has applied every migration this binary knows and none it does not
/// (a newer version's). False before this process has run `up`.
pub(crate) async fn current(db: &DatabaseConnection) -> Result<bool, DbErr> {
    let Some(known) = KNOWN.get() else {
        return Ok(false);
    };
    let applied: Vec<String> = db
        .query_all(Query::select().column("version").from(APPLIED))
        .await?
        .iter()
        .map(|row| row.try_get::<String>("", "version"))
        .collect::<Result<_, _>>()?;
    Ok(applied.len() == known.len() && known.iter().all(|k| applied.iter().any(|a| a == k)))
}

/// One step of the schema, applied once.
#[async_trait::async_trait]
pub(crate) trait MigrationTrait: Send + Sync {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr>;
}

/// What a migration may do to the schema, inside the run's transaction.
pub(crate) struct SchemaManager {
    txn: DatabaseTransaction,
}

#[tutti_boxed::boxed]
impl SchemaManager {
    pub async fn exec_stmt<S: StatementBuilder>(&self, stmt: S) -> Result<(), DbErr> {
        self.txn.execute(&stmt).await.map(drop)
    }
    pub async fn create_table(&self, stmt: TableCreateStatement) -> Result<(), DbErr> {
        self.exec_stmt(stmt).await
    }
    pub async fn alter_table(&self, stmt: sea_orm::sea_query::TableAlterStatement) -> Result<(), DbErr> {
        self.exec_stmt(stmt).await
    }
    pub async fn create_index(&self, stmt: sea_orm::sea_query::IndexCreateStatement) -> Result<(), DbErr> {
        self.exec_stmt(stmt).await
    }
    pub async fn drop_index(&self, stmt: sea_orm::sea_query::IndexDropStatement) -> Result<(), DbErr> {
        self.exec_stmt(stmt).await
    }
    pub fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }
    pub fn get_connection(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

/// Applies every migration in `steps` (name, migration) not yet recorded, in order, and
/// returns their names; a dry run returns them and changes nothing (its transaction, which
/// may have created the empty record table, is rolled back).
pub(crate) async fn up(
    db: &DatabaseConnection,
    dry_run: bool,
    steps: Vec<(&'static str, Box<dyn MigrationTrait>)>,
) -> Result<Vec<&'static str>, DbErr> {
    KNOWN.get_or_init(|| steps.iter().map(|(name, _)| *name).collect());
    let txn = db.begin().await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({LOCK_KEY})"))
            .await?;
    }
    txn.execute(
        Table::create()
            .table(APPLIED)
            .if_not_exists()
            .col(ColumnDef::new("version").string().not_null().primary_key())
            .col(ColumnDef::new("applied_at").big_integer().not_null()),
    )
    .await?;
    let applied: Vec<String> = txn
        .query_all(Query::select().column("version").from(APPLIED))
        .await?
        .iter()
        .map(|row| row.try_get::<String>("", "version"))
        .collect::<Result<_, _>>()?;
    if let Some(unknown) = applied.iter().find(|a| !steps.iter().any(|(name, _)| name == *a)) {
        return Err(DbErr::Custom(format!(
            "the database has migration {unknown}, which this version of Tutti does not know: \
             it was written by a newer version"
        )));
    }
    let pending: Vec<&'static str> = steps
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| !applied.iter().any(|a| a == name))
        .collect();
    if dry_run {
        txn.rollback().await?;
        return Ok(pending);
    }
    let manager = SchemaManager { txn };
    for (name, step) in steps.iter().filter(|(name, _)| !applied.iter().any(|a| a == name)) {
        tracing::info!(migration = name, "applying");
        step.up(&manager).await?;
        let at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default();
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(APPLIED)
                    .columns(["version", "applied_at"])
                    .values_panic([Expr::val(*name), Expr::val(at)])
                    .to_owned(),
            )
            .await?;
    }
    manager.txn.commit().await?;
    Ok(pending)
}
