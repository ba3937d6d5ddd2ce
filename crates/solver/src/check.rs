//! The checker: recomputes every hard rule and every part of the cost of a solution
//! from the instance and the solution alone, sharing nothing with the solver.
use crate::instance::{DAY_MINUTES, DayIntervals, Instance, InstanceError};
use crate::solution::Solution;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The cost of one lesson left unscheduled (TIMETABLING.md's cost).
pub const UNSCHEDULED_COST: i64 = 10_000;
/// The cost of one visit.
pub const VISIT_COST: i64 = 15;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub valid: bool,
    pub cost: i64,
    pub unscheduled: i64,
    pub travel: i64,
    pub idle: i64,
    pub visits: i64,
    pub violations: Vec<Violation>,
}

/// One broken rule. `rule` is the number of the hard rule in TIMETABLING.md, or 0 for
/// a broken promise of the solution format (every lesson exactly once, known ids and
/// days), or 5 for a pinned lesson (Tutti's `fixed` extension) placed anywhere but where
/// it is pinned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    pub rule: u8,
    pub lesson: Option<String>,
    pub message: String,
}

/// A visit's room use: first start, last end, first lesson.
type VisitSpan<'a> = (i64, i64, &'a str);

struct Placed<'a> {
    lesson: &'a str,
    school: &'a str,
    online: bool,
    start: i64,
    end: i64,
}

fn inside_one(intervals: &DayIntervals, day: &str, start: i64, end: i64) -> bool {
    intervals
        .get(day)
        .is_some_and(|list| list.iter().any(|&[from, to]| from <= start && end <= to))
}

