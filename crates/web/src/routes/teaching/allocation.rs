//! The office's allocation screens and API: placing enrolments in teaching groups under the
//! timetable rules, placing the whole-class programmes schools bought, pinning groups,
//! cancelling a teacher's or a school's day and scheduling make-ups, and proposed timetables
//! solved in the background.
use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, Query, State};
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

use tutti_store::StoreError;

use crate::access::{Access, Audience, Routes};
use crate::acting::Acting;
use crate::error::{AppResult, refused_on};
use crate::forms::FormErrors;
use crate::pages::render_clearing_flash;
use crate::session::Visitor;
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
    let school_id = crate::pickers::school_filter(&state.store, &mut errors, &school_text).await?;
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
    let status = errors.status();
    let page = AllocationPage {
        shell: Shell::new(state, visitor, "Allocation", "/admin/allocation"),
        csrf: visitor.csrf(),
        school: school_text,
        instrument,
        awaiting,
        programmes: state.store.programmes_to_place(school_id).await?,
        groups,
        teachers: state.store.teacher_choices().await?,
        errors,
        form,
        lesson_types: LessonType::WORDS,
    };
    let response = render_clearing_flash(state, visitor, &page).await?;
    Ok((status, response).into_response())
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

/// The screen an allocation form came from, shown again when the form is refused.
enum Screen {
    /// The allocation screen, with the form's filters and input kept.
    Allocation(Pairs),
    Cancellations,
}

impl Screen {
    fn path(&self) -> String {
        match self {
            Screen::Allocation(form) => back_to_allocation(form),
            Screen::Cancellations => "/admin/cancellations".into(),
        }
    }

    async fn again(self, a: &Acting, errors: FormErrors) -> AppResult<Response> {
        match self {
            Screen::Allocation(form) => allocation_view(&a.state, &a.visitor, filters(&form), errors, form).await,
            Screen::Cancellations => cancellations_view(&a.state, &a.visitor, errors).await,
        }
    }

    /// Goes back to the screen saying what was done, or shows it again with the store's
    /// refusal beside `field`.
    async fn answer(self, a: &Acting, outcome: Result<String, StoreError>, field: &'static str) -> AppResult<Response> {
        let mut errors = FormErrors::default();
        match outcome {
            Ok(said) => a.done(&said, &self.path()).await,
            Err(e) => {
                refused_on(e, field, &mut errors)?;
                self.again(a, errors).await
            }
        }
    }
}

async fn place(a: Acting, Form(form): Form<Pairs>) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let school = crate::pickers::school_id_text(&a.state.store, &mut errors, one(&form, "school_id")).await?;
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
        return Screen::Allocation(form).again(&a, errors).await;
    };
    let placed = a.state.store.place_enrolments(&a.actor(), &request.group).await;
    let said = placed.map(|id| format!("Placed in group {id}; its lessons are on the timetable from today."));
    Screen::Allocation(form).answer(&a, said, "start").await
}

