//! The school's timetable with pupils' names and year groups, day by day, so the school
//! office knows which children to release: for the school's own login (its own pupils only)
//! and for the office looking at one school. Prints on A4 (`@media print` in site.css).
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use time::{Date, Duration};
use tutti_store::platform::accounts::Role;
use tutti_store::teaching::lessons::{LessonStatus, NoteReader, TimetableLesson, TimetableOf};

use crate::access::{Access, Audience, Routes};
use crate::acting::Acting;
use crate::error::{AppError, AppResult};
use crate::format::{clock, long_day};
use crate::pages::render;
use crate::session::Visitor;
use crate::shell::Shell;
use crate::state::AppState;

pub fn school_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::School]),
        Routes::new().route("/school/timetable", axum::routing::get(school_timetable)),
    )
}

pub fn office_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Admin, Role::Manager]),
        Routes::new().route("/admin/schools/{id}/timetable", axum::routing::get(office_timetable)),
    )
}

/// How far ahead the timetable looks.
const AHEAD: Duration = Duration::days(28);

/// One lesson as the school reads it.
pub struct Row {
    pub start: String,
    pub end: String,
    pub lesson: String,
    pub teacher: String,
    pub status: &'static str,
    /// "Ada Lovelace (Year 4)", one per pupil.
    pub pupils: Vec<String>,
}

/// One day of lessons.
pub struct Day {
    pub heading: String,
    pub rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "lessons/school_timetable.html")]
struct Page {
    shell: Shell,
    heading: String,
    back: Option<(String, String)>,
    from: String,
    to: String,
    days: Vec<Day>,
    /// The print version: the same page, saying how to print it.
    print: bool,
    print_href: String,
}

#[derive(Deserialize, Default)]
struct PrintQuery {
    #[serde(default)]
    print: String,
}

fn status(s: LessonStatus) -> &'static str {
    match s {
        LessonStatus::Scheduled => "",
        LessonStatus::Given => "Given",
        LessonStatus::TeacherAbsent => "Teacher absent",
        LessonStatus::SchoolClosed => "School closed",
        LessonStatus::Cancelled => "Cancelled",
    }
}

/// The lessons grouped by day, in date and time order (as the store gives them).
fn days(lessons: Vec<TimetableLesson>) -> Vec<Day> {
    let mut days: Vec<(Date, Day)> = Vec::new();
    for l in lessons {
        let row = Row {
            start: clock(l.start_minute),
            end: clock(l.end_minute),
            lesson: format!("{} ({})", l.instrument, l.lesson_type),
            teacher: l.teacher_name.clone(),
            status: status(l.status),
            pupils: l
                .pupils
                .iter()
                .map(|p| format!("{} ({})", p.name, p.year_group))
                .collect(),
        };
        match days.last_mut() {
            Some((d, day)) if *d == l.date => day.rows.push(row),
            _ => days.push((
                l.date,
                Day {
                    heading: long_day(l.date),
                    rows: vec![row],
                },
            )),
        }
    }
    days.into_iter().map(|(_, d)| d).collect()
}

async fn page(
    state: &AppState,
    visitor: &Visitor,
    school: i64,
    heading: String,
    back: Option<(String, String)>,
    path: &str,
    print: bool,
) -> AppResult<Response> {
    let from = state.store.today();
    let to = from + AHEAD;
    let lessons = state
        .store
        .timetable(TimetableOf::School(school), from, to, NoteReader::Family)
        .await?;
    render(&Page {
        shell: Shell::new(state, visitor, heading.clone(), path),
        heading,
        back,
        from: long_day(from),
        to: long_day(to),
        days: days(lessons),
        print,
        print_href: format!("{path}?print=1"),
    })
}

async fn school_timetable(a: Acting, Query(q): Query<PrintQuery>) -> AppResult<Response> {
    let school = a
        .user
        .school_id
        .ok_or_else(|| AppError::Forbidden("Your account is not linked to a school.".into()))?;
    page(
        &a.state,
        &a.visitor,
        school,
        "Lessons at your school".into(),
        None,
        "/school/timetable",
        !q.print.is_empty(),
    )
    .await
}

async fn office_timetable(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    Query(q): Query<PrintQuery>,
) -> AppResult<Response> {
    let s = state.store.school_summary(id).await?.ok_or(AppError::NotFound)?;
    page(
        &state,
        &visitor,
        id,
        format!("Lessons at {}", s.name),
        Some((format!("/admin/schools/{id}"), format!("Back to {}", s.name))),
        &format!("/admin/schools/{id}/timetable"),
        !q.print.is_empty(),
    )
    .await
}
