//! Public routes outside the managed content: health, the basket and static assets. The
//! home page, the menu's pages and the legal pages are managed content (routes/content).
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::access::{Access, Audience};
use crate::assets;
use crate::error::AppResult;
use crate::pages::{BasketPage, Shell, render_clearing_flash};
use crate::session::Visitor;
use crate::state::AppState;

pub fn audience() -> Audience {
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route("/basket", get(basket))
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

async fn basket(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    let shell = Shell::new(&state, &visitor, "Your basket", "/basket");
    render_clearing_flash(&state, &visitor, &BasketPage { shell }).await
}
