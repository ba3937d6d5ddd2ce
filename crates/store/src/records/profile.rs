//! The 360° record: what the hub knows about one pupil, family (guardian), school or teacher,
//! read in sections, each one query however many rows it holds, for the office's record pages.
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use serde::Serialize;
use time::Date;
use tutti_domain::calendar::{AcademicYear, SchoolCalendar, TermDates};

use crate::Store;
use crate::error::Result;
use crate::query::all_of;

/// Another child sharing a guardian with the pupil.
#[derive(Debug, Clone, Serialize, FromQueryResult, PartialEq, Eq)]
pub struct Sibling {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub school_name: String,
}

/// One enrolment with where and when it is taught, and its next lesson.
#[derive(Debug, Clone, Serialize, FromQueryResult, PartialEq, Eq)]
pub struct EnrolmentLine {
    pub id: i64,
    pub pupil_id: i64,
    pub pupil_name: String,
    pub instrument: String,
    pub lesson_type: String,
    pub minutes: i32,
    pub status: String,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub group_id: Option<i64>,
    pub weekday: Option<i32>,
    pub start_minute: Option<i32>,
    pub teacher_id: Option<i64>,
    pub teacher_name: Option<String>,
    pub school_name: Option<String>,
    /// The first lesson from today still to be given.
    pub next_lesson: Option<Date>,
}

/// A register mark.
#[derive(Debug, Clone, Serialize, FromQueryResult, PartialEq, Eq)]
pub struct MarkLine {
    pub day: Date,
    pub start_minute: i32,
    pub instrument: String,
    pub mark: String,
}

/// How many of one mark.
#[derive(Debug, Clone, Serialize, FromQueryResult, PartialEq, Eq)]
pub struct MarkCount {
    pub mark: String,
    pub n: i64,
}

/// A progress report, in brief.
#[derive(Debug, Clone, Serialize, FromQueryResult, PartialEq, Eq)]
pub struct ReportLine {
    pub id: i64,
    pub term: String,
    pub teacher_name: String,
    pub status: String,
    pub body: String,
}

/// An invoice with its balance.
#[derive(Debug, Clone, Serialize, FromQueryResult, PartialEq, Eq)]
pub struct InvoiceLine {
    pub id: i64,
    pub number: String,
    pub payer_name: String,
    pub term: String,
    pub issued_on: Date,
    pub total_pence: i64,
    pub status: String,
    /// Payments and credits less refunds.
    pub settled_pence: i64,
}

impl InvoiceLine {
    pub fn balance_pence(&self) -> i64 {
        if self.status == "cancelled" {
            0
        } else {
            self.total_pence - self.settled_pence
        }
    }
}

/// Money moved on an invoice.
#[derive(Debug, Clone, Serialize, FromQueryResult, PartialEq, Eq)]
pub struct PaymentLine {
    pub invoice_id: i64,
    pub number: String,
    pub kind: String,
    pub method: String,
    pub amount_pence: i64,
    pub received_on: Date,
}

/// An application for lessons and any offer made on it.
#[derive(Debug, Clone, Serialize, FromQueryResult, PartialEq, Eq)]
pub struct ApplicationLine {
    pub id: i64,
    pub instrument: String,
    pub lesson_type: String,
    pub minutes: i32,
    pub status: String,
    pub offer_start_date: Option<Date>,
    pub offer_expires_on: Option<Date>,
}

/// One event of a record's audit trail.
#[derive(Debug, Clone, Serialize, FromQueryResult, PartialEq, Eq)]
pub struct TrailLine {
    pub at: time::OffsetDateTime,
    pub actor: String,
    pub action: String,
    pub summary: String,
}

/// Everything on a pupil's record beyond their details, guardians and loans (which their own
/// queries give).
#[derive(Debug, Clone, Serialize)]
pub struct PupilProfile {
    pub siblings: Vec<Sibling>,
    pub enrolments: Vec<EnrolmentLine>,
    pub recent_marks: Vec<MarkLine>,
    /// The term the counts are for: the one today is in, or the last one begun.
    pub term: TermDates,
    pub mark_counts: Vec<MarkCount>,
    pub reports: Vec<ReportLine>,
    pub invoices: Vec<InvoiceLine>,
    pub payments: Vec<PaymentLine>,
    pub applications: Vec<ApplicationLine>,
    pub trail: Vec<TrailLine>,
}

