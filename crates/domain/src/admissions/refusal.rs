//! What admissions refuses, and why, in words a parent or the office understands: the offer,
//! applications, offers of a place and their answers, enrolments made directly, and notice.
use time::Date;

use super::{ApplicationError, ApplicationStatus};
use crate::charging::ChargingError;
use crate::lessons::{LESSON_MINUTES, LessonType};
use crate::validate::format_day_long;

/// Why admissions said no.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AdmissionRefusal {
    /// The application, or a combination for the offer, is not one the hub teaches.
    #[error(transparent)]
    Application(#[from] ApplicationError),
    /// The offer already holds this combination.
    #[error("The hub already offers {} {instrument} lessons of {minutes} minutes.", lesson_type.as_str().replace('-', " "))]
    AlreadyOffered {
        lesson_type: LessonType,
        instrument: String,
        minutes: u16,
    },
    /// The child is already waiting, offered or learning this instrument.
    #[error("This child already has {} for {instrument}.", if *learning { "lessons" } else { "an application" })]
    AlreadyApplied { instrument: String, learning: bool },
    #[error("The offer must be open until today or later.")]
    OfferClosesBeforeToday,
    #[error("Lessons cannot start before today.")]
    StartsBeforeToday,
    /// Only a waiting application can be offered a place.
    #[error("This application is {status}, not waiting, so no place can be offered.")]
    NotWaiting { status: ApplicationStatus },
    /// A place goes to the first child on the list.
    #[error(
        "Another child is ahead of {pupil} on the {instrument} list at {school}; offer the place to the first child."
    )]
    NotFirstInLine {
        pupil: String,
        instrument: String,
        school: String,
    },
    #[error(
        "This offer lapsed: it was open until {}. Contact the hub office if you still want lessons.",
        open_until.map(format_day_long).unwrap_or_default()
    )]
    OfferLapsed { open_until: Option<Date> },
    /// A ticked child with no application waiting cannot be offered a place.
    #[error("{pupil} has no application on a waiting list, so no place can be offered.")]
    NothingWaiting { pupil: String },
    /// A ticked child waiting for several instruments: which place is meant is the office's
    /// choice, made on the waiting lists.
    #[error("{pupil} is waiting for more than one instrument; offer their place from the waiting lists.")]
    WaitingForSeveral { pupil: String },
    #[error("There is no open offer on this application (it is {status}).")]
    NoOpenOffer { status: ApplicationStatus },
    /// Someone answered the offer between reading it and answering it.
    #[error("This offer has already been answered.")]
    OfferAnswered,
    #[error("Lessons are 15, 20, 30, 45 or 60 minutes long.")]
    Minutes,
    #[error("Choose a weekday from Monday (1) to Friday (5).")]
    Weekday,
    #[error("The start time must be within the day.")]
    StartOutsideDay,
    #[error("Give the instrument.")]
    NoInstrument,
    #[error("There is no pupil {0}.")]
    NoSuchPupil(i64),
    #[error("There is no teacher {0}.")]
    NoSuchTeacher(i64),
    #[error("There is no school {0}.")]
    NoSuchSchool(i64),
    /// Notice is given once; `lessons_end` is the date it gave, when known.
    #[error("{}", match lessons_end {
        Some(end) => format!("Notice has already been given: lessons end on {}.", format_day_long(*end)),
        None => "Notice has already been given.".to_owned(),
    })]
    NoticeAlreadyGiven { lessons_end: Option<Date> },
    /// The charging rule could not say when notice given today takes effect.
    #[error(transparent)]
    Notice(ChargingError),
}

impl AdmissionRefusal {
    /// The form or API field at fault, if one is.
    pub fn field(&self) -> Option<&'static str> {
        Some(match self {
            AdmissionRefusal::Application(e) => e.field(),
            AdmissionRefusal::AlreadyOffered { .. }
            | AdmissionRefusal::AlreadyApplied { .. }
            | AdmissionRefusal::NoInstrument => "instrument",
            AdmissionRefusal::OfferClosesBeforeToday => "expires_on",
            AdmissionRefusal::StartsBeforeToday => "start_date",
            AdmissionRefusal::Minutes => "minutes",
            AdmissionRefusal::Weekday => "weekday",
            AdmissionRefusal::StartOutsideDay => "start_time",
            AdmissionRefusal::NoSuchPupil(_) => "pupil_id",
            AdmissionRefusal::NoSuchTeacher(_) => "teacher_id",
            AdmissionRefusal::NoSuchSchool(_) => "school_id",
            _ => return None,
        })
    }

    /// The change clashes with a record already there (a duplicate, or an answer already
    /// given), rather than breaking a rule on its own.
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            AdmissionRefusal::AlreadyOffered { .. } | AdmissionRefusal::AlreadyApplied { .. }
        )
    }
}

