//! The admissions API: `GET/POST /api/v1/enrolments`, `GET /api/v1/enrolments/{id}` and
//! `GET /api/v1/applications`, with the screens' role rules: a parent their own children, a
//! school its own pupils, a teacher the enrolments they teach; someone else's is 404. Only
//! the office creates enrolments.
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tutti_domain::lessons::{LESSON_MINUTES, LessonType};
use tutti_domain::rotation::ClockTime;
use tutti_store::admissions::applications::{ApplicationFilter, ApplicationView};
use tutti_store::admissions::enrolments::{EnrolmentFilter, EnrolmentView, NewEnrolment};
use tutti_store::platform::accounts::{Role, User};
use tutti_store::records::pupils::PupilScope;
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::access::{Access, Audience, Routes};
use crate::api_extract::{ApiJson, ApiPath, ApiQuery};
use crate::forms::FormErrors;
use crate::routes::api::caller::Caller;
use crate::routes::api::schemas::{Named, Page, clock, date, iso_date, not_null, paging, school_day, school_weekday};
use crate::routes::api::{ApiError, ok};
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
pub struct EnrolmentsDoc;

/// A pupil, as a list names them.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PupilRef {
    pub id: i64,
    pub name: String,
    pub pupil_ref: String,
}

/// An enrolment: a pupil learning an instrument, placed with a teacher at a time or waiting
/// for allocation.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Enrolment {
    pub id: i64,
    pub pupil: PupilRef,
    pub instrument: String,
    pub lesson_type: String,
    pub minutes: i32,
    /// Null until placed.
    pub teacher: Option<Named>,
    pub school: Option<Named>,
    /// 1 Monday to 5 Friday; null until placed.
    #[schema(minimum = 1, maximum = 5)]
    pub weekday: Option<i32>,
    /// HH:MM; null until placed.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub start_time: Option<String>,
    #[schema(format = Date)]
    pub start_date: String,
    #[schema(format = Date)]
    pub end_date: Option<String>,
    /// active, awaiting (allocation) or leaving (notice given).
    pub status: String,
}

impl From<&EnrolmentView> for Enrolment {
    fn from(e: &EnrolmentView) -> Enrolment {
        Enrolment {
            id: e.id,
            pupil: PupilRef {
                id: e.pupil_id,
                name: e.pupil_name.clone(),
                pupil_ref: e.pupil_ref.clone(),
            },
            instrument: e.instrument.clone(),
            lesson_type: e.lesson_type.clone(),
            minutes: e.minutes,
            teacher: e.teacher_id.map(|id| Named {
                id,
                name: e.teacher_name.clone().unwrap_or_default(),
            }),
            school: e.school_id.map(|id| Named {
                id,
                name: e.school_name.clone().unwrap_or_default(),
            }),
            weekday: e.weekday,
            start_time: e.start_minute.map(|m| ClockTime(m as u16).to_string()),
            start_date: iso_date(e.start_date),
            end_date: e.end_date.map(iso_date),
            status: e.status.as_str().to_owned(),
        }
    }
}

/// An application for lessons, with its place on its waiting list while it waits.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Application {
    pub id: i64,
    pub pupil: PupilRef,
    pub school: Named,
    pub instrument: String,
    pub lesson_type: String,
    pub minutes: i32,
    /// Who applied: parent, school or office.
    pub source: String,
    pub school_paid: bool,
    #[schema(format = DateTime)]
    pub applied_at: String,
    /// waiting, offered, accepted, declined or lapsed.
    pub status: String,
    /// 1 for the next to be offered a place; null unless waiting.
    pub place: Option<i64>,
    #[schema(format = Date)]
    pub offer_start_date: Option<String>,
    #[schema(format = Date)]
    pub offer_expires_on: Option<String>,
    pub enrolment_id: Option<i64>,
}

impl From<&ApplicationView> for Application {
    fn from(a: &ApplicationView) -> Application {
        Application {
            id: a.id,
            pupil: PupilRef {
                id: a.pupil_id,
                name: a.pupil_name.clone(),
                pupil_ref: a.pupil_ref.clone(),
            },
            school: Named {
                id: a.school_id,
                name: a.school_name.clone(),
            },
            instrument: a.instrument.clone(),
            lesson_type: a.lesson_type.clone(),
            minutes: a.minutes,
            source: a.source.clone(),
            school_paid: a.school_paid,
            applied_at: crate::format::iso(a.applied_at),
            status: a.status.as_str().to_owned(),
            place: a.place,
            offer_start_date: a.offer_start_date.map(iso_date),
            offer_expires_on: a.offer_expires_on.map(iso_date),
            enrolment_id: a.enrolment_id,
        }
    }
}

