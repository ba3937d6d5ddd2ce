//! Archiving a record, the same step for every kind: find it, stamp `archived_at` once and
//! audit it, in one transaction.
use sea_orm::{ConnectionTrait, DatabaseTransaction, EntityTrait, PrimaryKeyTrait};

use crate::Store;
use crate::error::{Result, StoreError};
use crate::now;
use crate::platform::audit::{self, Action, Actor};
use crate::query::stmt;

/// Archives row `id` of `table` unless it is archived already, and records it in the audit
/// log as `kind`. Table names are ours, never user input.
async fn archive_row(
    txn: &DatabaseTransaction,
    actor: &Actor,
    table: &'static str,
    kind: &'static str,
    id: i64,
    summary: String,
) -> Result<()> {
    let t = now();
    let sql = format!("UPDATE {table} SET archived_at = ?, updated_at = ? WHERE id = ? AND archived_at IS NULL");
    let done = txn
        .execute_raw(stmt(
            txn.get_database_backend(),
            &sql,
            [Some(t).into(), t.into(), id.into()],
        ))
        .await?;
    if done.rows_affected() > 0 {
        audit::record(txn, actor, Action::Archive, kind, Some(id), summary).await?;
    }
    Ok(())
}

impl Store {
    /// Archives record `id` of entity `E` (table `table`, audited as `kind` with the summary
    /// `summary` gives the record); a missing record is `NotFound`.
    pub(crate) async fn archive_record<E>(
        &self,
        actor: &Actor,
        id: i64,
        (table, kind): (&'static str, &'static str),
        summary: impl FnOnce(&E::Model) -> String,
    ) -> Result<()>
    where
        E: EntityTrait,
        <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i64>,
    {
        let txn = self.write().await?;
        let current = E::find_by_id(id).one(&txn).await?.ok_or(StoreError::NotFound)?;
        archive_row(&txn, actor, table, kind, id, summary(&current)).await?;
        txn.commit().await?;
        Ok(())
    }
}