/// A place is offered from `start_date`, open until the end of `expires_on`: neither may be
/// before `today`.
pub fn check_offer_dates(start_date: Date, expires_on: Date, today: Date) -> Result<(), AdmissionRefusal> {
    if expires_on < today {
        return Err(AdmissionRefusal::OfferClosesBeforeToday);
    }
    if start_date < today {
        return Err(AdmissionRefusal::StartsBeforeToday);
    }
    Ok(())
}

/// A place goes to the first child on the list: `place` is the application's place on it,
/// read under the write lock; `pupil`, `instrument` and `school` name the list in the refusal.
pub fn check_first_in_line(
    place: Option<i64>,
    pupil: &str,
    instrument: &str,
    school: &str,
) -> Result<(), AdmissionRefusal> {
    if place == Some(1) {
        Ok(())
    } else {
        Err(AdmissionRefusal::NotFirstInLine {
            pupil: pupil.to_owned(),
            instrument: instrument.to_owned(),
            school: school.to_owned(),
        })
    }
}

/// One application per child and instrument: `open` applications (waiting, or offered and
/// not lapsed) and enrolments `learning` it (active or awaiting) each refuse another.
pub fn check_not_already_applied(open: u64, learning: u64, instrument: &str) -> Result<(), AdmissionRefusal> {
    if open + learning > 0 {
        Err(AdmissionRefusal::AlreadyApplied {
            instrument: instrument.trim().to_owned(),
            learning: learning > 0,
        })
    } else {
        Ok(())
    }
}

/// A new enrolment made directly by the office (API) or an import: placed when teacher,
/// weekday and start are all given, else awaiting allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEnrolment {
    pub pupil_id: i64,
    pub instrument: String,
    pub lesson_type: LessonType,
    pub minutes: u16,
    pub start_date: Date,
    pub teacher_id: Option<i64>,
    pub school_id: Option<i64>,
    /// 1 Monday to 5 Friday.
    pub weekday: Option<u8>,
    /// Minutes after midnight.
    pub start_minute: Option<u16>,
}

impl NewEnrolment {
    /// Placed: a teacher, a weekday and a start are all known.
    pub fn is_placed(&self) -> bool {
        self.teacher_id.is_some() && self.weekday.is_some() && self.start_minute.is_some()
    }

