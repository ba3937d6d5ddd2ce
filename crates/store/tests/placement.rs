//! Placing an enrolment that waited for allocation: its record then says where it is taught
//! (teacher, school, day, time) and it is active, so the teacher's pupil list and billing
//! count it; on both backends.
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

on_both_backends!(a_placed_enrolment_is_active_where_its_group_is);

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
