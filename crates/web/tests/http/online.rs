//! Online lessons over HTTP: the office teaches a group online with its joining link (a bad
//! link refused, naming it), the timetable's rules then ask no travel of it, bringing it back
//! to school is checked like a placement, and families see the link only from 30 minutes
//! before, teachers always, the API never.
use reqwest::StatusCode;
use serde_json::json;
use time::macros::date;
use tutti_domain::clock::noon_in_london;
use tutti_domain::lessons::LessonType;
use tutti_store::testing::world::{PASSWORD, a_family, a_school, a_teacher, an_admin, an_enrolment};

use crate::on_both_backends;
use crate::support::{Backend, TestApp, location};

on_both_backends!(an_online_lesson_needs_no_travel_and_shows_its_link_in_time);

/// A Monday in the autumn term, in Greenwich time (noon in London is noon UTC).
const MONDAY: time::Date = date!(2026 - 11 - 09);
const LINK: &str = "https://meet.example.org/violin-group?pwd=42";

/// Sets the hub's clock to `minutes` past noon on the Monday (London time).
fn at(app: &TestApp, minutes: i64) {
    app.store
        .clock()
        .set(noon_in_london(MONDAY) + time::Duration::minutes(minutes));
}

async fn an_online_lesson_needs_no_travel_and_shows_its_link_in_time(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, MONDAY).await else {
        return;
    };
    let store = &app.store;
    let here = a_school().in_area("Town A").create(store).await;
    let there = a_school().in_area("Town B").create(store).await;
    let teacher = a_teacher().with_login(PASSWORD).create(store).await;
    let family = a_family(&here).with_login(PASSWORD).create(store).await;
    let other = a_family(&there).with_login(PASSWORD).create(store).await;
    let admin = an_admin().create(store).await.email;
    let token = app.token(&admin).await;
    let mut enrolments = Vec::new();
    for pupil in [family.children[0], other.children[0]] {
        enrolments.push(
            an_enrolment(pupil)
                .learning("Violin", LessonType::Individual, 30)
                .create(store)
                .await,
        );
    }
    let placement = |enrolment: i64, school: i64, start: &str| {
        json!({"enrolments": [enrolment], "teacher": teacher.staff.id, "school": school, "weekday": "monday",
               "start": start, "minutes": 30, "lesson_type": "individual", "instrument": "Violin"})
    };
    // The family's child at school A on Mondays 12:45-13:15.
    let (status, body) = app
        .post_json(
            &token,
            "/api/v1/placements",
            &placement(enrolments[0], here.id, "12:45"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let group = body["group"].as_i64().unwrap();

    // Logins first: the office's second factor moves the clock on.
    let office = app.logged_in(&admin).await;
    let parent = app.logged_in(&family.email).await;
    let stranger = app.logged_in(&other.email).await;
    let teacher_browser = app.logged_in(&teacher.staff.email).await;
    let action = format!("/admin/allocation/groups/{group}/online");

    // A link that is not an https address is refused, naming it, and nothing changes.
    let r = office
        .submit(
            "/admin/allocation",
            &action,
            &[("online", "yes"), ("joining_link", "http://meet.example.org/x")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = office.get_text(&location(&r)).await;
    assert!(
        html.contains(&format!("Group {group} was not changed")),
        "the refusal is said"
    );
    assert!(html.contains("starting with https://"), "and why");
    let summary = |app: &TestApp| {
        let store = app.store.clone();
        async move {
            store
                .group_summaries(None, None)
                .await
                .unwrap()
                .into_iter()
                .find(|g| g.id == group)
                .unwrap()
        }
    };
    assert!(!summary(&app).await.online);

    // Taught online with its link.
    let r = office
        .submit(
            "/admin/allocation",
            &action,
            &[("online", "yes"), ("joining_link", LINK)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let g = summary(&app).await;
    assert!(g.online);
    assert_eq!(g.joining_link.as_deref(), Some(LINK));

    // Online, it asks no travel: the other pupil at school B (20 minutes away) straight after
    // it, 13:15-13:45, is accepted; at school it would be refused for too little travel time.
    let (status, body) = app
        .post_json(
            &token,
            "/api/v1/placements",
            &placement(enrolments[1], there.id, "13:15"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // So bringing the group back to school is refused with the reason, and it stays online.
    let r = office.submit("/admin/allocation", &action, &[("online", "no")]).await;
    let (_, html) = office.get_text(&location(&r)).await;
    assert!(html.contains(&format!("Group {group} was not changed")), "refused");
    assert!(html.contains("Too little travel time"), "with the timetable's reason");
    assert!(summary(&app).await.online);

    // The family, at 12:00: the lesson is online, the link not yet shown.
    at(&app, 0);
    let (status, html) = parent.get_text("/parent/timetable").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Online"), "the lesson is said to be online");
    assert!(html.contains("the link to join shows here 30 minutes before"));
    assert!(!html.contains("meet.example.org"), "no link 45 minutes before");
    // At 12:15, 30 minutes before, it is.
    at(&app, 15);
    let (_, html) = parent.get_text("/parent/timetable").await;
    assert!(
        html.contains("meet.example.org/violin-group?pwd=42")
            || html.contains("meet.example.org/violin-group?pwd&#x3d;42"),
        "the link shows 30 minutes before"
    );
    // Another family never sees it: the lesson is not theirs.
    let (_, html) = stranger.get_text("/parent/timetable").await;
    assert!(!html.contains("meet.example.org"));
    // The teacher sees it on their day.
    let (status, html) = teacher_browser.get_text(&format!("/teacher/day?day={MONDAY}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Join the online lesson"));
    // The API says online, without the link, to the family.
    let parent_token = app.token(&family.email).await;
    let (_, body) = app
        .get_json(
            &parent_token,
            &format!(
                "/api/v1/timetable?pupil={}&from={MONDAY}&to={MONDAY}",
                family.children[0]
            ),
        )
        .await;
    let lesson = body["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .find(|l| l["online"] == json!(true));
    assert!(lesson.is_some(), "{body}");
    assert!(!body.to_string().contains("meet.example.org"));
    // After the lesson ends (13:15) the link is gone again.
    at(&app, 75);
    let (_, html) = parent.get_text("/parent/timetable").await;
    assert!(!html.contains("meet.example.org"));

    // Only the office may change it.
    let r = teacher_browser
        .submit(&format!("/teacher/day?day={MONDAY}"), &action, &[("online", "no")])
        .await;
    assert!(
        matches!(r.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}",
        r.status()
    );
    assert!(summary(&app).await.online);
}
