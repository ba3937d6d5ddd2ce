//! The test world's builders make what they say, through the store's own operations: a new
//! school in an area, a teacher free on Monday mornings, a family on free school meals with
//! two children and a login that finds them. Other tests then build on an empty hub.
use time::macros::date;
use tutti_domain::clock::Clock;
use tutti_domain::lessons::LessonType;
use tutti_domain::schools::BillingMethod;
use tutti_store::content::Kind;
use tutti_store::platform::accounts::{LoginOutcome, Role};
use tutti_store::platform::audit::Actor;
use tutti_store::records::pupils::PupilScope;
use tutti_store::testing::world::{
    PASSWORD, TOTP_SECRET, a_family, a_group, a_manager, a_page, a_pupil_login, a_school, a_school_contact, a_teacher,
    an_admin, an_application, an_enrolment, an_instrument,
};
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

on_both_backends!(
    logins_are_made_for_every_role,
    enrolments_groups_and_applications_are_made_through_the_store,
    schools_instruments_and_pages_are_made_as_told,
);

async fn empty_hub(backend: TestBackend) -> Option<(Store, TestDatabase)> {
    let db = TestDatabase::create(backend).await?;
    let store = Store::connect(&db.url)
        .await
        .unwrap()
        .with_clock(Clock::on(date!(2026 - 09 - 16)));
    store.migrate().await.unwrap();
    Some((store, db))
}

async fn logins_are_made_for_every_role(backend: TestBackend) {
    let Some((store, _db)) = empty_hub(backend).await else {
        return;
    };
    // An admin and a manager, each with the authenticator app the office must have.
    let admin = an_admin().named("Ada Office").create(&store).await;
    assert_eq!(admin.role, Role::Admin);
    assert_eq!(admin.name, "Ada Office");
    assert!(admin.second_factor && !admin.must_enrol_second_factor());
    assert!(store.second_factors(admin.id).await.unwrap().totp);
    let manager = a_manager().create(&store).await;
    assert_eq!(manager.role, Role::Manager);
    assert!(manager.second_factor);
    // The app's next code is taken once, as a login would give it.
    let later = store.now().unix_timestamp() + 30;
    let code = tutti_auth::totp::code_at(TOTP_SECRET, later);
    store.clock().advance(time::Duration::seconds(30));
    assert!(store.check_totp(manager.id, &code).await.unwrap());
    assert!(!store.check_totp(manager.id, &code).await.unwrap(), "never twice");
    let bare = an_admin().without_second_factor().create(&store).await;
    assert!(bare.must_enrol_second_factor());
    // Every login has the builders' password.
    for user in [&admin, &manager, &bare] {
        assert!(matches!(
            store.authenticate(&user.email, PASSWORD).await.unwrap(),
            LoginOutcome::Ok(_)
        ));
    }
    // A school's contact, for that school; a pupil, for that pupil.
    let school = a_school().create(&store).await;
    let contact = a_school_contact(&school).named("Sam School").create(&store).await;
    assert_eq!((contact.role, contact.school_id), (Role::School, Some(school.id)));
    let family = a_family(&school).create(&store).await;
    let pupil = a_pupil_login(&store, family.children[0]).await;
    assert_eq!((pupil.role, pupil.pupil_id), (Role::Pupil, Some(family.children[0])));
    assert!(matches!(
        store.authenticate(&pupil.email, PASSWORD).await.unwrap(),
        LoginOutcome::Ok(_)
    ));
    // A family whose login is not confirmed, and one looked after, named as asked.
    let unconfirmed = a_family(&school)
        .carer_named("Una Carer")
        .first_child("Uma", date!(2018 - 02 - 03))
        .looked_after()
        .with_unconfirmed_login(PASSWORD)
        .create(&store)
        .await;
    let user = unconfirmed.user.unwrap();
    assert!(!user.email_verified);
    assert_eq!(user.name, "Una Carer");
    let child = store
        .pupil_in_scope(&PupilScope::All, unconfirmed.children[0])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(child.first_name, "Uma");
    assert_eq!(child.pupil_ref, unconfirmed.pupil_refs[0]);
    assert!(child.looked_after && !child.fsm);
}

