//! Public routes outside the managed content: health and static assets. The basket is in
//! routes/payments; the home page, the menu's pages and the legal pages are managed content
//! (routes/content).
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::access::{Access, Audience, Routes};
use crate::assets;
use crate::state::AppState;

pub fn audience() -> Audience {
    let router = Routes::new()
        .route("/healthz", get(healthz))
        .route("/static/{name}", get(assets::serve));
    Audience::new(Access::Public, router)
}

/// 200 when the database answers, 503 when it does not.
async fn healthz(State(state): State<AppState>) -> Response {
    if state.store.ping().await {
        (StatusCode::OK, "ok").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
    }
}
