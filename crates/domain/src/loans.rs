//! Instrument loans: a loan's lifecycle (out, back, lost, damaged), when it is due back, what
//! the instrument's status becomes, the loan agreement's words, and what the hub refuses.
use time::Date;

use crate::Pence;
use crate::instruments::{InstrumentCondition, InstrumentStatus};

text_enum! {
    /// Where a loan is in its life.
    pub enum LoanStatus {
        /// The pupil has the instrument.
        OnLoan = "on-loan",
        /// Brought back.
        Returned = "returned",
        /// Lost or stolen while on loan.
        Lost = "lost",
        /// Came back damaged, or was reported damaged: the instrument goes for repair.
        Damaged = "damaged",
    }
}
stored_status!(LoanStatus);

impl LoanStatus {
    /// Whether the pupil still has the instrument.
    pub fn is_open(self) -> bool {
        self == LoanStatus::OnLoan
    }

    /// Ends an open loan on `on` as `how` (returned, lost or damaged). A loan ends once, and
    /// not before it started.
    pub fn end(self, how: LoanStatus, start: Date, on: Date) -> Result<LoanStatus, LoanRefusal> {
        if !self.is_open() {
            return Err(LoanRefusal::AlreadyEnded { status: self });
        }
        if how.is_open() {
            return Err(LoanRefusal::AlreadyOnLoan);
        }
        if on < start {
            return Err(LoanRefusal::EndsBeforeStart { start });
        }
        Ok(how)
    }

    /// The words a page shows.
    pub fn label(self) -> &'static str {
        match self {
            LoanStatus::OnLoan => "On loan",
            LoanStatus::Returned => "Returned",
            LoanStatus::Lost => "Lost",
            LoanStatus::Damaged => "Damaged",
        }
    }
}

/// The instrument's status once a loan ends as `how`: back in store, or to repair if it came
/// back needing it or damaged, or lost.
pub fn instrument_status_after(how: LoanStatus, condition: Option<InstrumentCondition>) -> InstrumentStatus {
    match how {
        LoanStatus::OnLoan => InstrumentStatus::OnLoan,
        LoanStatus::Lost => InstrumentStatus::Lost,
        LoanStatus::Damaged => InstrumentStatus::InRepair,
        LoanStatus::Returned if condition == Some(InstrumentCondition::NeedsRepair) => InstrumentStatus::InRepair,
        LoanStatus::Returned => InstrumentStatus::Available,
    }
}

/// What a lending rule needs to know of the instrument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lendable<'a> {
    pub serial: &'a str,
    pub status: InstrumentStatus,
    pub archived: bool,
}

/// What a lending rule needs to know of the pupil.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Borrower<'a> {
    pub name: &'a str,
    pub archived: bool,
}

/// A loan may start only for an instrument in store (not on loan, lost, in repair, retired or
/// archived), to a pupil on the roll, and be due back after it starts.
pub fn check_lend(
    instrument: &Lendable<'_>,
    pupil: &Borrower<'_>,
    from: Date,
    due: Option<Date>,
) -> Result<(), LoanRefusal> {
    let serial = instrument.serial.to_owned();
    if instrument.archived {
        return Err(LoanRefusal::InstrumentArchived { serial });
    }
    match instrument.status {
        InstrumentStatus::Available => {}
        InstrumentStatus::OnLoan => return Err(LoanRefusal::InstrumentOnLoan { serial }),
        InstrumentStatus::Lost => return Err(LoanRefusal::InstrumentLost { serial }),
        InstrumentStatus::InRepair => return Err(LoanRefusal::InstrumentInRepair { serial }),
        InstrumentStatus::Retired => return Err(LoanRefusal::InstrumentRetired { serial }),
    }
    if pupil.archived {
        return Err(LoanRefusal::PupilArchived {
            name: pupil.name.to_owned(),
        });
    }
    if let Some(due) = due
        && due <= from
    {
        return Err(LoanRefusal::DueBeforeStart { from });
    }
    Ok(())
}

/// A loan is usually for a year (DOMAIN.md): due back a year after it starts, unless the
/// office says otherwise.
pub fn default_due(from: Date) -> Date {
    from.replace_year(from.year() + 1)
        .unwrap_or_else(|_| from.saturating_add(time::Duration::days(365)))
}

/// A loan is overdue once its due date has passed and the pupil still has the instrument.
pub fn is_overdue(status: LoanStatus, due: Option<Date>, today: Date) -> bool {
    status.is_open() && due.is_some_and(|d| d < today)
}

