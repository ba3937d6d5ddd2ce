//! The allocation API: placements, cancellations, make-ups and timetable proposals, for the
//! office's roles; the readers are shared with the office's pages (routes/allocation.rs).
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::access::{Access, Audience, Routes};
use crate::api_extract::{ApiJson, ApiPath};
use crate::forms::FormErrors;
use crate::routes::api::{ApiError, office, text};
use crate::routes::teaching::allocation::{
    parse_date, parse_time, read_day_off, read_place, read_proposal, start, status_json,
};
use crate::session::{SignedIn, Visitor, actor};
use crate::state::AppState;

/// The API: the office's roles only, checked in each handler (JSON errors, not pages).
pub fn audience() -> Audience {
    Audience::new(
        Access::SignedIn,
        Routes::new()
            .route("/api/v1/placements", post(api_place))
            .route("/api/v1/cancellations", post(api_cancel))
            .route("/api/v1/make-ups", post(api_make_up))
            .route("/api/v1/timetable/proposals", post(api_request_proposal))
            .route("/api/v1/timetable/proposals/{id}", get(api_proposal))
            .route("/api/v1/timetable/proposals/{id}/accept", post(api_accept)),
    )
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(api_place, api_cancel, api_make_up, api_request_proposal, api_proposal, api_accept))]
struct AllocationDoc;

/// The API document with the allocation paths added.
pub fn with_allocation(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    doc.merge(<AllocationDoc as utoipa::OpenApi>::openapi());
    doc
}

/// Places enrolments in a new group (`enrolments`, `teacher`, `school`, `weekday` 1-5 or a
/// day's name, `start` HH:MM, `minutes`, `lesson_type`, `instrument`) or adds them to an
/// existing one (`group`, `enrolments`). A placement that breaks a rule is 409 with the reasons.
#[utoipa::path(post, path = "/api/v1/placements", tag = "allocation",
    request_body(content = String, description = "{enrolments: [id], teacher, school, weekday (1-5 or monday..friday), start HH:MM, minutes, lesson_type, instrument} or {group, enrolments}", content_type = "application/json"),
    responses((status = 201, description = "{group}: the new group"), (status = 200, description = "{group}: added"),
              (status = 403, description = "Office roles only"), (status = 409, description = "{error}: the rules it breaks, in words"),
              (status = 422, description = "Errors by field")))]
async fn api_place(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, _): SignedIn,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    office(&user)?;
    let enrolments: Vec<i64> = body["enrolments"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
    let who = actor(&user, &visitor);
    if let Some(group) = body["group"].as_i64() {
        state.store.add_to_group(&who, group, &enrolments).await?;
        return Ok((StatusCode::OK, Json(json!({"group": group}))).into_response());
    }
    let mut errors = FormErrors::default();
    let request = read_place(
        &mut errors,
        enrolments,
        &text(&body, "teacher"),
        &text(&body, "school"),
        &text(&body, "weekday"),
        &text(&body, "start"),
        &text(&body, "minutes"),
        &text(&body, "lesson_type"),
        &text(&body, "instrument"),
    );
    let Some(request) = request.filter(|_| errors.is_empty()) else {
        return Err(ApiError::Invalid(errors));
    };
    let id = state.store.place_enrolments(&who, &request.group).await?;
    Ok((StatusCode::CREATED, Json(json!({"group": id}))).into_response())
}

/// Cancels a teacher's (`teacher`) or a school's (`school`) lessons on `date`.
#[utoipa::path(post, path = "/api/v1/cancellations", tag = "allocation",
    request_body(content = String, description = "{teacher or school, date YYYY-MM-DD, reason}", content_type = "application/json"),
    responses((status = 200, description = "{cancelled}: lessons now owed by the hub"), (status = 403, description = "Office roles only"),
              (status = 409, description = "No scheduled lessons that day"), (status = 422, description = "Errors by field")))]
