//! The allocation facts the office keeps by hand, over HTTP: a teacher's availability from
//! the staff record and a school's rooms and hours from the school record, on screens and
//! through the API, each refused field by field with nothing changed, and audited when saved.
use reqwest::StatusCode;
use serde_json::{Value, json};
use tutti_store::platform::audit::Actor;
use tutti_store::sea_orm::{ConnectionTrait, Statement};

use crate::on_both_backends;
use crate::support::{Backend, TestApp, location};

on_both_backends!(
    a_teachers_availability_is_kept_from_their_record,
    a_schools_rooms_and_hours_are_kept_from_its_record,
    the_api_sets_availability_and_hours
);

async fn number(app: &TestApp, sql: &str) -> i64 {
    let backend = app.store.conn().get_database_backend();
    app.store
        .conn()
        .query_one_raw(Statement::from_string(backend, sql))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap()
}

/// The demo teacher's staff id, with nothing recorded about when they can teach.
async fn unrecorded_teacher(app: &TestApp) -> i64 {
    let id = app
        .store
        .user_by_email("teacher@demo.test")
        .await
        .unwrap()
        .unwrap()
        .staff_id
        .unwrap();
    app.store
        .conn()
        .execute_unprepared(&format!("DELETE FROM teacher_availability WHERE staff_id = {id}"))
        .await
        .unwrap();
    id
}

fn error_on<'a>(html: &'a str, field: &str) -> &'a str {
    let marker = format!("id=\"{field}-error\">");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no error next to {field}: {html}"))
        + marker.len();
    &html[start..start + html[start..].find("</p>").unwrap()]
}

