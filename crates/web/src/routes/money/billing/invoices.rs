//! Invoices on the screens: the office's searchable list, parents' and schools' own statements, and one invoice as each may see it.
use crate::acting::Acting;
use crate::error::{AppError, AppResult};
use crate::pages::{render, render_clearing_flash};
use crate::routes::page_number;
use crate::session::Visitor;
use crate::shell::Shell;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use tutti_domain::Pence;
use tutti_store::listing::ListQuery;
use tutti_store::money::billing::invoices::{Invoice, InvoiceFilter, InvoiceSummary};
use tutti_store::platform::accounts::{Role, User};

/// An invoice as a list shows it.
pub(super) struct InvoiceRow {
    href: String,
    number: String,
    payer: String,
    term: String,
    kind: String,
    issued: String,
    total: String,
    status: String,
}

pub(super) fn invoice_row(base: &str, s: &InvoiceSummary) -> InvoiceRow {
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

pub(super) fn uk_date(d: time::Date) -> String {
    crate::format::short_day(d)
}

#[derive(Template)]
#[template(path = "billing/invoices.html")]
pub(super) struct InvoicesPage {
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
pub(super) struct ListForm {
    #[serde(default)]
    q: String,
    #[serde(default)]
    term: String,
    page: Option<String>,
}

pub(super) const PER_PAGE: u64 = 25;

pub(super) async fn invoices_page(
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
        // "Autumn 2026" as pages show it, or the key "2026-autumn".
        term: Some(q.term.trim().to_owned())
            .filter(|t| !t.is_empty())
            .map(|t| tutti_domain::calendar::TermId::parse(&t).map_or(t, |id| id.to_string())),
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

pub(super) async fn office_invoices(
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
pub(super) async fn guardians_of(state: &AppState, user: &User) -> AppResult<Vec<i64>> {
    if !user.email_verified {
        return Ok(Vec::new());
    }
    Ok(state.store.guardian_ids_for_email(&user.email).await?)
}

pub(super) async fn parent_invoices(a: Acting, Query(q): Query<ListForm>) -> AppResult<Response> {
    let guardians = guardians_of(&a.state, &a.user).await?;
    invoices_page(
        &a.state,
        &a.visitor,
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

pub(super) async fn school_invoices(a: Acting, Query(q): Query<ListForm>) -> AppResult<Response> {
    let school = a.user.school_id.ok_or_else(|| {
        AppError::Forbidden("Your account is not linked to a school. Ask the hub office to link it.".into())
    })?;
    invoices_page(
        &a.state,
        &a.visitor,
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

pub(super) struct LineView {
    pupil: String,
    description: String,
    rule: String,
    amount: String,
}

pub(super) struct InstalmentView {
    number: i32,
    due: String,
    amount: String,
    status: String,
}

/// A payment, refund or credit as the invoice page lists it.
pub(super) struct PaymentView {
    date: String,
    kind: String,
    method: String,
    amount: String,
}

/// Who is looking at an invoice page: the office (links to its payments screen) or the payer
/// (its payments listed on the page, and a way to pay what is left).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Viewer {
    Office,
    Payer,
}

#[derive(Template)]
#[template(path = "billing/invoice.html")]
pub(super) struct InvoicePage {
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

pub(super) async fn invoice_page(
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

pub(super) async fn office_invoice(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
) -> AppResult<Response> {
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
pub(crate) async fn may_see_invoice(state: &AppState, user: &User, invoice: &InvoiceSummary) -> AppResult<bool> {
    Ok(match user.role {
        Role::Admin | Role::Manager => true,
        Role::Parent => invoice.payer_kind == "parent" && guardians_of(state, user).await?.contains(&invoice.payer_id),
        Role::School => invoice.payer_kind == "school" && user.school_id == Some(invoice.payer_id),
        _ => false,
    })
}

pub(super) async fn own_invoice(state: &AppState, user: &User, id: i64) -> AppResult<Invoice> {
    let invoice = state.store.invoice(id).await?;
    if may_see_invoice(state, user, &invoice.summary).await? {
        Ok(invoice)
    } else {
        Err(AppError::NotFound)
    }
}

/// A payer's own invoice, with the way back to their list of invoices.
async fn payer_invoice(a: Acting, id: i64, back: (&str, &str)) -> AppResult<Response> {
    let invoice = own_invoice(&a.state, &a.user, id).await?;
    invoice_page(&a.state, &a.visitor, invoice, back, Viewer::Payer).await
}

pub(super) async fn parent_invoice(a: Acting, Path(id): Path<i64>) -> AppResult<Response> {
    payer_invoice(a, id, ("/parent/invoices", "Your invoices")).await
}

pub(super) async fn school_invoice(a: Acting, Path(id): Path<i64>) -> AppResult<Response> {
    payer_invoice(a, id, ("/school/invoices", "Your school's invoices")).await
}

// ---- Charging policies ----
