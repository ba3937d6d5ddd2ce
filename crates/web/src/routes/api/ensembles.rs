//! The ensembles API: `GET /api/v1/ensembles` (by area, level, instrument and day),
//! `GET /api/v1/ensembles/{id}` (with the year's rehearsals, and the members for the office
//! and the ensemble's leaders), `POST /api/v1/ensembles/{id}/applications` (a parent for their
//! own child, a pupil for themselves, the office for anyone), and the office's decisions on an
//! application: accept, decline, and a member leaving. A rehearsal's register is marked
//! through `POST /api/v1/registers` with its id as `lesson` (`mark_rehearsal` below).
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use tutti_domain::calendar::AcademicYear;
use tutti_domain::ensembles::{EnsembleEntry, EnsembleLevel, MembershipStatus};
use tutti_domain::guarantee::RegisterMark;
use tutti_domain::rotation::ClockTime;
use tutti_store::platform::accounts::{Role, User};
use tutti_store::platform::audit::Actor;
use tutti_store::records::pupils::PupilScope;
use tutti_store::teaching::ensembles::Ensemble as StoreEnsemble;
use tutti_store::teaching::ensembles::members::{EnsembleApplication, NewEnsembleApplication};
use tutti_store::teaching::ensembles::records::EnsembleQuery;
use tutti_store::teaching::ensembles::rehearsals::Rehearsal as StoreRehearsal;
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::access::{Access, Audience, Routes};
use crate::api_extract::{ApiJson, ApiPath, ApiQuery};
use crate::routes::api::caller::Caller;
use crate::routes::api::schemas::{Page, iso_date, paging};
use crate::routes::api::{ApiError, invalid, office, ok};
use crate::state::AppState;

/// Signed in by token or session; each handler checks the role, so that the answer is JSON.
pub fn audience() -> Audience {
    Audience::new(
        Access::SignedIn,
        Routes::new()
            .route("/api/v1/ensembles", get(list))
            .route("/api/v1/ensembles/{id}", get(one))
            .route("/api/v1/ensembles/{id}/applications", post(apply))
            .route(
                "/api/v1/ensembles/{id}/applications/{application_id}/accept",
                post(accept),
            )
            .route(
                "/api/v1/ensembles/{id}/applications/{application_id}/decline",
                post(decline),
            )
            .route(
                "/api/v1/ensembles/{id}/applications/{application_id}/leave",
                post(leave),
            ),
    )
}

#[derive(OpenApi)]
#[openapi(paths(list, one, apply, accept, decline, leave))]
pub struct EnsemblesDoc;

fn words(list: &'static [&'static str]) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(list.iter().copied()))
        .build()
}

fn kinds() -> Object {
    words(tutti_domain::ensembles::EnsembleKind::WORDS)
}
fn levels() -> Object {
    words(EnsembleLevel::WORDS)
}
fn entries() -> Object {
    words(EnsembleEntry::WORDS)
}
fn statuses() -> Object {
    words(MembershipStatus::WORDS)
}

const DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

fn day_name(n: u8) -> String {
    DAYS.get(usize::from(n).saturating_sub(1))
        .copied()
        .unwrap_or("monday")
        .to_owned()
}

fn days() -> Object {
    words(&DAYS)
}

/// An instrument an ensemble wants, and how many of its places are held.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Instrumentation {
    pub instrument: String,
    pub places: u32,
    /// Members, and places offered to the waiting list.
    pub held: u32,
    pub waiting: u32,
}

/// An ensemble.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Ensemble {
    pub id: i64,
    pub name: String,
    /// Its page is `/ensembles/{slug}`.
    pub slug: String,
    #[schema(schema_with = kinds)]
    pub kind: String,
    #[schema(schema_with = levels)]
    pub level: String,
    /// `open`: joined at once while there is room; `audition`: heard first.
    #[schema(schema_with = entries)]
    pub entry: String,
    pub area: String,
    pub venue: String,
    pub online: bool,
    /// The day of the week it rehearses.
    #[schema(schema_with = days)]
    pub day: String,
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "18:00")]
    pub start: String,
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "19:30")]
    pub end: String,
    pub min_age: Option<u8>,
    pub max_age: Option<u8>,
    pub min_grade: Option<u8>,
    /// The termly fee in pence (0: free).
    pub termly_fee_pence: i64,
    pub leaders: Vec<String>,
    /// Empty: any instrument (a choir's voices).
    pub instrumentation: Vec<Instrumentation>,
}

