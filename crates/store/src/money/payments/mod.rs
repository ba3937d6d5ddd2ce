//! Payments: the basket, card checkouts through a [`provider::PaymentProvider`] and the
//! provider's events, applied once each. Donations, agreements and invoice payments live in
//! the submodules.
pub mod agreements;
pub mod basket;
pub mod collections;
pub mod credits;
pub mod gift_aid;
pub mod guests;
pub mod invoices;
pub mod provider;
pub mod services;

use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;
use tutti_domain::Pence;
use tutti_domain::payments::{check_checkout, items_description};

use crate::error::Result;
use crate::platform::audit::{self, Action, Actor};
use crate::query::one_of;
use crate::{Store, now};
use provider::{EventKind, ProviderEvent};

pub(crate) use crate::query::{exec, insert_id};

/// The provider, as the audit log names it.
fn provider_actor(provider: &str) -> Actor {
    Actor {
        user_id: None,
        name: format!("payment provider ({provider})"),
        ip: "webhook".into(),
    }
}

/// A checkout as the return page and the admin screens show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, FromQueryResult)]
pub struct Checkout {
    pub id: i64,
    pub reference: String,
    pub user_id: i64,
    pub provider: String,
    pub provider_session: Option<String>,
    pub amount_pence: i64,
    pub description: String,
    pub status: String,
}

const CHECKOUT_COLUMNS: &str = "id, reference, user_id, provider, provider_session, amount_pence, description, status";

/// What applying a provider's event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventOutcome {
    /// The checkout is now paid and its basket items applied.
    Paid,
    /// This event id was seen before: nothing changed.
    Duplicate,
    /// A new event about a checkout already paid (the provider notified twice): nothing changed.
    AlreadyPaid,
    /// The checkout expired unpaid; its items stay in the basket.
    Expired,
    /// An event we do not act on, or for a checkout we do not know.
    Ignored,
}

impl EventOutcome {
    fn as_str(self) -> &'static str {
        match self {
            EventOutcome::Paid => "paid",
            EventOutcome::Duplicate => "duplicate",
            EventOutcome::AlreadyPaid => "already_paid",
            EventOutcome::Expired => "expired",
            EventOutcome::Ignored => "ignored",
        }
    }
}

/// A new checkout reference: unguessable, so a return URL reveals nothing about others.
fn new_reference() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("TUT-{hex}")
}

#[tutti_boxed::boxed]
impl Store {
    /// Opens a checkout for everything in a person's basket and attaches the items to it,
    /// so the amount the provider takes is exactly what the basket held.
    pub async fn open_checkout(&self, user_id: i64, provider: &str) -> Result<Checkout> {
        let txn = self.write().await?;
        let checkout = open_checkout_in(&txn, user_id, provider, None).await?;
        txn.commit().await?;
        Ok(checkout)
    }

    /// Opens a checkout for `amount` towards one invoice `user` pays (decision 76): the next
    /// instalment, or any amount from £1 (or the balance, if less) to the balance. The
    /// invoice's basket line is set to that amount and is the checkout's only item, so the
    /// rest of the basket waits; the webhook then records one card payment of exactly that
    /// amount against the invoice, once however often the provider tells us.
    pub async fn open_invoice_checkout(
        &self,
        user: &crate::platform::accounts::User,
        invoice_id: i64,
        amount: Pence,
        provider: &str,
    ) -> Result<Checkout> {
        let txn = self.write().await?;
        let item = invoices::put_invoice_amount(&txn, user, invoice_id, amount).await?;
        let checkout = open_checkout_in(&txn, user.id, provider, Some(item)).await?;
        txn.commit().await?;
        Ok(checkout)
    }

    /// Notes the provider's session id for a checkout once its hosted page exists.
    pub async fn set_checkout_session(&self, checkout_id: i64, session_id: &str) -> Result<()> {
        exec(
            self.conn(),
            "UPDATE payment_checkouts SET provider_session = ? WHERE id = ?",
            vec![session_id.into(), checkout_id.into()],
        )
        .await?;
        Ok(())
    }

    pub async fn checkout_by_reference(&self, reference: &str) -> Result<Option<Checkout>> {
        one_of::<Checkout>(
            self.conn(),
            &format!("SELECT {CHECKOUT_COLUMNS} FROM payment_checkouts WHERE reference = ?"),
            [reference.into()],
        )
        .await
    }

    pub async fn checkout_by_session(&self, provider: &str, session_id: &str) -> Result<Option<Checkout>> {
        one_of::<Checkout>(
            self.conn(),
            &format!("SELECT {CHECKOUT_COLUMNS} FROM payment_checkouts WHERE provider = ? AND provider_session = ?"),
            [provider.into(), session_id.into()],
        )
        .await
    }

