//! Lessons on the screens: the teacher's day with one-tap registers, the parent's and the
//! school's timetables at real rotated times (the school's, with pupils' names, in
//! `school_timetable`), the private calendar address, and the office's
//! list of pupils at risk of missing the guarantee.
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use time::{Date, Duration};
use tutti_domain::calendar::AcademicYear;
use tutti_domain::guarantee::{GuaranteePolicy, RegisterMark};
use tutti_store::platform::accounts::{Role, User};
use tutti_store::teaching::lessons::{LessonStatus, NoteReader, TimetableLesson, TimetableOf};
use tutti_store::teaching::registers::{GuaranteeLine, LessonOutcome, MarkScope};

use crate::access::{Access, Audience, Routes};
use crate::acting::Acting;
use crate::error::{AppError, AppResult};
use crate::pages::{render, render_clearing_flash};
use crate::session::Visitor;
use crate::shell::Shell;
use crate::state::AppState;

/// The teacher's day and registers: teachers only, and each only their own lessons.
pub fn teacher_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Teacher]),
        Routes::new()
            .route("/teacher/day", get(teacher_day))
            .route("/teacher/week", get(teacher_week))
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
            (
                "/teacher/week",
                "Your week at a glance",
                "Each teaching day of the week with its lessons and a link to its registers.",
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
    /// An online lesson's joining link, when the reader may follow it now.
    pub join: Option<String>,
}

impl LessonView {
    /// A lesson as its teacher (or the office) sees it: an online lesson's link always.
    fn new(lesson: TimetableLesson) -> LessonView {
        let join = lesson.joining_link.clone().filter(|_| lesson.online);
        LessonView::with_join(lesson, join)
    }

    /// A lesson as a family sees it at `now`: an online lesson's link only from a short time
    /// before it starts until it ends, and never for a lesson that is not taking place.
    fn for_family(lesson: TimetableLesson, now: time::OffsetDateTime) -> LessonView {
        let now = tutti_domain::clock::in_london(now);
        let minute = now.hour() as u16 * 60 + now.minute() as u16;
        let open = lesson.online
            && lesson.status == LessonStatus::Scheduled
            && tutti_domain::online::joining_open(
                lesson.date,
                lesson.start_minute as u16,
                lesson.end_minute as u16,
                now.date(),
                minute,
            );
        let join = lesson.joining_link.clone().filter(|_| open);
        LessonView::with_join(lesson, join)
    }

