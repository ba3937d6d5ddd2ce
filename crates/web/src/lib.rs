//! Tutti's HTTP server: routers by audience, each guarded by the role it requires.
//!
//! A request passes, in order: the access log (its request id, its line on standard output,
//! its counts for `/metrics`), security headers (so that every answer, a refusal included,
//! carries them), the hub's identity (so that every page, an error page included, names the
//! hub), the page cache (which answers an anonymous GET early), the session loader,
//! the bearer token, the body limit (small for anonymous callers), then its audience's
//! guard: the access rule first, and only then the CSRF check, which reads a form's body.
//! So no body is read before the route has decided that the caller may send it.

mod access;
pub mod access_log;
mod acting;
mod api_auth;
mod api_extract;
mod assets;
pub mod bench;
mod charts;
pub mod config;
mod csrf;
mod error;
mod fast_path;
mod format;
mod forms;
mod headers;
pub mod https;
mod hub;
mod ical;
mod jobs;
mod limits;
pub mod mail;
mod map_chart;
mod menu;
mod metrics;
pub mod outbound;
mod page_cache;
mod pages;
pub mod payments;
mod pickers;
mod prices;
mod problem;
mod routes;
mod session;
mod shell;
mod state;
mod throttling;
mod tls_provider;

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use tower_http::timeout::TimeoutLayer;
use tutti_store::Store;

pub use access::{AccessRule, RouteEntry};
pub use config::WebConfig;
pub use state::AppState;

/// A subject access export as the ZIP the office downloads (for `tutti privacy export`).
pub fn privacy_export_zip(export: &tutti_store::privacy::export::SubjectExport, hub: &str) -> Result<Vec<u8>, String> {
    routes::privacy::document::zip(export, hub)
}

/// Every route of the app, as its path pattern (`/admin/pupils/{id}`), with the access rule
/// of the audience that serves it: taken from the same list of audiences as the app itself.
pub fn route_table() -> Vec<RouteEntry> {
    routes::table()
}

/// Builds the whole application for a store.
pub fn app(store: Store, config: WebConfig) -> Router {
    app_of(AppState::new(store, config))
}

fn app_of(state: AppState) -> Router {
    routes::router(state.clone())
        .layer(axum::middleware::from_fn(limits::limit))
        .layer(axum::middleware::from_fn_with_state(state.clone(), api_auth::bearer))
        .layer(axum::middleware::from_fn_with_state(state.clone(), session::load))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            fast_path::fast_path,
        ))
        .layer(axum::middleware::from_fn_with_state(
            (state.store.clone(), state.hub.clone()),
            hub::frame,
        ))
        .layer(axum::middleware::from_fn_with_state(state.clone(), headers::secure))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        // Outermost, so that the log and the counts see every answer, a timeout's included.
        .layer(axum::middleware::from_fn_with_state(state, access_log::log))
}

/// Serves the application on a listener until `shutdown` resolves, with the background work
/// of an app server beside it (hearing other servers' changes, taking over their jobs when
/// they stop). On shutdown, requests in flight are answered first; then the jobs this server
/// holds get `shutdown_grace` to finish before they are let go for another server.
pub async fn serve(
    listener: tokio::net::TcpListener,
    store: Store,
    config: WebConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (router, running) = start(store, config);
    let served = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await;
    running.stop().await;
    served
}

/// An app server's work beside its listener, the same over HTTP and HTTPS.
pub(crate) struct Running {
    state: AppState,
    background: Vec<tokio::task::JoinHandle<()>>,
}

/// The app for a store, and its background work started.
pub(crate) fn start(store: Store, config: WebConfig) -> (Router, Running) {
    let state = AppState::new(store, config);
    let background = jobs::background(&state);
    (app_of(state.clone()), Running { state, background })
}

impl Running {
    /// After the listener has answered its last request: the background stopped, then the
    /// jobs this server holds given their grace and let go.
    pub(crate) async fn stop(self) {
        for task in self.background {
            task.abort();
        }
        jobs::wind_down(&self.state).await;
    }
}
