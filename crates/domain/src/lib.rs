//! Tutti's domain rules: pure functions and types with no IO, no async and no SQL.
//!
//! Each module owns one set of rules; the store, web and CLI crates call them:
//! - [`money`]: integer pence, percentages, splits that add up.
//! - [`validate`]: UK formats for forms and imports (postcodes, phones, dates, URNs, passwords).
//! - [`csv`]: an RFC 4180 reader and writer, and the typed import rows for schools, pupils,
//!   staff and instruments.
//! - [`calendar`]: academic years, terms, bank holidays, teaching days, year groups.
//! - [`charging`]: the charging policy and what a pupil pays for a term.
//! - [`rotation`]: rotating lesson times week by week.
//! - [`guarantee`]: the lesson guarantee, counted from register outcomes.

pub mod calendar;
pub mod money;
mod serde_formats;
pub mod validate;

pub use money::{Pence, Percent, Rounding};
