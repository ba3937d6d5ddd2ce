//! The office's 360° records, restore, bulk actions on the pupils list and the school's
//! timetable with pupils' names: each built from world builders on an empty hub.
use reqwest::StatusCode;
use time::macros::date;
use tutti_domain::calendar::{AcademicYear, default_term_dates};
use tutti_domain::guarantee::RegisterMark;
use tutti_domain::lessons::LessonType;
use tutti_store::platform::audit::Actor;
use tutti_store::records::archive::Archivable;
use tutti_store::teaching::lessons::{NoteReader, TimetableOf};
use tutti_store::teaching::registers::MarkScope;
use tutti_store::testing::world::{
    PASSWORD, a_family, a_group, a_loan, a_school, a_school_contact, a_teacher, an_admin, an_application, an_enrolment,
    an_instrument,
};

use crate::on_both_backends;
use crate::support::{Backend, TestApp, csrf_token, location};

on_both_backends!(
    pupil_and_family_records_show_every_section,
    school_and_teacher_records_show_their_sections,
    archived_records_are_found_and_restored_by_the_office_only,
    bulk_message_reaches_every_family_or_none,
    bulk_move_moves_every_pupil_or_none,
    bulk_offer_offers_every_place_or_none,
    school_timetable_names_its_own_pupils_only
);

/// A Wednesday early in the autumn term of 2026.
const DAY: time::Date = date!(2026 - 09 - 23);

/// A Monday of that term, before DAY, when lessons were given.
const MONDAY: time::Date = date!(2026 - 09 - 14);

async fn dated_lessons(app: &TestApp) {
    let [autumn, _, _] = default_term_dates(AcademicYear::containing(DAY));
    app.store
        .generate_dated_lessons(&Actor::cli(), autumn.term)
        .await
        .unwrap();
}