/// A guardian's family: their details, children, invoices and payments.
#[derive(Debug, Clone, Serialize, FromQueryResult, PartialEq, Eq)]
pub struct GuardianDetails {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub address: String,
}

/// A guardian's children as their family record lists them.
#[derive(Debug, Clone, Serialize, FromQueryResult, PartialEq, Eq)]
pub struct Child {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub school_name: String,
    pub archived: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct FamilyProfile {
    pub guardian: GuardianDetails,
    pub children: Vec<Child>,
    pub enrolments: Vec<EnrolmentLine>,
    pub invoices: Vec<InvoiceLine>,
    pub payments: Vec<PaymentLine>,
}

/// A teaching group: when and where, who teaches it and how many learn in it.
#[derive(Debug, Clone, Serialize, FromQueryResult, PartialEq, Eq)]
pub struct GroupLine {
    pub id: i64,
    pub weekday: i32,
    pub start_minute: i32,
    pub minutes: i32,
    pub instrument: String,
    pub lesson_type: String,
    pub teacher_name: String,
    pub school_name: String,
    pub pupils: i64,
}

/// Pupils of a school learning one instrument.
#[derive(Debug, Clone, Serialize, FromQueryResult, PartialEq, Eq)]
pub struct InstrumentCount {
    pub instrument: String,
    pub n: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SchoolProfile {
    pub learning: Vec<InstrumentCount>,
    pub groups: Vec<GroupLine>,
    pub invoices: Vec<InvoiceLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TeacherProfile {
    pub groups: Vec<GroupLine>,
    pub enrolments: Vec<EnrolmentLine>,
    /// Minutes taught a week, summed over the groups.
    pub weekly_minutes: i64,
}

const ENROLMENT_SQL: &str = "SELECT e.id, e.pupil_id, p.first_name || ' ' || p.last_name AS pupil_name, \
     e.instrument, e.lesson_type, e.minutes, e.status, e.start_date, e.end_date, \
     g.id AS group_id, COALESCE(g.weekday, e.weekday) AS weekday, COALESCE(g.start_minute, e.start_minute) AS start_minute, \
     t.id AS teacher_id, t.first_name || ' ' || t.last_name AS teacher_name, s.name AS school_name, \
     (SELECT MIN(d.day) FROM dated_lessons d WHERE d.group_id = g.id AND d.day >= ? AND d.status = 'scheduled' \
        AND (e.end_date IS NULL OR d.day <= e.end_date)) AS next_lesson \
     FROM enrolments e JOIN pupils p ON p.id = e.pupil_id \
     LEFT JOIN group_members gm ON gm.enrolment_id = e.id \
     LEFT JOIN teaching_groups g ON g.id = gm.group_id \
     LEFT JOIN staff t ON t.id = COALESCE(g.teacher_id, e.teacher_id) \
     LEFT JOIN schools s ON s.id = COALESCE(g.school_id, e.school_id)";

/// Invoices with their balances; the WHERE is the caller's.
const INVOICE_SQL: &str = "SELECT i.id, i.number, i.payer_name, i.term, i.issued_on, i.total_pence, i.status, \
     CAST(COALESCE((SELECT SUM(pm.amount_pence) FROM payments pm WHERE pm.invoice_id = i.id), 0) AS BIGINT) AS settled_pence \
     FROM invoices i";

const PAYMENT_SQL: &str = "SELECT pm.invoice_id, i.number, pm.kind, pm.method, pm.amount_pence, pm.received_on \
     FROM payments pm JOIN invoices i ON i.id = pm.invoice_id";

const GROUP_SQL: &str = "SELECT g.id, g.weekday, g.start_minute, g.minutes, g.instrument, g.lesson_type, \
     t.first_name || ' ' || t.last_name AS teacher_name, s.name AS school_name, \
     (SELECT COUNT(*) FROM group_members gm JOIN enrolments e ON e.id = gm.enrolment_id \
        WHERE gm.group_id = g.id AND e.status IN ('active', 'leaving')) AS pupils \
     FROM teaching_groups g JOIN staff t ON t.id = g.teacher_id JOIN schools s ON s.id = g.school_id";

/// The invoices a pupil's lessons or hire are charged on: theirs through a line.
const PUPIL_INVOICES: &str = "i.id IN (SELECT l.invoice_id FROM invoice_lines l WHERE l.pupil_id = ?)";

/// The invoices a guardian pays.
const GUARDIAN_INVOICES: &str = "i.payer_kind = 'parent' AND i.payer_id = ?";

async fn all<T: FromQueryResult>(conn: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Result<Vec<T>> {
    all_of::<T>(conn, sql, values).await
}

/// The term whose marks a record counts: the one `today` is in, else the last begun.
pub fn term_of(today: Date) -> TermDates {
    let this = SchoolCalendar::local_authority_default(AcademicYear::containing(today));
    let year = AcademicYear::containing(today);
    let terms = tutti_domain::calendar::default_term_dates(year);
    this.term_containing(today)
        .copied()
        .or_else(|| terms.iter().rev().find(|t| t.dates.first <= today).copied())
        .unwrap_or(terms[0])
}

#[tutti_boxed::boxed]
impl Store {
    /// A pupil's record in sections, as of `today`.
    pub async fn pupil_profile(&self, id: i64, today: Date) -> Result<PupilProfile> {
        let c = self.conn();
        let term = term_of(today);
        Ok(PupilProfile {
            siblings: all(
                c,
                "SELECT DISTINCT p.id, p.first_name, p.last_name, s.name AS school_name FROM pupils p \
                 JOIN schools s ON s.id = p.school_id JOIN pupil_guardians pg ON pg.pupil_id = p.id \
                 WHERE pg.guardian_id IN (SELECT guardian_id FROM pupil_guardians WHERE pupil_id = ?) \
                 AND p.id <> ? ORDER BY p.first_name, p.id",
                vec![id.into(), id.into()],
            )
            .await?,
            enrolments: all(
                c,
                &format!("{ENROLMENT_SQL} WHERE e.pupil_id = ? ORDER BY e.start_date DESC, e.id DESC"),
                vec![today.into(), id.into()],
            )
            .await?,
            recent_marks: all(
                c,
                "SELECT d.day, d.start_minute, g.instrument, r.mark FROM register_marks r \
                 JOIN dated_lessons d ON d.id = r.dated_lesson_id JOIN teaching_groups g ON g.id = d.group_id \
                 WHERE r.pupil_id = ? ORDER BY d.day DESC, d.start_minute DESC LIMIT 10",
                vec![id.into()],
            )
            .await?,
            mark_counts: all(
                c,
                "SELECT r.mark, COUNT(*) AS n FROM register_marks r JOIN dated_lessons d ON d.id = r.dated_lesson_id \
                 WHERE r.pupil_id = ? AND d.day >= ? AND d.day <= ? GROUP BY r.mark ORDER BY r.mark",
                vec![id.into(), term.dates.first.into(), term.dates.last.into()],
            )
            .await?,
            term,
            reports: all(
                c,
                "SELECT r.id, r.term, t.first_name || ' ' || t.last_name AS teacher_name, r.status, r.body \
                 FROM pupil_reports r JOIN staff t ON t.id = r.teacher_id WHERE r.pupil_id = ? \
                 ORDER BY r.term DESC, r.id DESC LIMIT 3",
                vec![id.into()],
            )
            .await?,
            invoices: all(
                c,
                &format!("{INVOICE_SQL} WHERE {PUPIL_INVOICES} ORDER BY i.issued_on DESC, i.id DESC"),
                vec![id.into()],
            )
            .await?,
            payments: all(
                c,
                &format!(
                    "{PAYMENT_SQL} WHERE {} ORDER BY pm.received_on DESC, pm.id DESC LIMIT 20",
                    PUPIL_INVOICES.replace("i.id", "pm.invoice_id")
                ),
                vec![id.into()],
            )
            .await?,
            applications: all(
                c,
                "SELECT id, instrument, lesson_type, minutes, status, offer_start_date, offer_expires_on \
                 FROM applications WHERE pupil_id = ? ORDER BY applied_at DESC, id DESC",
                vec![id.into()],
            )
            .await?,
            trail: self.trail("pupil", id).await?,
        })
    }

    /// The last twenty events of a record's audit trail, newest first.
    pub async fn trail(&self, entity: &str, id: i64) -> Result<Vec<TrailLine>> {
        all(
            self.conn(),
            // A user who acted is kept by id and named by their login as it is now (decision 0088).
            "SELECT a.at, COALESCE(u.email, a.actor) AS actor, a.action, a.summary FROM audit_events a \
             LEFT JOIN users u ON u.id = a.user_id WHERE a.entity = ? AND a.entity_id = ? \
             ORDER BY a.id DESC LIMIT 20",
            vec![entity.into(), id.into()],
        )
        .await
    }

    /// A guardian's family record; `None` if there is no such guardian.
    pub async fn family_profile(&self, guardian_id: i64, today: Date) -> Result<Option<FamilyProfile>> {
        let c = self.conn();
        let Some(guardian) = all::<GuardianDetails>(
            c,
            "SELECT id, name, email, phone, address FROM guardians WHERE id = ?",
            vec![guardian_id.into()],
        )
        .await?
        .pop() else {
            return Ok(None);
        };
        let children_of = "e.pupil_id IN (SELECT pupil_id FROM pupil_guardians WHERE guardian_id = ?)";
        Ok(Some(FamilyProfile {
            guardian,
            children: all(
                c,
                "SELECT p.id, p.first_name, p.last_name, s.name AS school_name, \
                 CASE WHEN p.archived_at IS NULL THEN FALSE ELSE TRUE END AS archived \
                 FROM pupils p JOIN schools s ON s.id = p.school_id JOIN pupil_guardians pg ON pg.pupil_id = p.id \
                 WHERE pg.guardian_id = ? ORDER BY p.first_name, p.id",
                vec![guardian_id.into()],
            )
            .await?,
            enrolments: all(
                c,
                &format!(
                    "{ENROLMENT_SQL} WHERE {children_of} AND e.status IN ('active', 'leaving', 'awaiting') \
                     ORDER BY p.first_name, e.start_date DESC"
                ),
                vec![today.into(), guardian_id.into()],
            )
            .await?,
            invoices: all(
                c,
                &format!("{INVOICE_SQL} WHERE {GUARDIAN_INVOICES} ORDER BY i.issued_on DESC, i.id DESC"),
                vec![guardian_id.into()],
            )
            .await?,
            payments: all(
                c,
                &format!(
                    "{PAYMENT_SQL} WHERE i.payer_kind = 'parent' AND i.payer_id = ? \
                     ORDER BY pm.received_on DESC, pm.id DESC LIMIT 20"
                ),
                vec![guardian_id.into()],
            )
            .await?,
        }))
    }

    /// A school's record beyond its details and contacts.
    pub async fn school_profile(&self, school_id: i64) -> Result<SchoolProfile> {
        let c = self.conn();
        Ok(SchoolProfile {
            learning: all(
                c,
                "SELECT e.instrument, COUNT(DISTINCT e.pupil_id) AS n FROM enrolments e JOIN pupils p ON p.id = e.pupil_id \
                 WHERE p.school_id = ? AND e.status IN ('active', 'leaving') GROUP BY e.instrument ORDER BY e.instrument",
                vec![school_id.into()],
            )
            .await?,
            groups: all(
                c,
                &format!("{GROUP_SQL} WHERE g.school_id = ? ORDER BY g.weekday, g.start_minute, g.id"),
                vec![school_id.into()],
            )
            .await?,
            invoices: all(
                c,
                &format!(
                    "{INVOICE_SQL} WHERE i.payer_kind = 'school' AND i.payer_id = ? ORDER BY i.issued_on DESC, i.id DESC"
                ),
                vec![school_id.into()],
            )
            .await?,
        })
    }

    /// A teacher's record beyond their details: groups by day, pupils and weekly hours.
    pub async fn teacher_profile(&self, staff_id: i64, today: Date) -> Result<TeacherProfile> {
        let c = self.conn();
        let groups: Vec<GroupLine> = all(
            c,
            &format!("{GROUP_SQL} WHERE g.teacher_id = ? ORDER BY g.weekday, g.start_minute, g.id"),
            vec![staff_id.into()],
        )
        .await?;
        Ok(TeacherProfile {
            weekly_minutes: groups.iter().map(|g| i64::from(g.minutes)).sum(),
            groups,
            enrolments: all(
                c,
                &format!(
                    "{ENROLMENT_SQL} WHERE COALESCE(g.teacher_id, e.teacher_id) = ? AND e.status IN ('active', 'leaving') \
                     ORDER BY p.last_name, p.first_name, e.id"
                ),
                vec![today.into(), staff_id.into()],
            )
            .await?,
        })
    }
}
