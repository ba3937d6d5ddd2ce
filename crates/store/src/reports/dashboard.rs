//! The manager's dashboard and a school's own: a year (to today) at a glance, one query (or a
//! pair) a section so that each stays fast on a Durham-sized hub, aggregated in SQL where the
//! database can count and in Rust only where a rule of the domain decides (the guarantee's
//! outlook, how old a debt is, what a line remitted). Decision 0092.
use std::collections::BTreeMap;

use sea_orm::{FromQueryResult, Value};
use serde::Serialize;
use time::Date;
use tutti_domain::Pence;
use tutti_domain::calendar::AcademicYear;
use tutti_domain::charging::remission_in_rule;
use tutti_domain::ensembles::EnsembleKind;
use tutti_domain::guarantee::{GuaranteeOutlook, GuaranteePolicy, RegisterMark};
use tutti_domain::payments::debt::{AGE_BANDS, Due, age_band, overdue_since};
use tutti_domain::staff::{CheckStatus, check_status};

use crate::Store;
use crate::error::Result;
use crate::query::{Count, all_of, one_of};
use crate::records::staff::{DBS_RENEW_YEARS, SAFEGUARDING_RENEW_YEARS, WARN_DAYS};

/// The days a dashboard covers: the academic year containing today, from its first day to today.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Span {
    pub year: AcademicYear,
    pub from: Date,
    pub to: Date,
}

impl Span {
    pub fn to_today(today: Date) -> Span {
        let year = AcademicYear::containing(today);
        Span {
            year,
            from: year.first_day(),
            to: today,
        }
    }
}

/// Pupils taught and lessons delivered against the guarantee.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Teaching {
    /// Distinct pupils with a taught enrolment this year.
    pub pupils_taught: i64,
    /// Dated lessons so far this year, by what happened.
    pub lessons_given: i64,
    pub lessons_missed_by_hub: i64,
    pub lessons_cancelled: i64,
    /// Past lessons not yet marked.
    pub lessons_unmarked: i64,
    /// Lessons given by month, in the year's order: ("September", 120).
    pub given_by_month: Vec<(String, i64)>,
    /// Enrolments by their outlook against the guarantee.
    pub on_track: i64,
    pub below_aim: i64,
    pub at_risk: i64,
    pub minimum: u32,
    pub aim: u32,
}

/// Income billed, paid and overdue, with the overdue debt by age.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Income {
    /// Invoices issued this year, not cancelled.
    pub billed: Pence,
    /// Paid against them (payments and credits less refunds).
    pub paid: Pence,
    /// Overdue today on any invoice, whatever year it was issued in.
    pub overdue: Pence,
    pub overdue_invoices: i64,
    /// Overdue debt by age band (`tutti_domain::payments::debt::AGE_BANDS`): (band, invoices, amount).
    pub by_age: Vec<(String, i64, Pence)>,
}

/// Pupils waiting for lessons or a place in an ensemble, by instrument and area.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WaitingLine {
    pub instrument: String,
    pub area: String,
    pub lessons: i64,
    pub ensembles: i64,
}

/// A school's take-up: the pupils taught there this year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, FromQueryResult)]
pub struct SchoolTakeUp {
    pub school_id: i64,
    pub name: String,
    pub area: String,
    pub pupils: i64,
    /// Where it is, in millionths of a degree, if recorded (decision 0096's map).
    pub latitude_micro: Option<i32>,
    pub longitude_micro: Option<i32>,
}

/// Take-up across the hub's schools.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TakeUp {
    /// Schools with pupils taught, most pupils first.
    pub schools: Vec<SchoolTakeUp>,
    /// Schools on record (not archived) with no pupil taught this year.
    pub schools_without: i64,
    /// Pupils taught by the area of their school: (area, pupils).
    pub by_area: Vec<(String, i64)>,
}

