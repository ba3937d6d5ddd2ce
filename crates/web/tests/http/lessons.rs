//! Lessons over HTTP: the teacher's day and its one-tap registers, another teacher's lesson
//! is 404, the parent's timetable, the timetable API at rotated times with its role rules,
//! and the private iCalendar feed's structure.
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::Weekday;
use time::macros::date;
use tutti_domain::calendar::{AcademicYear, SchoolCalendar, TermDates, default_term_dates};
use tutti_store::platform::audit::Actor;
use tutti_store::testing::world::{
    PASSWORD, a_family, a_group, a_pupil_login, a_school, a_school_contact, a_teacher, an_admin,
};

use crate::on_both_backends;
use crate::support::{Backend, TestApp, location};

on_both_backends!(
    teacher_marks_registers_on_the_day_page,
    timetable_api_gives_rotated_times_by_role,
    a_note_reaches_the_family_only_when_the_teacher_shares_it,
    calendar_feed_is_valid_icalendar
);

/// A Tuesday in the autumn term, the day these tests happen on unless they say another.
const DAY: time::Date = date!(2026 - 11 - 10);

/// Who and what the tests use: a teacher's Monday visit to a rotating school, three pupils
/// with a lesson each (the first the parent's child, the third another family's), another
/// teacher and school, and a login for each role.
struct Visit {
    spring: TermDates,
    teacher: i64,
    other_teacher: i64,
    school: i64,
    other_school: i64,
    /// The pupils of the first, second and third lessons.
    pupils: [i64; 3],
    teacher_email: String,
    other_teacher_email: String,
    parent: String,
    pupil: String,
    contact: String,
    admin: String,
}

/// Three single-pupil groups from 09:00 on Mondays (30, 20, 30 minutes) for a teacher at a
/// school that rotates; dated lessons for autumn and spring.
async fn monday_visit(app: &TestApp) -> Visit {
    let store = &app.store;
    let school = a_school()
        .named("Riverside Primary School, Durham")
        .rotating()
        .create(store)
        .await;
    let other_school = a_school().create(store).await;
    let teacher = a_teacher().with_login(PASSWORD).create(store).await;
    let other_teacher = a_teacher().with_login(PASSWORD).create(store).await;
    let family = a_family(&school).with_login(PASSWORD).create(store).await;
    let second = a_family(&school).create(store).await;
    let third = a_family(&school).create(store).await;
    let pupils = [family.children[0], second.children[0], third.children[0]];
    for (pupil, (start, minutes)) in pupils.iter().zip([(540u16, 30u16), (570, 20), (590, 30)]) {
        a_group(teacher.staff.id, school.id)
            .on(1, start)
            .teaching("Violin", tutti_domain::lessons::LessonType::Individual, minutes)
            .with_pupils(&[*pupil])
            .create(store)
            .await;
    }
    let year = AcademicYear::containing(app.store.today());
    let [autumn, spring, _] = default_term_dates(year);
    store.generate_dated_lessons(&Actor::cli(), autumn.term).await.unwrap();
    store.generate_dated_lessons(&Actor::cli(), spring.term).await.unwrap();
    Visit {
        spring,
        teacher: teacher.staff.id,
        other_teacher: other_teacher.staff.id,
        school: school.id,
        other_school: other_school.id,
        pupils,
        teacher_email: teacher.staff.email,
        other_teacher_email: other_teacher.staff.email,
        parent: family.email,
        pupil: a_pupil_login(store, pupils[0]).await.email,
        contact: a_school_contact(&school).create(store).await.email,
        admin: an_admin().create(store).await.email,
    }
}

fn mondays(term: &TermDates) -> Vec<time::Date> {
    SchoolCalendar::new(vec![*term]).weekday_dates(term.term, Weekday::Monday)
}

