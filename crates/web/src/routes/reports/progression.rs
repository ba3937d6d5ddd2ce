//! The progression report on screen (decision 0095): of the pupils in whole-class teaching in
//! the year before the chosen one, how many went on to lessons or ensembles, in total and by
//! area, school and year group, split by free school meals, SEND and looked-after status; each
//! count drills down to the pupils it counts, and the whole downloads as CSV. The figures are
//! the data return's `wcet_continuation` grouped, never a second count.
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use tutti_domain::calendar::AcademicYear;
use tutti_domain::progression::report::{Line, Report, Slice, Tally};
use tutti_store::platform::accounts::Role;

use crate::access::{Access, Audience, Routes};
use crate::error::AppResult;
use crate::pages::render;
use crate::session::Visitor;
use crate::shell::Shell;
use crate::state::AppState;

const OFFICE: &[Role] = &[Role::Admin, Role::Manager];
const BASE: &str = "/admin/reports/progression";

pub fn office_audience() -> Audience {
    Audience::new(
        Access::Roles(OFFICE),
        Routes::new()
            .route(BASE, get(report_page))
            .route("/admin/reports/progression/pupils", get(pupils_page))
            .route("/admin/reports/progression/download", get(download)),
    )
}

#[derive(Deserialize, Default)]
struct ReportQuery {
    year: Option<String>,
    school: Option<i64>,
    area: Option<String>,
    year_group: Option<i8>,
    flag: Option<String>,
    continued: Option<String>,
}

/// The year asked for, else the one containing today (continuation into it, to date).
fn year_of(state: &AppState, q: &ReportQuery) -> AcademicYear {
    q.year
        .as_deref()
        .and_then(|y| AcademicYear::parse(y.trim()).ok())
        .unwrap_or_else(|| AcademicYear::containing(state.store.today()))
}

fn percent(t: &Tally) -> String {
    t.percent().map(|p| format!("{p}%")).unwrap_or_else(|| "–".into())
}

/// One cell: "2 of 5 (40%)", linking to the pupils counted.
struct Cell {
    text: String,
    href: String,
}

struct Row {
    label: String,
    cells: Vec<Cell>,
}

const FLAGS: [(&str, &str); 4] = [
    ("", "All pupils"),
    ("fsm", "Free school meals"),
    ("send", "SEND"),
    ("looked_after", "Looked after"),
];

fn row(year: AcademicYear, filter: &str, l: &Line) -> Row {
    let tallies = [&l.all, &l.fsm, &l.send, &l.looked_after];
    Row {
        label: l.label.clone(),
        cells: FLAGS
            .iter()
            .zip(tallies)
            .map(|((flag, _), t)| Cell {
                text: format!("{} of {} ({})", t.continued, t.started, percent(t)),
                href: format!("{BASE}/pupils?year={year}{filter}&flag={flag}"),
            })
            .collect(),
    }
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

struct Group {
    id: &'static str,
    heading: &'static str,
    first: &'static str,
    rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "progression/report.html")]
struct ReportPage {
    shell: Shell,
    year: String,
    wcet_year: String,
    to: String,
    in_progress: bool,
    years: Vec<(String, bool)>,
    total: Row,
    total_all: Tally,
    groups: Vec<Group>,
    flags: Vec<&'static str>,
}

fn groups(year: AcademicYear, r: &Report) -> Vec<Group> {
    vec![
        Group {
            id: "by-area",
            heading: "By area",
            first: "Area",
            rows: r
                .by_area
                .iter()
                .map(|l| row(year, &format!("&area={}", enc(&l.key)), l))
                .collect(),
        },
        Group {
            id: "by-school",
            heading: "By school",
            first: "School",
            rows: r
                .by_school
                .iter()
                .map(|l| row(year, &format!("&school={}", l.key), l))
                .collect(),
        },
        Group {
            id: "by-year-group",
            heading: "By year group in the year of whole-class teaching",
            first: "Year group",
            rows: r
                .by_year_group
                .iter()
                .map(|l| {
                    let filter = if l.key == "none" {
                        String::new()
                    } else {
                        format!("&year_group={}", l.key)
                    };
                    row(year, &filter, l)
                })
                .collect(),
        },
    ]
}

async fn report_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    let year = year_of(&state, &q);
    let (report, _) = state.store.progression_report(year).await?;
    let this = AcademicYear::containing(state.store.today());
    let years = (0..5)
        .map(|back| {
            let y = AcademicYear::starting(this.start_year() - back);
            (y.to_string(), y == year)
        })
        .collect();
    render(&ReportPage {
        shell: Shell::new(&state, &visitor, format!("Progression {year}"), BASE),
        year: year.to_string(),
        wcet_year: report.wcet_year.clone(),
        to: crate::format::long_day(report.period.to),
        in_progress: report.period.in_progress(),
        years,
        total: row(year, "", &report.total),
        total_all: report.total.all,
        groups: groups(year, &report),
        flags: FLAGS.iter().map(|(_, w)| *w).collect(),
    })
}