/// Remission: what the year's invoices remitted, by the group it was for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Remission {
    /// (group, lines, amount remitted as the lines' rules state it).
    pub by_group: Vec<(String, i64, Pence)>,
    pub total: Pence,
    /// Lines for looked-after children, who are never charged (no fee is worked out for them).
    pub looked_after_lines: i64,
}

/// An ensemble's members today and attendance at this year's rehearsals so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EnsembleLine {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub members: i64,
    /// Register marks taken this year, and of them the present ones.
    pub marks: i64,
    pub present: i64,
}

/// A member of staff whose DBS check or safeguarding training is missing, lapsed or due soon.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckDue {
    pub staff_id: i64,
    pub name: String,
    pub role: String,
    pub dbs: CheckStatus,
    pub safeguarding: CheckStatus,
}

/// The staff's checks: counts by state, and the people to act on (lapsed first).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Checks {
    pub staff: i64,
    pub dbs_missing: i64,
    pub dbs_expired: i64,
    pub dbs_due_soon: i64,
    pub safeguarding_missing: i64,
    pub safeguarding_expired: i64,
    pub safeguarding_due_soon: i64,
    pub due: Vec<CheckDue>,
}

/// One of a school's invoices with what is left to pay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, FromQueryResult)]
pub struct SchoolInvoice {
    pub id: i64,
    pub number: String,
    pub term: String,
    pub issued_on: Date,
    pub total_pence: i64,
    pub settled_pence: i64,
    pub status: String,
}

/// A school's service agreement for the year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, FromQueryResult)]
pub struct SchoolAgreement {
    pub programme: String,
    pub annual_pence: i64,
    pub sessions: i32,
    pub billing: String,
}

/// A school's own page: its pupils' take-up and attendance, its invoices and agreement.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SchoolDashboard {
    pub pupils_taught: i64,
    /// (instrument, pupils), most first.
    pub by_instrument: Vec<(String, i64)>,
    /// Register marks of its pupils' lessons this year by mark, as (the mark's word, count).
    pub attendance: Vec<(String, i64)>,
    pub invoices: Vec<SchoolInvoice>,
    pub agreements: Vec<SchoolAgreement>,
}

#[derive(FromQueryResult)]
struct Labelled {
    label: String,
    n: i64,
}

#[derive(FromQueryResult)]
struct DayCount {
    status: String,
    day: Date,
    n: i64,
}

#[derive(FromQueryResult)]
struct EnrolmentTally {
    counted: i64,
    remaining: i64,
    /// How many enrolments have this count and this many still to come.
    enrolments: i64,
}

#[derive(FromQueryResult)]
struct OpenInvoice {
    id: i64,
    issued_on: Date,
    total_pence: i64,
    settled_pence: i64,
    due_on: Option<Date>,
    amount_pence: Option<i64>,
}

#[derive(FromQueryResult)]
struct Billed {
    billed: i64,
    paid: i64,
}

#[derive(FromQueryResult)]
struct Waiting {
    instrument: String,
    area: String,
    n: i64,
}

#[derive(FromQueryResult)]
struct RemittedLine {
    rule: String,
}

#[derive(FromQueryResult)]
struct EnsembleRow {
    id: i64,
    name: String,
    kind: String,
    members: i64,
    marks: i64,
    present: i64,
}

#[derive(FromQueryResult)]
struct StaffChecks {
    id: i64,
    first_name: String,
    last_name: String,
    role: String,
    dbs_issued: Option<Date>,
    dbs_update_service: bool,
    safeguarding_trained: Option<Date>,
}

/// Taught enrolments overlapping the span: the condition and its two values.
const TAUGHT: &str = "e.status <> 'awaiting' AND e.start_date <= ? AND (e.end_date IS NULL OR e.end_date >= ?)";

/// Marks that say the pupil was there.
const PRESENT: &str = "('present', 'forgot-instrument')";

fn month_name(day: Date) -> String {
    day.month().to_string()
}

