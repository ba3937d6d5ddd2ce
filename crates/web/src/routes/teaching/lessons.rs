//! Lessons on the screens: the teacher's day with one-tap registers, the parent's and the
//! school's timetables at real rotated times (the school's, with pupils' names, in
//! `school_timetable`), the private calendar address, and the office's
//! list of pupils at risk of missing the guarantee.
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use time::{Date, Duration};
use tutti_domain::calendar::AcademicYear;
use tutti_domain::guarantee::{GuaranteePolicy, RegisterMark};
use tutti_store::platform::accounts::{Role, User};
use tutti_store::platform::audit::Actor;
use tutti_store::teaching::lessons::{LessonStatus, NoteReader, TimetableLesson, TimetableOf};
use tutti_store::teaching::registers::{GuaranteeLine, LessonOutcome, MarkScope};

use crate::access::{Access, Audience, Routes};
use crate::error::{AppError, AppResult};
use crate::pages::render;
use crate::session::{SignedIn, Visitor};
use crate::shell::Shell;
use crate::state::AppState;

/// The teacher's day and registers: teachers only, and each only their own lessons.
pub fn teacher_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Teacher]),
        Routes::new()
            .route("/teacher/day", get(teacher_day))
            .route("/teacher/lessons/{id}/mark", post(mark_pupil))
            .route("/teacher/lessons/{id}/outcome", post(mark_lesson))
            .route("/teacher/lessons/{id}/note", post(save_note)),
    )
}

pub fn parent_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Parent]),
        Routes::new().route("/parent/timetable", get(parent_timetable)),
    )
}

pub fn office_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Admin, Role::Manager]),
        Routes::new().route("/admin/lessons/at-risk", get(at_risk)),
    )
}

pub fn account_audience() -> Audience {
    Audience::new(
        Access::SignedIn,
        Routes::new().route("/account/calendar", get(calendar_address)),
    )
}

/// Links the dashboard adds for each role.
pub fn dashboard_links(role: Role) -> Vec<(&'static str, &'static str, &'static str)> {
    match role {
        Role::Teacher => vec![
            (
                "/teacher/day",
                "Today's lessons and registers",
                "Each lesson in order, with one tap per pupil.",
            ),
            calendar_link(),
        ],
        Role::Parent => vec![
            (
                "/parent/timetable",
                "Your children's lessons",
                "The next four weeks, at each week's real time.",
            ),
            calendar_link(),
        ],
        Role::School => vec![
            (
                "/school/timetable",
                "Lessons at your school",
                "This week and the next three, at the real times.",
            ),
            calendar_link(),
        ],
        Role::Admin | Role::Manager => vec![(
            "/admin/lessons/at-risk",
            "Pupils at risk of missing the guarantee",
            "Who will fall short of the year's lessons.",
        )],
        Role::Pupil => Vec::new(),
    }
}

fn calendar_link() -> (&'static str, &'static str, &'static str) {
    (
        "/account/calendar",
        "Add your lessons to your phone's calendar",
        "A private address your calendar app subscribes to.",
    )
}

/// Today in the hub's time zone. Lessons are dated in Europe/London; UTC is a day out only
/// between midnight and 1am in summer, when no lessons are taught.
use crate::format::long_day;

/// A lesson as a page shows it.
pub struct LessonView {
    pub lesson: TimetableLesson,
    pub start: String,
    pub end: String,
    pub date_text: String,
    pub status_text: &'static str,
    pub missed: bool,
}

impl LessonView {
    fn new(lesson: TimetableLesson) -> LessonView {
        let missed = lesson.status.is_missed_by_hub();
        LessonView {
            start: crate::format::clock(lesson.start_minute),
            end: crate::format::clock(lesson.end_minute),
            date_text: long_day(lesson.date),
            status_text: status_text(lesson.status),
            missed,
            lesson,
        }
    }
}

