//! Admissions: the tuition a hub offers, applications checked against it, the fair order of a
//! waiting list, the lifecycles of an application and an enrolment, what admissions refuses
//! and why, the offer letter, and the end date a parent's notice gives.
use time::Date;

mod letters;
mod lifecycle;
mod offer_dates;
mod refusal;

pub use letters::OfferLetter;
pub use lifecycle::{ApplicationStatus, EnrolmentStatus};
pub use offer_dates::{
    OFFER_ANSWER_DAYS, is_working_day, offer_answer_by_default, offer_start_default, working_day_on_or_after,
};
pub use refusal::{AdmissionRefusal, NewEnrolment, check_first_in_line, check_not_already_applied, check_offer_dates};

use crate::calendar::SchoolCalendar;
use crate::charging::{ChargingError, ChargingPolicy, NoticeOutcome, notice_effective};
use crate::lessons::{LESSON_MINUTES, LessonType};

text_enum! {
    /// Who made an application.
    pub enum ApplicationSource {
        /// A parent or carer, from their account, paying themselves.
        Parent = "parent",
        /// A school, for tuition it pays for, for one of its own pupils.
        School = "school",
        /// The hub office, on someone's behalf.
        Admin = "admin" | "office",
    }
}

text_enum! {
    /// How a waiting list puts children in order (docs/decisions/0033-waiting-list-order.md).
    #[derive(Default)]
    pub enum WaitingPriority {
        /// Looked-after children first, then children with free school meals, then everyone
        /// else; by date of application within each band. The default.
        #[default]
        LookedAfterThenFsm = "looked-after-then-fsm",
        /// Looked-after children and children with free school meals together first, then
        /// everyone else; by date of application within each band.
        LookedAfterAndFsm = "looked-after-and-fsm",
        /// By date of application only.
        DateOnly = "date-only" | "date",
    }
}

impl WaitingPriority {
    /// The band a child falls in: lower bands are offered places first.
    pub fn band(self, looked_after: bool, free_school_meals: bool) -> u8 {
        match self {
            WaitingPriority::DateOnly => 0,
            WaitingPriority::LookedAfterAndFsm => u8::from(!(looked_after || free_school_meals)),
            WaitingPriority::LookedAfterThenFsm if looked_after => 0,
            WaitingPriority::LookedAfterThenFsm if free_school_meals => 1,
            WaitingPriority::LookedAfterThenFsm => 2,
        }
    }

    /// In words, for the admin screen.
    pub fn describe(self) -> &'static str {
        match self {
            WaitingPriority::LookedAfterThenFsm => {
                "Looked-after children first, then children with free school meals, then everyone else; by date of application within each group."
            }
            WaitingPriority::LookedAfterAndFsm => {
                "Looked-after children and children with free school meals first, then everyone else; by date of application within each group."
            }
            WaitingPriority::DateOnly => "By date of application only.",
        }
    }
}

/// One child waiting, as the ordering needs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitingEntry {
    /// The application's id: the last tie-break, so the order is total.
    pub application_id: i64,
    /// When the application was made (seconds since the epoch, UTC).
    pub applied_at: i64,
    pub looked_after: bool,
    pub free_school_meals: bool,
}

/// Puts one waiting list (one school, one instrument) in its fair order: by band, then by
/// when the application was made, then by application number.
pub fn waiting_order(entries: &mut [WaitingEntry], priority: WaitingPriority) {
    entries.sort_by_key(|e| {
        (
            priority.band(e.looked_after, e.free_school_meals),
            e.applied_at,
            e.application_id,
        )
    });
}

/// The shortest and longest lesson a hub offers, in minutes.
pub const MIN_MINUTES: u16 = 15;
pub const MAX_MINUTES: u16 = 60;

/// One combination the hub teaches: an instrument (or voice), a lesson type and a length.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TuitionChoice {
    pub instrument: String,
    pub lesson_type: LessonType,
    pub minutes: u16,
}

