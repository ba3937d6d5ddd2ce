//! What allocation refuses, and why: placing enrolments in groups, the facts the office keeps
//! (a teacher's week, a school's rooms and hours), and proposed timetables.
use std::collections::BTreeMap;

use super::{MAX_ROOMS, PlacementProblem, day_name, problems_text};
use crate::lessons::LessonType;

/// A teacher's teaching times for each weekday (1 Monday to 5 Friday; a day with no
/// intervals is a day they do not teach), in minutes after midnight.
pub type Week = BTreeMap<u8, Vec<(u16, u16)>>;

/// Why allocation said no.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AllocationRefusal {
    /// The placement breaks hard rules: each is named, in the order found.
    #[error("{}", problems_text(.0))]
    Rules(Vec<PlacementProblem>),
    #[error("Choose at least one enrolment to place.")]
    NoEnrolments,
    #[error("One of the chosen enrolments does not exist.")]
    NoSuchEnrolment,
    #[error(
        "This group's lesson type ({lesson_type}) holds at most {max} pupil{}; it has {has} already.",
        if *max == 1 { "" } else { "s" }
    )]
    GroupFull {
        lesson_type: LessonType,
        max: usize,
        has: usize,
    },
    #[error("Choose a teacher and a school the hub has on record.")]
    UnknownTeacherOrSchool,
    /// The solver could not read the hub's records around the change; the detail is its own.
    #[error("The hub's records are incomplete for this check: {0}")]
    RecordsIncomplete(String),
    #[error("Give a weekday from Monday to Friday.")]
    Weekday,
    #[error("Give times for weekdays Monday to Friday only.")]
    WeekdaysOnly,
    #[error("{}: each time must end after it starts, and times must not overlap.", day_name(*weekday))]
    DayTimes { weekday: u8 },
    #[error("Give the times of at least one day.")]
    NoTimes,
    #[error("A school has from 1 to {MAX_ROOMS} rooms for visiting teachers.")]
    Rooms,
    #[error("Lessons must end after they start in the day.")]
    SchoolHours,
    #[error("Choose from 1 to {max} seconds for the proposal.")]
    ProposalSeconds { max: u32 },
    /// The solver could not read the hub's records for a whole term; the detail is its own.
    #[error("The hub's records are incomplete: {0}")]
    ProposalRecordsIncomplete(String),
    #[error("The solver's timetable broke a rule: {0}")]
    SolverBrokeRule(String),
    #[error("The solver stopped: {0}")]
    SolverStopped(String),
    #[error("The search stopped before it finished (the server restarted). Ask for a new proposal.")]
    SearchLost,
    #[error("Unknown term.")]
    UnknownTerm,
    #[error("Only a finished proposal that has not been accepted can be accepted.")]
    ProposalNotReady,
    #[error("A group in this proposal no longer exists. Ask for a new proposal.")]
    ProposalGroupGone,
    #[error("The timetable has changed since this proposal was made. Ask for a new proposal.")]
    TimetableChanged,
    #[error("This whole-class programme is already on the timetable.")]
    ProgrammePlaced,
}

impl AllocationRefusal {
    /// The form field at fault, if one is.
    pub fn field(&self) -> Option<&'static str> {
        Some(match self {
            AllocationRefusal::NoEnrolments
            | AllocationRefusal::NoSuchEnrolment
            | AllocationRefusal::GroupFull { .. } => "enrolments",
            AllocationRefusal::Weekday => "weekday",
            AllocationRefusal::DayTimes { weekday } => match weekday {
                1 => "monday",
                2 => "tuesday",
                3 => "wednesday",
                4 => "thursday",
                _ => "friday",
            },
            AllocationRefusal::WeekdaysOnly | AllocationRefusal::NoTimes => "monday",
            AllocationRefusal::Rooms => "rooms",
            AllocationRefusal::SchoolHours => "closes",
            AllocationRefusal::ProposalSeconds { .. } => "seconds",
            _ => return None,
        })
    }

    /// The change clashes with what is recorded now (a proposal overtaken by later changes).
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            AllocationRefusal::ProposalGroupGone
                | AllocationRefusal::TimetableChanged
                | AllocationRefusal::ProgrammePlaced
        )
    }
}

/// Refuses a placement that breaks any rule, naming them all.
pub fn refuse_problems(problems: Vec<PlacementProblem>) -> Result<(), AllocationRefusal> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(AllocationRefusal::Rules(problems))
    }
}

/// Adding `adding` pupils to a group of `lesson_type` that has `has`: no more than the type
/// holds.
pub fn check_group_room(lesson_type: LessonType, has: usize, adding: usize) -> Result<(), AllocationRefusal> {
    match lesson_type.max_pupils() {
        Some(max) if has + adding > max => Err(AllocationRefusal::GroupFull { lesson_type, max, has }),
        _ => Ok(()),
    }
}

