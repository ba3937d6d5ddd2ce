//! The lessons API: `GET /api/v1/timetable` (dated lessons at their real times) and
//! `POST /api/v1/registers` (marks), with the screens' role rules: a teacher their own
//! lessons, a parent their own children, a school its own; someone else's is 404.
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use time::Date;
use tutti_domain::guarantee::RegisterMark;
use tutti_domain::rotation::ClockTime;
use tutti_store::platform::accounts::{Role, User};
use tutti_store::teaching::lessons::{NoteReader, TimetableLesson, TimetableOf};
use tutti_store::teaching::registers::{LessonOutcome, MarkScope};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::access::{Access, Audience, Routes};
use crate::api_extract::{ApiJson, ApiQuery};
use crate::routes::api::caller::Caller;
use crate::routes::api::schemas::{Named, Page, iso_date, paging};
use crate::routes::api::{ApiError, invalid, ok};
use crate::state::AppState;

pub fn audience() -> Audience {
    Audience::new(
        Access::SignedIn,
        Routes::new()
            .route("/api/v1/timetable", get(timetable))
            .route("/api/v1/registers", post(registers)),
    )
}

#[derive(OpenApi)]
#[openapi(paths(timetable, registers))]
pub struct LessonsDoc;

/// Whose lessons, between which days. `teacher`, `pupil` and `school` narrow the list
/// together (a teacher's lessons at one school); with none of them, the caller's own
/// lessons: a teacher's, a pupil's, a school's, a parent's children's (the office teaches
/// none).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimetableParams {
    /// A teacher's staff id.
    teacher: Option<i64>,
    /// A pupil's id (only that pupil is listed on group lessons).
    pupil: Option<i64>,
    /// A school's id.
    school: Option<i64>,
    /// The first day, YYYY-MM-DD.
    #[param(required = true, value_type = String, format = Date)]
    from: Option<String>,
    /// The last day, YYYY-MM-DD; before `from`, no days and no lessons.
    #[param(required = true, value_type = String, format = Date)]
    to: Option<String>,
    /// Page, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<u64>,
    /// Rows a page, 1 to 200 (50).
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<u64>,
}

fn date(field: &'static str, text: Option<&str>) -> Result<Date, ApiError> {
    text.and_then(|t| Date::parse(t, time::macros::format_description!("[year]-[month]-[day]")).ok())
        .ok_or_else(|| invalid(field, "Enter a date like 2026-11-30."))
}

/// May `user` read this timetable? Someone else's is 404, as it is on the screens.
async fn may_read(state: &AppState, user: &User, of: TimetableOf) -> Result<bool, ApiError> {
    Ok(match (user.role, of) {
        (Role::Admin | Role::Manager, _) => true,
        (Role::Teacher, TimetableOf::Teacher(id)) => user.staff_id == Some(id),
        (Role::School, TimetableOf::School(id)) => user.school_id == Some(id),
        (Role::Pupil, TimetableOf::Pupil(id)) => user.pupil_id == Some(id),
        (Role::Parent, TimetableOf::Pupil(id)) if user.email_verified => state
            .store
            .children_of_guardian(&user.email)
            .await?
            .iter()
            .any(|c| c.id == id),
        _ => false,
    })
}

/// The timetables that are the caller's own.
async fn own(state: &AppState, user: &User) -> Result<Vec<TimetableOf>, ApiError> {
    Ok(match user.role {
        Role::Teacher => user.staff_id.map(TimetableOf::Teacher).into_iter().collect(),
        Role::School => user.school_id.map(TimetableOf::School).into_iter().collect(),
        Role::Pupil => user.pupil_id.map(TimetableOf::Pupil).into_iter().collect(),
        Role::Parent if user.email_verified => state
            .store
            .children_of_guardian(&user.email)
            .await?
            .iter()
            .map(|c| TimetableOf::Pupil(c.id))
            .collect(),
        _ => Vec::new(),
    })
}

/// A pupil on a lesson's register.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LessonPupil {
    pub id: i64,
    pub name: String,
    /// Their mark, once the register is taken.
    pub mark: Option<String>,
}