async fn pupil_and_family_records_show_every_section(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let school = a_school().create(store).await;
    let teacher = a_teacher().named("Clara", "Schumann").create(store).await;
    let family = a_family(&school)
        .on_free_school_meals()
        .first_child("Ada", date!(2017 - 05 - 20))
        .with_child("Sam", date!(2019 - 02 - 01))
        .with_login(PASSWORD)
        .create(store)
        .await;
    let (ada, sam) = (family.children[0], family.children[1]);
    a_group(teacher.staff.id, school.id)
        .on(1, 540)
        .with_pupils(&[ada])
        .enrolled_from(date!(2026 - 09 - 07))
        .create(store)
        .await;
    dated_lessons(&app).await;
    let lesson = store
        .timetable(TimetableOf::Pupil(ada), MONDAY, MONDAY, NoteReader::Staff)
        .await
        .unwrap()[0]
        .id;
    store
        .mark_pupil(&Actor::cli(), MarkScope::Office, lesson, ada, RegisterMark::Ill)
        .await
        .unwrap();
    let [autumn, _, _] = default_term_dates(AcademicYear::containing(DAY));
    store
        .run_billing(&Actor::cli(), autumn.term, false, &|_| {})
        .await
        .unwrap();
    let instrument = an_instrument().of_type("Violin").create(store).await;
    a_loan(instrument.id, ada)
        .from(date!(2026 - 09 - 08))
        .create(store)
        .await;
    an_application(sam).create(store).await;

    let admin = app.logged_in(&an_admin().create(store).await.email).await;
    let (status, html) = admin.get_text(&format!("/admin/pupils/{ada}")).await;
    assert_eq!(status, StatusCode::OK);
    for words in [
        "Brothers and sisters",
        "Sam ",
        "Enrolments and lessons",
        "Clara Schumann",
        "Monday 09:00",
        "Next lesson",
        "Attendance",
        "This term (",
        "Absent: ill: 1",
        "Progress reports",
        "No reports written yet.",
        "Invoices",
        "Balance owed: ",
        "/admin/billing/invoices/",
        "Instrument loans",
        &instrument.serial,
        "Applications and offers",
        "No applications.",
        "Audit trail",
    ] {
        assert!(html.contains(words), "{words} on the pupil's record:\n{html}");
    }
    // The sibling's record has the application, and its own empty states.
    let (_, html) = admin.get_text(&format!("/admin/pupils/{sam}")).await;
    assert!(html.contains("Violin individual"), "{html}");
    assert!(html.contains("Not enrolled for lessons.") && html.contains("No register marks yet."));

    // The family's record, reached from the guardian's name.
    let guardian = store.guardians_of(ada).await.unwrap()[0].id;
    assert!(html.contains(&format!("/admin/guardians/{guardian}")));
    let (status, html) = admin.get_text(&format!("/admin/guardians/{guardian}")).await;
    assert_eq!(status, StatusCode::OK);
    for words in [
        "Children",
        "Ada ",
        "Sam ",
        &family.email,
        "Invoices",
        "Balance owed: ",
        "Clara Schumann",
    ] {
        assert!(html.contains(words), "{words} on the family's record:\n{html}");
    }
    assert_eq!(
        admin
            .get(&format!("/admin/guardians/{}", guardian + 1000))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // The parent may not see the office's record of their own family.
    let parent = app.browser();
    parent.login(&family.email, PASSWORD).await;
    let r = parent.get(&format!("/admin/guardians/{guardian}")).await;
    assert!(
        matches!(r.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}",
        r.status()
    );
}

async fn school_and_teacher_records_show_their_sections(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let school = a_school().create(store).await;
    let teacher = a_teacher().named("Nadia", "Boulanger").create(store).await;
    let family = a_family(&school)
        .first_child("Ada", date!(2017 - 05 - 20))
        .create(store)
        .await;
    a_group(teacher.staff.id, school.id)
        .on(2, 600)
        .with_pupils(&family.children)
        .create(store)
        .await;
    let admin = app.logged_in(&an_admin().create(store).await.email).await;
    let (_, html) = admin.get_text(&format!("/admin/schools/{}", school.id)).await;
    for words in [
        "Pupils taught here",
        "Violin",
        "Groups and timetable",
        "Tuesday",
        "10:00–10:30",
        "Nadia Boulanger",
        "No invoices to the school.",
    ] {
        assert!(html.contains(words), "{words} on the school's record:\n{html}");
    }
    assert!(html.contains(&format!("/admin/schools/{}/timetable", school.id)));
    let (_, html) = admin.get_text(&format!("/admin/staff/{}", teacher.staff.id)).await;
    for words in [
        "Groups by day",
        "Tuesday",
        "0 hours 30 minutes of lessons a week.",
        "Ada ",
    ] {
        assert!(html.contains(words), "{words} on the teacher's record:\n{html}");
    }
}

async fn archived_records_are_found_and_restored_by_the_office_only(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let school = a_school().named("Archived Primary School").create(store).await;
    let teacher = a_teacher()
        .named("Hidden", "Teacher")
        .with_login(PASSWORD)
        .create(store)
        .await;
    let family = a_family(&school).surname("Shelved").create(store).await;
    let pupil = family.children[0];
    let instrument = an_instrument().create(store).await;
    let office = an_admin().create(store).await;
    let admin = app.logged_in(&office.email).await;
    let who = Actor::cli();
    store.archive_school(&who, school.id).await.unwrap();
    store.archive_staff(&who, teacher.staff.id).await.unwrap();
    store.archive_pupil(&who, pupil).await.unwrap();
    store.archive_instrument(&who, instrument.id).await.unwrap();

    // Lists leave them out unless asked; then they are marked.
    let (_, html) = admin.get_text("/admin/schools?q=Archived").await;
    assert!(!html.contains("Archived Primary School"), "{html}");
    let (_, html) = admin.get_text("/admin/schools?q=Archived&archived=1").await;
    assert!(html.contains("Archived Primary School (archived)"), "{html}");
    let (_, html) = admin.get_text("/admin/staff?q=Hidden&archived=1").await;
    assert!(html.contains("Hidden Teacher (archived)"), "{html}");
    let (_, html) = admin
        .get_text(&format!("/admin/instruments?q={}&archived=1", instrument.serial))
        .await;
    assert!(html.contains(&format!("{} (archived)", instrument.serial)), "{html}");
    let (_, html) = admin
        .get_text(&format!("/admin/pupils?q={}&archived=1", family.pupil_refs[0]))
        .await;
    assert!(html.contains(&format!("/admin/pupils/{pupil}")), "{html}");
    assert!(html.contains(" (archived)</a>"), "the pupil is marked archived: {html}");
    // Searched by name, the list reads its rows another way, and marks them too.
    let (_, html) = admin.get_text("/admin/pupils?q=shelv&archived=1&sort=name").await;
    assert!(html.contains(" (archived)</a>"), "{html}");

    // Each record is restored from its page.
    for (page, expect) in [
        (format!("/admin/schools/{}", school.id), "Restored: the record is back"),
        (format!("/admin/pupils/{pupil}"), "Restored: the record is back"),
        (
            format!("/admin/instruments/{}", instrument.id),
            "Restored: the record is back",
        ),
        (
            format!("/admin/staff/{}", teacher.staff.id),
            "Its login stays disabled until you invite the person again.",
        ),
    ] {
        let (_, html) = admin.get_text(&page).await;
        assert!(
            html.contains("This record is archived") && html.contains("Restore"),
            "{page}: {html}"
        );
        let r = admin.submit(&page, &format!("{page}/restore"), &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{page}");
        assert_eq!(location(&r), page);
        let (_, html) = admin.get_text(&page).await;
        assert!(html.contains(expect), "{page}: {html}");
        assert!(!html.contains("This record is archived"), "{page}");
    }
    let (_, html) = admin.get_text("/admin/schools?q=Archived").await;
    assert!(html.contains("Archived Primary School") && !html.contains("(archived)"));
    // The teacher's login stays disabled until re-invited.
    let user = store.user_by_email(&teacher.staff.email).await.unwrap().unwrap();
    assert!(user.disabled, "a restored record's login stays disabled");
    let (_, html) = admin.get_text("/admin/audit?entity=staff").await;
    assert!(html.contains("restore"), "{html}");

    // The API: the office restores; nobody else may.
    store.archive_pupil(&who, pupil).await.unwrap();
    let client = reqwest::Client::new();
    let url = format!("{}/api/v1/pupils/{pupil}/restore", app.base);
    let parent_token = {
        let f = a_family(&school).with_login(PASSWORD).create(store).await;
        app.token(&f.email).await
    };
    let r = client.post(&url).bearer_auth(&parent_token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = client
        .post(&url)
        .bearer_auth(app.token(&office.email).await)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    // Restoring what is not archived changes nothing.
    let again = store.restore_record(&who, Archivable::Pupil, pupil).await.unwrap();
    assert!(!again.restored);
    let (_, html) = admin.get_text(&format!("/admin/pupils/{pupil}")).await;
    assert!(!html.contains("This record is archived"));
    let r = client
        .post(format!("{}/api/v1/schools/{}/restore", app.base, school.id + 1000))
        .bearer_auth(app.token(&office.email).await)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // A teacher's session may not restore a page's record either.
    let t2 = a_teacher().with_login(PASSWORD).create(store).await;
    let teacher_browser = app.browser();
    teacher_browser.login(&t2.staff.email, PASSWORD).await;
    let r = teacher_browser
        .post_raw(&format!("/admin/pupils/{pupil}/restore"), &[])
        .await;
    assert!(
        matches!(r.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}",
        r.status()
    );
}

/// Ticks `pupils` on the list and chooses `action`: the confirmation page.
async fn choose(admin: &crate::support::Browser, pupils: &[i64], action: &str) -> (StatusCode, String) {
    let (_, list) = admin.get_text("/admin/pupils").await;
    let token = csrf_token(&list).unwrap();
    let ids: Vec<String> = pupils.iter().map(|p| p.to_string()).collect();
    let mut fields = vec![("csrf_token", token.as_str()), ("action", action)];
    fields.extend(ids.iter().map(|i| ("pupil", i.as_str())));
    let r = admin.post_raw("/admin/pupils/bulk", &fields).await;
    (r.status(), r.text().await.unwrap())
}

async fn confirm(
    admin: &crate::support::Browser,
    page: &str,
    pupils: &[i64],
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let token = csrf_token(page).unwrap();
    let ids: Vec<String> = pupils.iter().map(|p| p.to_string()).collect();
    let mut fields = vec![("csrf_token", token.as_str())];
    fields.extend(ids.iter().map(|i| ("pupil", i.as_str())));
    fields.extend_from_slice(extra);
    admin.post_raw("/admin/pupils/bulk/confirm", &fields).await
}

async fn bulk_message_reaches_every_family_or_none(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let school = a_school().create(store).await;
    let one = a_family(&school)
        .first_child("Ada", date!(2017 - 05 - 20))
        .with_child("Sam", date!(2019 - 01 - 01))
        .create(store)
        .await;
    let two = a_family(&school)
        .first_child("Bea", date!(2017 - 05 - 20))
        .create(store)
        .await;
    let lone = a_family(&school)
        .first_child("Lone", date!(2017 - 05 - 20))
        .create(store)
        .await;
    let g = store.guardians_of(lone.children[0]).await.unwrap()[0].id;
    store.remove_guardian(&Actor::cli(), lone.children[0], g).await.unwrap();
    let admin = app.logged_in(&an_admin().create(store).await.email).await;
    let (_, list) = admin.get_text("/admin/pupils").await;
    assert!(list.contains("name=\"pupil\"") && list.contains("Select all on this page"));
    let (_, all) = admin.get_text("/admin/pupils?all=1").await;
    assert!(
        all.contains(" checked>"),
        "select all ticks every box without JavaScript"
    );
    let before = store.outbox_page(None, 1, 100).await.unwrap().1;

    // One pupil without a family email blocks the whole send, named.
    let pupils = [one.children[0], lone.children[0], two.children[0]];
    let (status, page) = choose(&admin, &pupils, "message").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Ada ")
            && page.contains("Lone ")
            && page.contains("Bea ")
            && page.contains("<strong>None</strong>")
    );
    let fields = [
        ("action", "message"),
        ("subject", "Concert on Friday"),
        ("body", "Bring instruments."),
    ];
    let r = confirm(&admin, &page, &pupils, &fields).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Nothing was changed") && html.contains("Lone "), "{html}");
    assert!(html.contains("has no guardian with an email address"), "{html}");
    assert_eq!(store.outbox_page(None, 1, 100).await.unwrap().1, before, "nothing sent");

    // Without them: one email per family (two children of one family, one email).
    let pupils = [one.children[0], one.children[1], two.children[0]];
    let (_, page) = choose(&admin, &pupils, "message").await;
    let r = confirm(
        &admin,
        &page,
        &pupils,
        &[("action", "message"), ("subject", ""), ("body", "x")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a subject is needed");
    let r = confirm(&admin, &page, &pupils, &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = admin.get_text(&location(&r)).await;
    assert!(html.contains("2 emails are in the outbox"), "{html}");
    assert_eq!(store.outbox_page(None, 1, 100).await.unwrap().1, before + 2);
    let (mail, _) = store.outbox_page(Some(&one.email), 1, 10).await.unwrap();
    assert!(mail[0].subject == "Concert on Friday" && mail[0].body.contains("Ada ") && mail[0].body.contains("Sam "));
    // Nothing ticked: back to the list, saying so.
    let (_, list) = admin.get_text("/admin/pupils").await;
    let token = csrf_token(&list).unwrap();
    let r = admin
        .post_raw("/admin/pupils/bulk", &[("csrf_token", &token), ("action", "message")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = admin.get_text(&location(&r)).await;
    assert!(html.contains("Choose at least one pupil."));
}

async fn bulk_offer_offers_every_place_or_none(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let school = a_school().create(store).await;
    let mut kids = Vec::new();
    for name in ["Ada", "Bea", "Cy", "Dan", "Eve"] {
        let family = a_family(&school)
            .surname(&format!("{name}son"))
            .first_child(name, date!(2017 - 05 - 20))
            .create(store)
            .await;
        kids.push(family.children[0]);
    }
    let [ada, bea, cy, dan, eve] = kids[..] else {
        unreachable!()
    };
    // Ada, Bea and Cy wait for violin in that order; Dan waits for nothing; Eve for two.
    let mut applications = Vec::new();
    for pupil in [ada, bea, cy] {
        applications.push(an_application(pupil).create(store).await);
    }
    an_application(eve)
        .for_lessons("Cello", LessonType::Individual, 30)
        .create(store)
        .await;
    an_application(eve)
        .for_lessons("Flute", LessonType::Individual, 30)
        .create(store)
        .await;
    let admin = app.logged_in(&an_admin().create(store).await.email).await;
    let (_, list) = admin.get_text("/admin/pupils").await;
    assert!(list.contains("Offer each the place they are waiting for"));
    let outbox = store.outbox_page(None, 1, 100).await.unwrap().1;
    let statuses = || async {
        let mut out = Vec::new();
        for id in &applications {
            let a = store
                .application(&tutti_store::records::pupils::PupilScope::All, *id, DAY)
                .await
                .unwrap();
            out.push(a.status.as_str().to_owned());
        }
        out
    };

    // The choice page starts with the default dates: answer in two weeks, start after.
    let (status, page) = choose(&admin, &[cy, ada, bea], "offer").await;
    assert_eq!(status, StatusCode::OK);
    let answer_by = tutti_domain::admissions::offer_answer_by_default(DAY);
    assert!(
        page.contains(&format!("name=\"expires_on\" type=\"date\" value=\"{answer_by}\"")),
        "{page}"
    );
    assert!(page.contains("Adason") && page.contains("Beason") && page.contains("Cyson"));
    let start = tutti_domain::admissions::offer_start_default(answer_by, &store.hub_calendar(DAY).await.unwrap());
    let dates = [
        ("action", "offer"),
        ("start_date", &start.to_string()[..]),
        ("expires_on", &answer_by.to_string()[..]),
    ];

    // Refusals, each naming the pupil and changing nothing.
    for (pupils, words) in [
        (vec![bea, cy], "Another child is ahead of Bea Beason"),
        (vec![ada, dan], "Dan Danson has no application on a waiting list"),
        (vec![ada, eve], "Eve Eveson is waiting for more than one instrument"),
    ] {
        let (_, page) = choose(&admin, &pupils, "offer").await;
        let r = confirm(&admin, &page, &pupils, &dates).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("Nothing was changed") && html.contains(words),
            "{words}: {html}"
        );
        assert_eq!(statuses().await, ["waiting", "waiting", "waiting"]);
        assert_eq!(store.outbox_page(None, 1, 100).await.unwrap().1, outbox, "nothing sent");
    }
    // A date that is not one is named, and nothing changes.
    let r = confirm(
        &admin,
        &page,
        &[ada],
        &[("action", "offer"), ("start_date", "soon"), ("expires_on", "")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("answer-by date"));

    // Ticked in any order, the first three on the list are each offered their place.
    let r = confirm(&admin, &page, &[cy, ada, bea], &dates).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = admin.get_text(&location(&r)).await;
    assert!(html.contains("3 places offered"), "{html}");
    assert_eq!(statuses().await, ["offered", "offered", "offered"]);
    assert_eq!(store.outbox_page(None, 1, 100).await.unwrap().1, outbox + 3);
    let offered = store
        .application(&tutti_store::records::pupils::PupilScope::All, applications[2], DAY)
        .await
        .unwrap();
    assert_eq!(
        (offered.offer_start_date, offered.offer_expires_on),
        (Some(start), Some(answer_by))
    );
}

async fn bulk_move_moves_every_pupil_or_none(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let school = a_school().create(store).await;
    let first = a_teacher().named("First", "Teacher").create(store).await;
    let second = a_teacher().named("Second", "Teacher").create(store).await;
    let kids: Vec<i64> = {
        let mut v = Vec::new();
        for _ in 0..3 {
            v.push(a_family(&school).create(store).await.children[0]);
        }
        v
    };
    let cellist = a_family(&school).create(store).await.children[0];
    an_enrolment(cellist)
        .learning("Cello", LessonType::Group, 30)
        .create(store)
        .await;
    a_group(first.staff.id, school.id)
        .on(1, 540)
        .teaching("Violin", LessonType::Group, 30)
        .with_pupils(&kids[..2])
        .create(store)
        .await;
    let target = a_group(second.staff.id, school.id)
        .on(2, 600)
        .teaching("Violin", LessonType::Group, 30)
        .with_pupils(&kids[2..])
        .create(store)
        .await;
    let admin = app.logged_in(&an_admin().create(store).await.email).await;
    let target_text = target.to_string();

    // The cellist blocks the move, named; nobody moves.
    let pupils = [kids[0], cellist];
    let (status, page) = choose(&admin, &pupils, "move").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Second Teacher"), "the groups to choose from: {page}");
    let r = confirm(&admin, &page, &pupils, &[("action", "move"), ("group", &target_text)]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("is not learning Violin now, so nobody was moved"),
        "{html}"
    );
    let (_, record) = admin.get_text(&format!("/admin/pupils/{}", kids[0])).await;
    assert!(
        record.contains("First Teacher") && !record.contains("Second Teacher"),
        "unchanged"
    );

    // Both violinists move: to the second teacher's group, day and time.
    let pupils = [kids[0], kids[1]];
    let (_, page) = choose(&admin, &pupils, "move").await;
    let r = confirm(&admin, &page, &pupils, &[("action", "move"), ("group", &target_text)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = admin.get_text(&location(&r)).await;
    assert!(html.contains("2 pupils moved to the group."), "{html}");
    for kid in pupils {
        let (_, record) = admin.get_text(&format!("/admin/pupils/{kid}")).await;
        assert!(
            record.contains("Second Teacher") && record.contains("Tuesday 10:00"),
            "{record}"
        );
    }
}

async fn school_timetable_names_its_own_pupils_only(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let school = a_school().create(store).await;
    let other = a_school().create(store).await;
    let teacher = a_teacher().create(store).await;
    let ours = a_family(&school)
        .first_child("Ada", date!(2017 - 05 - 20))
        .create(store)
        .await;
    let theirs = a_family(&other)
        .first_child("Otto", date!(2017 - 05 - 20))
        .create(store)
        .await;
    let elsewhere = a_family(&other)
        .first_child("Zed", date!(2018 - 05 - 20))
        .create(store)
        .await;
    // A group at our school with a pupil of the other school in it, and one at the other.
    a_group(teacher.staff.id, school.id)
        .on(4, 540)
        .teaching("Violin", LessonType::Group, 30)
        .with_pupils(&[ours.children[0], theirs.children[0]])
        .create(store)
        .await;
    a_group(teacher.staff.id, other.id)
        .on(5, 540)
        .with_pupils(&[elsewhere.children[0]])
        .create(store)
        .await;
    dated_lessons(&app).await;
    let contact = app
        .logged_in(&a_school_contact(&school).create(store).await.email)
        .await;
    let (status, html) = contact.get_text("/school/timetable").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Ada ") && html.contains("(Year 5)"), "{html}");
    assert!(
        !html.contains("Otto") && !html.contains("Zed"),
        "no other school's pupils: {html}"
    );
    assert!(html.contains("Thursday") && html.contains("09:00–09:30"));
    assert!(html.contains("href=\"/school/timetable?print=1\"") && html.contains("/static/print.js"));
    let (_, printable) = contact.get_text("/school/timetable?print=1").await;
    assert!(printable.contains("ready to print") && printable.contains("Ada "));
    // The other school's contact sees theirs, not ours.
    let them = app.logged_in(&a_school_contact(&other).create(store).await.email).await;
    let (_, html) = them.get_text("/school/timetable").await;
    assert!(html.contains("Zed") && !html.contains("Ada "), "{html}");
    // The office sees a school's timetable by its id; a school contact may not.
    let admin = app.logged_in(&an_admin().create(store).await.email).await;
    let (status, html) = admin.get_text(&format!("/admin/schools/{}/timetable", school.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Ada (") || html.contains("Ada "), "{html}");
    assert_eq!(
        admin
            .get(&format!("/admin/schools/{}/timetable", other.id + 1000))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let r = contact.get(&format!("/admin/schools/{}/timetable", other.id)).await;
    assert!(
        matches!(r.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}",
        r.status()
    );
}
