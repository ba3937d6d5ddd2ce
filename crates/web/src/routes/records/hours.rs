//! The office's screens for the facts allocation checks against: a teacher's weekly
//! availability (from the staff record) and a school's rooms and lesson hours (from the
//! school record). The readers here are shared with the JSON API (routes/api/hours.rs).
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::response::Response;
use axum::routing::get;
use tutti_domain::allocation::{MAX_ROOMS, day_times_text, parse_day_times};
use tutti_domain::rotation::ClockTime;
use tutti_store::records::availability::{Availability, GroupOutside, SchoolHours, Week};

use super::*;
use crate::access::Routes;
use crate::error::{AppError, refused_on};

pub fn routes() -> Routes {
    Routes::new()
        .route(
            "/admin/staff/{id}/availability",
            get(availability_form).post(save_availability),
        )
        .route("/admin/schools/{id}/hours", get(hours_form).post(save_hours))
}

/// The weekdays' form fields (and JSON keys), Monday to Friday.
pub(crate) const DAYS: [(u8, &str, &str); 5] = [
    (1, "monday", "Monday"),
    (2, "tuesday", "Tuesday"),
    (3, "wednesday", "Wednesday"),
    (4, "thursday", "Thursday"),
    (5, "friday", "Friday"),
];

/// Reads a week from each day's text (`None` for a day not given, an error on that day's
/// field); every day must read cleanly, and one at least have times, for a week to come back.
pub(crate) fn read_week(errors: &mut FormErrors, day: impl Fn(&str) -> Option<String>) -> Option<Week> {
    let mut week = Week::new();
    for (number, field, name) in DAYS {
        match day(field).map(|text| parse_day_times(&text)) {
            Some(Ok(list)) => {
                week.insert(number, list);
            }
            Some(Err(message)) => errors.add(field, format!("{name}: {message}")),
            None => errors.add(
                field,
                format!("Give {name}'s times, or none if they do not teach on {name}s."),
            ),
        }
    }
    if errors.is_empty() && week.values().all(Vec::is_empty) {
        errors.add("monday", NO_DAYS);
    }
    errors.is_empty().then_some(week)
}

/// Why a week with no times at all is refused: stored, it would read as "nothing recorded"
/// and so as the default week (docs/decisions/0051).
const NO_DAYS: &str = "Give the times of at least one day. A teacher who no longer teaches is archived from \
                       their record instead.";

/// Reads rooms (1 to 20) and the hours lessons may be taught (HH:MM, opening before closing).
pub(crate) fn read_hours(errors: &mut FormErrors, rooms: &str, opens: &str, closes: &str) -> Option<(u16, u16, u16)> {
    let rooms = rooms.trim().parse::<u16>().ok().filter(|r| (1..=MAX_ROOMS).contains(r));
    if rooms.is_none() {
        errors.add("rooms", format!("Enter a number of rooms from 1 to {MAX_ROOMS}."));
    }
    let opens = opens.parse::<ClockTime>().ok();
    if opens.is_none() {
        errors.add("opens", "Enter the time lessons can start as HH:MM, like 08:30.");
    }
    let closes = closes.parse::<ClockTime>().ok();
    if closes.is_none() {
        errors.add("closes", "Enter the time lessons must end by as HH:MM, like 15:30.");
    }
    if let (Some(a), Some(b)) = (opens, closes)
        && a >= b
    {
        errors.add(
            "closes",
            format!("Lessons must end after they start: {b} is not after {a}."),
        );
    }
    Some((rooms?, opens?.0, closes?.0)).filter(|_| errors.is_empty())
}

/// A week in words for the staff record: one line per day.
pub(crate) fn week_lines(a: &Availability) -> String {
    let days: Vec<String> = DAYS
        .iter()
        .map(|(n, _, name)| {
            let times = a.week.get(n).map(|l| day_times_text(l)).unwrap_or_default();
            format!("{name} {}", if times.is_empty() { "none".to_owned() } else { times })
        })
        .collect();
    let text = days.join("; ");
    if a.recorded {
        text
    } else {
        format!("Not recorded: the default, {text}")
    }
}

pub(crate) fn hours_text(h: &SchoolHours) -> String {
    format!(
        "{}–{}",
        ClockTime(h.opens_minute as u16),
        ClockTime(h.closes_minute as u16)
    )
}

/// The saved message, with the groups the new facts leave outside them.
fn saved(what: &str, outside: &[GroupOutside]) -> String {
    if outside.is_empty() {
        format!("{what} saved.")
    } else {
        format!(
            "{what} saved. {} placed group{} now outside {}; move {} on the allocation screen: {}",
            outside.len(),
            if outside.len() == 1 { " is" } else { "s are" },
            if what == "Availability" { "it" } else { "them" },
            if outside.len() == 1 { "it" } else { "them" },
            outside.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ")
        )
    }
}

#[derive(Template)]
#[template(path = "records/hours.html")]
struct HoursPage {
    shell: Shell,
    heading: String,
    back: (String, String),
    intro: Vec<String>,
    action: String,
    csrf: String,
    errors: FormErrors,
    fields: Vec<FormField>,
}

fn page(
    state: &AppState,
    visitor: &Visitor,
    (heading, nav, back, action): (String, &str, (String, String), String),
    intro: Vec<String>,
    fields: Vec<FormField>,
    errors: FormErrors,
) -> AppResult<Response> {
    let status = errors.status();
    let page = HoursPage {
        shell: Shell::new(state, visitor, heading.clone(), nav),
        heading,
        back,
        intro,
        action,
        csrf: visitor.csrf(),
        errors,
        fields,
    };
    Ok((status, render(&page)?).into_response())
}