/// What is wrong with an application, by the form field it concerns.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApplicationError {
    #[error("Choose an instrument, or voice")]
    NoInstrument,
    #[error("Lessons are 15, 20, 30, 45 or 60 minutes long")]
    Minutes,
    #[error("Whole-class lessons are arranged by schools, not by parents")]
    WholeClassForSchools,
    #[error(
        "The hub does not offer {lesson} {instrument} lessons of {minutes} minutes; choose from the lessons listed"
    )]
    NotOffered {
        instrument: String,
        lesson: String,
        minutes: u16,
    },
}

impl ApplicationError {
    /// The form field the problem belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            ApplicationError::NoInstrument => "instrument",
            ApplicationError::Minutes => "minutes",
            ApplicationError::WholeClassForSchools | ApplicationError::NotOffered { .. } => "lesson_type",
        }
    }
}

/// Checks a new combination for the offer itself: a named instrument and a length the hub
/// teaches.
pub fn check_offer_choice(choice: &TuitionChoice) -> Result<(), ApplicationError> {
    if choice.instrument.trim().is_empty() {
        return Err(ApplicationError::NoInstrument);
    }
    if !LESSON_MINUTES.contains(&choice.minutes) {
        return Err(ApplicationError::Minutes);
    }
    Ok(())
}

/// Checks an application against the hub's offer: the instrument, type and length must be one
/// of the offered combinations (instrument names compared without regard to case), and only
/// schools and the office apply for whole-class teaching.
pub fn check_application(
    choice: &TuitionChoice,
    source: ApplicationSource,
    offer: &[TuitionChoice],
) -> Result<(), ApplicationError> {
    check_offer_choice(choice)?;
    if choice.lesson_type == LessonType::WholeClass && source == ApplicationSource::Parent {
        return Err(ApplicationError::WholeClassForSchools);
    }
    let wanted = choice.instrument.trim().to_lowercase();
    let offered = offer.iter().any(|o| {
        o.instrument.trim().to_lowercase() == wanted
            && o.lesson_type == choice.lesson_type
            && o.minutes == choice.minutes
    });
    if offered {
        Ok(())
    } else {
        Err(ApplicationError::NotOffered {
            instrument: choice.instrument.trim().to_string(),
            lesson: choice.lesson_type.as_str().replace('-', " "),
            minutes: choice.minutes,
        })
    }
}

/// A hub's starting offer: the instruments DOMAIN.md names and voice, individual 15 to 30
/// minutes, paired 30, groups 30 to 60 and whole-class 45 and 60 minutes for schools.
pub fn default_offer() -> Vec<TuitionChoice> {
    let shapes: [(LessonType, u16); 9] = [
        (LessonType::Individual, 15),
        (LessonType::Individual, 20),
        (LessonType::Individual, 30),
        (LessonType::Paired, 30),
        (LessonType::Group, 30),
        (LessonType::Group, 45),
        (LessonType::Group, 60),
        (LessonType::WholeClass, 45),
        (LessonType::WholeClass, 60),
    ];
    crate::instruments::TAUGHT
        .iter()
        .flat_map(|i| {
            shapes.iter().map(|(lesson_type, minutes)| TuitionChoice {
                instrument: (*i).to_string(),
                lesson_type: *lesson_type,
                minutes: *minutes,
            })
        })
        .collect()
}

/// The notice's explanation for the parent: the charging rule's words, and a sentence more
/// when the lessons end before they were to start (`starts`).
pub fn notice_explanation(outcome: &NoticeOutcome, end_date: Date, starts: Date) -> String {
    let mut explanation = outcome.explanation.clone();
    if end_date < starts {
        explanation.push_str(" These lessons had not started, so none will be given.");
    }
    explanation
}

