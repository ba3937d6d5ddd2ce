//! The office's billing runs: the term to bill, the preview, the committed run and its progress.
use crate::acting::Acting;
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::pages::{render, render_clearing_flash};
use crate::session::Visitor;
use crate::shell::Shell;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tutti_domain::Pence;
use tutti_domain::billing::PlannedInvoice;
use tutti_domain::calendar::{AcademicYear, TermId, TermName};
use tutti_domain::jobs::JobStatus;
use tutti_store::platform::jobs::{Job, JobKind};

/// The terms offered for a run: this academic year's and the next one's.
pub(super) fn terms_offered(today: time::Date) -> Vec<String> {
    let year = AcademicYear::containing(today);
    [year, year.next()]
        .into_iter()
        .flat_map(|y| y.terms())
        .map(|t| t.to_string())
        .collect()
}

/// The term a run is usually for: the one today falls in or comes next.
pub(super) fn current_term(today: time::Date) -> String {
    let year = AcademicYear::containing(today);
    let name = match today.month() {
        time::Month::September | time::Month::October | time::Month::November | time::Month::December => {
            TermName::Autumn
        }
        time::Month::January | time::Month::February | time::Month::March => TermName::Spring,
        _ => TermName::Summer,
    };
    TermId::new(year, name).to_string()
}

#[derive(Template)]
#[template(path = "billing/index.html")]
pub(super) struct IndexPage {
    shell: Shell,
    csrf: String,
    errors: FormErrors,
    terms: Vec<String>,
    term: String,
    runs: Vec<tutti_store::money::billing::runs::BillingRun>,
    years: Vec<(String, String)>,
}

pub(super) async fn index_page(
    state: &AppState,
    visitor: &Visitor,
    term: String,
    errors: FormErrors,
) -> AppResult<IndexPage> {
    let runs = state.store.billing_runs(20).await?;
    let stored = state.store.charging_policy_years().await?;
    let this_year = AcademicYear::containing(state.store.today());
    let mut years: Vec<(String, String)> = stored
        .iter()
        .map(|p| {
            (
                p.academic_year.clone(),
                format!("{} (revision {})", p.policy.name, p.revision),
            )
        })
        .collect();
    for y in [this_year, this_year.next()] {
        if !years.iter().any(|(k, _)| *k == y.to_string()) {
            years.push((y.to_string(), "The default policy (not yet saved)".into()));
        }
    }
    years.sort();
    Ok(IndexPage {
        shell: Shell::new(state, visitor, "Billing", "/admin/billing"),
        csrf: visitor.csrf(),
        errors,
        terms: terms_offered(state.store.today()),
        term,
        runs,
        years,
    })
}

pub(super) async fn index(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    let page = index_page(
        &state,
        &visitor,
        current_term(state.store.today()),
        FormErrors::default(),
    )
    .await?;
    render_clearing_flash(&state, &visitor, &page).await
}

#[derive(Deserialize)]
pub(super) struct TermForm {
    #[serde(default)]
    term: String,
}

pub(super) fn parse_term(text: &str, errors: &mut FormErrors) -> Option<TermId> {
    match TermId::parse(text) {
        Ok(t) => Some(t),
        Err(_) => {
            errors.add("term", "Choose a term, like 2026-autumn");
            None
        }
    }
}

/// An invoice of a preview, as the page lists it.
pub(super) struct PreviewInvoice {
    payer: String,
    kind: &'static str,
    lines: Vec<(String, String, String, String)>,
    total: String,
}

pub(super) fn preview_invoice(i: &PlannedInvoice) -> PreviewInvoice {
    PreviewInvoice {
        payer: format!("{} ({})", i.payer_name, i.payer.kind()),
        kind: i.kind.as_str(),
        lines: i
            .lines
            .iter()
            .map(|l| {
                (
                    if l.kind == tutti_domain::charging::ChargeKind::Wcet {
                        "The school's programme".to_string()
                    } else {
                        l.pupil_ref.clone()
                    },
                    l.description.clone(),
                    l.rule.clone(),
                    l.amount_pence.to_string(),
                )
            })
            .collect(),
        total: i.total_pence.to_string(),
    }
}

/// Invoices listed in a preview; the counts cover the rest.
pub(super) const PREVIEW_LISTED: usize = 50;

#[derive(Template)]
#[template(path = "billing/preview.html")]
pub(super) struct PreviewPage {
    shell: Shell,
    csrf: String,
    term: String,
    invoice_count: usize,
    line_count: usize,
    total: String,
    parents: usize,
    schools: usize,
    supplementary: usize,
    invoices: Vec<PreviewInvoice>,
    more: usize,
    skipped: Vec<(String, String)>,
}