impl From<&StoreEnsemble> for Ensemble {
    fn from(e: &StoreEnsemble) -> Ensemble {
        Ensemble {
            id: e.id,
            name: e.name.clone(),
            slug: e.slug.clone(),
            kind: e.kind.as_str().to_owned(),
            level: e.level.as_str().to_owned(),
            entry: e.entry.as_str().to_owned(),
            area: e.area.clone(),
            venue: e.venue.clone(),
            online: e.online,
            day: day_name(e.weekday),
            start: ClockTime(e.start_minute).to_string(),
            end: ClockTime(e.end_minute).to_string(),
            min_age: e.min_age,
            max_age: e.max_age,
            min_grade: e.min_grade,
            termly_fee_pence: e.termly_fee.0,
            leaders: e.leaders.iter().map(|l| l.name.clone()).collect(),
            instrumentation: e
                .instrumentation
                .iter()
                .map(|p| Instrumentation {
                    instrument: p.instrument.clone(),
                    places: p.places,
                    held: p.held,
                    waiting: p.waiting,
                })
                .collect(),
        }
    }
}

/// A dated rehearsal. Its `id` is the `lesson` of a register mark.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rehearsal {
    pub id: i64,
    #[schema(format = Date)]
    pub date: String,
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "18:00")]
    pub start: String,
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "19:30")]
    pub end: String,
    /// scheduled, given or cancelled.
    pub status: String,
    /// An extra rehearsal, not one of the weekly ones.
    pub extra: bool,
    /// The day it was moved from.
    #[schema(format = Date)]
    pub moved_from: Option<String>,
    pub note: String,
}

impl From<&StoreRehearsal> for Rehearsal {
    fn from(r: &StoreRehearsal) -> Rehearsal {
        Rehearsal {
            id: r.id,
            date: iso_date(r.date),
            start: ClockTime(r.start_minute).to_string(),
            end: ClockTime(r.end_minute).to_string(),
            status: r.status.as_str().to_owned(),
            extra: r.extra,
            moved_from: r.moved_from.map(iso_date),
            note: r.note.clone(),
        }
    }
}

/// A member, as the office and the ensemble's leaders see them.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// The application that made them a member.
    pub application_id: i64,
    pub pupil_id: i64,
    pub name: String,
    pub instrument: String,
    pub part: String,
    #[schema(format = Date)]
    pub joined: Option<String>,
}

/// An ensemble with the year's rehearsals and, for the office and its leaders, its members.
/// Its fields are an `Ensemble`'s, written out (not flattened) so that the schema stays closed.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnsembleDetail {
    pub id: i64,
    pub name: String,
    pub slug: String,
    #[schema(schema_with = kinds)]
    pub kind: String,
    #[schema(schema_with = levels)]
    pub level: String,
    #[schema(schema_with = entries)]
    pub entry: String,
    pub area: String,
    pub venue: String,
    pub online: bool,
    #[schema(schema_with = days)]
    pub day: String,
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "18:00")]
    pub start: String,
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "19:30")]
    pub end: String,
    pub min_age: Option<u8>,
    pub max_age: Option<u8>,
    pub min_grade: Option<u8>,
    pub termly_fee_pence: i64,
    pub leaders: Vec<String>,
    pub instrumentation: Vec<Instrumentation>,
    pub rehearsals: Vec<Rehearsal>,
    /// Only for the office and the ensemble's leaders; absent for everyone else.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<Member>>,
}

impl EnsembleDetail {
    fn new(e: Ensemble, rehearsals: Vec<Rehearsal>, members: Option<Vec<Member>>) -> EnsembleDetail {
        EnsembleDetail {
            id: e.id,
            name: e.name,
            slug: e.slug,
            kind: e.kind,
            level: e.level,
            entry: e.entry,
            area: e.area,
            venue: e.venue,
            online: e.online,
            day: e.day,
            start: e.start,
            end: e.end,
            min_age: e.min_age,
            max_age: e.max_age,
            min_grade: e.min_grade,
            termly_fee_pence: e.termly_fee_pence,
            leaders: e.leaders,
            instrumentation: e.instrumentation,
            rehearsals,
            members,
        }
    }
}

