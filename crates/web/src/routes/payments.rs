//! Payments over HTTP: the basket and donations, card checkout through the provider's hosted
//! page (or the offline test page), the provider's signed webhooks, and the office's screens
//! for invoice payments, refunds, agreements, Direct Debit and lesson credits.
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use time::{Date, OffsetDateTime};
use tutti_domain::Pence;
use tutti_domain::calendar::{AcademicYear, TermId};
use tutti_domain::payments::{AccountNumber, GIFT_AID_STATEMENT, PaymentMethod, SortCode, mandate_reference};
use tutti_domain::validate::{Postcode, format_date_uk, parse_date};
use tutti_store::money::payments::agreements::AgreementInput;
use tutti_store::money::payments::basket::{DonationInput, GiftAidDeclaration};
use tutti_store::money::payments::collections::MandateInput;
use tutti_store::money::payments::invoices::{InvoiceAccount, PaymentInput};
use tutti_store::money::payments::provider::CheckoutRequest;
use tutti_store::platform::accounts::Role;

use super::records::{Cell, FormField, FormPage, Values, actor, cell, csrf_of, done, form_again, input, link, select};
use crate::access::{Access, Audience, Routes};
use crate::error::{AppError, AppResult, refusal_text, refused_on};
use crate::forms::FormErrors;
use crate::pages::{MessagePage, render, render_clearing_flash};
use crate::payments::{CardPayments, signature, stripe, test_mode};
use crate::session::{SignedIn, Visitor};
use crate::shell::Shell;
use crate::state::AppState;

/// The webhook and the test mode's hosted page need no account: the webhook is
/// authenticated by its signature; the basket shows a log-in prompt to visitors.
pub fn public_audience() -> Audience {
    Audience::new(
        Access::Public,
        Routes::new()
            .route("/basket", get(basket))
            .route("/payments/webhook", post(webhook))
            .route("/pay/test/{session}", get(test_page))
            .route("/pay/test/{session}/pay", post(test_pay))
            .route("/pay/test/{session}/cancel", post(test_cancel)),
    )
}

/// Anyone signed in has a basket.
pub fn basket_audience() -> Audience {
    Audience::new(
        Access::SignedIn,
        Routes::new()
            .route("/basket/checkout", post(checkout))
            .route("/basket/items/{id}/remove", post(remove_item))
            .route("/basket/invoices/{id}", post(add_invoice))
            .route("/basket/return", get(checkout_return))
            .route("/donate", get(donate_form).post(donate))
            .route("/account/invoices/{id}", get(own_invoice_pdf)),
    )
}

/// The office's payment screens.
pub fn office_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Admin, Role::Manager]),
        Routes::new()
            .route("/admin/payments", get(payments_index))
            .route("/admin/invoices/{id}/payments", get(invoice_page).post(record_payment))
            .route("/admin/invoices/{id}/refunds", post(record_refund))
            .route("/admin/invoices/{id}/invoice.pdf", get(invoice_pdf))
            .route("/admin/payments/credits", post(run_credits))
            .route("/admin/donations", get(donations))
            .route("/admin/agreements", get(agreements))
            .route("/admin/agreements/new", get(agreement_form).post(create_agreement))
            .route("/admin/agreements/journal.csv", get(journal))
            .route("/admin/direct-debit", get(direct_debit))
            .route("/admin/direct-debit/new", get(mandate_form).post(create_mandate))
            .route("/admin/direct-debit/collection.csv", get(collection_file)),
    )
}

// ---- The basket -------------------------------------------------------------------------

struct ItemRow {
    id: i64,
    description: String,
    amount: Pence,
}

struct InvoiceRow {
    id: i64,
    number: String,
    term: String,
    balance: Pence,
    in_basket: bool,
}

#[derive(Template)]
#[template(path = "basket.html")]
struct BasketPage {
    shell: Shell,
    items: Vec<ItemRow>,
    total: Pence,
    invoices: Vec<InvoiceRow>,
    card_payments: bool,
}

