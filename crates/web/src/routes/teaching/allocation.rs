//! The office's allocation screens and API: placing enrolments in teaching groups under the
//! timetable rules, placing the whole-class programmes schools bought, pinning groups,
//! cancelling a teacher's or a school's day and scheduling make-ups, and proposed timetables
//! solved in the background.
use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};
use time::Date;
use tutti_domain::allocation::day_name;
use tutti_domain::calendar::{AcademicYear, TermId};
use tutti_domain::lessons::LessonType;
use tutti_domain::rotation::ClockTime;
use tutti_store::platform::accounts::Role;
use tutti_store::teaching::allocation::{AwaitingEnrolment, GroupSummary, TeacherChoice};
use tutti_store::teaching::cancellations::DayOff;
use tutti_store::teaching::lessons::{NewGroup, TimetableLesson};
use tutti_store::teaching::programmes::{Programme, ProgrammePlacement};
use tutti_store::teaching::proposals::{GroupMove, Proposal};

use crate::access::{Access, Audience, Routes};
use crate::error::{AppResult, refused_on};
use crate::forms::FormErrors;
use crate::pages::render_clearing_flash;
use crate::session::{SignedIn, Visitor, actor};
use crate::shell::Shell;
use crate::state::AppState;

const OFFICE: &[Role] = &[Role::Admin, Role::Manager];

pub fn office_audience() -> Audience {
    Audience::new(
        Access::Roles(OFFICE),
        Routes::new()
            .route("/admin/allocation", get(allocation_page))
            .route("/admin/allocation/place", post(place))
            .route("/admin/allocation/programmes/{id}/place", post(place_programme))
            .route("/admin/allocation/groups/{id}/add", post(add_to_group))
            .route("/admin/allocation/groups/{id}/pin", post(pin))
            .route("/admin/allocation/groups/{id}/online", post(online))
            .route("/admin/cancellations", get(cancellations_page))
            .route("/admin/cancellations/day", post(cancel_day))
            .route("/admin/cancellations/{id}/make-up", post(make_up))
            .route("/admin/timetable/proposals", get(proposals_page).post(request_proposal))
            .route("/admin/timetable/proposals/{id}", get(proposal_page))
            .route("/admin/timetable/proposals/{id}/status", get(proposal_status))
            .route("/admin/timetable/proposals/{id}/accept", post(accept_proposal)),
    )
}

/// Dashboard links for the office.
pub fn dashboard_links() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        (
            "/admin/allocation",
            "Allocation",
            "Place enrolments awaiting allocation in teaching groups.",
        ),
        (
            "/admin/cancellations",
            "Cancellations and make-ups",
            "Cancel a teacher's or a school's day; schedule make-ups for owed lessons.",
        ),
        (
            "/admin/timetable/proposals",
            "Proposed timetables",
            "Let the solver propose a better timetable for a term.",
        ),
    ]
}

pub(crate) fn parse_date(text: &str) -> Option<Date> {
    tutti_domain::validate::parse_date(text).ok()
}

pub(crate) fn parse_time(text: &str) -> Option<u16> {
    text.parse::<ClockTime>().ok().map(|t| t.0)
}

fn parse_weekday(text: &str) -> Option<u8> {
    let t = text.trim().to_ascii_lowercase();
    if let Ok(n) = t.parse::<u8>() {
        return (1..=5).contains(&n).then_some(n);
    }
    (1..=5u8).find(|&d| day_name(d).to_ascii_lowercase().starts_with(&t) && t.len() >= 3)
}

/// Form fields as pairs, so that a checkbox list arrives whole.
type Pairs = Vec<(String, String)>;

fn one<'a>(pairs: &'a Pairs, name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn ids(pairs: &Pairs, name: &str) -> Vec<i64> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .filter_map(|(_, v)| v.parse().ok())
        .collect()
}

// ---- Allocation screen ----

#[derive(Deserialize, Default)]
struct AllocationQuery {
    school: Option<String>,
    instrument: Option<String>,
}

pub struct GroupRow {
    pub group: GroupSummary,
    pub day: &'static str,
    pub start: String,
    pub end: String,
}

