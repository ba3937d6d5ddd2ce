//! Admissions: the tuition offer, applications and their waiting lists in fair order, offers
//! with an expiry date, acceptance into an enrolment awaiting allocation, the enrolment list
//! every role reads, and a parent's notice.
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Value};
use serde::Serialize;
use time::{Date, OffsetDateTime};
use tutti_domain::admissions::{
    AdmissionRefusal, ApplicationSource, OfferLetter, TuitionChoice, WaitingPriority, check_application,
    check_first_in_line, check_not_already_applied, check_offer_choice, check_offer_dates, notice_end_date,
    notice_explanation,
};
pub use tutti_domain::admissions::{ApplicationStatus, EnrolmentStatus, NewEnrolment};
use tutti_domain::calendar::{AcademicYear, SchoolCalendar};
use tutti_domain::charging::ChargingPolicy;
use tutti_domain::lessons::{LessonType, lesson_words};

use crate::audit::{self, Action, Actor};
use crate::error::{Result, StoreError};
use crate::lessons::Calendars;
use crate::listing::Page;
use crate::pupils::PupilScope;
use crate::query::stmt;
use crate::{Store, now, outbox, settings};

/// The hub setting that holds the waiting-list priority.
pub const PRIORITY_SETTING: &str = "waiting_list_priority";

/// One combination in the hub's tuition offer.
#[derive(Debug, Clone, Serialize, FromQueryResult, PartialEq, Eq)]
pub struct OfferedLesson {
    pub id: i64,
    pub instrument: String,
    pub lesson_type: String,
    pub minutes: i32,
}

impl OfferedLesson {
    fn choice(&self) -> Option<TuitionChoice> {
        Some(TuitionChoice {
            instrument: self.instrument.clone(),
            lesson_type: self.lesson_type.parse().ok()?,
            minutes: u16::try_from(self.minutes).ok()?,
        })
    }
}

/// A new application: which child, and what they would like to learn.
#[derive(Debug, Clone)]
pub struct NewApplication {
    pub pupil_id: i64,
    pub choice: TuitionChoice,
    pub source: ApplicationSource,
}

/// An application as the screens and the API show it, with its place on the waiting list
/// while it waits.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ApplicationView {
    pub id: i64,
    pub pupil_id: i64,
    pub pupil_name: String,
    pub pupil_ref: String,
    #[serde(skip)]
    pub fsm: bool,
    #[serde(skip)]
    pub looked_after: bool,
    pub school_id: i64,
    pub school_name: String,
    pub instrument: String,
    pub lesson_type: String,
    pub minutes: i32,
    pub source: String,
    pub school_paid: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub applied_at: OffsetDateTime,
    /// The status as it stands today: an offer past its expiry date reads as lapsed.
    pub status: ApplicationStatus,
    pub offer_start_date: Option<Date>,
    pub offer_expires_on: Option<Date>,
    pub enrolment_id: Option<i64>,
    /// 1 for the next child to be offered a place on this school's list for this instrument.
    pub place: Option<i64>,
}

/// An application's row as read, its status still a word.
#[derive(FromQueryResult)]
struct ApplicationRow {
    id: i64,
    pupil_id: i64,
    pupil_name: String,
    pupil_ref: String,
    fsm: bool,
    looked_after: bool,
    school_id: i64,
    school_name: String,
    instrument: String,
    lesson_type: String,
    minutes: i32,
    source: String,
    school_paid: bool,
    applied_at: OffsetDateTime,
    status: String,
    offer_start_date: Option<Date>,
    offer_expires_on: Option<Date>,
    enrolment_id: Option<i64>,
    place: Option<i64>,
}

impl TryFrom<ApplicationRow> for ApplicationView {
    type Error = StoreError;
    fn try_from(r: ApplicationRow) -> Result<Self> {
        Ok(ApplicationView {
            status: stored(&r.status, ApplicationStatus::parse)?,
            id: r.id,
            pupil_id: r.pupil_id,
            pupil_name: r.pupil_name,
            pupil_ref: r.pupil_ref,
            fsm: r.fsm,
            looked_after: r.looked_after,
            school_id: r.school_id,
            school_name: r.school_name,
            instrument: r.instrument,
            lesson_type: r.lesson_type,
            minutes: r.minutes,
            source: r.source,
            school_paid: r.school_paid,
            applied_at: r.applied_at,
            offer_start_date: r.offer_start_date,
            offer_expires_on: r.offer_expires_on,
            enrolment_id: r.enrolment_id,
            place: r.place,
        })
    }
}

