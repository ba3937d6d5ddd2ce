//! Importing a CSV file of records matched by a natural key (a school's URN, a teacher's
//! email, an instrument's serial): the one loop every simple record kind shares.
//!
//! A row whose key is stored updates that record (and brings it back if archived) unless
//! nothing changed; a new key creates a record. Everything happens in one transaction that
//! a dry run rolls back, so a file is taken whole or not at all.
use std::collections::HashMap;
use std::hash::Hash;

use std::str::FromStr;

use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, ModelTrait, QueryOrder,
    Value,
};
use time::OffsetDateTime;
use tutti_domain::csv::ImportedRow;

use crate::error::Result;
use crate::platform::audit::{self, Action, Actor};
use crate::records::imports::{Change, ImportReport, change_summary, changed_fields, finish};
use crate::{Store, now};

type Model<T> = <T as EntityTrait>::Model;
type Active<T> = <T as EntityTrait>::ActiveModel;

/// How one kind of record (its entity) is matched, compared and written by an import. The
/// columns every record kind has (`id`, `archived_at`, `created_at`, `updated_at`) are read
/// and stamped here, by name, not by each kind.
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
    /// How the audit log names the record ("school 100001").
    fn describe(m: &Model<Self>) -> String;
    /// The stored record as the row that would produce it.
    fn stored_row(m: &Model<Self>) -> Self::Row;
    /// A row's values by field name, for saying which fields an import changes.
    fn fields(r: &Self::Row) -> Vec<(&'static str, String)>;
    /// Writes the row's values onto a record.
    fn apply(a: &mut Active<Self>, r: &Self::Row);
    /// What a record new to the hub holds before its row is applied (a status, defaults).
    fn fresh() -> Active<Self> {
        <Active<Self> as ActiveModelTrait>::default()
    }

    /// The fields the row changes on a stored record, and the record with the row applied.
    fn merge(m: &Model<Self>, r: &Self::Row) -> (Vec<&'static str>, Active<Self>)
    where
        Model<Self>: IntoActiveModel<Active<Self>>,
    {
        let changed = changed_fields(&Self::fields(&Self::stored_row(m)), &Self::fields(r));
        let mut a = m.clone().into_active_model();
        Self::apply(&mut a, r);
        (changed, a)
    }
    /// Whether updating a stored record with the row owes work once every row is written.
    fn follows_up(_m: &Model<Self>, _r: &Self::Row) -> bool {
        false
    }
    /// That work, in the import's transaction, for the records `follows_up` named.
    fn follow_up(_store: &Store, _txn: &DatabaseTransaction, _ids: &[i64]) -> impl Future<Output = Result<()>> + Send {
        async { Ok(()) }
    }
}

/// A column every record kind has, by its name.
fn column<T: KeyedImport>(name: &str) -> T::Column {
    T::Column::from_str(name).unwrap_or_else(|_| panic!("every record kind has the column {name}"))
}

fn id_of<T: KeyedImport>(m: &Model<T>) -> i64 {
    match m.get(column::<T>("id")) {
        Value::BigInt(Some(id)) => id,
        other => panic!("a record's id is a number, not {other:?}"),
    }
}

fn archived<T: KeyedImport>(m: &Model<T>) -> bool {
    !matches!(m.get(column::<T>("archived_at")), Value::TimeDateTimeWithTimeZone(None))
}

/// A record brought up to date at `t` (and back from the archive, if it was there); a new
/// one is also created at `t`.
fn stamp<T: KeyedImport>(a: &mut Active<T>, t: OffsetDateTime, new: bool) {
    a.set(column::<T>("archived_at"), Value::TimeDateTimeWithTimeZone(None));
    a.set(column::<T>("updated_at"), t.into());
    if new {
        a.set(column::<T>("created_at"), t.into());
    }
}

/// A new record from the row, created at `t`.
fn created<T: KeyedImport>(r: &T::Row, t: OffsetDateTime) -> Active<T> {
    let mut a = T::fresh();
    T::apply(&mut a, r);
    stamp::<T>(&mut a, t, true);
    a
}

impl Store {
    /// Every record of kind `T` (archived ones too) as the row that would produce it, in the
    /// order of column `by` (its key's): what an export writes.
    pub(crate) async fn export_keyed<T: KeyedImport>(&self, by: T::Column) -> Result<Vec<T::Row>> {
        Ok(T::find()
            .order_by_asc(by)
            .all(self.conn())
            .await?
            .iter()
            .map(T::stored_row)
            .collect())
    }

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
                        follow.push(id_of::<T>(m));
                    }
                    let (changed, mut a) = T::merge(m, &r.row);
                    if changed.is_empty() && !archived::<T>(m) {
                        report.note(r.line, Change::Unchanged);
                        continue;
                    }
                    stamp::<T>(&mut a, t, false);
                    a.update(&txn).await?;
                    let what = format!("{} (import)", T::describe(m));
                    events.push(audit::event(
                        actor,
                        Action::Update,
                        noun,
                        Some(id_of::<T>(m)),
                        change_summary(&what, &changed),
                    ));
                    report.note(r.line, Change::Updated);
                }
                None if T::AUDIT_EACH_CREATE => {
                    let m = created::<T>(&r.row, t).insert(&txn).await?;
                    let what = format!("{} (import)", T::describe(&m));
                    events.push(audit::event(actor, Action::Create, noun, Some(id_of::<T>(&m)), what));
                    report.note(r.line, Change::Created);
                }
                None => {
                    inserts.push(created::<T>(&r.row, t));
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