#[derive(Template)]
#[template(path = "allocation/index.html")]
struct AllocationPage {
    shell: Shell,
    csrf: String,
    school: String,
    instrument: String,
    awaiting: Vec<AwaitingEnrolment>,
    programmes: Vec<Programme>,
    groups: Vec<GroupRow>,
    teachers: Vec<TeacherChoice>,
    errors: FormErrors,
    form: Pairs,
    lesson_types: &'static [&'static str],
}

impl AllocationPage {
    fn value(&self, name: &str) -> String {
        one(&self.form, name).to_owned()
    }

    fn checked(&self, id: &i64) -> bool {
        ids(&self.form, "enrolment").contains(id)
    }
}

async fn allocation_view(
    state: &AppState,
    visitor: &Visitor,
    q: AllocationQuery,
    mut errors: FormErrors,
    form: Pairs,
) -> AppResult<Response> {
    let school_text = q.school.clone().unwrap_or_default();
    let school_id = crate::pickers::filter_id(
        &state.store,
        &mut errors,
        "school",
        tutti_store::records::lookup::LookupKind::School,
        &school_text,
        "school",
    )
    .await?;
    let instrument = q.instrument.clone().unwrap_or_default();
    let awaiting = state.store.awaiting_allocation(school_id, Some(&instrument)).await?;
    let groups = state
        .store
        .group_summaries(school_id, Some(&instrument))
        .await?
        .into_iter()
        .map(|g| GroupRow {
            day: day_name(g.weekday as u8),
            start: crate::format::clock(g.start_minute),
            end: crate::format::clock(g.start_minute + g.minutes),
            group: g,
        })
        .collect();
    let page = AllocationPage {
        shell: Shell::new(state, visitor, "Allocation", "/admin/allocation"),
        csrf: visitor
            .session
            .as_ref()
            .map(|s| s.csrf_token.clone())
            .unwrap_or_default(),
        school: school_text,
        instrument,
        awaiting,
        programmes: state.store.programmes_to_place(school_id).await?,
        groups,
        teachers: state.store.teacher_choices().await?,
        errors: errors.clone(),
        form,
        lesson_types: LessonType::WORDS,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut response = render_clearing_flash(state, visitor, &page).await?;
    *response.status_mut() = status;
    Ok(response)
}

async fn allocation_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<AllocationQuery>,
) -> AppResult<Response> {
    allocation_view(&state, &visitor, q, FormErrors::default(), Vec::new()).await
}

/// What the office asked to place, read from a form or JSON; errors name the field.
pub(crate) struct PlaceRequest {
    pub(crate) group: NewGroup,
}

/// A placement's fields as text, as a form or a JSON body gives them.
pub(crate) struct PlaceFields<'a> {
    pub(crate) teacher: &'a str,
    pub(crate) school: &'a str,
    pub(crate) weekday: &'a str,
    pub(crate) start: &'a str,
    pub(crate) minutes: &'a str,
    pub(crate) lesson_type: &'a str,
    pub(crate) instrument: &'a str,
}

pub(crate) fn read_place(errors: &mut FormErrors, enrolments: Vec<i64>, fields: &PlaceFields) -> Option<PlaceRequest> {
    let PlaceFields {
        teacher,
        school,
        weekday,
        start,
        minutes,
        lesson_type,
        instrument,
    } = *fields;
    if enrolments.is_empty() {
        errors.add("enrolment", "Choose at least one enrolment to place.");
    }
    let teacher_id = teacher.trim().parse::<i64>().ok();
    if teacher_id.is_none() {
        errors.add("teacher", "Choose a teacher.");
    }
    let school_id = school.trim().parse::<i64>().ok();
    if school_id.is_none() {
        errors.add("school_id", "Choose a school.");
    }
    let day = parse_weekday(weekday);
    if day.is_none() {
        errors.add("weekday", "Choose a weekday from Monday to Friday.");
    }
    let at = parse_time(start);
    if at.is_none() {
        errors.add("start", "Enter a start time like 09:05.");
    }
    let length = minutes.trim().parse::<u16>().ok().filter(|m| (15..=60).contains(m));
    if length.is_none() {
        errors.add("minutes", "Enter a length from 15 to 60 minutes.");
    }
    let kind = lesson_type.parse::<LessonType>().ok();
    if kind.is_none() {
        errors.add("lesson_type", "Choose individual, paired, group or whole class.");
    }
    if instrument.trim().is_empty() {
        errors.add("instrument", "Enter the instrument.");
    }
    Some(PlaceRequest {
        group: NewGroup {
            teacher_id: teacher_id?,
            school_id: school_id?,
            weekday: day?,
            start_minute: at?,
            minutes: length?,
            lesson_type: kind?,
            instrument: instrument.trim().to_owned(),
            enrolment_ids: enrolments,
        },
    })
}

