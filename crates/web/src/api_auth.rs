//! Bearer tokens for the JSON API: a request under /api/ with `Authorization: Bearer` acts
//! as the token's owner, without a session. Browsers cannot attach that header to a
//! cross-site request, so such requests skip the CSRF check (see csrf.rs).
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tutti_store::sessions::Session;

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
    let user = match state.store.user_for_api_token(&token).await {
        Ok(Some(u)) => u,
        Ok(None) => return unauthorized(),
        Err(e) => return crate::error::AppError::from(e).into_response(),
    };
    let Some(visitor) = request.extensions().get::<Visitor>().cloned() else {
        return unauthorized();
    };
    // The token stands in for a session for this one request; nothing is stored.
    let visitor = Visitor {
        session: Some(Session {
            id_hash: String::new(),
            csrf_token: String::new(),
            flash: None,
            user: Some(user),
            last_seen_at: tutti_store::now(),
        }),
        ..visitor
    };
    request.extensions_mut().insert(visitor);
    request.extensions_mut().insert(Bearer);
    next.run(request).await
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Bearer")],
        axum::Json(serde_json::json!({
            "error": "Send a personal API token as `Authorization: Bearer TOKEN`, or log in."
        })),
    )
        .into_response()
}