#[tutti_boxed::boxed]
impl Store {
    /// Pupils taught, lessons by what happened (and given by month), and every enrolment's
    /// outlook against the guarantee: counted so far plus still scheduled, as the domain judges.
    pub async fn dashboard_teaching(&self, span: Span, policy: &GuaranteePolicy) -> Result<Teaching> {
        let conn = self.conn();
        let pupils = one_of::<Count>(
            conn,
            &format!("SELECT COUNT(DISTINCT e.pupil_id) AS n FROM enrolments e WHERE {TAUGHT}"),
            [span.to.into(), span.from.into()],
        )
        .await?
        .map_or(0, |c| c.n);
        let days = all_of::<DayCount>(
            conn,
            "SELECT status, day, COUNT(*) AS n FROM dated_lessons WHERE day >= ? AND day <= ? GROUP BY status, day",
            [span.from.into(), span.to.into()],
        )
        .await?;
        let mut t = Teaching {
            pupils_taught: pupils,
            minimum: policy.minimum,
            aim: policy.aim,
            ..Teaching::default()
        };
        let mut months: BTreeMap<Date, i64> = BTreeMap::new();
        let mut day = span.from;
        while day <= span.to {
            months.insert(day, 0);
            day = first_of_next_month(day);
        }
        for d in days {
            match d.status.as_str() {
                "given" => {
                    t.lessons_given += d.n;
                    let month = d.day.replace_day(1).expect("a first of the month");
                    *months.entry(month.max(span.from)).or_default() += d.n;
                }
                "teacher_absent" | "school_closed" => t.lessons_missed_by_hub += d.n,
                "cancelled" => t.lessons_cancelled += d.n,
                _ if d.day < span.to => t.lessons_unmarked += d.n,
                _ => {}
            }
        }
        t.given_by_month = months.into_iter().map(|(m, n)| (month_name(m), n)).collect();
        // Each enrolment's lessons of the whole year: marks that count so far, from the tally
        // the database keeps of its pupil's marks in its group (decision 0096), and lessons
        // still scheduled from today (a scheduled lesson has no marks: marking gives it).
        // Judged are the enrolments with a lesson of the year in their dates. The database
        // counts the enrolments alike in both numbers, so a few hundred rows come back rather
        // than one an enrolment (each row costs more to hand over than to count).
        let tallies = all_of::<EnrolmentTally>(
            conn,
            "SELECT counted, remaining, COUNT(*) AS enrolments FROM (SELECT COALESCE(t.counted, 0) AS counted, \
             (SELECT COUNT(*) FROM dated_lessons d WHERE d.group_id = gm.group_id AND d.day >= ? \
              AND d.day <= ? AND d.status = 'scheduled' AND d.day >= e.start_date \
              AND (e.end_date IS NULL OR d.day <= e.end_date)) AS remaining \
             FROM group_members gm JOIN enrolments e ON e.id = gm.enrolment_id \
             LEFT JOIN register_tallies t ON t.group_id = gm.group_id AND t.pupil_id = e.pupil_id \
             AND t.year_start = ? \
             WHERE e.status <> 'awaiting' AND EXISTS (SELECT 1 FROM dated_lessons d WHERE d.group_id = gm.group_id \
              AND d.day >= ? AND d.day <= ? AND d.day >= e.start_date \
              AND (e.end_date IS NULL OR d.day <= e.end_date))) judged GROUP BY counted, remaining",
            [
                span.to.into(),
                span.year.last_day().into(),
                span.year.start_year().into(),
                span.year.first_day().into(),
                span.year.last_day().into(),
            ],
        )
        .await?;
        for tally in tallies {
            let count = tutti_domain::guarantee::GuaranteeCount {
                counted: tally.counted.max(0) as u32,
                ..Default::default()
            };
            match tutti_domain::guarantee::guarantee_outlook(&count, tally.remaining.max(0) as u32, policy) {
                GuaranteeOutlook::OnTrack { .. } => t.on_track += tally.enrolments,
                GuaranteeOutlook::BelowAim { .. } => t.below_aim += tally.enrolments,
                GuaranteeOutlook::AtRisk { .. } => t.at_risk += tally.enrolments,
            }
        }
        Ok(t)
    }