/// The loan agreement a family accepts, in the hub's own name, with the charge that applies.
/// The words are neutral: they name no hub but the one given.
pub fn agreement_text(hub: &str, instrument: &str, serial: &str, hire: Pence) -> Vec<String> {
    let charge = if hire == Pence::ZERO {
        "There is no hire charge for this instrument.".to_owned()
    } else {
        format!("The hire charge is {hire} a term, invoiced with the term's lessons, as the charging policy says.")
    };
    vec![
        format!("{hub} lends your child the {instrument} with the serial number {serial}."),
        charge,
        "Keep the instrument clean, dry and in its case when it is not being played, and bring it to every lesson."
            .to_owned(),
        "Do not lend it to anyone else, have it repaired yourself, or take it abroad without asking us first.".to_owned(),
        "Tell us at once if it is lost, stolen or damaged. You may be asked to pay for loss or damage beyond fair wear and tear."
            .to_owned(),
        "Return it, with its case and accessories, by the date it is due back or when lessons stop, whichever is sooner."
            .to_owned(),
    ]
}

/// Why a loan was not made, ended or moved.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoanRefusal {
    #[error("Instrument {serial} is already on loan. Return it before lending it again.")]
    InstrumentOnLoan { serial: String },
    #[error("Instrument {serial} is recorded as lost and cannot be lent.")]
    InstrumentLost { serial: String },
    #[error("Instrument {serial} is being repaired and cannot be lent until it is available again.")]
    InstrumentInRepair { serial: String },
    #[error("Instrument {serial} is retired and cannot be lent.")]
    InstrumentRetired { serial: String },
    #[error("Instrument {serial} is archived and cannot be lent.")]
    InstrumentArchived { serial: String },
    #[error("{name} is archived and cannot borrow an instrument.")]
    PupilArchived { name: String },
    #[error("The date it is due back must be after the loan starts ({from}).")]
    DueBeforeStart { from: Date },
    #[error("The date cannot be before the loan started ({start}).")]
    EndsBeforeStart { start: Date },
    #[error("This loan has already ended ({}).", status.label().to_lowercase())]
    AlreadyEnded { status: LoanStatus },
    #[error("A loan ends as returned, lost or damaged.")]
    AlreadyOnLoan,
    #[error("The instrument is already on loan to this pupil.")]
    SamePupil,
    #[error("There is no such instrument.")]
    NoInstrument,
    #[error("There is no such pupil.")]
    NoPupil,
    #[error("Instrument {serial} is on loan. Take it back before archiving it.")]
    ArchiveOnLoan { serial: String },
}