/// Places a school's whole-class programme: a teacher, weekday, time and length, checked
/// against the timetable's rules; what is wrong is said in the flash, and nothing is placed.
async fn place_programme(a: Acting, Path(id): Path<i64>, Form(form): Form<Pairs>) -> AppResult<Response> {
    let programme = a
        .state
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
            match a.state.store.place_programme(&a.actor(), id, &placement).await {
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
    a.done(&message, &back_to_allocation(&form)).await
}

async fn add_to_group(a: Acting, Path(id): Path<i64>, Form(form): Form<Pairs>) -> AppResult<Response> {
    let enrolments = ids(&form, "enrolment");
    let added = a.state.store.add_to_group(&a.actor(), id, &enrolments).await;
    let said = added.map(|()| format!("Added to group {id}."));
    Screen::Allocation(form).answer(&a, said, "enrolment").await
}

async fn pin(a: Acting, Path(id): Path<i64>, Form(form): Form<Pairs>) -> AppResult<Response> {
    let pinned = one(&form, "pinned") == "yes";
    a.state.store.set_group_pinned(&a.actor(), id, pinned).await?;
    let how = if pinned {
        "is pinned: proposed timetables leave it where it is"
    } else {
        "is no longer pinned"
    };
    a.done(&format!("Group {id} {how}."), &back_to_allocation(&form)).await
}

/// Teaches a group online (with its joining link) or at its school again.
async fn online(a: Acting, Path(id): Path<i64>, Form(form): Form<Pairs>) -> AppResult<Response> {
    let online = one(&form, "online") == "yes";
    let link = one(&form, "joining_link");
    // The screen lists many groups, each with its own small form: the outcome, refusals
    // included, is said at the top of the page, naming the group.
    let said = match a.state.store.set_group_online(&a.actor(), id, online, link).await {
        Ok(()) if online => {
            format!(
                "Group {id} is taught online: its families see the joining link from 30 minutes before each lesson."
            )
        }
        Ok(()) => format!("Group {id} is taught at its school."),
        Err(e) => format!("Group {id} was not changed. {}", crate::error::refusal_text(e)?),
    };
    a.done(&said, &back_to_allocation(&form)).await
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
    let status = errors.status();
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
        csrf: visitor.csrf(),
        teachers: state.store.teacher_choices().await?,
        owed,
        errors,
        today: state.store.today().to_string(),
    };
    let response = render_clearing_flash(state, visitor, &page).await?;
    Ok((status, response).into_response())
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

async fn cancel_day(a: Acting, Form(form): Form<Pairs>) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let school = crate::pickers::school_id_text(&a.state.store, &mut errors, one(&form, "school_id")).await?;
    let read = read_day_off(&mut errors, one(&form, "teacher"), &school, one(&form, "date"));
    let Some((whose, day)) = read else {
        return Screen::Cancellations.again(&a, errors).await;
    };
    let cancelled = a
        .state
        .store
        .cancel_day(&a.actor(), whose, day, one(&form, "reason"))
        .await;
    let said = cancelled.map(|n| format!("{n} lessons on {day} cancelled and owed by the hub."));
    Screen::Cancellations.answer(&a, said, "date").await
}

async fn make_up(a: Acting, Path(id): Path<i64>, Form(form): Form<Pairs>) -> AppResult<Response> {
    let day = parse_date(one(&form, "date"));
    let start = parse_time(one(&form, "start"));
    let (Some(day), Some(start)) = (day, start) else {
        let mut errors = FormErrors::default();
        errors.add(
            "make-up",
            "Enter the make-up's date like 2026-12-07 and its start like 09:05.",
        );
        return Screen::Cancellations.again(&a, errors).await;
    };
    let scheduled = a.state.store.schedule_make_up(&a.actor(), id, day, start).await;
    let said = scheduled.map(|_| format!("Make-up scheduled on {day} at {}.", ClockTime(start)));
    Screen::Cancellations.answer(&a, said, "make-up").await
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

async fn proposals_view(state: &AppState, visitor: &Visitor, errors: FormErrors) -> AppResult<Response> {
    let (terms, current_term) = terms_around(state.store.today());
    let status = errors.status();
    let page = ProposalsPage {
        shell: Shell::new(state, visitor, "Proposed timetables", "/admin/timetable/proposals"),
        csrf: visitor.csrf(),
        terms,
        current_term,
        errors,
    };
    let response = render_clearing_flash(state, visitor, &page).await?;
    Ok((status, response).into_response())
}

async fn proposals_page(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    proposals_view(&state, &visitor, FormErrors::default()).await
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

async fn request_proposal(a: Acting, Form(form): Form<Pairs>) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let Some((term, seconds)) = read_proposal(&mut errors, one(&form, "term"), one(&form, "seconds")) else {
        return proposals_view(&a.state, &a.visitor, errors).await;
    };
    let id = a.state.store.request_proposal(&a.actor(), term, seconds).await?;
    start(&a.state, id);
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
        csrf: visitor.csrf(),
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

async fn accept_proposal(a: Acting, Path(id): Path<i64>) -> AppResult<Response> {
    let moved = a.state.store.accept_proposal(&a.actor(), id).await?;
    let said = format!("Timetable accepted: {moved} groups moved and their lessons re-dated.");
    a.done(&said, &format!("/admin/timetable/proposals/{id}")).await
}

// ---- API ----
