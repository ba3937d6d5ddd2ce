//! The office's billing runs: the term to bill, the preview, the committed run and its progress.
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::pages::{render, render_clearing_flash};
use crate::routes::records::{actor, csrf_of, done};
use crate::session::{SignedIn, Visitor};
use crate::shell::Shell;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};
use tutti_domain::Pence;
use tutti_domain::billing::PlannedInvoice;
use tutti_domain::calendar::{AcademicYear, TermId, TermName};
use tutti_store::money::billing::RunProgress;
use tutti_store::money::billing::runs::RunReport;

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
        csrf: csrf_of(visitor),
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
        csrf: csrf_of(&visitor),
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

/// A run started from the screen, and how far it has got.
pub(super) struct Job {
    /// The hub's store ([`tutti_store::Store::identity`]): runs of one hub take turns.
    hub: usize,
    term: String,
    progress: RunProgress,
    outcome: Option<Result<RunReport, String>>,
}

pub(super) static JOBS: LazyLock<Mutex<HashMap<u64, Job>>> = LazyLock::new(Default::default);
pub(super) static NEXT_JOB: AtomicU64 = AtomicU64::new(1);

pub(super) fn jobs() -> std::sync::MutexGuard<'static, HashMap<u64, Job>> {
    JOBS.lock().unwrap_or_else(|e| e.into_inner())
}

/// How long the request waits for a run before showing its progress page instead.
pub(super) const WAIT_FOR_RUN: std::time::Duration = std::time::Duration::from_secs(2);

pub(super) async fn start_run(
    State(state): State<AppState>,
    visitor: Visitor,
    signed: SignedIn,
    Form(form): Form<TermForm>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let Some(term) = parse_term(&form.term, &mut errors) else {
        let page = index_page(&state, &visitor, form.term, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    };
    let hub = state.store.identity();
    if jobs().values().any(|j| j.hub == hub && j.outcome.is_none()) {
        return done(
            &state,
            &signed,
            "A billing run is already in progress. Wait for it to finish, then run again.",
            "/admin/billing",
        )
        .await;
    }
    let id = NEXT_JOB.fetch_add(1, Ordering::Relaxed);
    jobs().insert(
        id,
        Job {
            hub,
            term: term.to_string(),
            progress: RunProgress::Reading,
            outcome: None,
        },
    );
    let who = actor(&signed.0, &visitor);
    let store = state.store.clone();
    // The run goes on even if the browser leaves: it is one transaction either way.
    let task = tokio::spawn(async move {
        let update = move |p: RunProgress| {
            if let Some(job) = jobs().get_mut(&id) {
                job.progress = p;
            }
        };
        let result = store.run_billing(&who, term, false, &update).await;
        if let Some(job) = jobs().get_mut(&id) {
            job.outcome = Some(result.map_err(|e| e.to_string()));
        }
    });
    let _ = tokio::time::timeout(WAIT_FOR_RUN, task).await;
    let finished = jobs().get(&id).and_then(|j| j.outcome.as_ref().map(|o| o.is_ok()));
    match finished {
        Some(true) => {
            let message = finished_message(id);
            done(
                &state,
                &signed,
                &message,
                &format!("/admin/billing/invoices?term={term}"),
            )
            .await
        }
        _ => Ok(Redirect::to(&format!("/admin/billing/progress/{id}")).into_response()),
    }
}

pub(super) fn finished_message(id: u64) -> String {
    match jobs().get(&id).and_then(|j| j.outcome.as_ref()) {
        Some(Ok(r)) if r.invoice_count == 0 => {
            format!("Nothing new to bill for {}: every charge is already invoiced.", r.term)
        }
        Some(Ok(r)) => format!(
            "Billing run {} for {} issued {} invoices with {} lines, {} in all.",
            r.run_id.unwrap_or_default(),
            r.term,
            r.invoice_count,
            r.line_count,
            Pence(r.total_pence)
        ),
        Some(Err(e)) => format!("The billing run failed and nothing was written: {e}"),
        None => "The billing run is still going.".into(),
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
    Path(job): Path<u64>,
) -> AppResult<Response> {
    let (term, stage, percent, finished, failed) = {
        let jobs = jobs();
        let j = jobs.get(&job).ok_or(AppError::NotFound)?;
        let (stage, percent) = match j.progress {
            RunProgress::Reading => ("Reading pupils, enrolments and loans".to_string(), 5),
            RunProgress::Pricing { pupils } => (format!("Pricing {pupils} pupils"), 15),
            RunProgress::Writing { done, total } => (
                format!("Writing invoices: {done} of {total} rows"),
                20 + 80 * done / total.max(1),
            ),
            RunProgress::Done => ("Committed".to_string(), 100),
        };
        let failed = matches!(j.outcome, Some(Err(_)));
        (j.term.clone(), stage, percent.min(100), j.outcome.is_some(), failed)
    };
    let page = ProgressPage {
        shell: Shell::new(&state, &visitor, format!("Billing run for {term}"), "/admin/billing"),
        term,
        finished,
        failed,
        stage,
        percent,
        message: if finished { finished_message(job) } else { String::new() },
    };
    render(&page)
}
