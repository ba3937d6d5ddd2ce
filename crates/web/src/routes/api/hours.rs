//! The API for the facts allocation checks against: a teacher's week of availability and a
//! school's rooms and lesson hours, read with the same rules and messages as their screens.
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::put;
use serde_json::{Map, Value, json};
use tutti_domain::rotation::ClockTime;
use tutti_store::platform::audit::Actor;
use tutti_store::records::availability::Week;

use crate::access::{Access, Audience, Routes};
use crate::api_extract::{ApiJson, ApiPath};
use crate::forms::FormErrors;
use crate::routes::api::{ApiError, office, text};
use crate::routes::records::hours::{DAYS, read_hours, read_week};
use crate::session::{SignedIn, Visitor};
use crate::state::AppState;

/// Signed in by token or session; the office's roles are checked in each handler so that
/// the answer is JSON.
pub fn audience() -> Audience {
    Audience::new(
        Access::SignedIn,
        Routes::new()
            .route("/api/v1/staff/{id}/availability", put(put_availability))
            .route("/api/v1/schools/{id}/hours", put(put_hours)),
    )
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(put_availability, put_hours))]
struct HoursDoc;

/// The API document with these paths added.
pub fn with_hours(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    doc.merge(<HoursDoc as utoipa::OpenApi>::openapi());
    doc
}

/// A day's times as sent: a list of "HH:MM-HH:MM" strings, or one string with commas.
fn day_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => Some(
            items
                .iter()
                .map(|i| i.as_str().map(str::to_owned).unwrap_or_else(|| i.to_string()))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        _ => None,
    }
}

fn week_json(week: &Week) -> Map<String, Value> {
    DAYS.iter()
        .map(|(n, key, _)| {
            let list: Vec<String> = week
                .get(n)
                .into_iter()
                .flatten()
                .map(|&(a, b)| format!("{}-{}", ClockTime(a), ClockTime(b)))
                .collect();
            ((*key).to_owned(), json!(list))
        })
        .collect()
}

/// Replaces a teacher's week: every weekday is given, as a list of times like "08:30-12:00"
/// (an empty list for a day they do not teach). Groups already placed outside the new times
/// stay where they are and are listed in `outside`.
#[utoipa::path(put, path = "/api/v1/staff/{id}/availability", tag = "allocation",
    params(("id" = i64, Path, description = "The member of staff")),
    request_body(content = String, description = "{monday: [\"08:30-12:00\", \"13:00-17:00\"], tuesday: [], wednesday, thursday, friday}: all five days", content_type = "application/json"),
    responses((status = 200, description = "The week saved, and the placed groups now outside it"),
              (status = 403, description = "Office roles only"), (status = 404, description = "No such member of staff"),
              (status = 422, description = "Errors by day")))]
async fn put_availability(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, _): SignedIn,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    office(&user)?;
    let mut errors = FormErrors::default();
    let Some(week) = read_week(&mut errors, |day| day_text(&body[day])) else {
        return Err(ApiError::Invalid(errors));
    };
    let outside = state
        .store
        .set_week_availability(&Actor::user(&user, &visitor.ip), id, &week)
        .await?;
    let mut answer = week_json(&week);
    answer.insert("outside".into(), json!(sentences(&outside)));
    Ok(Json(Value::Object(answer)).into_response())
}

/// Sets a school's rooms for visiting teachers (1 to 20) and the hours lessons may be taught.
#[utoipa::path(put, path = "/api/v1/schools/{id}/hours", tag = "allocation",
    params(("id" = i64, Path, description = "The school")),
    request_body(content = String, description = "{rooms: 1-20, opens: \"08:30\", closes: \"15:30\"}", content_type = "application/json"),
    responses((status = 200, description = "The rooms and hours saved, and the placed groups now outside them"),
              (status = 403, description = "Office roles only"), (status = 404, description = "No such school"),
              (status = 422, description = "Errors by field")))]
async fn put_hours(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, _): SignedIn,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    office(&user)?;
    let mut errors = FormErrors::default();
    let field = |key| text(&body, key);
    let Some((rooms, opens, closes)) = read_hours(&mut errors, &field("rooms"), &field("opens"), &field("closes"))
    else {
        return Err(ApiError::Invalid(errors));
    };
    let outside = state
        .store
        .set_school_hours(&Actor::user(&user, &visitor.ip), id, rooms, opens, closes)
        .await?;
    Ok(Json(json!({
        "rooms": rooms,
        "opens": ClockTime(opens).to_string(),
        "closes": ClockTime(closes).to_string(),
        "outside": sentences(&outside),
    }))
    .into_response())
}

/// The groups new facts leave outside them, each as the sentence the office reads.
fn sentences(outside: &[tutti_store::records::availability::GroupOutside]) -> Vec<String> {
    outside.iter().map(ToString::to_string).collect()
}
