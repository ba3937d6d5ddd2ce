//! The allocation facts the office keeps by hand, over HTTP: a teacher's availability from
//! the staff record and a school's rooms and hours from the school record, on screens and
//! through the API, each refused field by field with nothing changed, and audited when saved.
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::macros::date;
use tutti_store::platform::audit::AuditFilter;
use tutti_store::testing::world::{PASSWORD, a_family, a_group, a_manager, a_school, a_teacher, an_admin};

use crate::on_both_backends;
use crate::support::{Backend, TestApp, location};

on_both_backends!(
    a_teachers_availability_is_kept_from_their_record,
    a_schools_rooms_and_hours_are_kept_from_its_record,
    the_api_sets_availability_and_hours
);

/// A Monday of the autumn term.
const DAY: time::Date = date!(2026 - 10 - 05);

/// A teacher with a login and nothing recorded about when they can teach, at a school where
/// they teach three groups: Monday 09:00, Tuesday 10:00 and Friday 13:00, 30 minutes each.
struct Visit {
    teacher: i64,
    teacher_email: String,
    school: i64,
}

async fn a_visit(app: &TestApp) -> Visit {
    let school = a_school().create(&app.store).await;
    let teacher = a_teacher().with_login(PASSWORD).create(&app.store).await;
    for (weekday, start) in [(1, 540), (2, 600), (5, 780)] {
        let child = a_family(&school).create(&app.store).await.children[0];
        a_group(teacher.staff.id, school.id)
            .on(weekday, start)
            .with_pupils(&[child])
            .enrolled_from(date!(2026 - 09 - 07))
            .create(&app.store)
            .await;
    }
    Visit {
        teacher: teacher.staff.id,
        teacher_email: teacher.user.unwrap().email,
        school: school.id,
    }
}

/// How many events the audit log holds.
async fn audited(app: &TestApp) -> u64 {
    let all = AuditFilter {
        page: 1,
        per_page: 1,
        ..Default::default()
    };
    app.store.audit_events(&all).await.unwrap().total
}

/// How many intervals of a teacher's week are recorded (none while the default applies).
async fn recorded(app: &TestApp, staff: i64) -> usize {
    let a = app.store.availability(staff).await.unwrap().unwrap();
    if !a.recorded {
        return 0;
    }
    a.week.values().map(Vec::len).sum()
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
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let visit = a_visit(&app).await;
    let id = visit.teacher;
    let office = an_admin().create(&app.store).await;
    let admin = app.logged_in(&office.email).await;
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
    let audits = audited(&app).await;
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
    assert_eq!(recorded(&app, id).await, 0, "nothing is saved");
    assert_eq!(audited(&app).await, audits);

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
    assert_eq!(recorded(&app, id).await, 5);
    let week = app.store.availability(id).await.unwrap().unwrap().week;
    assert!(week[&2].is_empty(), "no Tuesday");
    // The teacher's groups the new week leaves outside are named in the message: Tuesday's,
    // and Friday's at 13:00 (Monday's at 09:00 fits).
    let (_, html) = admin.get_text(&record).await;
    assert!(html.contains("Availability saved."), "{html}");
    assert!(html.contains("2 placed group"), "{html}");
    assert!(
        html.contains("Monday 09:00–12:00, 13:00–16:00; Tuesday none; Wednesday 08:30–17:00"),
        "{html}"
    );
    assert!(!html.contains("Not recorded: the default"));
    let (_, html) = admin.get_text("/admin/audit?entity=teacher_availability").await;
    assert!(html.contains("Mon 09:00–12:00, 13:00–16:00; Tue none"), "{html}");

    // Only the office keeps these facts.
    let teacher = app.logged_in(&visit.teacher_email).await;
    let (status, _) = teacher.get_text(&form).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = admin.get_text("/admin/staff/999999/availability").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn a_schools_rooms_and_hours_are_kept_from_its_record(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let visit = a_visit(&app).await;
    let manager = a_manager().create(&app.store).await;
    let admin = app.logged_in(&manager.email).await;
    let school = visit.school;
    let record = &format!("/admin/schools/{school}");
    let form = &format!("/admin/schools/{school}/hours");
    let before = app.store.school_hours(school).await.unwrap().unwrap();

    let (status, html) = admin.get_text(record).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("href=\"{form}\"")));
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
            app.store.school_hours(school).await.unwrap().unwrap(),
            before,
            "nothing changed"
        );
    }

    let r = admin
        .submit(form, form, &[("rooms", "3"), ("opens", "08:45"), ("closes", "15:15")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(&location(&r), record);
    let after = app.store.school_hours(school).await.unwrap().unwrap();
    assert_eq!((after.rooms, after.opens_minute, after.closes_minute), (3, 525, 915));
    let (_, html) = admin.get_text(record).await;
    assert!(html.contains("Rooms and hours saved."), "{html}");
    assert!(html.contains("08:45–15:15"));
    let (_, html) = admin
        .get_text(&format!("/admin/audit?entity=school&entity_id={school}"))
        .await;
    assert!(html.contains("3 rooms, lessons 525-915"), "{html}");

    let family = a_family(&app.store.school(school).await.unwrap().unwrap())
        .with_login(PASSWORD)
        .create(&app.store)
        .await;
    let parent = app.logged_in(&family.email).await;
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
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let visit = a_visit(&app).await;
    let id = visit.teacher;
    let school = visit.school;
    let office = an_admin().create(&app.store).await.email;
    let family = a_family(&app.store.school(school).await.unwrap().unwrap())
        .with_login(PASSWORD)
        .create(&app.store)
        .await
        .email;
    let admin = app.token(&office).await;
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
    assert_eq!(recorded(&app, id).await, 0);
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
    assert_eq!(recorded(&app, id).await, 0);

    // Wednesday 12:00-12:05 only leaves nearly all the teacher's groups outside it, named.
    let groups = 3;
    let short = json!({"monday": [], "tuesday": [], "wednesday": "12:00-12:05", "thursday": [], "friday": ""});
    let (status, body) = put(&app, &admin, &path, short).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["outside"].as_array().unwrap().len() as i64, groups, "{body}");
    assert_eq!(recorded(&app, id).await, 1);
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
    assert_eq!(recorded(&app, id).await, 5);

    let parent = app.token(&family).await;
    let (status, _) = put(&app, &parent, &path, json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let everyday = json!({"monday": "09:00-10:00", "tuesday": [], "wednesday": [], "thursday": [], "friday": []});
    let (status, _) = put(&app, &admin, "/api/v1/staff/999999/availability", everyday).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Rooms and hours.
    let (status, body) = put(
        &app,
        &admin,
        &format!("/api/v1/schools/{school}/hours"),
        json!({"rooms": 21, "opens": "9", "closes": "15:00"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), ["rooms", "opens"]);
    let (status, body) = put(
        &app,
        &admin,
        &format!("/api/v1/schools/{school}/hours"),
        json!({"rooms": 2, "opens": "15:00", "closes": "09:00"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(fields(&body), ["closes"]);
    let (status, body) = put(
        &app,
        &admin,
        &format!("/api/v1/schools/{school}/hours"),
        json!({"rooms": 4, "opens": "09:00", "closes": "09:05"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["rooms"].as_i64(), body["opens"].as_str()),
        (Some(4), Some("09:00"))
    );
    // Every group at the school ends after 09:05: all three are outside, named.
    assert_eq!(body["outside"].as_array().unwrap().len(), 3, "{body}");
    let (status, _) = put(
        &app,
        &admin,
        "/api/v1/schools/999999/hours",
        json!({"rooms": 2, "opens": "09:00", "closes": "15:00"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
