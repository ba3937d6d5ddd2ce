//! `tutti backup`: a consistent copy of a running SQLite hub, made by SQLite itself.
//!
//! `VACUUM INTO` reads the database in one read transaction, so the copy is the hub as it
//! stood at one instant while writers carry on (WAL mode), and the copy is compacted and
//! holds no WAL of its own: a single file that opens as a hub.
use std::path::Path;

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

use crate::connect::{Backend, Store};
use crate::error::{Result, StoreError};

#[tutti_boxed::boxed]
impl Store {
    /// Copies the hub into `to`, a file that must not exist yet. SQLite only: a PostgreSQL
    /// hub is backed up with the server's own tools (pg_dump, or the host's snapshots).
    pub async fn backup_to(&self, to: &Path) -> Result<()> {
        let refuse = |why: String| StoreError::Db(DbErr::Custom(why));
        if self.backend() != Backend::Sqlite {
            return Err(refuse(
                "tutti backup copies a SQLite hub; back up PostgreSQL with pg_dump or the host's snapshots".into(),
            ));
        }
        if to.exists() {
            return Err(refuse(format!(
                "{} exists already; a backup never overwrites a file",
                to.display()
            )));
        }
        let target = to
            .to_str()
            .ok_or_else(|| refuse("the backup's path is not UTF-8".into()))?;
        self.conn()
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "VACUUM INTO ?",
                [target.into()],
            ))
            .await?;
        Ok(())
    }

    /// Every table of the hub with its number of rows, by name: to compare a copy with its
    /// original.
    pub async fn row_counts(&self) -> Result<Vec<(String, i64)>> {
        let list = match self.backend() {
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            }
            Backend::Postgres => {
                "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
            }
        };
        let backend = self.conn().get_database_backend();
        let names: Vec<String> = self
            .conn()
            .query_all_raw(Statement::from_string(backend, list))
            .await?
            .iter()
            .map(|row| row.try_get::<String>("", "name"))
            .collect::<std::result::Result<_, _>>()?;
        let mut counts = Vec::with_capacity(names.len());
        for name in names {
            let quoted = format!("\"{}\"", name.replace('"', "\"\""));
            let row = self
                .conn()
                .query_one_raw(Statement::from_string(
                    backend,
                    format!("SELECT COUNT(*) AS n FROM {quoted}"),
                ))
                .await?;
            let n = row.map(|r| r.try_get::<i64>("", "n")).transpose()?.unwrap_or(0);
            counts.push((name, n));
        }
        Ok(counts)
    }
}
