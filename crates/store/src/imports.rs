//! What an import did, and the shared rules of every import: all or nothing, matched by key,
//! unchanged rows left alone, a dry run that writes nothing.
use serde::Serialize;
use tutti_domain::csv::ImportIssue;

/// The outcome of importing one file. When `errors` is not empty nothing was written.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    #[serde(skip)]
    pub errors: Vec<ImportIssue>,
    pub dry_run: bool,
}

impl ImportReport {
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// One line for people: "3 created, 1 updated, 6 unchanged".
    pub fn summary(&self) -> String {
        format!(
            "{} created, {} updated, {} unchanged",
            self.created, self.updated, self.unchanged
        )
    }
}

/// The names of the fields that differ between two renderings of a record, for the audit
/// log ("changed name, postcode"); values are left out because some are sensitive.
pub(crate) fn changed_fields(before: &[(&'static str, String)], after: &[(&'static str, String)]) -> Vec<&'static str> {
    before
        .iter()
        .zip(after)
        .filter(|(b, a)| b.1 != a.1)
        .map(|(b, _)| b.0)
        .collect()
}

pub(crate) fn change_summary(what: &str, changed: &[&str]) -> String {
    if changed.is_empty() {
        format!("{what}: saved with no changes")
    } else {
        format!("{what}: changed {}", changed.join(", "))
    }
}
