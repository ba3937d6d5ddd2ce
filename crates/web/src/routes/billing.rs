//! Billing on the screens: the office's billing runs (preview, then commit, with progress),
//! charging policies by academic year (form, file export and import), invoices with search;
//! parents' and schools' statements; printable invoices. A parent sees only their own
//! invoices and a school only its own: anyone else's is "not found".
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};

use askama::Template;
use axum::extract::{Form, FromRequest, Multipart, Path, Query, Request, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tutti_domain::Pence;
use tutti_domain::billing::{FieldError, PlannedInvoice, export_policy, import_policy, validate_policy};
use tutti_domain::calendar::{AcademicYear, TermId, TermName};
use tutti_domain::charging::{ChargeStep, ChargingPolicy};
use tutti_domain::lessons::LessonType;
use tutti_domain::money::Percent;
use tutti_store::listing::ListQuery;
use tutti_store::money::billing::RunProgress;
use tutti_store::money::billing::invoices::{Invoice, InvoiceFilter, InvoiceSummary};
use tutti_store::money::billing::runs::RunReport;
use tutti_store::platform::accounts::{Role, User};

use crate::access::{Access, Audience, Routes};
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::pages::{render, render_clearing_flash};
use crate::routes::page_number;
use crate::routes::records::{Values, actor, csrf_of, done};
use crate::session::{SignedIn, Visitor};
use crate::shell::Shell;
use crate::state::AppState;

pub fn office_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Admin, Role::Manager]),
        Routes::new()
            .route("/admin/billing", get(index))
            .route("/admin/billing/preview", post(preview))
            .route("/admin/billing/run", post(start_run))
            .route("/admin/billing/progress/{job}", get(progress))
            .route("/admin/billing/invoices", get(office_invoices))
            .route("/admin/billing/invoices/{id}", get(office_invoice))
            .route("/admin/billing/policies/{year}", get(policy_page).post(save_policy))
            .route("/admin/billing/policies/{year}/import", post(import_policy_file))
            .route("/admin/billing/policies/{year}/export", get(export_policy_file)),
    )
}

pub fn parent_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Parent]),
        Routes::new()
            .route("/parent/invoices", get(parent_invoices))
            .route("/parent/invoices/{id}", get(parent_invoice)),
    )
}

pub fn school_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::School]),
        Routes::new()
            .route("/school/invoices", get(school_invoices))
            .route("/school/invoices/{id}", get(school_invoice)),
    )
}

/// Links the dashboard adds for each role.
pub fn dashboard_links(role: Role) -> Vec<(&'static str, &'static str, &'static str)> {
    match role {
        Role::Parent => vec![(
            "/parent/invoices",
            "Your invoices",
            "Each term's invoice, line by line, with its instalments.",
        )],
        Role::School => vec![(
            "/school/invoices",
            "Your school's invoices",
            "Invoices for school-paid lessons.",
        )],
        Role::Admin | Role::Manager => vec![(
            "/admin/billing",
            "Billing",
            "Charging policies, billing runs and invoices.",
        )],
        _ => Vec::new(),
    }
}

/// The terms offered for a run: this academic year's and the next one's.
fn terms_offered(today: time::Date) -> Vec<String> {
    let year = AcademicYear::containing(today);
    [year, year.next()]
        .into_iter()
        .flat_map(|y| y.terms())
        .map(|t| t.to_string())
        .collect()
}