pub(super) async fn preview(
    State(state): State<AppState>,
    visitor: Visitor,
    Form(form): Form<TermForm>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let Some(term) = parse_term(&form.term, &mut errors) else {
        let page = index_page(&state, &visitor, form.term, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    };
    let plan = state.store.plan_billing(term, state.store.today()).await?;
    let page = PreviewPage {
        shell: Shell::new(
            &state,
            &visitor,
            format!("Billing run for {term}: preview"),
            "/admin/billing",
        ),
        csrf: visitor.csrf(),
        term: term.to_string(),
        invoice_count: plan.invoices.len(),
        line_count: plan.line_count(),
        total: plan.total().to_string(),
        parents: plan.invoices.iter().filter(|i| i.payer.kind() == "parent").count(),
        schools: plan.invoices.iter().filter(|i| i.payer.kind() == "school").count(),
        supplementary: plan
            .invoices
            .iter()
            .filter(|i| i.kind.as_str() == "supplementary")
            .count(),
        invoices: plan.invoices.iter().take(PREVIEW_LISTED).map(preview_invoice).collect(),
        more: plan.invoices.len().saturating_sub(PREVIEW_LISTED),
        skipped: plan
            .skipped
            .iter()
            .take(200)
            .map(|s| (s.pupil_ref.clone(), s.reason.clone()))
            .collect(),
    };
    render(&page)
}

/// Starts a run as a job (`tutti_store::platform::jobs`): one at a time on every app server
/// of the hub, its progress and outcome in the database for any of them to show.
pub(super) async fn start_run(a: Acting, Form(form): Form<TermForm>) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let Some(term) = parse_term(&form.term, &mut errors) else {
        let page = index_page(&a.state, &a.visitor, form.term, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    };
    let who = a.actor();
    let job = match a.state.store.start_billing_job(&who, term).await {
        Ok(job) => job,
        Err(e) if e.refusal().is_some() => {
            return a.done(&e.to_string(), "/admin/billing").await;
        }
        Err(e) => return Err(e.into()),
    };
    let id = job.id;
    // The run goes on even if the browser leaves: it is one transaction either way.
    // As the API does, it waits `job_answer_wait` before showing the progress page instead.
    let task = crate::jobs::run_billing(&a.state, job);
    let _ = crate::jobs::within_wait(&a.state, task).await;
    let job = a.state.store.job(id).await?;
    if job.status == JobStatus::Done {
        let message = finished_message(&job);
        return a.done(&message, &format!("/admin/billing/invoices?term={term}")).await;
    }
    Ok(Redirect::to(&format!("/admin/billing/progress/{id}")).into_response())
}

pub(super) fn finished_message(job: &Job) -> String {
    let r = job.result.as_ref();
    let n = |field: &str| r.and_then(|r| r[field].as_i64()).unwrap_or_default();
    let term = job.input["term"].as_str().unwrap_or_default();
    match job.status {
        JobStatus::Done if n("invoice_count") == 0 => {
            format!("Nothing new to bill for {term}: every charge is already invoiced.")
        }
        JobStatus::Done => format!(
            "Billing run {} for {term} issued {} invoices with {} lines, {} in all.",
            n("run_id"),
            n("invoice_count"),
            n("line_count"),
            Pence(n("total_pence"))
        ),
        JobStatus::Failed => format!(
            "The billing run failed and nothing was written: {}",
            job.error.as_deref().unwrap_or("no reason was recorded")
        ),
        JobStatus::Running => "The billing run is still going.".into(),
    }
}

/// The stage of a run as its job's progress records it (`RunProgress`, as JSON).
fn stage_of(progress: Option<&serde_json::Value>) -> (String, usize) {
    let n = |p: &serde_json::Value, field: &str| p[field].as_u64().unwrap_or_default() as usize;
    match progress {
        Some(p) if p["stage"] == "pricing" => (format!("Pricing {} pupils", n(p, "pupils")), 15),
        Some(p) if p["stage"] == "writing" => (
            format!("Writing invoices: {} of {} rows", n(p, "done"), n(p, "total")),
            20 + 80 * n(p, "done") / n(p, "total").max(1),
        ),
        Some(p) if p["stage"] == "done" => ("Committed".to_string(), 100),
        _ => ("Reading pupils, enrolments and loans".to_string(), 5),
    }
}

#[derive(Template)]
#[template(path = "billing/progress.html")]
pub(super) struct ProgressPage {
    shell: Shell,
    term: String,
    finished: bool,
    failed: bool,
    stage: String,
    percent: usize,
    message: String,
}

pub(super) async fn progress(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(job): Path<i64>,
) -> AppResult<Response> {
    let job = match state.store.job(job).await {
        Ok(j) if j.kind == JobKind::BillingRun => j,
        Ok(_) | Err(tutti_store::StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let term = job.input["term"].as_str().unwrap_or_default().to_owned();
    let (stage, percent) = match job.status {
        JobStatus::Done => ("Committed".to_string(), 100),
        _ => stage_of(job.progress.as_ref()),
    };
    let finished = job.status.is_finished();
    let page = ProgressPage {
        shell: Shell::new(&state, &visitor, format!("Billing run for {term}"), "/admin/billing"),
        term,
        finished,
        failed: job.status == JobStatus::Failed,
        stage,
        percent: percent.min(100),
        message: if finished {
            finished_message(&job)
        } else {
            String::new()
        },
    };
    render(&page)
}
