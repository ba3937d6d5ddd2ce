//! The basket and donations, card checkout through the provider's hosted page (or the offline test page), and the provider's signed webhooks.
use super::checkout::{Back, guest_checkout, to_hosted_page};
use crate::acting::{Acting, Visiting};
use crate::error::refused_on;
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::pages::{MessagePage, render, render_clearing_flash};
use crate::payments::{CardPayments, signature, stripe, test_mode};
use crate::routes::records::Values;
use crate::session::{SignedIn, Visitor};
use crate::shell::Shell;
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::OffsetDateTime;
use tutti_domain::Pence;
use tutti_domain::payments::GIFT_AID_STATEMENT;
use tutti_domain::validate::Postcode;
use tutti_store::money::payments::basket::{DonationInput, GiftAidDeclaration};

pub(super) struct ItemRow {
    id: i64,
    description: String,
    amount: Pence,
}

pub(super) struct InvoiceRow {
    id: i64,
    number: String,
    term: String,
    balance: Pence,
    in_basket: bool,
}

#[derive(Template)]
#[template(path = "basket.html")]
pub(super) struct BasketPage {
    shell: Shell,
    items: Vec<ItemRow>,
    total: Pence,
    invoices: Vec<InvoiceRow>,
    card_payments: bool,
}

pub(super) async fn basket(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
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

pub(super) async fn remove_item(a: Acting, Path(id): Path<i64>) -> AppResult<Response> {
    a.state.store.remove_basket_item(a.user.id, id).await?;
    a.done("Removed from your basket.", "/basket").await
}

pub(super) async fn add_invoice(a: Acting, Path(id): Path<i64>) -> AppResult<Response> {
    let outcome = a.state.store.add_invoice_to_basket(&a.user, id).await;
    a.said(outcome.map(|()| "Invoice added to your basket."), "/basket")
        .await
}

// ---- Donations --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "payments/donate.html")]
pub(super) struct DonatePage {
    shell: Shell,
    errors: FormErrors,
    amount: String,
    gift_aid: bool,
    donor_name: String,
    home_address: String,
    postcode: String,
    statement: &'static str,
    /// No account: the form asks for an email address and pays by card at once.
    guest: bool,
    email: String,
}

pub(super) fn donate_page(state: &AppState, visitor: &Visitor, v: &Values, errors: FormErrors) -> DonatePage {
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
        guest: visitor.user().is_none(),
        email: get("email"),
    }
}

pub(super) async fn donate_form(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    let mut v = Values::new();
    if let Some(u) = visitor.user() {
        v.insert("donor_name".into(), u.name.clone());
    }
    guest_form(
        &state,
        &visitor,
        donate_page(&state, &visitor, &v, FormErrors::default()),
        StatusCode::OK,
    )
    .await
}

/// The donation page for anyone: a visitor with no session gets a form cookie whose token
/// guards the form (decision 0086).
async fn guest_form(
    state: &AppState,
    visitor: &Visitor,
    mut page: DonatePage,
    status: StatusCode,
) -> AppResult<Response> {
    let (csrf, cookie) = crate::session::form_token(state, visitor).await?;
    page.shell.csrf = csrf;
    page.guest = visitor.user().is_none();
    Ok(crate::session::uncached_form(
        (status, render(&page)?).into_response(),
        cookie,
    ))
}

/// Reads the donation form: an amount, and with Gift Aid the name, home address and a real
/// UK postcode HMRC needs.
pub(super) fn read_donation(v: &Values, errors: &mut FormErrors) -> Option<DonationInput> {
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

pub(super) async fn donate(q: Visiting, Form(v): Form<Values>) -> AppResult<Response> {
    // Anyone may give: a guest pays by card at once, someone signed in fills their basket.
    let Ok(signed) = SignedIn::of(&q.visitor) else {
        return guest_donate(&q.state, &q.visitor, &v).await;
    };
    let a = Acting::new(q, signed);
    let mut errors = FormErrors::default();
    if let Some(input) = read_donation(&v, &mut errors) {
        match a.state.store.add_donation(&a.actor(), a.user.id, &input).await {
            Ok(_) => return a.done("Thank you. Your donation is in your basket.", "/basket").await,
            Err(e) => refused_on(e, "amount", &mut errors)?,
        }
    }
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        render(&donate_page(&a.state, &a.visitor, &v, errors))?,
    )
        .into_response())
}