/// The term a run is usually for: the one today falls in or comes next.
fn current_term(today: time::Date) -> String {
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
struct IndexPage {
    shell: Shell,
    csrf: String,
    errors: FormErrors,
    terms: Vec<String>,
    term: String,
    runs: Vec<tutti_store::money::billing::runs::BillingRun>,
    years: Vec<(String, String)>,
}

async fn index_page(state: &AppState, visitor: &Visitor, term: String, errors: FormErrors) -> AppResult<IndexPage> {
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

async fn index(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
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
struct TermForm {
    #[serde(default)]
    term: String,
}

fn parse_term(text: &str, errors: &mut FormErrors) -> Option<TermId> {
    match TermId::parse(text) {
        Ok(t) => Some(t),
        Err(_) => {
            errors.add("term", "Choose a term, like 2026-autumn");
            None
        }
    }
}

/// An invoice of a preview, as the page lists it.
struct PreviewInvoice {
    payer: String,
    kind: &'static str,
    lines: Vec<(String, String, String, String)>,
    total: String,
}

fn preview_invoice(i: &PlannedInvoice) -> PreviewInvoice {
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
const PREVIEW_LISTED: usize = 50;

#[derive(Template)]
#[template(path = "billing/preview.html")]
struct PreviewPage {
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

async fn preview(State(state): State<AppState>, visitor: Visitor, Form(form): Form<TermForm>) -> AppResult<Response> {
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
struct Job {
    /// The hub's store ([`tutti_store::Store::identity`]): runs of one hub take turns.
    hub: usize,
    term: String,
    progress: RunProgress,
    outcome: Option<Result<RunReport, String>>,
}

static JOBS: LazyLock<Mutex<HashMap<u64, Job>>> = LazyLock::new(Default::default);
static NEXT_JOB: AtomicU64 = AtomicU64::new(1);

fn jobs() -> std::sync::MutexGuard<'static, HashMap<u64, Job>> {
    JOBS.lock().unwrap_or_else(|e| e.into_inner())
}

/// How long the request waits for a run before showing its progress page instead.
const WAIT_FOR_RUN: std::time::Duration = std::time::Duration::from_secs(2);

async fn start_run(
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

fn finished_message(id: u64) -> String {
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
struct ProgressPage {
    shell: Shell,
    term: String,
    finished: bool,
    failed: bool,
    stage: String,
    percent: usize,
    message: String,
}

async fn progress(State(state): State<AppState>, visitor: Visitor, Path(job): Path<u64>) -> AppResult<Response> {
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

/// An invoice as a list shows it.
struct InvoiceRow {
    href: String,
    number: String,
    payer: String,
    term: String,
    kind: String,
    issued: String,
    total: String,
    status: String,
}

fn invoice_row(base: &str, s: &InvoiceSummary) -> InvoiceRow {
    InvoiceRow {
        href: format!("{base}/{}", s.id),
        number: s.number.clone(),
        payer: s.payer_name.clone(),
        term: s.term.clone(),
        kind: s.kind.clone(),
        issued: uk_date(s.issued_on),
        total: Pence(s.total_pence).to_string(),
        status: s.status.replace('_', " "),
    }
}

fn uk_date(d: time::Date) -> String {
    tutti_domain::validate::format_date_uk(d)
}

#[derive(Template)]
#[template(path = "billing/invoices.html")]
struct InvoicesPage {
    shell: Shell,
    heading: String,
    intro: String,
    /// The office's list has search; statements do not.
    search: bool,
    base: String,
    q: String,
    term: String,
    rows: Vec<InvoiceRow>,
    total: u64,
    page: u64,
    pages: u64,
    /// Statement totals: what has been invoiced in all.
    invoiced: String,
}

#[derive(Deserialize, Default)]
struct ListForm {
    #[serde(default)]
    q: String,
    #[serde(default)]
    term: String,
    page: Option<String>,
}

const PER_PAGE: u64 = 25;

async fn invoices_page(
    state: &AppState,
    visitor: &Visitor,
    filter: InvoiceFilter,
    q: ListForm,
    (heading, intro, base, search): (&str, &str, &str, bool),
) -> AppResult<Response> {
    let list = ListQuery {
        q: q.q.clone(),
        page: page_number(q.page.as_deref()),
        per_page: PER_PAGE,
        ..ListQuery::default()
    };
    let filter = InvoiceFilter {
        term: Some(q.term.trim().to_owned()).filter(|t| !t.is_empty()),
        ..filter
    };
    let page = state.store.invoices(&filter, &list).await?;
    let invoiced: i64 = page.rows.iter().map(|r| r.total_pence).sum();
    let view = InvoicesPage {
        shell: Shell::new(state, visitor, heading, base),
        heading: heading.into(),
        intro: intro.into(),
        search,
        base: base.into(),
        q: q.q,
        term: q.term,
        pages: page.pages(),
        total: page.total,
        page: page.page,
        rows: page.rows.iter().map(|r| invoice_row(base, r)).collect(),
        invoiced: Pence(invoiced).to_string(),
    };
    render_clearing_flash(state, visitor, &view).await
}

async fn office_invoices(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<ListForm>,
) -> AppResult<Response> {
    invoices_page(
        &state,
        &visitor,
        InvoiceFilter::default(),
        q,
        (
            "Invoices",
            "Every invoice issued, newest first. Search by invoice number or payer's name.",
            "/admin/billing/invoices",
            true,
        ),
    )
    .await
}

/// The guardian records a parent account pays as (by its verified email).
async fn guardians_of(state: &AppState, user: &User) -> AppResult<Vec<i64>> {
    if !user.email_verified {
        return Ok(Vec::new());
    }
    Ok(state.store.guardian_ids_for_email(&user.email).await?)
}

async fn parent_invoices(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, _): SignedIn,
    Query(q): Query<ListForm>,
) -> AppResult<Response> {
    let guardians = guardians_of(&state, &user).await?;
    invoices_page(
        &state,
        &visitor,
        InvoiceFilter {
            guardians: Some(guardians),
            ..InvoiceFilter::default()
        },
        q,
        (
            "Your invoices",
            "Your statement: every invoice for your children's lessons and instrument hire, newest first.",
            "/parent/invoices",
            false,
        ),
    )
    .await
}

async fn school_invoices(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, _): SignedIn,
    Query(q): Query<ListForm>,
) -> AppResult<Response> {
    let school = user.school_id.ok_or_else(|| {
        AppError::Forbidden("Your account is not linked to a school. Ask the hub office to link it.".into())
    })?;
    invoices_page(
        &state,
        &visitor,
        InvoiceFilter {
            payer: Some(tutti_domain::billing::PayerKey::School(school)),
            ..InvoiceFilter::default()
        },
        q,
        (
            "Your school's invoices",
            "Your school's statement: every invoice for school-paid lessons, newest first.",
            "/school/invoices",
            false,
        ),
    )
    .await
}

struct LineView {
    pupil: String,
    description: String,
    rule: String,
    amount: String,
}

struct InstalmentView {
    number: i32,
    due: String,
    amount: String,
    status: String,
}

/// A payment, refund or credit as the invoice page lists it.
struct PaymentView {
    date: String,
    kind: String,
    method: String,
    amount: String,
}

/// Who is looking at an invoice page: the office (links to its payments screen) or the payer
/// (its payments listed on the page, and a way to pay what is left).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Viewer {
    Office,
    Payer,
}

#[derive(Template)]
#[template(path = "billing/invoice.html")]
struct InvoicePage {
    shell: Shell,
    back: (String, String),
    id: i64,
    number: String,
    payer: String,
    address: String,
    term: String,
    kind: String,
    issued: String,
    status: String,
    total: String,
    lines: Vec<LineView>,
    instalments: Vec<InstalmentView>,
    /// The invoice as a PDF.
    pdf: String,
    /// The office's payments screen for the invoice (office only).
    payments_screen: Option<String>,
    /// Payments, refunds and credits, shown to the payer.
    payments: Vec<PaymentView>,
    /// What is left to pay.
    balance: String,
    /// The payer may put the invoice in their basket to pay by card.
    can_pay: bool,
}

async fn invoice_page(
    state: &AppState,
    visitor: &Visitor,
    invoice: Invoice,
    back: (&str, &str),
    viewer: Viewer,
) -> AppResult<Response> {
    let s = &invoice.summary;
    let account = state.store.invoice_account(s.id).await?;
    let payments = match viewer {
        Viewer::Office => Vec::new(),
        Viewer::Payer => state
            .store
            .invoice_payments(s.id)
            .await?
            .into_iter()
            .map(|p| PaymentView {
                date: uk_date(p.received_on),
                kind: p.kind,
                method: p
                    .method
                    .parse::<tutti_domain::payments::PaymentMethod>()
                    .map(|m| m.label().to_owned())
                    .unwrap_or(p.method),
                amount: Pence(p.amount_pence).to_string(),
            })
            .collect(),
    };
    let page = InvoicePage {
        shell: Shell::new(state, visitor, format!("Invoice {}", s.number), back.0),
        back: (back.0.into(), back.1.into()),
        id: s.id,
        number: s.number.clone(),
        payer: s.payer_name.clone(),
        address: invoice.payer_address.clone(),
        term: s.term.clone(),
        kind: s.kind.clone(),
        issued: uk_date(s.issued_on),
        status: s.status.replace('_', " "),
        total: Pence(s.total_pence).to_string(),
        lines: invoice
            .lines
            .iter()
            .map(|l| LineView {
                pupil: if l.charge_kind == "wcet" {
                    "The school's programme".to_string()
                } else {
                    format!("{} ({})", l.pupil_name, l.pupil_ref)
                },
                description: l.description.clone(),
                rule: l.rule.clone(),
                amount: Pence(l.amount_pence).to_string(),
            })
            .collect(),
        instalments: invoice
            .instalments
            .iter()
            .map(|i| InstalmentView {
                number: i.number,
                due: uk_date(i.due_on),
                amount: Pence(i.amount_pence).to_string(),
                status: i.status.clone(),
            })
            .collect(),
        pdf: match viewer {
            Viewer::Office => format!("/admin/invoices/{}/invoice.pdf", s.id),
            Viewer::Payer => format!("/account/invoices/{}.pdf", s.id),
        },
        payments_screen: (viewer == Viewer::Office).then(|| format!("/admin/invoices/{}/payments", s.id)),
        payments,
        balance: account.balance().to_string(),
        can_pay: viewer == Viewer::Payer && account.balance() > Pence::ZERO && s.status != "cancelled",
    };
    render(&page)
}

async fn office_invoice(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> AppResult<Response> {
    let invoice = state.store.invoice(id).await?;
    invoice_page(
        &state,
        &visitor,
        invoice,
        ("/admin/billing/invoices", "All invoices"),
        Viewer::Office,
    )
    .await
}

/// May this parent or school see the invoice? Someone else's is "not found", so its
/// existence is not given away.
pub async fn may_see_invoice(state: &AppState, user: &User, invoice: &InvoiceSummary) -> AppResult<bool> {
    Ok(match user.role {
        Role::Admin | Role::Manager => true,
        Role::Parent => invoice.payer_kind == "parent" && guardians_of(state, user).await?.contains(&invoice.payer_id),
        Role::School => invoice.payer_kind == "school" && user.school_id == Some(invoice.payer_id),
        _ => false,
    })
}

async fn own_invoice(state: &AppState, user: &User, id: i64) -> AppResult<Invoice> {
    let invoice = state.store.invoice(id).await?;
    if may_see_invoice(state, user, &invoice.summary).await? {
        Ok(invoice)
    } else {
        Err(AppError::NotFound)
    }
}

async fn parent_invoice(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, _): SignedIn,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let invoice = own_invoice(&state, &user, id).await?;
    invoice_page(
        &state,
        &visitor,
        invoice,
        ("/parent/invoices", "Your invoices"),
        Viewer::Payer,
    )
    .await
}

async fn school_invoice(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, _): SignedIn,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let invoice = own_invoice(&state, &user, id).await?;
    invoice_page(
        &state,
        &visitor,
        invoice,
        ("/school/invoices", "Your school's invoices"),
        Viewer::Payer,
    )
    .await
}

// ---- Charging policies ----

/// The form's name for each price, by lesson type and length.
const PRICE_FIELDS: [(LessonType, u16, &str); 15] = [
    (LessonType::Group, 15, "price_group_15"),
    (LessonType::Group, 20, "price_group_20"),
    (LessonType::Group, 30, "price_group_30"),
    (LessonType::Group, 45, "price_group_45"),
    (LessonType::Group, 60, "price_group_60"),
    (LessonType::Paired, 15, "price_paired_15"),
    (LessonType::Paired, 20, "price_paired_20"),
    (LessonType::Paired, 30, "price_paired_30"),
    (LessonType::Paired, 45, "price_paired_45"),
    (LessonType::Paired, 60, "price_paired_60"),
    (LessonType::Individual, 15, "price_individual_15"),
    (LessonType::Individual, 20, "price_individual_20"),
    (LessonType::Individual, 30, "price_individual_30"),
    (LessonType::Individual, 45, "price_individual_45"),
    (LessonType::Individual, 60, "price_individual_60"),
];

/// One input of the policy form.
struct PolicyField {
    name: &'static str,
    label: String,
    value: String,
    hint: &'static str,
}

#[derive(Template)]
#[template(path = "billing/policy.html")]
struct PolicyPage {
    shell: Shell,
    csrf: String,
    errors: FormErrors,
    year: String,
    revision: i32,
    fields: Vec<PolicyField>,
    prices: Vec<PolicyField>,
    instalments_offered: bool,
    uplift_for_fsm: bool,
    steps: Vec<String>,
    other_rules: Vec<(String, String)>,
    document: String,
    problems: Vec<FieldError>,
}

fn step_text(step: &ChargeStep) -> String {
    match step {
        ChargeStep::FixedFee { who, fee } => format!("{} pay a fixed fee of {fee}", eligibility_text(*who)),
        ChargeStep::FullRemission { who } => format!("{} pay nothing", eligibility_text(*who)),
        ChargeStep::SchoolUplift => "The school's uplift is added".into(),
        ChargeStep::PercentRemission { who, percent } => format!("{} pay {percent} less", eligibility_text(*who)),
        ChargeStep::SiblingDiscount { percent } => format!("Second and later children pay {percent} less"),
        ChargeStep::SecondInstrumentDiscount { percent } => {
            format!("A second or later instrument costs {percent} less")
        }
    }
}

fn eligibility_text(e: tutti_domain::charging::Eligibility) -> &'static str {
    use tutti_domain::charging::Eligibility::*;
    match e {
        FreeSchoolMeals => "Pupils eligible for free school meals",
        PupilPremium => "Pupil-premium pupils",
        Send => "Pupils with SEND",
        PupilPremiumOrSend => "Pupil-premium or SEND pupils",
    }
}

fn policy_view(
    state: &AppState,
    visitor: &Visitor,
    year: AcademicYear,
    revision: i32,
    policy: &ChargingPolicy,
    values: Option<&Values>,
    errors: FormErrors,
) -> PolicyPage {
    let value =
        |name: &str, default: String| -> String { values.and_then(|v| v.get(name).cloned()).unwrap_or(default) };
    let field = |name: &'static str, label: &str, default: String, hint: &'static str| PolicyField {
        name,
        label: label.into(),
        value: value(name, default),
        hint,
    };
    let months = policy.invoice_months;
    let fields = vec![
        field("name", "Name of the policy", policy.name.clone(), ""),
        field(
            "standard_fee",
            "Standard fee for a term (£)",
            policy.standard_fee.to_pounds_string(),
            "The base of the school uplifts, in pounds, for example 53.50.",
        ),
        field(
            "uplift_options",
            "School uplifts offered (%)",
            policy
                .uplift_options
                .iter()
                .map(|p| p.to_string().trim_end_matches('%').to_owned())
                .collect::<Vec<_>>()
                .join(", "),
            "Percentages of the standard fee a school may add, separated by commas, like 0, 15, 50, 100.",
        ),
        field(
            "hire_per_term",
            "Instrument hire for a term (£)",
            policy.hire.per_term.to_pounds_string(),
            "One charge per instrument per term.",
        ),
        field(
            "instalment_count",
            "Number of instalments",
            policy.instalments.count.to_string(),
            "From 1 to 12.",
        ),
        field(
            "due_day",
            "Instalments are due on this day of the month",
            policy.instalments.due_day.to_string(),
            "From 1 to 28.",
        ),
        field(
            "invoice_month_autumn",
            "Autumn invoices are issued in (month number)",
            (months.autumn as u8).to_string(),
            "1 is January, 9 is September.",
        ),
        field(
            "invoice_month_spring",
            "Spring invoices are issued in (month number)",
            (months.spring as u8).to_string(),
            "",
        ),
        field(
            "invoice_month_summer",
            "Summer invoices are issued in (month number)",
            (months.summer as u8).to_string(),
            "",
        ),
    ];
    let prices = PRICE_FIELDS
        .iter()
        .map(|(lesson_type, minutes, name)| {
            let current = policy
                .prices
                .iter()
                .find(|p| p.lesson_type == *lesson_type && p.minutes == *minutes)
                .map(|p| p.per_term.to_pounds_string())
                .unwrap_or_default();
            PolicyField {
                name,
                label: format!(
                    "{} {minutes} minutes (£)",
                    tutti_domain::charging::capitalised(lesson_type.as_str())
                ),
                value: value(name, current),
                hint: "",
            }
        })
        .collect();
    PolicyPage {
        shell: Shell::new(state, visitor, format!("Charging policy {year}"), "/admin/billing"),
        csrf: csrf_of(visitor),
        errors,
        year: year.to_string(),
        revision,
        fields,
        prices,
        instalments_offered: values.map_or(policy.instalments.offered, |v| v.contains_key("instalments_offered")),
        uplift_for_fsm: values.map_or(policy.uplift_applies_to_free_school_meals, |v| {
            v.contains_key("uplift_for_fsm")
        }),
        steps: policy.steps.iter().map(step_text).collect(),
        other_rules: vec![
            ("Rounding".into(), format!("{:?}", policy.rounding)),
            (
                "Starting part-way through a term".into(),
                format!("{:?}", policy.starter_rule),
            ),
            ("Notice".into(), format!("{:?}", policy.notice)),
            ("VAT on tuition".into(), format!("{:?}", policy.tuition_vat)),
            ("VAT on hire".into(), format!("{:?}", policy.hire_vat)),
        ],
        document: String::new(),
        problems: Vec::new(),
    }
}

fn year_of(text: &str) -> AppResult<AcademicYear> {
    AcademicYear::parse(text).map_err(|_| AppError::NotFound)
}

async fn policy_page(State(state): State<AppState>, visitor: Visitor, Path(year): Path<String>) -> AppResult<Response> {
    let year = year_of(&year)?;
    let record = state.store.charging_policy(year).await?;
    let page = policy_view(
        &state,
        &visitor,
        year,
        record.revision,
        &record.policy,
        None,
        FormErrors::default(),
    );
    render_clearing_flash(&state, &visitor, &page).await
}

/// The form's field for a problem the domain found, by the file's field name.
fn form_field_of(field: &str) -> &'static str {
    let head = field.split(['[', '.']).next().unwrap_or("");
    match (head, field) {
        (_, "instalments.count") => "instalment_count",
        (_, "instalments.due_day") => "due_day",
        (_, "hire.per_term") => "hire_per_term",
        ("name", _) => "name",
        ("standard_fee", _) => "standard_fee",
        ("uplift_options", _) => "uplift_options",
        ("prices", _) => "prices",
        _ => "document",
    }
}

/// Applies the form to the policy, noting each field's problem.
fn policy_from_form(mut policy: ChargingPolicy, v: &Values, errors: &mut FormErrors) -> ChargingPolicy {
    let text = |name: &str| v.get(name).map(|s| s.trim().to_owned()).unwrap_or_default();
    let money = |name: &'static str, label: &str, errors: &mut FormErrors| -> Option<Pence> {
        match Pence::parse_pounds(&text(name)) {
            Ok(p) if p >= Pence::ZERO => Some(p),
            Ok(_) => {
                errors.add(name, format!("{label} cannot be negative"));
                None
            }
            Err(e) => {
                errors.add(name, format!("{label}: {e}"));
                None
            }
        }
    };
    let number =
        |name: &'static str, range: std::ops::RangeInclusive<u8>, message: &str, errors: &mut FormErrors| match text(
            name,
        )
        .parse::<u8>()
        {
            Ok(n) if range.contains(&n) => Some(n),
            _ => {
                errors.add(name, message.to_owned());
                None
            }
        };
    policy.name = text("name");
    if let Some(p) = money("standard_fee", "The standard fee", errors) {
        policy.standard_fee = p;
    }
    if let Some(p) = money("hire_per_term", "The hire charge", errors) {
        policy.hire.per_term = p;
    }
    let mut uplifts = Vec::new();
    for part in text("uplift_options")
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match part.parse::<Percent>() {
            Ok(p) => uplifts.push(p),
            Err(_) => errors.add(
                "uplift_options",
                format!("\"{part}\" is not a percentage; write them like 0, 15, 50, 100"),
            ),
        }
    }
    policy.uplift_options = uplifts;
    policy.uplift_applies_to_free_school_meals = v.contains_key("uplift_for_fsm");
    policy.instalments.offered = v.contains_key("instalments_offered");
    if let Some(n) = number(
        "instalment_count",
        1..=12,
        "Enter a number of instalments from 1 to 12",
        errors,
    ) {
        policy.instalments.count = n;
    }
    if let Some(n) = number("due_day", 1..=28, "Enter a due day from 1 to 28", errors) {
        policy.instalments.due_day = n;
    }
    for (name, slot) in [
        ("invoice_month_autumn", &mut policy.invoice_months.autumn),
        ("invoice_month_spring", &mut policy.invoice_months.spring),
        ("invoice_month_summer", &mut policy.invoice_months.summer),
    ] {
        match number(name, 1..=12, "Enter a month number from 1 to 12", errors).map(time::Month::try_from) {
            Some(Ok(m)) => *slot = m,
            _ => errors.add(name, "Enter a month number from 1 to 12"),
        }
    }
    let mut prices = Vec::new();
    for (lesson_type, minutes, name) in PRICE_FIELDS {
        if text(name).is_empty() {
            continue; // no price: that lesson is not offered
        }
        if let Some(p) = money(name, "A price", errors) {
            prices.push(tutti_domain::charging::LessonPrice {
                lesson_type,
                minutes,
                per_term: p,
            });
        }
    }
    policy.prices = prices;
    policy
}

