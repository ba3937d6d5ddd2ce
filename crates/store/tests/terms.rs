//! The year as the office sets it, on both backends from an empty hub: term dates and closures
//! checked by the domain's rules, last year's terms copied forward, and the lessons that
//! follow them (a closure added or deleted, a term shortened, a school that starts rotating
//! lays its coming lessons out again).
use time::Date;
use time::macros::date;
use tutti_domain::calendar::{AcademicYear, DateRange, TermDates, TermId, TermName, default_term_dates};
use tutti_domain::clock::Clock;
use tutti_domain::terms::{ClosureKind, TermRefusal};
use tutti_store::platform::audit::Actor;
use tutti_store::teaching::lessons::{NoteReader, TimetableOf};
use tutti_store::teaching::terms::{NewClosure, Whose, YearFilter};
use tutti_store::testing::world::{a_family, a_group, a_school, a_teacher};
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, StoreError, on_both_backends};

on_both_backends!(
    terms_and_closures_keep_the_rules_and_lessons_follow_them,
    last_year_is_copied_to_the_same_weekdays,
    a_school_that_starts_rotating_has_its_lessons_rotated
);

/// The hub on 20 August 2026, before the autumn term.
async fn hub(backend: TestBackend) -> Option<(Store, TestDatabase)> {
    let db = TestDatabase::create(backend).await?;
    let store = Store::connect(&db.url)
        .await
        .unwrap()
        .with_clock(Clock::on(date!(2026 - 08 - 20)));
    store.migrate().await.unwrap();
    Some((store, db))
}

fn term(year: i32, name: TermName, dates: (Date, Date), half: (Date, Date)) -> TermDates {
    TermDates {
        term: TermId::new(AcademicYear::starting(year), name),
        dates: DateRange {
            first: dates.0,
            last: dates.1,
        },
        half_term: DateRange {
            first: half.0,
            last: half.1,
        },
    }
}

fn refusal(e: StoreError) -> TermRefusal {
    match e {
        StoreError::Refused(tutti_domain::Refusal::Terms(r)) => r,
        other => panic!("not a refusal of the year: {other:?}"),
    }
}

/// The days of a teacher's lessons in the autumn term of 2026.
async fn lesson_days(store: &Store, teacher: i64) -> Vec<Date> {
    store
        .timetable(
            TimetableOf::Teacher(teacher),
            date!(2026 - 09 - 01),
            date!(2026 - 12 - 31),
            NoteReader::Staff,
        )
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.date)
        .collect()
}

