//! What a placement breaks, in words an office understands. The rules themselves are the
//! solver's checker's (TIMETABLING.md's hard rules); the store runs it around a candidate
//! lesson and names each new violation as one of these, with the facts a sentence needs.
use std::fmt;

use time::Date;

use crate::rotation::ClockTime;
use crate::validate::format_day_long;

/// TIMETABLING.md's grid: every start on a 5-minute step, every length a multiple of it.
pub const SLOT_MINUTES: i64 = 5;

/// The day a check is about: a weekday of the weekly timetable, or one dated day (a make-up).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// 1 Monday to 5 Friday: "on Mondays".
    Weekly(u8),
    /// "on Monday 7 December 2026".
    On(Date),
}

impl fmt::Display for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            When::Weekly(day) => write!(f, "on {}", super::day_plural(*day)),
            When::On(date) => write!(f, "on {}", format_day_long(*date)),
        }
    }
}

/// A stretch of a day: "09:00–09:30".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    /// Minutes after midnight.
    pub start: u16,
    pub end: u16,
}

impl Span {
    pub fn new(start: i64, end: i64) -> Span {
        Span {
            start: start.clamp(0, u16::MAX as i64) as u16,
            end: end.clamp(0, u16::MAX as i64) as u16,
        }
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}–{}", ClockTime(self.start), ClockTime(self.end))
    }
}

/// A record the hub has no name for (its row is gone): it is named by its kind and id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unnamed {
    Teacher,
    School,
    Pupil,
}

impl Unnamed {
    /// "Teacher 12".
    pub fn label(self, id: i64) -> String {
        let kind = match self {
            Unnamed::Teacher => "Teacher",
            Unnamed::School => "School",
            Unnamed::Pupil => "Pupil",
        };
        format!("{kind} {id}")
    }
}

/// A lesson as messages name it: "Violin (group)".
pub fn lesson_label(instrument: &str, lesson_type: &str) -> String {
    format!("{instrument} ({lesson_type})")
}

/// A pupil of the candidate who already has a lesson that day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PupilClash {
    pub pupil: String,
    /// The other lesson's label, teacher and time.
    pub lesson: String,
    pub teacher: String,
    pub span: Span,
}

/// One hard rule a candidate lesson breaks (what was already broken is not its fault).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlacementProblem {
    /// The length is not a whole number of grid steps.
    Length,
    /// The teacher is not available then; `hours` are when they are, that day.
    TeacherUnavailable {
        teacher: String,
        lesson: Span,
        hours: Vec<Span>,
        when: When,
    },
    /// The teacher does not teach that day at all.
    TeacherNotTeaching { teacher: String, when: When },
    /// The school is not open for lessons then.
    OutsideOpeningHours {
        school: String,
        opens: u16,
        closes: u16,
        lesson: Span,
    },
    /// The start is off the grid.
    Step,
    /// The teacher already teaches then.
    DoubleBooked {
        teacher: String,
        other: String,
        other_school: String,
        other_span: Span,
        when: When,
    },
    /// Two lessons in a row at two schools leave too little time to travel.
    TravelTime {
        teacher: String,
        needs: i64,
        from: String,
        to: String,
        left: i64,
        first: String,
        first_ends: u16,
        second: String,
        second_starts: u16,
        when: When,
    },
    /// Other teachers' visits already fill the school's rooms.
    RoomsFull {
        school: String,
        rooms: i32,
        lesson: Span,
        when: When,
    },
    /// Pupils of the lesson already have one that day.
    PupilBusy { clashes: Vec<PupilClash>, when: When },
    /// The checker's own words, for a violation no sentence above fits.
    Other(String),
}

