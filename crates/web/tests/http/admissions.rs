//! Admissions over HTTP: a parent applies against the offer and answers offers, waiting lists
//! keep their fair order (and its setting), offers lapse, a school applies for its own pupils
//! only, the office edits the offer, and notice shows the rules' end date before it is
//! confirmed. Another family's offer or enrolment is 404.
use reqwest::StatusCode;
use time::Duration;
use tutti_domain::admissions::notice_end_date;
use tutti_domain::calendar::{AcademicYear, SchoolCalendar, default_term_dates};
use tutti_domain::charging::ChargingPolicy;
use tutti_domain::validate::format_date_uk;
use tutti_store::accounts::{NewUser, Role};
use tutti_store::pupils::PupilScope;
use tutti_store::sea_orm;
use tutti_store::sea_orm::{ConnectionTrait, FromQueryResult};

use crate::on_both_backends;
use crate::support::{Backend, Browser, DEMO_PASSWORD, TestApp};

on_both_backends!(
    parent_applies_and_answers_offers_in_fair_order,
    offers_lapse_after_their_date,
    school_applies_for_its_own_pupils_only,
    office_edits_the_offer,
    parent_gives_notice_with_the_rules_end_date,
    enrolments_and_applications_api_follow_the_screens_rules
);

#[derive(FromQueryResult)]
struct Row {
    id: i64,
    pupil_ref: String,
}

/// A pupil at `school` outside the demo family (guardian 1), made looked-after or not.
async fn other_pupil(app: &TestApp, school: i64, skip: usize, looked_after: bool) -> (i64, String) {
    let sql = format!(
        "SELECT id, pupil_ref FROM pupils WHERE school_id = {school} AND id NOT IN \
         (SELECT pupil_id FROM pupil_guardians WHERE guardian_id = 1) ORDER BY id"
    );
    let rows = Row::find_by_statement(tutti_store::sea_orm::Statement::from_string(
        app.store.conn().get_database_backend(),
        sql,
    ))
    .all(app.store.conn())
    .await
    .unwrap();
    let row = &rows[skip];
    app.store
        .conn()
        .execute_unprepared(&format!(
            "UPDATE pupils SET looked_after = {looked_after}, fsm = false WHERE id = {}",
            row.id
        ))
        .await
        .unwrap();
    (row.id, row.pupil_ref.clone())
}

/// A second parent: the guardian of another family, with a verified account.
pub async fn other_parent(app: &TestApp) -> Browser {
    #[derive(FromQueryResult)]
    struct G {
        email: String,
    }
    let g = G::find_by_statement(tutti_store::sea_orm::Statement::from_string(
        app.store.conn().get_database_backend(),
        "SELECT email FROM guardians WHERE id = 2",
    ))
    .one(app.store.conn())
    .await
    .unwrap()
    .unwrap();
    app.store
        .create_user(NewUser {
            email: g.email.clone(),
            name: "Other Parent".into(),
            password: DEMO_PASSWORD.into(),
            role: Role::Parent,
            email_verified: true,
            school_id: None,
            staff_id: None,
            pupil_id: None,
            is_demo: false,
        })
        .await
        .unwrap();
    app.logged_in(&g.email).await
}

async fn parent_children(app: &TestApp) -> Vec<i64> {
    let kids = app.store.children_of_guardian("parent@demo.test").await.unwrap();
    kids.iter().map(|c| c.id).collect()
}

async fn application_of(app: &TestApp, pupil: i64, instrument: &str) -> i64 {
    #[derive(FromQueryResult)]
    struct A {
        id: i64,
    }
    A::find_by_statement(tutti_store::sea_orm::Statement::from_string(
        app.store.conn().get_database_backend(),
        format!(
            "SELECT id FROM applications WHERE pupil_id = {pupil} AND instrument = '{instrument}' ORDER BY id DESC"
        ),
    ))
    .one(app.store.conn())
    .await
    .unwrap()
    .unwrap()
    .id
}

const PAGE: &str = "/parent/applications";

