//! Archiving a record, the same step for every kind: stamp `archived_at` once and audit it,
//! inside the caller's transaction.
use sea_orm::{ConnectionTrait, DatabaseTransaction};

use crate::error::Result;
use crate::now;
use crate::platform::audit::{self, Action, Actor};
use crate::query::stmt;

/// Archives row `id` of `table` unless it is archived already, and records it in the audit
/// log as `kind`. Table names are ours, never user input.
pub(crate) async fn archive_row(
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
