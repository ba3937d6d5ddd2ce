//! Stripe Checkout: a form-encoded POST to `/v1/checkout/sessions` makes the hosted page;
//! `checkout.session.*` events come back signed (see [`super::signature`]); a refund reads the
//! session's payment intent and posts `/v1/refunds` for it under our reference as the
//! idempotency key. The base URL is configurable so tests run against a faithful local server
//! on loopback.
use axum::http::Method;
use serde_json::Value;
use time::OffsetDateTime;
use tutti_domain::Pence;
use tutti_store::money::payments::provider::{
    BoxFuture, CheckoutRequest, EventKind, HostedCheckout, PaymentProvider, ProviderError, ProviderEvent,
    ProviderRefund, RefundRequest, WebhookError,
};

use super::signature;
use crate::outbound::HttpClient;

/// How to reach Stripe and check what it sends.
#[derive(Debug, Clone)]
pub struct StripeConfig {
    /// `https://api.stripe.com` in production (docs/decisions/0080-tls-everywhere-with-rustls.md).
    pub api_base: String,
    /// The secret API key (`sk_live_...` or `sk_test_...`).
    pub secret_key: String,
    /// The webhook endpoint's signing secret (`whsec_...`).
    pub webhook_secret: String,
    /// Seconds a signed webhook stays acceptable.
    pub tolerance_secs: i64,
}

pub struct StripeCheckout {
    config: StripeConfig,
    client: HttpClient,
}

impl StripeCheckout {
    /// `tutti serve` has built the same client once at start, so a bad CA file or proxy is
    /// refused there; here a client that cannot be built falls back to the system's roots.
    pub fn new(config: StripeConfig, outbound: &crate::outbound::Outbound) -> StripeCheckout {
        let timeout = std::time::Duration::from_secs(20);
        let client = outbound.http_client(timeout).unwrap_or_else(|e| {
            tracing::error!(error = %e, "the outbound HTTP settings are not usable; using the system's roots, no proxy");
            crate::outbound::Outbound::default()
                .http_client(timeout)
                .expect("an HTTP client with the system's roots and no proxy builds")
        });
        StripeCheckout { config, client }
    }
}

/// The form Stripe's API takes for a one-off card payment of one line.
pub fn session_form(request: &CheckoutRequest) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("mode", "payment")
        .append_pair("success_url", &request.success_url)
        .append_pair("cancel_url", &request.cancel_url)
        .append_pair("client_reference_id", &request.reference)
        .append_pair("metadata[reference]", &request.reference)
        .append_pair("line_items[0][quantity]", "1")
        .append_pair("line_items[0][price_data][currency]", "gbp")
        .append_pair("line_items[0][price_data][unit_amount]", &request.amount.0.to_string())
        .append_pair("line_items[0][price_data][product_data][name]", &request.description);
    if let Some(email) = &request.customer_email {
        form.append_pair("customer_email", email);
    }
    form.finish()
}

/// The form Stripe's API takes for a refund of part or all of a payment intent.
pub fn refund_form(payment_intent: &str, request: &RefundRequest) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("payment_intent", payment_intent)
        .append_pair("amount", &request.amount.0.to_string())
        .append_pair("metadata[reference]", &request.reference)
        .finish()
}

impl StripeCheckout {
    /// Sends one request to Stripe's API and reads its JSON answer; a refusal keeps Stripe's
    /// message.
    /// A POST sends a form under an idempotency key, so a retried request does its work once.
    async fn call(&self, method: Method, url: &str, form: Option<(&str, String)>) -> Result<Value, ProviderError> {
        let bearer = format!("Bearer {}", self.config.secret_key);
        let mut headers = vec![("Authorization", bearer.as_str())];
        let body = match form {
            Some((key, form)) => {
                headers.push(("Idempotency-Key", key));
                headers.push(("Content-Type", "application/x-www-form-urlencoded"));
                form
            }
            None => String::new(),
        };
        let response = self
            .client
            .send(method, url, &headers, body)
            .await
            .map_err(ProviderError::Unreachable)?;
        let status = response.status;
        let body: Value = serde_json::from_slice(&response.body)
            .map_err(|e| ProviderError::Unreachable(format!("the answer ({status}) is not JSON: {e}")))?;
        if !status.is_success() {
            let message = body["error"]["message"].as_str().unwrap_or("no message").to_owned();
            return Err(ProviderError::Refused(format!("{status}: {message}")));
        }
        Ok(body)
    }
}

