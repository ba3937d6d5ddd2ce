//! The admissions API: `GET/POST /api/v1/enrolments`, `GET /api/v1/enrolments/{id}` and
//! `GET /api/v1/applications`, with the screens' role rules: a parent their own children, a
//! school its own pupils, a teacher the enrolments they teach; someone else's is 404. Only
//! the office creates enrolments.
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};
use tutti_domain::csv::parse_school_weekday;
use tutti_domain::lessons::{LESSON_MINUTES, LessonType};
use tutti_domain::rotation::ClockTime;
use tutti_domain::validate::parse_date;
use tutti_store::admissions::applications::{ApplicationFilter, ApplicationView};
use tutti_store::admissions::enrolments::{EnrolmentFilter, EnrolmentView, NewEnrolment};
use tutti_store::platform::accounts::{Role, User};
use tutti_store::platform::audit::Actor;
use tutti_store::records::pupils::PupilScope;
use utoipa::OpenApi;

use crate::access::{Access, Audience, Routes};
use crate::api_extract::{ApiJson, ApiPath, ApiQuery};
use crate::forms::FormErrors;
use crate::routes::api::ApiError;
use crate::session::{SignedIn, Visitor};
use crate::state::AppState;

pub fn audience() -> Audience {
    Audience::new(
        Access::SignedIn,
        Routes::new()
            .route("/api/v1/enrolments", get(list_enrolments).post(create_enrolment))
            .route("/api/v1/enrolments/{id}", get(get_enrolment))
            .route("/api/v1/applications", get(list_applications)),
    )
}

#[derive(OpenApi)]
#[openapi(paths(list_enrolments, get_enrolment, create_enrolment, list_applications))]
struct EnrolmentsDoc;

/// The API document with the enrolments and applications paths added.
pub fn with_enrolments(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    doc.merge(EnrolmentsDoc::openapi());
    doc
}

fn invalid(errors: FormErrors) -> ApiError {
    ApiError::Invalid(errors)
}

fn enrolment_json(e: &EnrolmentView) -> Value {
    json!({
        "id": e.id,
        "pupil": {"id": e.pupil_id, "name": e.pupil_name, "pupil_ref": e.pupil_ref},
        "instrument": e.instrument,
        "lesson_type": e.lesson_type,
        "minutes": e.minutes,
        "teacher": e.teacher_id.map(|id| json!({"id": id, "name": e.teacher_name})),
        "school": e.school_id.map(|id| json!({"id": id, "name": e.school_name})),
        "weekday": e.weekday,
        "start_time": e.start_minute.map(|m| ClockTime(m as u16).to_string()),
        "start_date": e.start_date.to_string(),
        "end_date": e.end_date.map(|d| d.to_string()),
        "status": e.status,
    })
}

fn application_json(a: &ApplicationView) -> Value {
    json!({
        "id": a.id,
        "pupil": {"id": a.pupil_id, "name": a.pupil_name, "pupil_ref": a.pupil_ref},
        "school": {"id": a.school_id, "name": a.school_name},
        "instrument": a.instrument,
        "lesson_type": a.lesson_type,
        "minutes": a.minutes,
        "source": a.source,
        "school_paid": a.school_paid,
        "applied_at": a.applied_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
        "status": a.status,
        "place": a.place,
        "offer_start_date": a.offer_start_date.map(|d| d.to_string()),
        "offer_expires_on": a.offer_expires_on.map(|d| d.to_string()),
        "enrolment_id": a.enrolment_id,
    })
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    pupil: Option<i64>,
    school: Option<i64>,
    teacher: Option<i64>,
    status: Option<String>,
    instrument: Option<String>,
    page: Option<u64>,
    per_page: Option<u64>,
}

/// A pupil filter naming a pupil outside the caller's scope is 404, as on the screens.
async fn check_pupil(state: &AppState, scope: &PupilScope, pupil: Option<i64>) -> Result<(), ApiError> {
    if let Some(id) = pupil
        && state.store.pupil_in_scope(scope, id).await?.is_none()
    {
        return Err(ApiError::NotFound);
    }
    Ok(())
}

fn page_json(rows: Vec<Value>, total: u64, page: u64, per_page: u64, key: &str) -> Response {
    Json(json!({key: rows, "total": total, "page": page, "per_page": per_page})).into_response()
}

