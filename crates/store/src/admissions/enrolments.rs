//! Enrolments: the list every role reads (a teacher only theirs), one enrolment, and an
//! enrolment made directly by the office or an import.
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use serde::Serialize;
use time::Date;
pub use tutti_domain::admissions::NewEnrolment;
use tutti_domain::admissions::{AdmissionRefusal, EnrolmentStatus};

use super::{count, insert_id, per_page};
use crate::error::{Result, StoreError, stored};
use crate::listing::Page;
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, one_of};
use crate::records::pupils::PupilScope;
use crate::{Store, now};

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

const ENROLMENT_SELECT: &str = "SELECT e.id, e.pupil_id, p.first_name || ' ' || p.last_name AS pupil_name, p.pupil_ref, \
     e.instrument, e.lesson_type, e.minutes, e.teacher_id, t.first_name || ' ' || t.last_name AS teacher_name, \
     e.school_id, s.name AS school_name, e.weekday, e.start_minute, e.start_date, e.end_date, e.status";

const ENROLMENT_FROM: &str = "FROM enrolments e JOIN pupils p ON p.id = e.pupil_id \
     LEFT JOIN staff t ON t.id = e.teacher_id LEFT JOIN schools s ON s.id = e.school_id";

/// The scope's condition, and for a teacher only the enrolments they teach.
fn enrolment_scope(scope: &PupilScope) -> (String, Vec<Value>) {
    let (mut cond, mut params) = scope.condition();
    if let PupilScope::Teacher(id) = scope {
        cond.push_str(" AND e.teacher_id = ?");
        params.push((*id).into());
    }
    (cond, params)
}

#[tutti_boxed::boxed]
impl Store {
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
        let rows = all_of::<EnrolmentRow>(self.conn(), &sql, params)
            .await?
            .into_iter()
            .map(EnrolmentView::try_from)
            .collect::<Result<_>>()?;
        Ok(Page::counted(rows, total, page, per))
    }

    /// One enrolment `scope` may see, else not found.
    pub async fn enrolment(&self, scope: &PupilScope, id: i64) -> Result<EnrolmentView> {
        let (cond, params) = enrolment_scope(scope);
        let mut all: Vec<Value> = vec![id.into()];
        all.extend(params);
        let sql = format!("{ENROLMENT_SELECT} {ENROLMENT_FROM} WHERE e.id = ? AND {cond}");
        one_of::<EnrolmentRow>(self.conn(), &sql, all)
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
        let _backend = txn.get_database_backend();
        #[derive(FromQueryResult)]
        struct SchoolOf {
            school_id: i64,
        }
        let pupil_school = one_of::<SchoolOf>(
            &txn,
            "SELECT school_id FROM pupils WHERE id = ? AND archived_at IS NULL",
            [e.pupil_id.into()],
        )
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
        let summary = format!(
            "pupil {} enrolled for {} from {}",
            e.pupil_id,
            e.instrument.trim(),
            e.start_date
        );
        audit::commit(txn, actor, Action::Create, "enrolment", Some(id), summary).await?;
        Ok(id)
    }
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
