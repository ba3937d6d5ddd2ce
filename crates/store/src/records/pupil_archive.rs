//! Archiving a pupil consistently (decision 0078): their enrolments end on the archive day,
//! or at the end of the current term if the office chooses, so registers stop listing them for
//! lessons after that day and billing reads them as any leaver; past marks and issued invoices
//! stay; an instrument still on loan to them must come back first. What it will change is
//! read first (`pupil_archive_plan`), shown, and then done in one transaction.
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;
use time::Date;
use tutti_domain::calendar::AcademicYear;
use tutti_domain::records::RecordRefusal;

use crate::Store;
use crate::error::{Result, StoreError};
use crate::platform::audit::{self, Action, Actor};
use crate::query::{Count, all_of, one_of, stmt};
use crate::records::archive::archive_pupil_in;
use crate::teaching::lessons::Calendars;

/// When an archived pupil's lessons end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum LessonsEnd {
    /// On the archive day: no lessons after it.
    #[default]
    Today,
    /// On the last day of the term the archive day is in (at the pupil's school).
    EndOfTerm,
}

impl LessonsEnd {
    pub fn parse(s: &str) -> Option<LessonsEnd> {
        match s {
            "today" => Some(LessonsEnd::Today),
            "term" => Some(LessonsEnd::EndOfTerm),
            _ => None,
        }
    }
}

/// An enrolment the archive ends.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct EndingEnrolment {
    pub id: i64,
    pub instrument: String,
    pub status: String,
    pub start_date: Date,
    pub end_date: Option<Date>,
}

/// An instrument on loan to the pupil: it must be returned before the pupil is archived.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct OpenLoan {
    pub id: i64,
    pub serial: String,
    pub instrument_type: String,
}

/// An invoice with a line for the pupil not yet paid: it stays, and is still owed.
#[derive(Debug, Clone, FromQueryResult, Serialize)]
pub struct OpenInvoice {
    pub id: i64,
    pub number: String,
    pub total_pence: i64,
    pub status: String,
}

/// What archiving a pupil will change, read before the office confirms.
#[derive(Debug, Clone, Serialize)]
pub struct ArchivePlan {
    pub pupil_id: i64,
    /// The last day of lessons.
    pub end_date: Date,
    pub enrolments: Vec<EndingEnrolment>,
    /// Register lessons after `end_date` the pupil is on and not yet marked: they leave them.
    pub future_lessons: u64,
    pub open_loans: Vec<OpenLoan>,
    pub open_invoices: Vec<OpenInvoice>,
    pub already_archived: bool,
    #[serde(skip)]
    pupil_ref: String,
}

impl ArchivePlan {
    /// Whether the archive is refused until something is done first (a loan returned).
    pub fn blocked(&self) -> bool {
        !self.open_loans.is_empty()
    }
}

#[derive(FromQueryResult)]
struct PupilAt {
    pupil_ref: String,
    school_id: i64,
    archived: bool,
}

/// The enrolments that still run after `end`: active, awaiting or leaving later.
const ENDING: &str = "FROM enrolments e WHERE e.pupil_id = ? AND e.status IN ('active', 'awaiting', 'leaving') \
                      AND (e.end_date IS NULL OR e.end_date > ?)";