fn filters(form: &Pairs) -> AllocationQuery {
    AllocationQuery {
        school: Some(one(form, "filter_school").to_owned()),
        instrument: Some(one(form, "filter_instrument").to_owned()),
    }
}

fn back_to_allocation(form: &Pairs) -> String {
    let q: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("school", one(form, "filter_school"))
        .append_pair("instrument", one(form, "filter_instrument"))
        .finish();
    format!("/admin/allocation?{q}")
}

async fn flash(state: &AppState, visitor: &Visitor, message: String) -> AppResult<()> {
    if let Some(s) = visitor.session.as_ref() {
        state.store.set_flash(&s.id_hash, Some(&message)).await?;
    }
    Ok(())
}

async fn place(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, _): SignedIn,
    Form(form): Form<Pairs>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let school = crate::pickers::id_text(
        &state.store,
        &mut errors,
        "school_id",
        tutti_store::records::lookup::LookupKind::School,
        one(&form, "school_id"),
        "school",
    )
    .await?;
    let fields = PlaceFields {
        teacher: one(&form, "teacher"),
        school: &school,
        weekday: one(&form, "weekday"),
        start: one(&form, "start"),
        minutes: one(&form, "minutes"),
        lesson_type: one(&form, "lesson_type"),
        instrument: one(&form, "instrument"),
    };
    let request = read_place(&mut errors, ids(&form, "enrolment"), &fields);
    let Some(request) = request.filter(|_| errors.is_empty()) else {
        return allocation_view(&state, &visitor, filters(&form), errors, form).await;
    };
    match state
        .store
        .place_enrolments(&actor(&user, &visitor), &request.group)
        .await
    {
        Ok(id) => {
            flash(
                &state,
                &visitor,
                format!("Placed in group {id}; its lessons are on the timetable from today."),
            )
            .await?;
            Ok(Redirect::to(&back_to_allocation(&form)).into_response())
        }
        Err(e) => {
            refused_on(e, "start", &mut errors)?;
            allocation_view(&state, &visitor, filters(&form), errors, form).await
        }
    }
}

/// Places a school's whole-class programme: a teacher, weekday, time and length, checked
/// against the timetable's rules; what is wrong is said in the flash, and nothing is placed.
async fn place_programme(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, _): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<Pairs>,
) -> AppResult<Response> {
    let programme = state
        .store
        .programme(id)
        .await?
        .ok_or(crate::error::AppError::NotFound)?;
    let mut errors = FormErrors::default();
    let teacher_id = one(&form, "teacher").trim().parse::<i64>().ok();
    if teacher_id.is_none() {
        errors.add("teacher", "Choose a teacher.");
    }
    let day = parse_weekday(one(&form, "weekday"));
    if day.is_none() {
        errors.add("weekday", "Choose a weekday from Monday to Friday.");
    }
    let start = parse_time(one(&form, "start"));
    if start.is_none() {
        errors.add("start", "Enter a start time like 09:05.");
    }
    let minutes = one(&form, "minutes")
        .trim()
        .parse::<u16>()
        .ok()
        .filter(|m| (15..=90).contains(m));
    if minutes.is_none() {
        errors.add("minutes", "Enter a length from 15 to 90 minutes.");
    }
    let instrument = one(&form, "instrument").trim().to_owned();
    if instrument.is_empty() {
        errors.add("instrument", "Enter the instrument the class learns.");
    }
    let message = match (teacher_id, day, start, minutes) {
        (Some(teacher_id), Some(weekday), Some(start_minute), Some(minutes)) if errors.is_empty() => {
            let placement = ProgrammePlacement {
                teacher_id,
                weekday,
                start_minute,
                minutes,
                instrument,
            };
            match state
                .store
                .place_programme(&actor(&user, &visitor), id, &placement)
                .await
            {
                Ok(group) => format!(
                    "{} for {} placed as group {group}; its lessons are on the timetable from today.",
                    programme.programme, programme.school_name
                ),
                Err(e) => format!(
                    "{} for {} was not placed: {}",
                    programme.programme,
                    programme.school_name,
                    crate::error::refusal_text(e)?
                ),
            }
        }
        _ => format!(
            "{} for {} was not placed: {}",
            programme.programme,
            programme.school_name,
            errors
                .list()
                .iter()
                .map(|(_, m)| m.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        ),
    };
    flash(&state, &visitor, message).await?;
    Ok(Redirect::to(&back_to_allocation(&form)).into_response())
}

async fn add_to_group(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, _): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<Pairs>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let enrolments = ids(&form, "enrolment");
    match state.store.add_to_group(&actor(&user, &visitor), id, &enrolments).await {
        Ok(()) => {
            flash(&state, &visitor, format!("Added to group {id}.")).await?;
            Ok(Redirect::to(&back_to_allocation(&form)).into_response())
        }
        Err(e) => {
            refused_on(e, "enrolment", &mut errors)?;
            allocation_view(&state, &visitor, filters(&form), errors, form).await
        }
    }
}

