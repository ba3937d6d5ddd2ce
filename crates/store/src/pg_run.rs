//! A PostgreSQL transaction held on a sqlx connection of its own, usable wherever a sea-orm
//! connection is and also for `COPY … FROM STDIN`, which sea-orm's transactions cannot send.
//!
//! Why (decision 0062): a billing run writes millions of rows in one transaction, and COPY
//! takes them for about 15% less of the server's time than an INSERT from JSON.
use std::sync::Arc;

use sea_orm::sqlx::{self, Postgres, Transaction};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, ExecResult, QueryResult, RuntimeErr, Statement};
use sea_query_sqlx::SqlxValues;
use tokio::sync::Mutex;

use crate::error::Result;

/// An open transaction; dropped without `commit`, it rolls back (sqlx's own guarantee).
pub(crate) struct PgTransaction {
    txn: Mutex<Transaction<'static, Postgres>>,
}

fn exec_err(e: sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(Arc::new(e)))
}

fn query_err(e: sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(Arc::new(e)))
}

fn query(stmt: &Statement) -> sqlx::query::Query<'_, Postgres, SqlxValues> {
    let values = stmt.values.clone().unwrap_or(sea_orm::sea_query::Values(Vec::new()));
    sqlx::query_with(sqlx::AssertSqlSafe(stmt.sql.as_str()), SqlxValues(values))
}

impl PgTransaction {
    /// Begins a transaction on a connection of the pool behind `db` (a PostgreSQL one).
    pub(crate) async fn begin(db: &DatabaseConnection) -> Result<PgTransaction> {
        let txn = db.get_postgres_connection_pool().begin().await.map_err(exec_err)?;
        Ok(PgTransaction { txn: Mutex::new(txn) })
    }

    pub(crate) async fn commit(self) -> Result<()> {
        self.txn.into_inner().commit().await.map_err(exec_err)?;
        Ok(())
    }

    /// Runs `statement` (a `COPY … FROM STDIN` in text format) with `data` as its rows, and
    /// returns how many it took.
    pub(crate) async fn copy_in(&self, statement: &str, data: &[u8]) -> Result<u64> {
        let mut txn = self.txn.lock().await;
        let mut copy = txn.copy_in_raw(statement).await.map_err(exec_err)?;
        if let Err(e) = copy.send(data).await {
            // The connection must leave COPY mode before it can say anything else.
            let _ = copy.abort(e.to_string()).await;
            return Err(exec_err(e).into());
        }
        Ok(copy.finish().await.map_err(exec_err)?)
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for PgTransaction {
    fn get_database_backend(&self) -> DbBackend {
        DbBackend::Postgres
    }

    async fn execute_raw(&self, stmt: Statement) -> std::result::Result<ExecResult, DbErr> {
        let mut txn = self.txn.lock().await;
        Ok(query(&stmt).execute(&mut **txn).await.map_err(exec_err)?.into())
    }

    async fn execute_unprepared(&self, sql: &str) -> std::result::Result<ExecResult, DbErr> {
        let mut txn = self.txn.lock().await;
        Ok(sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&mut **txn)
            .await
            .map_err(exec_err)?
            .into())
    }

    async fn query_one_raw(&self, stmt: Statement) -> std::result::Result<Option<QueryResult>, DbErr> {
        let mut txn = self.txn.lock().await;
        Ok(query(&stmt)
            .fetch_optional(&mut **txn)
            .await
            .map_err(query_err)?
            .map(Into::into))
    }

    async fn query_all_raw(&self, stmt: Statement) -> std::result::Result<Vec<QueryResult>, DbErr> {
        let mut txn = self.txn.lock().await;
        Ok(query(&stmt)
            .fetch_all(&mut **txn)
            .await
            .map_err(query_err)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    fn support_returning(&self) -> bool {
        true
    }
}