async fn api_cancel(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, _): SignedIn,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    office(&user)?;
    let mut errors = FormErrors::default();
    let read = read_day_off(
        &mut errors,
        &text(&body, "teacher"),
        &text(&body, "school"),
        &text(&body, "date"),
    );
    let Some((whose, day)) = read else {
        return Err(ApiError::Invalid(errors));
    };
    let n = state
        .store
        .cancel_day(&actor(&user, &visitor), whose, day, &text(&body, "reason"))
        .await?;
    Ok(Json(json!({"cancelled": n})).into_response())
}

/// Schedules a make-up for an owed lesson (`lesson`) on `date` at `start`.
#[utoipa::path(post, path = "/api/v1/make-ups", tag = "allocation",
    request_body(content = String, description = "{lesson (owed), date YYYY-MM-DD, start HH:MM}", content_type = "application/json"),
    responses((status = 201, description = "{lesson}: the make-up"), (status = 403, description = "Office roles only"),
              (status = 404, description = "No such lesson"), (status = 409, description = "{error}: not owed, already made up, or the rules it breaks"),
              (status = 422, description = "Errors by field")))]
async fn api_make_up(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, _): SignedIn,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    office(&user)?;
    let mut errors = FormErrors::default();
    let lesson = body["lesson"].as_i64();
    if lesson.is_none() {
        errors.add("lesson", "Give the owed lesson's id.");
    }
    let day = parse_date(&text(&body, "date"));
    if day.is_none() {
        errors.add("date", "Enter a date like 2026-12-07.");
    }
    let start = parse_time(&text(&body, "start"));
    if start.is_none() {
        errors.add("start", "Enter a start time like 09:05.");
    }
    let (Some(lesson), Some(day), Some(start)) = (lesson, day, start) else {
        return Err(ApiError::Invalid(errors));
    };
    let id = state
        .store
        .schedule_make_up(&actor(&user, &visitor), lesson, day, start)
        .await?;
    Ok((StatusCode::CREATED, Json(json!({"lesson": id}))).into_response())
}

/// Asks for a proposed timetable for `term` (like 2026-spring) within `seconds` (default 10).
#[utoipa::path(post, path = "/api/v1/timetable/proposals", tag = "allocation",
    request_body(content = String, description = "{term like 2026-spring, seconds (default 10)}", content_type = "application/json"),
    responses((status = 202, description = "{id, status: running}"), (status = 403, description = "Office roles only"),
              (status = 422, description = "Errors by field")))]
async fn api_request_proposal(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, _): SignedIn,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    office(&user)?;
    let mut errors = FormErrors::default();
    let Some((term, seconds)) = read_proposal(&mut errors, &text(&body, "term"), &text(&body, "seconds")) else {
        return Err(ApiError::Invalid(errors));
    };
    let id = state
        .store
        .request_proposal(&actor(&user, &visitor), term, seconds)
        .await?;
    start(&state, id);
    Ok((StatusCode::ACCEPTED, Json(json!({"id": id, "status": "running"}))).into_response())
}

#[utoipa::path(get, path = "/api/v1/timetable/proposals/{id}", tag = "allocation",
    params(("id" = i64, Path, description = "The proposal")),
    responses((status = 200, description = "{id, term, seconds, status (running, ready, failed, accepted), progress 0-1, result {before, after, groups, pinned, moves, solve_seconds}, error}"),
              (status = 404, description = "No such proposal")))]
async fn api_proposal(
    State(state): State<AppState>,
    SignedIn(user, _): SignedIn,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    office(&user)?;
    let p = state.store.proposal(id).await?;
    Ok(Json(status_json(&p)).into_response())
}

#[utoipa::path(post, path = "/api/v1/timetable/proposals/{id}/accept", tag = "allocation",
    params(("id" = i64, Path, description = "The proposal")),
    responses((status = 200, description = "{moved}"), (status = 404, description = "No such proposal"),
              (status = 409, description = "Not ready, already accepted, or the timetable changed since")))]
async fn api_accept(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, _): SignedIn,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    office(&user)?;
    let moved = state.store.accept_proposal(&actor(&user, &visitor), id).await?;
    Ok(Json(json!({"moved": moved})).into_response())
}