async fn save_policy(
    State(state): State<AppState>,
    visitor: Visitor,
    signed: SignedIn,
    Path(year): Path<String>,
    Form(v): Form<Values>,
) -> AppResult<Response> {
    let year = year_of(&year)?;
    let record = state.store.charging_policy(year).await?;
    let mut errors = FormErrors::default();
    let policy = policy_from_form(record.policy.clone(), &v, &mut errors);
    if errors.is_empty() {
        for e in validate_policy(&policy) {
            let field = form_field_of(&e.field);
            let field = if field == "prices" { "price_group_15" } else { field };
            errors.add(field, e.message);
        }
    }
    if !errors.is_empty() {
        let page = policy_view(
            &state,
            &visitor,
            year,
            record.revision,
            &record.policy,
            Some(&v),
            errors,
        );
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }
    let revision = state
        .store
        .save_charging_policy(&actor(&signed.0, &visitor), year, &policy)
        .await?;
    done(
        &state,
        &signed,
        &format!("Saved the {year} charging policy (revision {revision})."),
        &format!("/admin/billing/policies/{year}"),
    )
    .await
}

async fn export_policy_file(State(state): State<AppState>, Path(year): Path<String>) -> AppResult<Response> {
    let year = year_of(&year)?;
    let record = state.store.charging_policy(year).await?;
    let body = export_policy(year, &record.policy);
    let disposition = format!("attachment; filename=\"charging-policy-{year}.json\"");
    Ok((
        [
            (CONTENT_TYPE, HeaderValue::from_static("application/json")),
            (
                CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).map_err(|e| AppError::Internal(e.to_string()))?,
            ),
        ],
        body,
    )
        .into_response())
}