impl PaymentProvider for StripeCheckout {
    fn name(&self) -> &'static str {
        "stripe"
    }

    fn create_checkout<'a>(
        &'a self,
        request: &'a CheckoutRequest,
    ) -> BoxFuture<'a, Result<HostedCheckout, ProviderError>> {
        Box::pin(async move {
            let url = format!("{}/v1/checkout/sessions", self.config.api_base.trim_end_matches('/'));
            // A retried request with the same key makes one session, never two.
            let body = self
                .call(Method::POST, &url, Some((&request.reference, session_form(request))))
                .await?;
            match (body["id"].as_str(), body["url"].as_str()) {
                (Some(id), Some(url)) => Ok(HostedCheckout {
                    session_id: id.to_owned(),
                    url: url.to_owned(),
                }),
                _ => Err(ProviderError::Refused("the session has no id or url".into())),
            }
        })
    }

    fn refund<'a>(&'a self, request: &'a RefundRequest) -> BoxFuture<'a, Result<ProviderRefund, ProviderError>> {
        Box::pin(async move {
            let base = self.config.api_base.trim_end_matches('/');
            let session = self
                .call(
                    Method::GET,
                    &format!("{base}/v1/checkout/sessions/{}", request.session_id),
                    None,
                )
                .await?;
            let Some(intent) = session["payment_intent"].as_str() else {
                return Err(ProviderError::Refused("the session has no payment intent".into()));
            };
            // A retried refund with the same key is the same refund, never a second.
            let refund = self
                .call(
                    Method::POST,
                    &format!("{base}/v1/refunds"),
                    Some((&request.reference, refund_form(intent, request))),
                )
                .await?;
            match refund["id"].as_str() {
                Some(id) => Ok(ProviderRefund { id: id.to_owned() }),
                None => Err(ProviderError::Refused("the refund has no id".into())),
            }
        })
    }

    fn verify_webhook(&self, signature: &str, body: &[u8], now: OffsetDateTime) -> Result<ProviderEvent, WebhookError> {
        signature::verify(
            &self.config.webhook_secret,
            signature,
            body,
            now,
            self.config.tolerance_secs,
        )?;
        parse_event(body)
    }
}