/// A status word as stored, read by its domain type.
pub(crate) fn stored<T>(word: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T> {
    parse(word).ok_or_else(|| StoreError::Corrupt(format!("status {word:?}")))
}

/// Which applications a list asks for.
#[derive(Debug, Clone, Default)]
pub struct ApplicationFilter {
    /// One application.
    pub id: Option<i64>,
    pub pupil_id: Option<i64>,
    pub school_id: Option<i64>,
    pub instrument: String,
    /// waiting, offered, accepted, declined or lapsed; empty for all.
    pub status: String,
    /// Waiting-list order (school, instrument, place) instead of newest first.
    pub waiting_order: bool,
    pub page: u64,
    pub per_page: u64,
}

/// An enrolment as the screens and the API show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct EnrolmentView {
    pub id: i64,
    pub pupil_id: i64,
    pub pupil_name: String,
    pub pupil_ref: String,
    pub instrument: String,
    pub lesson_type: String,
    pub minutes: i32,
    pub teacher_id: Option<i64>,
    pub teacher_name: Option<String>,
    pub school_id: Option<i64>,
    pub school_name: Option<String>,
    /// 1 Monday to 5 Friday.
    pub weekday: Option<i32>,
    /// Minutes after midnight.
    pub start_minute: Option<i32>,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub status: EnrolmentStatus,
}

/// An enrolment's row as read, its status still a word.
#[derive(FromQueryResult)]
struct EnrolmentRow {
    id: i64,
    pupil_id: i64,
    pupil_name: String,
    pupil_ref: String,
    instrument: String,
    lesson_type: String,
    minutes: i32,
    teacher_id: Option<i64>,
    teacher_name: Option<String>,
    school_id: Option<i64>,
    school_name: Option<String>,
    weekday: Option<i32>,
    start_minute: Option<i32>,
    start_date: Date,
    end_date: Option<Date>,
    status: String,
}

impl TryFrom<EnrolmentRow> for EnrolmentView {
    type Error = StoreError;
    fn try_from(r: EnrolmentRow) -> Result<Self> {
        Ok(EnrolmentView {
            status: stored(&r.status, EnrolmentStatus::parse)?,
            id: r.id,
            pupil_id: r.pupil_id,
            pupil_name: r.pupil_name,
            pupil_ref: r.pupil_ref,
            instrument: r.instrument,
            lesson_type: r.lesson_type,
            minutes: r.minutes,
            teacher_id: r.teacher_id,
            teacher_name: r.teacher_name,
            school_id: r.school_id,
            school_name: r.school_name,
            weekday: r.weekday,
            start_minute: r.start_minute,
            start_date: r.start_date,
            end_date: r.end_date,
        })
    }
}

/// Which enrolments a list asks for.
#[derive(Debug, Clone, Default)]
pub struct EnrolmentFilter {
    pub pupil_id: Option<i64>,
    pub school_id: Option<i64>,
    pub teacher_id: Option<i64>,
    pub status: String,
    pub instrument: String,
    pub page: u64,
    pub per_page: u64,
}

/// What notice given today would mean, shown before the parent confirms.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NoticePreview {
    pub enrolment: EnrolmentView,
    pub end_date: Date,
    pub deadline: Date,
    pub next_term_payable: bool,
    pub explanation: String,
}

#[derive(FromQueryResult)]
struct Count {
    n: i64,
}

#[derive(FromQueryResult)]
struct Email {
    email: String,
}

#[derive(FromQueryResult)]
struct Id {
    id: i64,
}

/// An application's status as it stands on a date (the parameter): an unanswered offer past
/// its expiry date has lapsed even before the next write records it.
const STATUS_EXPR: &str = "CASE WHEN a.status = 'offered' AND a.offer_expires_on < ? THEN 'lapsed' ELSE a.status END";

/// The SQL band of a waiting child (pupil alias `p`) under `priority`, mirroring
/// [`WaitingPriority::band`] (tested against it in tests/admissions.rs).
fn band_sql(priority: WaitingPriority, p: &str) -> String {
    match priority {
        WaitingPriority::DateOnly => "0".into(),
        WaitingPriority::LookedAfterAndFsm => format!("CASE WHEN {p}.looked_after OR {p}.fsm THEN 0 ELSE 1 END"),
        WaitingPriority::LookedAfterThenFsm => {
            format!("CASE WHEN {p}.looked_after THEN 0 WHEN {p}.fsm THEN 1 ELSE 2 END")
        }
    }
}

/// How many waiting children are ahead of the application whose school, instrument, band,
/// applied_at and id are the given SQL expressions: its place is one more. Counting within one
/// list (one school's handful of rows, through the index on school) keeps a page of a
/// national-sized list cheap, where numbering every list first would not be.
fn ahead_sql(priority: WaitingPriority, school: &str, instrument: &str, band: &str, at: &str, id: &str) -> String {
    format!(
        "(SELECT COUNT(*) FROM applications a2 JOIN pupils p2 ON p2.id = a2.pupil_id WHERE a2.status = 'waiting' \
         AND a2.school_id = {school} AND LOWER(a2.instrument) = LOWER({instrument}) \
         AND ({}, a2.applied_at, a2.id) < ({band}, {at}, {id}))",
        band_sql(priority, "p2")
    )
}