/// Scores `solution` against `instance`. Fails only when the instance itself is invalid.
pub fn check(instance: &Instance, solution: &Solution) -> Result<Report, InstanceError> {
    instance.validate()?;
    let mut violations = Vec::new();
    let mut violate = |rule: u8, lesson: Option<&str>, message: String| {
        violations.push(Violation {
            rule,
            lesson: lesson.map(str::to_owned),
            message,
        })
    };

    let lessons: HashMap<&str, &crate::instance::Lesson> =
        instance.lessons.iter().map(|l| (l.id.as_str(), l)).collect();
    let teachers: HashMap<&str, &crate::instance::Teacher> =
        instance.teachers.iter().map(|t| (t.id.as_str(), t)).collect();
    let schools: HashMap<&str, &crate::instance::School> =
        instance.schools.iter().map(|s| (s.id.as_str(), s)).collect();

    // How often each lesson appears, in either list.
    let mut appearances: HashMap<&str, usize> = HashMap::new();
    for id in &solution.unscheduled {
        if !lessons.contains_key(id.as_str()) {
            violate(0, Some(id), format!("unscheduled names unknown lesson {id:?}"));
            continue;
        }
        *appearances.entry(id.as_str()).or_default() += 1;
    }

    // Accepted assignments, grouped by (teacher, day).
    let mut by_teacher_day: BTreeMap<(&str, &str), Vec<Placed>> = BTreeMap::new();
    for a in &solution.assignments {
        let Some(lesson) = lessons.get(a.lesson.as_str()) else {
            violate(
                0,
                Some(&a.lesson),
                format!("assignment names unknown lesson {:?}", a.lesson),
            );
            continue;
        };
        *appearances.entry(lesson.id.as_str()).or_default() += 1;
        if !instance.days.iter().any(|d| d == &a.day) {
            violate(
                0,
                Some(&lesson.id),
                format!(
                    "lesson {} is on day {:?}, which is not one of the instance's days",
                    lesson.id, a.day
                ),
            );
            continue;
        }
        let start = a.start;
        if let Some(fixed) = &lesson.fixed
            && (fixed.day != a.day || fixed.start != a.start)
        {
            violate(
                5,
                Some(&lesson.id),
                format!(
                    "lesson {} is pinned to {} at {} but placed on {} at {start}",
                    lesson.id, fixed.day, fixed.start, a.day
                ),
            );
        }
        // A start outside the day fits no interval, and is left out of the teacher's day
        // (as a lesson on an unknown day is), whose sums it could overflow.
        if !(0..=DAY_MINUTES).contains(&start) {
            violate(
                1,
                Some(&lesson.id),
                format!(
                    "lesson {} starts at {start}, outside the day (0 to {DAY_MINUTES})",
                    lesson.id
                ),
            );
            continue;
        }
        let end = start + lesson.minutes;
        if start % instance.slot_minutes != 0 {
            violate(
                1,
                Some(&lesson.id),
                format!(
                    "lesson {} starts at {start}, not a multiple of slot_minutes {}",
                    lesson.id, instance.slot_minutes
                ),
            );
        }
        let teacher = teachers[lesson.teacher.as_str()];
        if !inside_one(&teacher.available, &a.day, start, end) {
            violate(
                1,
                Some(&lesson.id),
                format!(
                    "lesson {} at [{start}, {end}) on {} is not inside one interval of teacher {}'s availability",
                    lesson.id, a.day, teacher.id
                ),
            );
        }
        let school = schools[lesson.school.as_str()];
        // An online lesson is taught from wherever the teacher is: the school's hours do
        // not bind it.
        if !lesson.online && !inside_one(&school.open, &a.day, start, end) {
            violate(
                1,
                Some(&lesson.id),
                format!(
                    "lesson {} at [{start}, {end}) on {} is not inside one interval of school {}'s opening hours",
                    lesson.id, a.day, school.id
                ),
            );
        }
        by_teacher_day
            .entry((lesson.teacher.as_str(), a.day.as_str()))
            .or_default()
            .push(Placed {
                lesson: &lesson.id,
                school: &lesson.school,
                online: lesson.online,
                start,
                end,
            });
    }

    let mut unscheduled = 0i64;
    for lesson in &instance.lessons {
        match appearances.get(lesson.id.as_str()).copied().unwrap_or(0) {
            0 => {
                unscheduled += 1;
                violate(
                    0,
                    Some(&lesson.id),
                    format!("lesson {} appears neither in assignments nor in unscheduled", lesson.id),
                );
            }
            1 => {}
            n => violate(
                0,
                Some(&lesson.id),
                format!("lesson {} appears {n} times, it must appear once", lesson.id),
            ),
        }
    }
    for id in &solution.unscheduled {
        if lessons.contains_key(id.as_str()) {
            unscheduled += 1;
        }
    }

    let travel_between = |a: &str, b: &str| instance.travel_minutes[a][b];
    let (mut travel, mut idle, mut visits) = (0i64, 0i64, 0i64);
    // Visits per (school, day): (first start, last end, first lesson of the visit).
    let mut school_visits: BTreeMap<(&str, &str), Vec<VisitSpan>> = BTreeMap::new();
    for ((teacher, day), placed) in &mut by_teacher_day {
        placed.sort_by(|a, b| (a.start, a.end, a.lesson).cmp(&(b.start, b.end, b.lesson)));
        let mut day_travel = 0;
        // The school the teacher was last at today, and the visit in progress there
        // (school, first start, last end, first lesson). Online lessons are taught from
        // where the teacher is: they need no travel, but end any visit in progress, and
        // the journey between the schools either side of them is owed after them.
        let mut last_school: Option<&str> = None;
        let mut visit: Option<(&str, i64, i64, &str)> = None;
        for (i, p) in placed.iter().enumerate() {
            let needed = match last_school {
                Some(from) if !p.online && from != p.school => travel_between(from, p.school),
                _ => 0,
            };
            if i > 0 {
                let prev = &placed[i - 1];
                if p.start < prev.end + needed {
                    let message = if p.start < prev.end {
                        format!(
                            "teacher {teacher}'s lessons {} and {} overlap on {day}",
                            prev.lesson, p.lesson
                        )
                    } else {
                        format!(
                            "teacher {teacher} needs {needed} minutes from {} to {} on {day} but lesson {} starts {} minutes after lesson {} ends",
                            last_school.unwrap_or_default(),
                            p.school,
                            p.lesson,
                            p.start - prev.end,
                            prev.lesson
                        )
                    };
                    violate(2, Some(p.lesson), message);
                }
            }
            day_travel += needed;
            match visit {
                Some((school, _, ref mut end, _)) if !p.online && school == p.school => *end = p.end,
                _ => {
                    if let Some((school, from, to, first)) = visit.take() {
                        school_visits.entry((school, day)).or_default().push((from, to, first));
                        visits += 1;
                    }
                    if !p.online {
                        visit = Some((p.school, p.start, p.end, p.lesson));
                        last_school = Some(p.school);
                    }
                }
            }
        }
        if let Some((school, from, to, first)) = visit {
            school_visits.entry((school, day)).or_default().push((from, to, first));
            visits += 1;
        }
        let last = placed.last().expect("a teacher-day has a lesson");
        let work: i64 = placed.iter().map(|p| p.end - p.start).sum();
        let span = last.end - placed[0].start;
        travel += day_travel;
        idle += span - work - day_travel;
    }

    for ((school, day), list) in &school_visits {
        let rooms = schools[school].rooms;
        // Ends sort before starts at the same minute: a room freed at 600 can be taken at 600.
        let mut events: Vec<(i64, i64, &str)> = Vec::new();
        for &(from, to, lesson) in list {
            events.push((from, 1, lesson));
            events.push((to, -1, lesson));
        }
        events.sort();
        let mut in_progress = 0;
        for (minute, change, lesson) in events {
            in_progress += change;
            if change > 0 && in_progress > rooms {
                violate(
                    3,
                    Some(lesson),
                    format!(
                        "school {school} has {in_progress} visits in progress at {minute} on {day} but {rooms} rooms (visit starting with lesson {lesson})"
                    ),
                );
            }
        }
    }

    // Rule 4: the days of each pupil's lessons, in solution order.
    let mut pupil_days: HashMap<&str, Vec<(&str, &str)>> = HashMap::new();
    for a in &solution.assignments {
        if let Some(lesson) = lessons.get(a.lesson.as_str()) {
            for pupil in &lesson.pupils {
                pupil_days
                    .entry(pupil.as_str())
                    .or_default()
                    .push((lesson.id.as_str(), a.day.as_str()));
            }
        }
    }
    let mut pupils: Vec<_> = pupil_days.into_iter().collect();
    pupils.sort();
    for (pupil, list) in pupils {
        for i in 0..list.len() {
            for j in 0..i {
                if list[i].1 == list[j].1 && list[i].0 != list[j].0 {
                    violate(
                        4,
                        Some(list[i].0),
                        format!(
                            "lessons {} and {} share pupil {pupil} and are both on {}",
                            list[j].0, list[i].0, list[i].1
                        ),
                    );
                }
            }
        }
    }

    let cost = UNSCHEDULED_COST * unscheduled + travel + idle + VISIT_COST * visits;
    Ok(Report {
        valid: violations.is_empty(),
        cost,
        unscheduled,
        travel,
        idle,
        visits,
        violations,
    })
}
