//! The test mode provider: a hosted page served by Tutti itself at /pay/test/{session}, so the
//! demo and the tests run the whole card flow offline. Its webhooks are Stripe's format,
//! signed with a local secret, and go through the same verification as real ones. Refunds
//! are kept in memory by their reference, so asking twice makes one refund, as with Stripe.
use std::collections::HashMap;
use std::sync::Mutex;

use time::OffsetDateTime;
use tutti_domain::Pence;
use tutti_store::money::payments::provider::{
    BoxFuture, CheckoutRequest, HostedCheckout, PaymentProvider, ProviderError, ProviderEvent, ProviderRefund,
    RefundRequest, WebhookError,
};

use super::{signature, stripe};

pub struct TestMode {
    pub webhook_secret: String,
    /// The refunds made, by our reference: the provider's id, the session and the amount.
    refunds: Mutex<HashMap<String, (String, String, Pence)>>,
}

impl TestMode {
    pub fn new(webhook_secret: String) -> TestMode {
        TestMode {
            webhook_secret,
            refunds: Mutex::new(HashMap::new()),
        }
    }

    /// How many refunds this provider has made (each reference once).
    pub fn refunds_made(&self) -> usize {
        self.refunds.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// A new random id with a prefix, like Stripe's ids.
pub fn random_id(prefix: &str) -> String {
    format!("{prefix}_{}", &tutti_store::platform::tokens::random_token()[..24])
}

impl PaymentProvider for TestMode {
    fn name(&self) -> &'static str {
        "test"
    }

    fn create_checkout<'a>(
        &'a self,
        _request: &'a CheckoutRequest,
    ) -> BoxFuture<'a, Result<HostedCheckout, ProviderError>> {
        Box::pin(async move {
            let session_id = random_id("cs_test");
            Ok(HostedCheckout {
                url: format!("/pay/test/{session_id}"),
                session_id,
            })
        })
    }

    fn refund<'a>(&'a self, request: &'a RefundRequest) -> BoxFuture<'a, Result<ProviderRefund, ProviderError>> {
        Box::pin(async move {
            if request.amount <= Pence::ZERO {
                return Err(ProviderError::Refused("a refund must be more than nothing".into()));
            }
            let mut refunds = self.refunds.lock().unwrap_or_else(|e| e.into_inner());
            let (id, _, _) = refunds
                .entry(request.reference.clone())
                .or_insert_with(|| (random_id("re_test"), request.session_id.clone(), request.amount));
            Ok(ProviderRefund { id: id.clone() })
        })
    }

    fn verify_webhook(&self, sig: &str, body: &[u8], now: OffsetDateTime) -> Result<ProviderEvent, WebhookError> {
        signature::verify(&self.webhook_secret, sig, body, now, signature::DEFAULT_TOLERANCE_SECS)?;
        stripe::parse_event(body)
    }
}
