//! The checker on a hand-made instance: a good solution with hand-computed costs, and
//! one bad solution for each kind of broken rule.
use tutti_solver::{Assignment, Instance, Report, Solution, check};

fn instance() -> Instance {
    serde_json::from_str(
        r#"{
        "version": 1, "slot_minutes": 5, "days": ["mon", "tue"],
        "schools": [
            {"id": "S1", "rooms": 1, "open": {"mon": [[540, 900]], "tue": [[540, 900]]}},
            {"id": "S2", "rooms": 1, "open": {"mon": [[540, 900]]}}
        ],
        "travel_minutes": {"S1": {"S1": 0, "S2": 20}, "S2": {"S1": 20, "S2": 0}},
        "teachers": [
            {"id": "T1", "available": {"mon": [[500, 960]], "tue": [[540, 700]]}},
            {"id": "T2", "available": {"mon": [[540, 900]]}}
        ],
        "lessons": [
            {"id": "L1", "teacher": "T1", "school": "S1", "minutes": 30, "pupils": ["P1"]},
            {"id": "L2", "teacher": "T1", "school": "S1", "minutes": 20, "pupils": ["P2"]},
            {"id": "L3", "teacher": "T1", "school": "S2", "minutes": 30, "pupils": ["P3"]},
            {"id": "L4", "teacher": "T2", "school": "S1", "minutes": 30, "pupils": ["P1"]},
            {"id": "L5", "teacher": "T2", "school": "S1", "minutes": 15, "pupils": ["P4", "P5"]}
        ]
    }"#,
    )
    .unwrap()
}

fn solution(assignments: &[(&str, &str, i64)], unscheduled: &[&str]) -> Solution {
    Solution {
        assignments: assignments
            .iter()
            .map(|&(lesson, day, start)| Assignment {
                lesson: lesson.into(),
                day: day.into(),
                start,
            })
            .collect(),
        unscheduled: unscheduled.iter().map(|s| s.to_string()).collect(),
    }
}

/// T1 teaches L2 at S1 then drives 20 minutes to S2 for L3 on Monday and L1 on
/// Tuesday; T2 teaches L4 and, after 5 minutes' wait, L5 at S1 once T1 has left.
fn good() -> Solution {
    solution(
        &[
            ("L1", "tue", 540),
            ("L2", "mon", 540),
            ("L3", "mon", 580),
            ("L4", "mon", 560),
            ("L5", "mon", 595),
        ],
        &[],
    )
}

fn report(s: &Solution) -> Report {
    check(&instance(), s).unwrap()
}

fn rules(s: &Solution) -> Vec<(u8, Option<String>)> {
    report(s).violations.into_iter().map(|v| (v.rule, v.lesson)).collect()
}

fn broken(rule: u8, lesson: &str) -> Vec<(u8, Option<String>)> {
    vec![(rule, Some(lesson.to_string()))]
}

fn with(changes: &[(&str, &str, i64)]) -> Solution {
    let mut s = good();
    for &(lesson, day, start) in changes {
        let a = s.assignments.iter_mut().find(|a| a.lesson == lesson).unwrap();
        a.day = day.into();
        a.start = start;
    }
    s
}

#[test]
fn costs_of_a_good_solution_by_hand() {
    let r = report(&good());
    assert!(r.valid, "{:?}", r.violations);
    // Travel: 20 (S1 to S2). Idle: T1 Monday 540..610 is 70 = 50 taught + 20 driven;
    // T2 Monday waits 590..595. Visits: T1 Monday 2, Tuesday 1, T2 Monday 1.
    assert_eq!((r.travel, r.idle, r.visits, r.unscheduled), (20, 5, 4, 0));
    assert_eq!(r.cost, 20 + 5 + 15 * 4);

    let mut s = good();
    s.assignments.retain(|a| a.lesson != "L5");
    s.unscheduled.push("L5".into());
    let r = report(&s);
    assert!(r.valid);
    assert_eq!((r.unscheduled, r.idle), (1, 0));
    assert_eq!(r.cost, 10_000 + 20 + 15 * 4);
}

#[test]
fn rule_1_start_off_the_slot_grid() {
    assert_eq!(rules(&with(&[("L1", "tue", 541)])), broken(1, "L1"));
}

#[test]
fn rule_1_outside_the_teachers_availability() {
    // T1 is available on Tuesday until 700; L1 would end at 720.
    assert_eq!(rules(&with(&[("L1", "tue", 690)])), broken(1, "L1"));
}

#[test]
fn rule_1_outside_the_schools_opening() {
    // S2 closes at 900.
    assert_eq!(rules(&with(&[("L3", "mon", 880)])), broken(1, "L3"));
    // S2 is closed on Tuesday (and T1 stays within availability there).
    let v = rules(&with(&[("L3", "tue", 600)]));
    assert!(v.contains(&(1, Some("L3".into()))), "{v:?}");
}

