//! Security headers on every response, and no caching of personal pages.
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::payments::CardPayments;
use crate::state::AppState;

const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; \
                   base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
/// With Stripe Checkout, the basket's "Pay by card" form is redirected to Stripe's hosted
/// page, and browsers apply form-action to a form's redirects too.
const CSP_STRIPE: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                          object-src 'none'; base-uri 'self'; form-action 'self' https://checkout.stripe.com; \
                          frame-ancestors 'none'";

pub async fn secure(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    let csp = match state.config.card_payments {
        CardPayments::Stripe(_) => CSP_STRIPE,
        _ => CSP,
    };
    // A response that brought its own, stricter policy keeps it (the hub's logo, an SVG
    // that must never run anything).
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    if state.config.public_url_is_https() {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