/// An application to join.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnsembleMembership {
    pub id: i64,
    pub ensemble_id: i64,
    pub pupil_id: i64,
    pub instrument: String,
    pub grade: u8,
    /// applied, audition-booked, accepted, declined, waiting, offered or left.
    #[schema(schema_with = statuses)]
    pub status: String,
    /// A leaver's last day as a member: after notice, the last day of the last term charged.
    #[schema(format = Date)]
    pub member_until: Option<String>,
}

impl From<&EnsembleApplication> for EnsembleMembership {
    fn from(a: &EnsembleApplication) -> EnsembleMembership {
        EnsembleMembership {
            id: a.id,
            ensemble_id: a.ensemble_id,
            pupil_id: a.pupil_id,
            instrument: a.instrument.clone(),
            grade: a.grade,
            status: a.status.as_str().to_owned(),
            member_until: a.left_on.map(|left| left.previous_day().unwrap_or(left).to_string()),
        }
    }
}

/// Which ensembles.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// An area, as the ensembles name it.
    area: Option<String>,
    #[param(inline)]
    level: Option<LevelParam>,
    /// Ensembles with places for this instrument (or open to any).
    instrument: Option<String>,
    #[param(inline)]
    day: Option<DayParam>,
    /// Page, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<u64>,
    /// Rows a page, 1 to 200 (50).
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<u64>,
}

/// A level.
#[derive(Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum LevelParam {
    Entry,
    Intermediate,
    Advanced,
    County,
}

/// A day of the week.
#[derive(Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DayParam {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

/// The ensembles taking members, by name.
#[utoipa::path(get, path = "/api/v1/ensembles", tag = "ensembles", params(ListParams),
    responses((status = 200, description = "A page of ensembles", body = Page<Ensemble>)))]
async fn list(Caller { state, .. }: Caller, ApiQuery(p): ApiQuery<ListParams>) -> Result<Response, ApiError> {
    let paged = paging(p.page, p.per_page)?;
    let q = EnsembleQuery {
        area: p.area,
        level: p.level.map(|l| match l {
            LevelParam::Entry => EnsembleLevel::Entry,
            LevelParam::Intermediate => EnsembleLevel::Intermediate,
            LevelParam::Advanced => EnsembleLevel::Advanced,
            LevelParam::County => EnsembleLevel::County,
        }),
        instrument: p.instrument,
        weekday: p.day.map(|d| d as u8 + 1),
        archived: false,
    };
    let rows = state.store.ensembles(&q).await?.iter().map(Ensemble::from).collect();
    ok(StatusCode::OK, Page::of_all(rows, paged))
}

/// May `user` see an ensemble's members: the office, and its own leaders.
async fn sees_members(state: &AppState, user: &User, ensemble_id: i64) -> Result<bool, ApiError> {
    Ok(match (user.role, user.staff_id) {
        (Role::Admin | Role::Manager, _) => true,
        (Role::Teacher, Some(staff)) => state.store.leads_ensemble(staff, ensemble_id).await?,
        _ => false,
    })
}

/// One ensemble, with this academic year's rehearsals; its members for the office and its
/// leaders only.
#[utoipa::path(get, path = "/api/v1/ensembles/{id}", tag = "ensembles",
    params(("id" = i64, Path, description = "The ensemble's id")),
    responses((status = 200, description = "The ensemble", body = EnsembleDetail),
              (status = 404, description = "No such ensemble")))]
