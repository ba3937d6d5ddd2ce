//! Staff: roles, employment types, DBS certificate numbers and when checks fall due.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::Date;

text_enum! {
    /// What a member of staff does in the hub.
    pub enum StaffRole {
        /// A (peripatetic) teacher.
        Teacher = "teacher" | "tutor",
        /// Office administrator.
        Admin = "admin" | "office admin" | "administrator",
        /// Manager: quality assurance, staff records, reports.
        Manager = "manager",
    }
}

text_enum! {
    /// How a member of staff is engaged.
    pub enum Employment {
        /// An employee on a contract.
        Employed = "employed" | "employee",
        /// Paid by the session.
        Sessional = "sessional",
        /// Self-employed, invoicing the hub.
        SelfEmployed = "self-employed" | "freelance",
    }
}

/// An enhanced DBS certificate number: 12 digits. Serialised as the digits.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DbsNumber(String);

/// A DBS certificate number that is not 12 digits.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("Enter the 12-digit DBS certificate number")]
pub struct DbsNumberError;

impl DbsNumber {
    /// Reads the number, ignoring spaces.
    pub fn parse(text: &str) -> Result<DbsNumber, DbsNumberError> {
        let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() == 12 && digits.chars().all(|c| c.is_ascii_digit()) {
            Ok(DbsNumber(digits))
        } else {
            Err(DbsNumberError)
        }
    }

    /// The 12 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DbsNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for DbsNumber {
    type Err = DbsNumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DbsNumber::parse(s)
    }
}

impl TryFrom<String> for DbsNumber {
    type Error = DbsNumberError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        DbsNumber::parse(&value)
    }
}

impl From<DbsNumber> for String {
    fn from(value: DbsNumber) -> String {
        value.0
    }
}

/// Where a dated check (DBS, safeguarding training) stands on a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// Never recorded.
    Missing,
    /// In date, and not due within the warning period.
    Current {
        /// The day it falls due.
        #[serde(with = "crate::serde_formats::date")]
        due: Date,
    },
    /// Falls due within the warning period.
    DueSoon {
        /// The day it falls due.
        #[serde(with = "crate::serde_formats::date")]
        due: Date,
    },
    /// Past its due date.
    Expired {
        /// The day it fell due.
        #[serde(with = "crate::serde_formats::date")]
        due: Date,
    },
}

/// Whether a check done on `done` is current on `today`, when it must be renewed every
/// `renew_after_years` years and a warning starts `warn_days` before. A DBS check held on the
/// update service does not expire (the hub checks it online instead): pass `None` as `done`
/// only when it was never recorded.
///
/// Hubs commonly renew DBS checks every 3 years and safeguarding training every 3 years (2
/// for designated leads); these are configuration, not law.
pub fn check_status(done: Option<Date>, renew_after_years: u8, warn_days: u16, today: Date) -> CheckStatus {
    let Some(done) = done else {
        return CheckStatus::Missing;
    };
    let due_year = done.year() + renew_after_years as i32;
    // 29 February renews on 28 February in a year without one.
    let due = done
        .replace_year(due_year)
        .or_else(|_| done.replace_day(28).and_then(|d| d.replace_year(due_year)))
        .unwrap_or(done);
    if today >= due {
        CheckStatus::Expired { due }
    } else if (due - today).whole_days() <= warn_days as i64 {
        CheckStatus::DueSoon { due }
    } else {
        CheckStatus::Current { due }
    }
}

/// A full-time equivalent: the share of a full-time post someone is contracted for, in
/// hundredths, from 0.01 to 1 (the data return sums them by employment type).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fte(u16);

/// An FTE that is not a decimal from 0.01 to 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("Enter the full-time equivalent as a decimal from 0.01 to 1, for example 0.6")]
pub struct FteError;

impl Fte {
    /// Reads "0.6", "1" or "0.25" (at most two decimals).
    pub fn parse(text: &str) -> Result<Fte, FteError> {
        // Written as 0.xx or 1 (as the API's pattern says), nothing looser.
        let text = text.trim();
        let (whole, fraction) = text.split_once('.').unwrap_or((text, "00"));
        if !matches!(whole, "0" | "1")
            || fraction.is_empty()
            || fraction.len() > 2
            || !fraction.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(FteError);
        }
        match crate::geo::parse_fixed(text, 2) {
            Some(h) if (1..=100).contains(&h) => Ok(Fte(h as u16)),
            _ => Err(FteError),
        }
    }

    /// From stored hundredths, if in range.
    pub fn from_hundredths(h: i64) -> Option<Fte> {
        (1..=100).contains(&h).then_some(Fte(h as u16))
    }

    pub fn hundredths(self) -> u16 {
        self.0
    }
}

impl fmt::Display for Fte {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::geo::format_fixed(self.0.into(), 2))
    }
}

impl FromStr for Fte {
    type Err = FteError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Fte::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn dbs_numbers() {
        assert_eq!(DbsNumber::parse("0012 3456 7890").unwrap().as_str(), "001234567890");
        assert_eq!(DbsNumber::parse("12345"), Err(DbsNumberError));
        assert_eq!(DbsNumber::parse("00123456789X"), Err(DbsNumberError));
    }

    #[test]
    fn check_due_dates() {
        let today = date!(2026 - 09 - 01);
        assert_eq!(check_status(None, 3, 60, today), CheckStatus::Missing);
        assert_eq!(
            check_status(Some(date!(2024 - 01 - 10)), 3, 60, today),
            CheckStatus::Current {
                due: date!(2027 - 01 - 10)
            }
        );
        assert_eq!(
            check_status(Some(date!(2023 - 10 - 15)), 3, 60, today),
            CheckStatus::DueSoon {
                due: date!(2026 - 10 - 15)
            }
        );
        assert_eq!(
            check_status(Some(date!(2023 - 09 - 01)), 3, 60, today),
            CheckStatus::Expired {
                due: date!(2026 - 09 - 01)
            }
        );
        assert_eq!(
            check_status(Some(date!(2024 - 02 - 29)), 3, 0, today),
            CheckStatus::Current {
                due: date!(2027 - 02 - 28)
            }
        );
    }

    #[test]
    fn roles() {
        assert_eq!("Office Admin".parse(), Ok(StaffRole::Admin));
        assert_eq!("self employed".parse(), Ok(Employment::SelfEmployed));
        assert!("boss".parse::<StaffRole>().is_err());
    }

    #[test]
    fn an_fte_is_a_decimal_from_a_hundredth_to_one() {
        assert_eq!(Fte::parse("0.6").unwrap().hundredths(), 60);
        assert_eq!(Fte::parse("1").unwrap().to_string(), "1");
        assert_eq!(Fte::parse("0.25").unwrap().to_string(), "0.25");
        for bad in ["0", "1.01", "0.125", "-0.5", "half", "", ".5", "+0.5", "00.5", "1."] {
            assert_eq!(Fte::parse(bad), Err(FteError), "{bad:?}");
        }
    }
}
