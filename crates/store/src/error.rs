//! The store's error type: database failures, a record not found, and the domain's refusals,
//! which the store returns as the domain typed them and never puts into words itself.
use sea_orm::DbErr;
use tutti_domain::Refusal;
use tutti_domain::accounts::AccountRefusal;
use tutti_domain::admissions::{AdmissionRefusal, ApplicationError};
use tutti_domain::allocation::AllocationRefusal;
use tutti_domain::billing::BillingRefusal;
use tutti_domain::content::ContentRefusal;
use tutti_domain::ensembles::EnsembleRefusal;
use tutti_domain::identity::IdentityProblem;
use tutti_domain::invitations::{ContactRefusal, InvitationRefusal};
use tutti_domain::lessons::LessonRefusal;
use tutti_domain::loans::LoanRefusal;
use tutti_domain::payments::PaymentRefusal;
use tutti_domain::progress::ProgressRefusal;
use tutti_domain::records::RecordRefusal;
use tutti_domain::terms::TermRefusal;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("not found")]
    NotFound,
    /// A rule of the hub said no; which, and in what words, is the domain's
    /// ([`Refusal::is_conflict`] tells a clash with a record already there).
    #[error("{0}")]
    Refused(Refusal),
    #[error("password hashing failed")]
    Hash,
    /// What the store holds does not read (a row no code of ours could have written).
    #[error("unreadable stored data: {0}")]
    Corrupt(String),
    /// The demo seeder will not run here (the operator reads why at the command line).
    #[error("{0}")]
    Demo(String),
    /// Writing out an export failed.
    #[error("could not write the export: {0}")]
    Io(#[from] std::io::Error),
}

impl StoreError {
    /// The refusal, if a rule refused.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            StoreError::Refused(r) => Some(r),
            _ => None,
        }
    }
}

impl From<Refusal> for StoreError {
    fn from(r: Refusal) -> Self {
        StoreError::Refused(r)
    }
}

macro_rules! refused_from {
    ($($t:ty),+) => {
        $(impl From<$t> for StoreError {
            fn from(r: $t) -> Self {
                StoreError::Refused(r.into())
            }
        })+
    };
}

refused_from!(
    AdmissionRefusal,
    ApplicationError,
    LessonRefusal,
    AllocationRefusal,
    PaymentRefusal,
    BillingRefusal,
    ContentRefusal,
    RecordRefusal,
    AccountRefusal,
    ProgressRefusal,
    IdentityProblem,
    InvitationRefusal,
    ContactRefusal,
    LoanRefusal,
    TermRefusal,
    EnsembleRefusal
);

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A status word as stored, read by its domain type; a word no code of ours writes is
/// unreadable data.
pub(crate) fn stored<T>(word: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T> {
    parse(word).ok_or_else(|| StoreError::Corrupt(format!("status {word:?}")))
}

// Events and bookings (decision 0086).
refused_from!(
    tutti_domain::events::EventRefusal,
    tutti_domain::services::ServiceRefusal
);
