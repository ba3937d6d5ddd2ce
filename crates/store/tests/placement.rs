//! Placing an enrolment that waited for allocation: its record then says where it is taught
//! (teacher, school, day, time) and it is active, so the teacher's pupil list and billing
//! count it; a school's confirmed whole-class programme waits to be placed, and is placed once
//! as a whole-class group with its lessons dated (decision 0094); on both backends.
use time::macros::date;
use tutti_domain::clock::Clock;
use tutti_domain::lessons::LessonType;
use tutti_store::Store;
use tutti_store::admissions::enrolments::NewEnrolment;
use tutti_store::demo::DemoSize;
use tutti_store::on_both_backends;
use tutti_store::platform::audit::Actor;
use tutti_store::records::pupils::PupilScope;
use tutti_store::teaching::lessons::NewGroup;
use tutti_store::testing::{TestBackend, TestDatabase};

on_both_backends!(
    a_placed_enrolment_is_active_where_its_group_is,
    a_confirmed_whole_class_programme_is_placed_once
);

async fn a_confirmed_whole_class_programme_is_placed_once(backend: TestBackend) {
    use tutti_domain::Pence;
    use tutti_domain::services::PackageKind;
    use tutti_store::money::payments::services::NewPackage;
    use tutti_store::teaching::programmes::ProgrammePlacement;
    use tutti_store::testing::world::{a_school, a_teacher};

    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let store = Store::connect(&db.url)
        .await
        .unwrap()
        .with_clock(Clock::on(date!(2026 - 09 - 16)));
    store.migrate().await.unwrap();
    let actor = Actor::cli();
    let school = a_school().create(&store).await;
    let teacher = a_teacher().create(&store).await;
    let package = store
        .create_package(
            &actor,
            &NewPackage {
                name: "Whole-class violin".into(),
                kind: PackageKind::Wcet,
                description: String::new(),
                price: Pence(300_000),
                sessions: 30,
                subsidies: Vec::new(),
            },
        )
        .await
        .unwrap();
    let year = tutti_domain::calendar::AcademicYear::containing(store.today());
    let order = store.order_package(&actor, school.id, package, year).await.unwrap();
    assert!(
        store.programmes_to_place(None).await.unwrap().is_empty(),
        "not until confirmed"
    );
    store.answer_order(&actor, order, true).await.unwrap();
    let waiting = store.programmes_to_place(Some(school.id)).await.unwrap();
    assert_eq!(waiting.len(), 1);
    let at = ProgrammePlacement {
        teacher_id: teacher.staff.id,
        weekday: 3,
        start_minute: 13 * 60 + 30,
        minutes: 45,
        instrument: "Violin".into(),
    };
    let group = store.place_programme(&actor, order, &at).await.unwrap();
    assert!(store.programmes_to_place(None).await.unwrap().is_empty());
    let err = store.place_programme(&actor, order, &at).await.unwrap_err();
    assert!(err.to_string().contains("already on the timetable"), "{err}");
    let groups = store.group_summaries(Some(school.id), None).await.unwrap();
    assert_eq!(
        (groups.len(), groups[0].id, groups[0].lesson_type.as_str()),
        (1, group, "whole-class")
    );
    // Its lessons are dated from the day it was placed, each Wednesday the school is open.
    let lessons = store
        .timetable(
            tutti_store::teaching::lessons::TimetableOf::School(school.id),
            store.today(),
            date!(2026 - 10 - 07),
            tutti_store::teaching::lessons::NoteReader::Staff,
        )
        .await
        .unwrap();
    let days: Vec<time::Date> = lessons.iter().filter(|l| l.group_id == group).map(|l| l.date).collect();
    assert_eq!(
        days,
        [
            date!(2026 - 09 - 16),
            date!(2026 - 09 - 23),
            date!(2026 - 09 - 30),
            date!(2026 - 10 - 07)
        ]
    );
    // A timetable proposal for the term weighs it with the other groups.
    let term = tutti_domain::calendar::TermId::parse("2026-autumn").unwrap();
    let proposal = store.request_proposal(&actor, term, 1).await.unwrap();
    store.run_proposal(proposal).await.unwrap();
    let result = store.proposal(proposal).await.unwrap().result.unwrap();
    assert_eq!(result.groups, 1, "the whole-class group is in the proposal");
}

async fn a_placed_enrolment_is_active_where_its_group_is(backend: TestBackend) {
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let store = Store::connect(&db.url)
        .await
        .unwrap()
        .with_clock(Clock::on(date!(2026 - 09 - 16)));
    store.migrate().await.unwrap();
    store.seed_demo(5, DemoSize::SMALL).await.unwrap();
    let actor = Actor::cli();
    let teacher = store.user_by_email("teacher@demo.test").await.unwrap().unwrap();
    let staff_id = teacher.staff_id.unwrap();
    let pupils = store.list_pupils(&PupilScope::All, &Default::default()).await.unwrap();
    let pupil = &pupils.rows[0];
    let id = store
        .create_enrolment(
            &actor,
            &NewEnrolment {
                pupil_id: pupil.id,
                instrument: "Cello".into(),
                lesson_type: LessonType::Individual,
                minutes: 20,
                start_date: store.today(),
                teacher_id: None,
                school_id: None,
                weekday: None,
                start_minute: None,
            },
        )
        .await
        .unwrap();
    let before = store.enrolment(&PupilScope::All, id).await.unwrap();
    assert_eq!(before.status, "awaiting");
    assert_eq!(before.teacher_id, None);

    store
        .create_group(
            &actor,
            &NewGroup {
                teacher_id: staff_id,
                school_id: pupil.school_id,
                weekday: 5,
                start_minute: 15 * 60 + 40,
                minutes: 20,
                lesson_type: LessonType::Individual,
                instrument: "Cello".into(),
                enrolment_ids: vec![id],
            },
        )
        .await
        .unwrap();
    let after = store.enrolment(&PupilScope::All, id).await.unwrap();
    assert_eq!(after.status, "active");
    assert_eq!(after.teacher_id, Some(staff_id));
    assert_eq!(after.school_id, Some(pupil.school_id));
    assert_eq!((after.weekday, after.start_minute), (Some(5), Some(15 * 60 + 40)));
    // The teacher now sees the pupil among theirs.
    let theirs = store
        .list_pupils(
            &PupilScope::Teacher(staff_id),
            &tutti_store::listing::ListQuery {
                q: pupil.pupil_ref.clone(),
                per_page: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(theirs.rows.iter().any(|r| r.id == pupil.id));
}
