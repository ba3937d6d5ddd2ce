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
mod session_cache;
pub mod sessions;
pub mod settings;
pub mod staff;
pub mod testing;
pub mod throttle;
pub mod tokens;

pub use connect::{Backend, Store};
pub use error::StoreError;
pub use sea_orm;

/// The current instant in UTC, written from Rust rather than by SQL defaults so that
/// both backends store the same value.
pub fn now() -> time::OffsetDateTime {
    // Truncated to microseconds: PostgreSQL keeps no more, and a value read back must
    // compare equal to the value written.
    let t = time::OffsetDateTime::now_utc();
    t.replace_nanosecond(t.nanosecond() / 1000 * 1000).unwrap_or(t)
}

/// Today's date in London, the hub's "today": a register marked at 00:30 BST belongs to the
/// new day, not to yesterday as UTC would say.
pub fn today() -> time::Date {
    tutti_domain::clock::london_date(time::OffsetDateTime::now_utc())
}
