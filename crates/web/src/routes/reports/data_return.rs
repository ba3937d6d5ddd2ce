//! The annual data return on screen: every figure of a year (the year in progress: to date)
//! with its breakdowns, each drilling down to the records it counts, and the same figures as
//! CSV, a spreadsheet or JSON, as `tutti report data-return` writes them.
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use tutti_domain::Pence;
use tutti_domain::calendar::AcademicYear;
use tutti_domain::data_return::{Counts, Figure, to_csv, to_xlsx};
use tutti_store::platform::accounts::Role;
use tutti_store::reports::data_return::CountedRecord;

use crate::access::{Access, Audience, Routes};
use crate::error::{AppError, AppResult};
use crate::pages::render;
use crate::session::Visitor;
use crate::shell::Shell;
use crate::state::AppState;

const OFFICE: &[Role] = &[Role::Admin, Role::Manager];
const BASE: &str = "/admin/reports/data-return";

pub fn office_audience() -> Audience {
    Audience::new(
        Access::Roles(OFFICE),
        Routes::new()
            .route(BASE, get(return_page))
            .route("/admin/reports/data-return/download", get(download))
            .route("/admin/reports/data-return/{key}", get(figure_page)),
    )
}

#[derive(Deserialize)]
struct YearQuery {
    year: Option<String>,
    format: Option<String>,
}

/// The year asked for, else the last whole year (the one a return is made for).
fn year_of(state: &AppState, q: &YearQuery) -> AcademicYear {
    q.year
        .as_deref()
        .and_then(|y| AcademicYear::parse(y.trim()).ok())
        .unwrap_or_else(|| AcademicYear::starting(AcademicYear::containing(state.store.today()).start_year() - 1))
}

/// A figure's value in words: a count, money, or "Not held".
fn value_text(unit: &str, value: Option<i64>) -> String {
    match value {
        None => "Not held".to_owned(),
        Some(v) if unit == "pence" => crate::format::money(Pence(v)),
        Some(v) if unit == "fte_hundredths" => format!("{} FTE", tutti_domain::geo::format_fixed(v, 2)),
        Some(v) => crate::format::count(v),
    }
}

struct Line {
    key: String,
    words: String,
    value: String,
    note: String,
    drills: bool,
    breakdowns: Vec<(String, Vec<(String, String)>)>,
}

fn line(f: &Figure) -> Line {
    Line {
        key: f.key.clone(),
        words: f.words.clone(),
        value: value_text(f.unit, f.value),
        note: f.note.clone().unwrap_or_default(),
        drills: f.counts != Counts::Nothing,
        breakdowns: f
            .breakdowns
            .iter()
            .map(|b| {
                let mut rows: Vec<(String, String)> = b
                    .rows
                    .iter()
                    .map(|r| (r.label.replace('_', " "), value_text(f.unit, Some(r.value))))
                    .collect();
                if b.not_recorded > 0 {
                    rows.push(("Not recorded".into(), crate::format::count(b.not_recorded)));
                }
                (b.by.replace('_', " "), rows)
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "reports/data_return.html")]
struct ReturnPage {
    shell: Shell,
    year: String,
    to: String,
    in_progress: bool,
    sections: Vec<(String, Vec<Line>)>,
}

async fn return_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let year = year_of(&state, &q);
    let report = state.store.data_return(year).await?;
    let mut sections: Vec<(String, Vec<Line>)> = Vec::new();
    for f in &report.figures {
        match sections.last_mut() {
            Some((name, lines)) if *name == f.section => lines.push(line(f)),
            _ => sections.push((f.section.clone(), vec![line(f)])),
        }
    }
    render(&ReturnPage {
        shell: Shell::new(&state, &visitor, format!("Data return {year}"), BASE),
        year: year.to_string(),
        to: crate::format::long_day(report.period.to),
        in_progress: report.in_progress,
        sections,
    })
}

#[derive(Template)]
#[template(path = "reports/data_return_figure.html")]
struct FigurePage {
    shell: Shell,
    year: String,
    line: Line,
    kind: &'static str,
    records: Vec<(String, String, String)>,
}

async fn figure_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(key): Path<String>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let year = year_of(&state, &q);
    let (report, records) = state
        .store
        .data_return_records(year, &key)
        .await?
        .ok_or(AppError::NotFound)?;
    let figure = report.figure(&key).ok_or(AppError::NotFound)?;
    let (kind, href): (&'static str, fn(&CountedRecord) -> String) = match figure.counts {
        Counts::Pupils => ("Pupil", |r| format!("/admin/pupils/{}", r.id)),
        Counts::Schools => ("School", |r| format!("/admin/schools/{}", r.id)),
        Counts::Staff => ("Staff", |r| format!("/admin/staff/{}", r.id)),
        Counts::Invoices => ("Invoice", |r| format!("/admin/billing/invoices/{}", r.id)),
        Counts::Ensembles => ("Ensemble", |r| format!("/admin/ensembles/{}", r.id)),
        Counts::Nothing => ("Record", |_| String::new()),
    };
    render(&FigurePage {
        shell: Shell::new(&state, &visitor, figure.words.clone(), BASE),
        year: year.to_string(),
        line: line(figure),
        kind,
        records: records
            .iter()
            .map(|r| (href(r), r.reference.clone(), r.name.clone()))
            .collect(),
    })
}

async fn download(State(state): State<AppState>, Query(q): Query<YearQuery>) -> AppResult<Response> {
    let year = year_of(&state, &q);
    let report = state.store.data_return(year).await?;
    let name = format!("data-return-{year}");
    let (kind, ext, body) = match q.format.as_deref().unwrap_or("csv") {
        "csv" => ("text/csv; charset=utf-8", "csv", to_csv(&report).into_bytes()),
        "xlsx" => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
            to_xlsx(&report),
        ),
        "json" => (
            "application/json",
            "json",
            serde_json::to_vec_pretty(&report).map_err(|e| AppError::Internal(e.to_string()))?,
        ),
        _ => return Err(AppError::NotFound),
    };
    Ok((
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.{ext}\""),
            ),
        ],
        body,
    )
        .into_response())
}
