//! The application's routes, assembled from audiences; each audience declares its access.
mod account;
mod admin;
mod admissions;
mod allocation;
mod api;
mod billing;
mod calendar;
mod content;
pub(crate) mod lessons;
mod payments;
mod progress;
mod public;
mod records;
mod second_factor;

use axum::Router;

use crate::access::{Audience, RouteEntry};
use crate::error::AppError;
use crate::state::AppState;

/// Every audience of the app: one line per audience; a new feature adds its audiences here.
/// Both the app (`router`) and its table of routes (`table`) come from this one list.
fn audiences() -> Vec<Audience> {
    vec![
        public::audience(),
        account::public_audience(),
        account::signed_in_audience(),
        second_factor::account_audience(),
        second_factor::login_audience(),
        admin::audience(),
        admin::outbox_audience(),
        content::public_audience(),
        content::admin_audience(),
        records::audience(),
        records::tokens::audience(),
        api::audience(),
        api::docs_audience(),
        lessons::teacher_audience(),
        lessons::parent_audience(),
        lessons::school_audience(),
        lessons::office_audience(),
        lessons::account_audience(),
        calendar::audience(),
        api::lessons::audience(),
        api::billing::audience(),
        billing::office_audience(),
        billing::parent_audience(),
        billing::school_audience(),
        payments::public_audience(),
        payments::basket_audience(),
        payments::office_audience(),
        admissions::parent_audience(),
        admissions::school_audience(),
        admissions::office_audience(),
        progress::staff_audience(),
        progress::parent_audience(),
        api::enrolments::audience(),
        allocation::office_audience(),
        api::allocation::audience(),
        api::hours::audience(),
    ]
}

pub fn router(state: AppState) -> Router {
    crate::shell::set_hub_name(&state.config.hub_name);
    audiences()
        .into_iter()
        .fold(Router::new(), |router, audience| router.merge(audience.into_router()))
        .fallback(|| async { AppError::NotFound })
        .with_state(state)
}

/// Every route's path and the rule that guards it, from the same audiences as the app.
pub fn table() -> Vec<RouteEntry> {
    audiences().iter().flat_map(Audience::entries).collect()
}

/// Which page of a list was asked for: 1 when absent or nonsense.
pub(crate) fn page_number(page: Option<&str>) -> u64 {
    page.and_then(|p| p.parse::<u64>().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1)
}