impl fmt::Display for PlacementProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlacementProblem::Length => write!(
                f,
                "A lesson lasts a whole number of {SLOT_MINUTES}-minute steps (15, 20, 30, ... minutes)."
            ),
            PlacementProblem::TeacherUnavailable {
                teacher,
                lesson,
                hours,
                when,
            } => {
                let hours: Vec<String> = hours.iter().map(Span::to_string).collect();
                write!(
                    f,
                    "{teacher} is not available at {lesson}: {when} they can teach {}.",
                    hours.join(" and ")
                )
            }
            PlacementProblem::TeacherNotTeaching { teacher, when } => write!(f, "{teacher} does not teach {when}."),
            PlacementProblem::OutsideOpeningHours {
                school,
                opens,
                closes,
                lesson,
            } => write!(
                f,
                "{school} is open for lessons from {} to {}; {lesson} is outside its opening hours.",
                ClockTime(*opens),
                ClockTime(*closes)
            ),
            PlacementProblem::Step => write!(
                f,
                "Lessons start on a {SLOT_MINUTES}-minute step (09:00, 09:05, 09:10, ...)."
            ),
            PlacementProblem::DoubleBooked {
                teacher,
                other,
                other_school,
                other_span,
                when,
            } => write!(
                f,
                "{teacher} is double-booked: they already teach {other} at {other_school} {other_span} {when}."
            ),
            PlacementProblem::TravelTime {
                teacher,
                needs,
                from,
                to,
                left,
                first,
                first_ends,
                second,
                second_starts,
                when,
            } => write!(
                f,
                "Too little travel time: {teacher} needs {needs} minutes to get from {from} to {to}, but only {left} \
                 minutes are left between {first} ending at {} and {second} starting at {} {when}.",
                ClockTime(*first_ends),
                ClockTime(*second_starts)
            ),
            PlacementProblem::RoomsFull {
                school,
                rooms,
                lesson,
                when,
            } => write!(
                f,
                "{school} has {rooms} room{} for visiting teachers, and other teachers' visits already fill {} \
                 during {lesson} {when}.",
                if *rooms == 1 { "" } else { "s" },
                if *rooms == 1 { "it" } else { "them" },
            ),
            PlacementProblem::PupilBusy { clashes, when } => {
                let lines: Vec<String> = clashes
                    .iter()
                    .map(|c| {
                        format!(
                            "{} already has a lesson {when} ({} with {} at {}), and a pupil has at most one lesson \
                             a day.",
                            c.pupil, c.lesson, c.teacher, c.span
                        )
                    })
                    .collect();
                f.write_str(&lines.join(" "))
            }
            PlacementProblem::Other(words) => f.write_str(words),
        }
    }
}

/// Problems as one paragraph, in the order found.
pub fn problems_text(problems: &[PlacementProblem]) -> String {
    problems.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ")
}

/// Whom a placed group is with, in the sentence naming it outside new times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutsideOf {
    /// A teacher's new availability: the group is named with its school.
    Availability,
    /// A school's new hours: the group is named with its teacher.
    SchoolHours,
}

/// A placed group that new availability or school hours leave outside: it stays where it is
/// and the office moves it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupOutside {
    pub instrument: String,
    /// The school (for availability) or the teacher (for school hours).
    pub with_name: String,
    pub weekday: u8,
    pub span: Span,
    pub of: OutsideOf,
}

