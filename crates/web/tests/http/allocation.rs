//! Allocation over HTTP: each timetable rule refusing a placement with its reason in words
//! (API and screen), a valid placement accepted with its lessons dated, cancelling a day
//! (owed lessons the guarantee ignores) and make-ups under the same rules, and a proposed
//! timetable run end to end, accepted in one transaction with pinned groups left alone.
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use tutti_domain::calendar::{AcademicYear, TermDates, default_term_dates};
use tutti_domain::guarantee::GuaranteePolicy;
use tutti_domain::lessons::LessonType;
use tutti_store::platform::audit::Actor;
use tutti_store::sea_orm::ConnectionTrait;
use tutti_store::teaching::lessons::{NoteReader, TimetableLesson, TimetableOf};
use tutti_store::testing::world::{PASSWORD, a_family, a_group, a_school, a_teacher, an_admin, an_enrolment};

use crate::on_both_backends;
use crate::support::{Backend, TestApp, location};

on_both_backends!(
    placements_are_checked_against_every_rule,
    cancelled_days_are_owed_and_made_up,
    a_proposal_runs_and_is_accepted_with_pins_kept
);

/// A clean slate: school 1 in town A with one room open 08:30-16:00, school 2 in town B
/// (20 minutes away) with two; teacher 1 (with a login) available on Mondays 09:00-15:00
/// only, teacher 2 on the default week; ten enrolments awaiting allocation, of distinct pupils
/// but for the first two, which belong to one pupil; and the office.
struct Slate {
    /// Teachers 1 and 2 (staff ids).
    teachers: [i64; 2],
    /// Schools 1 and 2.
    schools: [i64; 2],
    e: Vec<i64>,
    /// The pupil of each enrolment.
    pupils: Vec<i64>,
    teacher_email: String,
    admin: String,
}

async fn clean_slate(app: &TestApp) -> Slate {
    let store = &app.store;
    let actor = Actor::cli();
    let school = a_school().in_area("Town A").create(store).await;
    store.set_school_hours(&actor, school.id, 1, 510, 960).await.unwrap();
    let other = a_school().in_area("Town B").create(store).await;
    store.set_school_hours(&actor, other.id, 2, 480, 1020).await.unwrap();
    let teacher = a_teacher()
        .available(1, 540, 900)
        .with_login(PASSWORD)
        .create(store)
        .await;
    let colleague = a_teacher().create(store).await;
    let twice = a_family(&school).create(store).await.children[0];
    let mut pupils = vec![twice, twice];
    for _ in 0..8 {
        pupils.push(a_family(&school).create(store).await.children[0]);
    }
    let mut e = Vec::new();
    for (i, pupil) in pupils.iter().enumerate() {
        let instrument = if i == 1 { "Cello" } else { "Violin" };
        e.push(
            an_enrolment(*pupil)
                .learning(instrument, LessonType::Individual, 30)
                .create(store)
                .await,
        );
    }
    Slate {
        teachers: [teacher.staff.id, colleague.staff.id],
        schools: [school.id, other.id],
        e,
        pupils,
        teacher_email: teacher.staff.email,
        admin: an_admin().create(store).await.email,
    }
}

/// The lessons of teacher `staff` from `from` to the end of the academic year, as the
/// office's timetable shows them.
async fn lessons_of(app: &TestApp, staff: i64, from: time::Date) -> Vec<TimetableLesson> {
    let to = default_term_dates(AcademicYear::containing(from))[2].dates.last;
    app.store
        .timetable(TimetableOf::Teacher(staff), from, to, NoteReader::Staff)
        .await
        .unwrap()
}

/// How many teaching groups there are.
async fn group_count(app: &TestApp) -> usize {
    app.store.group_summaries(None, None).await.unwrap().len()
}

async fn place(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    app.post_json(token, "/api/v1/placements", &body).await
}

/// A placement of `enrolments` with teacher 1 or 2 at school 1 or 2 of the slate.
fn group(slate: &Slate, enrolments: &[i64], teacher: usize, school: usize, weekday: &str, start: &str) -> Value {
    let (teacher, school) = (slate.teachers[teacher - 1], slate.schools[school - 1]);
    json!({
        "enrolments": enrolments, "teacher": teacher, "school": school, "weekday": weekday,
        "start": start, "minutes": 30, "lesson_type": "individual", "instrument": "Violin"
    })
}