async fn teacher_marks_registers_on_the_day_page(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let visit = monday_visit(&app).await;
    let day = mondays(&visit.spring)[1];
    let teacher = app.logged_in(&visit.teacher_email).await;
    let page = format!("/teacher/day?date={day}");
    let (status, html) = teacher.get_text(&page).await;
    assert_eq!(status, StatusCode::OK);
    // Week 2 of the rotation: the second lesson first, at 09:00, then the third, then the first.
    let at = |t: &str| html.find(t).unwrap_or_else(|| panic!("{t} on the day page"));
    assert!(at("09:00–09:20") < at("09:20–09:50") && at("09:20–09:50") < at("09:50–10:20"));
    assert!(html.contains("Not marked"));

    let lessons = app.store.teacher_day(visit.teacher, day).await.unwrap();
    let first = &lessons[0];
    let pupil = first.pupils[0].id.to_string();
    let action = format!("/teacher/lessons/{}/mark", first.id);
    let date = day.to_string();
    let r = teacher
        .submit(&page, &action, &[("pupil", &pupil), ("mark", "ill"), ("date", &date)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("/teacher/day?date={day}#lesson-{}", first.id));
    let (_, html) = teacher.get_text(&page).await;
    assert!(html.contains("Absent: ill"));

    let outcome = format!("/teacher/lessons/{}/outcome", lessons[1].id);
    let r = teacher
        .submit(
            &page,
            &outcome,
            &[("outcome", "teacher-absent"), ("date", &date), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let note = format!("/teacher/lessons/{}/note", lessons[2].id);
    let r = teacher
        .submit(
            &page,
            &note,
            &[("note", "Bring the grade 2 book, please"), ("date", &date)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = teacher.get_text(&page).await;
    assert!(html.contains("Teacher absent (owed by the hub)"));
    assert!(html.contains("Bring the grade 2 book, please"));
    // Without the CSRF token the mark is refused.
    let r = teacher
        .post_raw(&action, &[("pupil", &pupil), ("mark", "present")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Another teacher cannot mark this teacher's lesson: it is not found.
    let other = app.logged_in(&visit.other_teacher_email).await;
    let r = other
        .submit(
            "/teacher/day",
            &action,
            &[("pupil", &pupil), ("mark", "present"), ("date", &date)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let (_, html) = other.get_text(&page).await;
    assert!(html.contains("You have no lessons on this day."));
    // A parent is not a teacher.
    let parent = app.logged_in(&visit.parent).await;
    assert_eq!(parent.get("/teacher/day").await.status(), StatusCode::FORBIDDEN);
    // The dashboards link the day and the timetable.
    assert!(teacher.get_text("/account").await.1.contains("/teacher/day"));
    let (_, dash) = parent.get_text("/account").await;
    assert!(dash.contains("/parent/timetable"));
    let (status, _) = parent.get_text("/parent/timetable").await;
    assert_eq!(status, StatusCode::OK);
}

async fn a_note_reaches_the_family_only_when_the_teacher_shares_it(backend: Backend) {
    // The Saturday before the spring term: its first Monday is on the parent's four weeks.
    let Some(app) = TestApp::spawn_empty_on(backend, date!(2027 - 01 - 02)).await else {
        return;
    };
    let visit = monday_visit(&app).await;
    let day = mondays(&visit.spring)[0];
    let lesson = app.store.teacher_day(visit.teacher, day).await.unwrap()[0].clone();
    let pupil = lesson.pupils[0].id;
    assert_eq!(pupil, visit.pupils[0], "the parent's child is on the first lesson");
    let teacher = app.logged_in(&visit.teacher_email).await;
    let page = format!("/teacher/day?date={day}");
    let action = format!("/teacher/lessons/{}/note", lesson.id);
    let date = day.to_string();
    let client = reqwest::Client::new();
    let note_seen_by = |email: &str| {
        let (client, app) = (client.clone(), &app);
        let email = email.to_owned();
        async move {
            let t = app.token(&email).await;
            let body: Value = client
                .get(format!(
                    "{}/api/v1/timetable?pupil={pupil}&from={date}&to={date}",
                    app.base,
                    date = day
                ))
                .bearer_auth(t)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            body["rows"][0]["note"].as_str().unwrap().to_owned()
        }
    };
    // For the office only: the office reads it, the family does not, by API or page.
    let r = teacher
        .submit(
            &page,
            &action,
            &[("note", "Struggled with the bow hold"), ("date", &date)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(note_seen_by(&visit.admin).await, "Struggled with the bow hold");
    assert_eq!(note_seen_by(&visit.parent).await, "");
    assert_eq!(note_seen_by(&visit.pupil).await, "");
    let parent = app.logged_in(&visit.parent).await;
    assert!(!parent.get_text("/parent/timetable").await.1.contains("bow hold"));
    // Shared: the family reads it too.
    let r = teacher
        .submit(
            &page,
            &action,
            &[
                ("note", "Practise the bow hold daily"),
                ("shared", "yes"),
                ("date", &date),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(note_seen_by(&visit.parent).await, "Practise the bow hold daily");
    assert!(
        parent
            .get_text("/parent/timetable")
            .await
            .1
            .contains("Practise the bow hold daily")
    );
    let (_, html) = teacher.get_text(&page).await;
    assert!(html.contains("Share this note with the family"));
}

async fn timetable_api_gives_rotated_times_by_role(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let visit = monday_visit(&app).await;
    let (teacher_id, pupil_1) = (visit.teacher, visit.pupils[0]);
    let days = mondays(&visit.spring);
    let client = reqwest::Client::new();
    let get = |token: String, query: String| {
        let client = client.clone();
        let url = format!("{}/api/v1/timetable?{query}", app.base);
        async move { client.get(url).bearer_auth(token).send().await.unwrap() }
    };
    let admin = app.token(&visit.admin).await;
    let range = format!("from={}&to={}", days[0], days[2]);
    let r = get(admin.clone(), format!("teacher={teacher_id}&{range}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    let lessons = body["rows"].as_array().unwrap();
    let times = |day: time::Date| -> Vec<(String, String)> {
        lessons
            .iter()
            .filter(|l| l["date"] == day.to_string())
            .map(|l| {
                (
                    l["start"].as_str().unwrap().to_owned(),
                    l["end"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let pairs = |v: &[(&str, &str)]| {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        times(days[0]),
        pairs(&[("09:00", "09:30"), ("09:30", "09:50"), ("09:50", "10:20")])
    );
    // Week 3: the third lesson first (30), then the first (30), then the second (20).
    assert_eq!(
        times(days[2]),
        pairs(&[("09:00", "09:30"), ("09:30", "10:00"), ("10:00", "10:20")])
    );
    assert_eq!(lessons[0]["school"]["id"], visit.school);
    assert_eq!(lessons[0]["teacher"]["id"], teacher_id);
    assert_eq!(lessons[0]["status"], "scheduled");

    // The parent sees their own child (in the first group) and no one else's (the third's).
    let parent = app.token(&visit.parent).await;
    let r = get(parent.clone(), format!("pupil={pupil_1}&{range}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    let mine = body["rows"].as_array().unwrap();
    assert_eq!(mine.len(), 3);
    assert!(
        mine.iter()
            .all(|l| l["pupils"].as_array().unwrap().len() == 1 && l["pupils"][0]["id"] == pupil_1)
    );
    assert_eq!(mine[1]["start"], "09:50", "week 2: the first lesson goes last");
    assert_eq!(
        get(parent.clone(), format!("pupil={}&{range}", visit.pupils[2]))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(parent.clone(), format!("teacher={teacher_id}&{range}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let teacher = app.token(&visit.teacher_email).await;
    assert_eq!(
        get(teacher.clone(), format!("teacher={teacher_id}&{range}"))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        get(teacher.clone(), format!("teacher={}&{range}", visit.other_teacher))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let school = app.token(&visit.contact).await;
    assert_eq!(
        get(school.clone(), format!("school={}&{range}", visit.school))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        get(school, format!("school={}&{range}", visit.other_school))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(admin.clone(), format!("teacher={teacher_id}&from=2026-13-01"))
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // Registers: the teacher marks their pupil; a parent may not mark.
    let lesson = mine[0]["id"].as_i64().unwrap();
    let post = |token: String, body: Value| {
        let client = client.clone();
        let url = format!("{}/api/v1/registers", app.base);
        async move { client.post(url).bearer_auth(token).json(&body).send().await.unwrap() }
    };
    let r = post(
        teacher.clone(),
        json!({"lesson": lesson, "pupil": pupil_1, "mark": "present"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = post(parent, json!({"lesson": lesson, "pupil": pupil_1, "mark": "present"})).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = post(
        teacher.clone(),
        json!({"lesson": lesson, "pupil": pupil_1, "mark": "sunburn"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = get(teacher, format!("pupil={pupil_1}&{range}"))
        .await
        .json()
        .await
        .unwrap_or(json!({}));
    assert!(body.get("rows").is_none(), "a teacher reads timetables by teacher");
    let body: Value = get(admin, format!("pupil={pupil_1}&{range}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["rows"][0]["pupils"][0]["mark"], "present");
    assert_eq!(body["rows"][0]["status"], "given");
}

async fn calendar_feed_is_valid_icalendar(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let visit = monday_visit(&app).await;
    let teacher = app.logged_in(&visit.teacher_email).await;
    let (status, html) = teacher.get_text("/account/calendar").await;
    assert_eq!(status, StatusCode::OK);
    let start = html.find("/calendar/").expect("the address on the page");
    let end = start + html[start..].find(".ics").unwrap() + 4;
    let path = &html[start..end];
    // The address works with no session at all, as a calendar app fetches it.
    let r = app.browser().get(path).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let ics = r.text().await.unwrap();
    assert!(ics.ends_with("\r\n"));
    assert!(!ics.replace("\r\n", "").contains('\n'), "every line ends with CRLF");
    let lines: Vec<&str> = ics.trim_end_matches("\r\n").split("\r\n").collect();
    assert!(lines.iter().all(|l| l.len() <= 75), "folded at 75 octets");
    assert_eq!(lines[0], "BEGIN:VCALENDAR");
    assert_eq!(*lines.last().unwrap(), "END:VCALENDAR");
    assert!(lines.contains(&"VERSION:2.0") && lines.iter().any(|l| l.starts_with("PRODID:")));
    let unfolded = ics.replace("\r\n ", "");
    let events: Vec<&str> = unfolded.split("BEGIN:VEVENT").skip(1).collect();
    assert!(!events.is_empty());
    for e in &events {
        let e = &e[..e.find("END:VEVENT").expect("each event ends")];
        for field in [
            "UID:lesson-",
            "DTSTAMP:",
            "DTSTART;TZID=Europe/London:",
            "DTEND;TZID=Europe/London:",
            "SUMMARY:",
        ] {
            assert!(e.contains(field), "{field} in {e}");
        }
    }
    assert_eq!(ics.matches("BEGIN:").count(), ics.matches("END:").count());
    assert!(unfolded.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/London"));
    assert!(unfolded.contains("T090000") && unfolded.contains("T095000"));
    // A school name with a comma is escaped.
    assert!(
        unfolded
            .lines()
            .any(|l| l.starts_with("LOCATION:") && l.contains("\\, "))
    );
    assert_eq!(
        app.browser().get("/calendar/not-a-token.ics").await.status(),
        StatusCode::NOT_FOUND
    );
}
