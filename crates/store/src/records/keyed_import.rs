//! Importing a CSV file of records matched by a natural key (a school's URN, a teacher's
//! email, an instrument's serial): the one loop every simple record kind shares.
//!
//! A row whose key is stored updates that record (and brings it back if archived) unless
//! nothing changed; a new key creates a record. Everything happens in one transaction that
//! a dry run rolls back, so a file is taken whole or not at all.
use std::collections::HashMap;
use std::hash::Hash;

use sea_orm::{ActiveModelBehavior, ActiveModelTrait, DatabaseTransaction, EntityTrait, IntoActiveModel};
use time::OffsetDateTime;
use tutti_domain::csv::ImportedRow;

use crate::error::Result;
use crate::platform::audit::{self, Action, Actor};
use crate::records::imports::{Change, ImportReport, change_summary, finish};
use crate::{Store, now};

type Model<T> = <T as EntityTrait>::Model;
type Active<T> = <T as EntityTrait>::ActiveModel;

/// How one kind of record (its entity) is matched, compared and written by an import.
pub(crate) trait KeyedImport: EntityTrait {
    type Row;
    type Key: Eq + Hash;
    /// The record's kind in the audit log and its plural in the import's summary.
    const KINDS: (&'static str, &'static str);
    /// Whether each new record gets its own audit event (inserted one at a time for its
    /// id); otherwise new records go out in multi-row statements.
    const AUDIT_EACH_CREATE: bool;

    fn stored_key(m: &Model<Self>) -> Self::Key;
    fn row_key(r: &Self::Row) -> Self::Key;
    fn id(m: &Model<Self>) -> i64;
    /// How the audit log names the record ("school 100001").
    fn describe(m: &Model<Self>) -> String;
    /// The fields the row changes on a stored record, and the record with the row
    /// applied, not archived, stamped `t`.
    fn merge(m: &Model<Self>, r: &Self::Row, t: OffsetDateTime) -> (Vec<&'static str>, Active<Self>);
    /// A new record from the row, stamped `t`.
    fn create(r: &Self::Row, t: OffsetDateTime) -> Active<Self>;
    /// Whether the stored record is archived (an unchanged archived record is revived).
    fn archived(m: &Model<Self>) -> bool;
    /// Whether updating a stored record with the row owes work once every row is written.
    fn follows_up(_m: &Model<Self>, _r: &Self::Row) -> bool {
        false
    }
    /// That work, in the import's transaction, for the records `follows_up` named.
    fn follow_up(_store: &Store, _txn: &DatabaseTransaction, _ids: &[i64]) -> impl Future<Output = Result<()>> + Send {
        async { Ok(()) }
    }
}

impl Store {
    /// Imports rows of kind `T` matched by their key, all or nothing; `dry_run` rolls back.
    pub(crate) async fn import_keyed<T>(
        &self,
        actor: &Actor,
        rows: &[ImportedRow<T::Row>],
        dry_run: bool,
    ) -> Result<ImportReport>
    where
        T: KeyedImport,
        Active<T>: ActiveModelBehavior + Send,
        Model<T>: IntoActiveModel<Active<T>> + Send + Sync,
    {
        let txn = self.write().await?;
        let existing: HashMap<T::Key, Model<T>> = T::find()
            .all(&txn)
            .await?
            .into_iter()
            .map(|m| (T::stored_key(&m), m))
            .collect();
        let mut report = ImportReport {
            dry_run,
            ..Default::default()
        };
        let (noun, _) = T::KINDS;
        let t = now();
        let mut events = Vec::new();
        let mut inserts = Vec::new();
        let mut follow = Vec::new();
        for r in rows {
            match existing.get(&T::row_key(&r.row)) {
                Some(m) => {
                    if T::follows_up(m, &r.row) {
                        follow.push(T::id(m));
                    }
                    let (changed, a) = T::merge(m, &r.row, t);
                    if changed.is_empty() && !T::archived(m) {
                        report.note(r.line, Change::Unchanged);
                        continue;
                    }
                    a.update(&txn).await?;
                    let what = format!("{} (import)", T::describe(m));
                    events.push(audit::event(
                        actor,
                        Action::Update,
                        noun,
                        Some(T::id(m)),
                        change_summary(&what, &changed),
                    ));
                    report.note(r.line, Change::Updated);
                }
                None if T::AUDIT_EACH_CREATE => {
                    let m = T::create(&r.row, t).insert(&txn).await?;
                    let what = format!("{} (import)", T::describe(&m));
                    events.push(audit::event(actor, Action::Create, noun, Some(T::id(&m)), what));
                    report.note(r.line, Change::Created);
                }
                None => {
                    inserts.push(T::create(&r.row, t));
                    report.note(r.line, Change::Created);
                }
            }
        }
        // Multi-row statements, in chunks that stay under every backend's parameter limit.
        for chunk in inserts.chunks(500) {
            T::insert_many(chunk.to_vec()).exec_without_returning(&txn).await?;
        }
        if !follow.is_empty() {
            T::follow_up(self, &txn, &follow).await?;
        }
        finish(txn, actor, T::KINDS, rows.len(), &report, events).await?;
        Ok(report)
    }
}
