//! Cancelling a booking (decision 0093): found for the booker who may cancel it (a signed-in
//! booker's own, or a guest's by its reference and the token from their confirmation, never
//! the reference alone), the terms said before confirming, and the cancellation itself in one
//! transaction: places freed for the waiting list in order, the refund the event's rule gives
//! owed through the provider that took the payment, the booker told. Refusals change nothing.
use time::Date;
use tutti_domain::Pence;
use tutti_domain::events::{CancelTerms, EventRefusal, cancellation_letter};

use super::bookings::{Booking, booking_matching, booking_where};
use super::{event_in, lock_event};
use crate::error::{Result, StoreError};
use crate::platform::audit::{self, Action, Actor};
use crate::platform::outbox;
use crate::query::exec;
use crate::{Store, now};

/// Who is cancelling, which decides what they may cancel and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Canceller {
    /// The booker, up to the day before the first session.
    Booker,
    /// The office, at any time; `full_refund` refunds everything paid whatever the notice.
    Office { full_refund: bool },
}

/// A cancellation made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cancelled {
    pub reference: String,
    pub refund: Pence,
    /// Whether the refund is owed through the payment provider (then `Store::pay_refunds`).
    pub by_card: bool,
}

fn terms_of(b: &Booking, first_session: Date, refund_days: i32, today: Date, who: Canceller) -> Result<CancelTerms> {
    b.status.cancel()?;
    if who == Canceller::Booker && b.checked_in_at.is_some() {
        return Err(EventRefusal::CheckedIn.into());
    }
    let (by_office, by_hub) = match who {
        Canceller::Booker => (false, false),
        Canceller::Office { full_refund } => (true, full_refund),
    };
    Ok(CancelTerms::on(
        b.paid,
        today,
        first_session,
        refund_days.max(0) as u32,
        by_office,
        by_hub,
    )?)
}

#[tutti_boxed::boxed]
impl Store {
    /// A signed-in person's own booking; anyone else's is not found.
    pub async fn own_booking(&self, user_id: i64, booking_id: i64) -> Result<Booking> {
        booking_where(self.conn(), "b.id = ?", booking_id.into())
            .await?
            .filter(|b| b.user_id == Some(user_id))
            .ok_or(StoreError::NotFound)
    }

    /// A guest's booking by its reference and the token from its confirmation; with a wrong
    /// or missing token it is not found, so a reference alone reveals nothing.
    pub async fn booking_by_token(&self, reference: &str, token: &str) -> Result<Booking> {
        if token.is_empty() {
            return Err(StoreError::NotFound);
        }
        let hash = crate::platform::tokens::hash_token(token);
        booking_matching(
            self.conn(),
            "b.reference = ? AND b.cancel_token_hash = ?",
            vec![reference.trim().to_uppercase().into(), hash.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// What cancelling `booking` today would come to, or why it cannot be cancelled.
    pub async fn cancel_terms(&self, booking: &Booking, who: Canceller) -> Result<CancelTerms> {
        let event = self.event(booking.event_id).await?.ok_or(StoreError::NotFound)?.event;
        terms_of(booking, event.first_date, event.refund_days, self.today(), who)
    }

    /// Cancels a booking on the store's today, all or nothing: refunded as the event's notice
    /// says (or in full by the office's choice), its places offered to the waiting list in
    /// order, the booker told. `expected_refund` is the refund the booker was shown: if it
    /// has changed since (the notice ran out meanwhile), nothing is cancelled.
    pub async fn cancel_booking(
        &self,
        actor: &Actor,
        id: i64,
        who: Canceller,
        expected_refund: Option<Pence>,
    ) -> Result<Cancelled> {
        let txn = self.write().await?;
        let b = booking_where(&txn, "b.id = ?", id.into())
            .await?
            .ok_or(StoreError::NotFound)?;
        lock_event(&txn, b.event_id).await?;
        let event = event_in(&txn, b.event_id).await?.ok_or(StoreError::NotFound)?;
        let terms = terms_of(&b, event.first_date, event.refund_days, self.today(), who)?;
        if let Some(shown) = expected_refund
            && shown != terms.refund
        {
            return Err(EventRefusal::RefundChanged { refund: terms.refund }.into());
        }
        let changed = exec(
            &txn,
            "UPDATE bookings SET status = 'cancelled', refund_pence = ?, held_until = NULL, cancelled_at = ?, \
             updated_at = ? WHERE id = ? AND status IN ('held', 'confirmed')",
            vec![terms.refund.0.into(), now().into(), now().into(), id.into()],
        )
        .await?;
        if changed != 1 {
            return Err(EventRefusal::AlreadyCancelled.into());
        }
        exec(
            &txn,
            "DELETE FROM basket_items WHERE booking_id = ? AND checkout_id IS NULL",
            vec![id.into()],
        )
        .await?;
        let by_card = super::refunds::owe_in(&txn, id, terms.refund).await?;
        super::offers::offer_freed_in(&txn, &event, b.session_id, self.now()).await?;
        let (subject, body) = cancellation_letter(&b.name, &event.title, &b.reference, terms.refund);
        outbox::enqueue(&txn, &b.email, &subject, &body).await?;
        let summary = format!("{} cancelled, refund due {}", b.reference, terms.refund);
        audit::commit(txn, actor, Action::Update, "booking", Some(id), summary).await?;
        Ok(Cancelled {
            reference: b.reference,
            refund: terms.refund,
            by_card,
        })
    }
}
