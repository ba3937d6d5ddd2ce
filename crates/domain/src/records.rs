//! What the hub's core records (pupils, schools, staff, instruments) refuse when saved by
//! hand or imported: a key another record already holds, or a school not on record.
use crate::validate::Urn;

/// Why a record was not saved.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RecordRefusal {
    #[error("Another pupil already has the reference {pupil_ref}.")]
    PupilRefTaken { pupil_ref: String },
    #[error("Another school already has the URN {urn}.")]
    UrnTaken { urn: Urn },
    #[error("Another member of staff already has the email {email}.")]
    StaffEmailTaken { email: String },
    #[error("Another instrument already has the serial {serial}.")]
    SerialTaken { serial: String },
    /// A pupil's school must be on record first (saved by hand).
    #[error("No school has the URN {urn}. Add the school first.")]
    NoSchool { urn: Urn },
    /// An instrument lent to the pupil comes back before they are archived (decision 0078).
    #[error("Instrument {serial} is still on loan to this pupil. Record its return first, then archive the pupil.")]
    PupilHasLoan { serial: String },
    /// A bulk action needs at least one pupil ticked.
    #[error("Choose at least one pupil.")]
    NoPupilsChosen,
    /// A bulk message reaches every family or none (decision 75).
    #[error("{pupil} has no guardian with an email address, so nothing was sent. Add one, or leave {pupil} out.")]
    NoFamilyEmail { pupil: String },
    /// A bulk move moves every pupil or none (decision 75).
    #[error(
        "{pupil} is not learning {instrument} now, so nobody was moved. Leave {pupil} out, or choose another group."
    )]
    NotLearning { pupil: String, instrument: String },
    /// A bulk message says something.
    #[error("Enter the {what}.")]
    MessageMissing { what: &'static str },
}

impl RecordRefusal {
    /// The form field (the import's column) at fault.
    pub fn field(&self) -> Option<&'static str> {
        Some(match self {
            RecordRefusal::PupilRefTaken { .. } => "pupil_ref",
            RecordRefusal::UrnTaken { .. } => "urn",
            RecordRefusal::StaffEmailTaken { .. } => "email",
            RecordRefusal::SerialTaken { .. } => "serial",
            RecordRefusal::NoSchool { .. } => "school_urn",
            RecordRefusal::PupilHasLoan { .. } => return None,
            RecordRefusal::NoPupilsChosen | RecordRefusal::NoFamilyEmail { .. } | RecordRefusal::NotLearning { .. } => {
                "pupil"
            }
            RecordRefusal::MessageMissing { what } => {
                if *what == "subject" {
                    "subject"
                } else {
                    "body"
                }
            }
        })
    }

    /// The change clashes with a record already there.
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            RecordRefusal::PupilRefTaken { .. }
                | RecordRefusal::UrnTaken { .. }
                | RecordRefusal::StaffEmailTaken { .. }
                | RecordRefusal::SerialTaken { .. }
                | RecordRefusal::NotLearning { .. }
                | RecordRefusal::NoFamilyEmail { .. }
        )
    }
}

/// Why one row of an import was not taken, beyond what its own columns say.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportRowProblem {
    #[error("No school has the URN {urn}; import or add the school first")]
    NoSchool { urn: Urn },
    #[error("No pupil has the reference {pupil_ref}; import the pupil first")]
    NoPupil { pupil_ref: String },
    #[error("No member of staff has the email {email}; import the staff first")]
    NoStaff { email: String },
    #[error("No instrument has the serial number {serial}; import or add the instrument first")]
    NoInstrument { serial: String },
}

impl ImportRowProblem {
    /// The import's column at fault.
    pub fn column(&self) -> &'static str {
        match self {
            ImportRowProblem::NoSchool { .. } => "school_urn",
            ImportRowProblem::NoPupil { .. } => "pupil_ref",
            ImportRowProblem::NoStaff { .. } => "teacher_email",
            ImportRowProblem::NoInstrument { .. } => "serial",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_the_key_taken_and_its_field() {
        let urn = Urn::new(114_432).unwrap();
        let table = [
            (
                RecordRefusal::PupilRefTaken {
                    pupil_ref: "P0001".into(),
                },
                "Another pupil already has the reference P0001.",
                "pupil_ref",
            ),
            (
                RecordRefusal::UrnTaken { urn },
                "Another school already has the URN 114432.",
                "urn",
            ),
            (
                RecordRefusal::NoSchool { urn },
                "No school has the URN 114432. Add the school first.",
                "school_urn",
            ),
        ];
        for (refusal, words, field) in table {
            assert_eq!(refusal.to_string(), words);
            assert_eq!(refusal.field(), Some(field));
        }
        assert!(!RecordRefusal::NoSchool { urn }.is_conflict());
        assert_eq!(
            ImportRowProblem::NoPupil { pupil_ref: "P9".into() }.to_string(),
            "No pupil has the reference P9; import the pupil first"
        );
    }
}
