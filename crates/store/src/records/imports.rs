//! What an import did, and the shared rules of every import: all or nothing, matched by key,
//! unchanged rows left alone, a dry run that writes nothing.
use serde::Serialize;
use tutti_domain::csv::{
    CsvRow, ImportIssue, ImportedRow, InstrumentRow, PupilRow, SchoolRow, StaffRow, import, write,
};

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DatabaseTransaction, FromQueryResult};

use crate::Store;
use crate::entities::audit_event;
use crate::error::Result;
use crate::platform::audit::{self, Action, Actor};
use crate::query::all_of;

/// The outcome of importing one file. When `errors` is not empty nothing was written.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    #[serde(skip)]
    pub errors: Vec<ImportIssue>,
    pub dry_run: bool,
    /// What happened to each row, by line of the file, for a preview.
    #[serde(skip)]
    pub changes: Vec<(usize, Change)>,
}

/// What an import does to one row's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Created,
    Updated,
    Unchanged,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Created => "created",
            Change::Updated => "updated",
            Change::Unchanged => "unchanged",
        }
    }
}

impl ImportReport {
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// Counts a row's outcome and remembers it by line.
    pub(crate) fn note(&mut self, line: usize, change: Change) {
        match change {
            Change::Created => self.created += 1,
            Change::Updated => self.updated += 1,
            Change::Unchanged => self.unchanged += 1,
        }
        self.changes.push((line, change));
    }

    /// One line for people: "3 created, 1 updated, 6 unchanged".
    pub fn summary(&self) -> String {
        format!(
            "{} created, {} updated, {} unchanged",
            self.created, self.updated, self.unchanged
        )
    }
}

/// The names of the fields that differ between two renderings of a record, for the audit
/// log ("changed name, postcode"); values are left out because some are sensitive.
pub(crate) fn changed_fields(before: &[(&'static str, String)], after: &[(&'static str, String)]) -> Vec<&'static str> {
    before
        .iter()
        .zip(after)
        .filter(|(b, a)| b.1 != a.1)
        .map(|(b, _)| b.0)
        .collect()
}

pub(crate) fn change_summary(what: &str, changed: &[&str]) -> String {
    if changed.is_empty() {
        format!("{what}: saved with no changes")
    } else {
        format!("{what}: changed {}", changed.join(", "))
    }
}

/// The records that can be imported and exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    Schools,
    Pupils,
    Staff,
    Instruments,
}

impl RecordKind {
    pub const ALL: [RecordKind; 4] = [
        RecordKind::Schools,
        RecordKind::Pupils,
        RecordKind::Staff,
        RecordKind::Instruments,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Schools => "schools",
            RecordKind::Pupils => "pupils",
            RecordKind::Staff => "staff",
            RecordKind::Instruments => "instruments",
        }
    }

    pub fn parse(s: &str) -> Option<RecordKind> {
        RecordKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// The columns of this kind's file, in export order.
    pub fn columns(self) -> Vec<&'static str> {
        let cols = match self {
            RecordKind::Schools => SchoolRow::COLUMNS,
            RecordKind::Pupils => PupilRow::COLUMNS,
            RecordKind::Staff => StaffRow::COLUMNS,
            RecordKind::Instruments => InstrumentRow::COLUMNS,
        };
        cols.iter().map(|c| c.name).collect()
    }
}

/// A file read and, when it was clean, imported: the report plus the reader's warnings
/// (unknown columns, which are ignored).
#[derive(Debug, Clone, Default)]
pub struct CsvImport {
    pub report: ImportReport,
    pub warnings: Vec<ImportIssue>,
    pub rows: usize,
}

impl CsvImport {
    /// What importing a file of `rows` rows did.
    pub(crate) fn of(report: ImportReport, warnings: Vec<ImportIssue>, rows: usize) -> CsvImport {
        CsvImport { report, warnings, rows }
    }
}

/// A CSV file read for an import: its rows, the reader's warnings and the empty report the
/// import fills in; or, when the file has errors, the import already done (`Err`): its
/// errors reported and nothing written.
pub(crate) type CsvRead<T> = std::result::Result<(Vec<ImportedRow<T>>, Vec<ImportIssue>, ImportReport), CsvImport>;

/// Each record's id by its key, read by `sql` (`SELECT id, … AS key FROM …`), for matching
/// an import's rows to the records they name; `fold` spells each key as rows are matched.
pub(crate) async fn ids_by_key(
    conn: &impl ConnectionTrait,
    sql: &str,
    fold: fn(String) -> String,
) -> Result<HashMap<String, i64>> {
    #[derive(FromQueryResult)]
    struct Key {
        id: i64,
        key: String,
    }
    Ok(all_of::<Key>(conn, sql, [])
        .await?
        .into_iter()
        .map(|k| (fold(k.key), k.id))
        .collect())
}