/// A dated lesson at its real time.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DatedLesson {
    pub id: i64,
    #[schema(format = Date)]
    pub date: String,
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "09:30")]
    pub start: String,
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "10:00")]
    pub end: String,
    /// scheduled, given, teacher-absent, school-closed, cancelled.
    pub status: String,
    /// The hub missed it and owes it.
    pub owed_by_hub: bool,
    pub instrument: String,
    pub lesson_type: String,
    pub school: Named,
    pub teacher: Named,
    pub pupils: Vec<LessonPupil>,
    /// The teacher's note: for families and schools only once the teacher shares it.
    pub note: String,
    /// Taught over a video call; `school` is then the pupils' school. The joining link is
    /// shown on the family's and teacher's pages, not in the API.
    pub online: bool,
}

impl From<&TimetableLesson> for DatedLesson {
    fn from(l: &TimetableLesson) -> DatedLesson {
        DatedLesson {
            id: l.id,
            date: iso_date(l.date),
            start: ClockTime(l.start_minute as u16).to_string(),
            end: ClockTime(l.end_minute as u16).to_string(),
            status: l.status.as_str().to_owned(),
            owed_by_hub: l.owed_by_hub,
            instrument: l.instrument.clone(),
            lesson_type: l.lesson_type.clone(),
            school: Named {
                id: l.school_id,
                name: l.school_name.clone(),
            },
            teacher: Named {
                id: l.teacher_id,
                name: l.teacher_name.clone(),
            },
            pupils: l
                .pupils
                .iter()
                .map(|p| LessonPupil {
                    id: p.id,
                    name: p.name.clone(),
                    mark: p.mark.clone(),
                })
                .collect(),
            note: l.note.clone(),
            online: l.online,
        }
    }
}

/// Dated lessons between two days, at their real times, by day and time.
#[utoipa::path(get, path = "/api/v1/timetable", tag = "lessons", params(TimetableParams),
    responses((status = 200, description = "A page of the lessons", body = Page<DatedLesson>),
              (status = 404, description = "A teacher, pupil or school that is not the caller's to see")))]
async fn timetable(
    Caller { state, user, .. }: Caller,
    ApiQuery(p): ApiQuery<TimetableParams>,
) -> Result<Response, ApiError> {
    let from = date("from", p.from.as_deref());
    let to = date("to", p.to.as_deref());
    let paged = paging(p.page, p.per_page);
    let (from, to, paged) = (from?, to?, paged?);
    let asked: Vec<TimetableOf> = [
        p.pupil.map(TimetableOf::Pupil),
        p.teacher.map(TimetableOf::Teacher),
        p.school.map(TimetableOf::School),
    ]
    .into_iter()
    .flatten()
    .collect();
    // The first filter asked for is read (a pupil's first, so that only they are listed on
    // their group's lessons); the others narrow it. One the caller may read is enough: the
    // others only narrow what they may read.
    let sources = if asked.is_empty() {
        own(&state, &user).await?
    } else {
        let mut readable = false;
        for of in &asked {
            readable = readable || may_read(&state, &user, *of).await?;
        }
        if !readable {
            return Err(ApiError::NotFound);
        }
        vec![asked[0]]
    };
    // The hub's staff read every note; families, pupils and schools only the shared ones.
    let reader = match user.role {
        Role::Admin | Role::Manager | Role::Teacher => NoteReader::Staff,
        _ => NoteReader::Family,
    };
    let mut lessons = Vec::new();
    if from <= to {
        for of in sources {
            lessons.extend(state.store.timetable(of, from, to, reader).await?);
        }
    }
    lessons.retain(|l| {
        p.teacher.is_none_or(|t| l.teacher_id == t)
            && p.school.is_none_or(|s| l.school_id == s)
            && p.pupil.is_none_or(|id| l.pupils.iter().any(|x| x.id == id))
    });
    lessons.sort_by_key(|l| (l.date, l.start_minute, l.id));
    let rows = lessons.iter().map(DatedLesson::from).collect();
    ok(StatusCode::OK, Page::of_all(rows, paged))
}

/// A pupil's mark on a register.
#[derive(Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PupilMark {
    Present,
    Ill,
    SchoolTrip,
    Exam,
    ForgotInstrument,
    Unauthorised,
}