async fn one(Caller { state, user, .. }: Caller, ApiPath(id): ApiPath<i64>) -> Result<Response, ApiError> {
    let e = state.store.ensemble(id).await?.ok_or(ApiError::NotFound)?;
    let members_visible = sees_members(&state, &user, id).await?;
    if e.archived && !matches!(user.role, Role::Admin | Role::Manager) {
        return Err(ApiError::NotFound);
    }
    let year = AcademicYear::containing(state.store.today());
    let rehearsals = state
        .store
        .rehearsals(id, year.first_day(), year.last_day())
        .await?
        .iter()
        .map(Rehearsal::from)
        .collect();
    let members = if members_visible {
        Some(
            state
                .store
                .ensemble_applications(id)
                .await?
                .iter()
                .filter(|a| a.status == MembershipStatus::Accepted)
                .map(|a| Member {
                    application_id: a.id,
                    pupil_id: a.pupil_id,
                    name: a.pupil_name.clone(),
                    instrument: a.instrument.clone(),
                    part: a.part.clone().unwrap_or_default(),
                    joined: a.joined_on.map(iso_date),
                })
                .collect(),
        )
    } else {
        None
    };
    ok(
        StatusCode::OK,
        EnsembleDetail::new(Ensemble::from(&e), rehearsals, members),
    )
}

/// An application to make.
#[derive(Deserialize, ToSchema)]
pub struct EnsembleApplicationRequest {
    #[schema(value_type = i64, required = true)]
    pupil_id: Option<i64>,
    #[schema(value_type = String, required = true, pattern = r"\S")]
    instrument: Option<String>,
    /// The grade they play at, 0 (none yet) to 8.
    #[schema(minimum = 0, maximum = 8)]
    grade: Option<u8>,
}

/// Applies for a pupil to join: a parent for their own child, a pupil for themselves, the
/// office for anyone. An open ensemble takes them at once while the instrument has room
/// (`accepted`), else puts them on its waiting list (`waiting`); an auditioned one hears them
/// first (`applied`).
#[utoipa::path(post, path = "/api/v1/ensembles/{id}/applications", tag = "ensembles",
    params(("id" = i64, Path, description = "The ensemble's id")),
    request_body = EnsembleApplicationRequest,
    responses((status = 201, description = "The application, and where it went", body = EnsembleMembership),
              (status = 403, description = "Teachers and schools do not apply"),
              (status = 404, description = "No such ensemble"),
              (status = 409, description = "Refused by a rule, naming the field: not your child, an instrument it has no places for, outside its ages or grade, or applied already")))]
async fn apply(
    Caller { state, user, actor }: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<EnsembleApplicationRequest>,
) -> Result<Response, ApiError> {
    if !matches!(user.role, Role::Admin | Role::Manager | Role::Parent | Role::Pupil) {
        return Err(ApiError::Forbidden);
    }
    let Some(pupil_id) = body.pupil_id else {
        return Err(invalid("pupil_id", "Give the pupil's id."));
    };
    let Some(instrument) = body.instrument.filter(|i| !i.trim().is_empty()) else {
        return Err(invalid("instrument", "Give the instrument they play."));
    };
    let grade = body.grade.unwrap_or(0);
    if grade > 8 {
        return Err(invalid("grade", "Grades are 0 to 8."));
    }
    let (app_id, _) = state
        .store
        .apply_to_ensemble(
            &actor,
            &PupilScope::for_user(&user),
            &NewEnsembleApplication {
                ensemble_id: id,
                pupil_id,
                instrument,
                grade,
            },
        )
        .await?;
    membership(&state, StatusCode::CREATED, id, app_id).await
}

