//! The solver's promises: everything it emits passes the checker, rotated weeks stay
//! valid, and the same seed gives the same solution. No test here asserts on time.
use proptest::prelude::*;
use tutti_solver::{Instance, SolveOptions, check, generate, rotate, solve};

fn options(seed: u64, work: u64) -> SolveOptions {
    let mut o = SolveOptions::new(600.0, seed);
    o.work = Some(work);
    o.threads = Some(2);
    o
}

fn assert_valid_in_every_week(instance: &Instance, solution: &tutti_solver::Solution) {
    let report = check(instance, solution).unwrap();
    assert!(report.valid, "{:?}", report.violations);
    for week in 2..=5 {
        let rotated = rotate(instance, solution, week);
        let r = check(instance, &rotated).unwrap();
        assert!(r.valid, "week {week}: {:?}", r.violations);
        assert_eq!(r.cost, report.cost, "week {week} costs the same");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn solutions_pass_the_checker(
        seed in 0u64..1_000,
        teachers in 1usize..5,
        schools in 1usize..10,
        lessons in 0usize..70,
    ) {
        solves_validly(&generate(seed, teachers, schools, lessons), seed)?;
    }
}

/// Solves `instance`: the checker finds the solution valid at the cost the solver reports,
/// no dearer than the constructed one, and valid in every rotated week.
fn solves_validly(instance: &Instance, seed: u64) -> Result<(), TestCaseError> {
    let solved = solve(instance, &options(seed, 50_000)).unwrap();
    let report = check(instance, &solved.solution).unwrap();
    prop_assert!(report.valid, "{:?}", report.violations);
    prop_assert_eq!(report.cost, solved.cost);
    prop_assert!(solved.cost <= solved.constructed_cost);
    assert_valid_in_every_week(instance, &solved.solution);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]
    /// Some lessons online: the solver's timing (no room, no school hours, the journey
    /// between schools owed after an online lesson) agrees with the checker's.
    #[test]
    fn solutions_with_online_lessons_pass_the_checker(
        seed in 0u64..1_000,
        teachers in 1usize..4,
        schools in 2usize..8,
        lessons in 5usize..60,
        every in 2usize..5,
    ) {
        let mut instance = generate(seed, teachers, schools, lessons);
        for lesson in instance.lessons.iter_mut().step_by(every) {
            lesson.online = true;
        }
        solves_validly(&instance, seed)?;
    }
}

#[test]
fn an_online_lesson_is_taught_when_its_school_is_closed_or_full() {
    // S1 is open 540..600 with one room, which T2 has all morning; T1's online lesson for a
    // pupil at S1 needs neither, so it is taught, and T2's two lessons too.
    let instance: Instance = serde_json::from_str(
        r#"{"version": 1, "slot_minutes": 5, "days": ["mon"],
        "schools": [{"id": "S1", "rooms": 1, "open": {"mon": [[540, 600]]}}],
        "travel_minutes": {"S1": {"S1": 0}},
        "teachers": [{"id": "T1", "available": {"mon": [[540, 720]]}},
                     {"id": "T2", "available": {"mon": [[540, 600]]}}],
        "lessons": [
          {"id": "O", "teacher": "T1", "school": "S1", "minutes": 60, "pupils": ["P1"], "online": true},
          {"id": "X", "teacher": "T2", "school": "S1", "minutes": 30, "pupils": ["P2"]},
          {"id": "Y", "teacher": "T2", "school": "S1", "minutes": 30, "pupils": ["P3"]}]}"#,
    )
    .unwrap();
    let solved = solve(&instance, &options(1, 10_000)).unwrap();
    assert!(solved.solution.unscheduled.is_empty(), "{:?}", solved.solution);
    let report = check(&instance, &solved.solution).unwrap();
    assert!(report.valid, "{:?}", report.violations);
    // One visit (T2's); the online lesson is none.
    assert_eq!(report.visits, 1);
    // Offline, the same lesson cannot be taught: the room and the hours are T2's.
    let mut offline = instance.clone();
    offline.lessons[0].online = false;
    let solved = solve(&offline, &options(1, 10_000)).unwrap();
    assert_eq!(solved.solution.unscheduled.len(), 1);
}

#[test]
fn same_seed_same_solution() {
    let instance = generate(7, 6, 12, 120);
    let a = solve(&instance, &options(3, 400_000)).unwrap();
    let b = solve(&instance, &options(3, 400_000)).unwrap();
    assert_eq!(a.solution, b.solution);
    assert_eq!(a.cost, b.cost);
}

