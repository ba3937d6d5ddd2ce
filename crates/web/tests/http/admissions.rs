//! Admissions over HTTP: a parent applies against the offer and answers offers, waiting lists
//! keep their fair order (and its setting), offers lapse, a school applies for its own pupils
//! only, the office edits the offer, and notice shows the rules' end date before it is
//! confirmed. Another family's offer or enrolment is 404.
use reqwest::StatusCode;
use time::Duration;
use time::macros::date;
use tutti_domain::admissions::notice_end_date;
use tutti_domain::calendar::{AcademicYear, SchoolCalendar, default_term_dates};
use tutti_domain::charging::ChargingPolicy;
use tutti_domain::lessons::LessonType;
use tutti_store::records::pupils::PupilScope;
use tutti_store::records::schools::School;
use tutti_store::testing::world::{
    Family, PASSWORD, a_family, a_school, a_school_contact, a_teacher, an_admin, an_enrolment,
};

use crate::on_both_backends;
use crate::support::{Backend, TestApp};

on_both_backends!(
    parent_applies_and_answers_offers_in_fair_order,
    offers_lapse_after_their_date,
    school_applies_for_its_own_pupils_only,
    office_edits_the_offer,
    parent_gives_notice_with_the_rules_end_date,
    enrolments_and_applications_api_follow_the_screens_rules
);

/// A Tuesday in the autumn term, the day these tests happen on.
const DAY: time::Date = date!(2026 - 11 - 10);

/// The hub these tests share: a school with a family of two children whose parent has a
/// login, another family there with a login of its own, a school elsewhere, and the office.
struct Hub {
    school: School,
    elsewhere: School,
    parent: Family,
    other: Family,
    admin: String,
}

async fn hub(app: &TestApp) -> Hub {
    let store = &app.store;
    let school = a_school().named("Riverside Primary School").create(store).await;
    let elsewhere = a_school().named("Hillside Primary School").create(store).await;
    let parent = a_family(&school)
        .first_child("Ava", date!(2017 - 03 - 04))
        .with_child("Ben", date!(2019 - 06 - 07))
        .with_login(PASSWORD)
        .create(store)
        .await;
    let other = a_family(&school).with_login(PASSWORD).create(store).await;
    let admin = an_admin().create(store).await.email;
    Hub {
        school,
        elsewhere,
        parent,
        other,
        admin,
    }
}

/// Another pupil at `school`, of a family without a login, looked after or not: its id and
/// reference.
async fn a_pupil(app: &TestApp, school: &School, looked_after: bool) -> (i64, String) {
    let family = a_family(school);
    let family = if looked_after { family.looked_after() } else { family };
    let family = family.create(&app.store).await;
    (family.children[0], family.pupil_refs[0].clone())
}

/// The newest application of `pupil` for `instrument`, as the office's list shows it.
async fn application_of(app: &TestApp, pupil: i64, instrument: &str) -> i64 {
    let filter = tutti_store::admissions::applications::ApplicationFilter {
        pupil_id: Some(pupil),
        instrument: instrument.into(),
        ..Default::default()
    };
    app.store
        .applications(&PupilScope::All, &filter, app.store.today())
        .await
        .unwrap()
        .rows[0]
        .id
}

const PAGE: &str = "/parent/applications";

