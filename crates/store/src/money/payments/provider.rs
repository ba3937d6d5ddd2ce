//! The payment provider behind a trait: a hosted card page for an amount and a reference, and
//! the signed notifications (webhooks) it sends back, and refunds of what a checkout took.
//! The system never sees card numbers.
use std::future::Future;
use std::pin::Pin;

use time::OffsetDateTime;
use tutti_domain::Pence;

/// What we ask the provider's hosted page to take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutRequest {
    pub amount: Pence,
    /// Our reference for the checkout (`payment_checkouts.reference`), echoed back in webhooks.
    pub reference: String,
    /// What the payer sees on the hosted page.
    pub description: String,
    pub customer_email: Option<String>,
    /// Where the provider sends the payer after paying, and after giving up.
    pub success_url: String,
    pub cancel_url: String,
}

/// The provider's answer: its id for the session and the page to send the payer to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedCheckout {
    pub session_id: String,
    pub url: String,
}

/// A refund we ask the provider to make, of part or all of what one checkout took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    /// The provider's id for the checkout session that took the money.
    pub session_id: String,
    pub amount: Pence,
    /// Our reference for the refund, sent as the idempotency key: asking again with the same
    /// reference makes no second refund.
    pub reference: String,
}

/// The provider's id for a refund it has made (or had made already for the same reference).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderRefund {
    pub id: String,
}

/// A verified notification from the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderEvent {
    /// The provider's unique id for the event: a replay carries the same id.
    pub id: String,
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// The payer paid on the hosted page.
    CheckoutCompleted {
        session_id: String,
        reference: String,
        amount: Pence,
    },
    /// The session expired unpaid.
    CheckoutExpired { session_id: String },
    /// Anything else the provider sends; acknowledged and ignored.
    Other(String),
}

/// Why a checkout could not be started.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("the payment provider could not be reached: {0}")]
    Unreachable(String),
    #[error("the payment provider refused the request: {0}")]
    Refused(String),
}

/// Why a webhook was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("the signature header is missing or malformed")]
    MissingSignature,
    #[error("no signature matches")]
    BadSignature,
    #[error("the signature is too old or from the future")]
    OutsideTolerance,
    #[error("the event could not be read: {0}")]
    Malformed(String),
}

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A card payment provider with a hosted checkout page.
pub trait PaymentProvider: Send + Sync {
    /// The provider's name as stored with checkouts and events ("stripe", "test").
    fn name(&self) -> &'static str;

    /// Starts a hosted checkout.
    fn create_checkout<'a>(
        &'a self,
        request: &'a CheckoutRequest,
    ) -> BoxFuture<'a, Result<HostedCheckout, ProviderError>>;

    /// Refunds `request.amount` of what a checkout took, once for each reference.
    fn refund<'a>(&'a self, request: &'a RefundRequest) -> BoxFuture<'a, Result<ProviderRefund, ProviderError>>;

    /// Verifies a webhook's signature (`signature` is the provider's signature header) and
    /// reads the event. `now` decides the timestamp tolerance.
    fn verify_webhook(&self, signature: &str, body: &[u8], now: OffsetDateTime) -> Result<ProviderEvent, WebhookError>;
}
