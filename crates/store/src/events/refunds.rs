//! Bookings' refunds through the payment provider (decision 0093): one row a booking, owed in
//! the transaction that cancels it, then paid back outside any transaction by the provider
//! under the row's own reference (its idempotency key). A repeated cancellation, a retry after
//! a failure and two app servers at once all come to one refund, recorded once.
use sea_orm::{ConnectionTrait, FromQueryResult};
use time::OffsetDateTime;
use tutti_domain::Pence;

use crate::error::Result;
use crate::money::payments::provider::{PaymentProvider, RefundRequest};
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, exec, one_of};
use crate::{Store, now};

/// How long a refund being paid by one app server is left to it before another may retry.
const CLAIM_SECONDS: i64 = 300;

/// A booking's refund as the office and tests see it.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct BookingRefund {
    pub id: i64,
    pub booking_id: i64,
    pub reference: String,
    pub amount_pence: i64,
    /// "pending" or "refunded".
    pub status: String,
    pub provider_refund: Option<String>,
    pub attempts: i32,
    pub last_error: String,
}

/// What paying the owed refunds did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RefundsPaid {
    pub refunded: u32,
    pub failed: u32,
}

fn new_reference() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("RF-{hex}")
}

/// Owes `amount` back on a booking paid by card, to be paid by the provider that took it.
/// Nothing when nothing is due or the booking was not paid by card (the office then pays it
/// back another way, as for invoices). A booking is refunded once: a second call owes nothing
/// more. Returns whether a refund is now owed through the provider.
pub(crate) async fn owe_in(conn: &impl ConnectionTrait, booking_id: i64, amount: Pence) -> Result<bool> {
    if amount <= Pence::ZERO {
        return Ok(false);
    }
    #[derive(FromQueryResult)]
    struct Paid {
        checkout_id: i64,
        provider: String,
    }
    let Some(paid) = one_of::<Paid>(
        conn,
        "SELECT c.id AS checkout_id, c.provider FROM bookings b JOIN payment_checkouts c ON c.id = b.checkout_id \
         WHERE b.id = ? AND c.status = 'paid'",
        [booking_id.into()],
    )
    .await?
    else {
        return Ok(false);
    };
    let inserted = exec(
        conn,
        "INSERT INTO booking_refunds (booking_id, checkout_id, provider, reference, amount_pence, status, \
         provider_refund, attempts, last_error, claimed_at, refunded_at, created_at) \
         VALUES (?, ?, ?, ?, ?, 'pending', NULL, 0, '', NULL, NULL, ?) ON CONFLICT (booking_id) DO NOTHING",
        vec![
            booking_id.into(),
            paid.checkout_id.into(),
            paid.provider.into(),
            new_reference().into(),
            amount.0.into(),
            now().into(),
        ],
    )
    .await?;
    Ok(inserted == 1)
}

const REFUND_COLUMNS: &str = "id, booking_id, reference, amount_pence, status, provider_refund, attempts, last_error";

#[tutti_boxed::boxed]
impl Store {
    /// A booking's refund through the provider, if one is owed or made.
    pub async fn booking_refund(&self, booking_id: i64) -> Result<Option<BookingRefund>> {
        one_of::<BookingRefund>(
            self.conn(),
            &format!("SELECT {REFUND_COLUMNS} FROM booking_refunds WHERE booking_id = ?"),
            [booking_id.into()],
        )
        .await
    }

    /// Pays the refunds owed through `provider` (only `booking`'s, when given): each is
    /// claimed first, so two app servers never both ask; the provider is asked under the
    /// refund's reference, so asking again after a lost answer makes no second refund; and it
    /// is marked refunded once. A failure is kept on the row and tried again by the sweep.
    pub async fn pay_refunds(&self, provider: &dyn PaymentProvider, booking: Option<i64>) -> Result<RefundsPaid> {
        #[derive(FromQueryResult)]
        struct Owed {
            id: i64,
            booking_id: i64,
            reference: String,
            amount_pence: i64,
            session: Option<String>,
            booking_reference: String,
        }
        let at = self.now();
        let stale = at - time::Duration::seconds(CLAIM_SECONDS);
        let (only, mut values) = match booking {
            Some(b) => (" AND r.booking_id = ?", vec![b.into()]),
            None => ("", Vec::new()),
        };
        values.insert(0, provider.name().into());
        let owed = all_of::<Owed>(
            self.conn(),
            &format!(
                "SELECT r.id, r.booking_id, r.reference, r.amount_pence, c.provider_session AS session, \
                 b.reference AS booking_reference FROM booking_refunds r \
                 JOIN payment_checkouts c ON c.id = r.checkout_id JOIN bookings b ON b.id = r.booking_id \
                 WHERE r.provider = ? AND r.status = 'pending'{only} ORDER BY r.id"
            ),
            values,
        )
        .await?;
        let mut report = RefundsPaid::default();
        for o in owed {
            if !self.claim_refund(o.id, at, stale).await? {
                continue;
            }
            let Some(session) = o.session else {
                self.refund_failed(o.id, "the checkout has no provider session").await?;
                report.failed += 1;
                continue;
            };
            let request = RefundRequest {
                session_id: session,
                amount: Pence(o.amount_pence),
                reference: o.reference.clone(),
            };
            match provider.refund(&request).await {
                Ok(made) => {
                    let txn = self.write().await?;
                    let changed = exec(
                        &txn,
                        "UPDATE booking_refunds SET status = 'refunded', provider_refund = ?, refunded_at = ?, \
                         claimed_at = NULL, last_error = '' WHERE id = ? AND status = 'pending'",
                        vec![made.id.clone().into(), now().into(), o.id.into()],
                    )
                    .await?;
                    if changed == 1 {
                        audit::record(
                            &txn,
                            &Actor {
                                user_id: None,
                                name: format!("payment provider ({})", provider.name()),
                                ip: "refund".into(),
                            },
                            Action::Update,
                            "booking",
                            Some(o.booking_id),
                            format!(
                                "{} refunded {} by card ({} {})",
                                o.booking_reference,
                                Pence(o.amount_pence),
                                o.reference,
                                made.id
                            ),
                        )
                        .await?;
                        report.refunded += 1;
                    }
                    txn.commit().await?;
                }
                Err(e) => {
                    tracing::warn!(error = %e, refund = %o.reference, "a booking's refund failed; it will be tried again");
                    self.refund_failed(o.id, &e.to_string()).await?;
                    report.failed += 1;
                }
            }
        }
        Ok(report)
    }

    async fn claim_refund(&self, id: i64, at: OffsetDateTime, stale: OffsetDateTime) -> Result<bool> {
        let txn = self.write().await?;
        let changed = exec(
            &txn,
            "UPDATE booking_refunds SET claimed_at = ?, attempts = attempts + 1 \
             WHERE id = ? AND status = 'pending' AND (claimed_at IS NULL OR claimed_at < ?)",
            vec![at.into(), id.into(), stale.into()],
        )
        .await?;
        txn.commit().await?;
        Ok(changed == 1)
    }

    async fn refund_failed(&self, id: i64, error: &str) -> Result<()> {
        let txn = self.write().await?;
        exec(
            &txn,
            "UPDATE booking_refunds SET claimed_at = NULL, last_error = ? WHERE id = ? AND status = 'pending'",
            vec![error.chars().take(500).collect::<String>().into(), id.into()],
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