const APPLICATION_COLUMNS: &str = "a.id, a.pupil_id, p.first_name || ' ' || p.last_name AS pupil_name, p.pupil_ref, \
     p.fsm, p.looked_after, a.school_id, s.name AS school_name, a.instrument, a.lesson_type, a.minutes, a.source, \
     a.school_paid, a.applied_at";

const APPLICATION_FROM: &str =
    "FROM applications a JOIN pupils p ON p.id = a.pupil_id JOIN schools s ON s.id = a.school_id";

const ENROLMENT_SELECT: &str = "SELECT e.id, e.pupil_id, p.first_name || ' ' || p.last_name AS pupil_name, p.pupil_ref, \
     e.instrument, e.lesson_type, e.minutes, e.teacher_id, t.first_name || ' ' || t.last_name AS teacher_name, \
     e.school_id, s.name AS school_name, e.weekday, e.start_minute, e.start_date, e.end_date, e.status";

const ENROLMENT_FROM: &str = "FROM enrolments e JOIN pupils p ON p.id = e.pupil_id \
     LEFT JOIN staff t ON t.id = e.teacher_id LEFT JOIN schools s ON s.id = e.school_id";

fn per_page(n: u64) -> u64 {
    if n == 0 { 50 } else { n.clamp(1, 200) }
}

/// The scope's condition, and for a teacher only the enrolments they teach.
fn enrolment_scope(scope: &PupilScope) -> (String, Vec<Value>) {
    let (mut cond, mut params) = scope.condition();
    if let PupilScope::Teacher(id) = scope {
        cond.push_str(" AND e.teacher_id = ?");
        params.push((*id).into());
    }
    (cond, params)
}

pub(crate) async fn pupil_in_scope(conn: &impl ConnectionTrait, scope: &PupilScope, pupil_id: i64) -> Result<bool> {
    let (cond, mut params) = scope.condition();
    params.insert(0, pupil_id.into());
    let sql = format!("SELECT COUNT(*) AS n FROM pupils p WHERE p.id = ? AND p.archived_at IS NULL AND {cond}");
    let n = Count::find_by_statement(stmt(conn.get_database_backend(), &sql, params))
        .one(conn)
        .await?
        .map_or(0, |c| c.n);
    Ok(n > 0)
}

async fn count(conn: &impl ConnectionTrait, sql: &str, params: Vec<Value>) -> Result<u64> {
    Ok(Count::find_by_statement(stmt(conn.get_database_backend(), sql, params))
        .one(conn)
        .await?
        .map_or(0, |c| c.n.max(0) as u64))
}

/// The school's calendar from the year before today's to the year after, for notice.
fn notice_calendar(calendars: &Calendars, school_id: i64, today: Date) -> SchoolCalendar {
    let year = AcademicYear::containing(today);
    let terms = [year.previous(), year, year.next()]
        .into_iter()
        .flat_map(|y| y.terms())
        .filter_map(|term| calendars.calendar(school_id, term))
        .flat_map(|cal| cal.terms)
        .collect();
    SchoolCalendar::new(terms)
}

impl Store {
    // ---------------------------------------------------------------------------------------
    // The offer

    /// What the hub offers, by instrument, lesson type and length.
    pub async fn tuition_offer(&self) -> Result<Vec<OfferedLesson>> {
        let sql = "SELECT id, instrument, lesson_type, minutes FROM tuition_offer \
                   ORDER BY LOWER(instrument), lesson_type, minutes";
        Ok(
            OfferedLesson::find_by_statement(stmt(self.conn().get_database_backend(), sql, []))
                .all(self.conn())
                .await?,
        )
    }

    /// Adds a combination to the offer.
    pub async fn add_to_offer(&self, actor: &Actor, choice: &TuitionChoice) -> Result<i64> {
        check_offer_choice(choice)?;
        let instrument = choice.instrument.trim();
        let txn = self.write().await?;
        let taken = count(
            &txn,
            "SELECT COUNT(*) AS n FROM tuition_offer WHERE LOWER(instrument) = ? AND lesson_type = ? AND minutes = ?",
            vec![
                instrument.to_lowercase().into(),
                choice.lesson_type.as_str().into(),
                i32::from(choice.minutes).into(),
            ],
        )
        .await?;
        if taken > 0 {
            return Err(AdmissionRefusal::AlreadyOffered {
                lesson_type: choice.lesson_type,
                instrument: instrument.to_owned(),
                minutes: choice.minutes,
            }
            .into());
        }
        let id = insert_id(
            &txn,
            "tuition_offer",
            &["instrument", "lesson_type", "minutes", "created_at"],
            vec![
                instrument.into(),
                choice.lesson_type.as_str().into(),
                i32::from(choice.minutes).into(),
                now().into(),
            ],
        )
        .await?;
        audit::record(
            &txn,
            actor,
            Action::Create,
            "tuition_offer",
            Some(id),
            format!(
                "offered {} {instrument}, {} minutes",
                choice.lesson_type, choice.minutes
            ),
        )
        .await?;
        txn.commit().await?;
        Ok(id)
    }