/// A teacher's week as saved: weekdays 1 to 5 only, each day's times sorted, each ending after
/// it starts and within the day, none overlapping, and at least one day with times (no times
/// at all is how "nothing recorded", the default week, is stored). Days not given are days
/// not taught.
pub fn check_week(week: &Week) -> Result<Week, AllocationRefusal> {
    if week.keys().any(|d| !(1..=5).contains(d)) {
        return Err(AllocationRefusal::WeekdaysOnly);
    }
    let mut clean = Week::new();
    for d in 1..=5u8 {
        let mut list = week.get(&d).cloned().unwrap_or_default();
        list.sort_unstable();
        if list.iter().any(|&(a, b)| a >= b || b > 24 * 60) || list.windows(2).any(|w| w[1].0 < w[0].1) {
            return Err(AllocationRefusal::DayTimes { weekday: d });
        }
        clean.insert(d, list);
    }
    if clean.values().all(Vec::is_empty) {
        return Err(AllocationRefusal::NoTimes);
    }
    Ok(clean)
}

/// A school's rooms for visiting teachers (1 to [`MAX_ROOMS`]) and lesson hours (opening
/// before closing, within the day), in minutes after midnight.
pub fn check_school_hours(rooms: u16, opens: u16, closes: u16) -> Result<(), AllocationRefusal> {
    if !(1..=MAX_ROOMS).contains(&rooms) {
        return Err(AllocationRefusal::Rooms);
    }
    if opens >= closes || closes > 24 * 60 {
        return Err(AllocationRefusal::SchoolHours);
    }
    Ok(())
}

/// A proposal runs from 1 to `max` seconds.
pub fn check_proposal_seconds(seconds: u32, max: u32) -> Result<(), AllocationRefusal> {
    if (1..=max).contains(&seconds) {
        Ok(())
    } else {
        Err(AllocationRefusal::ProposalSeconds { max })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocation::Span;

    #[test]
    fn a_week_is_saved_sorted_and_refused_with_the_day_named() {
        let week: Week = [(1, vec![(780, 900), (510, 720)]), (3, vec![])].into_iter().collect();
        let clean = check_week(&week).unwrap();
        assert_eq!(clean.len(), 5);
        assert_eq!(clean[&1], vec![(510, 720), (780, 900)]);
        assert!(clean[&2].is_empty());
        let bad: Week = [(6, vec![(510, 720)])].into_iter().collect();
        assert_eq!(check_week(&bad), Err(AllocationRefusal::WeekdaysOnly));
        let bad: Week = [(2, vec![(510, 720), (700, 800)])].into_iter().collect();
        assert_eq!(
            check_week(&bad).unwrap_err().to_string(),
            "Tuesday: each time must end after it starts, and times must not overlap."
        );
        let bad: Week = [(4, vec![(720, 720)])].into_iter().collect();
        assert_eq!(check_week(&bad).unwrap_err().field(), Some("thursday"));
        assert_eq!(check_week(&Week::new()), Err(AllocationRefusal::NoTimes));
    }

    #[test]
    fn school_hours_groups_and_proposals() {
        assert_eq!(check_school_hours(1, 510, 930), Ok(()));
        assert_eq!(
            check_school_hours(0, 510, 930).unwrap_err().to_string(),
            "A school has from 1 to 20 rooms for visiting teachers."
        );
        assert_eq!(check_school_hours(21, 510, 930), Err(AllocationRefusal::Rooms));
        assert_eq!(check_school_hours(2, 930, 930), Err(AllocationRefusal::SchoolHours));
        assert_eq!(check_school_hours(2, 0, 1441), Err(AllocationRefusal::SchoolHours));
        assert_eq!(check_group_room(LessonType::Group, 5, 1), Ok(()));
        assert_eq!(
            check_group_room(LessonType::Group, 5, 2).unwrap_err().to_string(),
            "This group's lesson type (group) holds at most 6 pupils; it has 5 already."
        );
        assert_eq!(
            check_group_room(LessonType::Individual, 1, 1).unwrap_err().to_string(),
            "This group's lesson type (individual) holds at most 1 pupil; it has 1 already."
        );
        assert_eq!(check_group_room(LessonType::WholeClass, 30, 5), Ok(()));
        assert_eq!(check_proposal_seconds(1, 120), Ok(()));
        assert_eq!(
            check_proposal_seconds(0, 120).unwrap_err().to_string(),
            "Choose from 1 to 120 seconds for the proposal."
        );
        assert_eq!(refuse_problems(vec![]), Ok(()));
        let refused = refuse_problems(vec![
            PlacementProblem::Step,
            PlacementProblem::TeacherNotTeaching {
                teacher: "Ann Bell".into(),
                when: crate::allocation::When::Weekly(2),
            },
        ])
        .unwrap_err();
        assert_eq!(
            refused.to_string(),
            "Lessons start on a 5-minute step (09:00, 09:05, 09:10, ...). Ann Bell does not teach on Tuesdays."
        );
        assert!(AllocationRefusal::TimetableChanged.is_conflict());
        assert!(!refused.is_conflict());
        assert_eq!(Span::new(540, 570).to_string(), "09:00–09:30");
    }
}