/// Where an enrolment stands.
#[derive(Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum EnrolmentStatus {
    Active,
    Awaiting,
    Leaving,
}

/// Where an application stands.
#[derive(Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ApplicationStatus {
    Waiting,
    Offered,
    Accepted,
    Declined,
    Lapsed,
}

fn word<T: Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Which enrolments.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// A pupil's id.
    pupil: Option<i64>,
    /// A school's id.
    school: Option<i64>,
    /// A teacher's staff id.
    teacher: Option<i64>,
    #[param(inline)]
    status: Option<EnrolmentStatus>,
    /// An instrument, any case.
    instrument: Option<String>,
    /// Page, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<u64>,
    /// Rows a page, 1 to 200 (50).
    #[param(minimum = 1, maximum = 200)]
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

/// Enrolments the caller may see, by pupil's name.
#[utoipa::path(get, path = "/api/v1/enrolments", tag = "admissions", params(ListParams),
    responses((status = 200, description = "A page of enrolments", body = Page<Enrolment>),
              (status = 404, description = "The pupil is not yours to see")))]
async fn list_enrolments(
    Caller { state, user, .. }: Caller,
    ApiQuery(p): ApiQuery<ListParams>,
) -> Result<Response, ApiError> {
    let (page, per_page) = paging(p.page, p.per_page)?;
    let scope = PupilScope::for_user(&user);
    check_pupil(&state, &scope, p.pupil).await?;
    let filter = EnrolmentFilter {
        pupil_id: p.pupil,
        school_id: p.school,
        teacher_id: p.teacher,
        status: p.status.map(word).unwrap_or_default(),
        instrument: p.instrument.unwrap_or_default(),
        page,
        per_page,
    };
    let found = state.store.enrolments(&scope, &filter).await?;
    ok(StatusCode::OK, Page::from_store(found, |e| Enrolment::from(&e)))
}

/// One enrolment.
#[utoipa::path(get, path = "/api/v1/enrolments/{id}", tag = "admissions",
    params(("id" = i64, Path, description = "The enrolment's id")),
    responses((status = 200, description = "The enrolment", body = Enrolment),
              (status = 404, description = "Not found, or not yours")))]
async fn get_enrolment(Caller { state, user, .. }: Caller, ApiPath(id): ApiPath<i64>) -> Result<Response, ApiError> {
    let e = state.store.enrolment(&PupilScope::for_user(&user), id).await?;
    ok(StatusCode::OK, Enrolment::from(&e))
}

fn may_write(user: &User) -> bool {
    matches!(user.role, Role::Admin | Role::Manager)
}

fn lesson_types() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(LessonType::WORDS.iter().copied()))
        .build()
}

fn lesson_minutes() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .enum_values(Some(LESSON_MINUTES.iter().copied()))
        .build()
}

/// A new enrolment. With `weekday` and `start_time` (and a teacher) it is placed; without,
/// it waits for allocation. The school is the pupil's own unless said.
#[derive(Deserialize, ToSchema)]
pub struct EnrolmentBody {
    #[schema(value_type = i64, required = true)]
    pupil_id: Option<i64>,
    /// The instrument, or voice.
    #[schema(value_type = String, required = true, pattern = r"\S")]
    instrument: Option<String>,
    #[schema(required = true, schema_with = lesson_types)]
    lesson_type: Option<String>,
    #[schema(required = true, schema_with = lesson_minutes)]
    minutes: Option<i64>,
    #[schema(value_type = String, required = true, format = Date)]
    start_date: Option<String>,
    teacher_id: Option<i64>,
    school_id: Option<i64>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(schema_with = school_day)]
    weekday: Option<Value>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    start_time: Option<String>,
}

