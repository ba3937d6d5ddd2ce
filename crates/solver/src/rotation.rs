//! TIMETABLING.md's rotation: week k of a timetable, each visit's lessons shifted by
//! k − 1 places and packed back to back from the visit's start.
//!
//! The spec's claim that every week stays valid holds for visits whose lessons are
//! back to back inside one opening window, which is how the solver times every visit.
//! A hand-made visit with waiting inside it gets shorter when packed (rules 2 and 3 still
//! hold), but a rotated lesson could then cross a closed interval (a lunch break) and
//! break rule 1; `check` on the rotated week is the way to find out.
use crate::instance::Instance;
use crate::solution::{Assignment, Solution};
use std::collections::{BTreeMap, HashMap};

/// The solution as taught in week `week` (1-based; week 1 is the solution itself).
/// Assignments naming unknown lessons are left as they are.
pub fn rotate(instance: &Instance, solution: &Solution, week: u32) -> Solution {
    let lessons: HashMap<&str, &crate::instance::Lesson> =
        instance.lessons.iter().map(|l| (l.id.as_str(), l)).collect();
    let mut by_teacher_day: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    for (i, a) in solution.assignments.iter().enumerate() {
        if let Some(lesson) = lessons.get(a.lesson.as_str()) {
            by_teacher_day
                .entry((lesson.teacher.as_str(), a.day.as_str()))
                .or_default()
                .push(i);
        }
    }
    let mut assignments: Vec<Assignment> = solution.assignments.clone();
    let shift = week.saturating_sub(1) as usize;
    for list in by_teacher_day.values_mut() {
        list.sort_by_key(|&i| (solution.assignments[i].start, i));
        // The place a lesson is taught: its school, or online (whatever the pupils' school).
        let school = |i: usize| {
            let lesson = lessons[solution.assignments[i].lesson.as_str()];
            (!lesson.online).then_some(&lesson.school)
        };
        let mut first = 0;
        while first < list.len() {
            let mut last = first + 1;
            while last < list.len() && school(list[last]) == school(list[first]) {
                last += 1;
            }
            let visit = &list[first..last];
            let mut at = solution.assignments[visit[0]].start;
            for k in 0..visit.len() {
                let i = visit[(k + shift) % visit.len()];
                assignments[i].start = at;
                at += lessons[solution.assignments[i].lesson.as_str()].minutes;
            }
            first = last;
        }
    }
    Solution {
        assignments,
        unscheduled: solution.unscheduled.clone(),
    }
}
