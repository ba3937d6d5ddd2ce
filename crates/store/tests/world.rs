//! The test world's builders make what they say, through the store's own operations: a new
//! school in an area, a teacher free on Monday mornings, a family on free school meals with
//! two children and a login that finds them. Other tests then build on an empty hub.
use time::macros::date;
use tutti_domain::clock::Clock;
use tutti_store::records::pupils::PupilScope;
use tutti_store::testing::world::{a_family, a_school, a_teacher};
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, on_both_backends};

on_both_backends!(builders_make_what_they_say_on_an_empty_hub);

async fn builders_make_what_they_say_on_an_empty_hub(backend: TestBackend) {
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    // On 1 September, a new school...
    let store = Store::connect(&db.url)
        .await
        .unwrap()
        .with_clock(Clock::on(date!(2026 - 09 - 01)));
    store.migrate().await.unwrap();
    assert_eq!(store.today(), date!(2026 - 09 - 01));
    let school = a_school()
        .named("Riverside Primary")
        .in_area("Town A")
        .create(&store)
        .await;
    assert_eq!(school.name, "Riverside Primary");

    // ...a teacher free on Monday mornings...
    let teacher = a_teacher()
        .teaching(&["Cello"])
        .available(1, 540, 720)
        .create(&store)
        .await;
    let hours = store.availability(teacher.staff.id).await.unwrap().unwrap();
    assert!(hours.recorded);
    assert_eq!(hours.week[&1], vec![(540, 720)]);
    assert!(teacher.user.is_none(), "no login unless asked");

    // ...and a family on free school meals with two children, whose login finds them.
    let family = a_family(&school)
        .on_free_school_meals()
        .with_child("Sam", date!(2019 - 01 - 10))
        .with_login("a family passphrase")
        .create(&store)
        .await;
    assert_eq!(family.children.len(), 2);
    for id in &family.children {
        let pupil = store.pupil_in_scope(&PupilScope::All, *id).await.unwrap().unwrap();
        assert!(pupil.fsm, "every child is on free school meals");
    }
    let found = store.children_of_guardian(&family.email).await.unwrap();
    let mut ids: Vec<i64> = found.iter().map(|p| p.id).collect();
    ids.sort();
    assert_eq!(ids, family.children);
    assert_eq!(family.user.unwrap().email, family.email);
    // A second family is another family.
    let other = a_family(&school).create(&store).await;
    assert_ne!(other.email, family.email);
    assert!(other.children.iter().all(|c| !family.children.contains(c)));
}