/// Makes an enrolment (the office only).
#[utoipa::path(post, path = "/api/v1/enrolments", tag = "admissions", request_body = EnrolmentBody,
    responses((status = 201, description = "The new enrolment", body = Enrolment),
              (status = 403, description = "Only the office makes enrolments"),
              (status = 409, description = "Refused: no such pupil, teacher or school")))]
async fn create_enrolment(
    Caller { state, user, actor }: Caller,
    ApiJson(body): ApiJson<EnrolmentBody>,
) -> Result<Response, ApiError> {
    if !may_write(&user) {
        return Err(ApiError::Forbidden);
    }
    let mut errors = FormErrors::default();
    if body.pupil_id.is_none() {
        errors.add("pupil_id", "Give the pupil's id.");
    }
    let instrument = body.instrument.as_deref().unwrap_or("").trim().to_owned();
    if instrument.is_empty() {
        errors.add("instrument", "Give the instrument, or voice.");
    }
    let lesson_type = body.lesson_type.as_deref().and_then(|t| t.parse::<LessonType>().ok());
    if lesson_type.is_none() {
        errors.add("lesson_type", "Choose individual, paired, group or whole-class.");
    }
    let minutes = body
        .minutes
        .and_then(|m| u16::try_from(m).ok())
        .filter(|m| LESSON_MINUTES.contains(m));
    if minutes.is_none() {
        errors.add("minutes", "Lessons are 15, 20, 30, 45 or 60 minutes long.");
    }
    let start_date = body.start_date.as_deref().and_then(date);
    if start_date.is_none() {
        errors.add("start_date", "Enter a date like 2027-01-04.");
    }
    let weekday = match &body.weekday {
        None => None,
        Some(day) => school_weekday(day).or_else(|| {
            errors.add("weekday", "Choose a school day, Monday (1) to Friday (5).");
            None
        }),
    };
    let start_minute = match body.start_time.as_deref() {
        None => None,
        Some(t) => clock(t).or_else(|| {
            errors.add("start_time", "Enter the start time as HH:MM, like 09:30.");
            None
        }),
    };
    if body.weekday.is_some() != body.start_time.is_some() && errors.is_empty() {
        errors.add("start_time", "Give a weekday and a start time together, or neither.");
    }
    let (Some(pupil_id), Some(lesson_type), Some(minutes), Some(start_date)) =
        (body.pupil_id, lesson_type, minutes, start_date)
    else {
        return Err(ApiError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let new = NewEnrolment {
        pupil_id,
        instrument,
        lesson_type,
        minutes,
        start_date,
        teacher_id: body.teacher_id,
        school_id: body.school_id,
        weekday,
        start_minute,
    };
    let id = state.store.create_enrolment(&actor, &new).await?;
    let e = state.store.enrolment(&PupilScope::All, id).await?;
    ok(StatusCode::CREATED, Enrolment::from(&e))
}

/// Which applications.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApplicationParams {
    /// A pupil's id.
    pupil: Option<i64>,
    /// A school's id.
    school: Option<i64>,
    /// An instrument, any case.
    instrument: Option<String>,
    #[param(inline)]
    status: Option<ApplicationStatus>,
    /// Page, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<u64>,
    /// Rows a page, 1 to 200 (50).
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<u64>,
}

/// Applications the caller may see, newest first, each with its place on its waiting list
/// while it waits.
#[utoipa::path(get, path = "/api/v1/applications", tag = "admissions", params(ApplicationParams),
    responses((status = 200, description = "A page of applications", body = Page<Application>),
              (status = 404, description = "The pupil is not yours to see")))]
async fn list_applications(
    Caller { state, user, .. }: Caller,
    ApiQuery(p): ApiQuery<ApplicationParams>,
) -> Result<Response, ApiError> {
    let (page, per_page) = paging(p.page, p.per_page)?;
    let scope = PupilScope::for_user(&user);
    check_pupil(&state, &scope, p.pupil).await?;
    let filter = ApplicationFilter {
        id: None,
        pupil_id: p.pupil,
        school_id: p.school,
        instrument: p.instrument.unwrap_or_default(),
        status: p.status.map(word).unwrap_or_default(),
        waiting_order: false,
        page,
        per_page,
    };
    let found = state.store.applications(&scope, &filter, state.store.today()).await?;
    ok(StatusCode::OK, Page::from_store(found, |a| Application::from(&a)))
}
