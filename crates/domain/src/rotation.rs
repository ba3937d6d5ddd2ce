//! Rotation: each week's real lesson times at schools that rotate, and grouping a teacher's day into visits.
//!
//! TIMETABLING.md: "In week k of a rotation, the lessons of each visit are taught in their
//! order shifted by k − 1 places, packed back to back from the visit's start." Shifting by
//! one place moves the first lesson to the end: with lessons A, B, C, week 2 is B, C, A and
//! week 3 is C, A, B; week 4 is A, B, C again (the cycle is as long as the visit). Times
//! are minutes after midnight, as in TIMETABLING.md.

use std::fmt;

use time::Date;

/// A lesson on a teacher's day: what it is, where, when and how long.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TimedLesson<L, S> {
    /// The lesson's identity (an id, or the whole lesson).
    pub lesson: L,
    /// The school it is taught at.
    pub school: S,
    /// Start, minutes after midnight.
    pub start: u16,
    /// Length in minutes.
    pub minutes: u16,
}

impl<L, S> TimedLesson<L, S> {
    /// End, minutes after midnight.
    pub fn end(&self) -> u16 {
        self.start + self.minutes
    }
}

/// A visit: a run of a teacher's consecutive lessons on one day at one school.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Visit<L, S> {
    /// The school.
    pub school: S,
    /// The lessons in their week-1 order (sorted by start).
    pub lessons: Vec<TimedLesson<L, S>>,
}

impl<L: Clone, S: Clone> Visit<L, S> {
    /// The visit's start: its first lesson's start.
    pub fn start(&self) -> u16 {
        self.lessons.first().map_or(0, |l| l.start)
    }

    /// The visit's lessons as taught in week `week` (1 is the first week) of the rotation,
    /// in teaching order, with their real start times.
    pub fn in_week(&self, week: u32) -> Vec<TimedLesson<L, S>> {
        let minutes: Vec<u16> = self.lessons.iter().map(|l| l.minutes).collect();
        let starts = rotated_starts(self.start(), &minutes, week);
        let mut taught: Vec<TimedLesson<L, S>> = self
            .lessons
            .iter()
            .zip(starts)
            .map(|(l, start)| TimedLesson { start, ..l.clone() })
            .collect();
        taught.sort_by_key(|l| l.start);
        taught
    }
}

/// The start time in week `week` (1-based) of each lesson of a visit, given in the visit's
/// order with their lengths, packed back to back from `visit_start`. The result is in the
/// same order as `minutes`: `result[i]` is when lesson i starts that week.
///
/// `rotated_starts(540, &[30, 20, 30], 2)` is `[590, 540, 560]`: B at 09:00, C at 09:20, A
/// at 09:50. Week 0 is treated as week 1.
pub fn rotated_starts(visit_start: u16, minutes: &[u16], week: u32) -> Vec<u16> {
    let n = minutes.len();
    if n == 0 {
        return Vec::new();
    }
    let shift = (week.max(1) as usize - 1) % n;
    let mut starts = vec![0; n];
    let mut clock = visit_start;
    for position in 0..n {
        let lesson = (position + shift) % n;
        starts[lesson] = clock;
        clock += minutes[lesson];
    }
    starts
}

/// Groups one teacher's lessons on one day into visits: sorted by start, a new visit begins
/// whenever the school changes (TIMETABLING.md rule 3).
pub fn group_into_visits<L: Clone, S: Clone + PartialEq>(lessons: &[TimedLesson<L, S>]) -> Vec<Visit<L, S>> {
    let mut sorted: Vec<&TimedLesson<L, S>> = lessons.iter().collect();
    sorted.sort_by_key(|l| l.start);
    let mut visits: Vec<Visit<L, S>> = Vec::new();
    for lesson in sorted {
        match visits.last_mut() {
            Some(visit) if visit.school == lesson.school => visit.lessons.push(lesson.clone()),
            _ => visits.push(Visit {
                school: lesson.school.clone(),
                lessons: vec![lesson.clone()],
            }),
        }
    }
    visits
}

/// Which week of the rotation `date` is, counting the visit's scheduled dates in order
/// (`scheduled`, for example a term's dates for the weekday from the school calendar):
/// the first is week 1. Holidays do not advance the rotation; a cancelled lesson does,
/// because it stays in the schedule. `None` if `date` is not scheduled.
pub fn rotation_week(scheduled: &[Date], date: Date) -> Option<u32> {
    scheduled.iter().position(|d| *d == date).map(|i| i as u32 + 1)
}

/// A time of day as minutes after midnight, written "09:05".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockTime(pub u16);

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

/// A time that is not HH:MM.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("Enter a time like 09:05")]
pub struct ClockTimeError;

