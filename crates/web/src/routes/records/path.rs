//! A pupil's path (decision 0095): the dated steps of whole-class teaching, lessons, ensembles
//! and exams, as a section of the office's 360° record and as a parent's page about their own
//! child (`/parent/children/{id}/path`; another family's child is 404).
use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use axum::routing::get;
use tutti_domain::progression::path::Step;
use tutti_store::platform::accounts::Role;
use tutti_store::records::path::PupilPath;
use tutti_store::records::pupils::PupilScope;

use super::{Section, cell};
use crate::access::{Access, Audience, Routes};
use crate::acting::Acting;
use crate::error::{AppError, AppResult};
use crate::format::short_day;
use crate::pages::render;
use crate::shell::Shell;

/// A parent sees their own child's path.
pub fn parent_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Parent]),
        Routes::new().route("/parent/children/{id}/path", get(parent_page)),
    )
}

/// When a step was: a day, or from one day to another (or "now").
pub fn when(s: &Step) -> String {
    match (s.kind, s.to) {
        (tutti_domain::progression::path::StepKind::Exam, _) => short_day(s.from),
        (_, Some(to)) => format!("{} to {}", short_day(s.from), short_day(to)),
        (_, None) => format!("From {}", short_day(s.from)),
    }
}

/// The path as a section of the office's record.
pub fn section(path: &PupilPath) -> Section {
    Section::new(
        "path",
        "Musical path",
        vec!["When", "Step", "What", "Details"],
        "No whole-class teaching, lessons, ensembles or exams recorded yet.",
    )
    .note("Whole-class programmes, lessons, ensembles and graded exams, in the order they happened.")
    .rows(path.steps.iter().map(|s| {
        vec![
            cell(when(s)),
            cell(s.kind.label()),
            cell(s.what.clone()),
            cell(s.detail.clone()),
        ]
    }))
}

struct StepLine {
    when: String,
    kind: &'static str,
    what: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "progression/path.html")]
struct ParentPage {
    shell: Shell,
    name: String,
    steps: Vec<StepLine>,
}

async fn parent_page(a: Acting, Path(id): Path<i64>) -> AppResult<Response> {
    let path = a
        .state
        .store
        .pupil_path(&PupilScope::for_user(&a.user), id)
        .await?
        .ok_or(AppError::NotFound)?;
    render(&ParentPage {
        shell: Shell::new(
            &a.state,
            &a.visitor,
            format!("{}'s musical path", path.name),
            "/parent/progress",
        ),
        steps: path
            .steps
            .iter()
            .map(|s| StepLine {
                when: when(s),
                kind: s.kind.label(),
                what: s.what.clone(),
                detail: s.detail.clone(),
            })
            .collect(),
        name: path.name,
    })
}
