//! The school year as the office sets it: a local authority's (or one school's) term dates,
//! its days without lessons (closures and INSET days), the rules they keep, and last year's
//! dates carried forward to the next year for the office to adjust.
//!
//! The types of the year itself (academic years, terms, teaching days) are in
//! [`crate::calendar`]; this module says what the office may and may not save.
use time::{Date, Duration};

use crate::calendar::{AcademicYear, DateRange, TermDates, TermName, is_weekday};
use crate::validate::format_day_long;

/// The longest local authority name or closure reason, in characters.
pub const TEXT_MAX_CHARS: usize = 200;

text_enum! {
    /// What kind of day without lessons it is. Stored as its word.
    pub enum ClosureKind {
        /// The school is shut (a polling day, the school's own closure).
        Closure = "closure" | "closed",
        /// A staff training day: the school is open but pupils are not in, so no lessons.
        Inset = "inset" | "inset day" | "training day",
    }
}
stored_status!(ClosureKind);

impl ClosureKind {
    /// "closure" or "INSET day", as screens say it.
    pub fn words(self) -> &'static str {
        match self {
            ClosureKind::Closure => "closure",
            ClosureKind::Inset => "INSET day",
        }
    }
}

/// Why term dates or a closure were not saved.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TermRefusal {
    #[error("Enter the local authority these dates are for.")]
    NoAuthority,
    #[error("Keep the local authority to 200 characters or fewer.")]
    AuthorityTooLong,
    #[error("The term must end on or after the day it starts.")]
    LastBeforeFirst,
    #[error("Half term must end on or after the day it starts.")]
    HalfTermBackwards,
    #[error(
        "Half term must fall inside the term, from {} to {}.",
        format_day_long(term.first),
        format_day_long(term.last)
    )]
    HalfTermOutside { term: DateRange },
    #[error(
        "The {name} term of {year} must fall between {} and {}.",
        format_day_long(year.first_day()),
        format_day_long(year.last_day())
    )]
    OutsideYear { name: TermName, year: AcademicYear },
    #[error(
        "These dates overlap the {other} term, {} to {}.",
        format_day_long(dates.first),
        format_day_long(dates.last)
    )]
    Overlaps { other: TermName, dates: DateRange },
    #[error("The {name} term must come {} the {other} term, which starts on {}.", if name < other { "before" } else { "after" }, format_day_long(*other_first))]
    OutOfOrder {
        name: TermName,
        other: TermName,
        other_first: Date,
    },
    #[error("There are already dates for the {name} term of {year} here; change those instead.")]
    TermExists { name: TermName, year: AcademicYear },
    #[error("There are no term dates for {year} to copy.")]
    NothingToCopy { year: AcademicYear },
    #[error("{year} already has term dates here; change them instead of copying.")]
    AlreadySet { year: AcademicYear },
    #[error("Enter the reason for the closure, such as \"Polling day\".")]
    NoReason,
    #[error("Keep the reason to 200 characters or fewer.")]
    ReasonTooLong,
    #[error("{} is a weekend: there are no lessons to close.", format_day_long(*day))]
    Weekend { day: Date },
    #[error("{} is already closed here.", format_day_long(*day))]
    ClosureExists { day: Date },
}

impl TermRefusal {
    /// The form field (the API's field and the import's column) at fault.
    pub fn field(&self) -> Option<&'static str> {
        Some(match self {
            TermRefusal::NoAuthority | TermRefusal::AuthorityTooLong => "authority",
            TermRefusal::LastBeforeFirst => "last_day",
            TermRefusal::HalfTermBackwards => "half_term_last_day",
            TermRefusal::HalfTermOutside { .. } => "half_term_first_day",
            TermRefusal::OutsideYear { .. } | TermRefusal::Overlaps { .. } | TermRefusal::OutOfOrder { .. } => {
                "first_day"
            }
            TermRefusal::TermExists { .. } => "term",
            TermRefusal::NothingToCopy { .. } | TermRefusal::AlreadySet { .. } => "academic_year",
            TermRefusal::NoReason | TermRefusal::ReasonTooLong => "reason",
            TermRefusal::Weekend { .. } | TermRefusal::ClosureExists { .. } => "date",
        })
    }

    /// The change clashes with dates already saved.
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            TermRefusal::Overlaps { .. }
                | TermRefusal::OutOfOrder { .. }
                | TermRefusal::TermExists { .. }
                | TermRefusal::AlreadySet { .. }
                | TermRefusal::ClosureExists { .. }
        )
    }
}