    /// Applies a verified provider event, all or nothing. The event id is stored under a
    /// unique key first, so a replay or a duplicate delivery changes nothing.
    pub async fn apply_provider_event(&self, provider: &str, event: &ProviderEvent) -> Result<EventOutcome> {
        let txn = self.write().await?;
        let kind = match &event.kind {
            EventKind::CheckoutCompleted { .. } => "checkout.session.completed",
            EventKind::CheckoutExpired { .. } => "checkout.session.expired",
            EventKind::Other(k) => k.as_str(),
        };
        let inserted = exec(
            &txn,
            "INSERT INTO payment_events (provider, event_id, kind, checkout_id, outcome, received_at) \
             VALUES (?, ?, ?, NULL, 'pending', ?) ON CONFLICT (provider, event_id) DO NOTHING",
            vec![provider.into(), event.id.clone().into(), kind.into(), now().into()],
        )
        .await?;
        if inserted == 0 {
            return Ok(EventOutcome::Duplicate);
        }
        let (outcome, checkout_id) = match &event.kind {
            EventKind::CheckoutCompleted {
                session_id,
                reference,
                amount,
            } => complete_checkout(&txn, provider, session_id, reference, *amount, self.now()).await?,
            EventKind::CheckoutExpired { session_id } => {
                let checkout = checkout_in(&txn, provider, session_id).await?;
                match checkout {
                    Some(c) if c.status == "open" => {
                        exec(
                            &txn,
                            "UPDATE payment_checkouts SET status = 'expired' WHERE id = ?",
                            vec![c.id.into()],
                        )
                        .await?;
                        (EventOutcome::Expired, Some(c.id))
                    }
                    Some(c) => (EventOutcome::Ignored, Some(c.id)),
                    None => (EventOutcome::Ignored, None),
                }
            }
            EventKind::Other(_) => (EventOutcome::Ignored, None),
        };
        exec(
            &txn,
            "UPDATE payment_events SET outcome = ?, checkout_id = ? WHERE provider = ? AND event_id = ?",
            vec![
                outcome.as_str().into(),
                checkout_id.into(),
                provider.into(),
                event.id.clone().into(),
            ],
        )
        .await?;
        txn.commit().await?;
        Ok(outcome)
    }

    /// How many provider events have been stored (each once).
    pub async fn provider_event_count(&self) -> Result<i64> {
        #[derive(FromQueryResult)]
        struct N {
            n: i64,
        }
        let n = one_of::<N>(self.conn(), "SELECT COUNT(*) AS n FROM payment_events", []).await?;
        Ok(n.map(|n| n.n).unwrap_or(0))
    }
}

/// Opens a checkout for the person's basket (or only its item `only`) and attaches the items
/// to it, so the amount the provider takes is exactly what they held.
async fn open_checkout_in(
    txn: &impl ConnectionTrait,
    user_id: i64,
    provider: &str,
    only: Option<i64>,
) -> Result<Checkout> {
    basket::refresh_invoice_items(txn, user_id).await?;
    let mut items = basket::items(txn, user_id).await?;
    if let Some(id) = only {
        items.retain(|i| i.id == id);
    }
    let total: Pence = items.iter().map(|i| Pence(i.amount_pence)).sum();
    check_checkout(items.len(), total)?;
    let description = match items.as_slice() {
        [one] => one.description.clone(),
        many => items_description(many.len()),
    };
    let reference = new_reference();
    let id = insert_id(
        txn,
        "INSERT INTO payment_checkouts (reference, user_id, provider, provider_session, amount_pence, \
         description, status, created_at) VALUES (?, ?, ?, NULL, ?, ?, 'open', ?) RETURNING id",
        vec![
            reference.clone().into(),
            user_id.into(),
            provider.into(),
            total.0.into(),
            description.clone().into(),
            now().into(),
        ],
    )
    .await?;
    // Only the items in this checkout: with `only`, the rest of the basket stays for later.
    let ids: Vec<String> = items.iter().map(|i| i.id.to_string()).collect();
    exec(
        txn,
        &format!(
            "UPDATE basket_items SET checkout_id = ? WHERE user_id = ? AND id IN ({})",
            ids.join(", ")
        ),
        vec![id.into(), user_id.into()],
    )
    .await?;
    Ok(Checkout {
        id,
        reference,
        user_id,
        provider: provider.into(),
        provider_session: None,
        amount_pence: total.0,
        description,
        status: "open".into(),
    })
}

async fn checkout_in(conn: &impl ConnectionTrait, provider: &str, session_id: &str) -> Result<Option<Checkout>> {
    one_of::<Checkout>(
        conn,
        &format!("SELECT {CHECKOUT_COLUMNS} FROM payment_checkouts WHERE provider = ? AND provider_session = ?"),
        [provider.into(), session_id.into()],
    )
    .await
}

/// Marks a checkout paid and applies its basket items: donations paid, invoices credited.
async fn complete_checkout(
    conn: &impl ConnectionTrait,
    provider: &str,
    session_id: &str,
    reference: &str,
    amount: Pence,
    at: time::OffsetDateTime,
) -> Result<(EventOutcome, Option<i64>)> {
    let Some(c) = checkout_in(conn, provider, session_id).await? else {
        return Ok((EventOutcome::Ignored, None));
    };
    if c.status == "paid" {
        return Ok((EventOutcome::AlreadyPaid, Some(c.id)));
    }
    // The provider echoes our reference and the amount; a mismatch is not our checkout's payment.
    if c.reference != reference || c.amount_pence != amount.0 {
        tracing::warn!(
            checkout = c.id,
            "provider event disagrees with the checkout's reference or amount"
        );
        return Ok((EventOutcome::Ignored, Some(c.id)));
    }
    exec(
        conn,
        "UPDATE payment_checkouts SET status = 'paid', completed_at = ? WHERE id = ?",
        vec![now().into(), c.id.into()],
    )
    .await?;
    let applied = basket::apply_paid_items(conn, &c, at).await?;
    // The money was taken either way; with nothing left to apply it to, the office must
    // allocate or refund it, and the audit log says so.
    let note = if applied == 0 {
        ": nothing left in the basket to apply it to, allocate or refund it"
    } else {
        ""
    };
    audit::record(
        conn,
        &provider_actor(provider),
        Action::Create,
        "payment",
        Some(c.id),
        format!("card payment {} of {} for {}{note}", c.reference, amount, c.description),
    )
    .await?;
    Ok((EventOutcome::Paid, Some(c.id)))
}