fn status_text(status: LessonStatus) -> &'static str {
    match status {
        LessonStatus::Given => "Given",
        LessonStatus::TeacherAbsent => "Teacher absent (owed by the hub)",
        LessonStatus::SchoolClosed => "School closed (owed by the hub)",
        LessonStatus::Cancelled => "Cancelled",
        LessonStatus::Scheduled => "Scheduled",
    }
}

/// What a register mark says, in words.
pub fn mark_text(mark: &str) -> &'static str {
    match mark {
        "present" => "Present",
        "ill" => "Absent: ill",
        "school-trip" => "Absent: school trip",
        "exam" => "Absent: exam",
        "forgot-instrument" => "Present, forgot instrument",
        "unauthorised" => "Absent: unauthorised",
        "teacher-absent" => "Teacher absent",
        "school-closed" => "School closed",
        _ => "Not marked",
    }
}

/// The marks a teacher taps for a pupil: the word posted and its button label.
pub const PUPIL_MARKS: [(&str, &str); 6] = [
    ("present", "Present"),
    ("ill", "Ill"),
    ("school-trip", "Trip"),
    ("exam", "Exam"),
    ("forgot-instrument", "No instrument"),
    ("unauthorised", "Unauthorised"),
];

#[derive(Template)]
#[template(path = "lessons/day.html")]
pub(crate) struct DayPage {
    shell: Shell,
    csrf: String,
    date: String,
    date_text: String,
    previous: String,
    next: String,
    lessons: Vec<LessonView>,
    marks: &'static [(&'static str, &'static str)],
}

#[derive(Deserialize)]
struct DayQuery {
    date: Option<String>,
}

fn parse_date(text: &str) -> Option<Date> {
    tutti_domain::validate::parse_date(text).ok()
}

fn staff_id(user: &User) -> AppResult<i64> {
    user.staff_id.ok_or_else(|| {
        AppError::Forbidden("Your account is not linked to a staff record. Ask the hub office to link it.".into())
    })
}

async fn teacher_day(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, session): SignedIn,
    Query(q): Query<DayQuery>,
) -> AppResult<Response> {
    let staff = staff_id(&user)?;
    let day = match q.date.as_deref().filter(|d| !d.is_empty()) {
        Some(text) => parse_date(text).ok_or_else(|| AppError::BadRequest("Enter a date like 2026-11-26.".into()))?,
        None => state.store.today(),
    };
    let lessons = state.store.teacher_day(staff, day).await?;
    let shell = Shell::new(&state, &visitor, day_title(day), "/teacher/day");
    render(&day_page(shell, session.csrf_token, day, lessons))
}

pub(crate) fn day_title(day: Date) -> String {
    format!("Lessons on {}", long_day(day))
}

/// The teacher's day page from its lessons (also drawn by the benchmark's bare program).
pub(crate) fn day_page(shell: Shell, csrf: String, day: Date, lessons: Vec<TimetableLesson>) -> DayPage {
    DayPage {
        shell,
        csrf,
        date: day.to_string(),
        date_text: long_day(day),
        previous: (day - Duration::days(1)).to_string(),
        next: (day + Duration::days(1)).to_string(),
        lessons: lessons.into_iter().map(LessonView::new).collect(),
        marks: &PUPIL_MARKS,
    }
}

#[derive(Deserialize)]
struct MarkForm {
    #[serde(default)]
    pupil: i64,
    #[serde(default)]
    mark: String,
    #[serde(default)]
    date: String,
}

#[derive(Deserialize)]
struct OutcomeForm {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    date: String,
}

#[derive(Deserialize)]
struct NoteForm {
    #[serde(default)]
    note: String,
    /// "yes" shares the note with the family; anything else keeps it for the office.
    #[serde(default)]
    shared: String,
    #[serde(default)]
    date: String,
}

/// Back to the day, at the lesson just marked.
fn back_to(date: &str, lesson: i64, today: time::Date) -> Response {
    let date = parse_date(date).unwrap_or(today);
    Redirect::to(&format!("/teacher/day?date={date}#lesson-{lesson}")).into_response()
}