impl From<PupilMark> for RegisterMark {
    fn from(m: PupilMark) -> RegisterMark {
        match m {
            PupilMark::Present => RegisterMark::Present,
            PupilMark::Ill => RegisterMark::Ill,
            PupilMark::SchoolTrip => RegisterMark::SchoolTrip,
            PupilMark::Exam => RegisterMark::Exam,
            PupilMark::ForgotInstrument => RegisterMark::ForgotInstrument,
            PupilMark::Unauthorised => RegisterMark::Unauthorised,
        }
    }
}

/// What became of a whole lesson.
#[derive(Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Given,
    TeacherAbsent,
    SchoolClosed,
}

/// One pupil's mark.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct MarkPupil {
    lesson: i64,
    pupil: i64,
    mark: PupilMark,
}

/// The whole lesson's outcome.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct MarkLesson {
    lesson: i64,
    outcome: Outcome,
}

/// A register mark as documented: one pupil's, or the whole lesson's (read as
/// [`RegisterBody`], which names each missing field).
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum RegisterRequest {
    MarkPupil(MarkPupil),
    MarkLesson(MarkLesson),
}

/// A register mark as read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterBody {
    lesson: Option<i64>,
    pupil: Option<i64>,
    mark: Option<PupilMark>,
    outcome: Option<Outcome>,
}

/// Marks a register: one pupil (`pupil` and `mark`) or the whole lesson (`outcome`).
/// Teachers mark their own lessons; the office any.
#[utoipa::path(post, path = "/api/v1/registers", tag = "lessons", request_body = RegisterRequest,
    responses((status = 204, description = "Marked"), (status = 403, description = "Role may not mark registers"),
              (status = 404, description = "No such lesson or pupil, or not yours"),
              (status = 409, description = "The lesson is marked as missed by the hub, or is not yet due")))]
async fn registers(
    Caller { state, user, actor }: Caller,
    ApiJson(body): ApiJson<RegisterBody>,
) -> Result<Response, ApiError> {
    let scope = match (user.role, user.staff_id) {
        (Role::Admin | Role::Manager, _) => MarkScope::Office,
        (Role::Teacher, Some(id)) => MarkScope::Teacher(id),
        _ => return Err(ApiError::Forbidden),
    };
    let lesson = body.lesson.ok_or_else(|| invalid("lesson", "Give the lesson's id."))?;
    // A rehearsal's register: its ids are numbered apart from lessons' (decision 0084).
    if tutti_domain::ensembles::is_rehearsal_id(lesson) {
        let pupil_mark = body.pupil.zip(body.mark).map(|(p, m)| (p, RegisterMark::from(m)));
        let given = body.outcome.map(|o| matches!(o, Outcome::Given));
        if pupil_mark.is_none() && given.is_none() {
            return Err(invalid(
                "mark",
                "Give a pupil and their mark, or the rehearsal's outcome.",
            ));
        }
        return crate::routes::api::ensembles::mark_rehearsal(&state, &user, &actor, lesson, pupil_mark, given).await;
    }
    match (body.outcome, body.pupil, body.mark) {
        (Some(outcome), None, None) => {
            let outcome = match outcome {
                Outcome::Given => LessonOutcome::Given,
                Outcome::TeacherAbsent => LessonOutcome::TeacherAbsent,
                Outcome::SchoolClosed => LessonOutcome::SchoolClosed,
            };
            state.store.mark_lesson(&actor, scope, lesson, outcome).await?;
        }
        (Some(_), _, _) => {
            return Err(invalid(
                "outcome",
                "Send an outcome for the lesson, or a pupil and their mark, not both.",
            ));
        }
        (None, pupil, mark) => {
            let pupil = pupil.ok_or_else(|| invalid("pupil", "Give the pupil's id, or the lesson's outcome."))?;
            let mark = mark.ok_or_else(|| {
                invalid(
                    "mark",
                    "Choose present, ill, school-trip, exam, forgot-instrument or unauthorised.",
                )
            })?;
            state
                .store
                .mark_pupil(&actor, scope, lesson, pupil, mark.into())
                .await?;
        }
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