async fn parent_applies_and_answers_offers_in_fair_order(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let hub = hub(&app).await;
    let parent = app.logged_in(&hub.parent.email).await;
    let kids = hub.parent.children.clone();
    let child = kids[0].to_string();
    let (status, html) = parent.get_text(PAGE).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Apply for lessons"));
    assert!(parent.get_text("/account").await.1.contains(PAGE));

    // Checked against the offer, with the reason by the field.
    let apply = |instrument: &'static str, lesson: &'static str, minutes: &'static str, pupil: String| {
        let parent = &parent;
        async move {
            parent
                .submit(
                    PAGE,
                    PAGE,
                    &[
                        ("pupil", &pupil),
                        ("instrument", instrument),
                        ("lesson_type", lesson),
                        ("minutes", minutes),
                    ],
                )
                .await
        }
    };
    let r = apply("Violin", "paired", "60", child.clone()).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("The hub does not offer paired Violin lessons of 60 minutes"),
        "{html}"
    );
    let r = apply("Violin", "whole-class", "60", child.clone()).await;
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Whole-class lessons are arranged by schools")
    );
    let r = apply("", "individual", "30", child.clone()).await;
    assert!(r.text().await.unwrap().contains("Choose an instrument, or voice"));

    // Another family's child is not the parent's to apply for.
    let (stranger, _) = a_pupil(&app, &hub.school, false).await;
    let r = apply("Flute", "individual", "30", stranger.to_string()).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Choose one of the children listed"));

    let r = apply("Flute", "individual", "30", child.clone()).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = parent.get_text(PAGE).await;
    assert!(html.contains("Waiting: number 1 on the list"), "{html}");
    let r = apply("flute", "group", "30", child.clone()).await;
    assert!(r.text().await.unwrap().contains("already has an application for flute"));

    // The office adds a looked-after child, who goes ahead under the default priority.
    let (looked_after, looked_ref) = a_pupil(&app, &hub.school, true).await;
    let admin = app.logged_in(&hub.admin).await;
    let r = admin
        .submit(
            "/admin/waiting-lists",
            "/admin/applications",
            &[
                ("pupil", &looked_ref),
                ("instrument", "Flute"),
                ("lesson_type", "group"),
                ("minutes", "30"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = parent.get_text(PAGE).await;
    assert!(html.contains("Waiting: number 2 on the list"), "{html}");
    let list = format!("/admin/waiting-lists?school={}&instrument=flute", hub.school.id);
    let (status, html) = admin.get_text(&list).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Looked after"));
    let first = html.find(&looked_ref).unwrap();
    let kid_app = application_of(&app, kids[0], "Flute").await;
    let looked_app = application_of(&app, looked_after, "Flute").await;
    assert!(first < html.find(&format!("application-{kid_app}")).unwrap());

    // Only the first child can be offered a place.
    let start = (app.store.today() + Duration::days(21)).to_string();
    let until = (app.store.today() + Duration::days(14)).to_string();
    let offer = |id: i64| format!("/admin/applications/{id}/offer");
    let r = admin
        .submit(
            "/admin/waiting-lists",
            &offer(kid_app),
            &[("start_date", &start), ("expires_on", &until)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("offer the place to the first child"));

    // Date order only: the parent's child applied first.
    let r = admin
        .submit(
            "/admin/waiting-lists",
            "/admin/waiting-lists/priority",
            &[("priority", "date-only")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(parent.get_text(PAGE).await.1.contains("Waiting: number 1 on the list"));
    let r = admin
        .submit(
            "/admin/waiting-lists",
            &offer(kid_app),
            &[("start_date", &start), ("expires_on", &until)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (mail, _) = app.store.outbox_page(Some(&hub.parent.email), 1, 10).await.unwrap();
    let mail = mail
        .iter()
        .find(|m| m.subject.starts_with("A place for"))
        .expect("offer email");
    assert!(mail.body.contains(&format!(
        "accept or decline by {}",
        tutti_domain::validate::format_day_long(app.store.today() + Duration::days(14))
    )));
    assert!(mail.body.contains("/parent/applications"));
    // The looked-after child is now first among those waiting.
    let list = format!("/admin/waiting-lists?school={}&instrument=Flute", hub.school.id);
    let (_, html) = admin.get_text(&list).await;
    assert!(html.contains(&format!("action=\"/admin/applications/{looked_app}/offer\"")));

    // Another family cannot answer this family's offer.
    let other = app.logged_in(&hub.other.email).await;
    let accept = format!("/parent/applications/{kid_app}/accept");
    let r = other.submit(PAGE, &accept, &[]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = other
        .submit(PAGE, &format!("/parent/applications/{kid_app}/decline"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(!other.get_text(PAGE).await.1.contains(&format!("application-{kid_app}")));

    // The parent accepts: an enrolment from the offer's start, awaiting allocation.
    let (_, html) = parent.get_text(PAGE).await;
    assert!(html.contains("Accept the place"));
    let r = parent.submit(PAGE, &accept, &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let answered = app
        .store
        .application(&PupilScope::All, kid_app, app.store.today())
        .await
        .unwrap();
    assert_eq!(answered.status, "accepted");
    let enrolment = app
        .store
        .enrolment(&PupilScope::All, answered.enrolment_id.unwrap())
        .await
        .unwrap();
    assert_eq!(enrolment.status, "awaiting");
    assert_eq!(enrolment.teacher_id, None);
    assert_eq!(enrolment.weekday, None);
    assert_eq!(enrolment.start_date.to_string(), start);
    assert_eq!(enrolment.instrument, "Flute");
    assert!(parent.get_text(PAGE).await.1.contains("Accepted: lessons from"));
    // Answered once.
    let r = parent.submit(PAGE, &accept, &[]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let (_, html) = parent.get_text("/parent/enrolments").await;
    assert!(html.contains("Awaiting a day and time"), "{html}");
}

async fn offers_lapse_after_their_date(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let hub = hub(&app).await;
    let parent = app.logged_in(&hub.parent.email).await;
    let kids = hub.parent.children.clone();
    let r = parent
        .submit(
            PAGE,
            PAGE,
            &[
                ("pupil", &kids[1].to_string()),
                ("instrument", "Cello"),
                ("lesson_type", "group"),
                ("minutes", "45"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let id = application_of(&app, kids[1], "Cello").await;
    let admin = app.logged_in(&hub.admin).await;
    let day = app.store.today().to_string();
    let r = admin
        .submit(
            "/admin/waiting-lists",
            &format!("/admin/applications/{id}/offer"),
            &[("start_date", &day), ("expires_on", &day)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(admin.get_text("/admin/waiting-lists").await.1.contains("answer by"));
    // A day later, unanswered (and logged in again: sessions end after two idle hours).
    app.store.clock().advance(Duration::days(1));
    let parent = app.logged_in(&hub.parent.email).await;
    let admin = app.logged_in(&hub.admin).await;
    let day = app.store.today().to_string();
    let (_, html) = parent.get_text(PAGE).await;
    assert!(html.contains("Offer lapsed on"), "{html}");
    assert!(!html.contains("Accept the place"));
    let r = parent
        .submit(PAGE, &format!("/parent/applications/{id}/accept"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("This offer lapsed"));
    assert!(!admin.get_text("/admin/waiting-lists").await.1.contains("answer by"));
    // The next child can be offered; the lapse is recorded then.
    let (next, next_ref) = a_pupil(&app, &hub.school, false).await;
    let r = admin
        .submit(
            "/admin/waiting-lists",
            "/admin/applications",
            &[
                ("pupil", &next_ref),
                ("instrument", "Cello"),
                ("lesson_type", "group"),
                ("minutes", "45"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let next_app = application_of(&app, next, "Cello").await;
    let r = admin
        .submit(
            "/admin/waiting-lists",
            &format!("/admin/applications/{next_app}/offer"),
            &[("start_date", &day), ("expires_on", &day)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // The family may apply again, and goes to the back of the list.
    let r = parent
        .submit(
            PAGE,
            PAGE,
            &[
                ("pupil", &kids[1].to_string()),
                ("instrument", "Cello"),
                ("lesson_type", "group"),
                ("minutes", "45"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let lapsed = app
        .store
        .application(&PupilScope::All, id, app.store.today())
        .await
        .unwrap();
    assert_eq!(lapsed.status, "lapsed");
    // Not only worked out from the date: recorded. Seen as of the day the offer was made,
    // when it was still open, it is lapsed all the same.
    let stored = app.store.application(&PupilScope::All, id, DAY).await.unwrap();
    assert_eq!(stored.status, "lapsed");
}

async fn school_applies_for_its_own_pupils_only(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let hub = hub(&app).await;
    let contact = a_school_contact(&hub.school).create(&app.store).await.email;
    let school = app.logged_in(&contact).await;
    let page = "/school/applications";
    assert!(school.get_text("/account").await.1.contains(page));
    let (_, own_ref) = a_pupil(&app, &hub.school, false).await;
    let (_, elsewhere_ref) = a_pupil(&app, &hub.elsewhere, false).await;
    let form = |pupil: &str| {
        vec![
            ("pupil", pupil.to_owned()),
            ("instrument", "Trumpet".to_owned()),
            ("lesson_type", "whole-class".to_owned()),
            ("minutes", "60".to_owned()),
        ]
    };
    let send = |fields: Vec<(&'static str, String)>| {
        let school = &school;
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            school.submit(page, page, &fields).await
        }
    };
    let r = send(form(&elsewhere_ref)).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("pupils has that reference"));
    let r = send(form(&own_ref)).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = school.get_text(page).await;
    assert!(html.contains(&own_ref));
    assert!(
        html.contains("<td data-label=\"Paid by\">School</td>"),
        "school-paid: {html}"
    );
    // A parent may not use the school's screen.
    let parent = app.logged_in(&hub.parent.email).await;
    assert_eq!(parent.get(page).await.status(), StatusCode::FORBIDDEN);
}

async fn office_edits_the_offer(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let hub = hub(&app).await;
    let admin = app.logged_in(&hub.admin).await;
    let page = "/admin/tuition-offer";
    let (status, html) = admin.get_text(page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Voice"), "the default offer includes voice");
    let add = [("instrument", "Harp"), ("lesson_type", "individual"), ("minutes", "30")];
    let r = admin.submit(page, page, &add).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = admin.submit(page, page, &add).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("already offers individual Harp lessons of 30 minutes")
    );
    let r = admin
        .submit(
            page,
            page,
            &[("instrument", "Harp"), ("lesson_type", "group"), ("minutes", "25")],
        )
        .await;
    assert!(r.text().await.unwrap().contains("Choose a lesson length"));

    let parent = app.logged_in(&hub.parent.email).await;
    assert_eq!(parent.get(page).await.status(), StatusCode::FORBIDDEN);
    let kids = hub.parent.children.clone();
    let child = kids[0].to_string();
    let harp = [
        ("pupil", child.as_str()),
        ("instrument", "Harp"),
        ("lesson_type", "individual"),
        ("minutes", "30"),
    ];
    assert!(parent.get_text(PAGE).await.1.contains("<option value=\"Harp\""));
    let harp_id = app
        .store
        .tuition_offer()
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.instrument == "Harp")
        .unwrap()
        .id;
    let r = admin
        .submit(page, &format!("/admin/tuition-offer/{harp_id}/withdraw"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = parent.submit(PAGE, PAGE, &harp).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("does not offer individual Harp"));
}

async fn parent_gives_notice_with_the_rules_end_date(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    // The parent's first child learns the violin with a teacher since the start of term.
    let hub = hub(&app).await;
    let teacher = a_teacher().with_login(PASSWORD).create(&app.store).await;
    let child = hub.parent.children[0];
    let enrolment = an_enrolment(child)
        .starting(date!(2026 - 09 - 07))
        .taught_by(teacher.staff.id, 1, 540)
        .create(&app.store)
        .await;
    let page = format!("/parent/enrolments/{enrolment}/notice");
    let page = page.as_str();
    let parent = app.logged_in(&hub.parent.email).await;
    let (status, html) = parent.get_text("/parent/enrolments").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(page), "{html}");

    // What the rules say, worked out here from the domain with the default term dates.
    let year = AcademicYear::containing(app.store.today());
    let mut calendar = SchoolCalendar::new(Vec::new());
    for y in [year.previous(), year, year.next()] {
        calendar.add_terms(default_term_dates(y));
    }
    let (outcome, end) = notice_end_date(app.store.today(), &ChargingPolicy::default(), &calendar).unwrap();
    let (status, html) = parent.get_text(page).await;
    assert_eq!(status, StatusCode::OK);
    let end_text = tutti_domain::validate::format_day_long(end);
    assert!(html.contains(&format!("lessons end on {end_text}")), "{html}");
    assert!(html.contains(&outcome.explanation.replace('\'', "&#x27;")));
    // Seeing the page changed nothing.
    let e = app.store.enrolment(&PupilScope::All, enrolment).await.unwrap();
    assert_eq!(e.end_date, None);

    // Another family sees nothing of it.
    let other = app.logged_in(&hub.other.email).await;
    assert_eq!(other.get(page).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        other.submit("/parent/enrolments", page, &[]).await.status(),
        StatusCode::NOT_FOUND
    );

    let r = parent.submit(page, page, &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let e = app.store.enrolment(&PupilScope::All, enrolment).await.unwrap();
    assert_eq!(e.end_date, Some(end));
    assert_eq!(e.status, "leaving");
    let (_, html) = parent.get_text("/parent/enrolments").await;
    assert!(html.contains(&format!("Ending on {}", tutti_domain::validate::format_date_uk(end))));
    assert!(!html.contains(page));
    assert_eq!(parent.get(page).await.status(), StatusCode::BAD_REQUEST);
    // The teacher still teaches the pupil until then, and writes the last report.
    let teacher = app.logged_in(&teacher.staff.email).await;
    let progress = format!("/progress/pupils/{child}");
    assert_eq!(teacher.get(&progress).await.status(), StatusCode::OK);
}

async fn enrolments_and_applications_api_follow_the_screens_rules(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    // The parent's first child learns the cello with a teacher at their school; a dozen
    // children elsewhere learn the violin with another.
    let hub = hub(&app).await;
    let store = &app.store;
    let kids = hub.parent.children.clone();
    let teacher = a_teacher().with_login(PASSWORD).create(store).await;
    let colleague = a_teacher().create(store).await;
    let own = an_enrolment(kids[0])
        .learning("Cello", LessonType::Individual, 30)
        .taught_by(teacher.staff.id, 1, 540)
        .create(store)
        .await;
    let mut elsewhere_enrolments = Vec::new();
    for i in 0..12u16 {
        let (pupil, _) = a_pupil(&app, &hub.elsewhere, false).await;
        elsewhere_enrolments.push(
            an_enrolment(pupil)
                .taught_by(colleague.staff.id, 2, 540 + 30 * i)
                .create(store)
                .await,
        );
    }
    let contact = a_school_contact(&hub.school).create(store).await.email;
    let client = reqwest::Client::new();
    let get = |token: String, path: String| {
        let client = client.clone();
        let url = format!("{}{path}", app.base);
        async move {
            let r = client.get(url).bearer_auth(token).send().await.unwrap();
            let status = r.status();
            (status, r.json::<serde_json::Value>().await.unwrap_or_default())
        }
    };
    let (parent, other, school, teacher_token, admin) = (
        app.token(&hub.parent.email).await,
        app.token(&hub.other.email).await,
        app.token(&contact).await,
        app.token(&teacher.staff.email).await,
        app.token(&hub.admin).await,
    );

    // A parent lists only their own children's enrolments.
    let (status, body) = get(parent.clone(), "/api/v1/enrolments".into()).await;
    assert_eq!(status, StatusCode::OK);
    let rows = body["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|e| kids.contains(&e["pupil"]["id"].as_i64().unwrap())));
    let path = format!("/api/v1/enrolments/{own}");
    assert_eq!(get(parent.clone(), path.clone()).await.0, StatusCode::OK);
    assert_eq!(get(other.clone(), path).await.0, StatusCode::NOT_FOUND);
    let path = format!("/api/v1/enrolments?pupil={}", kids[0]);
    assert_eq!(get(other.clone(), path.clone()).await.0, StatusCode::NOT_FOUND);
    assert_eq!(get(parent.clone(), path).await.0, StatusCode::OK);
    // A school its own pupils; a teacher what they teach.
    let (_, body) = get(school.clone(), "/api/v1/enrolments?per_page=200".into()).await;
    let rows = body["rows"].as_array().unwrap();
    assert!(!rows.is_empty() && rows.iter().all(|e| e["school"]["id"] == hub.school.id));
    let path = format!("/api/v1/enrolments/{}", elsewhere_enrolments[0]);
    assert_eq!(get(school.clone(), path.clone()).await.0, StatusCode::NOT_FOUND);
    assert_eq!(get(admin.clone(), path).await.0, StatusCode::OK);
    let (_, body) = get(teacher_token, "/api/v1/enrolments?per_page=200".into()).await;
    let rows = body["rows"].as_array().unwrap();
    assert!(!rows.is_empty() && rows.iter().all(|e| e["teacher"]["id"] == teacher.staff.id));
    // Pagination.
    let (_, body) = get(admin.clone(), "/api/v1/enrolments?per_page=5&page=2".into()).await;
    assert_eq!(body["rows"].as_array().unwrap().len(), 5);
    assert!(body["total"].as_u64().unwrap() > 10);
    assert_eq!(body["page"], 2);

    // Only the office creates enrolments, checked by field.
    let post = |token: String, body: serde_json::Value| {
        let client = client.clone();
        let url = format!("{}/api/v1/enrolments", app.base);
        async move {
            let r = client.post(url).bearer_auth(token).json(&body).send().await.unwrap();
            let status = r.status();
            (status, r.json::<serde_json::Value>().await.unwrap_or_default())
        }
    };
    let valid = serde_json::json!({"pupil_id": kids[1], "instrument": "Oboe", "lesson_type": "individual", "minutes": 20, "start_date": "2027-01-04"});
    assert_eq!(post(parent.clone(), valid.clone()).await.0, StatusCode::FORBIDDEN);
    let (status, body) = post(
        admin.clone(),
        serde_json::json!({"pupil_id": kids[1], "instrument": "", "lesson_type": "trio", "minutes": 25, "start_date": "31/02/2027", "weekday": "Sunday"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec!["instrument", "lesson_type", "minutes", "start_date", "weekday"]
    );
    let (status, body) = post(admin.clone(), valid).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["status"], "awaiting");
    assert_eq!(body["teacher"], serde_json::Value::Null);
    assert_eq!(body["school"]["id"], hub.school.id, "the pupil's own school");
    let (status, body) = post(
        admin.clone(),
        serde_json::json!({"pupil_id": kids[1], "instrument": "Tuba", "lesson_type": "group", "minutes": 30, "start_date": "2027-01-04", "teacher_id": teacher.staff.id, "weekday": "Tuesday", "start_time": "10:30"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        (
            body["status"].as_str(),
            body["weekday"].as_i64(),
            body["start_time"].as_str()
        ),
        (Some("active"), Some(2), Some("10:30"))
    );
    let (status, _) = post(
        admin.clone(),
        serde_json::json!({"pupil_id": kids[1], "instrument": "Tuba", "lesson_type": "group", "minutes": 30, "start_date": "2027-01-04", "teacher_id": 99999}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Applications: a family sees its own, with the place on the list; others' are 404.
    let scope = PupilScope::Guardian(hub.parent.email.clone());
    app.store
        .apply(
            &tutti_store::platform::audit::Actor::cli(),
            &scope,
            &tutti_store::admissions::applications::NewApplication {
                pupil_id: kids[0],
                choice: tutti_domain::admissions::TuitionChoice {
                    instrument: "Violin".into(),
                    lesson_type: tutti_domain::lessons::LessonType::Individual,
                    minutes: 30,
                },
                source: tutti_domain::admissions::ApplicationSource::Parent,
            },
        )
        .await
        .unwrap();
    let (status, body) = get(parent.clone(), "/api/v1/applications".into()).await;
    assert_eq!(status, StatusCode::OK);
    let apps = body["rows"].as_array().unwrap();
    assert_eq!(apps.len(), 1);
    assert_eq!(
        (apps[0]["status"].as_str(), apps[0]["place"].as_i64()),
        (Some("waiting"), Some(1))
    );
    let (_, body) = get(other.clone(), "/api/v1/applications".into()).await;
    assert_eq!(body["total"], 0);
    let path = format!("/api/v1/applications?pupil={}", kids[0]);
    assert_eq!(get(other.clone(), path).await.0, StatusCode::NOT_FOUND);
    let (_, body) = get(school.clone(), "/api/v1/applications?status=waiting".into()).await;
    assert_eq!(body["total"], 1);
    let (_, body) = get(admin, "/api/v1/applications?status=offered".into()).await;
    assert_eq!(body["total"], 0);

    // The OpenAPI document lists the new paths.
    let doc: serde_json::Value = client
        .get(format!("{}/api/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for p in ["/api/v1/enrolments", "/api/v1/enrolments/{id}", "/api/v1/applications"] {
        assert!(doc["paths"][p].is_object(), "{p} documented");
    }
}
