//! Tutti's database: one code path over SQLite (the default) and PostgreSQL, chosen by URL.
//!
//! Every business operation is one transaction. Modules carry the feature names used in
//! every crate (accounts, schools, pupils, staff, ...), grouped in area folders: `records`,
//! `teaching`, `admissions`, `money`, `content` and `platform`; the plumbing they share
//! (connection, errors, SQL helpers, migrations, entities) stays at the top.

pub mod admissions;
mod backup;
mod connect;
pub mod content;
pub mod copy;
pub mod demo;
pub mod entities;
mod error;
pub mod events;
mod json_rows;
pub mod listing;
mod migrations;
pub mod money;
mod pg_run;
pub mod pg_tls;
pub mod platform;
pub mod privacy;
mod query;
pub mod records;
pub mod reports;
pub mod search;
pub mod teaching;
// Test databases and the two-backend test macro stay out of release builds: the binary a hub
// runs has no code for making and dropping databases. `--features testing` brings them into a
// release build for tests run that way.
#[cfg(any(debug_assertions, feature = "testing"))]
pub mod testing;

pub use connect::{Backend, Store};
pub use error::StoreError;
pub use sea_orm;

/// The system's current instant in UTC, written from Rust rather than by SQL defaults so
/// that both backends store the same value. Rules that depend on the date read the store's
/// own clock (`Store::today`) instead, so that tests can set it.
pub fn now() -> time::OffsetDateTime {
    tutti_domain::clock::Clock::system().now()
}
