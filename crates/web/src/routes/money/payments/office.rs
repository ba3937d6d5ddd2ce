//! The office's payment screens: payments in, refunds, lesson credits and donations.
use crate::acting::Acting;
use crate::error::AppResult;
use crate::error::refused_on;
use crate::forms::FormErrors;
use crate::pages::{render, render_clearing_flash};
use crate::routes::records::{Cell, Values, cell, link};
use crate::session::Visitor;
use crate::shell::Shell;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use time::Date;
use tutti_domain::Pence;
use tutti_domain::calendar::{AcademicYear, TermId};
use tutti_domain::payments::PaymentMethod;
use tutti_domain::validate::parse_date;
use tutti_store::money::payments::invoices::{InvoiceAccount, PaymentInput};

#[derive(Template)]
#[template(path = "payments/table.html")]
pub(super) struct TablePage {
    pub(super) shell: Shell,
    pub(super) back: Option<(String, String)>,
    pub(super) heading: String,
    pub(super) paragraphs: Vec<String>,
    /// (action, label, field name, value)
    pub(super) search: Option<(String, String, String, String)>,
    pub(super) links: Vec<(String, String)>,
    pub(super) headers: Vec<&'static str>,
    pub(super) rows: Vec<Vec<Cell>>,
    pub(super) empty: String,
    pub(super) forms: Vec<SmallForm>,
}

/// A one-line form under a table: text inputs (name, label, value) and a button.
pub(super) struct SmallForm {
    pub(super) heading: String,
    pub(super) method: &'static str,
    pub(super) action: String,
    pub(super) inputs: Vec<(&'static str, &'static str, String)>,
    pub(super) submit: &'static str,
}

#[derive(Deserialize, Default)]
pub(super) struct Q {
    #[serde(default)]
    pub(super) q: String,
    #[serde(default)]
    pub(super) year: String,
    #[serde(default)]
    pub(super) term: String,
    #[serde(default)]
    pub(super) date: String,
}

pub(super) async fn payments_index(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(p): Query<Q>,
) -> AppResult<Response> {
    let found = state.store.find_invoice_accounts(&p.q).await?;
    let rows = found
        .into_iter()
        .map(|v| {
            vec![
                link(v.number.clone(), format!("/admin/invoices/{}/payments", v.id)),
                cell(v.payer_name.clone()),
                cell(crate::format::term(&v.term)),
                cell(Pence(v.total_pence).to_string()),
                cell(v.balance().to_string()),
                cell(v.status.replace('_', " ")),
            ]
        })
        .collect();
    let this_term = tutti_store::money::payments::credits::term_of(state.store.today())
        .map(|t| t.title())
        .unwrap_or_default();
    let page = TablePage {
        shell: Shell::new(&state, &visitor, "Payments", "/admin/payments"),
        back: None,
        heading: "Payments".into(),
        paragraphs: vec!["Find an invoice to record a payment, a refund or see its balance.".into()],
        search: Some((
            "/admin/payments".into(),
            "Invoice number or payer".into(),
            "q".into(),
            p.q.clone(),
        )),
        links: vec![
            ("/admin/agreements".into(), "Services agreements".into()),
            ("/admin/direct-debit".into(), "Direct Debit".into()),
            ("/admin/donations".into(), "Donations".into()),
        ],
        headers: vec!["Invoice", "Payer", "Term", "Total", "Left to pay", "Status"],
        rows,
        empty: "No invoices match.".into(),
        forms: vec![SmallForm {
            heading: "Credit lessons the hub did not give".into(),
            method: "post",
            action: "/admin/payments/credits".into(),
            inputs: vec![("term", "Term, like Autumn 2026", this_term)],
            submit: "Credit missed lessons",
        }],
    };
    render_clearing_flash(&state, &visitor, &page).await
}

#[derive(Template)]
#[template(path = "payments/invoice.html")]
pub(super) struct InvoicePage {
    shell: Shell,
    errors: FormErrors,
    invoice: InvoiceAccount,
    total: Pence,
    balance: Pence,
    moves: Vec<(String, String, String, String, String)>,
    methods: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str, &'static str)>,
}

pub(super) async fn invoice_view(
    state: &AppState,
    visitor: &Visitor,
    id: i64,
    errors: FormErrors,
) -> AppResult<InvoicePage> {
    let invoice = state.store.invoice_account(id).await?;
    let moves = state
        .store
        .invoice_payments(id)
        .await?
        .into_iter()
        .map(|p| {
            let method = p
                .method
                .parse::<PaymentMethod>()
                .map(|m| m.label().to_owned())
                .unwrap_or(p.method);
            (
                crate::format::short_day(p.received_on),
                p.kind,
                method,
                p.reference,
                Pence(p.amount_pence).to_string(),
            )
        })
        .collect();
    Ok(InvoicePage {
        shell: Shell::new(state, visitor, format!("Invoice {}", invoice.number), "/admin/payments"),
        errors,
        total: Pence(invoice.total_pence),
        balance: invoice.balance(),
        invoice,
        moves,
        methods: PaymentMethod::ALL.iter().map(|m| (m.as_str(), m.label())).collect(),
        kinds: vec![
            ("payment", "Record a payment", "Record payment"),
            ("refund", "Record a refund", "Record refund"),
        ],
    })
}