/// Enrolments the caller may see, by pupil's name: filter by pupil, school, teacher, status
/// (active, awaiting, leaving) or instrument.
#[utoipa::path(get, path = "/api/v1/enrolments", tag = "admissions",
    params(("pupil" = Option<i64>, Query, description = "A pupil's id"),
           ("school" = Option<i64>, Query, description = "A school's id"),
           ("teacher" = Option<i64>, Query, description = "A teacher's staff id"),
           ("status" = Option<String>, Query, description = "active, awaiting (allocation) or leaving (notice given)"),
           ("instrument" = Option<String>, Query, description = "An instrument, any case"),
           ("page" = Option<u64>, Query, description = "Page, from 1"),
           ("per_page" = Option<u64>, Query, description = "Rows a page, 1 to 200 (50)")),
    responses((status = 200, description = "{enrolments: [{id, pupil {id, name, pupil_ref}, instrument, lesson_type, minutes, teacher {id, name} or null, school {id, name} or null, weekday 1-5 or null, start_time HH:MM or null, start_date, end_date, status}], total, page, per_page}"),
              (status = 404, description = "The pupil is not yours to see")))]
async fn list_enrolments(
    State(state): State<AppState>,
    SignedIn(user, _): SignedIn,
    ApiQuery(p): ApiQuery<ListParams>,
) -> Result<Response, ApiError> {
    let scope = PupilScope::for_user(&user);
    check_pupil(&state, &scope, p.pupil).await?;
    let filter = EnrolmentFilter {
        pupil_id: p.pupil,
        school_id: p.school,
        teacher_id: p.teacher,
        status: p.status.unwrap_or_default(),
        instrument: p.instrument.unwrap_or_default(),
        page: p.page.unwrap_or(1),
        per_page: p.per_page.unwrap_or(0),
    };
    let page = state.store.enrolments(&scope, &filter).await?;
    let rows = page.rows.iter().map(enrolment_json).collect();
    Ok(page_json(rows, page.total, page.page, page.per_page, "enrolments"))
}

/// One enrolment.
#[utoipa::path(get, path = "/api/v1/enrolments/{id}", tag = "admissions",
    params(("id" = i64, Path, description = "The enrolment's id")),
    responses((status = 200, description = "The enrolment, as in the list"), (status = 404, description = "Not found, or not yours")))]
async fn get_enrolment(
    State(state): State<AppState>,
    SignedIn(user, _): SignedIn,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let e = state.store.enrolment(&PupilScope::for_user(&user), id).await?;
    Ok(Json(enrolment_json(&e)).into_response())
}

fn may_write(user: &User) -> bool {
    matches!(user.role, Role::Admin | Role::Manager)
}

/// Makes an enrolment (the office only). With teacher_id, weekday and start_time it is
/// placed (active); without, it waits for allocation. The school defaults to the pupil's own.
#[utoipa::path(post, path = "/api/v1/enrolments", tag = "admissions",
    request_body(content = String, description = "{pupil_id, instrument, lesson_type, minutes, start_date YYYY-MM-DD, teacher_id?, school_id?, weekday? (1-5 or Monday-Friday), start_time? HH:MM}", content_type = "application/json"),
    responses((status = 201, description = "The new enrolment"), (status = 403, description = "Only the office makes enrolments"),
              (status = 422, description = "Errors by field"), (status = 409, description = "Refused: no such pupil, teacher or school")))]
