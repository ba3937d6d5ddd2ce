//! A booker cancelling their own booking (decision 0093): a signed-in booker from their
//! account, a guest through the link in their confirmation (the reference and its token; the
//! reference alone is 404). The page says what cancelling comes to before it is confirmed;
//! the refund then goes back through the payment provider that took it.
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tutti_domain::Pence;
use tutti_store::events::bookings::Booking;
use tutti_store::events::cancelling::Canceller;
use tutti_store::platform::audit::Actor;

use crate::acting::Acting;
use crate::error::{AppResult, refusal_text};
use crate::format;
use crate::pages::{MessagePage, render};
use crate::routes::records::Values;
use crate::session::{Visitor, form_token};
use crate::shell::Shell;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "events/cancel.html")]
struct CancelPage {
    shell: Shell,
    csrf: String,
    action: String,
    reference: String,
    event: String,
    /// What cancelling comes to, or why it cannot be done.
    terms: String,
    refund_pence: i64,
    refusal: String,
}

async fn cancel_page(state: &AppState, visitor: &Visitor, b: &Booking, action: String) -> AppResult<Response> {
    let (csrf, cookie) = form_token(state, visitor).await?;
    let (terms, refund_pence, refusal) = match state.store.cancel_terms(b, Canceller::Booker).await {
        Ok(t) => (t.words(), t.refund.0, String::new()),
        Err(e) => (String::new(), 0, refusal_text(e)?),
    };
    let status = if refusal.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::CONFLICT
    };
    let response = (
        status,
        render(&CancelPage {
            shell: Shell::new(state, visitor, format!("Cancel booking {}", b.reference), "/events"),
            csrf,
            action,
            reference: b.reference.clone(),
            event: b.event_title.clone(),
            terms,
            refund_pence,
            refusal,
        })?,
    )
        .into_response();
    // The page's address carries the guest's token: never cached.
    Ok(crate::session::uncached_form(response, cookie))
}

/// Cancels as the booker, then pays the refund back through the provider at once (the sweep
/// tries again if the provider cannot be reached). A refusal changes nothing and says why.
async fn cancel(state: &AppState, visitor: &Visitor, actor: &Actor, b: &Booking, v: &Values) -> AppResult<Response> {
    let shown = v
        .get("refund_pence")
        .and_then(|s| s.trim().parse::<i64>().ok())
        .map(Pence);
    let (heading, paragraphs, status) = match state.store.cancel_booking(actor, b.id, Canceller::Booker, shown).await {
        Ok(done) => {
            if done.by_card
                && let Some(provider) = state.payments.clone()
                && let Err(e) = state.store.pay_refunds(provider.as_ref(), Some(b.id)).await
            {
                tracing::warn!(error = %e, booking = b.id, "a booking's refund will be tried again");
            }
            let money = if done.refund > Pence::ZERO {
                format!(
                    "{} is being refunded to the card you paid with; it can take up to ten days to arrive.",
                    format::money(done.refund)
                )
            } else {
                "No refund is due.".to_owned()
            };
            (
                "Your booking is cancelled".to_owned(),
                vec![
                    format!(
                        "Booking {} for {} is cancelled, and its places are free for others.",
                        done.reference, b.event_title
                    ),
                    money,
                    "We have emailed you to confirm.".to_owned(),
                ],
                StatusCode::OK,
            )
        }
        Err(e) => (
            "Your booking was not cancelled".to_owned(),
            vec![refusal_text(e)?, "Nothing has been changed.".to_owned()],
            StatusCode::CONFLICT,
        ),
    };
    Ok((
        status,
        render(&MessagePage {
            shell: Shell::new(state, visitor, heading.clone(), "/events"),
            heading,
            paragraphs,
            link: Some((format!("/events/tickets/{}", b.reference), "Your booking".into())),
        })?,
    )
        .into_response())
}

fn guest_action(reference: &str, token: &str) -> String {
    format!("/events/tickets/{reference}/cancel/{token}")
}

fn guest_actor(visitor: &Visitor, b: &Booking) -> Actor {
    Actor {
        user_id: None,
        name: format!("guest ({})", b.name),
        ip: visitor.ip.clone(),
    }
}

pub(super) async fn guest_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((reference, token)): Path<(String, String)>,
) -> AppResult<Response> {
    let b = state.store.booking_by_token(&reference, &token).await?;
    cancel_page(&state, &visitor, &b, guest_action(&b.reference, &token)).await
}

pub(super) async fn guest_cancel(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((reference, token)): Path<(String, String)>,
    Form(v): Form<Values>,
) -> AppResult<Response> {
    let b = state.store.booking_by_token(&reference, &token).await?;
    cancel(&state, &visitor, &guest_actor(&visitor, &b), &b, &v).await
}

pub(super) async fn own_form(a: Acting, Path(id): Path<i64>) -> AppResult<Response> {
    let b = a.state.store.own_booking(a.user.id, id).await?;
    cancel_page(&a.state, &a.visitor, &b, format!("/account/bookings/{id}/cancel")).await
}

pub(super) async fn own_cancel(a: Acting, Path(id): Path<i64>, Form(v): Form<Values>) -> AppResult<Response> {
    let b = a.state.store.own_booking(a.user.id, id).await?;
    cancel(&a.state, &a.visitor, &a.actor(), &b, &v).await
}
