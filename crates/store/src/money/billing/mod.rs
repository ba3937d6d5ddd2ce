//! Billing: charging policies by academic year, billing runs (one transaction each, rows
//! written in batches), and invoices with their lines and instalments for screens and the API.
//!
//! The rules live in `tutti_domain::billing` and `tutti_domain::charging`; this module reads
//! the facts they need and writes what they decide.
//!
//! A file per step: policies, the run (reading its facts, writing its plan), the invoices it
//! issued; the run's progress and the date format they share are here. Instrument loans are
//! records (`records::loans`); a run only reads them (`facts`).
pub mod facts;
pub mod invoices;
pub mod policies;
pub mod runs;
pub mod writing;

use serde::Serialize;

/// How far a billing run has got, for the command line and the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum RunProgress {
    /// Reading pupils, enrolments, loans and what is already billed.
    Reading,
    /// Working out every line.
    Pricing { pupils: usize },
    /// Writing rows: `done` of `total`.
    Writing { done: usize, total: usize },
    /// Committed.
    Done,
}

pub(crate) mod date_format {
    /// A date as "2026-09-15".
    pub fn serialize<S: serde::Serializer>(date: &time::Date, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(date)
    }
}