const DAY_HINT: &str = "Like 08:30–12:00, 13:00–17:00. Leave empty for a day they do not teach.";

fn availability_page(
    state: &AppState,
    visitor: &Visitor,
    id: i64,
    name: &str,
    recorded: bool,
    v: &Values,
    errors: FormErrors,
) -> AppResult<Response> {
    let mut intro = vec![
        "When this teacher can teach on each school day. Placements and proposed timetables keep their lessons \
         inside these times."
            .to_owned(),
    ];
    if !recorded {
        intro.push(
            "Nothing is recorded yet, so the default applies: every school day 08:30–17:00. Saving records the \
             times below."
                .to_owned(),
        );
    }
    let fields = DAYS
        .iter()
        .map(|&(_, field, name)| input(field, name, "text", DAY_HINT, v))
        .collect();
    page(
        state,
        visitor,
        (
            format!("Availability of {name}"),
            "/admin/staff",
            (format!("/admin/staff/{id}"), "Back to the member of staff".into()),
            format!("/admin/staff/{id}/availability"),
        ),
        intro,
        fields,
        errors,
    )
}

async fn staff_name(state: &AppState, id: i64) -> AppResult<String> {
    let s = state.store.staff_member(id).await?.ok_or(AppError::NotFound)?;
    Ok(format!("{} {}", s.first_name, s.last_name))
}

async fn availability_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let name = staff_name(&state, id).await?;
    let a = state.store.availability(id).await?.ok_or(AppError::NotFound)?;
    let v: Values = DAYS
        .iter()
        .map(|(n, field, _)| {
            let times = a.week.get(n).map(|l| day_times_text(l)).unwrap_or_default();
            ((*field).to_owned(), times)
        })
        .collect();
    availability_page(&state, &visitor, id, &name, a.recorded, &v, FormErrors::default())
}

async fn save_availability(a: Acting, Path(id): Path<i64>, Form(v): Form<Values>) -> AppResult<Response> {
    let name = staff_name(&a.state, id).await?;
    let mut errors = FormErrors::default();
    // A browser sends every field; one left out is an empty day, not a missing one.
    if let Some(week) = read_week(&mut errors, |f| Some(v.get(f).cloned().unwrap_or_default())) {
        match a.state.store.set_week_availability(&a.actor(), id, &week).await {
            Ok(outside) => {
                return a
                    .done(&saved("Availability", &outside), &format!("/admin/staff/{id}"))
                    .await;
            }
            Err(e) => refused_on(e, "monday", &mut errors)?,
        }
    }
    let recorded = a.state.store.availability(id).await?.is_some_and(|w| w.recorded);
    availability_page(&a.state, &a.visitor, id, &name, recorded, &v, errors)
}

fn hours_page(
    state: &AppState,
    visitor: &Visitor,
    id: i64,
    school: &str,
    v: &Values,
    errors: FormErrors,
) -> AppResult<Response> {
    let fields = vec![
        input(
            "rooms",
            "Rooms for visiting teachers",
            "text",
            "How many visiting teachers the school can hold at once, from 1 to 20",
            v,
        ),
        input("opens", "Lessons from", "text", "HH:MM, like 08:30", v),
        input("closes", "Lessons until", "text", "HH:MM, like 15:30", v),
    ];
    page(
        state,
        visitor,
        (
            format!("Rooms and hours at {school}"),
            "/admin/schools",
            (format!("/admin/schools/{id}"), "Back to the school".into()),
            format!("/admin/schools/{id}/hours"),
        ),
        vec![
            "Placements and proposed timetables never put more visiting teachers in the school at once than it has \
             rooms, and keep its lessons inside these hours on every school day."
                .to_owned(),
        ],
        fields,
        errors,
    )
}

async fn school_name(state: &AppState, id: i64) -> AppResult<String> {
    Ok(state.store.school(id).await?.ok_or(AppError::NotFound)?.name)
}

async fn hours_form(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> AppResult<Response> {
    let school = school_name(&state, id).await?;
    let h = state.store.school_hours(id).await?.ok_or(AppError::NotFound)?;
    let v: Values = [
        ("rooms", h.rooms.to_string()),
        ("opens", crate::format::clock(h.opens_minute)),
        ("closes", crate::format::clock(h.closes_minute)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    hours_page(&state, &visitor, id, &school, &v, FormErrors::default())
}

async fn save_hours(a: Acting, Path(id): Path<i64>, Form(v): Form<Values>) -> AppResult<Response> {
    let school = school_name(&a.state, id).await?;
    let mut errors = FormErrors::default();
    let field = |k: &str| v.get(k).map(String::as_str).unwrap_or("");
    if let Some((rooms, opens, closes)) = read_hours(&mut errors, field("rooms"), field("opens"), field("closes")) {
        match a
            .state
            .store
            .set_school_hours(&a.actor(), id, rooms, opens, closes)
            .await
        {
            Ok(outside) => {
                return a
                    .done(&saved("Rooms and hours", &outside), &format!("/admin/schools/{id}"))
                    .await;
            }
            Err(e) => refused_on(e, "rooms", &mut errors)?,
        }
    }
    hours_page(&a.state, &a.visitor, id, &school, &v, errors)
}