async fn parent_applies_and_answers_offers_in_fair_order(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let parent = app.logged_in("parent@demo.test").await;
    let kids = parent_children(&app).await;
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
    let (stranger, _) = other_pupil(&app, 1, 0, false).await;
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
    let (looked_after, looked_ref) = other_pupil(&app, 1, 1, true).await;
    let admin = app.logged_in("admin@demo.test").await;
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
    let (status, html) = admin.get_text("/admin/waiting-lists?school=1&instrument=flute").await;
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
    let (mail, _) = app.store.outbox_page(Some("parent@demo.test"), 1, 10).await.unwrap();
    let mail = mail
        .iter()
        .find(|m| m.subject.starts_with("A place for"))
        .expect("offer email");
    assert!(mail.body.contains(&format!(
        "accept or decline by {}",
        format_date_uk(app.store.today() + Duration::days(14))
    )));
    assert!(mail.body.contains("/parent/applications"));
    // The looked-after child is now first among those waiting.
    let (_, html) = admin.get_text("/admin/waiting-lists?school=1&instrument=Flute").await;
    assert!(html.contains(&format!("action=\"/admin/applications/{looked_app}/offer\"")));

    // Another family cannot answer this family's offer.
    let other = other_parent(&app).await;
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
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let parent = app.logged_in("parent@demo.test").await;
    let kids = parent_children(&app).await;
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
    let admin = app.logged_in("admin@demo.test").await;
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
    // A day later, unanswered.
    app.store
        .conn()
        .execute_unprepared(&format!(
            "UPDATE applications SET offer_expires_on = '{}' WHERE id = {id}",
            app.store.today() - Duration::days(1)
        ))
        .await
        .unwrap();
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
    let (next, next_ref) = other_pupil(&app, 1, 0, false).await;
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
    #[derive(FromQueryResult)]
    struct S {
        status: String,
    }
    let stored = S::find_by_statement(tutti_store::sea_orm::Statement::from_string(
        app.store.conn().get_database_backend(),
        format!("SELECT status FROM applications WHERE id = {id}"),
    ))
    .one(app.store.conn())
    .await
    .unwrap()
    .unwrap();
    assert_eq!(stored.status, "lapsed");
}

async fn school_applies_for_its_own_pupils_only(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let school = app.logged_in("school@demo.test").await;
    let page = "/school/applications";
    assert!(school.get_text("/account").await.1.contains(page));
    let (_, own_ref) = other_pupil(&app, 1, 2, false).await;
    let (_, elsewhere_ref) = other_pupil(&app, 2, 0, false).await;
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
    assert!(html.contains("<td>School</td>"), "school-paid: {html}");
    // A parent may not use the school's screen.
    let parent = app.logged_in("parent@demo.test").await;
    assert_eq!(parent.get(page).await.status(), StatusCode::FORBIDDEN);
}

async fn office_edits_the_offer(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let admin = app.logged_in("admin@demo.test").await;
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

    let parent = app.logged_in("parent@demo.test").await;
    assert_eq!(parent.get(page).await.status(), StatusCode::FORBIDDEN);
    let kids = parent_children(&app).await;
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
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let parent = app.logged_in("parent@demo.test").await;
    let (status, html) = parent.get_text("/parent/enrolments").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("/parent/enrolments/1/notice"), "{html}");

    // What the rules say, worked out here from the domain with the default term dates.
    let year = AcademicYear::containing(app.store.today());
    let mut calendar = SchoolCalendar::new(Vec::new());
    for y in [year.previous(), year, year.next()] {
        calendar.add_terms(default_term_dates(y));
    }
    let (outcome, end) = notice_end_date(app.store.today(), &ChargingPolicy::default(), &calendar).unwrap();
    let page = "/parent/enrolments/1/notice";
    let (status, html) = parent.get_text(page).await;
    assert_eq!(status, StatusCode::OK);
    let end_text = format_date_uk(end);
    assert!(html.contains(&format!("lessons end on {end_text}")), "{html}");
    assert!(html.contains(&outcome.explanation.replace('\'', "&#x27;")));
    // Seeing the page changed nothing.
    let e = app.store.enrolment(&PupilScope::All, 1).await.unwrap();
    assert_eq!(e.end_date, None);

    // Another family sees nothing of it.
    let other = other_parent(&app).await;
    assert_eq!(other.get(page).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        other.submit("/parent/enrolments", page, &[]).await.status(),
        StatusCode::NOT_FOUND
    );

    let r = parent.submit(page, page, &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let e = app.store.enrolment(&PupilScope::All, 1).await.unwrap();
    assert_eq!(e.end_date, Some(end));
    assert_eq!(e.status, "leaving");
    let (_, html) = parent.get_text("/parent/enrolments").await;
    assert!(html.contains(&format!("Ending on {end_text}")));
    assert!(!html.contains("/parent/enrolments/1/notice"));
    assert_eq!(parent.get(page).await.status(), StatusCode::BAD_REQUEST);
    // The teacher still teaches the pupil until then, and writes the last report.
    let teacher = app.logged_in("teacher@demo.test").await;
    assert_eq!(teacher.get("/progress/pupils/1").await.status(), StatusCode::OK);
}

