//! Archiving a pupil, shown first (decision 0078): the page lists what the archive will change
//! (enrolments ended and the day lessons end, register lessons they leave, instruments on loan
//! that must come back first, unpaid invoices that stay owed), the office chooses whether
//! lessons end today or at the end of term, and confirms; the store does it in one transaction.
use crate::format::short_day;
use axum::extract::{Form, Path, Query};
use axum::response::Response;
use axum::routing::{get, post};
use tutti_domain::Pence;
use tutti_store::records::pupil_archive::{ArchivePlan, LessonsEnd};

use super::*;
use crate::access::Routes;
use crate::error::AppError;

pub fn routes() -> Routes {
    Routes::new()
        .route("/admin/pupils/{id}/archive/preview", get(preview))
        .route("/admin/pupils/{id}/archive/confirm", post(confirm))
}

#[derive(Deserialize, Default)]
pub struct EndsParam {
    #[serde(default)]
    pub ends: String,
}

impl EndsParam {
    fn ends(&self) -> LessonsEnd {
        LessonsEnd::parse(self.ends.trim()).unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "records/archive_pupil.html")]
struct PreviewPage {
    shell: Shell,
    href: String,
    name: String,
    csrf: String,
    term: bool,
    end_date: String,
    enrolments: Vec<String>,
    future_lessons: u64,
    loans: Vec<String>,
    invoices: Vec<String>,
    blocked: bool,
    already: bool,
}

fn lines(plan: &ArchivePlan) -> (Vec<String>, Vec<String>, Vec<String>) {
    let enrolments = plan
        .enrolments
        .iter()
        .map(|e| match e.end_date {
            Some(end) => format!("{}: was to end on {}", e.instrument, short_day(end)),
            None => format!("{} (from {})", e.instrument, short_day(e.start_date)),
        })
        .collect();
    let loans = plan
        .open_loans
        .iter()
        .map(|l| format!("{} {}", l.instrument_type, l.serial))
        .collect();
    let invoices = plan
        .open_invoices
        .iter()
        .map(|i| format!("{} for {}", i.number, Pence(i.total_pence)))
        .collect();
    (enrolments, loans, invoices)
}

async fn preview(a: Acting, Path(id): Path<i64>, Query(p): Query<EndsParam>) -> AppResult<Response> {
    let pupil = a.state.store.pupil_input(id).await?.ok_or(AppError::NotFound)?;
    let ends = p.ends();
    let plan = a.state.store.pupil_archive_plan(id, ends).await?;
    let (enrolments, loans, invoices) = lines(&plan);
    let name = format!("{} {}", pupil.row.first_name, pupil.row.last_name);
    render(&PreviewPage {
        shell: Shell::new(&a.state, &a.visitor, format!("Archive {name}"), "/admin/pupils"),
        href: format!("/admin/pupils/{id}"),
        csrf: a.csrf(),
        term: ends == LessonsEnd::EndOfTerm,
        end_date: short_day(plan.end_date),
        enrolments,
        future_lessons: plan.future_lessons,
        loans,
        invoices,
        blocked: plan.blocked(),
        already: plan.already_archived,
        name,
    })
}

async fn confirm(a: Acting, Path(id): Path<i64>, Form(p): Form<EndsParam>) -> AppResult<Response> {
    a.state.store.archive_pupil_ending(&a.actor(), id, p.ends()).await?;
    a.done("Pupil archived: their lessons end as shown.", "/admin/pupils")
        .await
}
