//! Every "no" the hub's rules can say, by feature, in one type: the store returns it from its
//! transactions, and the web turns it into a page or an API problem. Each feature's refusal
//! says its own words (`Display`), the form field at fault (`field`), and whether it clashes
//! with a record already there (`is_conflict`) or breaks a rule on its own.
use crate::accounts::AccountRefusal;
use crate::admissions::{AdmissionRefusal, ApplicationError};
use crate::allocation::AllocationRefusal;
use crate::billing::BillingRefusal;
use crate::content::{ContentProblem, ContentRefusal};
use crate::ensembles::EnsembleRefusal;
use crate::events::EventRefusal;
use crate::identity::IdentityProblem;
use crate::invitations::{ContactRefusal, InvitationRefusal};
use crate::jobs::JobRefusal;
use crate::lessons::LessonRefusal;
use crate::loans::LoanRefusal;
use crate::payments::PaymentRefusal;
use crate::progress::ProgressRefusal;
use crate::records::RecordRefusal;
use crate::services::ServiceRefusal;
use crate::terms::TermRefusal;

/// A rule of the hub said no.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(transparent)]
    Admissions(#[from] AdmissionRefusal),
    #[error(transparent)]
    Lessons(#[from] LessonRefusal),
    #[error(transparent)]
    Allocation(#[from] AllocationRefusal),
    #[error(transparent)]
    Payments(#[from] PaymentRefusal),
    #[error(transparent)]
    Billing(#[from] BillingRefusal),
    #[error(transparent)]
    Content(#[from] ContentRefusal),
    #[error(transparent)]
    Records(#[from] RecordRefusal),
    #[error(transparent)]
    Accounts(#[from] AccountRefusal),
    #[error(transparent)]
    Progress(#[from] ProgressRefusal),
    #[error(transparent)]
    Identity(#[from] IdentityProblem),
    #[error(transparent)]
    Invitations(#[from] InvitationRefusal),
    #[error(transparent)]
    Contacts(#[from] ContactRefusal),
    #[error(transparent)]
    Loans(#[from] LoanRefusal),
    #[error(transparent)]
    Terms(#[from] TermRefusal),
    #[error(transparent)]
    Jobs(#[from] JobRefusal),
    #[error(transparent)]
    Ensembles(#[from] EnsembleRefusal),
    #[error(transparent)]
    Events(#[from] EventRefusal),
    #[error(transparent)]
    Services(#[from] ServiceRefusal),
}

impl Refusal {
    /// The form or API field at fault, if one is.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Refusal::Admissions(r) => r.field(),
            Refusal::Lessons(r) => r.field(),
            Refusal::Allocation(r) => r.field(),
            Refusal::Payments(r) => r.field(),
            Refusal::Billing(_) => None,
            Refusal::Content(r) => r.field(),
            Refusal::Records(r) => r.field(),
            Refusal::Accounts(r) => r.field(),
            Refusal::Progress(r) => r.field(),
            Refusal::Identity(p) => Some(p.field()),
            Refusal::Invitations(r) => r.field(),
            Refusal::Contacts(r) => r.field(),
            Refusal::Loans(r) => r.field(),
            Refusal::Terms(r) => r.field(),
            Refusal::Jobs(r) => r.field(),
            Refusal::Ensembles(r) => r.field(),
            Refusal::Events(r) => r.field(),
            Refusal::Services(r) => r.field(),
        }
    }

    /// The change clashes with a record already there (a key taken, an answer already
    /// given, a timetable changed since): HTTP's 409. Otherwise it breaks a rule on its own.
    pub fn is_conflict(&self) -> bool {
        match self {
            Refusal::Admissions(r) => r.is_conflict(),
            Refusal::Lessons(r) => r.is_conflict(),
            Refusal::Allocation(r) => r.is_conflict(),
            Refusal::Payments(r) => r.is_conflict(),
            Refusal::Billing(_) | Refusal::Progress(_) | Refusal::Identity(_) => false,
            Refusal::Content(r) => r.is_conflict(),
            Refusal::Records(r) => r.is_conflict(),
            Refusal::Accounts(r) => r.is_conflict(),
            Refusal::Invitations(r) => r.is_conflict(),
            Refusal::Contacts(r) => r.is_conflict(),
            Refusal::Loans(r) => r.is_conflict(),
            Refusal::Terms(r) => r.is_conflict(),
            Refusal::Jobs(r) => r.is_conflict(),
            Refusal::Ensembles(r) => r.is_conflict(),
            Refusal::Events(r) => r.is_conflict(),
            Refusal::Services(r) => r.is_conflict(),
        }
    }
}

impl From<ApplicationError> for Refusal {
    fn from(e: ApplicationError) -> Self {
        Refusal::Admissions(AdmissionRefusal::Application(e))
    }
}

impl From<ContentProblem> for Refusal {
    fn from(p: ContentProblem) -> Self {
        Refusal::Content(ContentRefusal::Invalid(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Urn;

    #[test]
    fn a_refusal_says_its_feature_s_words_field_and_kind() {
        let r: Refusal = ApplicationError::Minutes.into();
        assert_eq!(r.to_string(), "Lessons are 15, 20, 30, 45 or 60 minutes long");
        assert_eq!(r.field(), Some("minutes"));
        assert!(!r.is_conflict());
        let r: Refusal = RecordRefusal::UrnTaken {
            urn: Urn::new(100_000).unwrap(),
        }
        .into();
        assert_eq!(r.to_string(), "Another school already has the URN 100000.");
        assert!(r.is_conflict());
        let r: Refusal = ContentProblem::NoTitle.into();
        assert_eq!((r.to_string().as_str(), r.field()), ("Enter a title", Some("title")));
        let r: Refusal = LessonRefusal::MakeUpScheduled.into();
        assert!(r.is_conflict());
        assert_eq!(r.field(), None);
    }
}