#[test]
fn a_zero_budget_still_gives_a_valid_solution() {
    let instance = generate(2, 8, 20, 200);
    let solved = solve(&instance, &SolveOptions::new(0.0, 1)).unwrap();
    let report = check(&instance, &solved.solution).unwrap();
    assert!(report.valid, "{:?}", report.violations);
}

#[test]
fn more_search_does_not_make_it_worse() {
    let instance = generate(5, 10, 25, 250);
    let short = solve(&instance, &options(1, 10_000)).unwrap();
    let long = solve(&instance, &options(1, 2_000_000)).unwrap();
    assert!(long.cost <= short.constructed_cost);
    assert_eq!(short.constructed_cost, long.constructed_cost);
    assert_eq!(check(&instance, &long.solution).unwrap().cost, long.cost);
}

#[test]
fn an_instance_without_lessons_or_days() {
    let mut instance = generate(1, 2, 3, 0);
    let solved = solve(&instance, &options(1, 1_000)).unwrap();
    assert!(solved.solution.assignments.is_empty());
    instance = generate(1, 2, 3, 10);
    instance.days.clear();
    for s in &mut instance.schools {
        s.open.clear();
    }
    for t in &mut instance.teachers {
        t.available.clear();
    }
    let solved = solve(&instance, &options(1, 1_000)).unwrap();
    assert_eq!(solved.solution.unscheduled.len(), 10);
    assert!(check(&instance, &solved.solution).unwrap().valid);
}

#[test]
fn rotation_shifts_each_visit() {
    // Three back-to-back lessons in one visit: week 2 starts with the second.
    let instance: Instance = serde_json::from_str(
        r#"{"version": 1, "slot_minutes": 5, "days": ["mon"],
        "schools": [{"id": "S1", "rooms": 1, "open": {"mon": [[540, 900]]}}],
        "travel_minutes": {"S1": {"S1": 0}},
        "teachers": [{"id": "T1", "available": {"mon": [[540, 900]]}}],
        "lessons": [
          {"id": "A", "teacher": "T1", "school": "S1", "minutes": 30, "pupils": ["P1"]},
          {"id": "B", "teacher": "T1", "school": "S1", "minutes": 15, "pupils": ["P2"]},
          {"id": "C", "teacher": "T1", "school": "S1", "minutes": 20, "pupils": ["P3"]}]}"#,
    )
    .unwrap();
    let week1: tutti_solver::Solution = serde_json::from_str(
        r#"{"assignments": [{"lesson": "A", "day": "mon", "start": 600},
          {"lesson": "B", "day": "mon", "start": 630},
          {"lesson": "C", "day": "mon", "start": 645}], "unscheduled": []}"#,
    )
    .unwrap();
    let starts = |s: &tutti_solver::Solution| -> Vec<i64> { s.assignments.iter().map(|a| a.start).collect() };
    assert_eq!(starts(&rotate(&instance, &week1, 1)), vec![600, 630, 645]);
    // Week 2: B, C, A.
    assert_eq!(starts(&rotate(&instance, &week1, 2)), vec![635, 600, 615]);
    // Week 3: C, A, B.
    assert_eq!(starts(&rotate(&instance, &week1, 3)), vec![620, 650, 600]);
    assert_eq!(starts(&rotate(&instance, &week1, 4)), vec![600, 630, 645]);
    assert_valid_in_every_week(&instance, &week1);
}

/// Solves `instance`, pins every third assignment where it is, and solves again with a new
/// seed: every pin must hold, and the result must pass the checker at the cost reported.
fn pins_hold(mut instance: Instance, seed: u64) -> Result<(), String> {
    let first = solve(&instance, &options(seed, 30_000)).unwrap();
    let index: std::collections::HashMap<String, usize> = instance
        .lessons
        .iter()
        .enumerate()
        .map(|(i, l)| (l.id.clone(), i))
        .collect();
    let mut pinned = Vec::new();
    for (i, a) in first.solution.assignments.iter().enumerate() {
        if i % 3 == 0 {
            instance.lessons[index[a.lesson.as_str()]].fixed = Some(tutti_solver::instance::Fixed {
                day: a.day.clone(),
                start: a.start,
            });
            pinned.push(a.clone());
        }
    }
    let again = solve(&instance, &options(seed + 1, 50_000)).unwrap();
    let report = check(&instance, &again.solution).unwrap();
    if !report.valid {
        return Err(format!("{:?}", report.violations));
    }
    if report.cost != again.cost {
        return Err(format!("checker cost {} but solver cost {}", report.cost, again.cost));
    }
    match pinned.iter().find(|pin| !again.solution.assignments.contains(pin)) {
        Some(pin) => Err(format!("{pin:?} left out or moved")),
        None => Ok(()),
    }
}

