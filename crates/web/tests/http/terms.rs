//! The year over HTTP from an empty hub: the office sets an authority's terms and closures on
//! screens and through the API (each bad field named, nothing changed), copies last year's
//! terms, and lessons follow (a closure's day is skipped); others may not; and a school
//! marked rotating on its form has its lessons' times rotate week by week.
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::Date;
use time::macros::date;
use tutti_domain::calendar::{AcademicYear, TermId, TermName};
use tutti_store::Store;
use tutti_store::platform::audit::Actor;
use tutti_store::teaching::lessons::{NoteReader, TimetableOf};
use tutti_store::teaching::terms::YearFilter;
use tutti_store::testing::world::{PASSWORD, a_family, a_group, a_manager, a_school, a_teacher, an_admin};

use crate::on_both_backends;
use crate::support::{Backend, TestApp, location};

on_both_backends!(
    the_office_sets_the_year_on_screens,
    the_api_sets_terms_and_closures,
    a_school_marked_rotating_on_its_form_rotates_its_lessons
);

/// Before the autumn term of 2026.
const DAY: Date = date!(2026 - 08 - 20);

fn error_on<'a>(html: &'a str, field: &str) -> &'a str {
    let marker = format!("id=\"{field}-error\">");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no error next to {field}: {html}"))
        + marker.len();
    &html[start..start + html[start..].find("</p>").unwrap()]
}

async fn lesson_days(store: &Store, teacher: i64) -> Vec<Date> {
    store
        .timetable(
            TimetableOf::Teacher(teacher),
            date!(2026 - 09 - 01),
            date!(2026 - 12 - 31),
            NoteReader::Staff,
        )
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.date)
        .collect()
}

const AUTUMN: [(&str, &str); 7] = [
    ("authority", "Northshire"),
    ("academic_year", "2026-27"),
    ("term", "Autumn"),
    ("first_day", "2026-09-07"),
    ("half_term_first_day", "2026-10-26"),
    ("half_term_last_day", "2026-10-30"),
    ("last_day", "2026-12-18"),
];

