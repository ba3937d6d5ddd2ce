//! The lessons API: `GET /api/v1/timetable` (dated lessons at their real times) and
//! `POST /api/v1/registers` (marks), with the screens' role rules: a teacher their own
//! lessons, a parent their own children, a school its own; someone else's is 404.
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};
use time::Date;
use tutti_domain::guarantee::RegisterMark;
use tutti_domain::rotation::ClockTime;
use tutti_store::platform::accounts::{Role, User};
use tutti_store::platform::audit::Actor;
use tutti_store::teaching::lessons::{NoteReader, TimetableLesson, TimetableOf};
use tutti_store::teaching::registers::{LessonOutcome, MarkScope};
use utoipa::OpenApi;

use crate::access::{Access, Audience, Routes};
use crate::api_extract::{ApiJson, ApiQuery};
use crate::routes::api::ApiError;
use crate::session::{SignedIn, Visitor};
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
struct LessonsDoc;

/// The API document with the lessons paths added.
pub fn with_lessons(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    doc.merge(LessonsDoc::openapi());
    doc
}

#[derive(Deserialize)]
pub struct TimetableParams {
    teacher: Option<i64>,
    pupil: Option<i64>,
    school: Option<i64>,
    from: Option<String>,
    to: Option<String>,
}

fn invalid(field: &'static str, message: &str) -> ApiError {
    let mut errors = crate::forms::FormErrors::default();
    errors.add(field, message);
    ApiError::Invalid(errors)
}

fn date(field: &'static str, text: Option<&str>) -> Result<Date, ApiError> {
    text.and_then(|t| Date::parse(t.trim(), time::macros::format_description!("[year]-[month]-[day]")).ok())
        .ok_or_else(|| invalid(field, "Enter a date like 2026-11-30."))
}

/// May `user` read this timetable? Someone else's is 404, as it is on the screens.
async fn may_read(state: &AppState, user: &User, of: TimetableOf) -> Result<(), ApiError> {
    let allowed = match (user.role, of) {
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
    };
    if allowed { Ok(()) } else { Err(ApiError::NotFound) }
}

fn lesson_json(l: &TimetableLesson) -> Value {
    json!({
        "id": l.id,
        "date": l.date.to_string(),
        "start": ClockTime(l.start_minute as u16).to_string(),
        "end": ClockTime(l.end_minute as u16).to_string(),
        "status": l.status,
        "owed_by_hub": l.owed_by_hub,
        "instrument": l.instrument,
        "lesson_type": l.lesson_type,
        "school": {"id": l.school_id, "name": l.school_name},
        "teacher": {"id": l.teacher_id, "name": l.teacher_name},
        "pupils": l.pupils.iter().map(|p| json!({"id": p.id, "name": p.name, "mark": p.mark})).collect::<Vec<_>>(),
        "note": l.note,
    })
}

/// Dated lessons of one teacher, pupil or school between two dates, at their real times.
#[utoipa::path(get, path = "/api/v1/timetable", tag = "lessons",
    params(("teacher" = Option<i64>, Query, description = "A teacher's staff id"),
           ("pupil" = Option<i64>, Query, description = "A pupil's id (only that pupil is listed on group lessons)"),
           ("school" = Option<i64>, Query, description = "A school's id"),
           ("from" = String, Query, description = "First date, YYYY-MM-DD"),
           ("to" = String, Query, description = "Last date, YYYY-MM-DD, at most 366 days after from")),
    responses((status = 200, description = "{lessons: [{id, date, start HH:MM, end HH:MM, status, owed_by_hub, instrument, lesson_type, school {id, name}, teacher {id, name}, pupils [{id, name, mark}], note}]}"),
              (status = 404, description = "Not yours to see"), (status = 422, description = "Errors by field")))]
async fn timetable(
    State(state): State<AppState>,
    SignedIn(user, _): SignedIn,
    ApiQuery(p): ApiQuery<TimetableParams>,
) -> Result<Response, ApiError> {
    let of = match (p.teacher, p.pupil, p.school) {
        (Some(id), None, None) => TimetableOf::Teacher(id),
        (None, Some(id), None) => TimetableOf::Pupil(id),
        (None, None, Some(id)) => TimetableOf::School(id),
        _ => return Err(invalid("teacher", "Give exactly one of teacher, pupil or school.")),
    };
    let from = date("from", p.from.as_deref())?;
    let to = date("to", p.to.as_deref())?;
    if to < from || (to - from).whole_days() > 366 {
        return Err(invalid(
            "to",
            "The last date must be on or after the first, and within a year of it.",
        ));
    }
    may_read(&state, &user, of).await?;
    // The hub's staff read every note; families, pupils and schools only the shared ones.
    let reader = match user.role {
        Role::Admin | Role::Manager | Role::Teacher => NoteReader::Staff,
        _ => NoteReader::Family,
    };
    let lessons = state.store.timetable(of, from, to, reader).await?;
    Ok(Json(json!({"lessons": lessons.iter().map(lesson_json).collect::<Vec<_>>()})).into_response())
}

/// Marks a register: one pupil (`pupil` and `mark`: present, ill, school-trip, exam,
/// forgot-instrument, unauthorised) or the whole lesson (`outcome`: given, teacher-absent,
/// school-closed). Teachers mark their own lessons; the office any.
#[utoipa::path(post, path = "/api/v1/registers", tag = "lessons",
    request_body(content = String, description = "{lesson, pupil, mark} or {lesson, outcome}", content_type = "application/json"),
    responses((status = 204, description = "Marked"), (status = 403, description = "Role may not mark registers"),
              (status = 404, description = "No such lesson or pupil, or not yours"), (status = 422, description = "Errors by field"),
              (status = 409, description = "The lesson is marked as missed by the hub")))]
async fn registers(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, _): SignedIn,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let scope = match (user.role, user.staff_id) {
        (Role::Admin | Role::Manager, _) => MarkScope::Office,
        (Role::Teacher, Some(id)) => MarkScope::Teacher(id),
        _ => return Err(ApiError::Forbidden),
    };
    let lesson = body["lesson"]
        .as_i64()
        .ok_or_else(|| invalid("lesson", "Give the lesson's id."))?;
    let actor = Actor::user(&user, &visitor.ip);
    if let Some(outcome) = body["outcome"].as_str() {
        let outcome = LessonOutcome::parse(outcome)
            .ok_or_else(|| invalid("outcome", "Choose given, teacher-absent or school-closed."))?;
        state.store.mark_lesson(&actor, scope, lesson, outcome).await?;
    } else {
        let pupil = body["pupil"]
            .as_i64()
            .ok_or_else(|| invalid("pupil", "Give the pupil's id."))?;
        let mark: RegisterMark = body["mark"].as_str().and_then(|m| m.parse().ok()).ok_or_else(|| {
            invalid(
                "mark",
                "Choose present, ill, school-trip, exam, forgot-instrument or unauthorised.",
            )
        })?;
        state.store.mark_pupil(&actor, scope, lesson, pupil, mark).await?;
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
