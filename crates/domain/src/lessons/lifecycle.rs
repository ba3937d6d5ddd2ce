//! A dated lesson's lifecycle: scheduled, then given, or missed by the hub (teacher absent,
//! school closed) and owed, or cancelled. Written in the database as `as_str` gives.
use super::LessonRefusal;
use crate::guarantee::RegisterMark;

text_enum! {
    /// What a dated lesson became (the `dated_lessons.status` column).
    pub enum LessonStatus {
        /// On the timetable, not yet taught.
        Scheduled = "scheduled",
        /// Taught: its register is (being) taken.
        Given = "given",
        /// The teacher was absent: owed by the hub.
        TeacherAbsent = "teacher_absent",
        /// The school was closed: owed by the hub.
        SchoolClosed = "school_closed",
        /// Taken off the timetable.
        Cancelled = "cancelled",
    }
}

stored_status!(LessonStatus);

impl LessonStatus {
    /// Missed by the hub (teacher absent, school closed): owed, and not counted against
    /// the pupils' guarantee.
    pub fn is_missed_by_hub(self) -> bool {
        matches!(self, LessonStatus::TeacherAbsent | LessonStatus::SchoolClosed)
    }

    /// Holds its teacher's, school's and pupils' time: scheduled or given.
    pub fn holds_time(self) -> bool {
        matches!(self, LessonStatus::Scheduled | LessonStatus::Given)
    }

    /// A pupil is marked (present, or absent for their own reasons): a scheduled lesson is
    /// then given. A lesson the hub missed is refused until it is marked given again.
    pub fn mark_pupil(self) -> Result<LessonStatus, LessonRefusal> {
        match self {
            s if s.is_missed_by_hub() => Err(LessonRefusal::MissedByHub),
            LessonStatus::Scheduled => Ok(LessonStatus::Given),
            other => Ok(other),
        }
    }
}

/// What a teacher (or the office) records for a whole lesson.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LessonOutcome {
    /// The lesson took place (pupils are then marked one by one).
    Given,
    /// The teacher was absent: owed by the hub.
    TeacherAbsent,
    /// The school was closed: owed by the hub.
    SchoolClosed,
}

impl LessonOutcome {
    /// Reads "given", "teacher-absent" or "school-closed" (`_` for `-` too).
    pub fn parse(text: &str) -> Option<LessonOutcome> {
        match text.trim().replace('_', "-").as_str() {
            "given" => Some(LessonOutcome::Given),
            "teacher-absent" => Some(LessonOutcome::TeacherAbsent),
            "school-closed" => Some(LessonOutcome::SchoolClosed),
            _ => None,
        }
    }

    /// The lesson's status after it: any lesson may be recorded again.
    pub fn status(self) -> LessonStatus {
        match self {
            LessonOutcome::Given => LessonStatus::Given,
            LessonOutcome::TeacherAbsent => LessonStatus::TeacherAbsent,
            LessonOutcome::SchoolClosed => LessonStatus::SchoolClosed,
        }
    }

    /// The mark every pupil gets, for a hub miss.
    pub fn mark(self) -> Option<RegisterMark> {
        match self {
            LessonOutcome::Given => None,
            LessonOutcome::TeacherAbsent => Some(RegisterMark::TeacherAbsent),
            LessonOutcome::SchoolClosed => Some(RegisterMark::SchoolClosed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lesson_statuses_are_the_stored_words() {
        for (status, word) in [
            (LessonStatus::Scheduled, "scheduled"),
            (LessonStatus::Given, "given"),
            (LessonStatus::TeacherAbsent, "teacher_absent"),
            (LessonStatus::SchoolClosed, "school_closed"),
            (LessonStatus::Cancelled, "cancelled"),
        ] {
            assert_eq!(status.as_str(), word);
            assert_eq!(LessonStatus::parse(word), Some(status));
            assert_eq!(serde_json::to_value(status).unwrap(), word);
        }
        assert_eq!(LessonStatus::parse("teacher-absent"), None);
    }

    #[test]
    fn marking_a_pupil_gives_a_scheduled_lesson_and_is_refused_on_a_missed_one() {
        use LessonStatus::*;
        assert_eq!(Scheduled.mark_pupil(), Ok(Given));
        assert_eq!(Given.mark_pupil(), Ok(Given));
        assert_eq!(Cancelled.mark_pupil(), Ok(Cancelled));
        for missed in [TeacherAbsent, SchoolClosed] {
            assert_eq!(
                missed.mark_pupil().unwrap_err().to_string(),
                "This lesson is marked as missed by the hub. Mark it as given first."
            );
        }
        assert!(Scheduled.holds_time() && Given.holds_time());
        assert!(!TeacherAbsent.holds_time() && !Cancelled.holds_time());
    }

    #[test]
    fn outcomes_read_and_set_status_and_marks() {
        assert_eq!(LessonOutcome::parse(" given "), Some(LessonOutcome::Given));
        let absent = LessonOutcome::parse("teacher_absent").unwrap();
        assert_eq!(absent.status(), LessonStatus::TeacherAbsent);
        assert_eq!(absent.mark(), Some(RegisterMark::TeacherAbsent));
        assert_eq!(
            LessonOutcome::parse("school-closed").unwrap().status(),
            LessonStatus::SchoolClosed
        );
        assert_eq!(LessonOutcome::Given.mark(), None);
        assert_eq!(LessonOutcome::parse("present"), None);
    }
}
