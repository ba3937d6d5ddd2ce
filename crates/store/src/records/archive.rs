//! Archiving a record, the same step for every kind: find it, stamp `archived_at` once and
//! audit it, in one transaction; a staff record's, a school's or a pupil's logins are disabled
//! (their sessions end) and their invitations withdrawn in that same transaction. Restoring
//! clears the stamp and is audited the same way; the logins stay disabled (decision 75).
use sea_orm::{ConnectionTrait, DatabaseTransaction, EntityTrait, PrimaryKeyTrait};
use tutti_domain::invitations::InvitationLink;

use crate::Store;
use crate::error::{Result, StoreError};
use crate::now;
use crate::platform::accounts::{LinkColumn, disable_linked};
use crate::platform::audit::{self, Action, Actor};
use crate::platform::invitations::withdraw_open_for;
use crate::query::stmt;

/// Archives row `id` of `table` unless it is archived already, and records it in the audit
/// log as `kind`; whether it was archived now. Table names are ours, never user input.
async fn archive_row(
    txn: &DatabaseTransaction,
    actor: &Actor,
    table: &'static str,
    kind: &'static str,
    id: i64,
    summary: String,
) -> Result<bool> {
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
    Ok(done.rows_affected() > 0)
}

/// The kinds of record a login is linked to, by table.
fn linked_by(table: &str, id: i64) -> Option<(LinkColumn, InvitationLink)> {
    match table {
        "staff" => Some((LinkColumn::Staff, InvitationLink::Staff(id))),
        "schools" => Some((LinkColumn::School, InvitationLink::School(id))),
        "pupils" => Some((LinkColumn::Pupil, InvitationLink::Pupil(id))),
        _ => None,
    }
}

/// An archived record's person may no longer sign in: their logins are disabled (sessions
/// ended, tokens revoked) and invitations not yet answered withdrawn.
async fn close_logins(
    txn: &DatabaseTransaction,
    actor: &Actor,
    table: &str,
    id: i64,
    at: time::OffsetDateTime,
) -> Result<()> {
    let Some((column, link)) = linked_by(table, id) else {
        return Ok(());
    };
    for user in disable_linked(txn, column, id, None).await? {
        let what = format!("login {} disabled: its record ({link}) was archived", user.id);
        audit::record(txn, actor, Action::Update, "user", Some(user.id), what).await?;
    }
    withdraw_open_for(txn, link, at).await?;
    Ok(())
}

/// Archives pupil `id` inside the caller's transaction (the pupil's consistent archive,
/// `pupil_archive`, ends their enrolments in the same one); whether it was archived now. The
/// caller clears the session cache after committing.
pub(crate) async fn archive_pupil_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: i64,
    pupil_ref: &str,
    at: time::OffsetDateTime,
) -> Result<bool> {
    let archived = archive_row(txn, actor, "pupils", "pupil", id, format!("pupil {pupil_ref}")).await?;
    if archived {
        close_logins(txn, actor, "pupils", id, at).await?;
    }
    Ok(archived)
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
        if archive_row(&txn, actor, table, kind, id, summary(&current)).await? {
            close_logins(&txn, actor, table, id, self.now()).await?;
        }
        txn.commit().await?;
        self.session_cache.clear();
        Ok(())
    }
}

/// A kind of record the office archives and restores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Archivable {
    School,
    Pupil,
    Staff,
    Instrument,
}

impl Archivable {
    /// Its table, the word the audit log names it by, and the column that says which one it
    /// is to a person (all ours, never user input).
    fn table(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Archivable::School => ("schools", "school", "name"),
            Archivable::Pupil => ("pupils", "pupil", "pupil_ref"),
            Archivable::Staff => ("staff", "staff", "email"),
            Archivable::Instrument => ("instruments", "instrument", "serial"),
        }
    }
}

/// What restoring a record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Restored {
    /// The record was archived and is now back (false: it was not archived, nothing changed).
    pub restored: bool,
    /// Logins linked to the record that stay disabled until the office invites them again.
    pub disabled_logins: u64,
}

#[tutti_boxed::boxed]
impl Store {
    /// Brings an archived record back into the lists, audited. Its logins, disabled when it
    /// was archived, stay disabled: a person signs in again only once re-invited, so a login
    /// nobody expected never wakes by itself. A missing record is `NotFound`.
    pub async fn restore_record(&self, actor: &Actor, kind: Archivable, id: i64) -> Result<Restored> {
        let (table, word, key) = kind.table();
        let txn = self.write().await?;
        let backend = txn.get_database_backend();
        let row = txn
            .query_one_raw(stmt(
                backend,
                &format!("SELECT CAST({key} AS TEXT) AS k FROM {table} WHERE id = ?"),
                [id.into()],
            ))
            .await?
            .ok_or(StoreError::NotFound)?;
        // The record exists; the log names it by id only (decision 0088).
        let _key: String = row.try_get("", "k")?;
        let t = now();
        let done = txn
            .execute_raw(stmt(
                backend,
                &format!(
                    "UPDATE {table} SET archived_at = NULL, updated_at = ? WHERE id = ? AND archived_at IS NOT NULL"
                ),
                [t.into(), id.into()],
            ))
            .await?;
        let restored = done.rows_affected() > 0;
        let mut disabled_logins = 0;
        if restored {
            if let Some((column, _)) = linked_by(table, id) {
                disabled_logins = crate::platform::accounts::count_linked_disabled(&txn, column, id).await?;
            }
            let what = format!("{word} {id} restored; {disabled_logins} disabled logins left for re-invitation");
            audit::record(&txn, actor, Action::Restore, word, Some(id), what).await?;
        }
        txn.commit().await?;
        Ok(Restored {
            restored,
            disabled_logins,
        })
    }
}