#[test]
fn rule_2_overlapping_lessons() {
    assert_eq!(rules(&with(&[("L3", "mon", 550)])), broken(2, "L3"));
}

#[test]
fn rule_2_not_enough_travel_time() {
    // L2 ends at 560, S1 to S2 takes 20, so L3 may start at 580 at the earliest.
    assert_eq!(rules(&with(&[("L3", "mon", 575)])), broken(2, "L3"));
}

#[test]
fn rule_3_two_visits_in_one_room() {
    // T2's visit starts at 545 while T1's visit holds S1's only room until 560.
    let v = rules(&with(&[("L4", "mon", 545), ("L5", "mon", 575)]));
    assert_eq!(v, vec![(3, Some("L4".into()))]);
}

#[test]
fn rule_3_a_visit_holds_its_room_while_waiting() {
    // T1 is at S1 600..620; T2's lessons 560..590 and 640..655 never overlap it, but
    // T2's visit holds the room from 560 to 655.
    let s = with(&[
        ("L2", "mon", 600),
        ("L3", "mon", 640),
        ("L4", "mon", 560),
        ("L5", "mon", 640),
    ]);
    let v = rules(&s);
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].0, 3);
}

#[test]
fn rule_4_pupil_in_two_lessons_on_one_day() {
    // L1 and L4 share pupil P1.
    let s = with(&[
        ("L1", "mon", 540),
        ("L2", "mon", 570),
        ("L3", "mon", 610),
        ("L4", "mon", 590),
        ("L5", "mon", 620),
    ]);
    assert_eq!(rules(&s), broken(4, "L4"));
}

#[test]
fn every_lesson_exactly_once() {
    let mut s = good();
    s.assignments.retain(|a| a.lesson != "L5");
    assert_eq!(rules(&s), broken(0, "L5"));
    // A missing lesson is scored as unscheduled.
    assert_eq!(report(&s).unscheduled, 1);

    let mut s = good();
    s.unscheduled.push("L5".into());
    assert_eq!(rules(&s), broken(0, "L5"));

    let mut s = good();
    s.assignments.push(s.assignments[0].clone());
    let v = rules(&s);
    assert!(v.contains(&(0, Some("L1".into()))), "{v:?}");
}

#[test]
fn unknown_lessons_and_days() {
    let mut s = good();
    s.assignments.push(Assignment {
        lesson: "L99".into(),
        day: "mon".into(),
        start: 700,
    });
    assert_eq!(rules(&s), broken(0, "L99"));

    let mut s = good();
    s.unscheduled.push("L98".into());
    assert_eq!(rules(&s), broken(0, "L98"));

    let v = rules(&with(&[("L1", "sat", 540)]));
    assert_eq!(v, broken(0, "L1"));
    let v = rules(&with(&[("L1", "wed", 540)]));
    assert_eq!(v, broken(0, "L1"));
}

/// Found by fuzz/fuzz_targets/timetable_json.rs: a start of i64::MAX overflowed adding the
/// lesson's minutes.
#[test]
fn rule_1_a_start_outside_the_day() {
    for start in [i64::MAX, i64::MIN, -5, 24 * 60 + 5] {
        assert_eq!(rules(&with(&[("L1", "tue", start)])), broken(1, "L1"), "{start}");
    }
    let r = report(&with(&[("L1", "tue", i64::MAX), ("L2", "mon", i64::MIN)]));
    assert!(!r.valid);
    assert_eq!(r.violations.len(), 2, "{:?}", r.violations);
}

#[test]
fn an_invalid_instance_is_an_error() {
    let mut i = instance();
    i.lessons[0].minutes = 33;
    let e = check(&i, &good()).unwrap_err().to_string();
    assert!(e.contains("lesson L1: minutes 33 is not a multiple of slot_minutes 5"));
}

#[test]
fn report_serialises_as_documented() {
    let json = serde_json::to_value(report(&with(&[("L1", "tue", 541)]))).unwrap();
    for key in ["valid", "cost", "unscheduled", "travel", "idle", "visits", "violations"] {
        assert!(json.get(key).is_some(), "{key}");
    }
    assert_eq!(json["violations"][0]["rule"], 1);
    assert_eq!(json["violations"][0]["lesson"], "L1");
}

#[test]
fn rule_5_a_pinned_lesson_placed_elsewhere() {
    let mut i = instance();
    i.lessons[0].fixed = Some(tutti_solver::instance::Fixed {
        day: "tue".into(),
        start: 540,
    });
    assert!(check(&i, &good()).unwrap().valid);
    let moved = with(&[("L1", "tue", 600)]);
    let got: Vec<_> = check(&i, &moved)
        .unwrap()
        .violations
        .into_iter()
        .map(|v| (v.rule, v.lesson))
        .collect();
    assert_eq!(got, broken(5, "L1"));
}