/// The policy file from the paste box or an upload.
async fn policy_file_text(state: &AppState, request: Request) -> AppResult<String> {
    let multipart = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let interrupted = || AppError::BadRequest("The upload was interrupted. Try again.".into());
    let mut values: Values = HashMap::new();
    if multipart {
        let mut form = Multipart::from_request(request, state)
            .await
            .map_err(|_| interrupted())?;
        while let Some(field) = form.next_field().await.map_err(|_| interrupted())? {
            let name = field.name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(|_| interrupted())?;
            values.insert(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    } else {
        let Form(v) = Form::<Values>::from_request(request, state)
            .await
            .map_err(|_| AppError::BadRequest("The form could not be read. Go back and try again.".into()))?;
        values = v;
    }
    let file = values.remove("file").unwrap_or_default();
    let pasted = values.remove("document").unwrap_or_default();
    Ok(if file.trim().is_empty() { pasted } else { file })
}

async fn import_policy_file(
    State(state): State<AppState>,
    visitor: Visitor,
    signed: SignedIn,
    Path(year): Path<String>,
    request: Request,
) -> AppResult<Response> {
    let year = year_of(&year)?;
    let text = policy_file_text(&state, request).await?;
    let record = state.store.charging_policy(year).await?;
    let mut errors = FormErrors::default();
    if text.trim().is_empty() {
        errors.add("document", "Paste the policy file here, or choose a file to upload");
    }
    let result = if errors.is_empty() {
        import_policy(text.trim_start_matches('\u{feff}'), year)
    } else {
        Err(Vec::new())
    };
    match result {
        Ok(policy) => {
            let revision = state
                .store
                .save_charging_policy(&actor(&signed.0, &visitor), year, &policy)
                .await?;
            done(
                &state,
                &signed,
                &format!(
                    "Imported \"{}\" as the {year} charging policy (revision {revision}).",
                    policy.name
                ),
                &format!("/admin/billing/policies/{year}"),
            )
            .await
        }
        Err(problems) => {
            if errors.is_empty() {
                errors.add(
                    "document",
                    format!(
                        "The file was not imported: {} problem{} found (listed below). Nothing was changed.",
                        problems.len(),
                        if problems.len() == 1 { "" } else { "s" }
                    ),
                );
            }
            let mut page = policy_view(&state, &visitor, year, record.revision, &record.policy, None, errors);
            page.document = text;
            page.problems = problems;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}