    /// Billed and paid this year; overdue today on every open invoice, by age.
    pub async fn dashboard_income(&self, span: Span) -> Result<Income> {
        let conn = self.conn();
        let billed = one_of::<Billed>(
            conn,
            "SELECT CAST(COALESCE(SUM(i.total_pence), 0) AS BIGINT) AS billed, \
             CAST(COALESCE(SUM((SELECT SUM(p.amount_pence) FROM payments p WHERE p.invoice_id = i.id)), 0) AS BIGINT) \
             AS paid FROM invoices i WHERE i.status <> 'cancelled' AND i.issued_on >= ? AND i.issued_on <= ?",
            [span.from.into(), span.to.into()],
        )
        .await?
        .unwrap_or(Billed { billed: 0, paid: 0 });
        // Open invoices with their instalments, one row an instalment (or one row with none).
        let open = all_of::<OpenInvoice>(
            conn,
            "SELECT i.id, i.issued_on, i.total_pence, \
             CAST(COALESCE((SELECT SUM(p.amount_pence) FROM payments p WHERE p.invoice_id = i.id), 0) AS BIGINT) \
             AS settled_pence, n.due_on, n.amount_pence \
             FROM invoices i LEFT JOIN instalments n ON n.invoice_id = i.id \
             WHERE i.status IN ('issued', 'part_paid') AND i.issued_on <= ? ORDER BY i.id",
            [span.to.into()],
        )
        .await?;
        let mut income = Income {
            billed: Pence(billed.billed),
            paid: Pence(billed.paid),
            by_age: AGE_BANDS.iter().map(|b| ((*b).to_owned(), 0, Pence::ZERO)).collect(),
            ..Income::default()
        };
        let mut rows = open.into_iter().peekable();
        while let Some(first) = rows.next() {
            let mut plan: Vec<Due> = Vec::new();
            if let (Some(on), Some(amount)) = (first.due_on, first.amount_pence) {
                plan.push(Due {
                    on,
                    amount: Pence(amount),
                });
            }
            while let Some(next) = rows.next_if(|r| r.id == first.id) {
                if let (Some(on), Some(amount)) = (next.due_on, next.amount_pence) {
                    plan.push(Due {
                        on,
                        amount: Pence(amount),
                    });
                }
            }
            let (total, settled) = (Pence(first.total_pence), Pence(first.settled_pence));
            if let Some(since) = overdue_since(total, settled, first.issued_on, &plan, span.to) {
                let owed = total - settled;
                let band = &mut income.by_age[age_band(since, span.to)];
                band.1 += 1;
                band.2 += owed;
                income.overdue += owed;
                income.overdue_invoices += 1;
            }
        }
        Ok(income)
    }

    /// Applications waiting for lessons (by the area of the pupil's school) and for an
    /// ensemble's place (by the ensemble's area), by instrument.
    pub async fn dashboard_waiting(&self) -> Result<Vec<WaitingLine>> {
        let lessons = all_of::<Waiting>(
            self.conn(),
            "SELECT a.instrument, s.area, COUNT(*) AS n FROM applications a JOIN schools s ON s.id = a.school_id \
             WHERE a.status = 'waiting' GROUP BY a.instrument, s.area",
            [],
        )
        .await?;
        let ensembles = all_of::<Waiting>(
            self.conn(),
            "SELECT a.instrument, e.area, COUNT(*) AS n FROM ensemble_applications a \
             JOIN ensembles e ON e.id = a.ensemble_id WHERE a.status = 'waiting' GROUP BY a.instrument, e.area",
            [],
        )
        .await?;
        let mut lines: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
        for w in lessons {
            lines.entry((w.instrument, w.area)).or_default().0 += w.n;
        }
        for w in ensembles {
            lines.entry((w.instrument, w.area)).or_default().1 += w.n;
        }
        let mut out: Vec<WaitingLine> = lines
            .into_iter()
            .map(|((instrument, area), (lessons, ensembles))| WaitingLine {
                instrument,
                area,
                lessons,
                ensembles,
            })
            .collect();
        out.sort_by(|a, b| {
            (b.lessons + b.ensembles)
                .cmp(&(a.lessons + a.ensembles))
                .then(a.instrument.cmp(&b.instrument))
                .then(a.area.cmp(&b.area))
        });
        Ok(out)
    }