/// T1 teaches A at S1, then O online (its pupil is at S2), then B at S2; T2 teaches C at
/// S1. S1 has one room and S2 closes at 700, but O is online.
fn online_instance() -> Instance {
    serde_json::from_str(
        r#"{
        "version": 1, "slot_minutes": 5, "days": ["mon"],
        "schools": [
            {"id": "S1", "rooms": 1, "open": {"mon": [[540, 900]]}},
            {"id": "S2", "rooms": 1, "open": {"mon": [[540, 700]]}}
        ],
        "travel_minutes": {"S1": {"S1": 0, "S2": 20}, "S2": {"S1": 20, "S2": 0}},
        "teachers": [
            {"id": "T1", "available": {"mon": [[540, 960]]}},
            {"id": "T2", "available": {"mon": [[540, 900]]}}
        ],
        "lessons": [
            {"id": "A", "teacher": "T1", "school": "S1", "minutes": 30, "pupils": ["P1"]},
            {"id": "O", "teacher": "T1", "school": "S2", "minutes": 30, "pupils": ["P2"], "online": true},
            {"id": "B", "teacher": "T1", "school": "S2", "minutes": 30, "pupils": ["P3"]},
            {"id": "A2", "teacher": "T1", "school": "S1", "minutes": 30, "pupils": ["P4"]},
            {"id": "C", "teacher": "T2", "school": "S1", "minutes": 30, "pupils": ["P5"]}
        ]
    }"#,
    )
    .unwrap()
}

fn online_report(assignments: &[(&str, &str, i64)], unscheduled: &[&str]) -> Report {
    check(&online_instance(), &solution(assignments, unscheduled)).unwrap()
}

#[test]
fn an_online_lesson_needs_no_travel_but_the_journey_after_it_is_owed() {
    // A 540..570 at S1, O 570..600 online, B 620..650 at S2 (20 minutes' drive after O).
    let r = online_report(&[("A", "mon", 540), ("O", "mon", 570), ("B", "mon", 620)], &["A2", "C"]);
    assert!(r.valid, "{:?}", r.violations);
    // Travel 20 (S1 to S2, across O); idle 110 − 90 − 20 = 0; visits: S1 and S2, O is none.
    assert_eq!((r.travel, r.idle, r.visits, r.unscheduled), (20, 0, 2, 2));
    assert_eq!(r.cost, 2 * 10_000 + 20 + 15 * 2);

    // B straight after O: the drive from S1 is not done while teaching online.
    let r = online_report(&[("A", "mon", 540), ("O", "mon", 570), ("B", "mon", 600)], &["A2", "C"]);
    assert_eq!(
        r.violations
            .iter()
            .map(|v| (v.rule, v.lesson.as_deref()))
            .collect::<Vec<_>>(),
        vec![(2, Some("B"))]
    );
    // O straight after A is fine: no journey to an online lesson.
    let r = online_report(&[("A", "mon", 540), ("O", "mon", 570)], &["B", "A2", "C"]);
    assert!(r.valid, "{:?}", r.violations);
    assert_eq!((r.travel, r.visits), (0, 1));
}

#[test]
fn an_online_lesson_keeps_to_the_teacher_not_the_school() {
    // S2 (O's pupils' school) closes at 700; O at 900 is inside T1's availability.
    let r = online_report(&[("O", "mon", 900)], &["A", "B", "A2", "C"]);
    assert!(r.valid, "{:?}", r.violations);
    // T1 is available until 960: O at 940 would end at 970.
    let r = online_report(&[("O", "mon", 940)], &["A", "B", "A2", "C"]);
    assert_eq!(r.violations.iter().map(|v| v.rule).collect::<Vec<_>>(), vec![1]);
}

#[test]
fn an_online_lesson_holds_no_room_and_splits_a_visit() {
    // T1: A at S1 540..570, O online 570..600, A2 at S1 600..630: two visits to S1, and
    // S1's one room is free while O is taught, so T2's C takes it 570..600.
    let r = online_report(
        &[
            ("A", "mon", 540),
            ("O", "mon", 570),
            ("A2", "mon", 600),
            ("C", "mon", 570),
        ],
        &["B"],
    );
    assert!(r.valid, "{:?}", r.violations);
    assert_eq!((r.travel, r.idle, r.visits), (0, 0, 3));
    // C at 560 overlaps T1's first visit in the one room.
    let r = online_report(
        &[
            ("A", "mon", 540),
            ("O", "mon", 570),
            ("A2", "mon", 600),
            ("C", "mon", 560),
        ],
        &["B"],
    );
    assert_eq!(r.violations.iter().map(|v| v.rule).collect::<Vec<_>>(), vec![3]);
}