async fn terms_and_closures_keep_the_rules_and_lessons_follow_them(backend: TestBackend) {
    let Some((store, _db)) = hub(backend).await else {
        return;
    };
    let actor = Actor::cli();
    let school = a_school().in_local_authority("Northshire").create(&store).await;
    let teacher = a_teacher().create(&store).await;
    let family = a_family(&school).create(&store).await;
    a_group(teacher.staff.id, school.id)
        .on(1, 540)
        .with_pupils(&[family.children[0]])
        .create(&store)
        .await;

    // The authority's autumn term, typed in another case than its schools spell it.
    let autumn = term(
        2026,
        TermName::Autumn,
        (date!(2026 - 09 - 07), date!(2026 - 12 - 18)),
        (date!(2026 - 10 - 26), date!(2026 - 10 - 30)),
    );
    let northshire = Whose::Authority("northshire".into());
    let id = store.save_term(&actor, None, &northshire, &autumn).await.unwrap();
    let saved = store.term(id).await.unwrap().unwrap();
    assert_eq!(saved.local_authority, "Northshire");
    assert_eq!(saved.dates, autumn);
    assert_eq!(store.local_authorities().await.unwrap(), vec!["Northshire".to_owned()]);

    // The rules: a second set for the term, an overlap, half term outside the term.
    assert_eq!(
        refusal(store.save_term(&actor, None, &northshire, &autumn).await.unwrap_err()),
        TermRefusal::TermExists {
            name: TermName::Autumn,
            year: AcademicYear::starting(2026)
        }
    );
    let spring = term(
        2026,
        TermName::Spring,
        (date!(2026 - 12 - 14), date!(2027 - 03 - 19)),
        (date!(2027 - 02 - 15), date!(2027 - 02 - 19)),
    );
    let overlap = refusal(store.save_term(&actor, None, &northshire, &spring).await.unwrap_err());
    assert!(matches!(
        overlap,
        TermRefusal::Overlaps {
            other: TermName::Autumn,
            ..
        }
    ));
    assert_eq!(overlap.field(), Some("first_day"));
    let mut outside = autumn;
    outside.half_term.first = date!(2026 - 12 - 21);
    outside.half_term.last = date!(2026 - 12 - 22);
    assert!(matches!(
        refusal(
            store
                .save_term(&actor, Some(id), &northshire, &outside)
                .await
                .unwrap_err()
        ),
        TermRefusal::HalfTermOutside { .. }
    ));

    // Lessons follow the saved term: Mondays from 7 September, none in half term.
    store.generate_dated_lessons(&actor, autumn.term).await.unwrap();
    let days = lesson_days(&store, teacher.staff.id).await;
    assert_eq!(days.len(), 14, "{days:?}");
    assert_eq!(days[0], date!(2026 - 09 - 07));
    assert!(!days.contains(&date!(2026 - 10 - 26)));

    // A closure for the authority takes its day's lesson away; deleting it brings it back.
    let polling = NewClosure {
        whose: northshire.clone(),
        day: date!(2026 - 11 - 16),
        kind: ClosureKind::Closure,
        reason: "Polling day".into(),
    };
    let closure = store.save_closure(&actor, &polling).await.unwrap();
    assert!(
        !lesson_days(&store, teacher.staff.id)
            .await
            .contains(&date!(2026 - 11 - 16))
    );
    assert_eq!(
        refusal(store.save_closure(&actor, &polling).await.unwrap_err()),
        TermRefusal::ClosureExists {
            day: date!(2026 - 11 - 16)
        }
    );
    let saturday = NewClosure {
        day: date!(2026 - 11 - 21),
        ..polling.clone()
    };
    assert!(matches!(
        refusal(store.save_closure(&actor, &saturday).await.unwrap_err()),
        TermRefusal::Weekend { .. }
    ));
    store.delete_closure(&actor, closure).await.unwrap();
    assert_eq!(lesson_days(&store, teacher.staff.id).await.len(), 14);

    // One school's INSET day is that school's only.
    store
        .save_closure(
            &actor,
            &NewClosure {
                whose: Whose::School(school.id),
                day: date!(2026 - 11 - 23),
                kind: ClosureKind::Inset,
                reason: "Staff training".into(),
            },
        )
        .await
        .unwrap();
    let days = lesson_days(&store, teacher.staff.id).await;
    assert_eq!(days.len(), 13);
    assert!(!days.contains(&date!(2026 - 11 - 23)));
    let year = YearFilter {
        authority: Some("Northshire".into()),
        year: Some(AcademicYear::starting(2026)),
    };
    let closures = store.closures(&year).await.unwrap();
    assert_eq!(closures.len(), 1);
    assert_eq!(closures[0].school_name.as_deref(), Some(school.name.as_str()));

    // The term shortened by a week: its last Monday goes.
    let mut shorter = autumn;
    shorter.dates.last = date!(2026 - 12 - 11);
    store.save_term(&actor, Some(id), &northshire, &shorter).await.unwrap();
    let days = lesson_days(&store, teacher.staff.id).await;
    assert_eq!(days.len(), 12);
    assert!(!days.contains(&date!(2026 - 12 - 14)));

    // Deleted, the authority's schools follow the default calendar again.
    store.delete_term(&actor, id).await.unwrap();
    assert!(store.terms(&year).await.unwrap().is_empty());
    // (1 September to 18 December: the Monday of 14 December is back; the INSET day stays.)
    let days = lesson_days(&store, teacher.staff.id).await;
    assert_eq!(days.len(), 13);
    assert!(days.contains(&date!(2026 - 12 - 14)));
}