    /// Pupils taught this year by school (where taught, else the pupil's school), most first;
    /// the schools with none; pupils by area.
    pub async fn dashboard_take_up(&self, span: Span) -> Result<TakeUp> {
        let schools = all_of::<SchoolTakeUp>(
            self.conn(),
            &format!(
                "SELECT s.id AS school_id, s.name, s.area, COUNT(DISTINCT e.pupil_id) AS pupils, \
                 s.latitude_micro, s.longitude_micro \
                 FROM enrolments e JOIN pupils p ON p.id = e.pupil_id \
                 JOIN schools s ON s.id = COALESCE(e.school_id, p.school_id) \
                 WHERE {TAUGHT} GROUP BY s.id, s.name, s.area, s.latitude_micro, s.longitude_micro \
                 ORDER BY pupils DESC, s.name"
            ),
            [span.to.into(), span.from.into()],
        )
        .await?;
        let on_record = one_of::<Count>(
            self.conn(),
            "SELECT COUNT(*) AS n FROM schools WHERE archived_at IS NULL",
            [],
        )
        .await?
        .map_or(0, |c| c.n);
        // A pupil taught at two schools of one area counts once in it.
        let by_area = all_of::<Labelled>(
            self.conn(),
            &format!(
                "SELECT s.area AS label, COUNT(DISTINCT e.pupil_id) AS n \
                 FROM enrolments e JOIN pupils p ON p.id = e.pupil_id \
                 JOIN schools s ON s.id = COALESCE(e.school_id, p.school_id) \
                 WHERE {TAUGHT} GROUP BY s.area ORDER BY n DESC, s.area"
            ),
            [span.to.into(), span.from.into()],
        )
        .await?;
        Ok(TakeUp {
            schools_without: (on_record - schools.len() as i64).max(0),
            schools,
            by_area: by_area.into_iter().map(|l| (l.label, l.n)).collect(),
        })
    }

    /// What this year's invoice lines remitted, read from each line's rule by the domain.
    pub async fn dashboard_remission(&self, span: Span) -> Result<Remission> {
        let lines = all_of::<RemittedLine>(
            self.conn(),
            "SELECT l.rule FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id \
             WHERE i.status <> 'cancelled' AND i.issued_on >= ? AND i.issued_on <= ? \
             AND (l.rule LIKE '%remission%' OR l.rule LIKE '%fully remitted%' OR l.rule LIKE 'Looked-after%')",
            [span.from.into(), span.to.into()],
        )
        .await?;
        let mut groups: BTreeMap<String, (i64, Pence)> = BTreeMap::new();
        let mut remission = Remission::default();
        for line in lines {
            match remission_in_rule(&line.rule) {
                Some((_, None)) => remission.looked_after_lines += 1,
                Some((group, Some(amount))) => {
                    let g = groups.entry(group).or_insert((0, Pence::ZERO));
                    g.0 += 1;
                    g.1 += amount;
                    remission.total += amount;
                }
                None => {}
            }
        }
        remission.by_group = groups.into_iter().map(|(g, (n, p))| (g, n, p)).collect();
        remission.by_group.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
        Ok(remission)
    }