/// Reads a Stripe event. A completed session counts as paid only when Stripe says its
/// payment_status is "paid" (delayed methods send `async_payment_succeeded` later).
pub fn parse_event(body: &[u8]) -> Result<ProviderEvent, WebhookError> {
    let event: Value = serde_json::from_slice(body).map_err(|e| WebhookError::Malformed(e.to_string()))?;
    let id = event["id"]
        .as_str()
        .ok_or_else(|| WebhookError::Malformed("no event id".into()))?
        .to_owned();
    let kind = event["type"].as_str().unwrap_or_default();
    let session = &event["data"]["object"];
    let session_id = || {
        session["id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| WebhookError::Malformed("no session id".into()))
    };
    let kind = match kind {
        "checkout.session.completed" | "checkout.session.async_payment_succeeded"
            if session["payment_status"].as_str() == Some("paid") =>
        {
            if session["currency"].as_str() != Some("gbp") {
                return Err(WebhookError::Malformed("a payment in another currency".into()));
            }
            EventKind::CheckoutCompleted {
                session_id: session_id()?,
                reference: session["client_reference_id"].as_str().unwrap_or_default().to_owned(),
                amount: Pence(
                    session["amount_total"]
                        .as_i64()
                        .ok_or_else(|| WebhookError::Malformed("no amount_total".into()))?,
                ),
            }
        }
        "checkout.session.expired" => EventKind::CheckoutExpired {
            session_id: session_id()?,
        },
        other => EventKind::Other(other.to_owned()),
    };
    Ok(ProviderEvent { id, kind })
}

/// A Stripe event body for a session, as Stripe shapes it (used by the test mode and tests).
pub fn event_body(event_id: &str, kind: &str, session_id: &str, reference: &str, amount: Pence, paid: bool) -> String {
    serde_json::json!({
        "id": event_id,
        "object": "event",
        "type": kind,
        "data": { "object": {
            "id": session_id,
            "object": "checkout.session",
            "client_reference_id": reference,
            "amount_total": amount.0,
            "currency": "gbp",
            "mode": "payment",
            "payment_status": if paid { "paid" } else { "unpaid" },
            "status": if paid { "complete" } else { "open" },
        }}
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_form_is_stripes() {
        let form = session_form(&CheckoutRequest {
            amount: Pence(8_025),
            reference: "TUT-1".into(),
            description: "Invoice 2026-A-1 & more".into(),
            customer_email: Some("parent@example.com".into()),
            success_url: "http://hub/basket/return?ref=TUT-1".into(),
            cancel_url: "http://hub/basket".into(),
        });
        assert!(form.contains("mode=payment"));
        assert!(form.contains("line_items%5B0%5D%5Bprice_data%5D%5Bunit_amount%5D=8025"));
        assert!(form.contains("line_items%5B0%5D%5Bprice_data%5D%5Bcurrency%5D=gbp"));
        assert!(form.contains("client_reference_id=TUT-1"));
        assert!(form.contains("Invoice+2026-A-1+%26+more"));
    }

    #[test]
    fn the_refund_form_is_stripes() {
        let form = refund_form(
            "pi_1",
            &RefundRequest {
                session_id: "cs_1".into(),
                amount: Pence(1_600),
                reference: "RF-1".into(),
            },
        );
        assert_eq!(form, "payment_intent=pi_1&amount=1600&metadata%5Breference%5D=RF-1");
    }

    /// A refund reads the session's payment intent, then posts the refund with our reference
    /// as the idempotency key, against a local server answering as Stripe does.
    #[tokio::test]
    async fn a_refund_asks_stripe_once_under_its_reference() {
        use std::sync::{Arc, Mutex};

        use axum::Json;
        use axum::http::HeaderMap;
        use axum::routing::{get, post};

        let seen: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
        let record = seen.clone();
        let app = axum::Router::new()
            .route(
                "/v1/checkout/sessions/{id}",
                get(|axum::extract::Path(id): axum::extract::Path<String>| async move {
                    Json(serde_json::json!({"id": id, "object": "checkout.session", "payment_intent": "pi_local"}))
                }),
            )
            .route(
                "/v1/refunds",
                post(move |headers: HeaderMap, body: String| {
                    let record = record.clone();
                    async move {
                        let key = headers
                            .get("idempotency-key")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_owned();
                        record.lock().unwrap().push((key.clone(), body));
                        Json(serde_json::json!({"id": format!("re_for_{key}"), "object": "refund", "status": "succeeded"}))
                    }
                }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let stripe = StripeCheckout::new(
            StripeConfig {
                api_base: base,
                secret_key: "sk_test_local".into(),
                webhook_secret: "whsec_local".into(),
                tolerance_secs: 300,
            },
            &crate::outbound::Outbound::default(),
        );
        let made = stripe
            .refund(&RefundRequest {
                session_id: "cs_1".into(),
                amount: Pence(1_600),
                reference: "RF-1".into(),
            })
            .await
            .unwrap();
        assert_eq!(made.id, "re_for_RF-1");
        let seen = seen.lock().unwrap();
        assert_eq!(
            seen.as_slice(),
            [(
                "RF-1".to_owned(),
                "payment_intent=pi_local&amount=1600&metadata%5Breference%5D=RF-1".to_owned()
            )]
        );
    }

    #[test]
    fn events_are_read_as_stripe_sends_them() {
        let paid = event_body("evt_1", "checkout.session.completed", "cs_1", "TUT-1", Pence(500), true);
        assert_eq!(
            parse_event(paid.as_bytes()).unwrap().kind,
            EventKind::CheckoutCompleted {
                session_id: "cs_1".into(),
                reference: "TUT-1".into(),
                amount: Pence(500)
            }
        );
        let unpaid = event_body(
            "evt_2",
            "checkout.session.completed",
            "cs_1",
            "TUT-1",
            Pence(500),
            false,
        );
        assert_eq!(
            parse_event(unpaid.as_bytes()).unwrap().kind,
            EventKind::Other("checkout.session.completed".into())
        );
        assert!(parse_event(b"not json").is_err());
    }
}
