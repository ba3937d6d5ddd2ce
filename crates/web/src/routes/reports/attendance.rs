//! Attendance patterns for the office (decision 0095): members at risk of dropping out across
//! every ensemble, and lesson pupils at risk, by the domain's rule said in words on the page;
//! and each ensemble's attendance over the term, a member a bar, drawn as SVG with its table.
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use time::Date;
use tutti_domain::progression::at_risk::{AtRiskRule, attendance_percent};
use tutti_store::platform::accounts::Role;
use tutti_store::reports::attendance::AttendanceLine;

use crate::access::{Access, Audience, Routes};
use crate::charts::{Bar, Chart};
use crate::error::{AppError, AppResult};
use crate::pages::render;
use crate::session::Visitor;
use crate::shell::Shell;
use crate::state::AppState;

const OFFICE: &[Role] = &[Role::Admin, Role::Manager];
const BASE: &str = "/admin/reports/attendance";

pub fn office_audience() -> Audience {
    Audience::new(
        Access::Roles(OFFICE),
        Routes::new()
            .route(BASE, get(overview))
            .route("/admin/reports/attendance/ensembles/{id}", get(ensemble_page)),
    )
}

/// This term, from its first day to today (or its end).
fn term_span(state: &AppState) -> (String, Date, Date) {
    let today = state.store.today();
    let term = tutti_store::records::profile::term_of(today);
    (term.term.title(), term.dates.first, term.dates.last.min(today))
}

/// Someone on an at-risk list.
struct RiskLine {
    pupil_id: i64,
    name: String,
    group_id: i64,
    group: String,
    instrument: String,
    reason: String,
    rate: String,
    marked: usize,
}

fn at_risk(lines: &[AttendanceLine], rule: &AtRiskRule, sessions: &str) -> Vec<RiskLine> {
    lines
        .iter()
        .filter_map(|l| {
            let risk = rule.check(&l.marks)?;
            Some(RiskLine {
                pupil_id: l.pupil_id,
                name: l.name.clone(),
                group_id: l.group_id,
                group: l.group.clone(),
                instrument: l.instrument.clone(),
                reason: risk.words(sessions),
                rate: rate_words(&l.marks),
                marked: l.marks.len(),
            })
        })
        .collect()
}

fn rate_words(marks: &[tutti_domain::guarantee::RegisterMark]) -> String {
    attendance_percent(marks)
        .map(|p| format!("{p}%"))
        .unwrap_or_else(|| "None marked".into())
}

struct EnsembleRate {
    id: i64,
    name: String,
    members: usize,
    rate: String,
}

#[derive(Template)]
#[template(path = "progression/attendance.html")]
struct Overview {
    shell: Shell,
    term: String,
    from: String,
    to: String,
    rule_rehearsals: String,
    rule_lessons: String,
    members: Vec<RiskLine>,
    pupils: Vec<RiskLine>,
    ensembles: Vec<EnsembleRate>,
}

async fn overview(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    let (term, from, to) = term_span(&state);
    let rule = AtRiskRule::default();
    let members = state.store.ensemble_attendance(None, from, to).await?;
    let lessons = state.store.lesson_attendance(from, to).await?;
    let mut ensembles: Vec<EnsembleRate> = Vec::new();
    let mut marks_of: Vec<Vec<tutti_domain::guarantee::RegisterMark>> = Vec::new();
    for l in &members {
        match ensembles.last_mut() {
            Some(e) if e.id == l.group_id => {
                e.members += 1;
                marks_of
                    .last_mut()
                    .expect("one per ensemble")
                    .extend(l.marks.iter().copied());
            }
            _ => {
                ensembles.push(EnsembleRate {
                    id: l.group_id,
                    name: l.group.clone(),
                    members: 1,
                    rate: String::new(),
                });
                marks_of.push(l.marks.clone());
            }
        }
    }
    for (e, marks) in ensembles.iter_mut().zip(&marks_of) {
        e.rate = rate_words(marks);
    }
    render(&Overview {
        shell: Shell::new(&state, &visitor, "Attendance and members at risk", BASE),
        term,
        from: crate::format::long_day(from),
        to: crate::format::long_day(to),
        rule_rehearsals: rule.words("rehearsals"),
        rule_lessons: rule.words("lessons"),
        members: at_risk(&members, &rule, "rehearsals"),
        pupils: at_risk(&lessons, &rule, "lessons"),
        ensembles,
    })
}

#[derive(Template)]
#[template(path = "progression/ensemble_attendance.html")]
struct EnsemblePage {
    shell: Shell,
    id: i64,
    name: String,
    term: String,
    chart: Option<Chart>,
    at_risk: Vec<RiskLine>,
    rule: String,
}

async fn ensemble_page(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> AppResult<Response> {
    let ensemble = state.store.ensemble(id).await?.ok_or(AppError::NotFound)?;
    let (term, from, to) = term_span(&state);
    let rule = AtRiskRule::default();
    let lines = state.store.ensemble_attendance(Some(id), from, to).await?;
    let chart = (!lines.is_empty()).then(|| {
        let bars: Vec<Bar> = lines
            .iter()
            .map(|l| {
                let p = attendance_percent(&l.marks);
                Bar::new(
                    format!("{} ({})", l.name, l.instrument),
                    p.unwrap_or(0),
                    p.map(|p| format!("{p}%")).unwrap_or_else(|| "None marked".into()),
                )
            })
            .collect();
        let rows = lines
            .iter()
            .map(|l| {
                let came = l
                    .marks
                    .iter()
                    .filter(|m| !m.is_hub_miss() && !m.is_pupil_absence())
                    .count();
                let counted = l.marks.iter().filter(|m| !m.is_hub_miss()).count();
                vec![
                    format!("{} ({})", l.name, l.instrument),
                    format!("{came} of {counted}"),
                    rate_words(&l.marks),
                ]
            })
            .collect();
        let marked = lines.iter().filter(|l| !l.marks.is_empty()).count();
        Chart::bars_with_table(
            "member-attendance",
            &format!("Attendance this term: {}", ensemble.name),
            format!(
                "Each member's share of this term's rehearsals attended: {} members, {marked} with marks so far.",
                lines.len()
            ),
            &bars,
            vec!["Member".into(), "Came".into(), "Attendance".into()],
            rows,
        )
    });
    render(&EnsemblePage {
        shell: Shell::new(&state, &visitor, format!("Attendance: {}", ensemble.name), BASE),
        id,
        name: ensemble.name,
        term: format!(
            "{term}, {} to {}",
            crate::format::long_day(from),
            crate::format::long_day(to)
        ),
        chart,
        at_risk: at_risk(&lines, &rule, "rehearsals"),
        rule: rule.words("rehearsals"),
    })
}