async fn last_year_is_copied_to_the_same_weekdays(backend: TestBackend) {
    let Some((store, _db)) = hub(backend).await else {
        return;
    };
    let actor = Actor::cli();
    a_school().in_local_authority("Northshire").create(&store).await;
    let northshire = Whose::Authority("Northshire".into());
    for t in default_term_dates(AcademicYear::starting(2025)) {
        store.save_term(&actor, None, &northshire, &t).await.unwrap();
    }
    let next = AcademicYear::starting(2026);
    assert_eq!(store.copy_last_year(&actor, &northshire, next).await.unwrap(), 3);
    let copied = store
        .terms(&YearFilter {
            authority: None,
            year: Some(next),
        })
        .await
        .unwrap();
    assert_eq!(copied.len(), 3);
    let last_year = default_term_dates(AcademicYear::starting(2025));
    for (old, new) in last_year.iter().zip(&copied) {
        assert_eq!(new.dates.term.name, old.term.name);
        assert_eq!(new.dates.term.year, next);
        assert_eq!(new.dates.dates.first.weekday(), old.dates.first.weekday());
        assert_eq!(new.dates.dates.last.weekday(), old.dates.last.weekday());
        assert_eq!(new.dates.half_term.first.weekday(), old.half_term.first.weekday());
    }
    // Monday 1 September 2025 becomes Monday 7 September 2026, inside the new year.
    assert_eq!(copied[0].dates.dates.first, date!(2026 - 09 - 07));
    assert_eq!(
        refusal(store.copy_last_year(&actor, &northshire, next).await.unwrap_err()),
        TermRefusal::AlreadySet { year: next }
    );
    assert_eq!(
        refusal(
            store
                .copy_last_year(&actor, &northshire, AcademicYear::starting(2028))
                .await
                .unwrap_err()
        ),
        TermRefusal::NothingToCopy {
            year: AcademicYear::starting(2027)
        }
    );
}

async fn a_school_that_starts_rotating_has_its_lessons_rotated(backend: TestBackend) {
    let Some((store, _db)) = hub(backend).await else {
        return;
    };
    let actor = Actor::cli();
    let school = a_school().create(&store).await;
    let teacher = a_teacher().create(&store).await;
    let family = a_family(&school)
        .with_child("Sam", date!(2018 - 05 - 01))
        .create(&store)
        .await;
    let first = a_group(teacher.staff.id, school.id)
        .on(1, 540)
        .with_pupils(&[family.children[0]])
        .create(&store)
        .await;
    let second = a_group(teacher.staff.id, school.id)
        .on(1, 570)
        .with_pupils(&[family.children[1]])
        .create(&store)
        .await;
    let autumn = TermId::new(AcademicYear::starting(2026), TermName::Autumn);
    store.generate_dated_lessons(&actor, autumn).await.unwrap();
    let times_on = |day: Date| {
        let store = &store;
        async move {
            let mut v: Vec<(i64, i32)> = store
                .timetable(TimetableOf::Teacher(teacher.staff.id), day, day, NoteReader::Staff)
                .await
                .unwrap()
                .into_iter()
                .map(|l| (l.group_id, l.start_minute))
                .collect();
            v.sort();
            v
        }
    };
    // Not rotating: the same times every week.
    let week_two = date!(2026 - 09 - 14);
    assert_eq!(times_on(week_two).await, vec![(first, 540), (second, 570)]);

    // Marked rotating: in week two the second lesson comes first.
    let mut input = store.school_input(school.id).await.unwrap().unwrap();
    input.row.rotating = Some(true);
    store.update_school(&actor, school.id, &input).await.unwrap();
    assert!(store.school(school.id).await.unwrap().unwrap().rotating);
    assert_eq!(times_on(date!(2026 - 09 - 07)).await, vec![(first, 540), (second, 570)]);
    assert_eq!(times_on(week_two).await, vec![(first, 570), (second, 540)]);

    // An input that says nothing of rotation leaves it as it is.
    input.row.rotating = None;
    input.row.rooms = None;
    store.update_school(&actor, school.id, &input).await.unwrap();
    let after = store.school(school.id).await.unwrap().unwrap();
    assert!(after.rotating);
    assert_eq!(after.rooms, 2);
}