/// `pins_hold` on generated instances given as (seed, teachers, schools, lessons).
fn assert_pins_hold(cases: &[(u64, usize, usize, usize)]) {
    for &(seed, teachers, schools, lessons) in cases {
        let result = pins_hold(generate(seed, teachers, schools, lessons), seed);
        assert_eq!(
            result,
            Ok(()),
            "seed {seed}, {teachers} teachers, {schools} schools, {lessons} lessons"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]
    /// Pinned lessons (Tutti's `fixed` extension) stay at their pins, and the rest is
    /// still valid: pins taken from a valid solution hold together.
    #[test]
    fn pinned_lessons_stay_where_they_are(
        seed in 0u64..1_000,
        teachers in 1usize..5,
        schools in 1usize..10,
        lessons in 1usize..70,
    ) {
        prop_assert_eq!(pins_hold(generate(seed, teachers, schools, lessons), seed), Ok(()));
    }
}

/// Pins from two visits to one school with visits elsewhere between them: the pins alone
/// time as one visit, which leaves its window or holds a room another teacher's pin needs
/// (seed, teachers, schools, lessons). Each case once left a pin out; found by the
/// property above over larger instances (up to 8 teachers, 15 schools, 249 lessons).
#[test]
fn pins_from_two_visits_to_one_school_on_one_day() {
    let cases = [
        (363, 2, 3, 53),  // the visits' span leaves the teacher's window
        (174, 3, 7, 64),  // the span holds a one-room school another teacher's pin needs
        (176, 5, 8, 189), // a lesson put between took a room a later pin needed
        (353, 7, 7, 215), // a room freed by one split is used on the second try
        (174, 8, 9, 104), // the gap overlaps the pin without covering it
        (379, 5, 2, 241), // two rooms: both holders split at once
        (182, 3, 4, 170), // two rooms: only one holder has to split
        (290, 8, 3, 192), // the lesson between must leave a room for pins to come
        (648, 3, 4, 204), // a split with nothing to put between keeps the pin
    ];
    assert_pins_hold(&cases);
}

/// Known limit: the pins are placed greedily, day by day, so a dense instance can still
/// leave one out. About one case in 15,000 of the larger instances above does; these are
/// the ones found (seed, teachers, schools, lessons).
#[test]
#[ignore = "known limit: greedy pin placement on a dense instance"]
fn pins_on_dense_instances() {
    assert_pins_hold(&[(247, 5, 4, 217), (466, 2, 2, 141), (54, 3, 2, 139)]);
}

#[test]
fn a_full_window_leaves_out_the_fewest_lessons() {
    // One teacher at one school, whose only common window (Tuesday 540-600) holds 60 of
    // the 125 minutes of lessons: the most lessons that fit is 3 (15 + 15 + 30 or
    // 15 + 15 + 20), so exactly 2 stay out, A (the longest) among them. Wednesday the school
    // is shut.
    let instance: Instance = serde_json::from_str(
        r#"{"version": 1, "slot_minutes": 5, "days": ["tue", "wed"],
        "schools": [{"id": "S1", "rooms": 1, "open": {"tue": [[500, 720]]}}],
        "travel_minutes": {"S1": {"S1": 0}},
        "teachers": [{"id": "T1", "available": {"tue": [[540, 600]], "wed": [[540, 900]]}}],
        "lessons": [
          {"id": "A", "teacher": "T1", "school": "S1", "minutes": 45, "pupils": ["P1"]},
          {"id": "B", "teacher": "T1", "school": "S1", "minutes": 15, "pupils": ["P2"]},
          {"id": "C", "teacher": "T1", "school": "S1", "minutes": 30, "pupils": ["P3"]},
          {"id": "D", "teacher": "T1", "school": "S1", "minutes": 20, "pupils": ["P4"]},
          {"id": "E", "teacher": "T1", "school": "S1", "minutes": 15, "pupils": ["P5"]}]}"#,
    )
    .unwrap();
    for seed in 1..4 {
        let solved = solve(&instance, &options(seed, 20_000)).unwrap();
        let report = check(&instance, &solved.solution).unwrap();
        assert!(report.valid, "{:?}", report.violations);
        assert_eq!(report.unscheduled, 2, "{:?}", solved.solution);
        assert!(solved.solution.unscheduled.contains(&"A".to_owned()));
    }
}