async fn a_teachers_availability_is_kept_from_their_record(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let id = unrecorded_teacher(&app).await;
    let admin = app.logged_in("admin@demo.test").await;
    let record = format!("/admin/staff/{id}");
    let form = format!("{record}/availability");

    let (status, html) = admin.get_text(&record).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&format!("href=\"{form}\"")),
        "the record links to the form"
    );
    assert!(html.contains("Not recorded: the default, Monday 08:30–17:00"), "{html}");
    let (status, html) = admin.get_text(&form).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("value=\"08:30–17:00\""), "the default week is filled in");
    assert!(html.contains("Nothing is recorded yet"));

    // Each bad day is refused next to its field, the input kept, and nothing saved.
    let audits = number(&app, "SELECT COUNT(*) AS n FROM audit_events").await;
    let bad = [
        ("monday", "9am-12:00"),
        ("tuesday", "12:00-09:00"),
        ("wednesday", "09:00-12:00, 11:00-13:00"),
        ("thursday", "08:30-17:00"),
        ("friday", ""),
    ];
    let r = admin.submit(&form, &form, &bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(error_on(&html, "monday").contains("HH:MM"), "{html}");
    assert!(error_on(&html, "tuesday").contains("12:00–09:00 ends before it starts"));
    assert!(error_on(&html, "wednesday").contains("overlap"));
    assert!(!html.contains("id=\"thursday-error\""), "a good day has no error");
    assert!(html.contains("value=\"9am-12:00\""), "input is kept");
    let rows = format!("SELECT COUNT(*) AS n FROM teacher_availability WHERE staff_id = {id}");
    assert_eq!(number(&app, &rows).await, 0, "nothing is saved");
    assert_eq!(number(&app, "SELECT COUNT(*) AS n FROM audit_events").await, audits);

    // A good week: two intervals on Monday, no Tuesday, Friday morning only.
    let good = [
        ("monday", "13:00-16:00, 09:00–12:00"),
        ("tuesday", ""),
        ("wednesday", "08:30-17:00"),
        ("thursday", "08:30-17:00"),
        ("friday", "08:30-12:30"),
    ];
    let r = admin.submit(&form, &form, &good).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), record);
    assert_eq!(number(&app, &rows).await, 5);
    assert_eq!(
        number(
            &app,
            &format!("SELECT COUNT(*) AS n FROM teacher_availability WHERE staff_id = {id} AND weekday = 2")
        )
        .await,
        0,
        "no Tuesday"
    );
    // The teacher's groups the new week leaves outside are named in the message.
    let outside = number(
        &app,
        &format!(
            "SELECT COUNT(*) AS n FROM teaching_groups WHERE teacher_id = {id} AND (weekday = 2 \
             OR (weekday = 1 AND NOT ((start_minute >= 540 AND start_minute + minutes <= 720) \
             OR (start_minute >= 780 AND start_minute + minutes <= 960))) \
             OR (weekday = 5 AND start_minute + minutes > 750))"
        ),
    )
    .await;
    let (_, html) = admin.get_text(&record).await;
    assert!(html.contains("Availability saved."), "{html}");
    if outside > 0 {
        assert!(html.contains(&format!("{outside} placed group")), "{html}");
    } else {
        assert!(!html.contains("placed group"));
    }
    assert!(
        html.contains("Monday 09:00–12:00, 13:00–16:00; Tuesday none; Wednesday 08:30–17:00"),
        "{html}"
    );
    assert!(!html.contains("Not recorded"));
    let (_, html) = admin.get_text("/admin/audit?entity=teacher_availability").await;
    assert!(html.contains("Mon 09:00–12:00, 13:00–16:00; Tue none"), "{html}");

    // Only the office keeps these facts.
    let teacher = app.logged_in("teacher@demo.test").await;
    let (status, _) = teacher.get_text(&form).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = admin.get_text("/admin/staff/999999/availability").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn a_schools_rooms_and_hours_are_kept_from_its_record(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let admin = app.logged_in("manager@demo.test").await;
    let record = "/admin/schools/1";
    let form = "/admin/schools/1/hours";
    let before = app.store.school_hours(1).await.unwrap().unwrap();

    let (status, html) = admin.get_text(record).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("href=\"/admin/schools/1/hours\""));
    assert!(html.contains("Rooms for visiting teachers"));
    let (_, html) = admin.get_text(form).await;
    assert!(html.contains(&format!("value=\"{}\"", before.rooms)), "{html}");

    for (fields, field, words) in [
        (
            [("rooms", "0"), ("opens", "08:30"), ("closes", "15:30")],
            "rooms",
            "from 1 to 20",
        ),
        (
            [("rooms", "21"), ("opens", "08:30"), ("closes", "15:30")],
            "rooms",
            "from 1 to 20",
        ),
        (
            [("rooms", "two"), ("opens", "08:30"), ("closes", "15:30")],
            "rooms",
            "from 1 to 20",
        ),
        (
            [("rooms", "3"), ("opens", "8.30"), ("closes", "15:30")],
            "opens",
            "HH:MM",
        ),
        (
            [("rooms", "3"), ("opens", "08:30"), ("closes", "25:00")],
            "closes",
            "HH:MM",
        ),
        (
            [("rooms", "3"), ("opens", "15:30"), ("closes", "08:30")],
            "closes",
            "08:30 is not after 15:30",
        ),
    ] {
        let r = admin.submit(form, form, &fields).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        let html = r.text().await.unwrap();
        assert!(error_on(&html, field).contains(words), "{fields:?}: {html}");
        assert_eq!(
            app.store.school_hours(1).await.unwrap().unwrap(),
            before,
            "nothing changed"
        );
    }

    let r = admin
        .submit(form, form, &[("rooms", "3"), ("opens", "08:45"), ("closes", "15:15")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), record);
    let after = app.store.school_hours(1).await.unwrap().unwrap();
    assert_eq!((after.rooms, after.opens_minute, after.closes_minute), (3, 525, 915));
    let (_, html) = admin.get_text(record).await;
    assert!(html.contains("Rooms and hours saved."), "{html}");
    assert!(html.contains("08:45–15:15"));
    let (_, html) = admin.get_text("/admin/audit?entity=school&entity_id=1").await;
    assert!(html.contains("3 rooms, lessons 525-915"), "{html}");

    let parent = app.logged_in("parent@demo.test").await;
    let (status, _) = parent.get_text(form).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn put(app: &TestApp, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let r = reqwest::Client::new()
        .put(format!("{}{path}", app.base))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

async fn the_api_sets_availability_and_hours(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let id = unrecorded_teacher(&app).await;
    let token = |email: &'static str| {
        let store = app.store.clone();
        async move {
            let u = store.user_by_email(email).await.unwrap().unwrap();
            store.create_api_token(&Actor::cli(), u.id, "test").await.unwrap()
        }
    };
    let admin = token("admin@demo.test").await;
    let path = format!("/api/v1/staff/{id}/availability");

    // Every day must be given, each time as HH:MM-HH:MM: a day missing or not of that shape
    // is 422, named.
    let (status, body) = put(
        &app,
        &admin,
        &path,
        json!({"monday": ["09:00-12:00"], "tuesday": "10:00 to 11:00", "wednesday": [], "thursday": []}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(fields(&body), ["tuesday", "friday"]);
    let rows = format!("SELECT COUNT(*) AS n FROM teacher_availability WHERE staff_id = {id}");
    assert_eq!(number(&app, &rows).await, 0);
    // Times of the right shape that do not fit together are 409, named: one that ends before
    // it starts, or a week with no times at all (it would read as nothing recorded, the
    // default).
    let (status, body) = put(
        &app,
        &admin,
        &path,
        json!({"monday": ["09:00-12:00"], "tuesday": "10:00-09:00", "wednesday": [], "thursday": [], "friday": []}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(fields(&body), ["tuesday"]);
    let none = json!({"monday": [], "tuesday": [], "wednesday": [], "thursday": [], "friday": ""});
    let (status, body) = put(&app, &admin, &path, none).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(fields(&body), ["monday"]);
    assert_eq!(number(&app, &rows).await, 0);

    // Wednesday 12:00-12:05 only leaves nearly all the teacher's groups outside it, named.
    let groups = number(
        &app,
        &format!(
            "SELECT COUNT(*) AS n FROM teaching_groups WHERE teacher_id = {id} AND NOT (weekday = 3 \
             AND start_minute >= 720 AND start_minute + minutes <= 725)"
        ),
    )
    .await;
    assert!(groups > 0, "the demo teacher teaches");
    let short = json!({"monday": [], "tuesday": [], "wednesday": "12:00-12:05", "thursday": [], "friday": ""});
    let (status, body) = put(&app, &admin, &path, short).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["outside"].as_array().unwrap().len() as i64, groups, "{body}");
    assert_eq!(number(&app, &rows).await, 1);
    let a = app.store.availability(id).await.unwrap().unwrap();
    assert!(a.recorded);
    assert_eq!(a.week[&3], vec![(720, 725)]);
    assert!(a.week[&1].is_empty());

    let week = json!({"monday": ["08:30-12:00", "13:00-17:00"], "tuesday": "09:00-15:00", "wednesday": [],
                      "thursday": ["08:30-17:00"], "friday": ["08:30-17:00"]});
    let (status, body) = put(&app, &admin, &path, week).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["monday"], json!(["08:30-12:00", "13:00-17:00"]));
    assert_eq!(body["wednesday"], json!([]));
    assert_eq!(number(&app, &rows).await, 5);

    let parent = token("parent@demo.test").await;
    let (status, _) = put(&app, &parent, &path, json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let everyday = json!({"monday": "09:00-10:00", "tuesday": [], "wednesday": [], "thursday": [], "friday": []});
    let (status, _) = put(&app, &admin, "/api/v1/staff/999999/availability", everyday).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Rooms and hours.
    let (status, body) = put(
        &app,
        &admin,
        "/api/v1/schools/1/hours",
        json!({"rooms": 21, "opens": "9", "closes": "15:00"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), ["rooms", "opens"]);
    let (status, body) = put(
        &app,
        &admin,
        "/api/v1/schools/1/hours",
        json!({"rooms": 2, "opens": "15:00", "closes": "09:00"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(fields(&body), ["closes"]);
    let (status, body) = put(
        &app,
        &admin,
        "/api/v1/schools/1/hours",
        json!({"rooms": 4, "opens": "09:00", "closes": "09:05"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["rooms"].as_i64(), body["opens"].as_str()),
        (Some(4), Some("09:00"))
    );
    let at_school = number(
        &app,
        "SELECT COUNT(*) AS n FROM teaching_groups WHERE school_id = 1 AND (start_minute < 540 \
         OR start_minute + minutes > 545)",
    )
    .await;
    assert_eq!(body["outside"].as_array().unwrap().len() as i64, at_school);
    let (status, _) = put(
        &app,
        &admin,
        "/api/v1/schools/999999/hours",
        json!({"rooms": 2, "opens": "09:00", "closes": "15:00"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