async fn plan_in(conn: &impl ConnectionTrait, pupil_id: i64, today: Date, ends: LessonsEnd) -> Result<ArchivePlan> {
    let _backend = conn.get_database_backend();
    let pupil = one_of::<PupilAt>(
        conn,
        "SELECT pupil_ref, school_id, (archived_at IS NOT NULL) AS archived FROM pupils WHERE id = ?",
        [pupil_id.into()],
    )
    .await?
    .ok_or(StoreError::NotFound)?;
    let end_date = match ends {
        LessonsEnd::Today => today,
        LessonsEnd::EndOfTerm => {
            let calendars = Calendars::load(conn).await?;
            let year = AcademicYear::containing(today);
            year.terms()
                .into_iter()
                .filter_map(|t| calendars.calendar(pupil.school_id, t))
                .flat_map(|c| c.terms)
                .find(|t| t.dates.first <= today && today <= t.dates.last)
                .map(|t| t.dates.last)
                // In a holiday there is no term to finish: lessons end today.
                .unwrap_or(today)
        }
    };
    let enrolments = all_of::<EndingEnrolment>(
        conn,
        &format!("SELECT e.id, e.instrument, e.status, e.start_date, e.end_date {ENDING} ORDER BY e.id"),
        [pupil_id.into(), end_date.into()],
    )
    .await?;
    let future_lessons = one_of::<Count>(
        conn,
        &format!(
            "SELECT COUNT(*) AS n FROM dated_lessons d JOIN group_members gm ON gm.group_id = d.group_id \
             JOIN enrolments e ON e.id = gm.enrolment_id \
             WHERE e.id IN (SELECT e.id {ENDING}) AND d.day > ? \
             AND e.start_date <= d.day AND (e.end_date IS NULL OR e.end_date >= d.day) \
             AND NOT EXISTS (SELECT 1 FROM register_marks r WHERE r.dated_lesson_id = d.id AND r.pupil_id = e.pupil_id)"
        ),
        [pupil_id.into(), end_date.into(), end_date.into()],
    )
    .await?
    .map(|c| c.n.max(0) as u64)
    .unwrap_or(0);
    let open_loans = all_of::<OpenLoan>(
        conn,
        "SELECT l.id, i.serial, i.instrument_type FROM instrument_loans l JOIN instruments i ON i.id = l.instrument_id \
         WHERE l.pupil_id = ? AND l.status = 'on-loan' ORDER BY l.id",
        [pupil_id.into()],
    )
    .await?;
    let open_invoices = all_of::<OpenInvoice>(
        conn,
        "SELECT i.id, i.number, i.total_pence, i.status FROM invoices i \
         WHERE i.id IN (SELECT invoice_id FROM invoice_lines WHERE pupil_id = ?) \
         AND i.status IN ('issued', 'part_paid') ORDER BY i.id",
        [pupil_id.into()],
    )
    .await?;
    Ok(ArchivePlan {
        pupil_id,
        end_date,
        enrolments,
        future_lessons,
        open_loans,
        open_invoices,
        already_archived: pupil.archived,
        pupil_ref: pupil.pupil_ref,
    })
}

#[tutti_boxed::boxed]
impl Store {
    /// Archives a pupil by the consistent rule (decision 0078): their lessons end today.
    pub async fn archive_pupil(&self, actor: &Actor, id: i64) -> Result<()> {
        self.archive_pupil_ending(actor, id, LessonsEnd::Today).await.map(drop)
    }

    /// What archiving pupil `pupil_id` today would change, with lessons ending as `ends` says.
    pub async fn pupil_archive_plan(&self, pupil_id: i64, ends: LessonsEnd) -> Result<ArchivePlan> {
        plan_in(self.conn(), pupil_id, self.today(), ends).await
    }

    /// Archives a pupil by the stated rule, in one transaction: each enrolment still running
    /// after the last day of lessons ends on it (an active one is leaving until then), which
    /// takes the pupil off every later register lesson; the pupil is archived, their logins
    /// closed, and both audited. Refused while an instrument is on loan to them.
    pub async fn archive_pupil_ending(&self, actor: &Actor, pupil_id: i64, ends: LessonsEnd) -> Result<ArchivePlan> {
        let txn = self.write().await?;
        let plan = plan_in(&txn, pupil_id, self.today(), ends).await?;
        if let Some(loan) = plan.open_loans.first() {
            return Err(RecordRefusal::PupilHasLoan {
                serial: loan.serial.clone(),
            }
            .into());
        }
        let backend = txn.get_database_backend();
        for e in &plan.enrolments {
            // An enrolment that would start after the last day never starts: it ends the day
            // before, so no register or term ever reads it.
            let end = if e.start_date > plan.end_date {
                e.start_date.previous_day().unwrap_or(e.start_date)
            } else {
                plan.end_date
            };
            let status = if e.status == "active" {
                "leaving"
            } else {
                e.status.as_str()
            };
            txn.execute_raw(stmt(
                backend,
                "UPDATE enrolments SET end_date = ?, status = ? WHERE id = ?",
                [end.into(), status.into(), e.id.into()],
            ))
            .await?;
            let what = format!("{} lessons end on {end}: the pupil was archived", e.instrument);
            audit::record(&txn, actor, Action::Update, "enrolment", Some(e.id), what).await?;
        }
        archive_pupil_in(&txn, actor, pupil_id, &plan.pupil_ref, self.now()).await?;
        txn.commit().await?;
        self.session_cache.clear();
        Ok(plan)
    }
}