async fn enrolments_groups_and_applications_are_made_through_the_store(backend: TestBackend) {
    let Some((store, _db)) = empty_hub(backend).await else {
        return;
    };
    let school = a_school().create(&store).await;
    let teacher = a_teacher().create(&store).await;
    let family = a_family(&school)
        .with_child("Second", date!(2016 - 01 - 01))
        .create(&store)
        .await;
    let (first, second) = (family.children[0], family.children[1]);
    // An enrolment awaits a teacher unless given one; it starts today unless told.
    let awaiting = an_enrolment(first).create(&store).await;
    let e = store.enrolment(&PupilScope::All, awaiting).await.unwrap();
    assert_eq!(
        (e.status.as_str(), e.instrument.as_str(), e.start_date),
        ("awaiting", "Violin", store.today())
    );
    let placed = an_enrolment(second)
        .learning("Cello", LessonType::Individual, 20)
        .starting(date!(2026 - 09 - 07))
        .taught_by(teacher.staff.id, 2, 600)
        .paid_by_school()
        .create(&store)
        .await;
    let e = store.enrolment(&PupilScope::All, placed).await.unwrap();
    assert_eq!(e.status, "active");
    assert_eq!(
        (e.teacher_id, e.weekday, e.minutes),
        (Some(teacher.staff.id), Some(2), 20)
    );
    assert_eq!(e.start_date, date!(2026 - 09 - 07));
    // A group enrols the pupils it is given and places them.
    let other = a_family(&school).create(&store).await;
    let group = a_group(teacher.staff.id, school.id)
        .on(3, 630)
        .teaching("Flute", LessonType::Group, 45)
        .with_pupils(&other.children)
        .with_enrolments(&[awaiting])
        .create(&store)
        .await;
    let groups = store.group_summaries(Some(school.id), None).await.unwrap();
    let made = groups.iter().find(|g| g.id == group).expect("the group is listed");
    assert_eq!(made.pupils, 2);
    let e = store.enrolment(&PupilScope::All, awaiting).await.unwrap();
    assert_eq!((e.status.as_str(), e.weekday), ("active", Some(3)));
    // An application waits on its list.
    let id = an_application(other.children[0])
        .for_lessons("Cello", LessonType::Individual, 30)
        .create(&store)
        .await;
    let a = store.application(&PupilScope::All, id, store.today()).await.unwrap();
    assert_eq!((a.status.as_str(), a.instrument.as_str()), ("waiting", "Cello"));
    let by_school = an_application(second).from_school().create(&store).await;
    let a = store
        .application(&PupilScope::All, by_school, store.today())
        .await
        .unwrap();
    assert!(a.source == "school" && a.school_paid);
}

async fn schools_instruments_and_pages_are_made_as_told(backend: TestBackend) {
    let Some((store, _db)) = empty_hub(backend).await else {
        return;
    };
    let school = a_school()
        .in_local_authority("Durham")
        .with_uplift(50)
        .billed_by(BillingMethod::Invoice)
        .rotating()
        .create(&store)
        .await;
    let read = store.school(school.id).await.unwrap().unwrap();
    assert_eq!(
        (
            read.local_authority.as_str(),
            read.parent_charge_uplift,
            read.billing.as_str()
        ),
        ("Durham", 50, "invoice")
    );
    let plain = a_school().create(&store).await;
    assert_eq!(plain.billing, "internal-journal", "a maintained school's own billing");
    // Rotation shows in the order of a visit's lessons: week 2 starts with the second.
    let teacher = a_teacher().named("Rota", "Teacher").create(&store).await;
    assert_eq!(teacher.staff.first_name, "Rota");
    let family = a_family(&school)
        .with_child("B", date!(2017 - 01 - 01))
        .create(&store)
        .await;
    for (i, pupil) in family.children.iter().enumerate() {
        a_group(teacher.staff.id, school.id)
            .on(1, 540 + 30 * i as u16)
            .with_pupils(&[*pupil])
            .create(&store)
            .await;
    }
    let term = tutti_domain::calendar::TermId::parse("2026-autumn").unwrap();
    store.generate_dated_lessons(&Actor::cli(), term).await.unwrap();
    let week = |day| {
        let store = store.clone();
        let teacher = teacher.staff.id;
        async move { store.teacher_day(teacher, day).await.unwrap()[0].pupils[0].id }
    };
    // The pupils start today, Wednesday 16 September: the next two Mondays.
    let first_monday = week(date!(2026 - 09 - 21)).await;
    let second_monday = week(date!(2026 - 09 - 28)).await;
    assert_ne!(first_monday, second_monday, "the school rotates");

    let instrument = an_instrument().of_type("cello").create(&store).await;
    assert_eq!(instrument.instrument_type, "cello");
    assert_eq!(store.list_instruments(&Default::default()).await.unwrap().total, 1);

    let about = a_page(Kind::Page, "About us").create(&store).await;
    let page = a_page(Kind::Page, "Our trustees")
        .under(about.id)
        .saying("Five trustees.")
        .create(&store)
        .await;
    assert_eq!(page.status, "published");
    let found = store.content_item(page.id).await.unwrap().unwrap();
    assert_eq!(
        (found.parent_id, found.body.as_str()),
        (Some(about.id), "Five trustees.")
    );
    let hidden = a_page(Kind::News, "Secret plans")
        .draft()
        .with(|d| d.summary = "Not yet".into())
        .create(&store)
        .await;
    assert_eq!(hidden.status, "draft");
    assert_eq!(hidden.summary, "Not yet");
}