    /// Each ensemble's members today and this year's rehearsal marks so far.
    pub async fn dashboard_ensembles(&self, span: Span) -> Result<Vec<EnsembleLine>> {
        let rows = all_of::<EnsembleRow>(
            self.conn(),
            &format!(
                "SELECT e.id, e.name, e.kind, \
                 (SELECT COUNT(*) FROM ensemble_members m WHERE m.ensemble_id = e.id AND m.joined_on <= ? \
                  AND (m.left_on IS NULL OR m.left_on > ?)) AS members, \
                 (SELECT COUNT(*) FROM rehearsal_marks k JOIN rehearsals r ON r.id = k.rehearsal_id \
                  WHERE r.ensemble_id = e.id AND r.day >= ? AND r.day <= ?) AS marks, \
                 (SELECT COUNT(*) FROM rehearsal_marks k JOIN rehearsals r ON r.id = k.rehearsal_id \
                  WHERE r.ensemble_id = e.id AND r.day >= ? AND r.day <= ? AND k.mark IN {PRESENT}) AS present \
                 FROM ensembles e WHERE e.archived_at IS NULL ORDER BY e.name, e.id"
            ),
            [
                span.to.into(),
                span.to.into(),
                span.from.into(),
                span.to.into(),
                span.from.into(),
                span.to.into(),
            ],
        )
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| EnsembleLine {
                id: r.id,
                name: r.name,
                kind: r
                    .kind
                    .parse::<EnsembleKind>()
                    .map(|k| k.label().to_owned())
                    .unwrap_or(r.kind),
                members: r.members,
                marks: r.marks,
                present: r.present,
            })
            .collect())
    }

    /// Staff on record whose DBS check or safeguarding training is missing, lapsed or due
    /// within the warning period on `today` (a DBS check on the update service does not lapse).
    pub async fn dashboard_checks(&self, today: Date) -> Result<Checks> {
        let staff = all_of::<StaffChecks>(
            self.conn(),
            "SELECT id, first_name, last_name, role, dbs_issued, dbs_update_service, safeguarding_trained \
             FROM staff WHERE archived_at IS NULL ORDER BY last_name, first_name, id",
            [],
        )
        .await?;
        let mut checks = Checks {
            staff: staff.len() as i64,
            ..Checks::default()
        };
        for s in staff {
            let dbs = if s.dbs_update_service && s.dbs_issued.is_some() {
                CheckStatus::Current { due: Date::MAX }
            } else {
                check_status(s.dbs_issued, DBS_RENEW_YEARS, WARN_DAYS, today)
            };
            let safeguarding = check_status(s.safeguarding_trained, SAFEGUARDING_RENEW_YEARS, WARN_DAYS, today);
            for (status, missing, expired, soon) in [
                (
                    dbs,
                    &mut checks.dbs_missing,
                    &mut checks.dbs_expired,
                    &mut checks.dbs_due_soon,
                ),
                (
                    safeguarding,
                    &mut checks.safeguarding_missing,
                    &mut checks.safeguarding_expired,
                    &mut checks.safeguarding_due_soon,
                ),
            ] {
                match status {
                    CheckStatus::Missing => *missing += 1,
                    CheckStatus::Expired { .. } => *expired += 1,
                    CheckStatus::DueSoon { .. } => *soon += 1,
                    CheckStatus::Current { .. } => {}
                }
            }
            if !matches!(dbs, CheckStatus::Current { .. }) || !matches!(safeguarding, CheckStatus::Current { .. }) {
                checks.due.push(CheckDue {
                    staff_id: s.id,
                    name: format!("{} {}", s.first_name, s.last_name),
                    role: s.role,
                    dbs,
                    safeguarding,
                });
            }
        }
        // Lapsed first, then missing, then due soon: what to act on today at the top.
        let rank = |c: &CheckDue| {
            [c.dbs, c.safeguarding]
                .iter()
                .map(|s| match s {
                    CheckStatus::Expired { .. } => 0,
                    CheckStatus::Missing => 1,
                    CheckStatus::DueSoon { .. } => 2,
                    CheckStatus::Current { .. } => 3,
                })
                .min()
                .unwrap_or(3)
        };
        checks.due.sort_by_key(|c| rank(c));
        Ok(checks)
    }

    /// A school's own figures: its pupils taught this year (by instrument), their lessons'
    /// register marks, its invoices and its agreements for the year.
    pub async fn school_dashboard(&self, school_id: i64, span: Span) -> Result<SchoolDashboard> {
        let conn = self.conn();
        let here = "COALESCE(e.school_id, p.school_id) = ?";
        let taught: Vec<Value> = vec![span.to.into(), span.from.into(), school_id.into()];
        let pupils = one_of::<Count>(
            conn,
            &format!(
                "SELECT COUNT(DISTINCT e.pupil_id) AS n FROM enrolments e JOIN pupils p ON p.id = e.pupil_id \
                 WHERE {TAUGHT} AND {here}"
            ),
            taught.clone(),
        )
        .await?
        .map_or(0, |c| c.n);
        let by_instrument = all_of::<Labelled>(
            conn,
            &format!(
                "SELECT e.instrument AS label, COUNT(DISTINCT e.pupil_id) AS n FROM enrolments e \
                 JOIN pupils p ON p.id = e.pupil_id WHERE {TAUGHT} AND {here} \
                 GROUP BY e.instrument ORDER BY n DESC, e.instrument"
            ),
            taught,
        )
        .await?;
        let attendance = all_of::<Labelled>(
            conn,
            "SELECT r.mark AS label, COUNT(*) AS n FROM register_marks r JOIN pupils p ON p.id = r.pupil_id \
             JOIN dated_lessons d ON d.id = r.dated_lesson_id \
             WHERE p.school_id = ? AND d.day >= ? AND d.day <= ? GROUP BY r.mark",
            [school_id.into(), span.from.into(), span.to.into()],
        )
        .await?;
        // In the order of the register's marks, so the chart reads the same for every school.
        let order = |word: &str| {
            RegisterMark::ALL
                .iter()
                .position(|m| m.as_str() == word)
                .unwrap_or(usize::MAX)
        };
        let mut attendance: Vec<(String, i64)> = attendance.into_iter().map(|l| (l.label, l.n)).collect();
        attendance.sort_by_key(|(w, _)| order(w));
        let invoices = all_of::<SchoolInvoice>(
            conn,
            "SELECT i.id, i.number, i.term, i.issued_on, i.total_pence, \
             CAST(COALESCE((SELECT SUM(p.amount_pence) FROM payments p WHERE p.invoice_id = i.id), 0) AS BIGINT) \
             AS settled_pence, i.status FROM invoices i \
             WHERE i.payer_kind = 'school' AND i.payer_id = ? AND i.status <> 'cancelled' \
             AND i.issued_on >= ? AND i.issued_on <= ? ORDER BY i.issued_on, i.id",
            [school_id.into(), span.from.into(), span.to.into()],
        )
        .await?;
        let agreements = all_of::<SchoolAgreement>(
            conn,
            "SELECT programme, annual_pence, sessions, billing FROM service_agreements \
             WHERE school_id = ? AND academic_year = ? ORDER BY id",
            [school_id.into(), span.year.to_string().into()],
        )
        .await?;
        Ok(SchoolDashboard {
            pupils_taught: pupils,
            by_instrument: by_instrument.into_iter().map(|l| (l.label, l.n)).collect(),
            attendance,
            invoices,
            agreements,
        })
    }
}

fn first_of_next_month(day: Date) -> Date {
    let (y, m) = if day.month() == time::Month::December {
        (day.year() + 1, time::Month::January)
    } else {
        (day.year(), day.month().next())
    };
    Date::from_calendar_date(y, m, 1).expect("a day")
}