async fn create_enrolment(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, _): SignedIn,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    if !may_write(&user) {
        return Err(ApiError::Forbidden);
    }
    let mut errors = FormErrors::default();
    let pupil_id = body["pupil_id"].as_i64();
    if pupil_id.is_none() {
        errors.add("pupil_id", "Give the pupil's id.");
    }
    let instrument = body["instrument"].as_str().unwrap_or("").trim().to_owned();
    if instrument.is_empty() {
        errors.add("instrument", "Give the instrument, or voice.");
    }
    let lesson_type = body["lesson_type"].as_str().and_then(|t| t.parse::<LessonType>().ok());
    if lesson_type.is_none() {
        errors.add("lesson_type", "Choose individual, paired, group or whole-class.");
    }
    let minutes = body["minutes"]
        .as_u64()
        .and_then(|m| u16::try_from(m).ok())
        .filter(|m| LESSON_MINUTES.contains(m));
    if minutes.is_none() {
        errors.add("minutes", "Lessons are 15, 20, 30, 45 or 60 minutes long.");
    }
    let start_date = body["start_date"].as_str().and_then(|d| parse_date(d).ok());
    if start_date.is_none() {
        errors.add("start_date", "Enter a date like 2027-01-04.");
    }
    let weekday = match &body["weekday"] {
        Value::Null => None,
        Value::Number(n) => n
            .as_u64()
            .and_then(|d| u8::try_from(d).ok())
            .filter(|d| (1..=5).contains(d))
            .or_else(|| {
                errors.add("weekday", "Choose a school day, Monday (1) to Friday (5).");
                None
            }),
        Value::String(s) => match parse_school_weekday(s) {
            Ok(d) => Some(d.number_from_monday()),
            Err(m) => {
                errors.add("weekday", m);
                None
            }
        },
        _ => {
            errors.add("weekday", "Choose a school day, Monday (1) to Friday (5).");
            None
        }
    };
    let start_minute = match body["start_time"].as_str() {
        None => None,
        Some(t) => match t.parse::<ClockTime>() {
            Ok(c) => Some(c.0),
            Err(_) => {
                errors.add("start_time", "Enter the start time as HH:MM, like 09:30.");
                None
            }
        },
    };
    if weekday.is_some() != start_minute.is_some() && errors.is_empty() {
        errors.add("start_time", "Give a weekday and a start time together, or neither.");
    }
    let (Some(pupil_id), Some(lesson_type), Some(minutes), Some(start_date)) =
        (pupil_id, lesson_type, minutes, start_date)
    else {
        return Err(invalid(errors));
    };
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let new = NewEnrolment {
        pupil_id,
        instrument,
        lesson_type,
        minutes,
        start_date,
        teacher_id: body["teacher_id"].as_i64(),
        school_id: body["school_id"].as_i64(),
        weekday,
        start_minute,
    };
    let id = state
        .store
        .create_enrolment(&Actor::user(&user, &visitor.ip), &new)
        .await?;
    let e = state.store.enrolment(&PupilScope::All, id).await?;
    Ok((StatusCode::CREATED, Json(enrolment_json(&e))).into_response())
}

#[derive(Deserialize, Default)]
pub struct ApplicationParams {
    pupil: Option<i64>,
    school: Option<i64>,
    instrument: Option<String>,
    status: Option<String>,
    page: Option<u64>,
    per_page: Option<u64>,
}

/// Applications the caller may see, newest first, each with its place on its waiting list
/// while it waits.
#[utoipa::path(get, path = "/api/v1/applications", tag = "admissions",
    params(("pupil" = Option<i64>, Query, description = "A pupil's id"),
           ("school" = Option<i64>, Query, description = "A school's id"),
           ("instrument" = Option<String>, Query, description = "An instrument, any case"),
           ("status" = Option<String>, Query, description = "waiting, offered, accepted, declined or lapsed"),
           ("page" = Option<u64>, Query, description = "Page, from 1"),
           ("per_page" = Option<u64>, Query, description = "Rows a page, 1 to 200 (50)")),
    responses((status = 200, description = "{applications: [{id, pupil {id, name, pupil_ref}, school {id, name}, instrument, lesson_type, minutes, source, school_paid, applied_at, status, place, offer_start_date, offer_expires_on, enrolment_id}], total, page, per_page}"),
              (status = 404, description = "The pupil is not yours to see")))]
async fn list_applications(
    State(state): State<AppState>,
    SignedIn(user, _): SignedIn,
    ApiQuery(p): ApiQuery<ApplicationParams>,
) -> Result<Response, ApiError> {
    let scope = PupilScope::for_user(&user);
    check_pupil(&state, &scope, p.pupil).await?;
    let filter = ApplicationFilter {
        id: None,
        pupil_id: p.pupil,
        school_id: p.school,
        instrument: p.instrument.unwrap_or_default(),
        status: p.status.unwrap_or_default(),
        waiting_order: false,
        page: p.page.unwrap_or(1),
        per_page: p.per_page.unwrap_or(0),
    };
    let page = state.store.applications(&scope, &filter, state.store.today()).await?;
    let rows = page.rows.iter().map(application_json).collect();
    Ok(page_json(rows, page.total, page.page, page.per_page, "applications"))
}
