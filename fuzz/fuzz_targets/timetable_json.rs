//! Timetable JSON: an instance (TIMETABLING.md's format), alone or as
//! `{"instance": …, "solution": …}`, is read, validated and checked without panicking
//! against an empty solution, an all-unscheduled one, a naive placement and the given one;
//! the all-unscheduled solution of a valid instance is valid and costs 10,000 a lesson;
//! and for small valid instances the solver's result passes the checker at the cost the
//! solver reports (lib.rs: "The result always satisfies every hard rule").
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::Deserialize;
use tutti_solver::check::UNSCHEDULED_COST;
use tutti_solver::{Assignment, Instance, Solution, SolveOptions, check, solve};

#[derive(Deserialize)]
struct Case {
    instance: Instance,
    solution: Solution,
}

/// The solver runs only on instances this small, so that one input takes milliseconds.
const SOLVE_AT_MOST_LESSONS: usize = 40;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(instance) = Instance::from_json(text) {
        exercise(&instance, None);
    } else if let Ok(case) = serde_json::from_str::<Case>(text) {
        exercise(&case.instance, Some(&case.solution));
    }
});

fn exercise(instance: &Instance, given: Option<&Solution>) {
    let valid = instance.validate().is_ok();
    // The instance's own JSON reads back to the same instance.
    let json = serde_json::to_string(instance).expect("an instance serialises");
    assert_eq!(&Instance::from_json(&json).expect("written instance reads"), instance);

    let empty = Solution {
        assignments: Vec::new(),
        unscheduled: Vec::new(),
    };
    let report = check(instance, &empty);
    assert_eq!(report.is_ok(), valid, "check fails exactly when validate does");

    let all_unscheduled = Solution {
        assignments: Vec::new(),
        unscheduled: instance.lessons.iter().map(|l| l.id.clone()).collect(),
    };
    if let Ok(report) = check(instance, &all_unscheduled) {
        let n = instance.lessons.len() as i64;
        assert!(report.valid, "leaving every lesson out breaks no rule: {:?}", report.violations);
        assert_eq!(report.unscheduled, n);
        assert_eq!(report.cost, UNSCHEDULED_COST * n);
    }

    let _ = check(instance, &naive(instance));
    if let Some(solution) = given {
        let _ = check(instance, solution);
    }

    if valid && instance.lessons.len() <= SOLVE_AT_MOST_LESSONS {
        let mut options = SolveOptions::new(60.0, 1);
        options.threads = Some(1);
        options.work = Some(2_000);
        options.start = given.cloned();
        let solved = solve(instance, &options).expect("a valid instance solves");
        let report = check(instance, &solved.solution).expect("a valid instance checks");
        assert!(
            report.valid,
            "the solver's timetable breaks rules: {:?}\nsolution {}",
            report.violations,
            serde_json::to_string(&solved.solution).unwrap()
        );
        assert_eq!(report.cost, solved.cost, "the solver and the checker disagree on the cost");
    }
}

/// Every lesson where it is pinned, or else at its school's first opening on the first day
/// the school opens; lessons with neither are unscheduled. Often invalid, which is the point:
/// the checker must score it without panicking.
fn naive(instance: &Instance) -> Solution {
    let mut solution = Solution {
        assignments: Vec::new(),
        unscheduled: Vec::new(),
    };
    for lesson in &instance.lessons {
        let place = lesson.fixed.as_ref().map(|f| (f.day.clone(), f.start)).or_else(|| {
            let school = instance.schools.iter().find(|s| s.id == lesson.school)?;
            let (day, intervals) = school.open.iter().find(|(_, list)| !list.is_empty())?;
            Some((day.clone(), intervals[0][0]))
        });
        match place {
            Some((day, start)) => solution.assignments.push(Assignment {
                lesson: lesson.id.clone(),
                day,
                start,
            }),
            None => solution.unscheduled.push(lesson.id.clone()),
        }
    }
    solution
}
