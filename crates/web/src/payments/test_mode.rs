//! The test mode provider: a hosted page served by Tutti itself at /pay/test/{session}, so the
//! demo and the tests run the whole card flow offline. Its webhooks are Stripe's format,
//! signed with a local secret, and go through the same verification as real ones.
use time::OffsetDateTime;
use tutti_store::money::payments::provider::{
    BoxFuture, CheckoutRequest, HostedCheckout, PaymentProvider, ProviderError, ProviderEvent, WebhookError,
};

use super::{signature, stripe};

pub struct TestMode {
    pub webhook_secret: String,
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

    fn verify_webhook(&self, sig: &str, body: &[u8], now: OffsetDateTime) -> Result<ProviderEvent, WebhookError> {
        signature::verify(&self.webhook_secret, sig, body, now, signature::DEFAULT_TOLERANCE_SECS)?;
        stripe::parse_event(body)
    }
}
