//! Tutti's domain rules: pure functions and types with no IO, no async and no SQL.
//!
//! Each module owns one set of rules; the store, web and CLI crates call them:
//! - [`money`]: integer pence, percentages with explicit rounding, splits that add up.
//! - [`validate`]: UK formats for forms and imports (postcodes, phones, email, dates,
//!   yes/no, URNs, passwords), with messages a parent understands.
//! - [`csv`]: an RFC 4180 reader and writer, and typed import/export of schools, pupils,
//!   staff and instruments.
//! - [`calendar`]: academic years, terms, bank holidays, teaching days, year groups.
//! - [`terms`]: the year as the office sets it: term dates and closures per local authority or
//!   school, their rules, and last year's dates copied to the next.
//! - [`clock`]: UK civil time (Europe/London), so that "today" is the hub's today.
//! - [`charging`]: the charging policy (Durham's by default) and what each pupil, family
//!   or school pays, line by line; instalments; notice; the WCET split.
//! - [`billing`]: the policy file and the plan of a billing run (who pays which line,
//!   what is already billed, instalments).
//! - [`agreements`]: schools' annual services agreements, their termly split and journal file.
//! - [`payments`]: payment methods, Direct Debit bank details, the Gift Aid statement.
//! - [`rotation`]: each week's real lesson times at schools that rotate; visits.
//! - [`allocation`]: travel and availability estimates the rule checks use.
//! - [`guarantee`]: the lesson guarantee, counted from register marks.
//! - [`admissions`]: the tuition offer, applications, waiting-list order, notice end dates.
//! - [`progress`]: graded exam entries and termly reports.
//! - [`schools`], [`staff`], [`instruments`], [`lessons`]: the fixed vocabularies of those
//!   records (phase, type, role, employment, condition, lesson type).
//! - [`loans`]: instrument loans, their lifecycle, due dates, agreement and refusals.
//! - [`ensembles`]: ensembles, applications to join them, waiting lists by instrument, and
//!   their rehearsal dates.
//! - Lifecycles: [`admissions::ApplicationStatus`], [`admissions::EnrolmentStatus`],
//!   [`lessons::LessonStatus`], [`allocation::ProposalStatus`], [`payments::InvoiceStatus`],
//!   [`loans::LoanStatus`], each stored as its word, each step a function that may refuse.
//! - [`refusal`]: every "no" of the rules as one type, [`Refusal`], wrapping each feature's own
//!   (admissions, lessons, allocation, payments, billing, content, records, accounts,
//!   progress, loans, terms) with its words, its form field and whether it is a conflict.
//! - [`content`]: the public site's kinds of content, drafts and their checks, files.
//! - [`identity`]: who the hub is (name, contacts, local authorities, home page words, logo)
//!   and what a change to it must be.
//! - [`accounts`]: roles, API token scopes, and what accounts refuse; [`records`]: what the
//!   core records refuse.
//! - [`invitations`]: logins offered to the people behind records (staff, schools' contacts,
//!   a parent's child), their life from sent to accepted, and schools' contacts.

/// Declares an enum whose values are written as fixed words (with optional aliases): it gets
/// `ALL`, `as_str`, `Display`, `FromStr` (case, spaces, `_` and `-` ignored) returning
/// [`validate::ChoiceError`] naming the allowed words, and serde as the words.
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text $(, alias = $alias)*)] $variant ),+
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The words accepted, as written.
            pub const WORDS: &'static [&'static str] = &[$($text),+];

            /// The value as its word.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::validate::ChoiceError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted = $crate::validate::choice_key(s);
                $(
                    if wanted == $crate::validate::choice_key($text)
                        $(|| wanted == $crate::validate::choice_key($alias))*
                    {
                        return Ok($name::$variant);
                    }
                )+
                Err($crate::validate::ChoiceError { allowed: $name::WORDS })
            }
        }
    };
}

/// Makes a [`text_enum!`] a status stored as its word: `parse` reads the stored word exactly
/// (no aliases, no case folding; `None` for any other word), and a status compares equal to its
/// word, so that `status == "waiting"` reads as the database does.
macro_rules! stored_status {
    ($name:ident) => {
        impl $name {
            /// The status as stored, exactly: `None` for any other word.
            pub fn parse(stored: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|s| s.as_str() == stored)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, word: &str) -> bool {
                self.as_str() == word
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, word: &&str) -> bool {
                self.as_str() == *word
            }
        }
    };
}

pub mod accounts;
pub mod admissions;
pub mod agreements;
pub mod allocation;
pub mod billing;
pub mod calendar;
pub mod characteristics;
pub mod charging;
pub mod clock;
pub mod content;
pub mod csv;
pub mod data_return;
pub mod ensembles;
pub mod events;
pub mod geo;
pub mod gift_aid;
pub mod guarantee;
pub mod identity;
pub mod instruments;
pub mod invitations;
pub mod jobs;
pub mod lessons;
pub mod loans;
pub mod money;
pub mod online;
pub mod payments;
pub mod privacy;
pub mod progress;
pub mod progression;
pub mod records;
pub mod refusal;
pub mod rotation;
pub mod schools;
pub mod search;
mod serde_formats;
pub mod services;
pub mod staff;
pub mod terms;
pub mod validate;
pub mod zip;

pub use money::{Pence, Percent, Rounding};
pub use refusal::Refusal;
