//! Payments over HTTP: the basket and donations, card checkout through the provider's hosted
//! page (or the offline test page), the provider's signed webhooks, and the office's screens
//! for invoice payments, refunds, agreements, Direct Debit and lesson credits.
mod basket;
pub(crate) mod checkout;
mod collections;
mod documents;
mod gift_aid;
mod office;
pub(crate) mod pay;

use axum::routing::{get, post};
use basket::*;
use collections::*;
use documents::*;
use gift_aid::{gift_aid, make_claim};
use office::*;
use pay::{pay, pay_form};
use tutti_store::platform::accounts::Role;

use crate::access::{Access, Audience, Routes};

/// The webhook and the test mode's hosted page need no account: the webhook is
/// authenticated by its signature; the basket shows a log-in prompt to visitors; anyone may
/// donate (a guest pays by card at once, decision 0086).
pub fn public_audience() -> Audience {
    Audience::new(
        Access::Public,
        Routes::new()
            .route("/basket", get(basket))
            .route("/donate", get(donate_form).post(donate))
            .route("/payments/webhook", post(webhook))
            .route("/pay/test/{session}", get(test_page))
            .route("/pay/test/{session}/pay", post(test_pay))
            .route("/pay/test/{session}/cancel", post(test_cancel)),
    )
}

/// Anyone signed in has a basket.
pub fn basket_audience() -> Audience {
    Audience::new(
        Access::SignedIn,
        Routes::new()
            .route("/basket/checkout", post(checkout))
            .route("/basket/items/{id}/remove", post(remove_item))
            .route("/basket/invoices/{id}", post(add_invoice))
            .route("/basket/return", get(checkout_return))
            .route("/account/invoices/{id}", get(own_invoice_pdf))
            .route("/account/invoices/{id}/pay", get(pay_form).post(pay)),
    )
}

/// The office's payment screens.
pub fn office_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Admin, Role::Manager]),
        Routes::new()
            .route("/admin/payments", get(payments_index))
            .route("/admin/invoices/{id}/payments", get(invoice_page).post(record_payment))
            .route("/admin/invoices/{id}/refunds", post(record_refund))
            .route("/admin/invoices/{id}/invoice.pdf", get(invoice_pdf))
            .route("/admin/payments/credits", post(run_credits))
            .route("/admin/donations", get(donations))
            .route("/admin/donations/gift-aid", get(gift_aid).post(make_claim))
            .route("/admin/agreements", get(agreements))
            .route("/admin/agreements/new", get(agreement_form).post(create_agreement))
            .route("/admin/agreements/journal.csv", get(journal))
            .route("/admin/direct-debit", get(direct_debit))
            .route("/admin/direct-debit/new", get(mandate_form).post(create_mandate))
            .route("/admin/direct-debit/collection.csv", get(collection_file)),
    )
}

// ---- The basket -------------------------------------------------------------------------