impl LoanRefusal {
    /// The form or API field at fault.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            LoanRefusal::InstrumentOnLoan { .. }
            | LoanRefusal::InstrumentLost { .. }
            | LoanRefusal::InstrumentInRepair { .. }
            | LoanRefusal::InstrumentRetired { .. }
            | LoanRefusal::InstrumentArchived { .. } => Some("instrument_id"),
            LoanRefusal::PupilArchived { .. } | LoanRefusal::SamePupil | LoanRefusal::NoPupil => Some("pupil_id"),
            LoanRefusal::NoInstrument => Some("instrument_id"),
            LoanRefusal::DueBeforeStart { .. } => Some("due"),
            LoanRefusal::EndsBeforeStart { .. } => Some("date"),
            LoanRefusal::AlreadyEnded { .. } | LoanRefusal::AlreadyOnLoan | LoanRefusal::ArchiveOnLoan { .. } => None,
        }
    }

    /// The change clashes with the instrument's or the loan's state as it is.
    pub fn is_conflict(&self) -> bool {
        !matches!(
            self,
            LoanRefusal::DueBeforeStart { .. }
                | LoanRefusal::EndsBeforeStart { .. }
                | LoanRefusal::AlreadyOnLoan
                | LoanRefusal::NoInstrument
                | LoanRefusal::NoPupil
        )
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn violin(status: InstrumentStatus, archived: bool) -> Lendable<'static> {
        Lendable {
            serial: "VN-001",
            status,
            archived,
        }
    }

    const PUPIL: Borrower<'static> = Borrower {
        name: "Amy Brown",
        archived: false,
    };

    #[test]
    fn only_an_instrument_in_store_is_lent_to_a_pupil_on_the_roll() {
        let from = date!(2026 - 09 - 07);
        assert_eq!(
            check_lend(&violin(InstrumentStatus::Available, false), &PUPIL, from, None),
            Ok(())
        );
        let table = [
            (
                violin(InstrumentStatus::OnLoan, false),
                PUPIL,
                "Instrument VN-001 is already on loan. Return it before lending it again.",
                "instrument_id",
            ),
            (
                violin(InstrumentStatus::Lost, false),
                PUPIL,
                "Instrument VN-001 is recorded as lost and cannot be lent.",
                "instrument_id",
            ),
            (
                violin(InstrumentStatus::Available, true),
                PUPIL,
                "Instrument VN-001 is archived and cannot be lent.",
                "instrument_id",
            ),
            (
                violin(InstrumentStatus::InRepair, false),
                PUPIL,
                "Instrument VN-001 is being repaired and cannot be lent until it is available again.",
                "instrument_id",
            ),
            (
                violin(InstrumentStatus::Available, false),
                Borrower {
                    name: "Amy Brown",
                    archived: true,
                },
                "Amy Brown is archived and cannot borrow an instrument.",
                "pupil_id",
            ),
        ];
        for (instrument, pupil, words, field) in table {
            let r = check_lend(&instrument, &pupil, from, None).unwrap_err();
            assert_eq!(r.to_string(), words);
            assert_eq!(r.field(), Some(field));
            assert!(r.is_conflict());
        }
        let r = check_lend(&violin(InstrumentStatus::Available, false), &PUPIL, from, Some(from)).unwrap_err();
        assert_eq!(r.field(), Some("due"));
        assert!(!r.is_conflict());
    }

    #[test]
    fn a_loan_ends_once_and_not_before_it_starts() {
        let start = date!(2026 - 09 - 07);
        assert_eq!(
            LoanStatus::OnLoan.end(LoanStatus::Returned, start, start),
            Ok(LoanStatus::Returned)
        );
        let r = LoanStatus::OnLoan
            .end(LoanStatus::Lost, start, date!(2026 - 09 - 06))
            .unwrap_err();
        assert_eq!(
            r.to_string(),
            "The date cannot be before the loan started (2026-09-07)."
        );
        assert_eq!(r.field(), Some("date"));
        let r = LoanStatus::Returned
            .end(LoanStatus::Damaged, start, date!(2026 - 10 - 01))
            .unwrap_err();
        assert_eq!(r.to_string(), "This loan has already ended (returned).");
        assert!(r.is_conflict());
    }

    #[test]
    fn the_instrument_follows_its_loan() {
        use InstrumentCondition::*;
        let table = [
            (LoanStatus::Returned, Some(Good), InstrumentStatus::Available),
            (LoanStatus::Returned, None, InstrumentStatus::Available),
            (LoanStatus::Returned, Some(NeedsRepair), InstrumentStatus::InRepair),
            (LoanStatus::Damaged, Some(Good), InstrumentStatus::InRepair),
            (LoanStatus::Lost, None, InstrumentStatus::Lost),
            (LoanStatus::OnLoan, None, InstrumentStatus::OnLoan),
        ];
        for (how, condition, status) in table {
            assert_eq!(instrument_status_after(how, condition), status, "{how} {condition:?}");
        }
    }

    #[test]
    fn a_loan_is_due_back_a_year_on_and_overdue_after() {
        assert_eq!(default_due(date!(2026 - 09 - 07)), date!(2027 - 09 - 07));
        assert_eq!(default_due(date!(2028 - 02 - 29)), date!(2029 - 02 - 28));
        let due = Some(date!(2027 - 07 - 20));
        assert!(!is_overdue(LoanStatus::OnLoan, due, date!(2027 - 07 - 20)));
        assert!(is_overdue(LoanStatus::OnLoan, due, date!(2027 - 07 - 21)));
        assert!(!is_overdue(LoanStatus::Returned, due, date!(2027 - 07 - 21)));
        assert!(!is_overdue(LoanStatus::OnLoan, None, date!(2030 - 01 - 01)));
    }

    #[test]
    fn the_agreement_names_the_hub_the_instrument_and_the_charge() {
        let text = agreement_text("Our Music Hub", "violin", "VN-001", Pence(1500));
        assert_eq!(
            text[0],
            "Our Music Hub lends your child the violin with the serial number VN-001."
        );
        assert!(text[1].contains("£15.00 a term"), "{}", text[1]);
        let free = agreement_text("Our Music Hub", "violin", "VN-001", Pence::ZERO);
        assert_eq!(free[1], "There is no hire charge for this instrument.");
    }
}
