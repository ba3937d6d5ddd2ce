//! The API for the facts allocation checks against: a teacher's week of availability and a
//! school's rooms and lesson hours, read with the same rules and messages as their screens.
//! A value not of its documented shape is 422; times of the right shape that do not fit
//! together (a time ending before it starts, two that overlap, a week with no times, a
//! school closing before it opens) are 409, naming the field.
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::put;
use serde::{Deserialize, Serialize};
use tutti_domain::allocation::MAX_ROOMS;
use tutti_domain::rotation::ClockTime;
use tutti_store::records::availability::Week;
use utoipa::ToSchema;

use crate::access::{Access, Audience, Routes};
use crate::api_extract::{ApiJson, ApiPath};
use crate::forms::FormErrors;
use crate::problem::Problem;
use crate::routes::api::caller::Caller;
use crate::routes::api::schemas::clock;
use crate::routes::api::{ApiError, office, ok};
use crate::routes::records::hours::{DAYS, read_hours, read_week};

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
pub struct HoursDoc;

/// A time a teacher can teach, "08:30-12:00".
const RANGE: &str = "^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$";

/// A day's times: a list of ranges like "08:30-12:00" (empty for a day without), or the
/// same written as one text, "08:30-12:00, 13:00-15:00" ("" for none).
fn day_times() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, Type};
    let range = ObjectBuilder::new().schema_type(Type::String).pattern(Some(RANGE));
    let text = ObjectBuilder::new().schema_type(Type::String).pattern(Some(
        "^(([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]\
         (, ([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9])*)?$",
    ));
    Schema::OneOf(
        OneOfBuilder::new()
            .item(ArrayBuilder::new().items(range))
            .item(text)
            .build(),
    )
}

/// A day's times as sent.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum DayTimes {
    List(Vec<String>),
    Text(String),
}

impl DayTimes {
    /// Whether every time is exactly of its documented shape.
    fn well_formed(&self) -> bool {
        match self {
            DayTimes::List(list) => list.iter().all(|t| is_range(t)),
            DayTimes::Text(text) => text.is_empty() || text.split(", ").all(is_range),
        }
    }

    fn text(&self) -> String {
        match self {
            DayTimes::List(list) => list.join(", "),
            DayTimes::Text(text) => text.clone(),
        }
    }
}

/// Whether `text` is exactly of the documented shape of a time range.
fn is_range(text: &str) -> bool {
    text.len() == 11 && text.as_bytes()[5] == b'-' && clock(&text[..5]).is_some() && clock(&text[6..]).is_some()
}

/// A teacher's week: every weekday, each a list of times like "08:30-12:00" (an empty list
/// for a day they do not teach), or the same as one text.
#[derive(Deserialize, ToSchema)]
pub struct WeekBody {
    #[schema(required = true, schema_with = day_times)]
    monday: Option<DayTimes>,
    #[schema(required = true, schema_with = day_times)]
    tuesday: Option<DayTimes>,
    #[schema(required = true, schema_with = day_times)]
    wednesday: Option<DayTimes>,
    #[schema(required = true, schema_with = day_times)]
    thursday: Option<DayTimes>,
    #[schema(required = true, schema_with = day_times)]
    friday: Option<DayTimes>,
}

impl WeekBody {
    fn day(&self, key: &str) -> Option<&DayTimes> {
        match key {
            "monday" => self.monday.as_ref(),
            "tuesday" => self.tuesday.as_ref(),
            "wednesday" => self.wednesday.as_ref(),
            "thursday" => self.thursday.as_ref(),
            "friday" => self.friday.as_ref(),
            _ => None,
        }
    }
}

/// The week saved, and the placed groups now outside it.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Availability {
    pub monday: Vec<String>,
    pub tuesday: Vec<String>,
    pub wednesday: Vec<String>,
    pub thursday: Vec<String>,
    pub friday: Vec<String>,
    /// Groups already placed outside the new times: they stay where they are until moved.
    pub outside: Vec<String>,
}

fn times(week: &Week, day: u8) -> Vec<String> {
    week.get(&day)
        .into_iter()
        .flatten()
        .map(|&(a, b)| format!("{}-{}", ClockTime(a), ClockTime(b)))
        .collect()
}

/// 409 naming each field: values of the right shape that do not fit together.
fn rule(errors: &FormErrors) -> ApiError {
    ApiError::Problem(Problem::fields(
        StatusCode::CONFLICT,
        errors.list().iter().map(|(f, m)| (*f, m.as_str())),
    ))
}