async fn basket(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    let shell = Shell::new(&state, &visitor, "Your basket", "/basket");
    let (mut items, mut invoices) = (Vec::new(), Vec::new());
    if let Some(user) = visitor.user() {
        let held = state.store.basket(user.id).await?;
        for v in state.store.invoices_of_user(user).await? {
            if v.balance() > Pence::ZERO && v.status != "cancelled" {
                invoices.push(InvoiceRow {
                    in_basket: held.iter().any(|i| i.invoice_id == Some(v.id)),
                    balance: v.balance(),
                    id: v.id,
                    number: v.number,
                    term: v.term,
                });
            }
        }
        items = held
            .into_iter()
            .map(|i| ItemRow {
                id: i.id,
                description: i.description,
                amount: Pence(i.amount_pence),
            })
            .collect();
    }
    let page = BasketPage {
        shell,
        total: items.iter().map(|i| i.amount).sum(),
        items,
        invoices,
        card_payments: state.payments.is_some(),
    };
    render_clearing_flash(&state, &visitor, &page).await
}

async fn remove_item(State(state): State<AppState>, signed: SignedIn, Path(id): Path<i64>) -> AppResult<Response> {
    state.store.remove_basket_item(signed.0.id, id).await?;
    done(&state, &signed, "Removed from your basket.", "/basket").await
}

async fn add_invoice(State(state): State<AppState>, signed: SignedIn, Path(id): Path<i64>) -> AppResult<Response> {
    match state.store.add_invoice_to_basket(&signed.0, id).await {
        Ok(()) => done(&state, &signed, "Invoice added to your basket.", "/basket").await,
        Err(e) => done(&state, &signed, &refusal_text(e)?, "/basket").await,
    }
}

// ---- Donations --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "payments/donate.html")]
struct DonatePage {
    shell: Shell,
    errors: FormErrors,
    amount: String,
    gift_aid: bool,
    donor_name: String,
    home_address: String,
    postcode: String,
    statement: &'static str,
}

fn donate_page(state: &AppState, visitor: &Visitor, v: &Values, errors: FormErrors) -> DonatePage {
    let get = |k: &str| v.get(k).cloned().unwrap_or_default();
    DonatePage {
        shell: Shell::new(state, visitor, "Make a donation", "/donate"),
        errors,
        amount: get("amount"),
        gift_aid: v.get("gift_aid").is_some_and(|g| g == "yes"),
        donor_name: get("donor_name"),
        home_address: get("home_address"),
        postcode: get("postcode"),
        statement: GIFT_AID_STATEMENT,
    }
}

async fn donate_form(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    let mut v = Values::new();
    if let Some(u) = visitor.user() {
        v.insert("donor_name".into(), u.name.clone());
    }
    render(&donate_page(&state, &visitor, &v, FormErrors::default()))
}

/// Reads the donation form: an amount, and with Gift Aid the name, home address and a real
/// UK postcode HMRC needs.
fn read_donation(v: &Values, errors: &mut FormErrors) -> Option<DonationInput> {
    let text = |k: &str| v.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let amount = match Pence::parse_pounds(&text("amount")) {
        Ok(p) if p > Pence::ZERO && p <= tutti_store::money::payments::basket::MAX_DONATION => Some(p),
        Ok(_) => {
            errors.add("amount", "Enter an amount between £0.01 and £10,000.00");
            None
        }
        Err(e) => {
            errors.add("amount", e.to_string());
            None
        }
    };
    let gift_aid = if v.get("gift_aid").is_some_and(|g| g == "yes") {
        let name = text("donor_name");
        let address = text("home_address");
        if name.is_empty() {
            errors.add("donor_name", "Enter your full name for Gift Aid");
        }
        if address.is_empty() {
            errors.add("home_address", "Enter your home address for Gift Aid");
        }
        let postcode = match Postcode::parse(&text("postcode")) {
            Ok(p) => Some(p),
            Err(e) => {
                errors.add("postcode", e.to_string());
                None
            }
        };
        match (name.is_empty() || address.is_empty(), postcode) {
            (false, Some(postcode)) => Some(Some(GiftAidDeclaration {
                name,
                home_address: address,
                postcode,
            })),
            _ => None,
        }
    } else {
        Some(None)
    };
    Some(DonationInput {
        amount: amount?,
        gift_aid: gift_aid?,
    })
}

