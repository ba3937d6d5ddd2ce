//! Lessons through the store on both backends: dated lessons from the school's calendar
//! (holidays and closures skipped, idempotent), rotated real times, registers and the guarantee.
use sea_orm::ConnectionTrait;
use time::macros::date;
use time::{Duration, OffsetDateTime, Weekday};
use tutti_domain::calendar::{AcademicYear, SchoolCalendar, default_term_dates};
use tutti_domain::clock::Clock;
use tutti_domain::guarantee::{GuaranteePolicy, RegisterMark};
use tutti_domain::lessons::LessonType;
use tutti_store::demo::DemoSize;
use tutti_store::platform::audit::Actor;
use tutti_store::teaching::lessons::{NewGroup, NoteReader, TimetableOf};
use tutti_store::teaching::registers::{LessonOutcome, MarkScope};
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, StoreError, on_both_backends};

on_both_backends!(
    dated_lessons_follow_the_calendar_and_rotate,
    registers_change_the_guarantee
);

async fn store(backend: TestBackend) -> Option<(Store, TestDatabase)> {
    let db = TestDatabase::create(backend).await?;
    let store = Store::connect(&db.url)
        .await
        .unwrap()
        .with_clock(Clock::on(date!(2026 - 09 - 16)));
    store.migrate().await.unwrap();
    store.seed_demo(1, DemoSize::SMALL).await.unwrap();
    Some((store, db))
}

/// Three single-pupil groups back to back at school 1 on Mondays from 09:00 (30, 20 and 30
/// minutes) for teacher 1, in a rotating school; returns the group ids in placed order.
async fn three_lesson_visit(store: &Store) -> Vec<i64> {
    store
        .conn()
        .execute_unprepared("DELETE FROM teaching_groups")
        .await
        .unwrap();
    store
        .conn()
        .execute_unprepared("UPDATE schools SET rotating = true WHERE id = 1")
        .await
        .unwrap();
    // Enrolments not yet grouped, one per group.
    let mut groups = Vec::new();
    for (i, (start, minutes)) in [(540, 30), (570, 20), (590, 30)].into_iter().enumerate() {
        let id = store
            .create_group(
                &Actor::cli(),
                &NewGroup {
                    teacher_id: 1,
                    school_id: 1,
                    weekday: 1,
                    start_minute: start,
                    minutes,
                    lesson_type: LessonType::Individual,
                    instrument: "Violin".into(),
                    enrolment_ids: vec![i as i64 + 1],
                },
            )
            .await
            .unwrap();
        groups.push(id);
    }
    groups
}

fn year() -> AcademicYear {
    AcademicYear::containing(OffsetDateTime::now_utc().date())
}

async fn dated_lessons_follow_the_calendar_and_rotate(backend: TestBackend) {
    let Some((store, _db)) = store(backend).await else {
        return;
    };
    let actor = Actor::cli();
    let groups = three_lesson_visit(&store).await;
    // The spring term: every demo enrolment has started by then.
    let spring = default_term_dates(year())[1];
    store
        .set_term_dates(&actor, "County Durham", None, &spring)
        .await
        .unwrap();
    let mondays = SchoolCalendar::new(vec![spring]).weekday_dates(spring.term, Weekday::Monday);
    let closed = mondays[1];
    store
        .add_closure(&actor, "County Durham", Some(1), closed, false, "Boiler failure")
        .await
        .unwrap();

    let created = store.generate_dated_lessons(&actor, spring.term).await.unwrap();
    assert_eq!(created, 3 * (mondays.len() - 1), "every Monday of term but the closure");
    assert_eq!(
        store.generate_dated_lessons(&actor, spring.term).await.unwrap(),
        0,
        "idempotent"
    );

    let lessons = store
        .timetable(
            TimetableOf::Teacher(1),
            spring.dates.first,
            spring.dates.last,
            NoteReader::Staff,
        )
        .await
        .unwrap();
    let ours: Vec<_> = lessons.iter().filter(|l| groups.contains(&l.group_id)).collect();
    assert!(ours.iter().all(|l| l.date.weekday() == Weekday::Monday));
    assert!(
        ours.iter()
            .all(|l| l.date != closed && !spring.half_term.contains(l.date))
    );
    let times = |day| -> Vec<(i64, i32, i32)> {
        let mut v: Vec<_> = ours
            .iter()
            .filter(|l| l.date == day)
            .map(|l| (l.group_id, l.start_minute, l.end_minute))
            .collect();
        v.sort();
        v
    };
    let (a, b, c) = (groups[0], groups[1], groups[2]);
    // Weeks count the school's teaching Mondays, so the closed Monday does not advance the rota.
    // By hand from TIMETABLING.md: week 1 A B C; week 2 B C A; week 3 C A B.
    assert_eq!(times(mondays[0]), [(a, 540, 570), (b, 570, 590), (c, 590, 620)]);
    assert_eq!(times(mondays[2]), [(a, 590, 620), (b, 540, 560), (c, 560, 590)]);
    assert_eq!(times(mondays[3]), [(a, 570, 600), (b, 600, 620), (c, 540, 570)]);
    // A pupil's timetable shows their lesson only, and the real time.
    let pupil_lessons = store
        .timetable(
            TimetableOf::Pupil(ours[0].pupils[0].id),
            mondays[2],
            mondays[2],
            NoteReader::Staff,
        )
        .await
        .unwrap();
    assert!(pupil_lessons.iter().all(|l| l.pupils.len() == 1));
}