async fn pin(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, _): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<Pairs>,
) -> AppResult<Response> {
    let pinned = one(&form, "pinned") == "yes";
    state
        .store
        .set_group_pinned(&actor(&user, &visitor), id, pinned)
        .await?;
    flash(
        &state,
        &visitor,
        format!(
            "Group {id} {}.",
            if pinned {
                "is pinned: proposed timetables leave it where it is"
            } else {
                "is no longer pinned"
            }
        ),
    )
    .await?;
    Ok(Redirect::to(&back_to_allocation(&form)).into_response())
}

/// Teaches a group online (with its joining link) or at its school again.
async fn online(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, _): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<Pairs>,
) -> AppResult<Response> {
    let online = one(&form, "online") == "yes";
    // The screen lists many groups, each with its own small form: the outcome, refusals
    // included, is said at the top of the page, naming the group.
    let said = match state
        .store
        .set_group_online(&actor(&user, &visitor), id, online, one(&form, "joining_link"))
        .await
    {
        Ok(()) if online => {
            format!(
                "Group {id} is taught online: its families see the joining link from 30 minutes before each lesson."
            )
        }
        Ok(()) => format!("Group {id} is taught at its school."),
        Err(e) => format!("Group {id} was not changed. {}", crate::error::refusal_text(e)?),
    };
    flash(&state, &visitor, said).await?;
    Ok(Redirect::to(&back_to_allocation(&form)).into_response())
}

// ---- Cancellations and make-ups ----

pub struct OwedRow {
    pub lesson: TimetableLesson,
    pub start: String,
    pub end: String,
}

#[derive(Template)]
#[template(path = "allocation/cancellations.html")]
struct CancellationsPage {
    shell: Shell,
    csrf: String,
    teachers: Vec<TeacherChoice>,
    owed: Vec<OwedRow>,
    errors: FormErrors,
    today: String,
}