async fn placements_are_checked_against_every_rule(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, IN_TERM).await else {
        return;
    };
    let slate = clean_slate(&app).await;
    let e = slate.e.clone();
    let admin = app.token(&slate.admin).await;

    // A valid placement: teacher 1 at school 1 on Mondays 09:00-09:30.
    let (status, body) = place(&app, &admin, group(&slate, &[e[0]], 1, 1, "monday", "09:00")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let first = body["group"].as_i64().unwrap();
    let year_start = default_term_dates(AcademicYear::containing(app.store.today()))[0]
        .dates
        .first;
    let dated = lessons_of(&app, slate.teachers[0], year_start)
        .await
        .iter()
        .filter(|l| l.group_id == first)
        .count();
    let year_left = default_term_dates(AcademicYear::containing(app.store.today()))
        .iter()
        .any(|t| t.dates.last >= app.store.today());
    assert_eq!(dated > 0, year_left, "the group's lessons are dated from today");
    let before = group_count(&app).await;

    let refused = |body: Value, words: &'static [&'static str]| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let (status, got) = place(app, &admin, body).await;
            assert_eq!(status, StatusCode::CONFLICT, "{got}");
            let message = got["detail"].as_str().unwrap().to_owned();
            for w in words {
                assert!(message.contains(w), "{message:?} should say {w:?}");
            }
        }
    };
    // Teacher double-booked.
    refused(
        group(&slate, &[e[2]], 1, 1, "1", "09:15"),
        &["double-booked", "09:00–09:30"],
    )
    .await;
    // Too little travel time: school 2 is 20 minutes away, 10 are left.
    refused(
        group(&slate, &[e[2]], 1, 2, "1", "09:40"),
        &["Too little travel time", "needs 20 minutes", "only 10 minutes"],
    )
    .await;
    // More visits at school 1 than its one room.
    refused(
        group(&slate, &[e[2]], 2, 1, "1", "09:10"),
        &["has 1 room for visiting teachers"],
    )
    .await;
    // The pupil of the first group already has a lesson on Mondays.
    refused(
        group(&slate, &[e[1]], 2, 2, "1", "11:00"),
        &["already has a lesson on Mondays", "at most one lesson a day"],
    )
    .await;
    // Outside school 1's opening hours (it closes at 16:00).
    refused(group(&slate, &[e[2]], 2, 1, "1", "15:45"), &["opening hours", "16:00"]).await;
    // Outside teacher 1's availability (Mondays until 15:00).
    refused(
        group(&slate, &[e[2]], 1, 1, "1", "14:45"),
        &["not available", "09:00–15:00"],
    )
    .await;
    assert_eq!(group_count(&app).await, before, "nothing refused was made");
    // With enough travel time it is accepted; the pupil's other enrolment fits on Tuesday.
    let (status, body) = place(&app, &admin, group(&slate, &[e[2]], 1, 2, "1", "09:50")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = place(&app, &admin, group(&slate, &[e[1]], 2, 2, "tuesday", "11:00")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Adding to a group: an individual lesson holds one pupil; a small group more.
    let (status, got) = place(&app, &admin, json!({"group": first, "enrolments": [e[4]]})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        got["detail"].as_str().unwrap().contains("holds at most 1 pupil;"),
        "{got}"
    );
    let mut small = group(&slate, &[e[4]], 2, 2, "3", "10:00");
    small["lesson_type"] = json!("group");
    let (status, got) = place(&app, &admin, small).await;
    assert_eq!(status, StatusCode::CREATED, "{got}");
    let small = got["group"].as_i64().unwrap();
    let (status, got) = place(&app, &admin, json!({"group": small, "enrolments": [e[5]]})).await;
    assert_eq!(status, StatusCode::OK, "{got}");
    // A teacher may not place pupils.
    let teacher = app.token(&slate.teacher_email).await;
    let (status, _) = place(&app, &teacher, group(&slate, &[e[3]], 1, 1, "1", "12:00")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The screen: awaiting enrolments listed, a refusal shown in words, a placement made.
    let office = app.logged_in(&slate.admin).await;
    let (status, html) = office.get_text("/admin/allocation").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&format!("value=\"{}\"", e[3])),
        "awaiting enrolment listed"
    );
    assert!(
        !html.contains(&format!("id=\"enrolment-{}\"", e[0])),
        "placed one is not"
    );
    let e3 = e[3].to_string();
    let fields = |start: &'static str| {
        vec![
            ("enrolment", e3.clone()),
            ("teacher", slate.teachers[0].to_string()),
            ("school_id", slate.schools[0].to_string()),
            ("weekday", "1".to_owned()),
            ("start", start.to_owned()),
            ("minutes", "30".to_owned()),
            ("lesson_type", "individual".to_owned()),
            ("instrument", "Cello".to_owned()),
        ]
    };
    let clash = fields("09:05");
    let clash: Vec<(&str, &str)> = clash.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = office
        .submit("/admin/allocation", "/admin/allocation/place", &clash)
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("double-booked"), "the reason is on the page");
    let good = fields("11:00");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = office
        .submit("/admin/allocation", "/admin/allocation/place", &good)
        .await;
    if r.status() != StatusCode::SEE_OTHER {
        let html = r.text().await.unwrap();
        let at = html.find("error-message").unwrap_or(0);
        panic!("{}", &html[at..(at + 600).min(html.len())]);
    }
    let (_, html) = office.get_text(&location(&r)).await;
    assert!(html.contains("Placed in group"));
}