/// A local authority's name as the office typed it: trimmed, present, not too long.
pub fn check_authority(text: &str) -> Result<String, TermRefusal> {
    let t = text.trim();
    if t.is_empty() {
        Err(TermRefusal::NoAuthority)
    } else if t.chars().count() > TEXT_MAX_CHARS {
        Err(TermRefusal::AuthorityTooLong)
    } else {
        Ok(t.to_owned())
    }
}

/// One term's dates on their own: the term ends on or after it starts, half term runs
/// forwards and lies inside the term, and the whole term lies inside its academic year.
pub fn check_term(dates: &TermDates) -> Result<(), TermRefusal> {
    if dates.dates.last < dates.dates.first {
        return Err(TermRefusal::LastBeforeFirst);
    }
    if dates.half_term.last < dates.half_term.first {
        return Err(TermRefusal::HalfTermBackwards);
    }
    if !(dates.dates.contains(dates.half_term.first) && dates.dates.contains(dates.half_term.last)) {
        return Err(TermRefusal::HalfTermOutside { term: dates.dates });
    }
    let year = dates.term.year;
    if dates.dates.first < year.first_day() || dates.dates.last > year.last_day() {
        return Err(TermRefusal::OutsideYear {
            name: dates.term.name,
            year,
        });
    }
    Ok(())
}

/// A term beside the others of the same authority or school (`others` leaves out the
/// term being changed): no second set of dates for the same term, no two terms sharing a
/// day, and autumn, spring and summer in that order within a year.
pub fn check_beside(dates: &TermDates, others: &[TermDates]) -> Result<(), TermRefusal> {
    check_term(dates)?;
    for other in others {
        if other.term == dates.term {
            return Err(TermRefusal::TermExists {
                name: dates.term.name,
                year: dates.term.year,
            });
        }
        let overlap = other.dates.first <= dates.dates.last && dates.dates.first <= other.dates.last;
        if overlap {
            return Err(TermRefusal::Overlaps {
                other: other.term.name,
                dates: other.dates,
            });
        }
        if other.term.year == dates.term.year {
            let wrong_way = (other.term.name < dates.term.name) != (other.dates.first < dates.dates.first);
            if wrong_way {
                return Err(TermRefusal::OutOfOrder {
                    name: dates.term.name,
                    other: other.term.name,
                    other_first: other.dates.first,
                });
            }
        }
    }
    Ok(())
}

/// A day without lessons: a weekday, with a reason of at most 200 characters. Returns the
/// reason trimmed.
pub fn check_closure(day: Date, reason: &str) -> Result<String, TermRefusal> {
    if !is_weekday(day) {
        return Err(TermRefusal::Weekend { day });
    }
    let reason = reason.trim();
    if reason.is_empty() {
        Err(TermRefusal::NoReason)
    } else if reason.chars().count() > TEXT_MAX_CHARS {
        Err(TermRefusal::ReasonTooLong)
    } else {
        Ok(reason.to_owned())
    }
}

/// A date moved on by 52 weeks, so it falls on the same weekday the next year (a year
/// later less one or two days). A date that would then fall before the next academic year
/// starts (a term starting on Monday 1 September) moves on one week more.
fn a_year_on(date: Date, next: AcademicYear) -> Date {
    let moved = date + Duration::weeks(52);
    if moved < next.first_day() {
        moved + Duration::weeks(1)
    } else {
        moved
    }
}