async fn cancellations_view(state: &AppState, visitor: &Visitor, errors: FormErrors) -> AppResult<Response> {
    let owed = state
        .store
        .owed_lessons()
        .await?
        .into_iter()
        .map(|l| OwedRow {
            start: crate::format::clock(l.start_minute),
            end: crate::format::clock(l.end_minute),
            lesson: l,
        })
        .collect();
    let page = CancellationsPage {
        shell: Shell::new(state, visitor, "Cancellations and make-ups", "/admin/cancellations"),
        csrf: visitor
            .session
            .as_ref()
            .map(|s| s.csrf_token.clone())
            .unwrap_or_default(),
        teachers: state.store.teacher_choices().await?,
        owed,
        errors: errors.clone(),
        today: state.store.today().to_string(),
    };
    let mut response = render_clearing_flash(state, visitor, &page).await?;
    if !errors.is_empty() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

async fn cancellations_page(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    cancellations_view(&state, &visitor, FormErrors::default()).await
}

pub(crate) fn read_day_off(errors: &mut FormErrors, teacher: &str, school: &str, date: &str) -> Option<(DayOff, Date)> {
    let whose = match (teacher.trim().parse::<i64>().ok(), school.trim().parse::<i64>().ok()) {
        (Some(t), None) => Some(DayOff::Teacher(t)),
        (None, Some(s)) => Some(DayOff::School(s)),
        _ => {
            errors.add(
                "teacher",
                "Choose a teacher who is absent, or give a school that is closed (not both).",
            );
            None
        }
    };
    let day = parse_date(date);
    if day.is_none() {
        errors.add("date", "Enter a date like 2026-12-07.");
    }
    Some((whose?, day?))
}

async fn cancel_day(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, _): SignedIn,
    Form(form): Form<Pairs>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let school = crate::pickers::id_text(
        &state.store,
        &mut errors,
        "school_id",
        tutti_store::records::lookup::LookupKind::School,
        one(&form, "school_id"),
        "school",
    )
    .await?;
    let read = read_day_off(&mut errors, one(&form, "teacher"), &school, one(&form, "date"));
    let Some((whose, day)) = read else {
        return cancellations_view(&state, &visitor, errors).await;
    };
    match state
        .store
        .cancel_day(&actor(&user, &visitor), whose, day, one(&form, "reason"))
        .await
    {
        Ok(n) => {
            flash(
                &state,
                &visitor,
                format!("{n} lessons on {day} cancelled and owed by the hub."),
            )
            .await?;
            Ok(Redirect::to("/admin/cancellations").into_response())
        }
        Err(e) => {
            refused_on(e, "date", &mut errors)?;
            cancellations_view(&state, &visitor, errors).await
        }
    }
}

async fn make_up(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, _): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<Pairs>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let day = parse_date(one(&form, "date"));
    let start = parse_time(one(&form, "start"));
    let (Some(day), Some(start)) = (day, start) else {
        errors.add(
            "make-up",
            "Enter the make-up's date like 2026-12-07 and its start like 09:05.",
        );
        return cancellations_view(&state, &visitor, errors).await;
    };
    match state
        .store
        .schedule_make_up(&actor(&user, &visitor), id, day, start)
        .await
    {
        Ok(_) => {
            flash(
                &state,
                &visitor,
                format!("Make-up scheduled on {day} at {}.", ClockTime(start)),
            )
            .await?;
            Ok(Redirect::to("/admin/cancellations").into_response())
        }
        Err(e) => {
            refused_on(e, "make-up", &mut errors)?;
            cancellations_view(&state, &visitor, errors).await
        }
    }
}

// ---- Proposed timetables ----

pub struct MoveRow {
    pub m: GroupMove,
    pub before: String,
    pub after: String,
}

fn slot_text(slot: Option<(u8, u16)>) -> String {
    match slot {
        Some((day, start)) => format!("{} {}", day_name(day), ClockTime(start)),
        None => "Could not be placed (keeps its current time)".into(),
    }
}

#[derive(Template)]
#[template(path = "allocation/proposals.html")]
struct ProposalsPage {
    shell: Shell,
    csrf: String,
    terms: Vec<String>,
    current_term: String,
    errors: FormErrors,
}

fn terms_around(today: time::Date) -> (Vec<String>, String) {
    let year = AcademicYear::containing(today);
    let mut terms: Vec<String> = year.terms().iter().map(|t| t.to_string()).collect();
    terms.extend(year.next().terms().iter().map(|t| t.to_string()));
    let current = year
        .terms()
        .into_iter()
        .find(|t| {
            tutti_domain::calendar::default_term_dates(year)
                .iter()
                .any(|d| d.term == *t && d.dates.last >= today)
        })
        .map(|t| t.to_string())
        .unwrap_or_else(|| terms[0].clone());
    (terms, current)
}

async fn proposals_page(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    let (terms, current_term) = terms_around(state.store.today());
    render_clearing_flash(
        &state,
        &visitor,
        &ProposalsPage {
            shell: Shell::new(&state, &visitor, "Proposed timetables", "/admin/timetable/proposals"),
            csrf: visitor
                .session
                .as_ref()
                .map(|s| s.csrf_token.clone())
                .unwrap_or_default(),
            terms,
            current_term,
            errors: FormErrors::default(),
        },
    )
    .await
}

