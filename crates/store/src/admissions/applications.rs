//! Applications: a family applies for a place, and the office lists them with each waiting
//! child's place on their school's list for the instrument, in fair order.
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use serde::Serialize;
use time::{Date, OffsetDateTime};
use tutti_domain::admissions::{
    ApplicationSource, ApplicationStatus, TuitionChoice, WaitingPriority, check_application, check_not_already_applied,
};
use tutti_domain::lessons::lesson_words;

use super::tuition_offer::OfferedLesson;
use super::{Id, count, insert_id, per_page, pupil_in_scope};
use crate::error::{Result, StoreError, stored};
use crate::listing::Page;
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, one_of};
use crate::records::pupils::PupilScope;
use crate::{Store, now};

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

/// The columns every application is made with, applied for and waiting (the demo also
/// makes some already offered).
pub(crate) const APPLIED_COLUMNS: [&str; 10] = [
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
];

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

/// An application's status as it stands on a date (the parameter): an unanswered offer past
/// its expiry date has lapsed even before the next write records it.
const STATUS_EXPR: &str = "CASE WHEN a.status = 'offered' AND a.offer_expires_on < ? THEN 'lapsed' ELSE a.status END";

/// The SQL band of a waiting child (pupil alias `p`) under `priority`, mirroring
/// [`WaitingPriority::band`] (tested against it in tests/admissions.rs).
pub(super) fn band_sql(priority: WaitingPriority, p: &str) -> String {
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
pub(super) fn ahead_sql(
    priority: WaitingPriority,
    school: &str,
    instrument: &str,
    band: &str,
    at: &str,
    id: &str,
) -> String {
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

#[tutti_boxed::boxed]
impl Store {
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
        let _backend = txn.get_database_backend();
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
        let school = one_of::<SchoolOf>(&txn, "SELECT school_id FROM pupils WHERE id = ?", [app.pupil_id.into()])
            .await?
            .ok_or(StoreError::NotFound)?
            .school_id;
        let t = now();
        let id = insert_id(
            &txn,
            "applications",
            &[&APPLIED_COLUMNS[..], &["updated_at"]].concat(),
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

        let summary = format!(
            "pupil {} applied for {} {instrument} ({})",
            app.pupil_id,
            lesson_words(app.choice.lesson_type.as_str(), i32::from(app.choice.minutes)),
            app.source
        );
        audit::commit(txn, actor, Action::Create, "application", Some(id), summary).await?;
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
        let _backend = self.conn().get_database_backend();
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
        let rows = all_of::<ApplicationRow>(self.conn(), &sql, all)
            .await?
            .into_iter()
            .map(ApplicationView::try_from)
            .collect::<Result<_>>()?;
        Ok(Page::counted(rows, total, page, per))
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
        Ok(one_of::<Id>(self.conn(), &sql, all).await?.map(|r| r.id))
    }
}