/// Replaces a teacher's week. Groups already placed outside the new times stay where they
/// are and are listed in `outside`.
#[utoipa::path(put, path = "/api/v1/staff/{id}/availability", tag = "allocation",
    params(("id" = i64, Path, description = "The member of staff")),
    request_body = WeekBody,
    responses((status = 200, description = "The week saved, and the placed groups now outside it", body = Availability),
              (status = 403, description = "Office roles only"), (status = 404, description = "No such member of staff"),
              (status = 409, description = "Times that end before they start or overlap, or a week with no times, by day")))]
async fn put_availability(
    Caller { state, user, actor }: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<WeekBody>,
) -> Result<Response, ApiError> {
    office(&user)?;
    let mut shape = FormErrors::default();
    for (_, key, name) in DAYS {
        match body.day(key) {
            None => shape.add(
                key,
                format!("Give {name}'s times: a list, empty if they do not teach then."),
            ),
            Some(times) if !times.well_formed() => shape.add(
                key,
                format!("{name}: write each time as HH:MM-HH:MM, like 08:30-12:00."),
            ),
            Some(_) => {}
        }
    }
    if !shape.is_empty() {
        return Err(ApiError::Invalid(shape));
    }
    let mut errors = FormErrors::default();
    let Some(week) = read_week(&mut errors, |day| body.day(day).map(DayTimes::text)) else {
        return Err(rule(&errors));
    };
    let outside = state.store.set_week_availability(&actor, id, &week).await?;
    ok(
        StatusCode::OK,
        Availability {
            monday: times(&week, 1),
            tuesday: times(&week, 2),
            wednesday: times(&week, 3),
            thursday: times(&week, 4),
            friday: times(&week, 5),
            outside: outside.iter().map(ToString::to_string).collect(),
        },
    )
}

/// A school's rooms for visiting teachers and the hours lessons may be taught.
#[derive(Deserialize, ToSchema)]
pub struct HoursBody {
    #[schema(value_type = u16, required = true, minimum = 1, maximum = 20)]
    rooms: Option<i64>,
    /// The time lessons can start.
    #[schema(value_type = String, required = true, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "08:30")]
    opens: Option<String>,
    /// The time lessons must end by, after `opens`.
    #[schema(value_type = String, required = true, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "15:30")]
    closes: Option<String>,
}

/// The rooms and hours saved, and the placed groups now outside them.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SchoolHours {
    pub rooms: u16,
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub opens: String,
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub closes: String,
    /// Groups already placed outside the new hours.
    pub outside: Vec<String>,
}

/// Sets a school's rooms for visiting teachers and the hours lessons may be taught.
#[utoipa::path(put, path = "/api/v1/schools/{id}/hours", tag = "allocation",
    params(("id" = i64, Path, description = "The school")),
    request_body = HoursBody,
    responses((status = 200, description = "The rooms and hours saved, and the placed groups now outside them", body = SchoolHours),
              (status = 403, description = "Office roles only"), (status = 404, description = "No such school"),
              (status = 409, description = "The school would close before it opens")))]
async fn put_hours(
    Caller { state, user, actor }: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<HoursBody>,
) -> Result<Response, ApiError> {
    office(&user)?;
    let mut shape = FormErrors::default();
    if !body.rooms.is_some_and(|r| (1..=i64::from(MAX_ROOMS)).contains(&r)) {
        shape.add("rooms", format!("Enter a number of rooms from 1 to {MAX_ROOMS}."));
    }
    if body.opens.as_deref().and_then(clock).is_none() {
        shape.add("opens", "Enter the time lessons can start as HH:MM, like 08:30.");
    }
    if body.closes.as_deref().and_then(clock).is_none() {
        shape.add("closes", "Enter the time lessons must end by as HH:MM, like 15:30.");
    }
    if !shape.is_empty() {
        return Err(ApiError::Invalid(shape));
    }
    let mut errors = FormErrors::default();
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let rooms = body.rooms.map(|r| r.to_string()).unwrap_or_default();
    let Some((rooms, opens, closes)) = read_hours(&mut errors, &rooms, &text(&body.opens), &text(&body.closes)) else {
        return Err(rule(&errors));
    };
    let outside = state.store.set_school_hours(&actor, id, rooms, opens, closes).await?;
    ok(
        StatusCode::OK,
        SchoolHours {
            rooms,
            opens: ClockTime(opens).to_string(),
            closes: ClockTime(closes).to_string(),
            outside: outside.iter().map(ToString::to_string).collect(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_is_exactly_its_pattern() {
        assert!(is_range("08:30-12:00"));
        for wrong in ["8:30-12:00", "08:30–12:00", "08:30-24:00", "08:30 - 12:00", ""] {
            assert!(!is_range(wrong), "{wrong:?}");
        }
    }
}