/// Starts the solver in the background for a recorded request, as a job any app server
/// can take over if this one stops (`tutti_store::platform::jobs`).
pub(crate) fn start(state: &AppState, id: i64) {
    let state = state.clone();
    tokio::spawn(async move {
        match state.store.start_proposal_job(id, None).await {
            Ok(job) => drop(crate::jobs::run_proposal(&state, job)),
            Err(e) => tracing::error!(error = %e, proposal = id, "a timetable proposal could not start"),
        }
    });
}

pub(crate) fn read_proposal(errors: &mut FormErrors, term: &str, seconds: &str) -> Option<(TermId, u32)> {
    let term = TermId::parse(term.trim()).ok();
    if term.is_none() {
        errors.add("term", "Choose a term.");
    }
    let seconds = if seconds.trim().is_empty() {
        Some(10)
    } else {
        seconds
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|s| (1..=tutti_store::teaching::proposals::MAX_SECONDS).contains(s))
    };
    if seconds.is_none() {
        errors.add(
            "seconds",
            format!(
                "Enter from 1 to {} seconds.",
                tutti_store::teaching::proposals::MAX_SECONDS
            ),
        );
    }
    Some((term?, seconds?))
}

async fn request_proposal(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, _): SignedIn,
    Form(form): Form<Pairs>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let Some((term, seconds)) = read_proposal(&mut errors, one(&form, "term"), one(&form, "seconds")) else {
        let (terms, current_term) = terms_around(state.store.today());
        let mut r = render_clearing_flash(
            &state,
            &visitor,
            &ProposalsPage {
                shell: Shell::new(&state, &visitor, "Proposed timetables", "/admin/timetable/proposals"),
                csrf: visitor
                    .session
                    .as_ref()
                    .map(|s| s.csrf_token.clone())
                    .unwrap_or_default(),
                terms,
                current_term,
                errors,
            },
        )
        .await?;
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(r);
    };
    let id = state
        .store
        .request_proposal(&actor(&user, &visitor), term, seconds)
        .await?;
    start(&state, id);
    Ok(Redirect::to(&format!("/admin/timetable/proposals/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "allocation/proposal.html")]
struct ProposalPage {
    shell: Shell,
    csrf: String,
    p: Proposal,
    percent: u32,
    moves: Vec<MoveRow>,
}

async fn proposal_page(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> AppResult<Response> {
    let p = state.store.proposal(id).await?;
    let moves = p
        .result
        .as_ref()
        .map(|r| {
            r.moves
                .iter()
                .take(1000)
                .map(|m| MoveRow {
                    before: slot_text(Some(m.before)),
                    after: slot_text(m.after),
                    m: m.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let page = ProposalPage {
        shell: Shell::new(
            &state,
            &visitor,
            format!("Proposed timetable for {}", p.term),
            "/admin/timetable/proposals",
        ),
        csrf: visitor
            .session
            .as_ref()
            .map(|s| s.csrf_token.clone())
            .unwrap_or_default(),
        percent: (p.progress() * 100.0) as u32,
        p,
        moves,
    };
    render_clearing_flash(&state, &visitor, &page).await
}

pub(crate) fn status_json(p: &Proposal) -> Value {
    json!({
        "id": p.id,
        "term": p.term,
        "seconds": p.seconds,
        "status": p.status,
        "progress": p.progress(),
        "result": p.result,
        "error": p.error,
    })
}

async fn proposal_status(State(state): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let p = state.store.proposal(id).await?;
    Ok(Json(status_json(&p)).into_response())
}

async fn accept_proposal(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, _): SignedIn,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let moved = state.store.accept_proposal(&actor(&user, &visitor), id).await?;
    flash(
        &state,
        &visitor,
        format!("Timetable accepted: {moved} groups moved and their lessons re-dated."),
    )
    .await?;
    Ok(Redirect::to(&format!("/admin/timetable/proposals/{id}")).into_response())
}

// ---- API ----
