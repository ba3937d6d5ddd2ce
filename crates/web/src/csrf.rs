//! The CSRF check: every state-changing request must carry its session's token, or, from a
//! visitor with no session yet, the token of their form cookie. It runs inside each
//! audience's guard, after the access rule, because it may read the body.
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::session::Visitor;

/// The form field and header that carry the token.
pub const FIELD: &str = "csrf_token";
const HEADER: &str = "x-csrf-token";
const WEBHOOK_PATH: &str = "/payments/webhook";

pub async fn verify(request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    // The payment provider's webhook carries no session: its signature is its proof, checked
    // by the handler (routes/money/payments/basket.rs).
    if request.uri().path() == WEBHOOK_PATH {
        return next.run(request).await;
    }
    // A bearer token cannot be sent cross-site by a browser, so it needs no CSRF token.
    if request.extensions().get::<crate::api_auth::Bearer>().is_some() {
        return next.run(request).await;
    }
    // Without a session, the form cookie carries the token (double submit).
    let expected = request
        .extensions()
        .get::<Visitor>()
        .and_then(|v| v.form_token())
        .map(str::to_owned);
    let Some(expected) = expected else { return rejected() };

    if let Some(given) = request.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        return if constant_time_eq(given.as_bytes(), expected.as_bytes()) {
            next.run(request).await
        } else {
            rejected()
        };
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !is_form && !is_multipart {
        return rejected();
    }
    // The body is read here to find the token and handed on unchanged.
    let signed_in = request
        .extensions()
        .get::<Visitor>()
        .is_some_and(|v| v.user().is_some());
    let max = crate::limits::for_request(request.uri().path(), signed_in);
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, max).await else {
        return AppError::BadRequest("The form was too large.".into()).into_response();
    };
    let given = if is_multipart {
        multipart_token(&bytes)
    } else {
        form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == FIELD)
            .map(|(_, v)| v.into_owned())
    };
    match given {
        Some(g) if constant_time_eq(g.as_bytes(), expected.as_bytes()) => {
            next.run(Request::from_parts(parts, Body::from(bytes))).await
        }
        _ => rejected(),
    }
}

/// The token from a multipart form (file uploads), where it is the part named `csrf_token`.
fn multipart_token(body: &[u8]) -> Option<String> {
    let marker = format!("name=\"{FIELD}\"");
    let text = String::from_utf8_lossy(&body[..body.len().min(4096)]);
    let after = &text[text.find(&marker)? + marker.len()..];
    let value = &after[after.find("\r\n\r\n")? + 4..];
    Some(value[..value.find("\r\n")?].to_owned())
}

fn rejected() -> Response {
    AppError::Forbidden(
        "This form has expired or did not come from this site. Go back, reload the page and try again.".into(),
    )
    .into_response()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