async fn the_office_sets_the_year_on_screens(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let school = a_school().in_local_authority("Northshire").create(store).await;
    let teacher = a_teacher().with_login(PASSWORD).create(store).await;
    let family = a_family(&school).with_login(PASSWORD).create(store).await;
    a_group(teacher.staff.id, school.id)
        .on(1, 540)
        .with_pupils(&[family.children[0]])
        .create(store)
        .await;
    let admin = app.logged_in(&an_admin().create(store).await.email).await;
    let manager = app.logged_in(&a_manager().create(store).await.email).await;

    // Nobody is sent to log in; a teacher or a parent may not.
    let r = app.browser().get("/admin/terms").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/login"));
    for email in [&teacher.staff.email, &family.email] {
        let b = app.logged_in(email).await;
        assert_eq!(b.get("/admin/terms").await.status(), StatusCode::FORBIDDEN);
        assert_eq!(b.get("/admin/terms/new").await.status(), StatusCode::FORBIDDEN);
    }

    // The office's page names the authority its schools are in, with nothing saved yet.
    let (status, html) = admin.get_text("/admin/terms").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<option value=\"Northshire\" selected>"), "{html}");
    assert!(html.contains("No term dates are saved for Northshire in 2026-27"));

    // A half term outside its term: refused beside its field, the input kept, nothing saved.
    let mut bad = AUTUMN;
    bad[4] = ("half_term_first_day", "2026-12-21");
    bad[5] = ("half_term_last_day", "2026-12-22");
    let r = admin.submit("/admin/terms/new", "/admin/terms/new", &bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        error_on(&html, "half_term_first_day").contains("Half term must fall inside the term"),
        "{html}"
    );
    assert!(html.contains("value=\"2026-12-21\""));
    assert!(store.terms(&YearFilter::default()).await.unwrap().is_empty());

    // The autumn term saved, and shown on the year's page.
    let r = admin.submit("/admin/terms/new", "/admin/terms/new", &AUTUMN).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/admin/terms?authority=Northshire&year=2026-27");
    let (_, html) = admin.get_text(&location(&r)).await;
    assert!(html.contains("Term dates saved."));
    assert!(html.contains("Monday 7 September 2026"), "{html}");
    let id = store.terms(&YearFilter::default()).await.unwrap()[0].id;

    // A manager's spring term that overlaps it: refused on its first day.
    let spring = [
        ("authority", "Northshire"),
        ("academic_year", "2026-27"),
        ("term", "Spring"),
        ("first_day", "2026-12-14"),
        ("half_term_first_day", "2027-02-15"),
        ("half_term_last_day", "2027-02-19"),
        ("last_day", "2027-03-26"),
    ];
    let r = manager.submit("/admin/terms/new", "/admin/terms/new", &spring).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        error_on(&html, "first_day").contains("overlap the autumn term"),
        "{html}"
    );

    // Lessons follow the term; a closure added on screen takes its day away, and deleting it
    // brings the lesson back.
    let autumn = TermId::new(AcademicYear::starting(2026), TermName::Autumn);
    store.generate_dated_lessons(&Actor::cli(), autumn).await.unwrap();
    assert_eq!(lesson_days(store, teacher.staff.id).await.len(), 14);
    let weekend = [
        ("authority", "Northshire"),
        ("date", "2026-11-21"),
        ("kind", "closure"),
        ("reason", "Polling day"),
    ];
    let r = admin
        .submit("/admin/closures/new", "/admin/closures/new", &weekend)
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_on(&r.text().await.unwrap(), "date").contains("is a weekend"));
    let polling = [
        ("authority", "Northshire"),
        ("date", "2026-11-16"),
        ("kind", "closure"),
        ("reason", "Polling day"),
    ];
    let r = admin
        .submit("/admin/closures/new", "/admin/closures/new", &polling)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let days = lesson_days(store, teacher.staff.id).await;
    assert_eq!(days.len(), 13);
    assert!(!days.contains(&date!(2026 - 11 - 16)));
    let (_, html) = admin.get_text("/admin/terms?authority=Northshire&year=2026-27").await;
    assert!(html.contains("Polling day"));
    let closure = store.closures(&YearFilter::default()).await.unwrap()[0].id;
    let page = "/admin/terms?authority=Northshire&year=2026-27";
    let r = admin
        .submit(page, &format!("/admin/closures/{closure}/delete"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(lesson_days(store, teacher.staff.id).await.len(), 14);

    // Changing the term: a week shorter, its last Monday goes.
    let mut shorter = AUTUMN;
    shorter[6] = ("last_day", "2026-12-11");
    let edit = format!("/admin/terms/{id}/edit");
    let (status, html) = admin.get_text(&edit).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("value=\"2026-12-18\""));
    let r = admin.submit(&edit, &edit, &shorter).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        !lesson_days(store, teacher.staff.id)
            .await
            .contains(&date!(2026 - 12 - 14))
    );

    // Copying 2026-27 into 2027-28: the term on the same weekdays; a second copy is refused.
    let next = "/admin/terms?authority=Northshire&year=2027-28";
    let copy = [("authority", "Northshire"), ("academic_year", "2027-28")];
    let r = admin.submit(next, "/admin/terms/copy", &copy).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = admin.get_text(next).await;
    assert!(html.contains("1 term copied from 2026-27 to 2027-28"), "{html}");
    assert!(html.contains("Monday 6 September 2027"), "{html}");
    let r = admin.submit(next, "/admin/terms/copy", &copy).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = admin.get_text(next).await;
    assert!(html.contains("2027-28 already has term dates here"), "{html}");

    // Deleting the term.
    let r = admin.submit(page, &format!("/admin/terms/{id}/delete"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(store.term(id).await.unwrap().is_none());
}

async fn the_api_sets_terms_and_closures(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let school = a_school().in_local_authority("Northshire").create(store).await;
    let teacher = a_teacher().with_login(PASSWORD).create(store).await;
    let office = app.token(&an_admin().create(store).await.email).await;
    let teacher_token = app.token(&teacher.staff.email).await;
    let client = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", app.base);
    let send = |method: reqwest::Method, path: &str, token: &str, body: Option<Value>| {
        let mut request = client.request(method, url(path)).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send()
    };
    let problem_fields = |v: &Value| -> Vec<String> {
        v["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect()
    };

    // Nobody, and a teacher.
    let r = client.get(url("/api/v1/terms")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = send(reqwest::Method::GET, "/api/v1/terms", &teacher_token, None)
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = send(
        reqwest::Method::POST,
        "/api/v1/closures",
        &teacher_token,
        Some(json!({})),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // An empty list is a page.
    let r = send(reqwest::Method::GET, "/api/v1/terms", &office, None)
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page: Value = r.json().await.unwrap();
    assert_eq!(page["total"], 0);
    assert_eq!(page["rows"], json!([]));

    // Fields missing or not of their shape: 422 naming each; both an authority and a school:
    // 409 naming the school.
    let r = send(reqwest::Method::POST, "/api/v1/terms", &office, Some(json!({})))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let fields = problem_fields(&r.json().await.unwrap());
    for f in ["academic_year", "term", "first_day", "last_day"] {
        assert!(fields.contains(&f.to_owned()), "{fields:?}");
    }
    let autumn = json!({
        "authority": "Northshire", "academic_year": "2026-27", "term": "autumn",
        "first_day": "2026-09-07", "last_day": "2026-12-18",
        "half_term_first_day": "2026-10-26", "half_term_last_day": "2026-10-30"
    });
    let mut both = autumn.clone();
    both["school_urn"] = json!(school.urn.to_string());
    let r = send(reqwest::Method::POST, "/api/v1/terms", &office, Some(both))
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CONFLICT,
        "both is of the right shape, but refused"
    );
    assert_eq!(problem_fields(&r.json().await.unwrap()), vec!["school_urn"]);
    let r = send(
        reqwest::Method::POST,
        "/api/v1/terms",
        &office,
        Some(json!({"authority": "Northshire", "academic_year": "2026-7", "term": "Winter"})),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let fields = problem_fields(&r.json().await.unwrap());
    assert!(fields.contains(&"academic_year".to_owned()) && fields.contains(&"term".to_owned()));

    // Saved; again is a conflict naming the term.
    let r = send(reqwest::Method::POST, "/api/v1/terms", &office, Some(autumn.clone()))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let term: Value = r.json().await.unwrap();
    assert_eq!(term["authority"], "Northshire");
    assert_eq!(term["term"], "autumn");
    assert_eq!(term["half_term_first_day"], "2026-10-26");
    let id = term["id"].as_i64().unwrap();
    let r = send(reqwest::Method::POST, "/api/v1/terms", &office, Some(autumn))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(problem_fields(&r.json().await.unwrap()), vec!["term"]);

    // One school's own spring term, by URN.
    let spring = json!({
        "school_urn": school.urn.to_string(), "academic_year": "2026-27", "term": "Spring",
        "first_day": "2027-01-05", "last_day": "2027-03-26",
        "half_term_first_day": "2027-02-15", "half_term_last_day": "2027-02-19"
    });
    let r = send(reqwest::Method::POST, "/api/v1/terms", &office, Some(spring))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let own: Value = r.json().await.unwrap();
    assert_eq!(own["school_id"], school.id);
    let r = send(
        reqwest::Method::GET,
        "/api/v1/terms?authority=Northshire&academic_year=2026-27&per_page=1",
        &office,
        None,
    )
    .await
    .unwrap();
    let page: Value = r.json().await.unwrap();
    assert_eq!(
        (page["total"].as_u64(), page["rows"].as_array().unwrap().len()),
        (Some(2), 1)
    );
    assert_eq!(page["rows"][0]["id"], id, "the authority's own first");
    for (query, status) in [
        ("academic_year=2026-28", StatusCode::OK),
        ("academic_year=null", StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let r = send(reqwest::Method::GET, &format!("/api/v1/terms?{query}"), &office, None)
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{query}");
    }

    // Changed: a week shorter.
    let r = send(
        reqwest::Method::PUT,
        &format!("/api/v1/terms/{id}"),
        &office,
        Some(json!({
            "academic_year": "2026-27", "term": "autumn",
            "first_day": "2026-09-07", "last_day": "2026-12-11",
            "half_term_first_day": "2026-10-26", "half_term_last_day": "2026-10-30"
        })),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["last_day"], "2026-12-11");

    // Closures: a weekend is refused on its date (409); a day saved; again a conflict; deleted.
    let r = send(
        reqwest::Method::POST,
        "/api/v1/closures",
        &office,
        Some(json!({"authority": "Northshire", "date": "2026-11-21", "reason": "Polling day"})),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(problem_fields(&r.json().await.unwrap()), vec!["date"]);
    let inset =
        json!({"school_urn": school.urn.to_string(), "date": "2026-11-23", "kind": "inset", "reason": "Training"});
    let r = send(reqwest::Method::POST, "/api/v1/closures", &office, Some(inset.clone()))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let closure: Value = r.json().await.unwrap();
    assert_eq!(closure["kind"], "inset");
    assert_eq!(closure["authority"], "Northshire");
    let r = send(reqwest::Method::POST, "/api/v1/closures", &office, Some(inset))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(problem_fields(&r.json().await.unwrap()), vec!["date"]);
    let r = send(
        reqwest::Method::GET,
        "/api/v1/closures?academic_year=2026-27",
        &office,
        None,
    )
    .await
    .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["total"], 1);
    let path = format!("/api/v1/closures/{}", closure["id"]);
    let r = send(reqwest::Method::DELETE, &path, &office, None).await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = send(reqwest::Method::GET, &path, &office, None).await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = send(reqwest::Method::DELETE, &format!("/api/v1/terms/{id}"), &office, None)
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
}

async fn a_school_marked_rotating_on_its_form_rotates_its_lessons(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let school = a_school().create(store).await;
    let teacher = a_teacher().create(store).await;
    let family = a_family(&school)
        .with_child("Sam", date!(2018 - 05 - 01))
        .create(store)
        .await;
    let first = a_group(teacher.staff.id, school.id)
        .on(1, 540)
        .with_pupils(&[family.children[0]])
        .create(store)
        .await;
    let second = a_group(teacher.staff.id, school.id)
        .on(1, 570)
        .with_pupils(&[family.children[1]])
        .create(store)
        .await;
    let autumn = TermId::new(AcademicYear::starting(2026), TermName::Autumn);
    store.generate_dated_lessons(&Actor::cli(), autumn).await.unwrap();
    let times_on = |day: Date| async move {
        let mut v: Vec<(i64, i32)> = store
            .timetable(TimetableOf::Teacher(teacher.staff.id), day, day, NoteReader::Staff)
            .await
            .unwrap()
            .into_iter()
            .map(|l| (l.group_id, l.start_minute))
            .collect();
        v.sort();
        v
    };
    let week_two = date!(2026 - 09 - 14);
    assert_eq!(times_on(week_two).await, vec![(first, 540), (second, 570)]);

    let admin_email = an_admin().create(store).await.email;
    let admin = app.logged_in(&admin_email).await;
    let edit = format!("/admin/schools/{}/edit", school.id);
    let (status, html) = admin.get_text(&edit).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("name=\"rotating\""), "the form has the box");
    assert!(html.contains("id=\"rooms\""), "and the rooms");
    assert!(
        html.contains("id=\"opens\"") && html.contains("value=\"16:00\""),
        "and the hours"
    );
    let urn = school.urn.to_string();
    let mut fields = vec![
        ("urn", urn.as_str()),
        ("name", school.name.as_str()),
        ("phase", school.phase.as_str()),
        ("type", school.school_type.as_str()),
        ("local_authority", ""),
        ("area", ""),
        ("address", ""),
        ("postcode", ""),
        ("parent_charge_uplift", "0"),
        ("billing", school.billing.as_str()),
        ("rooms", "3"),
        ("opens", "09:00"),
        ("closes", "15:30"),
    ];
    // Rooms out of range, lessons ending before they start: refused beside their fields.
    let mut bad = fields.clone();
    bad[10] = ("rooms", "0");
    bad[12] = ("closes", "08:00");
    let r = admin.submit(&edit, &edit, &bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(error_on(&html, "rooms").contains("from 1 to 20"), "{html}");
    assert!(error_on(&html, "closes").contains("08:00 is not after 09:00"), "{html}");

    // Ticked: the lessons from tomorrow rotate; in week two the second lesson comes first.
    fields.push(("rotating", "yes"));
    let r = admin.submit(&edit, &edit, &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let saved = store.school(school.id).await.unwrap().unwrap();
    assert!(saved.rotating);
    assert_eq!(saved.rooms, 3);
    let hours = store.school_hours(school.id).await.unwrap().unwrap();
    assert_eq!((hours.opens_minute, hours.closes_minute), (540, 930));
    assert_eq!(times_on(date!(2026 - 09 - 07)).await, vec![(first, 540), (second, 570)]);
    assert_eq!(times_on(week_two).await, vec![(first, 570), (second, 540)]);
    let (_, html) = admin.get_text(&format!("/admin/schools/{}", school.id)).await;
    assert!(html.contains("Rotate week by week"), "{html}");
    let token = app.token(&admin_email).await;
    let api: Value = reqwest::Client::new()
        .get(format!("{}/api/v1/schools/{}", app.base, school.id))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (api["rotating"].as_bool(), api["rooms"].as_i64()),
        (Some(true), Some(3))
    );

    // Unticked: the same times every week again.
    fields.pop();
    let r = admin.submit(&edit, &edit, &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(!store.school(school.id).await.unwrap().unwrap().rotating);
    assert_eq!(times_on(week_two).await, vec![(first, 540), (second, 570)]);
}
