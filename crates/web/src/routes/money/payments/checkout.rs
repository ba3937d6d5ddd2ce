//! Sending a payer to the payment provider's hosted page for a checkout just opened: a
//! signed-in payer's basket, and a guest's booking or donation.
use axum::response::{IntoResponse, Redirect, Response};
use tutti_domain::Pence;
use tutti_store::money::payments::Checkout;
use tutti_store::money::payments::provider::{CheckoutRequest, PaymentProvider};

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Where the provider sends the payer back to (paths on this site), and what the log calls
/// the checkout when the provider cannot be reached.
pub(crate) struct Back<'a> {
    pub success: String,
    pub cancel: &'a str,
    pub what: &'a str,
}

impl Back<'static> {
    /// A signed-in payer's basket: back to it, and to its receipt once paid.
    pub(crate) fn basket(open: &Checkout) -> Back<'static> {
        Back {
            success: format!("/basket/return?ref={}", open.reference),
            cancel: "/basket",
            what: "a checkout",
        }
    }
}

/// Sends the payer to the provider's hosted page for a checkout just opened.
pub(crate) async fn to_hosted_page(
    state: &AppState,
    provider: &dyn PaymentProvider,
    email: &str,
    open: Checkout,
    back: Back<'_>,
) -> AppResult<Response> {
    let base = state.config.public_url.trim_end_matches('/');
    let request = CheckoutRequest {
        amount: Pence(open.amount_pence),
        reference: open.reference.clone(),
        description: open.description.clone(),
        customer_email: Some(email.to_owned()),
        success_url: format!("{base}{}", back.success),
        cancel_url: format!("{base}{}", back.cancel),
    };
    match provider.create_checkout(&request).await {
        Ok(hosted) => {
            state.store.set_checkout_session(open.id, &hosted.session_id).await?;
            Ok(Redirect::to(&hosted.url).into_response())
        }
        Err(e) => {
            tracing::error!(error = %e, reference = %open.reference, "could not start {}", back.what);
            Err(AppError::BadRequest(
                "We could not reach the payment provider, and nothing has been taken. Try again in a few minutes."
                    .into(),
            ))
        }
    }
}

/// Opens the checkout of a guest's basket line (a booking or a donation) and sends them to
/// the provider's page; they come back to their tickets or receipt, or to `cancel`.
pub(crate) async fn guest_checkout(
    state: &AppState,
    provider: &dyn PaymentProvider,
    item: i64,
    email: &str,
    cancel: &str,
    what: &str,
) -> AppResult<Response> {
    let open = state.store.open_guest_checkout(item, provider.name()).await?;
    let success = format!("/events/paid?ref={}", open.reference);
    let back = Back { success, cancel, what };
    to_hosted_page(state, provider, email, open, back).await
}