/// Last year's terms carried to the next academic year, each date on the same weekday
/// (see `a_year_on`), for the office to adjust: Easter moves, and so do the spring and
/// summer terms around it. Every term of the result keeps [`check_term`].
pub fn copy_to_next_year(terms: &[TermDates]) -> Vec<TermDates> {
    terms
        .iter()
        .map(|t| {
            let next = t.term.year.next();
            let shift = |d: Date| a_year_on(d, next);
            let mut copy = TermDates {
                term: crate::calendar::TermId::new(next, t.term.name),
                dates: DateRange {
                    first: shift(t.dates.first),
                    last: shift(t.dates.last),
                },
                half_term: DateRange {
                    first: shift(t.half_term.first),
                    last: shift(t.half_term.last),
                },
            };
            // A term that started on the first day of its year and moved on a week more
            // must still hold its half term.
            if copy.half_term.first < copy.dates.first {
                copy.half_term.first = copy.dates.first;
            }
            if copy.half_term.last < copy.half_term.first {
                copy.half_term.last = copy.half_term.first;
            }
            if copy.dates.last > next.last_day() {
                copy.dates.last = next.last_day();
            }
            copy
        })
        .collect()
}

/// Reads a term's name: autumn, spring or summer, in any case.
pub fn parse_term_name(text: &str) -> Result<TermName, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "autumn" => Ok(TermName::Autumn),
        "spring" => Ok(TermName::Spring),
        "summer" => Ok(TermName::Summer),
        _ => Err("Enter the term: Autumn, Spring or Summer".to_owned()),
    }
}