async fn registers_change_the_guarantee(backend: TestBackend) {
    let Some((store, _db)) = store(backend).await else {
        return;
    };
    let actor = Actor::cli();
    let groups = three_lesson_visit(&store).await;
    let spring = default_term_dates(year())[1];
    store.generate_dated_lessons(&actor, spring.term).await.unwrap();
    let lessons: Vec<_> = store
        .timetable(
            TimetableOf::Teacher(1),
            spring.dates.first,
            spring.dates.last,
            NoteReader::Staff,
        )
        .await
        .unwrap()
        .into_iter()
        .filter(|l| l.group_id == groups[0])
        .collect();
    let pupil = lessons[0].pupils[0].id;
    let before = spring.dates.first - Duration::days(1);
    let policy = GuaranteePolicy::default();
    let count = |lines: Vec<tutti_store::teaching::registers::GuaranteeLine>| lines[0].count;
    let start = store.guarantee(year(), before, Some(pupil), &policy).await.unwrap();
    assert_eq!(start[0].count.counted, 0);
    let remaining = start[0].remaining;
    assert!(remaining >= 10);

    let me = MarkScope::Teacher(1);
    store
        .mark_pupil(&actor, me, lessons[0].id, pupil, RegisterMark::Present)
        .await
        .unwrap();
    store
        .mark_pupil(&actor, me, lessons[1].id, pupil, RegisterMark::Ill)
        .await
        .unwrap();
    store
        .mark_lesson(&actor, me, lessons[2].id, LessonOutcome::TeacherAbsent)
        .await
        .unwrap();
    let c = count(store.guarantee(year(), before, Some(pupil), &policy).await.unwrap());
    assert_eq!(
        (c.counted, c.attended, c.pupil_absences, c.hub_missed, c.owed),
        (2, 1, 1, 1, 1)
    );
    // Marking again replaces the mark rather than adding one.
    store
        .mark_pupil(&actor, me, lessons[1].id, pupil, RegisterMark::Exam)
        .await
        .unwrap();
    let line = &store.guarantee(year(), before, Some(pupil), &policy).await.unwrap()[0];
    assert_eq!(line.count.counted, 2);
    assert_eq!(line.remaining, remaining - 3);

    // Another teacher cannot see or mark the lesson; nor can a pupil be marked on someone else's lesson.
    let other = MarkScope::Teacher(2);
    assert!(matches!(
        store
            .mark_pupil(&actor, other, lessons[3].id, pupil, RegisterMark::Present)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .mark_lesson(&actor, other, lessons[3].id, LessonOutcome::SchoolClosed)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .mark_pupil(&actor, me, lessons[3].id, pupil + 100_000, RegisterMark::Present)
            .await,
        Err(StoreError::NotFound)
    ));
    // A pupil the term would leave short of 24 shows as at risk once the year has few lessons left.
    let late = spring.dates.last + Duration::days(1);
    let at_risk = store.pupils_at_risk(year(), late, &policy).await.unwrap();
    assert!(at_risk.iter().any(|l| l.pupil_id == pupil));
    // Marking the teacher-absent lesson as given again clears its owed marks.
    store
        .mark_lesson(&actor, me, lessons[2].id, LessonOutcome::Given)
        .await
        .unwrap();
    let c = count(store.guarantee(year(), before, Some(pupil), &policy).await.unwrap());
    assert_eq!((c.counted, c.hub_missed), (2, 0));
}