impl fmt::Display for GroupOutside {
    /// "Violin at Ash School on Monday 09:00–09:30 is outside these times."
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (with, what) = match self.of {
            OutsideOf::Availability => ("at", "times"),
            OutsideOf::SchoolHours => ("with", "hours"),
        };
        write!(
            f,
            "{} {with} {} on {} {} is outside these {what}.",
            self.instrument,
            self.with_name,
            super::day_name(self.weekday),
            self.span
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn problems_read_as_the_office_reads_them() {
        let weekly = When::Weekly(1);
        let table: Vec<(PlacementProblem, &str)> = vec![
            (
                PlacementProblem::Length,
                "A lesson lasts a whole number of 5-minute steps (15, 20, 30, ... minutes).",
            ),
            (
                PlacementProblem::TeacherUnavailable {
                    teacher: "Ann Bell".into(),
                    lesson: Span::new(540, 570),
                    hours: vec![Span::new(600, 720), Span::new(780, 900)],
                    when: weekly,
                },
                "Ann Bell is not available at 09:00–09:30: on Mondays they can teach 10:00–12:00 and 13:00–15:00.",
            ),
            (
                PlacementProblem::TeacherNotTeaching {
                    teacher: "Ann Bell".into(),
                    when: When::On(date!(2026 - 12 - 07)),
                },
                "Ann Bell does not teach on Monday 7 December 2026.",
            ),
            (
                PlacementProblem::OutsideOpeningHours {
                    school: "Ash Primary".into(),
                    opens: 510,
                    closes: 930,
                    lesson: Span::new(930, 960),
                },
                "Ash Primary is open for lessons from 08:30 to 15:30; 15:30–16:00 is outside its opening hours.",
            ),
            (
                PlacementProblem::Step,
                "Lessons start on a 5-minute step (09:00, 09:05, 09:10, ...).",
            ),
            (
                PlacementProblem::DoubleBooked {
                    teacher: "Ann Bell".into(),
                    other: "Violin (group)".into(),
                    other_school: "Elm School".into(),
                    other_span: Span::new(540, 570),
                    when: weekly,
                },
                "Ann Bell is double-booked: they already teach Violin (group) at Elm School 09:00–09:30 on Mondays.",
            ),
            (
                PlacementProblem::TravelTime {
                    teacher: "Ann Bell".into(),
                    needs: 20,
                    from: "Ash".into(),
                    to: "Elm".into(),
                    left: 5,
                    first: "Violin (group)".into(),
                    first_ends: 570,
                    second: "Cello (individual)".into(),
                    second_starts: 575,
                    when: weekly,
                },
                "Too little travel time: Ann Bell needs 20 minutes to get from Ash to Elm, but only 5 minutes are \
                 left between Violin (group) ending at 09:30 and Cello (individual) starting at 09:35 on Mondays.",
            ),
            (
                PlacementProblem::RoomsFull {
                    school: "Ash".into(),
                    rooms: 1,
                    lesson: Span::new(540, 570),
                    when: weekly,
                },
                "Ash has 1 room for visiting teachers, and other teachers' visits already fill it during \
                 09:00–09:30 on Mondays.",
            ),
            (
                PlacementProblem::RoomsFull {
                    school: "Ash".into(),
                    rooms: 2,
                    lesson: Span::new(540, 570),
                    when: weekly,
                },
                "Ash has 2 rooms for visiting teachers, and other teachers' visits already fill them during \
                 09:00–09:30 on Mondays.",
            ),
            (
                PlacementProblem::PupilBusy {
                    clashes: vec![
                        PupilClash {
                            pupil: "Amy Lee".into(),
                            lesson: "Flute (group)".into(),
                            teacher: "Cal Dunn".into(),
                            span: Span::new(600, 630),
                        },
                        PupilClash {
                            pupil: "Bo Lee".into(),
                            lesson: "Flute (group)".into(),
                            teacher: "Cal Dunn".into(),
                            span: Span::new(600, 630),
                        },
                    ],
                    when: weekly,
                },
                "Amy Lee already has a lesson on Mondays (Flute (group) with Cal Dunn at 10:00–10:30), and a pupil \
                 has at most one lesson a day. Bo Lee already has a lesson on Mondays (Flute (group) with Cal Dunn \
                 at 10:00–10:30), and a pupil has at most one lesson a day.",
            ),
            (PlacementProblem::Other("rule 9 broken".into()), "rule 9 broken"),
        ];
        for (problem, words) in table {
            assert_eq!(problem.to_string(), words);
        }
        assert_eq!(
            problems_text(&[PlacementProblem::Step, PlacementProblem::Length]),
            "Lessons start on a 5-minute step (09:00, 09:05, 09:10, ...). A lesson lasts a whole number of \
             5-minute steps (15, 20, 30, ... minutes)."
        );
        assert_eq!(Unnamed::Teacher.label(4), "Teacher 4");
        assert_eq!(lesson_label("Violin", "group"), "Violin (group)");
    }

    #[test]
    fn groups_left_outside_new_times_are_named_with_whom_they_are() {
        let g = GroupOutside {
            instrument: "Violin".into(),
            with_name: "Ash School".into(),
            weekday: 1,
            span: Span::new(540, 570),
            of: OutsideOf::Availability,
        };
        assert_eq!(
            g.to_string(),
            "Violin at Ash School on Monday 09:00–09:30 is outside these times."
        );
        let g = GroupOutside {
            with_name: "Ann Bell".into(),
            of: OutsideOf::SchoolHours,
            ..g
        };
        assert_eq!(
            g.to_string(),
            "Violin with Ann Bell on Monday 09:00–09:30 is outside these hours."
        );
    }
}
