//! Public routes outside the managed content: health, readiness, the metrics (open to a
//! metrics token or the machine itself) and static assets. The basket is in
//! routes/payments; the home page, the menu's pages and the legal pages are managed content
//! (routes/content).
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::access::{Access, Audience, Routes};
use crate::assets;
use crate::metrics::Gauges;
use crate::session::Visitor;
use crate::state::AppState;
use sha2::{Digest, Sha256};

pub fn audience() -> Audience {
    let router = Routes::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
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

/// 200 when this server is ready for traffic: the database answers and has exactly the
/// migrations this version knows. A load balancer sends nothing here until then.
async fn readyz(State(state): State<AppState>) -> Response {
    if state.store.ready().await {
        (StatusCode::OK, "ready").into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: the database is unreachable or its migrations are not this version's",
        )
            .into_response()
    }
}

/// The metrics in Prometheus's text format, for the metrics token (`Authorization: Bearer`)
/// or a caller on this machine (the address `session::load` settled on, so behind a trusted
/// proxy the visitor's own address, not the proxy's). Anyone else is refused.
async fn metrics(State(state): State<AppState>, visitor: Visitor, headers: HeaderMap) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let by_token = match (&state.config.metrics_token, bearer) {
        (Some(token), Some(given)) => {
            // Compared by digest, so the time taken says nothing of the token.
            Sha256::digest(token.as_bytes()) == Sha256::digest(given.as_bytes())
        }
        _ => false,
    };
    let local = visitor.ip.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if !(by_token || local) {
        return (
            StatusCode::FORBIDDEN,
            "The metrics are open to the metrics token or to this machine only.",
        )
            .into_response();
    }
    let (outbox_backlog, jobs_running) = match (state.store.mail_backlog().await, state.store.running_jobs().await) {
        (Ok(backlog), Ok(running)) => (backlog, running),
        _ => return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    };
    let text = state.metrics.render(&Gauges {
        pool: state.store.pool_use(),
        outbox_backlog,
        jobs_running,
    });
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        text,
    )
        .into_response()
}