/// A term's name as people write it: "Autumn".
pub fn term_title(name: TermName) -> &'static str {
    match name {
        TermName::Autumn => "Autumn",
        TermName::Spring => "Spring",
        TermName::Summer => "Summer",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{TermId, default_term_dates};
    use time::macros::date;

    fn term(year: i32, name: TermName, dates: (Date, Date), half: (Date, Date)) -> TermDates {
        TermDates {
            term: TermId::new(AcademicYear::starting(year), name),
            dates: DateRange {
                first: dates.0,
                last: dates.1,
            },
            half_term: DateRange {
                first: half.0,
                last: half.1,
            },
        }
    }

    fn autumn_2026() -> TermDates {
        term(
            2026,
            TermName::Autumn,
            (date!(2026 - 09 - 02), date!(2026 - 12 - 18)),
            (date!(2026 - 10 - 26), date!(2026 - 10 - 30)),
        )
    }

    #[test]
    fn a_term_s_own_dates_are_checked_field_by_field() {
        let good = autumn_2026();
        assert_eq!(check_term(&good), Ok(()));
        let mut backwards = good;
        backwards.dates.last = date!(2026 - 09 - 01);
        let mut half_backwards = good;
        half_backwards.half_term.last = date!(2026 - 10 - 20);
        let mut half_outside = good;
        half_outside.half_term = DateRange {
            first: date!(2026 - 12 - 21),
            last: date!(2026 - 12 - 24),
        };
        let mut outside_year = good;
        outside_year.dates.first = date!(2026 - 08 - 28);
        let table = [
            (
                backwards,
                "The term must end on or after the day it starts.",
                "last_day",
            ),
            (
                half_backwards,
                "Half term must end on or after the day it starts.",
                "half_term_last_day",
            ),
            (
                half_outside,
                "Half term must fall inside the term, from Wednesday 2 September 2026 to Friday 18 December 2026.",
                "half_term_first_day",
            ),
            (
                outside_year,
                "The autumn term of 2026-27 must fall between Tuesday 1 September 2026 and Tuesday 31 August 2027.",
                "first_day",
            ),
        ];
        for (dates, words, field) in table {
            let refusal = check_term(&dates).unwrap_err();
            assert_eq!(refusal.to_string(), words);
            assert_eq!(refusal.field(), Some(field));
            assert!(!refusal.is_conflict());
        }
    }

    #[test]
    fn terms_do_not_overlap_repeat_or_come_out_of_order() {
        let autumn = autumn_2026();
        let spring = term(
            2026,
            TermName::Spring,
            (date!(2027 - 01 - 04), date!(2027 - 03 - 19)),
            (date!(2027 - 02 - 15), date!(2027 - 02 - 19)),
        );
        assert_eq!(check_beside(&spring, &[autumn]), Ok(()));
        let mut early = spring;
        early.dates.first = date!(2026 - 12 - 14);
        let overlap = check_beside(&early, &[autumn]).unwrap_err();
        assert_eq!(
            overlap.to_string(),
            "These dates overlap the autumn term, Wednesday 2 September 2026 to Friday 18 December 2026."
        );
        assert!(overlap.is_conflict());
        let mut before = spring;
        before.dates = DateRange {
            first: date!(2026 - 09 - 01),
            last: date!(2026 - 09 - 01),
        };
        before.half_term = before.dates;
        assert!(matches!(
            check_beside(&before, &[autumn]),
            Err(TermRefusal::OutOfOrder { .. })
        ));
        assert_eq!(
            check_beside(&autumn, &[autumn]),
            Err(TermRefusal::TermExists {
                name: TermName::Autumn,
                year: AcademicYear::starting(2026)
            })
        );
    }

    #[test]
    fn closures_are_weekdays_with_a_reason() {
        assert_eq!(
            check_closure(date!(2026 - 11 - 26), "  Polling day "),
            Ok("Polling day".into())
        );
        let weekend = check_closure(date!(2026 - 11 - 28), "Polling day").unwrap_err();
        assert_eq!(
            weekend.to_string(),
            "Saturday 28 November 2026 is a weekend: there are no lessons to close."
        );
        assert_eq!(weekend.field(), Some("date"));
        assert_eq!(check_closure(date!(2026 - 11 - 26), " "), Err(TermRefusal::NoReason));
        assert_eq!(
            check_closure(date!(2026 - 11 - 26), &"x".repeat(201)),
            Err(TermRefusal::ReasonTooLong)
        );
        assert_eq!("INSET day".parse::<ClosureKind>(), Ok(ClosureKind::Inset));
        assert_eq!(ClosureKind::parse("inset"), Some(ClosureKind::Inset));
        assert_eq!(ClosureKind::parse("Inset"), None);
    }

    #[test]
    fn last_year_copied_lands_on_the_same_weekdays_and_keeps_the_rules() {
        for start in 2020..2040 {
            let year = AcademicYear::starting(start);
            let terms = default_term_dates(year);
            let copied = copy_to_next_year(&terms);
            for (old, new) in terms.iter().zip(&copied) {
                assert_eq!(new.term.year, year.next());
                assert_eq!(new.term.name, old.term.name);
                assert_eq!(new.dates.first.weekday(), old.dates.first.weekday(), "{start}");
                assert_eq!(new.half_term.first.weekday(), old.half_term.first.weekday());
                assert_eq!(check_term(new), Ok(()), "{start} {:?}", new.term);
                let others: Vec<TermDates> = copied.iter().filter(|t| t.term != new.term).copied().collect();
                assert_eq!(check_beside(new, &others), Ok(()), "{start}");
            }
        }
        // Monday 1 September 2025 moves to Monday 7 September 2026, not to 31 August.
        let first = term(
            2025,
            TermName::Autumn,
            (date!(2025 - 09 - 01), date!(2025 - 12 - 19)),
            (date!(2025 - 10 - 27), date!(2025 - 10 - 31)),
        );
        let copy = copy_to_next_year(&[first])[0];
        assert_eq!(copy.dates.first, date!(2026 - 09 - 07));
        assert_eq!(copy.dates.last, date!(2026 - 12 - 18));
        assert_eq!(copy.half_term.first, date!(2026 - 10 - 26));
    }

    #[test]
    fn term_names_read_in_any_case() {
        assert_eq!(parse_term_name("Autumn"), Ok(TermName::Autumn));
        assert_eq!(parse_term_name(" SUMMER "), Ok(TermName::Summer));
        assert!(parse_term_name("Winter").is_err());
        assert_eq!(term_title(TermName::Spring), "Spring");
    }
}