async fn mark_pupil(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, _): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<MarkForm>,
) -> AppResult<Response> {
    let staff = staff_id(&user)?;
    let mark: RegisterMark = form
        .mark
        .parse()
        .map_err(|_| AppError::BadRequest("Choose present or a reason for the absence.".into()))?;
    state
        .store
        .mark_pupil(
            &Actor::user(&user, &visitor.ip),
            MarkScope::Teacher(staff),
            id,
            form.pupil,
            mark,
        )
        .await?;
    Ok(back_to(&form.date, id, state.store.today()))
}

async fn mark_lesson(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, _): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<OutcomeForm>,
) -> AppResult<Response> {
    let staff = staff_id(&user)?;
    let outcome = LessonOutcome::parse(&form.outcome)
        .ok_or_else(|| AppError::BadRequest("Choose given, teacher absent or school closed.".into()))?;
    state
        .store
        .mark_lesson(&Actor::user(&user, &visitor.ip), MarkScope::Teacher(staff), id, outcome)
        .await?;
    Ok(back_to(&form.date, id, state.store.today()))
}

async fn save_note(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, _): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<NoteForm>,
) -> AppResult<Response> {
    let staff = staff_id(&user)?;
    state
        .store
        .set_lesson_note(
            &Actor::user(&user, &visitor.ip),
            MarkScope::Teacher(staff),
            id,
            &form.note,
            form.shared == "yes",
        )
        .await?;
    Ok(back_to(&form.date, id, state.store.today()))
}

/// One child's (or the school's) lessons on a timetable page.
pub struct TimetableSection {
    pub heading: String,
    pub lessons: Vec<LessonView>,
}

#[derive(Template)]
#[template(path = "lessons/timetable.html")]
struct TimetablePage {
    shell: Shell,
    heading: String,
    intro: String,
    sections: Vec<TimetableSection>,
}

/// How far ahead the timetable pages look.
const AHEAD: Duration = Duration::days(28);

async fn parent_timetable(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, _): SignedIn,
) -> AppResult<Response> {
    let children = if user.email_verified {
        state.store.children_of_guardian(&user.email).await?
    } else {
        Vec::new()
    };
    let from = state.store.today();
    let mut sections = Vec::new();
    for child in children {
        let lessons = state
            .store
            .timetable(TimetableOf::Pupil(child.id), from, from + AHEAD, NoteReader::Family)
            .await?;
        sections.push(TimetableSection {
            heading: format!("{} {}", child.first_name, child.last_name),
            lessons: lessons.into_iter().map(LessonView::new).collect(),
        });
    }
    render(&TimetablePage {
        shell: Shell::new(&state, &visitor, "Your children's lessons", "/parent/timetable"),
        heading: "Your children's lessons".into(),
        intro: "The next four weeks. Where a school rotates lesson times, each week's real time is shown.".into(),
        sections,
    })
}

#[derive(Template)]
#[template(path = "lessons/calendar.html")]
struct CalendarPage {
    shell: Shell,
    address: String,
}

async fn calendar_address(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, _): SignedIn,
) -> AppResult<Response> {
    let token = state.store.calendar_feed_token(user.id).await?;
    render(&CalendarPage {
        shell: Shell::new(&state, &visitor, "Your calendar address", "/account/calendar"),
        address: format!("{}/calendar/{token}.ics", state.config.public_url.trim_end_matches('/')),
    })
}

#[derive(Template)]
#[template(path = "lessons/at_risk.html")]
struct AtRiskPage {
    shell: Shell,
    year: String,
    policy: GuaranteePolicy,
    lines: Vec<GuaranteeLine>,
}

async fn at_risk(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    let year = AcademicYear::containing(state.store.today());
    let policy = GuaranteePolicy::default();
    let lines = state.store.pupils_at_risk(year, state.store.today(), &policy).await?;
    render(&AtRiskPage {
        shell: Shell::new(&state, &visitor, "Pupils at risk", "/admin/lessons/at-risk"),
        year: year.to_string(),
        policy,
        lines,
    })
}