/// Each pupil's id by their reference, upper-cased as an import's rows are matched.
pub(crate) async fn pupil_ids_by_ref(conn: &impl ConnectionTrait) -> Result<HashMap<String, i64>> {
    ids_by_key(conn, "SELECT id, pupil_ref AS key FROM pupils", |k| k.to_uppercase()).await
}

/// A problem with line `line` of a file, in `column`.
pub(crate) fn issue_at(line: usize, column: &str, message: String) -> ImportIssue {
    ImportIssue {
        line,
        column: Some(column.to_owned()),
        message,
    }
}

/// Reads a CSV file for an import (see `CsvRead`).
pub(crate) fn read_csv<T: CsvRow>(text: &str, dry_run: bool) -> CsvRead<T> {
    let outcome = import::<T>(text);
    let mut report = ImportReport {
        dry_run,
        ..Default::default()
    };
    if outcome.errors.is_empty() {
        Ok((outcome.rows, outcome.warnings, report))
    } else {
        report.errors = outcome.errors;
        Err(CsvImport::of(report, outcome.warnings, outcome.rows.len()))
    }
}

#[tutti_boxed::boxed]
impl Store {
    /// Reads a CSV file of `kind` and imports it whole or not at all. Any error in the file
    /// (by line and column) or against the database (an unknown school) means nothing is
    /// written; `dry_run` reports what would happen and writes nothing either way.
    pub async fn import_csv(&self, actor: &Actor, kind: RecordKind, text: &str, dry_run: bool) -> Result<CsvImport> {
        macro_rules! run {
            ($row:ty, $method:ident) => {{
                let (rows, warnings, _) = match read_csv::<$row>(text, dry_run) {
                    Ok(read) => read,
                    Err(failed) => return Ok(failed),
                };
                let report = self.$method(actor, &rows, dry_run).await?;
                Ok(CsvImport::of(report, warnings, rows.len()))
            }};
        }
        match kind {
            RecordKind::Schools => run!(SchoolRow, import_schools),
            RecordKind::Pupils => run!(PupilRow, import_pupils),
            RecordKind::Staff => run!(StaffRow, import_staff),
            RecordKind::Instruments => run!(InstrumentRow, import_instruments),
        }
    }

    /// Writes every record of `kind` as CSV with the import's columns; pupils go out in
    /// batches so that a national-sized hub streams. Returns the number of rows.
    pub async fn export_csv(&self, kind: RecordKind, out: &mut (dyn std::io::Write + Send)) -> Result<u64> {
        out.write_all(write([kind.columns()]).as_bytes())?;
        fn body<T: CsvRow>(rows: &[T]) -> String {
            write(rows.iter().map(|r| r.to_fields()))
        }
        let n = match kind {
            RecordKind::Schools => {
                let rows = self.export_schools().await?;
                out.write_all(body(&rows).as_bytes())?;
                rows.len() as u64
            }
            RecordKind::Staff => {
                let rows = self.export_staff().await?;
                out.write_all(body(&rows).as_bytes())?;
                rows.len() as u64
            }
            RecordKind::Instruments => {
                let rows = self.export_instruments().await?;
                out.write_all(body(&rows).as_bytes())?;
                rows.len() as u64
            }
            RecordKind::Pupils => {
                let mut failed = None;
                let n = self
                    .export_pupils(5_000, |rows| {
                        if failed.is_none()
                            && let Err(e) = out.write_all(body(&rows).as_bytes())
                        {
                            failed = Some(e);
                        }
                    })
                    .await?;
                if let Some(e) = failed {
                    return Err(e.into());
                }
                n
            }
        };
        Ok(n)
    }
}

/// The end every import shares: a file with any problem changes nothing (rolled back, no
/// audit); otherwise a summary event when anything changed, the audit trail written with the
/// rows, and then either commit or, for a dry run, roll everything back. `noun` is the record
/// kind in the audit log ("school"), `plural` its name in the summary.
pub(crate) async fn finish(
    txn: DatabaseTransaction,
    actor: &Actor,
    (noun, plural): (&str, &str),
    rows: usize,
    report: &ImportReport,
    mut events: Vec<audit_event::ActiveModel>,
) -> Result<()> {
    if !report.is_ok() {
        txn.rollback().await?;
        return Ok(());
    }
    if report.created + report.updated > 0 {
        events.push(audit::event(
            actor,
            Action::Import,
            noun,
            None,
            format!("{plural} imported ({rows} rows): {}", report.summary()),
        ));
    }
    audit::record_many(&txn, events).await?;
    if report.dry_run {
        txn.rollback().await?;
    } else {
        txn.commit().await?;
    }
    Ok(())
}