    /// Withdraws a combination: no new applications for it. Applications already made stand.
    pub async fn withdraw_from_offer(&self, actor: &Actor, id: i64) -> Result<()> {
        let txn = self.write().await?;
        let backend = txn.get_database_backend();
        let found = OfferedLesson::find_by_statement(stmt(
            backend,
            "SELECT id, instrument, lesson_type, minutes FROM tuition_offer WHERE id = ?",
            [id.into()],
        ))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
        txn.execute_raw(stmt(backend, "DELETE FROM tuition_offer WHERE id = ?", [id.into()]))
            .await?;
        audit::record(
            &txn,
            actor,
            Action::Archive,
            "tuition_offer",
            Some(id),
            format!(
                "withdrew {} {}, {} minutes",
                found.lesson_type, found.instrument, found.minutes
            ),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    // ---------------------------------------------------------------------------------------
    // Waiting-list priority

    /// How waiting lists are ordered (the default when never set).
    pub async fn waiting_priority(&self) -> Result<WaitingPriority> {
        Ok(self
            .setting(PRIORITY_SETTING)
            .await?
            .and_then(|v| v.parse().ok())
            .unwrap_or_default())
    }

    pub async fn set_waiting_priority(&self, actor: &Actor, priority: WaitingPriority) -> Result<()> {
        let txn = self.write().await?;
        settings::put(&txn, PRIORITY_SETTING, priority.as_str()).await?;
        audit::record(
            &txn,
            actor,
            Action::Update,
            "setting",
            None,
            format!("waiting list priority: {priority}"),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    // ---------------------------------------------------------------------------------------
    // Applications

    /// Records an application for a child the applicant may act for (404 otherwise), checked
    /// against the offer. A child already waiting, offered or learning that instrument is refused.
    pub async fn apply(&self, actor: &Actor, scope: &PupilScope, app: &NewApplication) -> Result<i64> {
        let offer: Vec<TuitionChoice> = self
            .tuition_offer()
            .await?
            .iter()
            .filter_map(OfferedLesson::choice)
            .collect();
        check_application(&app.choice, app.source, &offer)?;
        let instrument = app.choice.instrument.trim().to_owned();
        let txn = self.write().await?;
        let backend = txn.get_database_backend();
        if !pupil_in_scope(&txn, scope, app.pupil_id).await? {
            return Err(StoreError::NotFound);
        }
        let open = count(
            &txn,
            "SELECT COUNT(*) AS n FROM applications WHERE pupil_id = ? AND LOWER(instrument) = ? \
             AND (status = 'waiting' OR (status = 'offered' AND offer_expires_on >= ?))",
            vec![
                app.pupil_id.into(),
                instrument.to_lowercase().into(),
                self.today().into(),
            ],
        )
        .await?;
        let learning = count(
            &txn,
            "SELECT COUNT(*) AS n FROM enrolments WHERE pupil_id = ? AND LOWER(instrument) = ? \
             AND status IN ('active', 'awaiting')",
            vec![app.pupil_id.into(), instrument.to_lowercase().into()],
        )
        .await?;
        check_not_already_applied(open, learning, &instrument)?;
        #[derive(FromQueryResult)]
        struct SchoolOf {
            school_id: i64,
        }
        let school = SchoolOf::find_by_statement(stmt(
            backend,
            "SELECT school_id FROM pupils WHERE id = ?",
            [app.pupil_id.into()],
        ))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?
        .school_id;
        let t = now();
        let id = insert_id(
            &txn,
            "applications",
            &[
                "pupil_id",
                "school_id",
                "instrument",
                "lesson_type",
                "minutes",
                "source",
                "school_paid",
                "applied_by",
                "applied_at",
                "status",
                "updated_at",
            ],
            vec![
                app.pupil_id.into(),
                school.into(),
                instrument.clone().into(),
                app.choice.lesson_type.as_str().into(),
                i32::from(app.choice.minutes).into(),
                app.source.as_str().into(),
                (app.source == ApplicationSource::School).into(),
                actor.user_id.into(),
                t.into(),
                ApplicationStatus::Waiting.as_str().into(),
                t.into(),
            ],
        )
        .await?;

        audit::record(
            &txn,
            actor,
            Action::Create,
            "application",
            Some(id),
            format!(
                "pupil {} applied for {} {instrument} ({})",
                app.pupil_id,
                lesson_words(app.choice.lesson_type.as_str(), i32::from(app.choice.minutes)),
                app.source
            ),
        )
        .await?;
        txn.commit().await?;
        Ok(id)
    }

    /// A page of the applications `scope` may see.
    pub async fn applications(
        &self,
        scope: &PupilScope,
        filter: &ApplicationFilter,
        today: Date,
    ) -> Result<Page<ApplicationView>> {
        let priority = self.waiting_priority().await?;
        let (cond, mut params) = scope.condition();
        let mut sql_where = format!("WHERE {cond}");
        if let Some(id) = filter.pupil_id {
            sql_where.push_str(" AND a.pupil_id = ?");
            params.push(id.into());
        }
        if let Some(id) = filter.school_id {
            sql_where.push_str(" AND a.school_id = ?");
            params.push(id.into());
        }
        if !filter.instrument.trim().is_empty() {
            sql_where.push_str(" AND LOWER(a.instrument) = ?");
            params.push(filter.instrument.trim().to_lowercase().into());
        }
        if !filter.status.trim().is_empty() {
            sql_where.push_str(&format!(" AND {STATUS_EXPR} = ?"));
            params.push(today.into());
            params.push(filter.status.trim().to_lowercase().into());
        }
        if let Some(id) = filter.id {
            sql_where.push_str(" AND a.id = ?");
            params.push(id.into());
        }
        // Waiting-list order is place order within each list: band, date, number.
        let order = if filter.waiting_order {
            "x.school_name, x.school_id, LOWER(x.instrument), x.band, x.applied_at, x.id"
        } else {
            "x.applied_at DESC, x.id DESC"
        };
        let per = per_page(filter.per_page);
        let page = filter.page.max(1);
        let backend = self.conn().get_database_backend();
        let total = count(
            self.conn(),
            &format!("SELECT COUNT(*) AS n {APPLICATION_FROM} {sql_where}"),
            params.clone(),
        )
        .await?;
        let mut all = vec![today.into()];
        all.extend(params);
        // The page is chosen first; places are counted for its rows only.
        let inner = format!(
            "SELECT {APPLICATION_COLUMNS}, {STATUS_EXPR} AS status, a.offer_start_date, a.offer_expires_on, \
             a.enrolment_id, {} AS band {APPLICATION_FROM} {sql_where}",
            band_sql(priority, "p")
        );
        let ahead = ahead_sql(
            priority,
            "x.school_id",
            "x.instrument",
            "x.band",
            "x.applied_at",
            "x.id",
        );
        let sql = format!(
            "SELECT x.*, CASE WHEN x.status = 'waiting' THEN 1 + {ahead} END AS place FROM \
             (SELECT * FROM ({inner}) y ORDER BY {} LIMIT {per} OFFSET {}) x ORDER BY {order}",
            order.replace("x.", "y."),
            (page - 1) * per
        );
        let rows = ApplicationRow::find_by_statement(stmt(backend, &sql, all))
            .all(self.conn())
            .await?
            .into_iter()
            .map(ApplicationView::try_from)
            .collect::<Result<_>>()?;
        Ok(Page {
            rows,
            total,
            capped: false,
            page,
            per_page: per,
        })
    }

    /// One application `scope` may see, else not found.
    pub async fn application(&self, scope: &PupilScope, id: i64, today: Date) -> Result<ApplicationView> {
        let filter = ApplicationFilter {
            id: Some(id),
            ..Default::default()
        };
        self.applications(scope, &filter, today)
            .await?
            .rows
            .pop()
            .ok_or(StoreError::NotFound)
    }

    /// The id of the pupil with this reference, if `scope` holds them.
    pub async fn pupil_id_by_ref(&self, scope: &PupilScope, pupil_ref: &str) -> Result<Option<i64>> {
        let (cond, params) = scope.condition();
        let mut all: Vec<Value> = vec![pupil_ref.trim().to_uppercase().into()];
        all.extend(params);
        let sql =
            format!("SELECT p.id FROM pupils p WHERE UPPER(p.pupil_ref) = ? AND p.archived_at IS NULL AND {cond}");
        Ok(
            Id::find_by_statement(stmt(self.conn().get_database_backend(), &sql, all))
                .one(self.conn())
                .await?
                .map(|r| r.id),
        )
    }

    // ---------------------------------------------------------------------------------------
    // Offers

    /// Offers a place to the first child on a waiting list, starting on `start_date` and
    /// open until the end of `expires_on`. Offers past their expiry lapse first, so the next
    /// child can be offered. The child's guardians are emailed (through the outbox) with a
    /// link to `answer_url`.
    pub async fn make_offer(
        &self,
        actor: &Actor,
        application_id: i64,
        start_date: Date,
        expires_on: Date,
        today: Date,
        answer_url: &str,
    ) -> Result<()> {
        check_offer_dates(start_date, expires_on, today)?;
        let app = self.application(&PupilScope::All, application_id, today).await?;
        let priority = self.waiting_priority().await?;
        let txn = self.write().await?;
        let backend = txn.get_database_backend();
        let lapsed = txn
            .execute_raw(stmt(
                backend,
                "UPDATE applications SET status = 'lapsed', updated_at = ? WHERE status = 'offered' AND offer_expires_on < ?",
                [now().into(), today.into()],
            ))
            .await?
            .rows_affected();
        if lapsed > 0 {
            audit::record(
                &txn,
                actor,
                Action::Update,
                "application",
                None,
                format!("{lapsed} unanswered offers lapsed"),
            )
            .await?;
        }
        #[derive(FromQueryResult)]
        struct Now {
            status: String,
        }
        let status = Now::find_by_statement(stmt(
            backend,
            "SELECT status FROM applications WHERE id = ?",
            [application_id.into()],
        ))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?
        .status;
        let offered = stored(&status, ApplicationStatus::parse)?.offer()?;
        // The place is read again under the write lock: another offer may have just been made.
        let ahead = ahead_sql(
            priority,
            "a.school_id",
            "a.instrument",
            &band_sql(priority, "p"),
            "a.applied_at",
            "a.id",
        );
        let place = Count::find_by_statement(stmt(
            backend,
            &format!("SELECT 1 + {ahead} AS n FROM applications a JOIN pupils p ON p.id = a.pupil_id WHERE a.id = ?"),
            [application_id.into()],
        ))
        .one(&txn)
        .await?
        .map(|c| c.n);
        check_first_in_line(place, &app.pupil_name, &app.instrument, &app.school_name)?;
        txn.execute_raw(stmt(
            backend,
            "UPDATE applications SET status = ?, offer_start_date = ?, offer_expires_on = ?, offered_at = ?, \
             updated_at = ? WHERE id = ?",
            [
                offered.as_str().into(),
                start_date.into(),
                expires_on.into(),
                now().into(),
                now().into(),
                application_id.into(),
            ],
        ))
        .await?;
        let emails = Email::find_by_statement(stmt(
            backend,
            "SELECT g.email FROM guardians g JOIN pupil_guardians pg ON pg.guardian_id = g.id WHERE pg.pupil_id = ? \
             ORDER BY g.id",
            [app.pupil_id.into()],
        ))
        .all(&txn)
        .await?;
        let letter = OfferLetter {
            pupil_name: &app.pupil_name,
            lesson_type: &app.lesson_type,
            minutes: app.minutes,
            instrument: &app.instrument,
            school_name: &app.school_name,
            start_date,
            expires_on,
            answer_url,
        };
        let (subject, body) = (letter.subject(), letter.body());
        for e in &emails {
            outbox::enqueue(&txn, &e.email, &subject, &body).await?;
        }
        audit::record(
            &txn,
            actor,
            Action::Update,
            "application",
            Some(application_id),
            format!("offered a place from {start_date}, open until {expires_on}"),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// A parent (or the office) accepts or declines an offer. Acceptance makes an enrolment
    /// from the offer's start date, awaiting allocation (no teacher or time yet), and returns
    /// its id. An offer past its expiry date has lapsed and cannot be answered.
    pub async fn answer_offer(
        &self,
        actor: &Actor,
        scope: &PupilScope,
        application_id: i64,
        accept: bool,
        today: Date,
    ) -> Result<Option<i64>> {
        let app = self.application(scope, application_id, today).await?;
        let status = app.status.answer(accept, app.offer_expires_on)?;
        let txn = self.write().await?;
        let backend = txn.get_database_backend();
        // Answered once: the status is checked again under the write lock.
        let still_open = count(
            &txn,
            "SELECT COUNT(*) AS n FROM applications WHERE id = ? AND status = ?",
            vec![application_id.into(), ApplicationStatus::Offered.as_str().into()],
        )
        .await?;
        if still_open == 0 {
            return Err(AdmissionRefusal::OfferAnswered.into());
        }
        let t = now();
        let enrolment_id = if accept {
            let start = app.offer_start_date.unwrap_or(today);
            let id = insert_enrolment(
                &txn,
                &NewEnrolment {
                    pupil_id: app.pupil_id,
                    instrument: app.instrument.clone(),
                    lesson_type: app.lesson_type.parse().unwrap_or(LessonType::Individual),
                    minutes: u16::try_from(app.minutes).unwrap_or(30),
                    start_date: start,
                    teacher_id: None,
                    school_id: Some(app.school_id),
                    weekday: None,
                    start_minute: None,
                },
                app.school_id,
            )
            .await?;
            audit::record(
                &txn,
                actor,
                Action::Create,
                "enrolment",
                Some(id),
                format!(
                    "pupil {} enrolled for {} from {start}, awaiting allocation",
                    app.pupil_id, app.instrument
                ),
            )
            .await?;
            Some(id)
        } else {
            None
        };
        txn.execute_raw(stmt(
            backend,
            "UPDATE applications SET status = ?, answered_at = ?, enrolment_id = ?, updated_at = ? WHERE id = ?",
            [
                status.as_str().into(),
                t.into(),
                enrolment_id.into(),
                t.into(),
                application_id.into(),
            ],
        ))
        .await?;
        audit::record(
            &txn,
            actor,
            Action::Update,
            "application",
            Some(application_id),
            format!("offer {status}"),
        )
        .await?;
        txn.commit().await?;
        Ok(enrolment_id)
    }

    // ---------------------------------------------------------------------------------------
    // Enrolments

    /// A page of the enrolments `scope` may see: a teacher only those they teach.
    pub async fn enrolments(&self, scope: &PupilScope, filter: &EnrolmentFilter) -> Result<Page<EnrolmentView>> {
        let (cond, mut params) = enrolment_scope(scope);
        let mut sql_where = format!("WHERE {cond}");
        for (column, value) in [
            ("e.pupil_id", filter.pupil_id),
            ("e.school_id", filter.school_id),
            ("e.teacher_id", filter.teacher_id),
        ] {
            if let Some(v) = value {
                sql_where.push_str(&format!(" AND {column} = ?"));
                params.push(v.into());
            }
        }
        if !filter.status.trim().is_empty() {
            sql_where.push_str(" AND e.status = ?");
            params.push(filter.status.trim().to_lowercase().into());
        }
        if !filter.instrument.trim().is_empty() {
            sql_where.push_str(" AND LOWER(e.instrument) = ?");
            params.push(filter.instrument.trim().to_lowercase().into());
        }
        let per = per_page(filter.per_page);
        let page = filter.page.max(1);
        let total = count(
            self.conn(),
            &format!("SELECT COUNT(*) AS n {ENROLMENT_FROM} {sql_where}"),
            params.clone(),
        )
        .await?;
        let sql = format!(
            "{ENROLMENT_SELECT} {ENROLMENT_FROM} {sql_where} ORDER BY p.last_name, p.first_name, e.id \
             LIMIT {per} OFFSET {}",
            (page - 1) * per
        );
        let rows = EnrolmentRow::find_by_statement(stmt(self.conn().get_database_backend(), &sql, params))
            .all(self.conn())
            .await?
            .into_iter()
            .map(EnrolmentView::try_from)
            .collect::<Result<_>>()?;
        Ok(Page {
            rows,
            total,
            capped: false,
            page,
            per_page: per,
        })
    }

    /// One enrolment `scope` may see, else not found.
    pub async fn enrolment(&self, scope: &PupilScope, id: i64) -> Result<EnrolmentView> {
        let (cond, params) = enrolment_scope(scope);
        let mut all: Vec<Value> = vec![id.into()];
        all.extend(params);
        let sql = format!("{ENROLMENT_SELECT} {ENROLMENT_FROM} WHERE e.id = ? AND {cond}");
        EnrolmentRow::find_by_statement(stmt(self.conn().get_database_backend(), &sql, all))
            .one(self.conn())
            .await?
            .ok_or(StoreError::NotFound)?
            .try_into()
    }

    /// Makes an enrolment directly (the office, through the API): placed when a teacher,
    /// weekday and start are given, else awaiting allocation. The school defaults to the
    /// pupil's own. Rule checks on the placement are allocation's, not made here.
    pub async fn create_enrolment(&self, actor: &Actor, e: &NewEnrolment) -> Result<i64> {
        e.check()?;
        let txn = self.write().await?;
        let backend = txn.get_database_backend();
        #[derive(FromQueryResult)]
        struct SchoolOf {
            school_id: i64,
        }
        let pupil_school = SchoolOf::find_by_statement(stmt(
            backend,
            "SELECT school_id FROM pupils WHERE id = ? AND archived_at IS NULL",
            [e.pupil_id.into()],
        ))
        .one(&txn)
        .await?
        .ok_or(AdmissionRefusal::NoSuchPupil(e.pupil_id))?
        .school_id;
        if let Some(t) = e.teacher_id
            && count(&txn, "SELECT COUNT(*) AS n FROM staff WHERE id = ?", vec![t.into()]).await? == 0
        {
            return Err(AdmissionRefusal::NoSuchTeacher(t).into());
        }
        if let Some(s) = e.school_id
            && count(&txn, "SELECT COUNT(*) AS n FROM schools WHERE id = ?", vec![s.into()]).await? == 0
        {
            return Err(AdmissionRefusal::NoSuchSchool(s).into());
        }
        let id = insert_enrolment(&txn, e, pupil_school).await?;
        audit::record(
            &txn,
            actor,
            Action::Create,
            "enrolment",
            Some(id),
            format!(
                "pupil {} enrolled for {} from {}",
                e.pupil_id,
                e.instrument.trim(),
                e.start_date
            ),
        )
        .await?;
        txn.commit().await?;
        Ok(id)
    }

    // ---------------------------------------------------------------------------------------
    // Notice

    /// What notice given on `today` would mean for this enrolment: its end date by the
    /// charging policy's notice rule at the pupil's school.
    pub async fn notice_preview(&self, scope: &PupilScope, enrolment_id: i64, today: Date) -> Result<NoticePreview> {
        let enrolment = self.enrolment(scope, enrolment_id).await?;
        enrolment.status.give_notice(enrolment.end_date)?;
        #[derive(FromQueryResult)]
        struct SchoolOf {
            school_id: i64,
        }
        let school = match enrolment.school_id {
            Some(s) => s,
            None => {
                SchoolOf::find_by_statement(stmt(
                    self.conn().get_database_backend(),
                    "SELECT school_id FROM pupils WHERE id = ?",
                    [enrolment.pupil_id.into()],
                ))
                .one(self.conn())
                .await?
                .ok_or(StoreError::NotFound)?
                .school_id
            }
        };
        let calendars = Calendars::load(self.conn()).await?;
        let calendar = notice_calendar(&calendars, school, today);
        let (outcome, end_date) =
            notice_end_date(today, &ChargingPolicy::default(), &calendar).map_err(AdmissionRefusal::Notice)?;
        let explanation = notice_explanation(&outcome, end_date, enrolment.start_date);
        Ok(NoticePreview {
            enrolment,
            end_date,
            deadline: outcome.deadline,
            next_term_payable: outcome.next_term_payable,
            explanation,
        })
    }

    /// Confirms notice given on `today`: the enrolment ends on the date the preview showed,
    /// and is leaving until then.
    pub async fn give_notice(&self, actor: &Actor, scope: &PupilScope, enrolment_id: i64, today: Date) -> Result<Date> {
        let preview = self.notice_preview(scope, enrolment_id, today).await?;
        let leaving = preview.enrolment.status.give_notice(preview.enrolment.end_date)?;
        let txn = self.write().await?;
        let changed = txn
            .execute_raw(stmt(
                txn.get_database_backend(),
                "UPDATE enrolments SET end_date = ?, status = ? WHERE id = ? AND end_date IS NULL",
                [preview.end_date.into(), leaving.as_str().into(), enrolment_id.into()],
            ))
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(AdmissionRefusal::NoticeAlreadyGiven { lessons_end: None }.into());
        }
        audit::record(
            &txn,
            actor,
            Action::Update,
            "enrolment",
            Some(enrolment_id),
            format!("notice given on {today}; lessons end on {}", preview.end_date),
        )
        .await?;
        txn.commit().await?;
        Ok(preview.end_date)
    }
}

/// Inserts one row and returns its id (RETURNING: SQLite 3.35 and later, and PostgreSQL).
pub(crate) async fn insert_id(
    conn: &impl ConnectionTrait,
    table: &str,
    columns: &[&str],
    values: Vec<Value>,
) -> Result<i64> {
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({}) RETURNING id",
        columns.join(", "),
        vec!["?"; columns.len()].join(", ")
    );
    Id::find_by_statement(stmt(conn.get_database_backend(), &sql, values))
        .one(conn)
        .await?
        .map(|r| r.id)
        .ok_or(StoreError::Db(DbErr::RecordNotInserted))
}

/// Inserts one enrolment and returns its id; `pupil_school` is the default school.
pub(crate) async fn insert_enrolment(conn: &impl ConnectionTrait, e: &NewEnrolment, pupil_school: i64) -> Result<i64> {
    let status = EnrolmentStatus::new(e.is_placed());
    insert_id(
        conn,
        "enrolments",
        &[
            "pupil_id",
            "instrument",
            "lesson_type",
            "minutes",
            "teacher_id",
            "school_id",
            "weekday",
            "start_minute",
            "start_date",
            "status",
            "created_at",
        ],
        vec![
            e.pupil_id.into(),
            e.instrument.trim().into(),
            e.lesson_type.as_str().into(),
            i32::from(e.minutes).into(),
            e.teacher_id.into(),
            Some(e.school_id.unwrap_or(pupil_school)).into(),
            e.weekday.map(i32::from).into(),
            e.start_minute.map(i32::from).into(),
            e.start_date.into(),
            status.as_str().into(),
            now().into(),
        ],
    )
    .await
}