impl std::str::FromStr for ClockTime {
    type Err = ClockTimeError;
    /// Reads "09:05" or "9:05".
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (h, m) = s.trim().split_once(':').ok_or(ClockTimeError)?;
        let digits = |t: &str| !t.is_empty() && t.len() <= 2 && t.chars().all(|c| c.is_ascii_digit());
        if !digits(h) || m.len() != 2 || !digits(m) {
            return Err(ClockTimeError);
        }
        let (h, m): (u16, u16) = (
            h.parse().map_err(|_| ClockTimeError)?,
            m.parse().map_err(|_| ClockTimeError)?,
        );
        if h < 24 && m < 60 {
            Ok(ClockTime(h * 60 + m))
        } else {
            Err(ClockTimeError)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn lesson(id: &str, school: &str, start: u16, minutes: u16) -> TimedLesson<String, String> {
        TimedLesson {
            lesson: id.to_string(),
            school: school.to_string(),
            start,
            minutes,
        }
    }

    #[test]
    fn weeks_shift_the_order_and_pack_from_the_start() {
        let m = [30, 20, 30];
        assert_eq!(rotated_starts(540, &m, 1), vec![540, 570, 590]);
        assert_eq!(rotated_starts(540, &m, 2), vec![590, 540, 560]);
        assert_eq!(rotated_starts(540, &m, 3), vec![570, 600, 540]);
        assert_eq!(rotated_starts(540, &m, 4), rotated_starts(540, &m, 1));
        assert_eq!(rotated_starts(540, &[], 2), Vec::<u16>::new());
    }

    #[test]
    fn teacher_day_into_visits_and_real_times() {
        let day = vec![
            lesson("C", "S1", 600, 30),
            lesson("A", "S1", 540, 30),
            lesson("B", "S1", 570, 20),
            lesson("D", "S2", 690, 15),
            lesson("E", "S1", 780, 30),
        ];
        let visits = group_into_visits(&day);
        assert_eq!(visits.len(), 3);
        assert_eq!(visits[0].school, "S1");
        assert_eq!(
            visits[0].lessons.iter().map(|l| l.lesson.as_str()).collect::<Vec<_>>(),
            ["A", "B", "C"]
        );
        let week2 = visits[0].in_week(2);
        assert_eq!(
            week2
                .iter()
                .map(|l| (l.lesson.as_str(), ClockTime(l.start).to_string()))
                .collect::<Vec<_>>(),
            [
                ("B", "09:00".to_string()),
                ("C", "09:20".to_string()),
                ("A", "09:50".to_string())
            ]
        );
        assert_eq!(visits[2].in_week(7)[0].start, 780);
    }

    #[test]
    fn rotation_weeks_count_scheduled_dates() {
        let dates = [date!(2026 - 10 - 19), date!(2026 - 11 - 02), date!(2026 - 11 - 09)];
        assert_eq!(rotation_week(&dates, date!(2026 - 11 - 02)), Some(2));
        assert_eq!(rotation_week(&dates, date!(2026 - 10 - 26)), None);
    }

    #[test]
    fn clock_times() {
        assert_eq!("09:05".parse(), Ok(ClockTime(545)));
        assert_eq!("9:05".parse(), Ok(ClockTime(545)));
        assert!("24:00".parse::<ClockTime>().is_err());
        assert!("9.05".parse::<ClockTime>().is_err());
        assert!("09:5".parse::<ClockTime>().is_err());
        assert_eq!(ClockTime(545).to_string(), "09:05");
    }

    proptest! {
        #[test]
        fn rotation_keeps_the_visit_span_and_never_overlaps(
            start in 480u16..900, minutes in prop::collection::vec(prop::sample::select(vec![15u16, 20, 30, 45, 60]), 1..8), week in 1u32..40,
        ) {
            let starts = rotated_starts(start, &minutes, week);
            let total: u16 = minutes.iter().sum();
            let mut spans: Vec<(u16, u16)> = starts.iter().zip(&minutes).map(|(s, m)| (*s, s + m)).collect();
            spans.sort();
            prop_assert_eq!(spans[0].0, start);
            prop_assert_eq!(spans.last().unwrap().1, start + total);
            prop_assert!(spans.windows(2).all(|w| w[0].1 == w[1].0));
            // Over a whole cycle every lesson takes every position once.
            let n = minutes.len() as u32;
            let mut firsts: Vec<usize> = (1..=n)
                .map(|k| rotated_starts(start, &minutes, k).iter().position(|s| *s == start).unwrap())
                .collect();
            firsts.sort();
            prop_assert_eq!(firsts, (0..minutes.len()).collect::<Vec<_>>());
        }
    }
}