/// What a parent's notice, received on `received`, means: the charging rule's outcome and the
/// enrolment's end date, the last day of the last payable term at the pupil's school.
pub fn notice_end_date(
    received: Date,
    policy: &ChargingPolicy,
    calendar: &SchoolCalendar,
) -> Result<(NoticeOutcome, Date), ChargingError> {
    let outcome = notice_effective(received, policy, calendar)?;
    let last = calendar
        .term(outcome.last_payable_term)
        .ok_or(ChargingError::NoTermDates)?
        .dates
        .last;
    Ok((outcome, last))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{AcademicYear, default_term_dates};
    use time::macros::date;

    fn entry(id: i64, at: i64, looked_after: bool, fsm: bool) -> WaitingEntry {
        WaitingEntry {
            application_id: id,
            applied_at: at,
            looked_after,
            free_school_meals: fsm,
        }
    }

    fn order(priority: WaitingPriority) -> Vec<i64> {
        let mut list = vec![
            entry(1, 100, false, false),
            entry(2, 200, false, true),
            entry(3, 300, true, false),
            entry(4, 100, false, false),
            entry(5, 50, false, true),
        ];
        waiting_order(&mut list, priority);
        list.iter().map(|e| e.application_id).collect()
    }

    #[test]
    fn waiting_lists_order_by_band_then_date_then_number() {
        assert_eq!(order(WaitingPriority::LookedAfterThenFsm), vec![3, 5, 2, 1, 4]);
        assert_eq!(order(WaitingPriority::LookedAfterAndFsm), vec![5, 2, 3, 1, 4]);
        assert_eq!(order(WaitingPriority::DateOnly), vec![5, 1, 4, 2, 3]);
        assert_eq!(WaitingPriority::default(), WaitingPriority::LookedAfterThenFsm);
        assert_eq!("date".parse::<WaitingPriority>().unwrap(), WaitingPriority::DateOnly);
    }

    #[test]
    fn applications_are_checked_against_the_offer() {
        let offer = default_offer();
        let choice = |i: &str, t, m| TuitionChoice {
            instrument: i.into(),
            lesson_type: t,
            minutes: m,
        };
        assert_eq!(
            check_application(
                &choice("violin", LessonType::Individual, 30),
                ApplicationSource::Parent,
                &offer
            ),
            Ok(())
        );
        assert_eq!(
            check_application(
                &choice(" ", LessonType::Individual, 30),
                ApplicationSource::Parent,
                &offer
            ),
            Err(ApplicationError::NoInstrument)
        );
        let err = check_application(
            &choice("Violin", LessonType::Individual, 25),
            ApplicationSource::Parent,
            &offer,
        )
        .unwrap_err();
        assert_eq!(err.field(), "minutes");
        let err = check_application(
            &choice("Violin", LessonType::Paired, 60),
            ApplicationSource::Parent,
            &offer,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "The hub does not offer paired Violin lessons of 60 minutes; choose from the lessons listed"
        );
        assert_eq!(
            check_application(
                &choice("Violin", LessonType::WholeClass, 60),
                ApplicationSource::Parent,
                &offer
            ),
            Err(ApplicationError::WholeClassForSchools)
        );
        assert_eq!(
            check_application(
                &choice("Violin", LessonType::WholeClass, 60),
                ApplicationSource::School,
                &offer
            ),
            Ok(())
        );
        assert_eq!(offer.len(), 24 * 9);
    }

    #[test]
    fn notice_ends_with_the_last_payable_term() {
        let policy = ChargingPolicy::default();
        let mut calendar = SchoolCalendar::local_authority_default(AcademicYear::starting(2026));
        calendar.add_terms(default_term_dates(AcademicYear::starting(2027)));
        let autumn_end = calendar.terms[0].dates.last;
        let spring_end = calendar.terms[1].dates.last;
        let (outcome, end) = notice_end_date(date!(2026 - 11 - 30), &policy, &calendar).unwrap();
        assert!(!outcome.next_term_payable);
        assert_eq!(end, autumn_end);
        let (outcome, end) = notice_end_date(date!(2026 - 12 - 01), &policy, &calendar).unwrap();
        assert!(outcome.next_term_payable);
        assert_eq!(end, spring_end);
    }
}
