//! What lessons refuse, and why: teaching groups, registers and notes, cancelled days and
//! their make-ups.
use time::Date;

use super::LessonType;
use crate::guarantee::RegisterMark;
use crate::validate::format_day_long;

/// The longest note a teacher writes on a lesson, in characters.
pub const NOTE_MAX_CHARS: usize = 2_000;

/// Why a change to lessons was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LessonRefusal {
    #[error("Choose a weekday from Monday to Friday.")]
    Weekday,
    #[error("A group needs at least one pupil.")]
    NoPupils,
    #[error("A {lesson_type} lesson holds at most {max} pupils.")]
    TooManyPupils { lesson_type: LessonType, max: usize },
    /// An enrolment is taught in one group at a time.
    #[error("An enrolment is already taught in another group.")]
    AlreadyInGroup,
    #[error("Teacher absent and school closed are marked for the whole lesson.")]
    HubMissForWholeLesson,
    #[error("This lesson is marked as missed by the hub. Mark it as given first.")]
    MissedByHub,
    #[error("Keep the note to 2,000 characters or fewer.")]
    NoteTooLong,
    #[error("There are no scheduled lessons to cancel on {}.", format_day_long(*day))]
    NothingToCancel { day: Date },
    #[error("This lesson is not owed by the hub.")]
    NotOwed,
    #[error("A make-up is already scheduled for this lesson.")]
    MakeUpScheduled,
    #[error(
        "{} is not a teaching day at this school (a weekend, holiday, INSET day or closure).",
        format_day_long(*day)
    )]
    NotTeachingDay { day: Date },
    /// An online group's joining link.
    #[error(transparent)]
    Link(#[from] crate::online::LinkRefusal),
}

impl LessonRefusal {
    /// The form field at fault, if one is.
    pub fn field(&self) -> Option<&'static str> {
        Some(match self {
            LessonRefusal::Weekday => "weekday",
            LessonRefusal::NoPupils | LessonRefusal::TooManyPupils { .. } | LessonRefusal::AlreadyInGroup => {
                "enrolments"
            }
            LessonRefusal::HubMissForWholeLesson => "mark",
            LessonRefusal::NoteTooLong => "note",
            LessonRefusal::NotTeachingDay { .. } => "day",
            LessonRefusal::Link(_) => "joining_link",
            _ => return None,
        })
    }

    /// The change clashes with a record already there.
    pub fn is_conflict(&self) -> bool {
        matches!(self, LessonRefusal::AlreadyInGroup | LessonRefusal::MakeUpScheduled)
    }
}

/// A new teaching group: on a school weekday (1 to 5), with at least one pupil and no more
/// than its lesson type holds.
pub fn check_new_group(weekday: u8, lesson_type: LessonType, pupils: usize) -> Result<(), LessonRefusal> {
    if !(1..=5).contains(&weekday) {
        return Err(LessonRefusal::Weekday);
    }
    if pupils == 0 {
        return Err(LessonRefusal::NoPupils);
    }
    match lesson_type.max_pupils() {
        Some(max) if pupils > max => Err(LessonRefusal::TooManyPupils { lesson_type, max }),
        _ => Ok(()),
    }
}

/// A pupil's own mark: the hub's misses are marked for the whole lesson instead.
pub fn check_pupil_mark(mark: RegisterMark) -> Result<(), LessonRefusal> {
    if mark.is_hub_miss() {
        Err(LessonRefusal::HubMissForWholeLesson)
    } else {
        Ok(())
    }
}

/// A teacher's note on a lesson, trimmed: [`NOTE_MAX_CHARS`] at most.
pub fn check_note(note: &str) -> Result<(), LessonRefusal> {
    if note.trim().chars().count() > NOTE_MAX_CHARS {
        Err(LessonRefusal::NoteTooLong)
    } else {
        Ok(())
    }
}

/// A make-up is for a lesson the hub owes, and one only.
pub fn check_make_up(owed_by_hub: bool, made_up_already: bool) -> Result<(), LessonRefusal> {
    if !owed_by_hub {
        return Err(LessonRefusal::NotOwed);
    }
    if made_up_already {
        return Err(LessonRefusal::MakeUpScheduled);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn groups_sit_on_a_school_day_and_hold_what_their_type_holds() {
        assert_eq!(check_new_group(1, LessonType::Individual, 1), Ok(()));
        assert_eq!(check_new_group(0, LessonType::Group, 1), Err(LessonRefusal::Weekday));
        assert_eq!(check_new_group(6, LessonType::Group, 1), Err(LessonRefusal::Weekday));
        assert_eq!(check_new_group(5, LessonType::Group, 0), Err(LessonRefusal::NoPupils));
        assert_eq!(
            check_new_group(3, LessonType::Paired, 3).unwrap_err().to_string(),
            "A paired lesson holds at most 2 pupils."
        );
        assert_eq!(check_new_group(3, LessonType::WholeClass, 30), Ok(()));
    }

    #[test]
    fn registers_notes_and_make_ups() {
        assert_eq!(check_pupil_mark(RegisterMark::Ill), Ok(()));
        assert_eq!(
            check_pupil_mark(RegisterMark::SchoolClosed),
            Err(LessonRefusal::HubMissForWholeLesson)
        );
        assert_eq!(check_note(&"x".repeat(2_000)), Ok(()));
        assert_eq!(check_note(&"é".repeat(2_001)), Err(LessonRefusal::NoteTooLong));
        assert_eq!(check_make_up(true, false), Ok(()));
        assert_eq!(check_make_up(false, true), Err(LessonRefusal::NotOwed));
        assert_eq!(check_make_up(true, true), Err(LessonRefusal::MakeUpScheduled));
        assert!(LessonRefusal::MakeUpScheduled.is_conflict());
        assert_eq!(
            LessonRefusal::NotTeachingDay {
                day: date!(2026 - 12 - 21)
            }
            .to_string(),
            "Monday 21 December 2026 is not a teaching day at this school (a weekend, holiday, INSET day or closure)."
        );
        assert_eq!(
            LessonRefusal::NothingToCancel {
                day: date!(2026 - 12 - 08)
            }
            .to_string(),
            "There are no scheduled lessons to cancel on Tuesday 8 December 2026."
        );
    }
}
