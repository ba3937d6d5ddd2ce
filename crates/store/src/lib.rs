//! Tutti's database: one code path over SQLite (the default) and PostgreSQL, chosen by URL.
//!
//! Every business operation is one transaction. Modules carry the feature names used in
//! every crate (accounts, schools, pupils, staff, ...).

pub mod accounts;
pub mod admissions;
pub mod allocation;
pub mod api_tokens;
mod archive;
pub mod audit;
pub mod availability;
pub mod billing;
pub mod cancellations;
mod connect;
pub mod content;
pub mod demo;
mod enrolment_import;
pub mod entities;
mod error;
pub mod guardians;
pub mod imports;
pub mod instruments;
mod json_rows;
pub mod lessons;
pub mod listing;
mod migrations;
pub mod outbox;
pub mod payments;
mod pg_run;
pub mod progress;
pub mod proposals;
mod pupil_search;
pub mod pupils;
mod query;
pub mod records;
pub mod registers;
pub mod schools;
mod search;
pub mod second_factors;
mod session_cache;
pub mod sessions;
pub mod settings;
pub mod staff;
// Test databases and the two-backend test macro stay out of release builds: the binary a hub
// runs has no code for making and dropping databases. `--features testing` brings them into a
// release build for tests run that way.
#[cfg(any(debug_assertions, feature = "testing"))]
pub mod testing;
pub mod throttle;
pub mod tokens;

pub use connect::{Backend, Store};
pub use error::StoreError;
pub use sea_orm;

/// The system's current instant in UTC, written from Rust rather than by SQL defaults so
/// that both backends store the same value. Rules that depend on the date read the store's
/// own clock (`Store::today`) instead, so that tests can set it.
pub fn now() -> time::OffsetDateTime {
    tutti_domain::clock::Clock::system().now()
}
