//! Paying one invoice by card (decision 76): the next instalment, or any amount from £1 (or
//! the balance, when less is left) to the balance, through the provider's hosted page.
use askama::Template;
use axum::extract::{Form, Path};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tutti_domain::Pence;
use tutti_domain::charging::{Instalment, NextPayment, next_payment};
use tutti_domain::payments::card_minimum;
use tutti_store::money::payments::invoices::InvoiceAccount;
use tutti_store::platform::accounts::{Role, User};

use super::basket::no_card_payments;
use super::checkout::{Back, to_hosted_page};
use crate::acting::Acting;
use crate::error::{AppResult, refused_on};
use crate::forms::FormErrors;
use crate::pages::render;
use crate::routes::records::Values;
use crate::session::Visitor;
use crate::shell::Shell;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "payments/pay.html")]
pub(super) struct PayPage {
    shell: Shell,
    errors: FormErrors,
    id: i64,
    number: String,
    term: String,
    /// The invoice's page for this payer.
    back: String,
    balance: Pence,
    amount_hint: String,
    next: NextPayment,
    next_words: String,
    amount: String,
    card_payments: bool,
}

/// The next payment as a sentence: "instalment 2, due by …" or "the whole balance, due now".
pub fn next_payment_words(next: &NextPayment) -> String {
    match next.instalment {
        Some(Instalment { number, due, .. }) => {
            format!("instalment {number}, due by {}", crate::format::long_day(due))
        }
        None => "the whole balance, due now".into(),
    }
}

/// What the payer owes next on an invoice: its plan's next instalment, else the balance.
pub async fn next_payment_on(state: &AppState, account: &InvoiceAccount) -> AppResult<NextPayment> {
    let doc = state.store.invoice_document(account.id).await?;
    // A plan cancelled by a missed instalment has the whole balance due.
    let schedule: Vec<Instalment> = if doc.instalments.iter().any(|i| i.status == "cancelled") {
        Vec::new()
    } else {
        doc.instalments
            .iter()
            .map(|i| Instalment {
                number: i.number as u8,
                due: i.due_on,
                amount: Pence(i.amount_pence),
            })
            .collect()
    };
    Ok(next_payment(
        &schedule,
        Pence(account.settled_pence),
        account.balance(),
        state.store.today(),
    ))
}

fn back_to(user: &User, id: i64) -> String {
    match user.role {
        Role::School => format!("/school/invoices/{id}"),
        _ => format!("/parent/invoices/{id}"),
    }
}

async fn pay_page(
    state: &AppState,
    visitor: &Visitor,
    user: &User,
    id: i64,
    amount: String,
    errors: FormErrors,
) -> AppResult<Response> {
    let account = state.store.own_invoice_account(user, id).await?;
    let next = next_payment_on(state, &account).await?;
    let title = format!("Pay invoice {}", account.number);
    let status = errors.status();
    let page = PayPage {
        shell: Shell::new(state, visitor, title, ""),
        errors,
        id,
        back: back_to(user, id),
        balance: account.balance(),
        amount_hint: format!(
            "Between {} and {}, in pounds and pence, like 25.50",
            card_minimum(account.balance()),
            account.balance()
        ),
        next_words: next_payment_words(&next),
        next,
        number: account.number,
        term: account.term,
        amount,
        card_payments: state.payments.is_some(),
    };
    Ok((status, render(&page)?).into_response())
}

pub(super) async fn pay_form(a: Acting, Path(id): Path<i64>) -> AppResult<Response> {
    pay_page(&a.state, &a.visitor, &a.user, id, String::new(), FormErrors::default()).await
}

pub(super) async fn pay(a: Acting, Path(id): Path<i64>, Form(v): Form<Values>) -> AppResult<Response> {
    let provider = a.state.payments.clone().ok_or_else(no_card_payments)?;
    let typed = v.get("amount").map(|a| a.trim().to_owned()).unwrap_or_default();
    let mut errors = FormErrors::default();
    let amount = match Pence::parse_pounds(&typed) {
        Ok(p) => Some(p),
        Err(_) if typed.is_empty() => {
            errors.add("amount", "Enter the amount to pay, like 25.50");
            None
        }
        Err(e) => {
            errors.add("amount", e.to_string());
            None
        }
    };
    if let Some(amount) = amount {
        match a
            .state
            .store
            .open_invoice_checkout(&a.user, id, amount, provider.name())
            .await
        {
            Ok(open) => {
                let back = Back::basket(&open);
                return to_hosted_page(&a.state, provider.as_ref(), &a.user.email, open, back).await;
            }
            Err(e) => refused_on(e, "amount", &mut errors)?,
        }
    }
    let page = pay_page(&a.state, &a.visitor, &a.user, id, typed, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