    /// Checks what needs no records: a length the hub teaches, a school weekday, a start
    /// within the day and a named instrument. That the pupil, teacher and school exist is
    /// the store's to check ([`AdmissionRefusal::NoSuchPupil`] and its neighbours).
    pub fn check(&self) -> Result<(), AdmissionRefusal> {
        if !LESSON_MINUTES.contains(&self.minutes) {
            return Err(AdmissionRefusal::Minutes);
        }
        if self.weekday.is_some_and(|d| !(1..=5).contains(&d)) {
            return Err(AdmissionRefusal::Weekday);
        }
        if self.start_minute.is_some_and(|m| m >= 24 * 60) {
            return Err(AdmissionRefusal::StartOutsideDay);
        }
        if self.instrument.trim().is_empty() {
            return Err(AdmissionRefusal::NoInstrument);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn refusals_read_as_the_office_and_parents_read_them() {
        let table: Vec<(AdmissionRefusal, &str)> = vec![
            (
                AdmissionRefusal::AlreadyOffered {
                    lesson_type: LessonType::WholeClass,
                    instrument: "Violin".into(),
                    minutes: 45,
                },
                "The hub already offers whole class Violin lessons of 45 minutes.",
            ),
            (
                AdmissionRefusal::AlreadyApplied {
                    instrument: "Cello".into(),
                    learning: true,
                },
                "This child already has lessons for Cello.",
            ),
            (
                AdmissionRefusal::AlreadyApplied {
                    instrument: "Cello".into(),
                    learning: false,
                },
                "This child already has an application for Cello.",
            ),
            (
                AdmissionRefusal::NotFirstInLine {
                    pupil: "Amy Lee".into(),
                    instrument: "Flute".into(),
                    school: "Ash Primary".into(),
                },
                "Another child is ahead of Amy Lee on the Flute list at Ash Primary; offer the place to the first child.",
            ),
            (
                AdmissionRefusal::OfferLapsed {
                    open_until: Some(date!(2026 - 09 - 30)),
                },
                "This offer lapsed: it was open until Wednesday 30 September 2026. Contact the hub office if you still want lessons.",
            ),
            (AdmissionRefusal::NoSuchPupil(7), "There is no pupil 7."),
            (
                AdmissionRefusal::Application(ApplicationError::Minutes),
                "Lessons are 15, 20, 30, 45 or 60 minutes long",
            ),
            (
                AdmissionRefusal::Notice(ChargingError::NoTermDates),
                "The school calendar has no dates for the term needed",
            ),
        ];
        for (refusal, words) in table {
            assert_eq!(refusal.to_string(), words);
        }
        assert!(
            AdmissionRefusal::AlreadyApplied {
                instrument: "x".into(),
                learning: false
            }
            .is_conflict()
        );
        assert!(!AdmissionRefusal::OfferAnswered.is_conflict());
        assert_eq!(
            AdmissionRefusal::Application(ApplicationError::NoInstrument).field(),
            Some("instrument")
        );
        assert_eq!(AdmissionRefusal::OfferAnswered.field(), None);
    }

    #[test]
    fn offers_open_today_or_later_and_go_to_the_first_child() {
        let today = date!(2026 - 09 - 14);
        assert_eq!(check_offer_dates(today, today, today), Ok(()));
        assert_eq!(
            check_offer_dates(today, date!(2026 - 09 - 13), today),
            Err(AdmissionRefusal::OfferClosesBeforeToday)
        );
        assert_eq!(
            check_offer_dates(date!(2026 - 09 - 13), today, today),
            Err(AdmissionRefusal::StartsBeforeToday)
        );
        // Both wrong: the expiry is named first, as the office fills the form.
        assert_eq!(
            check_offer_dates(date!(2026 - 09 - 01), date!(2026 - 09 - 01), today),
            Err(AdmissionRefusal::OfferClosesBeforeToday)
        );
        assert_eq!(check_first_in_line(Some(1), "A", "B", "C"), Ok(()));
        assert!(check_first_in_line(Some(2), "A", "B", "C").is_err());
        assert!(check_first_in_line(None, "A", "B", "C").is_err());
        assert_eq!(check_not_already_applied(0, 0, "Violin"), Ok(()));
        assert_eq!(
            check_not_already_applied(1, 1, " Violin ").unwrap_err().to_string(),
            "This child already has lessons for Violin."
        );
    }

    #[test]
    fn an_enrolment_made_directly_is_checked_before_the_records_are() {
        let ok = NewEnrolment {
            pupil_id: 1,
            instrument: "Violin".into(),
            lesson_type: LessonType::Individual,
            minutes: 30,
            start_date: date!(2026 - 09 - 14),
            teacher_id: Some(2),
            school_id: None,
            weekday: Some(1),
            start_minute: Some(540),
        };
        assert_eq!(ok.check(), Ok(()));
        assert!(ok.is_placed());
        assert!(
            !NewEnrolment {
                weekday: None,
                ..ok.clone()
            }
            .is_placed()
        );
        let table = [
            (
                NewEnrolment {
                    minutes: 25,
                    ..ok.clone()
                },
                AdmissionRefusal::Minutes,
            ),
            (
                NewEnrolment {
                    weekday: Some(6),
                    ..ok.clone()
                },
                AdmissionRefusal::Weekday,
            ),
            (
                NewEnrolment {
                    start_minute: Some(1440),
                    ..ok.clone()
                },
                AdmissionRefusal::StartOutsideDay,
            ),
            (
                NewEnrolment {
                    instrument: "  ".into(),
                    ..ok.clone()
                },
                AdmissionRefusal::NoInstrument,
            ),
        ];
        for (e, refusal) in table {
            assert_eq!(e.check(), Err(refusal));
        }
    }
}
