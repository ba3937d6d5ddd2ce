//! `tutti import enrolments`: enrolments from a CSV file, all or nothing, matched on pupil and
//! instrument so that the same file twice changes nothing.
use std::collections::HashMap;

use sea_orm::{ConnectionTrait, FromQueryResult};
use tutti_domain::admissions::EnrolmentStatus;
use tutti_domain::csv::{EnrolmentRow, ImportedRow};
use tutti_domain::records::ImportRowProblem;

use crate::Store;
use crate::admissions::enrolments::{NewEnrolment, insert_enrolment};
use crate::error::Result;
use crate::platform::audit::{self, Action, Actor};
use crate::query::stmt;
use crate::records::imports::{Change, CsvImport, ImportReport, issue_at, read_csv};

#[derive(FromQueryResult)]
struct PupilKey {
    id: i64,
    pupil_ref: String,
    school_id: i64,
}

#[derive(FromQueryResult)]
struct StaffKey {
    id: i64,
    email: String,
}

#[derive(FromQueryResult)]
struct Current {
    id: i64,
    pupil_id: i64,
    instrument: String,
    lesson_type: String,
    minutes: i32,
    teacher_id: Option<i64>,
    school_id: Option<i64>,
    weekday: Option<i32>,
    start_minute: Option<i32>,
    start_date: time::Date,
    status: String,
}

#[tutti_boxed::boxed]
impl Store {
    /// Reads an enrolments CSV and imports it whole or not at all: any error in the file or
    /// against the database (an unknown pupil, teacher or school) means nothing is written.
    /// A row matches the pupil's current (active or awaiting) enrolment on that instrument.
    pub async fn import_enrolments_csv(&self, actor: &Actor, text: &str, dry_run: bool) -> Result<CsvImport> {
        let (rows, warnings, _) = match read_csv::<EnrolmentRow>(text, dry_run) {
            Ok(read) => read,
            Err(failed) => return Ok(failed),
        };
        let report = self.import_enrolments(actor, &rows, dry_run).await?;
        Ok(CsvImport::of(report, warnings, rows.len()))
    }

    async fn import_enrolments(
        &self,
        actor: &Actor,
        rows: &[ImportedRow<EnrolmentRow>],
        dry_run: bool,
    ) -> Result<ImportReport> {
        let mut report = ImportReport {
            dry_run,
            ..Default::default()
        };
        let txn = self.write().await?;
        let backend = txn.get_database_backend();
        let all = |sql: &str| stmt(backend, sql, []);
        let pupils: HashMap<String, PupilKey> = PupilKey::find_by_statement(all(
            "SELECT id, pupil_ref, school_id FROM pupils WHERE archived_at IS NULL",
        ))
        .all(&txn)
        .await?
        .into_iter()
        .map(|p| (p.pupil_ref.to_uppercase(), p))
        .collect();
        let staff: HashMap<String, i64> = StaffKey::find_by_statement(all("SELECT id, email FROM staff"))
            .all(&txn)
            .await?
            .into_iter()
            .map(|s| (s.email.to_lowercase(), s.id))
            .collect();
        let schools = Store::school_ids_by_urn(&txn).await?;
        let mut resolved = Vec::with_capacity(rows.len());
        for r in rows {
            let mut issue = |problem: ImportRowProblem| {
                report
                    .errors
                    .push(issue_at(r.line, problem.column(), problem.to_string()))
            };
            let pupil = pupils.get(&r.row.pupil_ref.to_uppercase());
            if pupil.is_none() {
                issue(ImportRowProblem::NoPupil {
                    pupil_ref: r.row.pupil_ref.clone(),
                });
            }
            let teacher = match &r.row.teacher_email {
                Some(email) => match staff.get(&email.to_string().to_lowercase()) {
                    Some(id) => Some(*id),
                    None => {
                        issue(ImportRowProblem::NoStaff {
                            email: email.to_string(),
                        });
                        None
                    }
                },
                None => None,
            };
            let school = match r.row.school_urn {
                Some(urn) => match schools.get(&(urn.get() as i32)) {
                    Some(id) => Some(*id),
                    None => {
                        issue(ImportRowProblem::NoSchool { urn });
                        None
                    }
                },
                None => None,
            };
            if let Some(p) = pupil {
                resolved.push((
                    r.line,
                    NewEnrolment {
                        pupil_id: p.id,
                        instrument: r.row.instrument.trim().to_owned(),
                        lesson_type: r.row.lesson_type,
                        minutes: r.row.minutes,
                        start_date: r.row.start_date,
                        teacher_id: teacher,
                        school_id: Some(school.unwrap_or(p.school_id)),
                        weekday: r.row.weekday.map(|w| w.number_from_monday()),
                        start_minute: r.row.start_time.map(|t| t.0),
                    },
                ));
            }
        }
        if !report.is_ok() {
            txn.rollback().await?;
            return Ok(report);
        }

        let current: HashMap<(i64, String), Current> = Current::find_by_statement(all(
            "SELECT id, pupil_id, instrument, lesson_type, minutes, teacher_id, school_id, weekday, start_minute, \
             start_date, status FROM enrolments WHERE status IN ('active', 'awaiting') ORDER BY id",
        ))
        .all(&txn)
        .await?
        .into_iter()
        .map(|c| ((c.pupil_id, c.instrument.to_lowercase()), c))
        .collect();
        let mut events = Vec::new();
        for (line, e) in &resolved {
            let status = EnrolmentStatus::new(e.is_placed()).as_str();
            match current.get(&(e.pupil_id, e.instrument.to_lowercase())) {
                Some(c) => {
                    let same = c.lesson_type == e.lesson_type.as_str()
                        && c.minutes == i32::from(e.minutes)
                        && c.teacher_id == e.teacher_id
                        && c.school_id == e.school_id
                        && c.weekday == e.weekday.map(i32::from)
                        && c.start_minute == e.start_minute.map(i32::from)
                        && c.start_date == e.start_date
                        && c.status == status;
                    if same {
                        report.note(*line, Change::Unchanged);
                        continue;
                    }
                    txn.execute_raw(stmt(
                        backend,
                        "UPDATE enrolments SET lesson_type = ?, minutes = ?, teacher_id = ?, school_id = ?, weekday = ?, \
                         start_minute = ?, start_date = ?, status = ? WHERE id = ?",
                        [
                            e.lesson_type.as_str().into(),
                            i32::from(e.minutes).into(),
                            e.teacher_id.into(),
                            e.school_id.into(),
                            e.weekday.map(i32::from).into(),
                            e.start_minute.map(i32::from).into(),
                            e.start_date.into(),
                            status.into(),
                            c.id.into(),
                        ],
                    ))
                    .await?;
                    events.push(audit::event(
                        actor,
                        Action::Update,
                        "enrolment",
                        Some(c.id),
                        format!("enrolment {} (import): {} {}", c.id, e.instrument, status),
                    ));
                    report.note(*line, Change::Updated);
                }
                None => {
                    let id = insert_enrolment(&txn, e, e.school_id.unwrap_or_default()).await?;
                    events.push(audit::event(
                        actor,
                        Action::Create,
                        "enrolment",
                        Some(id),
                        format!("pupil {} enrolled for {} (import, {status})", e.pupil_id, e.instrument),
                    ));
                    report.note(*line, Change::Created);
                }
            }
        }
        crate::records::imports::finish(txn, actor, ("enrolment", "enrolments"), rows.len(), &report, events).await?;
        Ok(report)
    }
}