async fn donate(
    State(state): State<AppState>,
    visitor: Visitor,
    signed: SignedIn,
    Form(v): Form<Values>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    if let Some(input) = read_donation(&v, &mut errors) {
        match state
            .store
            .add_donation(&actor(&signed.0, &visitor), signed.0.id, &input)
            .await
        {
            Ok(_) => {
                return done(
                    &state,
                    &signed,
                    "Thank you. Your donation is in your basket.",
                    "/basket",
                )
                .await;
            }
            Err(e) => refused_on(e, "amount", &mut errors)?,
        }
    }
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        render(&donate_page(&state, &visitor, &v, errors))?,
    )
        .into_response())
}

// ---- Checkout and the provider ----------------------------------------------------------

fn no_card_payments() -> AppError {
    AppError::BadRequest(
        "Card payments are not available online. Contact the hub office to pay by bank transfer or cheque.".into(),
    )
}

async fn checkout(State(state): State<AppState>, signed: SignedIn) -> AppResult<Response> {
    let provider = state.payments.clone().ok_or_else(no_card_payments)?;
    let open = state.store.open_checkout(signed.0.id, provider.name()).await?;
    let base = state.config.public_url.trim_end_matches('/');
    let request = CheckoutRequest {
        amount: Pence(open.amount_pence),
        reference: open.reference.clone(),
        description: open.description.clone(),
        customer_email: Some(signed.0.email.clone()),
        success_url: format!("{base}/basket/return?ref={}", open.reference),
        cancel_url: format!("{base}/basket"),
    };
    match provider.create_checkout(&request).await {
        Ok(hosted) => {
            state.store.set_checkout_session(open.id, &hosted.session_id).await?;
            Ok(Redirect::to(&hosted.url).into_response())
        }
        Err(e) => {
            tracing::error!(error = %e, reference = %open.reference, "could not start a checkout");
            Err(AppError::BadRequest(
                "We could not reach the payment provider, and nothing has been taken. Try again in a few minutes."
                    .into(),
            ))
        }
    }
}

#[derive(Deserialize)]
struct ReturnParams {
    #[serde(rename = "ref", default)]
    reference: String,
}

async fn checkout_return(
    State(state): State<AppState>,
    visitor: Visitor,
    signed: SignedIn,
    Query(p): Query<ReturnParams>,
) -> AppResult<Response> {
    let c = state
        .store
        .checkout_by_reference(&p.reference)
        .await?
        .filter(|c| c.user_id == signed.0.id)
        .ok_or(AppError::NotFound)?;
    let amount = Pence(c.amount_pence);
    let (heading, paragraphs) = if c.status == "paid" {
        (
            "Thank you: payment received".to_owned(),
            vec![format!(
                "We have received {amount} for {}. Your reference is {}.",
                c.description, c.reference
            )],
        )
    } else {
        (
            "Waiting for your payment to be confirmed".to_owned(),
            vec![
                format!("The payment provider has not yet told us about your payment of {amount} (reference {}).", c.reference),
                "This usually takes a few seconds. Reload this page in a minute; if it still says this, contact the hub office before paying again.".into(),
            ],
        )
    };
    render(&MessagePage {
        shell: Shell::new(&state, &visitor, heading.clone(), "/basket"),
        heading,
        paragraphs,
        link: Some(("/basket".into(), "Back to your basket".into())),
    })
}

/// The provider's notification: verified, then applied once (a replay changes nothing).
/// 400 for a bad signature (the provider alerts its operator); 500 makes it retry later.
async fn webhook(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(provider) = state.payments.clone() else {
        return AppError::NotFound.into_response();
    };
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    receive(&state, provider.as_ref(), signature, &body).await
}

