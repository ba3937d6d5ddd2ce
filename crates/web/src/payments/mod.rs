//! Card payments over HTTP: the provider chosen by configuration (Stripe Checkout, the
//! offline test mode, or none), and what a verified webhook does.
pub mod pdf;
pub mod signature;
pub mod stripe;
pub mod test_mode;

use std::sync::Arc;

use tutti_store::money::payments::provider::PaymentProvider;

/// Which card provider the hub uses.
#[derive(Debug, Clone, Default)]
pub enum CardPayments {
    /// No card payments: the basket says to pay the office.
    #[default]
    Off,
    /// Tutti's own offline hosted page (the demo and tests). Takes no money.
    TestMode { webhook_secret: String },
    /// Stripe Checkout.
    Stripe(stripe::StripeConfig),
}

impl CardPayments {
    /// The provider, if card payments are on.
    pub fn provider(&self) -> Option<Arc<dyn PaymentProvider>> {
        self.provider_via(&crate::outbound::Outbound::default())
    }

    /// The provider, reached through `outbound`'s trust and proxy.
    pub fn provider_via(&self, outbound: &crate::outbound::Outbound) -> Option<Arc<dyn PaymentProvider>> {
        match self {
            CardPayments::Off => None,
            CardPayments::TestMode { webhook_secret } => {
                Some(Arc::new(test_mode::TestMode::new(webhook_secret.clone())))
            }
            CardPayments::Stripe(config) => Some(Arc::new(stripe::StripeCheckout::new(config.clone(), outbound))),
        }
    }

    /// The test mode with a secret made for this run of the server.
    pub fn test_mode() -> CardPayments {
        CardPayments::TestMode {
            webhook_secret: format!("whsec_{}", tutti_store::platform::tokens::random_token()),
        }
    }
}