fn slice_of(q: &ReportQuery) -> Slice {
    Slice {
        school: q.school,
        area: q.area.clone(),
        year_group: q.year_group,
        flag: q.flag.clone().filter(|f| !f.is_empty()),
        continued: match q.continued.as_deref() {
            Some("yes") => Some(true),
            Some("no") => Some(false),
            _ => None,
        },
    }
}

struct PupilLine {
    id: i64,
    name: String,
    reference: String,
    school: String,
    year_group: String,
    went_on: String,
    flags: String,
}

#[derive(Template)]
#[template(path = "progression/pupils.html")]
struct PupilsPage {
    shell: Shell,
    year: String,
    wcet_year: String,
    what: String,
    pupils: Vec<PupilLine>,
    continued: usize,
}

async fn pupils_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    let year = year_of(&state, &q);
    let slice = slice_of(&q);
    let (report, pupils) = state.store.progression_pupils(year, &slice).await?;
    let mut what = Vec::new();
    if let Some(l) = slice
        .school
        .and_then(|s| report.by_school.iter().find(|l| l.key == s.to_string()))
    {
        what.push(l.label.clone());
    }
    if let Some(a) = &slice.area {
        what.push(if a.is_empty() {
            "No area".into()
        } else {
            format!("{a} area")
        });
    }
    if let Some(l) = slice
        .year_group
        .and_then(|y| report.by_year_group.iter().find(|l| l.key == y.to_string()))
    {
        what.push(l.label.clone());
    }
    if let Some((_, words)) = FLAGS.iter().find(|(f, _)| Some(*f) == slice.flag.as_deref()) {
        what.push(words.to_string());
    }
    let continued = pupils
        .iter()
        .filter(|p| p.counted.to_lessons || p.counted.to_ensembles)
        .count();
    render(&PupilsPage {
        shell: Shell::new(&state, &visitor, format!("Progression {year}: pupils"), BASE),
        year: year.to_string(),
        wcet_year: report.wcet_year.clone(),
        what: if what.is_empty() {
            "All schools".into()
        } else {
            what.join(", ")
        },
        continued,
        pupils: pupils
            .into_iter()
            .map(|p| {
                let c = &p.counted;
                let went_on = match (c.to_lessons, c.to_ensembles) {
                    (true, true) => "Lessons and an ensemble",
                    (true, false) => "Lessons",
                    (false, true) => "An ensemble",
                    (false, false) => "Did not continue",
                };
                let flags: Vec<&str> = [
                    (c.fsm, "Free school meals"),
                    (c.send, "SEND"),
                    (c.looked_after, "Looked after"),
                ]
                .into_iter()
                .filter(|(on, _)| *on)
                .map(|(_, w)| w)
                .collect();
                PupilLine {
                    id: p.id,
                    name: p.name,
                    reference: p.reference,
                    school: p.school,
                    year_group: c.year_group.clone().unwrap_or_else(|| "Not of school age".into()),
                    went_on: went_on.into(),
                    flags: flags.join(", "),
                }
            })
            .collect(),
    })
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The report as CSV: a line per group and line, with each characteristic's started,
/// continued and per cent.
async fn download(State(state): State<AppState>, Query(q): Query<ReportQuery>) -> AppResult<Response> {
    let year = year_of(&state, &q);
    let (report, _) = state.store.progression_report(year).await?;
    let mut out = String::from(
        "group,line,started,continued,percent,to_lessons,to_ensembles,fsm_started,fsm_continued,fsm_percent,\
         send_started,send_continued,send_percent,looked_after_started,looked_after_continued,looked_after_percent\n",
    );
    let pc = |t: &Tally| t.percent().map(|p| p.to_string()).unwrap_or_default();
    let mut put = |group: &str, l: &Line| {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            group,
            csv_field(&l.label),
            l.all.started,
            l.all.continued,
            pc(&l.all),
            l.all.to_lessons,
            l.all.to_ensembles,
            l.fsm.started,
            l.fsm.continued,
            pc(&l.fsm),
            l.send.started,
            l.send.continued,
            pc(&l.send),
            l.looked_after.started,
            l.looked_after.continued,
            pc(&l.looked_after),
        ));
    };
    put("total", &report.total);
    for l in &report.by_area {
        put("area", l);
    }
    for l in &report.by_school {
        put("school", l);
    }
    for l in &report.by_year_group {
        put("year_group", l);
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"progression-{year}.csv\""),
            ),
        ],
        out,
    )
        .into_response())
}