async fn receive(
    state: &AppState,
    provider: &dyn tutti_store::money::payments::provider::PaymentProvider,
    signature: &str,
    body: &[u8],
) -> Response {
    let event = match provider.verify_webhook(signature, body, OffsetDateTime::now_utc()) {
        Ok(e) => e,
        Err(e) => {
            tracing::warn!(error = %e, "webhook rejected");
            return (StatusCode::BAD_REQUEST, format!("webhook rejected: {e}")).into_response();
        }
    };
    match state.store.apply_provider_event(provider.name(), &event).await {
        Ok(outcome) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            format!("{{\"received\":true,\"outcome\":\"{outcome:?}\"}}"),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, event = %event.id, "webhook could not be applied");
            (StatusCode::INTERNAL_SERVER_ERROR, "try again").into_response()
        }
    }
}

// ---- The test mode's hosted page --------------------------------------------------------

#[derive(Template)]
#[template(path = "payments/test_page.html")]
struct TestPage {
    shell: Shell,
    session: String,
    description: String,
    amount: Pence,
    reference: String,
    open: bool,
}

/// The test mode's secret; every other provider has no test page.
fn test_secret(state: &AppState) -> AppResult<String> {
    match &state.config.card_payments {
        CardPayments::TestMode { webhook_secret } => Ok(webhook_secret.clone()),
        _ => Err(AppError::NotFound),
    }
}

async fn test_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(session): Path<String>,
) -> AppResult<Response> {
    test_secret(&state)?;
    let c = state
        .store
        .checkout_by_session("test", &session)
        .await?
        .ok_or(AppError::NotFound)?;
    render(&TestPage {
        shell: Shell::new(&state, &visitor, "Test payment page", "/basket"),
        session,
        description: c.description,
        amount: Pence(c.amount_pence),
        reference: c.reference,
        open: c.status == "open",
    })
}

/// "Pays": sends the hub the signed event the provider would, through the webhook's checks.
async fn test_pay(State(state): State<AppState>, Path(session): Path<String>) -> AppResult<Response> {
    let secret = test_secret(&state)?;
    let c = state
        .store
        .checkout_by_session("test", &session)
        .await?
        .ok_or(AppError::NotFound)?;
    let body = stripe::event_body(
        &test_mode::random_id("evt_test"),
        "checkout.session.completed",
        &session,
        &c.reference,
        Pence(c.amount_pence),
        true,
    );
    let sig = signature::sign(&secret, OffsetDateTime::now_utc().unix_timestamp(), body.as_bytes());
    let provider = state.payments.clone().ok_or(AppError::NotFound)?;
    let response = receive(&state, provider.as_ref(), &sig, body.as_bytes()).await;
    if !response.status().is_success() {
        return Err(AppError::Internal("the test payment was not accepted".into()));
    }
    Ok(Redirect::to(&format!("/basket/return?ref={}", c.reference)).into_response())
}

async fn test_cancel(State(state): State<AppState>, Path(_session): Path<String>) -> AppResult<Response> {
    test_secret(&state)?;
    Ok(Redirect::to("/basket").into_response())
}

// ---- The office: invoices, payments, refunds, credits -----------------------------------

#[derive(Template)]
#[template(path = "payments/table.html")]
struct TablePage {
    shell: Shell,
    back: Option<(String, String)>,
    heading: String,
    paragraphs: Vec<String>,
    /// (action, label, field name, value)
    search: Option<(String, String, String, String)>,
    links: Vec<(String, String)>,
    headers: Vec<&'static str>,
    rows: Vec<Vec<Cell>>,
    empty: String,
    forms: Vec<SmallForm>,
}

/// A one-line form under a table: text inputs (name, label, value) and a button.
struct SmallForm {
    heading: String,
    method: &'static str,
    action: String,
    inputs: Vec<(&'static str, &'static str, String)>,
    submit: &'static str,
}

#[derive(Deserialize, Default)]
struct Q {
    #[serde(default)]
    q: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    term: String,
    #[serde(default)]
    date: String,
}

async fn payments_index(State(state): State<AppState>, visitor: Visitor, Query(p): Query<Q>) -> AppResult<Response> {
    let found = state.store.find_invoice_accounts(&p.q).await?;
    let rows = found
        .into_iter()
        .map(|v| {
            vec![
                link(v.number.clone(), format!("/admin/invoices/{}/payments", v.id)),
                cell(v.payer_name.clone()),
                cell(v.term.clone()),
                cell(Pence(v.total_pence).to_string()),
                cell(v.balance().to_string()),
                cell(v.status.replace('_', " ")),
            ]
        })
        .collect();
    let this_term = tutti_store::money::payments::credits::term_of(state.store.today())
        .map(|t| t.to_string())
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
            inputs: vec![("term", "Term, like 2026-autumn", this_term)],
            submit: "Credit missed lessons",
        }],
    };
    render_clearing_flash(&state, &visitor, &page).await
}