/// One application of the ensemble, or 404.
async fn application(state: &AppState, id: i64, application_id: i64) -> Result<EnsembleApplication, ApiError> {
    state
        .store
        .ensemble_application(id, application_id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// One application of the ensemble as it stands, answered with `status`.
async fn membership(state: &AppState, status: StatusCode, id: i64, application_id: i64) -> Result<Response, ApiError> {
    ok(
        status,
        EnsembleMembership::from(&application(state, id, application_id).await?),
    )
}

/// What the office decides about an application.
enum Decision {
    Accept,
    Decline,
    /// A member's notice to leave, received today.
    Leave,
}

/// The office decides an application of the ensemble; the application, as it stands after.
async fn decide(
    Caller { state, user, actor }: Caller,
    id: i64,
    application_id: i64,
    decision: Decision,
) -> Result<Response, ApiError> {
    office(&user)?;
    match decision {
        Decision::Accept => {
            state
                .store
                .accept_ensemble_application(&actor, id, application_id)
                .await?;
        }
        Decision::Decline => {
            state
                .store
                .decline_ensemble_application(&actor, id, application_id)
                .await?;
        }
        Decision::Leave => {
            application(&state, id, application_id).await?;
            state
                .store
                .give_ensemble_notice(&actor, &PupilScope::All, application_id)
                .await?;
        }
    }
    membership(&state, StatusCode::OK, id, application_id).await
}

/// The office accepts an application: refused (409, `instrument`) while every place on the
/// instrument is taken, unless the place was offered to them.
#[utoipa::path(post, path = "/api/v1/ensembles/{id}/applications/{application_id}/accept", tag = "ensembles",
    params(("id" = i64, Path, description = "The ensemble's id"), ("application_id" = i64, Path, description = "The application's id")),
    responses((status = 200, description = "The application, accepted", body = EnsembleMembership),
              (status = 403, description = "Only the office decides"),
              (status = 404, description = "No such application of this ensemble"),
              (status = 409, description = "The instrument is full, or the application was decided already")))]
async fn accept(caller: Caller, ApiPath((id, application_id)): ApiPath<(i64, i64)>) -> Result<Response, ApiError> {
    decide(caller, id, application_id, Decision::Accept).await
}

/// The office declines an application not yet accepted; a declined offer passes to the next
/// on the instrument's waiting list.
#[utoipa::path(post, path = "/api/v1/ensembles/{id}/applications/{application_id}/decline", tag = "ensembles",
    params(("id" = i64, Path, description = "The ensemble's id"), ("application_id" = i64, Path, description = "The application's id")),
    responses((status = 200, description = "The application, declined", body = EnsembleMembership),
              (status = 403, description = "Only the office decides"),
              (status = 404, description = "No such application of this ensemble"),
              (status = 409, description = "The application was decided already")))]
async fn decline(caller: Caller, ApiPath((id, application_id)): ApiPath<(i64, i64)>) -> Result<Response, ApiError> {
    decide(caller, id, application_id, Decision::Decline).await
}

/// The office records a member's notice to leave, received today: by the charging policy's
/// notice rule (as for lessons) they stay a member to the end of the last term it charges,
/// and no later term is billed; the place is offered at once to the next on the instrument's
/// waiting list.
#[utoipa::path(post, path = "/api/v1/ensembles/{id}/applications/{application_id}/leave", tag = "ensembles",
    params(("id" = i64, Path, description = "The ensemble's id"), ("application_id" = i64, Path, description = "The member's application id")),
    responses((status = 200, description = "The application, left (a member until the end of the last term charged)", body = EnsembleMembership),
              (status = 403, description = "Only the office records a member leaving"),
              (status = 404, description = "No such application of this ensemble"),
              (status = 409, description = "Not a member, or notice was given already")))]
async fn leave(caller: Caller, ApiPath((id, application_id)): ApiPath<(i64, i64)>) -> Result<Response, ApiError> {
    decide(caller, id, application_id, Decision::Leave).await
}

/// Marks a rehearsal's register for `POST /api/v1/registers`: the office any, a leader only
/// their own ensemble's (another's is 403); `mark` one member, or `given` the whole rehearsal
/// (false: called off).
pub(crate) async fn mark_rehearsal(
    state: &AppState,
    user: &User,
    actor: &Actor,
    rehearsal_id: i64,
    pupil_mark: Option<(i64, RegisterMark)>,
    given: Option<bool>,
) -> Result<Response, ApiError> {
    let rehearsal = state.store.rehearsal(rehearsal_id).await?.ok_or(ApiError::NotFound)?;
    match (user.role, user.staff_id) {
        (Role::Admin | Role::Manager, _) => {}
        (Role::Teacher, Some(staff)) if state.store.leads_ensemble(staff, rehearsal.ensemble_id).await? => {}
        _ => return Err(ApiError::Forbidden),
    }
    if let Some((pupil, mark)) = pupil_mark {
        state.store.mark_rehearsal(actor, rehearsal_id, pupil, mark).await?;
    } else if let Some(given) = given {
        state.store.mark_rehearsal_outcome(actor, rehearsal_id, given).await?;
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
