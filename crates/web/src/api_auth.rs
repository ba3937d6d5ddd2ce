//! Bearer tokens for the JSON API: a request under /api/ with `Authorization: Bearer` acts
//! as the token's owner, without a session. Browsers cannot attach that header to a
//! cross-site request, so such requests skip the CSRF check (see csrf.rs).
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tutti_store::platform::sessions::Session;

use crate::problem::Problem;
use crate::session::Visitor;
use crate::state::AppState;

/// Marks a request authenticated by a bearer token.
#[derive(Clone, Copy, Debug)]
pub struct Bearer;

pub async fn bearer(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    if !request.uri().path().starts_with("/api/v1/") {
        return next.run(request).await;
    }
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned());
    let Some(token) = token else {
        let signed_in = request
            .extensions()
            .get::<Visitor>()
            .is_some_and(|v| v.user().is_some());
        if !signed_in {
            return unauthorized();
        }
        return next.run(request).await;
    };
    let holder = match state.store.user_for_api_token(&token).await {
        Ok(Some(h)) => h,
        Ok(None) => return unauthorized(),
        Err(e) => return crate::error::AppError::from(e).into_response(),
    };
    if !holder.scope.allows_method(request.method().as_str()) {
        return Problem::new(
            StatusCode::FORBIDDEN,
            "This token may only read. Create a read-and-write token to make changes.",
        )
        .into_response();
    }
    let Some(visitor) = request.extensions().get::<Visitor>().cloned() else {
        return unauthorized();
    };
    // The token stands in for a session for this one request; nothing is stored.
    let visitor = Visitor {
        session: Some(Session {
            id_hash: String::new(),
            csrf_token: String::new(),
            flash: None,
            user: Some(holder.user),
            last_seen_at: tutti_store::now(),
            // A token is not behind the second factor: it was made by someone who had
            // passed it, or by an operator at the command line.
            second_factor_done: true,
            challenge: None,
        }),
        ..visitor
    };
    request.extensions_mut().insert(visitor);
    request.extensions_mut().insert(Bearer);
    next.run(request).await
}

fn unauthorized() -> Response {
    let mut r = Problem::new(
        StatusCode::UNAUTHORIZED,
        "Send a live personal API token as `Authorization: Bearer TOKEN`, or log in. Tokens expire, and all of an \
         account's tokens end when its password changes.",
    )
    .into_response();
    r.headers_mut()
        .insert(header::WWW_AUTHENTICATE, axum::http::HeaderValue::from_static("Bearer"));
    r
}