#[derive(Template)]
#[template(path = "payments/invoice.html")]
struct InvoicePage {
    shell: Shell,
    errors: FormErrors,
    invoice: InvoiceAccount,
    total: Pence,
    balance: Pence,
    moves: Vec<(String, String, String, String, String)>,
    methods: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str, &'static str)>,
}

async fn invoice_view(state: &AppState, visitor: &Visitor, id: i64, errors: FormErrors) -> AppResult<InvoicePage> {
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
                format_date_uk(p.received_on),
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

async fn invoice_page(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> AppResult<Response> {
    let page = invoice_view(&state, &visitor, id, FormErrors::default()).await?;
    render_clearing_flash(&state, &visitor, &page).await
}

fn read_payment(v: &Values, field: &'static str, errors: &mut FormErrors, today: Date) -> Option<PaymentInput> {
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

async fn money_in_or_out(
    state: AppState,
    visitor: Visitor,
    signed: SignedIn,
    id: i64,
    v: Values,
    field: &'static str,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    if let Some(input) = read_payment(&v, field, &mut errors, state.store.today()) {
        let who = actor(&signed.0, &visitor);
        let result = if field == "payment" {
            state.store.record_payment(&who, id, &input).await
        } else {
            state.store.record_refund(&who, id, &input).await
        };
        match result {
            Ok(acc) => {
                let message = format!(
                    "{} recorded. Left to pay: {}.",
                    tutti_domain::charging::capitalised(field),
                    acc.balance()
                );
                return done(&state, &signed, &message, &format!("/admin/invoices/{id}/payments")).await;
            }
            Err(e) => refused_on(e, field, &mut errors)?,
        }
    }
    let page = invoice_view(&state, &visitor, id, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

async fn record_payment(
    State(state): State<AppState>,
    visitor: Visitor,
    signed: SignedIn,
    Path(id): Path<i64>,
    Form(v): Form<Values>,
) -> AppResult<Response> {
    money_in_or_out(state, visitor, signed, id, v, "payment").await
}

async fn record_refund(
    State(state): State<AppState>,
    visitor: Visitor,
    signed: SignedIn,
    Path(id): Path<i64>,
    Form(v): Form<Values>,
) -> AppResult<Response> {
    money_in_or_out(state, visitor, signed, id, v, "refund").await
}

async fn run_credits(
    State(state): State<AppState>,
    visitor: Visitor,
    signed: SignedIn,
    Form(v): Form<Values>,
) -> AppResult<Response> {
    let term = v.get("term").map(String::as_str).unwrap_or_default();
    let Ok(term) = TermId::parse(term) else {
        return done(&state, &signed, "Enter a term like 2026-autumn.", "/admin/payments").await;
    };
    let report = state
        .store
        .credit_missed_lessons(&actor(&signed.0, &visitor), term)
        .await?;
    let message = format!(
        "{} lessons credited for {term}, {} in all.",
        report.credits,
        Pence(report.total_pence)
    );
    done(&state, &signed, &message, "/admin/payments").await
}

async fn donations(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
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
        links: vec![],
        headers: vec!["Amount", "Gift Aid", "Name", "Home address", "Postcode"],
        rows,
        empty: "No donations have been paid yet.".into(),
        forms: vec![],
    })
}

// ---- Services agreements ----------------------------------------------------------------

fn year_or_current(text: &str, today: Date) -> AcademicYear {
    AcademicYear::parse(text).unwrap_or_else(|_| AcademicYear::containing(today))
}

async fn agreements(State(state): State<AppState>, visitor: Visitor, Query(p): Query<Q>) -> AppResult<Response> {
    let year = year_or_current(&p.year, state.store.today());
    let rows = state
        .store
        .agreements(year)
        .await?
        .into_iter()
        .map(|a| {
            let [autumn, spring, summer] =
                tutti_domain::agreements::term_charges(Pence(a.annual_pence), year).map(|c| c.amount.to_string());
            vec![
                cell(a.school_name),
                cell(a.programme),
                cell(a.sessions.to_string()),
                cell(Pence(a.annual_pence).to_string()),
                cell(autumn),
                cell(spring),
                cell(summer),
                cell(a.billing.replace('-', " ")),
            ]
        })
        .collect();
    let terms = year.terms();
    render_clearing_flash(
        &state,
        &visitor,
        &TablePage {
            shell: Shell::new(&state, &visitor, "Services agreements", "/admin/agreements"),
            back: Some(("/admin/payments".into(), "Back to payments".into())),
            heading: format!("Services agreements {year}"),
            paragraphs: vec![
                "Each programme's annual cost is charged 34% in autumn, 33% in spring and 33% in summer. \
                 Council-maintained schools pay by internal journal; academies and others by invoice."
                    .into(),
            ],
            search: Some((
                "/admin/agreements".into(),
                "Academic year, like 2026-27".into(),
                "year".into(),
                year.to_string(),
            )),
            links: std::iter::once(("/admin/agreements/new".to_owned(), "Add an agreement".to_owned()))
                .chain(terms.iter().map(|t| {
                    (
                        format!("/admin/agreements/journal.csv?term={t}"),
                        format!("Internal journal for {t} (CSV)"),
                    )
                }))
                .collect(),
            headers: vec![
                "School",
                "Programme",
                "Sessions",
                "Annual cost",
                "Autumn",
                "Spring",
                "Summer",
                "Billed by",
            ],
            rows,
            empty: format!("No agreements for {year} yet."),
            forms: vec![],
        },
    )
    .await
}

async fn agreement_fields(state: &AppState, v: &Values) -> AppResult<Vec<FormField>> {
    let schools = state
        .store
        .list_schools(&tutti_store::listing::ListQuery {
            per_page: 1000,
            ..Default::default()
        })
        .await?;
    Ok(vec![
        FormField {
            options: schools
                .rows
                .into_iter()
                .map(|s| {
                    (
                        s.id.to_string(),
                        format!("{} ({})", s.name, s.billing.replace('-', " ")),
                    )
                })
                .collect(),
            ..input("school_id", "School", "select", "", v)
        },
        input("year", "Academic year", "text", "Like 2026-27", v),
        input("programme", "Programme", "text", "Like Whole-class ukulele", v),
        input(
            "annual_cost",
            "Annual cost in pounds",
            "text",
            "Split 34/33/33 over the terms",
            v,
        ),
        input("sessions", "Sessions a year", "text", "Between 30 and 36", v),
    ])
}

async fn agreement_page(state: &AppState, visitor: &Visitor, v: &Values, errors: FormErrors) -> AppResult<FormPage> {
    Ok(FormPage {
        shell: Shell::new(state, visitor, "Add an agreement", "/admin/agreements"),
        heading: "Add a services agreement".into(),
        back: ("/admin/agreements".into(), "Back to agreements".into()),
        action: "/admin/agreements/new".into(),
        csrf: csrf_of(visitor),
        errors,
        fields: agreement_fields(state, v).await?,
        submit: "Save agreement",
    })
}

async fn agreement_form(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    let mut v = Values::new();
    v.insert("year".into(), year_or_current("", state.store.today()).to_string());
    v.insert("sessions".into(), "30".into());
    render(&agreement_page(&state, &visitor, &v, FormErrors::default()).await?)
}

fn read_agreement(v: &Values, errors: &mut FormErrors) -> Option<AgreementInput> {
    let text = |k: &str| v.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let school_id = text("school_id").parse::<i64>().ok();
    if school_id.is_none() {
        errors.add("school_id", "Choose a school");
    }
    let year = AcademicYear::parse(&text("year"))
        .map_err(|_| errors.add("year", "Enter an academic year like 2026-27"))
        .ok();
    let programme = text("programme");
    if programme.is_empty() {
        errors.add("programme", "Enter the programme's name");
    }
    let annual_cost = match Pence::parse_pounds(&text("annual_cost")) {
        Ok(p) if p > Pence::ZERO => Some(p),
        Ok(_) => {
            errors.add("annual_cost", "Enter an annual cost more than £0.00");
            None
        }
        Err(e) => {
            errors.add("annual_cost", e.to_string());
            None
        }
    };
    let range = tutti_domain::agreements::WCET_SESSIONS;
    let sessions = text("sessions").parse::<u32>().ok().filter(|n| range.contains(n));
    if sessions.is_none() {
        errors.add(
            "sessions",
            format!("Enter the sessions a year, from {} to {}", range.start(), range.end()),
        );
    }
    if programme.is_empty() {
        return None;
    }
    Some(AgreementInput {
        school_id: school_id?,
        year: year?,
        programme,
        annual_cost: annual_cost?,
        sessions: sessions?,
    })
}

async fn create_agreement(
    State(state): State<AppState>,
    visitor: Visitor,
    signed: SignedIn,
    Form(v): Form<Values>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    if let Some(input) = read_agreement(&v, &mut errors) {
        match state.store.create_agreement(&actor(&signed.0, &visitor), &input).await {
            Ok(a) => {
                let to = format!("/admin/agreements?year={}", a.academic_year);
                return done(&state, &signed, "Agreement saved.", &to).await;
            }
            Err(e) => refused_on(e, "programme", &mut errors)?,
        }
    }
    form_again(agreement_page(&state, &visitor, &v, errors).await?)
}

fn csv_download(name: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response()
}

async fn journal(
    State(state): State<AppState>,
    visitor: Visitor,
    signed: SignedIn,
    Query(p): Query<Q>,
) -> AppResult<Response> {
    let term = TermId::parse(&p.term).map_err(|_| AppError::BadRequest("Give a term like 2026-autumn.".into()))?;
    let csv = state.store.journal_export(&actor(&signed.0, &visitor), term).await?;
    Ok(csv_download(&format!("internal-journal-{term}.csv"), csv))
}

// ---- Direct Debit -----------------------------------------------------------------------

async fn direct_debit(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    let rows = state
        .store
        .mandates()
        .await?
        .into_iter()
        .map(|m| {
            vec![
                cell(m.reference),
                cell(format!("{} {}", m.payer_kind, m.payer_id)),
                cell(m.account_name),
                cell(
                    SortCode::parse(&m.sort_code)
                        .map(|s| s.to_string())
                        .unwrap_or(m.sort_code),
                ),
                cell(m.account_number),
            ]
        })
        .collect();
    render_clearing_flash(
        &state,
        &visitor,
        &TablePage {
            shell: Shell::new(&state, &visitor, "Direct Debit", "/admin/direct-debit"),
            back: Some(("/admin/payments".into(), "Back to payments".into())),
            heading: "Direct Debit".into(),
            paragraphs: vec![
                "Mandates in force. The collection file lists, for each payer with a mandate, the instalment due \
                 by the collection date, for upload to the bank."
                    .into(),
            ],
            search: None,
            links: vec![("/admin/direct-debit/new".into(), "Add a mandate".into())],
            headers: vec!["Reference", "Payer", "Account name", "Sort code", "Account"],
            rows,
            empty: "No mandates yet.".into(),
            forms: vec![SmallForm {
                heading: "Collection file".into(),
                method: "get",
                action: "/admin/direct-debit/collection.csv".into(),
                inputs: vec![(
                    "date",
                    "Collection date, like 15/10/2026",
                    format_date_uk(state.store.today()),
                )],
                submit: "Download the collection file (CSV)",
            }],
        },
    )
    .await
}

fn mandate_page(state: &AppState, visitor: &Visitor, v: &Values, errors: FormErrors) -> FormPage {
    FormPage {
        shell: Shell::new(state, visitor, "Add a mandate", "/admin/direct-debit"),
        heading: "Add a Direct Debit mandate".into(),
        back: ("/admin/direct-debit".into(), "Back to Direct Debit".into()),
        action: "/admin/direct-debit/new".into(),
        csrf: csrf_of(visitor),
        errors,
        fields: vec![
            select("payer_kind", "Payer is a", &["parent", "school"], v),
            input(
                "payer_id",
                "Payer number",
                "text",
                "The guardian's or school's record number, as on their invoices",
                v,
            ),
            input("account_name", "Name on the account", "text", "", v),
            input("sort_code", "Sort code", "text", "6 digits, like 12-34-56", v),
            input("account_number", "Account number", "text", "8 digits", v),
            input(
                "reference",
                "Mandate reference",
                "text",
                "6 to 18 characters, like TUTTI-000123",
                v,
            ),
        ],
        submit: "Save mandate",
    }
}

async fn mandate_form(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    render(&mandate_page(&state, &visitor, &Values::new(), FormErrors::default()))
}

fn read_mandate(v: &Values, errors: &mut FormErrors) -> Option<MandateInput> {
    let text = |k: &str| v.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let payer_kind = text("payer_kind");
    if !matches!(payer_kind.as_str(), "parent" | "school") {
        errors.add("payer_kind", "Choose parent or school");
    }
    let payer_id = text("payer_id").parse::<i64>().ok().filter(|n| *n > 0);
    if payer_id.is_none() {
        errors.add("payer_id", "Enter the payer's record number");
    }
    let account_name = text("account_name");
    if account_name.is_empty() {
        errors.add("account_name", "Enter the name on the bank account");
    }
    let sort_code = SortCode::parse(&text("sort_code"))
        .map_err(|e| errors.add("sort_code", e.to_string()))
        .ok();
    let account_number = AccountNumber::parse(&text("account_number"))
        .map_err(|e| errors.add("account_number", e.to_string()))
        .ok();
    let reference = mandate_reference(&text("reference"))
        .map_err(|e| errors.add("reference", e.to_string()))
        .ok();
    if account_name.is_empty() || !matches!(payer_kind.as_str(), "parent" | "school") {
        return None;
    }
    Some(MandateInput {
        payer_kind,
        payer_id: payer_id?,
        account_name,
        sort_code: sort_code?,
        account_number: account_number?,
        reference: reference?,
    })
}

async fn create_mandate(
    State(state): State<AppState>,
    visitor: Visitor,
    signed: SignedIn,
    Form(v): Form<Values>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    if let Some(input) = read_mandate(&v, &mut errors) {
        match state.store.create_mandate(&actor(&signed.0, &visitor), &input).await {
            Ok(_) => return done(&state, &signed, "Mandate saved.", "/admin/direct-debit").await,
            Err(e) => refused_on(e, "reference", &mut errors)?,
        }
    }
    form_again(mandate_page(&state, &visitor, &v, errors))
}

async fn collection_file(
    State(state): State<AppState>,
    visitor: Visitor,
    signed: SignedIn,
    Query(p): Query<Q>,
) -> AppResult<Response> {
    let date = parse_date(&p.date).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let csv = state
        .store
        .dd_collection_file(&actor(&signed.0, &visitor), date)
        .await?;
    Ok(csv_download(&format!("direct-debit-{date}.csv"), csv))
}

// ---- Invoices as PDF --------------------------------------------------------------------

async fn invoice_pdf(State(state): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    pdf_response(&state, id).await
}

/// A payer's own invoice: `/account/invoices/{id}.pdf`; anyone else's is not found.
async fn own_invoice_pdf(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(file): Path<String>,
) -> AppResult<Response> {
    let id = file
        .strip_suffix(".pdf")
        .and_then(|n| n.parse::<i64>().ok())
        .ok_or(AppError::NotFound)?;
    let mine = state.store.invoices_of_user(&signed.0).await?;
    if !mine.iter().any(|v| v.id == id) {
        return Err(AppError::NotFound);
    }
    pdf_response(&state, id).await
}

async fn pdf_response(state: &AppState, id: i64) -> AppResult<Response> {
    let document = state.store.invoice_document(id).await?;
    let bytes = crate::payments::pdf::invoice_pdf(&state.config.hub_name, &document);
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"invoice-{}.pdf\"", document.account.number),
            ),
        ],
        bytes,
    )
        .into_response())
}