    fn with_join(lesson: TimetableLesson, join: Option<String>) -> LessonView {
        let missed = lesson.status.is_missed_by_hub();
        LessonView {
            start: crate::format::clock(lesson.start_minute),
            end: crate::format::clock(lesson.end_minute),
            date_text: long_day(lesson.date),
            status_text: status_text(lesson.status),
            missed,
            join,
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
    /// The Monday of the day's week, for the link back to the week.
    week: String,
    lessons: Vec<LessonView>,
    marks: &'static [(&'static str, &'static str)],
}

/// A whole-lesson outcome waiting for the teacher to confirm it (decision 76): the red
/// buttons change every pupil's register at once, so they ask first, without JavaScript.
#[derive(Template)]
#[template(path = "lessons/confirm_outcome.html")]
pub(crate) struct ConfirmOutcomePage {
    shell: Shell,
    csrf: String,
    lesson: LessonView,
    date: String,
    outcome: &'static str,
    outcome_text: &'static str,
}

/// One teaching day on the week page.
pub struct WeekDay {
    pub date: String,
    pub date_text: String,
    pub lessons: Vec<LessonView>,
}

#[derive(Template)]
#[template(path = "lessons/week.html")]
pub(crate) struct WeekPage {
    shell: Shell,
    heading: String,
    days: Vec<WeekDay>,
    previous: String,
    next: String,
    this_week: bool,
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

async fn teacher_day(a: Acting, Query(q): Query<DayQuery>) -> AppResult<Response> {
    let staff = staff_id(&a.user)?;
    let day = match q.date.as_deref().filter(|d| !d.is_empty()) {
        Some(text) => parse_date(text).ok_or_else(|| AppError::BadRequest("Enter a date like 2026-11-26.".into()))?,
        None => a.state.store.today(),
    };
    let shell = Shell::new(&a.state, &a.visitor, day_title(day), "/teacher/day");
    let page = teacher_day_page(&a.state.store, staff, day, shell, a.csrf()).await?;
    render_clearing_flash(&a.state, &a.visitor, &page).await
}

/// The teacher's day page: the day's lessons, and next and previous stepping to the teacher's
/// own teaching days (weekends, holidays and closures have no lessons laid out, so they are
/// stepped over). The benchmark's bare program draws the page through this too.
pub(crate) async fn teacher_day_page(
    store: &tutti_store::Store,
    staff: i64,
    day: Date,
    shell: Shell,
    csrf: String,
) -> Result<DayPage, tutti_store::StoreError> {
    let lessons = store.teacher_day(staff, day).await?;
    let mut page = day_page(shell, csrf, day, lessons);
    let (before, after) = store.teaching_days_around(staff, day).await?;
    if let Some(d) = before {
        page.previous = d.to_string();
    }
    if let Some(d) = after {
        page.next = d.to_string();
    }
    Ok(page)
}

/// The weekday before or after `day` (Saturday and Sunday are stepped over).
fn weekday_step(day: Date, forward: bool) -> Date {
    let mut d = day;
    loop {
        d = if forward {
            d + Duration::days(1)
        } else {
            d - Duration::days(1)
        };
        if !matches!(d.weekday(), time::Weekday::Saturday | time::Weekday::Sunday) {
            return d;
        }
    }
}

/// The Monday of `day`'s week.
fn monday_of(day: Date) -> Date {
    day - Duration::days(day.weekday().number_days_from_monday() as i64)
}

#[derive(Deserialize)]
struct WeekQuery {
    date: Option<String>,
}

/// The teacher's week at a glance: each day of the week they teach, its lessons in order
/// and a link to its registers; a week's days without lessons (weekends, holidays,
/// closures) are not listed.
async fn teacher_week(a: Acting, Query(q): Query<WeekQuery>) -> AppResult<Response> {
    let staff = staff_id(&a.user)?;
    let today = a.state.store.today();
    let day = match q.date.as_deref().filter(|d| !d.is_empty()) {
        Some(text) => parse_date(text).ok_or_else(|| AppError::BadRequest("Enter a date like 2026-11-26.".into()))?,
        None => today,
    };
    let monday = monday_of(day);
    let sunday = monday + Duration::days(6);
    let lessons = a
        .state
        .store
        .timetable(TimetableOf::Teacher(staff), monday, sunday, NoteReader::Staff)
        .await?;
    let mut days: Vec<WeekDay> = Vec::new();
    for lesson in lessons {
        let date = lesson.date.to_string();
        if days.last().is_none_or(|d| d.date != date) {
            days.push(WeekDay {
                date_text: long_day(lesson.date),
                date,
                lessons: Vec::new(),
            });
        }
        if let Some(d) = days.last_mut() {
            d.lessons.push(LessonView::new(lesson));
        }
    }
    let heading = format!("Your week from {}", long_day(monday));
    render(&WeekPage {
        shell: Shell::new(&a.state, &a.visitor, heading.clone(), "/teacher/week"),
        heading,
        days,
        previous: (monday - Duration::days(7)).to_string(),
        next: (monday + Duration::days(7)).to_string(),
        this_week: monday_of(today) == monday,
    })
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
        previous: weekday_step(day, false).to_string(),
        next: weekday_step(day, true).to_string(),
        week: monday_of(day).to_string(),
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
    /// "yes" once the teacher has confirmed a whole-lesson outcome.
    #[serde(default)]
    confirm: String,
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

async fn mark_pupil(a: Acting, Path(id): Path<i64>, Form(form): Form<MarkForm>) -> AppResult<Response> {
    let staff = staff_id(&a.user)?;
    let mark: RegisterMark = form
        .mark
        .parse()
        .map_err(|_| AppError::BadRequest("Choose present or a reason for the absence.".into()))?;
    a.state
        .store
        .mark_pupil(&a.actor(), MarkScope::Teacher(staff), id, form.pupil, mark)
        .await?;
    let (_, lesson) = lesson_on(&a.state, staff, &form.date, id).await?;
    let name = lesson
        .and_then(|l| l.pupils.into_iter().find(|p| p.id == form.pupil))
        .map(|p| p.name);
    let words = mark_text(&form.mark);
    let message = match name {
        Some(name) => format!("Saved: {name}, {words}."),
        None => format!("Saved: {words}."),
    };
    saved(&a, &message, &form.date, id).await
}

/// The day a register form names (today when it names none), and the teacher's lesson on it.
async fn lesson_on(state: &AppState, staff: i64, date: &str, id: i64) -> AppResult<(Date, Option<TimetableLesson>)> {
    let day = parse_date(date).unwrap_or(state.store.today());
    let lesson = state
        .store
        .teacher_day(staff, day)
        .await?
        .into_iter()
        .find(|l| l.id == id);
    Ok((day, lesson))
}

/// Back to the day at the lesson just changed, with a status message saying what was saved.
async fn saved(a: &Acting, message: &str, date: &str, lesson: i64) -> AppResult<Response> {
    let day = parse_date(date).unwrap_or(a.state.store.today());
    a.done(message, &format!("/teacher/day?date={day}#lesson-{lesson}"))
        .await
}

async fn mark_lesson(a: Acting, Path(id): Path<i64>, Form(form): Form<OutcomeForm>) -> AppResult<Response> {
    let staff = staff_id(&a.user)?;
    let outcome = LessonOutcome::parse(&form.outcome)
        .ok_or_else(|| AppError::BadRequest("Choose given, teacher absent or school closed.".into()))?;
    let (word, words) = outcome_words(&form.outcome);
    // The red outcomes change the whole register: shown first, applied once confirmed.
    if word != "given" && form.confirm != "yes" {
        let (day, lesson) = lesson_on(&a.state, staff, &form.date, id).await?;
        let lesson = lesson.ok_or(AppError::NotFound)?;
        let title = format!("Mark this lesson {words}?");
        return render(&ConfirmOutcomePage {
            shell: Shell::new(&a.state, &a.visitor, title, "/teacher/day"),
            csrf: a.csrf(),
            lesson: LessonView::new(lesson),
            date: day.to_string(),
            outcome: word,
            outcome_text: words,
        });
    }
    a.state
        .store
        .mark_lesson(&a.actor(), MarkScope::Teacher(staff), id, outcome)
        .await?;
    saved(&a, &format!("Saved: the lesson is marked {words}."), &form.date, id).await
}

/// The outcome's word as posted and how the page says it.
fn outcome_words(posted: &str) -> (&'static str, &'static str) {
    match posted {
        "teacher-absent" => ("teacher-absent", "teacher absent"),
        "school-closed" => ("school-closed", "school closed"),
        _ => ("given", "given"),
    }
}

async fn save_note(a: Acting, Path(id): Path<i64>, Form(form): Form<NoteForm>) -> AppResult<Response> {
    let staff = staff_id(&a.user)?;
    a.state
        .store
        .set_lesson_note(
            &a.actor(),
            MarkScope::Teacher(staff),
            id,
            &form.note,
            form.shared == "yes",
        )
        .await?;
    let message = if form.shared == "yes" {
        "Saved: the note, shared with the family."
    } else {
        "Saved: the note, for you and the office only."
    };
    saved(&a, message, &form.date, id).await
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

async fn parent_timetable(a: Acting) -> AppResult<Response> {
    let children = if a.user.email_verified {
        a.state.store.children_of_guardian(&a.user.email).await?
    } else {
        Vec::new()
    };
    let from = a.state.store.today();
    let mut sections = Vec::new();
    for child in children {
        let lessons = a
            .state
            .store
            .timetable(TimetableOf::Pupil(child.id), from, from + AHEAD, NoteReader::Family)
            .await?;
        sections.push(TimetableSection {
            heading: format!("{} {}", child.first_name, child.last_name),
            lessons: lessons
                .into_iter()
                .map(|l| LessonView::for_family(l, a.state.store.now()))
                .collect(),
        });
    }
    render(&TimetablePage {
        shell: Shell::new(&a.state, &a.visitor, "Your children's lessons", "/parent/timetable"),
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

async fn calendar_address(a: Acting) -> AppResult<Response> {
    let token = a.state.store.calendar_feed_token(a.user.id).await?;
    render(&CalendarPage {
        shell: Shell::new(&a.state, &a.visitor, "Your calendar address", "/account/calendar"),
        address: format!(
            "{}/calendar/{token}.ics",
            a.state.config.public_url.trim_end_matches('/')
        ),
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