async fn token(app: &TestApp, email: &str) -> String {
    let user = app.store.user_by_email(email).await.unwrap().unwrap();
    app.store
        .create_api_token(&tutti_store::audit::Actor::cli(), user.id, "test")
        .await
        .unwrap()
}

async fn enrolments_and_applications_api_follow_the_screens_rules(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let _other = other_parent(&app).await;
    let kids = parent_children(&app).await;
    #[derive(FromQueryResult)]
    struct G {
        email: String,
    }
    let other_parent_email = G::find_by_statement(tutti_store::sea_orm::Statement::from_string(
        app.store.conn().get_database_backend(),
        "SELECT email FROM guardians WHERE id = 2",
    ))
    .one(app.store.conn())
    .await
    .unwrap()
    .unwrap()
    .email;
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
    let (parent, other, school, teacher, admin) = (
        token(&app, "parent@demo.test").await,
        token(&app, &other_parent_email).await,
        token(&app, "school@demo.test").await,
        token(&app, "teacher@demo.test").await,
        token(&app, "admin@demo.test").await,
    );

    // A parent lists only their own children's enrolments.
    let (status, body) = get(parent.clone(), "/api/v1/enrolments".into()).await;
    assert_eq!(status, StatusCode::OK);
    let rows = body["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|e| kids.contains(&e["pupil"]["id"].as_i64().unwrap())));
    assert_eq!(
        get(parent.clone(), "/api/v1/enrolments/1".into()).await.0,
        StatusCode::OK
    );
    assert_eq!(
        get(other.clone(), "/api/v1/enrolments/1".into()).await.0,
        StatusCode::NOT_FOUND
    );
    let path = format!("/api/v1/enrolments?pupil={}", kids[0]);
    assert_eq!(get(other.clone(), path.clone()).await.0, StatusCode::NOT_FOUND);
    assert_eq!(get(parent.clone(), path).await.0, StatusCode::OK);
    // A school its own pupils; a teacher what they teach.
    let (_, body) = get(school.clone(), "/api/v1/enrolments?per_page=200".into()).await;
    assert!(body["rows"].as_array().unwrap().iter().all(|e| e["school"]["id"] == 1));
    let (elsewhere, _) = other_pupil(&app, 2, 0, false).await;
    #[derive(FromQueryResult)]
    struct E {
        id: i64,
    }
    let elsewhere_enrolment = E::find_by_statement(tutti_store::sea_orm::Statement::from_string(
        app.store.conn().get_database_backend(),
        format!("SELECT id FROM enrolments WHERE pupil_id = {elsewhere}"),
    ))
    .one(app.store.conn())
    .await
    .unwrap()
    .unwrap()
    .id;
    let path = format!("/api/v1/enrolments/{elsewhere_enrolment}");
    assert_eq!(get(school.clone(), path.clone()).await.0, StatusCode::NOT_FOUND);
    assert_eq!(get(admin.clone(), path).await.0, StatusCode::OK);
    let (_, body) = get(teacher.clone(), "/api/v1/enrolments?per_page=200".into()).await;
    let rows = body["rows"].as_array().unwrap();
    assert!(!rows.is_empty() && rows.iter().all(|e| e["teacher"]["id"] == 1));
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
    assert_eq!(body["school"]["id"], 1, "the pupil's own school");
    let (status, body) = post(
        admin.clone(),
        serde_json::json!({"pupil_id": kids[1], "instrument": "Tuba", "lesson_type": "group", "minutes": 30, "start_date": "2027-01-04", "teacher_id": 1, "weekday": "Tuesday", "start_time": "10:30"}),
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
    let scope = PupilScope::Guardian("parent@demo.test".into());
    app.store
        .apply(
            &tutti_store::audit::Actor::cli(),
            &scope,
            &tutti_store::admissions::NewApplication {
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