pub(super) async fn invoice_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let page = invoice_view(&state, &visitor, id, FormErrors::default()).await?;
    render_clearing_flash(&state, &visitor, &page).await
}

pub(super) fn read_payment(
    v: &Values,
    field: &'static str,
    errors: &mut FormErrors,
    today: Date,
) -> Option<PaymentInput> {
    let text = |k: &str| v.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let method = match text("method").parse::<PaymentMethod>() {
        Ok(m) => Some(m),
        Err(e) => {
            errors.add(field, e.to_string());
            None
        }
    };
    let amount = match Pence::parse_pounds(&text("amount")) {
        Ok(p) if p > Pence::ZERO => Some(p),
        Ok(_) => {
            errors.add(field, "Enter an amount more than £0.00");
            None
        }
        Err(e) => {
            errors.add(field, e.to_string());
            None
        }
    };
    let received_on = match text("received_on") {
        t if t.is_empty() => Some(today),
        t => match parse_date(&t) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.add(field, format!("Date: {e}"));
                None
            }
        },
    };
    Some(PaymentInput {
        method: method?,
        amount: amount?,
        reference: text("reference"),
        received_on: received_on?,
    })
}

pub(super) async fn money_in_or_out(a: Acting, id: i64, v: Values, field: &'static str) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    if let Some(input) = read_payment(&v, field, &mut errors, a.state.store.today()) {
        let who = a.actor();
        let result = if field == "payment" {
            a.state.store.record_payment(&who, id, &input).await
        } else {
            a.state.store.record_refund(&who, id, &input).await
        };
        match result {
            Ok(acc) => {
                let message = format!(
                    "{} recorded. Left to pay: {}.",
                    tutti_domain::charging::capitalised(field),
                    acc.balance()
                );
                return a.done(&message, &format!("/admin/invoices/{id}/payments")).await;
            }
            Err(e) => refused_on(e, field, &mut errors)?,
        }
    }
    let page = invoice_view(&a.state, &a.visitor, id, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

pub(super) async fn record_payment(a: Acting, Path(id): Path<i64>, Form(v): Form<Values>) -> AppResult<Response> {
    money_in_or_out(a, id, v, "payment").await
}

pub(super) async fn record_refund(a: Acting, Path(id): Path<i64>, Form(v): Form<Values>) -> AppResult<Response> {
    money_in_or_out(a, id, v, "refund").await
}

pub(super) async fn run_credits(a: Acting, Form(v): Form<Values>) -> AppResult<Response> {
    let term = v.get("term").map(String::as_str).unwrap_or_default();
    let Ok(term) = TermId::parse(term) else {
        return a.done("Enter a term like Autumn 2026.", "/admin/payments").await;
    };
    let report = a.state.store.credit_missed_lessons(&a.actor(), term).await?;
    let message = format!(
        "{} lessons credited for {}, {} in all.",
        crate::format::count(report.credits),
        term.title(),
        Pence(report.total_pence)
    );
    a.done(&message, "/admin/payments").await
}

pub(super) async fn donations(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    let rows = state
        .store
        .paid_donations()
        .await?
        .into_iter()
        .map(|d| {
            vec![
                cell(Pence(d.amount_pence).to_string()),
                cell(if d.gift_aid { "Yes" } else { "No" }),
                cell(d.donor_name),
                cell(d.home_address),
                cell(d.postcode),
            ]
        })
        .collect();
    render(&TablePage {
        shell: Shell::new(&state, &visitor, "Donations", "/admin/payments"),
        back: Some(("/admin/payments".into(), "Back to payments".into())),
        heading: "Donations".into(),
        paragraphs: vec!["Paid donations, newest first; those with Gift Aid carry the donor's declaration.".into()],
        search: None,
        links: vec![("/admin/donations/gift-aid".into(), "Make a Gift Aid claim".into())],
        headers: vec!["Amount", "Gift Aid", "Name", "Home address", "Postcode"],
        rows,
        empty: "No donations have been paid yet.".into(),
        forms: vec![],
    })
}

// ---- Services agreements ----------------------------------------------------------------

pub(super) fn year_or_current(text: &str, today: Date) -> AcademicYear {
    AcademicYear::parse(text).unwrap_or_else(|_| AcademicYear::containing(today))
}