/// A donation by someone with no account: paid by card at once through the guest payments
/// account (decision 0086), their email kept for the receipt.
async fn guest_donate(state: &AppState, visitor: &Visitor, v: &Values) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let email = crate::forms::email_field(&mut errors, "email", v.get("email").map(String::as_str).unwrap_or(""));
    let input = read_donation(v, &mut errors);
    if state.payments.is_none() {
        errors.add(
            "amount",
            "Card payments are not available online. Contact the hub office to give by bank transfer or cheque.",
        );
    }
    let (Some(email), Some(input), true) = (email, input, errors.is_empty()) else {
        let page = donate_page(state, visitor, v, errors);
        return guest_form(state, visitor, page, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let actor = tutti_store::platform::audit::Actor {
        user_id: None,
        name: format!("guest ({email})"),
        ip: visitor.ip.clone(),
    };
    let item = match state.store.add_guest_donation(&actor, &email, &input).await {
        Ok(item) => item,
        Err(e) => {
            refused_on(e, "amount", &mut errors)?;
            let page = donate_page(state, visitor, v, errors);
            return guest_form(state, visitor, page, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let provider = state.payments.clone().ok_or_else(no_card_payments)?;
    guest_checkout(
        state,
        provider.as_ref(),
        item,
        &email,
        "/donate",
        "a donation's checkout",
    )
    .await
}

// ---- Checkout and the provider ----------------------------------------------------------

pub(super) fn no_card_payments() -> AppError {
    AppError::BadRequest(
        "Card payments are not available online. Contact the hub office to pay by bank transfer or cheque.".into(),
    )
}

pub(super) async fn checkout(a: Acting) -> AppResult<Response> {
    let provider = a.state.payments.clone().ok_or_else(no_card_payments)?;
    let open = a.state.store.open_checkout(a.user.id, provider.name()).await?;
    let back = Back::basket(&open);
    to_hosted_page(&a.state, provider.as_ref(), &a.user.email, open, back).await
}

#[derive(Deserialize)]
pub(super) struct ReturnParams {
    #[serde(rename = "ref", default)]
    reference: String,
}

pub(super) async fn checkout_return(a: Acting, Query(p): Query<ReturnParams>) -> AppResult<Response> {
    let c = a
        .state
        .store
        .checkout_by_reference(&p.reference)
        .await?
        .filter(|c| c.user_id == a.user.id)
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
        shell: Shell::new(&a.state, &a.visitor, heading.clone(), "/basket"),
        heading,
        paragraphs,
        link: Some(("/basket".into(), "Back to your basket".into())),
    })
}

/// The provider's notification: verified, then applied once (a replay changes nothing).
/// 400 for a bad signature (the provider alerts its operator); 500 makes it retry later.
pub(super) async fn webhook(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(provider) = state.payments.clone() else {
        return AppError::NotFound.into_response();
    };
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    receive(&state, provider.as_ref(), signature, &body).await
}

pub(super) async fn receive(
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
        Ok(outcome) => {
            // A payment that came after its booking's places had gone is refunded at once.
            if outcome == tutti_store::money::payments::EventOutcome::Paid
                && let Err(e) = state.store.pay_refunds(provider, None).await
            {
                tracing::warn!(error = %e, "refunds will be tried again");
            }
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                format!("{{\"received\":true,\"outcome\":\"{outcome:?}\"}}"),
            )
                .into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, event = %event.id, "webhook could not be applied");
            (StatusCode::INTERNAL_SERVER_ERROR, "try again").into_response()
        }
    }
}

// ---- The test mode's hosted page --------------------------------------------------------

#[derive(Template)]
#[template(path = "payments/test_page.html")]
pub(super) struct TestPage {
    shell: Shell,
    session: String,
    description: String,
    amount: Pence,
    reference: String,
    open: bool,
}

/// The test mode's secret; every other provider has no test page.
pub(super) fn test_secret(state: &AppState) -> AppResult<String> {
    match &state.config.card_payments {
        CardPayments::TestMode { webhook_secret } => Ok(webhook_secret.clone()),
        _ => Err(AppError::NotFound),
    }
}

pub(super) async fn test_page(
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
    let mut shell = Shell::new(&state, &visitor, "Test payment page", "/basket");
    // A guest paying for a booking has no session: their form cookie's token guards the form.
    if shell.csrf.is_empty() {
        shell.csrf = visitor.form_token().unwrap_or_default().to_owned();
    }
    render(&TestPage {
        shell,
        session,
        description: c.description,
        amount: Pence(c.amount_pence),
        reference: c.reference,
        open: c.status == "open",
    })
}

/// "Pays": sends the hub the signed event the provider would, through the webhook's checks.
pub(super) async fn test_pay(State(state): State<AppState>, Path(session): Path<String>) -> AppResult<Response> {
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
    // A guest's booking returns to its own page, as the provider's success address says.
    if state.store.is_guest_checkout(c.id).await? {
        return Ok(Redirect::to(&format!("/events/paid?ref={}", c.reference)).into_response());
    }
    Ok(Redirect::to(&format!("/basket/return?ref={}", c.reference)).into_response())
}

pub(super) async fn test_cancel(State(state): State<AppState>, Path(_session): Path<String>) -> AppResult<Response> {
    test_secret(&state)?;
    Ok(Redirect::to("/basket").into_response())
}

// ---- The office: invoices, payments, refunds, credits -----------------------------------
