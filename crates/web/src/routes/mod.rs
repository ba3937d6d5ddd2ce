//! The application's routes, assembled from audiences; each audience declares its access.
mod admissions;
mod api;
mod content;
mod events;
mod money;
mod platform;
pub(crate) mod privacy;
mod records;
pub(crate) mod reports;
pub(crate) mod services;
pub(crate) mod teaching;

use axum::Router;

use crate::access::{Audience, RouteEntry};
use crate::error::AppError;
use crate::state::AppState;

/// Every audience of the app: one line per audience; a new feature adds its audiences here.
/// Both the app (`router`) and its table of routes (`table`) come from this one list.
fn audiences() -> Vec<Audience> {
    vec![
        platform::public::audience(),
        platform::account::public_audience(),
        platform::account::signed_in_audience(),
        platform::second_factor::account_audience(),
        platform::second_factor::login_audience(),
        platform::workspace::audience(),
        platform::admin::audience(),
        platform::admin::outbox_audience(),
        platform::setup::audience(),
        platform::identity::admin_audience(),
        platform::identity::public_audience(),
        platform::invitations::public_audience(),
        platform::invitations::office_audience(),
        platform::invitations::parent_audience(),
        content::public_audience(),
        content::admin_audience(),
        records::audience(),
        records::tokens::audience(),
        api::audience(),
        api::docs_audience(),
        teaching::lessons::teacher_audience(),
        teaching::lessons::parent_audience(),
        teaching::school_timetable::school_audience(),
        teaching::school_timetable::office_audience(),
        teaching::lessons::office_audience(),
        teaching::lessons::account_audience(),
        teaching::calendar::audience(),
        api::lessons::audience(),
        api::billing::audience(),
        money::billing::office_audience(),
        money::billing::parent_audience(),
        money::billing::school_audience(),
        money::payments::public_audience(),
        money::payments::basket_audience(),
        money::payments::office_audience(),
        admissions::parent_audience(),
        admissions::school_audience(),
        admissions::office_audience(),
        teaching::progress::staff_audience(),
        teaching::progress::parent_audience(),
        api::enrolments::audience(),
        teaching::allocation::office_audience(),
        api::allocation::audience(),
        api::hours::audience(),
        api::identity::audience(),
        api::invitations::audience(),
        api::school_contacts::audience(),
        api::loans::audience(),
        records::loans::parent_audience(),
        records::path::parent_audience(),
        teaching::terms::office_audience(),
        api::terms::audience(),
        api::jobs::audience(),
        api::ensembles::audience(),
        teaching::ensembles::public_audience(),
        teaching::ensembles::parent_audience(),
        teaching::auditions::parent_audience(),
        teaching::auditions::office_audience(),
        teaching::ensembles::office_audience(),
        teaching::ensembles::leader_audience(),
        teaching::ensemble_fees::parent_audience(),
        teaching::ensemble_fees::office_audience(),
        events::public_audience(),
        events::office_audience(),
        events::staff_audience(),
        services::school_audience(),
        services::office_audience(),
        api::events::audience(),
        privacy::office_audience(),
        api::privacy::audience(),
        privacy::pupil_audience(),
        reports::data_return::office_audience(),
        reports::progression::office_audience(),
        reports::attendance::office_audience(),
        reports::dashboard::office_audience(),
        reports::dashboard::school_audience(),
    ]
}

pub fn router(state: AppState) -> Router {
    audiences()
        .into_iter()
        .fold(Router::new(), |router, audience| router.merge(audience.into_router()))
        // Each answer carries its route's template, for the access log and the metrics.
        .route_layer(axum::middleware::from_fn(crate::metrics::tag_route))
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