/// The second future date on which teacher `staff` has a lesson of `group` (a Monday with
/// the next day a teaching day too).
async fn future_monday(app: &TestApp, staff: i64, group: i64) -> time::Date {
    let tomorrow = app.store.today() + time::Duration::days(1);
    let days: Vec<time::Date> = lessons_of(app, staff, tomorrow)
        .await
        .iter()
        .filter(|l| l.group_id == group)
        .map(|l| l.date)
        .collect();
    days[1.min(days.len() - 1)]
}

async fn cancelled_days_are_owed_and_made_up(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, IN_TERM).await else {
        return;
    };
    let slate = clean_slate(&app).await;
    let e = slate.e.clone();
    let year = AcademicYear::containing(app.store.today());
    let admin = app.token(&slate.admin).await;
    let (status, body) = place(&app, &admin, group(&slate, &[e[2]], 1, 1, "1", "09:00")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let g = body["group"].as_i64().unwrap();
    let pupil = slate.pupils[2];
    let policy = GuaranteePolicy::default();
    let line = |app: &TestApp| {
        let store = app.store.clone();
        async move {
            store
                .guarantee(year, store.today(), Some(pupil), &policy)
                .await
                .unwrap()[0]
                .clone()
        }
    };
    let before = line(&app).await;
    assert_eq!(before.count.hub_missed, 0);

    // Teacher 1 is absent on a Monday to come: its lesson is cancelled and owed.
    let monday = future_monday(&app, slate.teachers[0], g).await;
    let office = app.logged_in(&slate.admin).await;
    let date = monday.to_string();
    let teacher_1 = slate.teachers[0].to_string();
    let r = office
        .submit(
            "/admin/cancellations",
            "/admin/cancellations/day",
            &[
                ("teacher", teacher_1.as_str()),
                ("school_id", ""),
                ("date", &date),
                ("reason", "ill"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let owed: Vec<i64> = app
        .store
        .owed_lessons()
        .await
        .unwrap()
        .iter()
        .filter(|l| l.group_id == g && l.date == monday && l.status == "teacher_absent" && l.owed_by_hub)
        .map(|l| l.id)
        .collect();
    assert_eq!(owed.len(), 1, "the day's lesson is owed by the hub");
    let after = line(&app).await;
    assert_eq!(after.count.hub_missed, 1);
    assert_eq!(after.count.owed, 1);
    assert_eq!(
        after.count.counted, before.count.counted,
        "an owed lesson does not count"
    );
    assert_eq!(after.remaining + 1, before.remaining, "nor is it still to come");
    let (_, html) = office.get_text("/admin/cancellations").await;
    assert!(html.contains(&format!("/admin/cancellations/{}/make-up", owed[0])));

    // A make-up at the time of the group's own lesson next week is refused; the day after
    // the cancelled one is fine, and the lesson is no longer owed once it is scheduled.
    let next = monday + time::Duration::days(7);
    let r = office
        .submit(
            "/admin/cancellations",
            &format!("/admin/cancellations/{}/make-up", owed[0]),
            &[("date", &next.to_string()), ("start", "09:10")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("double-booked"));
    let tuesday = monday + time::Duration::days(1);
    let r = office
        .submit(
            "/admin/cancellations",
            &format!("/admin/cancellations/{}/make-up", owed[0]),
            &[("date", &tuesday.to_string()), ("start", "10:00")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Made up: the group has a lesson on the Tuesday at 10:00, and the owed one is owed no more.
    let made: Vec<i64> = app
        .store
        .teacher_day(slate.teachers[0], tuesday)
        .await
        .unwrap()
        .iter()
        .filter(|l| l.group_id == g && l.start_minute == 600)
        .map(|l| l.id)
        .collect();
    assert_eq!(made.len(), 1);
    let still_owed = app.store.owed_lessons().await.unwrap();
    assert!(still_owed.iter().all(|l| l.id != owed[0]), "made up, so no longer owed");
    let (_, html) = office.get_text("/admin/cancellations").await;
    assert!(!html.contains(&format!("/admin/cancellations/{}/make-up", owed[0])));
    // A second make-up for it is refused through the API.
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/make-ups", app.base))
        .bearer_auth(&admin)
        .json(&json!({"lesson": owed[0], "date": tuesday.to_string(), "start": "11:00"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
}

fn current_term(today: time::Date) -> TermDates {
    default_term_dates(AcademicYear::containing(today))
        .into_iter()
        .find(|t| t.dates.last >= today)
        .expect("a day in term is before its term's end")
}

/// A Wednesday early in the autumn term: weeks of teaching still to come.
const IN_TERM: time::Date = time::macros::date!(2026 - 09 - 16);

#[derive(Debug, PartialEq, Eq, Clone)]
struct Placed {
    id: i64,
    weekday: i32,
    start_minute: i32,
}

/// Every group's day and time, by id.
async fn placed(app: &TestApp) -> Vec<Placed> {
    let mut all: Vec<Placed> = app
        .store
        .group_summaries(None, None)
        .await
        .unwrap()
        .into_iter()
        .map(|g| Placed {
            id: g.id,
            weekday: g.weekday,
            start_minute: g.start_minute,
        })
        .collect();
    all.sort_by_key(|p| p.id);
    all
}

async fn a_proposal_runs_and_is_accepted_with_pins_kept(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, IN_TERM).await else {
        return;
    };
    let term = current_term(app.store.today());
    let slate = clean_slate(&app).await;
    let e = slate.e.clone();
    // A wasteful week for teacher 2: schools 1 and 2 in turn on Monday with waits, and a
    // lone lesson on Friday afternoon. The Friday one is pinned.
    let mut ids = Vec::new();
    for (i, (school, day, start)) in [(1, 1, 540), (2, 1, 630), (1, 1, 720), (2, 1, 810), (1, 5, 840)]
        .into_iter()
        .enumerate()
    {
        ids.push(
            a_group(slate.teachers[1], slate.schools[school - 1])
                .on(day, start)
                .teaching("Flute", LessonType::Individual, 30)
                .with_enrolments(&[e[2 + i]])
                .create(&app.store)
                .await,
        );
    }
    let pinned = ids[4];
    app.store
        .generate_dated_lessons(&Actor::cli(), term.term)
        .await
        .unwrap();
    let office = app.logged_in(&slate.admin).await;
    let r = office
        .submit(
            "/admin/allocation",
            &format!("/admin/allocation/groups/{pinned}/pin"),
            &[("pinned", "yes")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let start = placed(&app).await;

    let r = office
        .submit(
            "/admin/timetable/proposals",
            "/admin/timetable/proposals",
            &[("term", &term.term.to_string()), ("seconds", "1")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = location(&r);
    let (status, html) = office.get_text(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("http-equiv=\"refresh\"") || html.contains("Accept this timetable"),
        "a running proposal refreshes itself"
    );
    let started = Instant::now();
    let status = loop {
        let (_, body) = office.get_text(&format!("{page}/status")).await;
        let v: Value = serde_json::from_str(&body).unwrap();
        if v["status"] != "running" {
            break v;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "ready in time");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(status["status"], "ready", "{status}");
    let result = &status["result"];
    let (before, after) = (&result["before"], &result["after"]);
    assert!(after["cost"].as_i64() < before["cost"].as_i64(), "{result}");
    assert_eq!(after["broken_rules"], 0);
    assert_eq!(after["unplaced"], 0);
    assert!(after["travel"].as_i64() <= before["travel"].as_i64());
    let moves = result["moves"].as_array().unwrap();
    assert!(!moves.is_empty());
    assert!(moves.iter().all(|m| m["group_id"] != pinned), "the pinned group stays");
    let (_, html) = office.get_text(&page).await;
    assert!(html.contains("Travel (minutes a week)") && html.contains("What would change"));

    // Accepting moves every group the proposal moves, and nothing else.
    let r = office.submit(&page, &format!("{page}/accept"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let now = placed(&app).await;
    for m in moves {
        let id = m["group_id"].as_i64().unwrap();
        let after = m["after"].as_array().unwrap();
        let row = now.iter().find(|p| p.id == id).unwrap();
        assert_eq!(
            (row.weekday as i64, row.start_minute as i64),
            (after[0].as_i64().unwrap(), after[1].as_i64().unwrap())
        );
    }
    let kept = |list: &[Placed]| list.iter().find(|p| p.id == pinned).cloned().unwrap();
    assert_eq!(kept(&now), kept(&start));
    // The moved groups' lessons from today on are at their new times (the schools do not
    // rotate, and nothing here is a make-up).
    let from = app.store.today().max(term.dates.first);
    let to_come = lessons_of(&app, slate.teachers[1], from).await;
    for row in now.iter().filter(|p| ids.contains(&p.id)) {
        let lessons: Vec<&TimetableLesson> = to_come
            .iter()
            .filter(|l| l.group_id == row.id && l.date <= term.dates.last && l.status == "scheduled")
            .collect();
        assert!(!lessons.is_empty(), "group {} has lessons to come", row.id);
        let wrong = lessons.iter().filter(|l| l.start_minute != row.start_minute).count();
        assert_eq!(wrong, 0, "group {} re-dated", row.id);
    }
    // Accepting twice is refused.
    let r = office.submit(&page, &format!("{page}/accept"), &[]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // A proposal made stale by a change is refused whole: nothing moves. First a wasteful
    // week for teacher 2 again: more pupils, at schools 1 and 2 in turn on Tuesday.
    let admin = app.token(&slate.admin).await;
    let client = reqwest::Client::new();
    for (i, (school, start)) in [(1, 540), (2, 630), (1, 720)].into_iter().enumerate() {
        a_group(slate.teachers[1], slate.schools[school - 1])
            .on(2, start)
            .teaching("Flute", LessonType::Individual, 30)
            .with_enrolments(&[e[7 + i]])
            .create(&app.store)
            .await;
    }
    let r: Value = client
        .post(format!("{}/api/v1/timetable/proposals", app.base))
        .bearer_auth(&admin)
        .json(&json!({"term": term.term.to_string(), "seconds": 1}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = r["id"].as_i64().unwrap();
    let url = format!("{}/api/v1/timetable/proposals/{id}", app.base);
    let v = loop {
        let v: Value = client
            .get(&url)
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if v["status"] != "running" {
            assert_eq!(v["status"], "ready", "{v}");
            break v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let first_move = v["result"]["moves"][0]["group_id"].as_i64().unwrap();
    let moved_one = placed(&app).await;
    // Someone moves a group the proposal moves. No operation of the store moves one group by
    // hand (only an accepted proposal moves groups), so the change is written directly.
    app.store
        .conn()
        .execute_unprepared(&format!(
            "UPDATE teaching_groups SET start_minute = start_minute + 5 WHERE id = {first_move}"
        ))
        .await
        .unwrap();
    let stale = placed(&app).await;
    let r = client
        .post(format!("{url}/accept"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(placed(&app).await, stale, "a refused acceptance changes nothing");
    assert_ne!(moved_one, stale);
}
