//! Ensembles over HTTP, from an empty hub: the public list found by area, level, instrument and
//! day, and each ensemble's page with its rehearsals; a parent applies for their own child (and
//! for nobody else's); an applicant is turned away when the instrument is full and offered the
//! place when a member leaves; the office adds an ensemble and decides on its screens and
//! through the API; members are shown only to the office and the ensemble's leaders; a leader
//! marks their rehearsal's register through `/api/v1/registers` and is refused another's.
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::macros::date;
use tutti_domain::ensembles::{EnsembleLevel, REHEARSAL_ID_BASE};
use tutti_store::testing::world::{PASSWORD, a_family, a_school, a_teacher, an_admin, an_ensemble};

use crate::on_both_backends;
use crate::support::{Backend, TestApp, location};

on_both_backends!(
    a_parent_finds_an_ensemble_and_applies_for_their_own_child,
    a_full_instrument_turns_an_applicant_away_until_a_member_leaves,
    members_are_for_the_office_and_leaders_and_leaders_mark_only_their_own,
    the_office_adds_an_ensemble_and_decides_on_its_screens,
    an_online_ensemble_s_link_shows_to_members_a_short_time_before
);

/// Early in the autumn term of 2026 (a Wednesday).
const DAY: time::Date = date!(2026 - 09 - 16);

async fn post_json(app: &TestApp, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}{path}", app.base))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn get_json(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    let r = reqwest::Client::new()
        .get(format!("{}{path}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn field_of(problem: &Value) -> String {
    problem["errors"][0]["field"].as_str().unwrap_or_default().to_owned()
}

async fn a_parent_finds_an_ensemble_and_applies_for_their_own_child(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let school = a_school().create(store).await;
    let family = a_family(&school)
        .first_child("Amy", date!(2014 - 05 - 20))
        .with_login(PASSWORD)
        .create(store)
        .await;
    let others = a_family(&school).with_login(PASSWORD).create(store).await;
    let orchestra = an_ensemble("Youth Orchestra")
        .wanting(&[("Violin", 12), ("Oboe", 2)])
        .in_area("Darlington")
        .at_level(EnsembleLevel::Advanced)
        .on(6)
        .create(store)
        .await;
    let choir = an_ensemble("Junior Choir")
        .in_area("Durham")
        .at_level(EnsembleLevel::Entry)
        .on(2)
        .create(store)
        .await;

    // The public list, with its filters from the data.
    let visitor = app.browser();
    let (status, html) = visitor.get_text("/ensembles").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&orchestra.name) && html.contains(&choir.name), "{html}");
    assert!(
        html.contains("<option value=\"Darlington\">Darlington</option>"),
        "{html}"
    );
    let (_, html) = visitor.get_text("/ensembles?area=Durham").await;
    assert!(html.contains(&choir.name) && !html.contains(&orchestra.name));
    let (_, html) = visitor.get_text("/ensembles?level=advanced&day=6").await;
    assert!(html.contains(&orchestra.name) && !html.contains(&choir.name));
    // A choir takes any instrument; the orchestra lists oboes but no tubas.
    let (_, html) = visitor.get_text("/ensembles?instrument=Tuba").await;
    assert!(html.contains(&choir.name) && !html.contains(&orchestra.name));
    let (_, html) = visitor.get_text("/ensembles?area=Nowhere").await;
    assert!(html.contains("No ensembles match."));

    // Its page: places and the coming Saturdays.
    let page = format!("/ensembles/{}", orchestra.slug);
    let (status, html) = visitor.get_text(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Saturdays, 09:00 to 11:30"), "{html}");
    assert!(
        html.contains("Saturday 19 September 2026"),
        "the first coming rehearsal: {html}"
    );
    assert!(html.contains("Apply for your child"));
    assert_eq!(
        visitor.get("/ensembles/no-such-ensemble").await.status(),
        StatusCode::NOT_FOUND
    );

    // The parent applies from their account.
    let parent = app.logged_in(&family.email).await;
    let form = format!("/parent/ensembles/{}/apply", orchestra.slug);
    let (status, html) = parent.get_text(&form).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Amy"), "{html}");
    // Another family's child: refused beside the child, nothing made.
    let theirs = others.children[0].to_string();
    let r = parent
        .submit(
            &form,
            &form,
            &[("pupil", &theirs), ("instrument", "Violin"), ("grade", "4")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("There is no such pupil."));
    let amy = family.children[0].to_string();
    let r = parent
        .submit(
            &form,
            &form,
            &[("pupil", &amy), ("instrument", "Violin"), ("grade", "4")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/parent/ensembles");
    let (_, html) = parent.get_text("/parent/ensembles").await;
    assert!(html.contains("is now a member of"), "the flash says so: {html}");
    assert!(html.contains(&orchestra.name) && html.contains("Member"));
    assert!(html.contains("Saturday 19 September 2026"), "her rehearsals: {html}");
    // Her calendar feed carries the rehearsals too.
    let (_, html) = parent.get_text("/account/calendar").await;
    let start = html.find("/calendar/").expect("the feed's address");
    let end = start + html[start..].find(".ics").unwrap() + 4;
    let (status, feed) = app.browser().get_text(&html[start..end]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        feed.contains(&format!("SUMMARY:{} rehearsal", orchestra.name)),
        "{feed}"
    );
    assert!(feed.contains("DTSTART;TZID=Europe/London:20260919T090000"), "{feed}");
    // Twice: refused.
    let r = parent
        .submit(&form, &form, &[("pupil", &amy), ("instrument", "Oboe"), ("grade", "4")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("They have already applied to this ensemble (member).")
    );

    // Through the API too, and only for their own child.
    let token = app.token(&family.email).await;
    let path = format!("/api/v1/ensembles/{}/applications", choir.id);
    let (status, body) = post_json(
        &app,
        &token,
        &path,
        json!({"pupil_id": others.children[0], "instrument": "voice"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(field_of(&body), "pupil_id");
    let (status, body) = post_json(&app, &token, &path, json!({"instrument": "voice"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = post_json(
        &app,
        &token,
        &path,
        json!({"pupil_id": family.children[0], "instrument": "voice"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["status"], "accepted");
    // The API's list says each one's kind, level and entry.
    let (status, body) = get_json(&app, &token, "/api/v1/ensembles?area=Darlington").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["total"], 1);
    assert_eq!(body["rows"][0]["kind"], "orchestra");
    assert_eq!(body["rows"][0]["level"], "advanced");
    assert_eq!(body["rows"][0]["entry"], "open");
    assert_eq!(body["rows"][0]["instrumentation"][0]["held"], 1);
}

async fn a_full_instrument_turns_an_applicant_away_until_a_member_leaves(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let admin = an_admin().create(store).await;
    let school = a_school().create(store).await;
    let first = a_family(&school).with_login(PASSWORD).create(store).await;
    let second = a_family(&school).with_login(PASSWORD).create(store).await;
    let teacher = a_teacher().with_login(PASSWORD).create(store).await;
    let band = an_ensemble("Brass Band").wanting(&[("Cornet", 1)]).create(store).await;
    let office = app.token(&admin.email).await;
    let apply = format!("/api/v1/ensembles/{}/applications", band.id);

    // A teacher does not apply.
    let teacher_token = app.token(&teacher.user.as_ref().unwrap().email).await;
    let (status, _) = post_json(
        &app,
        &teacher_token,
        &apply,
        json!({"pupil_id": first.children[0], "instrument": "Cornet"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // An instrument the band has no places for.
    let one = app.token(&first.email).await;
    let (status, body) = post_json(
        &app,
        &one,
        &apply,
        json!({"pupil_id": first.children[0], "instrument": "Harp"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(field_of(&body), "instrument");

    let (status, body) = post_json(
        &app,
        &one,
        &apply,
        json!({"pupil_id": first.children[0], "instrument": "cornet", "grade": 3}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["status"], "accepted");
    assert_eq!(body["instrument"], "Cornet", "spelt as the band spells it");
    let member = body["id"].as_i64().unwrap();

    // The one cornet place is taken: the second waits, and the office cannot accept them.
    let two = app.token(&second.email).await;
    let (status, body) = post_json(
        &app,
        &two,
        &apply,
        json!({"pupil_id": second.children[0], "instrument": "Cornet"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["status"], "waiting");
    let waiting = body["id"].as_i64().unwrap();
    let accept = format!("/api/v1/ensembles/{}/applications/{waiting}/accept", band.id);
    let (status, body) = post_json(&app, &office, &accept, json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(field_of(&body), "instrument");
    assert_eq!(
        body["errors"][0]["message"],
        "Every place for this instrument is taken. The applicant can wait for one."
    );
    // Only the office decides.
    let (status, _) = post_json(&app, &two, &accept, json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Another ensemble's application under this one: 404.
    let other = an_ensemble("Other Band").create(store).await;
    let (status, _) = post_json(
        &app,
        &office,
        &format!("/api/v1/ensembles/{}/applications/{waiting}/accept", other.id),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The member leaves: the place is offered to the one waiting, and the office accepts.
    let (status, body) = post_json(
        &app,
        &office,
        &format!("/api/v1/ensembles/{}/applications/{member}/leave", band.id),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "left");
    let offered = store.ensemble_application(band.id, waiting).await.unwrap().unwrap();
    assert_eq!(offered.status.as_str(), "offered");
    let (status, body) = post_json(&app, &office, &accept, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "accepted");
    // Accepting again: already decided.
    let (status, _) = post_json(&app, &office, &accept, json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let band = store.ensemble(band.id).await.unwrap().unwrap();
    assert_eq!((band.instrumentation[0].held, band.instrumentation[0].waiting), (1, 0));
}

async fn members_are_for_the_office_and_leaders_and_leaders_mark_only_their_own(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let admin = an_admin().create(store).await;
    let school = a_school().create(store).await;
    let family = a_family(&school).with_login(PASSWORD).create(store).await;
    let leader = a_teacher().with_login(PASSWORD).create(store).await;
    let other_leader = a_teacher().with_login(PASSWORD).create(store).await;
    let orchestra = an_ensemble("String Orchestra")
        .led_by(leader.staff.id)
        .on(3)
        .create(store)
        .await;
    let other = an_ensemble("Wind Band")
        .led_by(other_leader.staff.id)
        .create(store)
        .await;
    let parent = app.token(&family.email).await;
    let (status, body) = post_json(
        &app,
        &parent,
        &format!("/api/v1/ensembles/{}/applications", orchestra.id),
        json!({"pupil_id": family.children[0], "instrument": "Cello"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let path = format!("/api/v1/ensembles/{}", orchestra.id);
    let leader_token = app.token(&leader.user.as_ref().unwrap().email).await;
    let other_token = app.token(&other_leader.user.as_ref().unwrap().email).await;
    let office = app.token(&admin.email).await;
    for (token, sees) in [
        (&office, true),
        (&leader_token, true),
        (&other_token, false),
        (&parent, false),
    ] {
        let (status, body) = get_json(&app, token, &path).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["members"].is_array(), sees, "{body}");
        if sees {
            assert_eq!(body["members"][0]["pupil_id"], family.children[0]);
        }
    }
    let (_, body) = get_json(&app, &office, &path).await;
    let rehearsals = body["rehearsals"].as_array().unwrap();
    // Wednesdays from today to the summer, none in half term.
    assert!(rehearsals.len() > 20, "{body}");
    assert_eq!(rehearsals[0]["date"], "2026-09-16");
    assert!(
        rehearsals.iter().all(|r| r["date"] != "2026-10-28"),
        "half term is skipped"
    );
    let rehearsal = rehearsals[0]["id"].as_i64().unwrap();
    assert!(rehearsal > REHEARSAL_ID_BASE, "rehearsal ids are apart from lessons'");
    assert_eq!(
        get_json(&app, &office, "/api/v1/ensembles/999999").await.0,
        StatusCode::NOT_FOUND
    );

    // The leader marks their member present; another ensemble's leader may not; a parent may
    // not mark at all; someone not a member is not on the register.
    let mark = json!({"lesson": rehearsal, "pupil": family.children[0], "mark": "present"});
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/registers", app.base))
        .bearer_auth(&other_token)
        .json(&mark)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/registers", app.base))
        .bearer_auth(&parent)
        .json(&mark)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/registers", app.base))
        .bearer_auth(&leader_token)
        .json(&mark)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let register = store.rehearsal_register(rehearsal).await.unwrap();
    assert_eq!(register[0].mark.as_deref(), Some("present"));
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/registers", app.base))
        .bearer_auth(&leader_token)
        .json(&json!({"lesson": rehearsal, "pupil": 999999, "mark": "present"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // On a phone: the leader's page lists the rehearsal with its register and one-tap marks.
    let phone = app.logged_in(&leader.user.as_ref().unwrap().email).await;
    let (status, html) = phone.get_text("/teacher/ensembles").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&orchestra.name) && html.contains("(Cello)"), "{html}");
    assert!(html.contains("Present"), "{html}");
    // A withdrawn photo consent shows on the leader's register at once (decision 0088).
    let cli = tutti_store::platform::audit::Actor::cli();
    let photos = |given| {
        store.record_consent(
            &cli,
            family.children[0],
            tutti_domain::privacy::ConsentKind::PhotoVideo,
            given,
            tutti_domain::privacy::ConsentHow::Paper,
        )
    };
    photos(true).await.unwrap();
    let (_, html) = phone.get_text("/teacher/ensembles").await;
    assert!(!html.contains("No photos or video"), "{html}");
    photos(false).await.unwrap();
    let (_, html) = phone.get_text("/teacher/ensembles").await;
    assert!(html.contains("No photos or video"), "{html}");
    let pupil = family.children[0].to_string();
    let r = phone
        .submit(
            "/teacher/ensembles",
            &format!("/teacher/rehearsals/{rehearsal}/mark"),
            &[("pupil", &pupil), ("mark", "ill")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("/teacher/ensembles#rehearsal-{rehearsal}"));
    let register = store.rehearsal_register(rehearsal).await.unwrap();
    assert_eq!(register[0].mark.as_deref(), Some("ill"));
    let other_phone = app.logged_in(&other_leader.user.as_ref().unwrap().email).await;
    let r = other_phone
        .submit(
            "/teacher/ensembles",
            &format!("/teacher/rehearsals/{rehearsal}/mark"),
            &[("pupil", &pupil), ("mark", "present")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        store.rehearsal_register(rehearsal).await.unwrap()[0].mark.as_deref(),
        Some("ill"),
        "unchanged"
    );
    // The other ensemble's rehearsal: the first leader is refused there.
    let (_, body) = get_json(&app, &office, &format!("/api/v1/ensembles/{}", other.id)).await;
    let theirs = body["rehearsals"][0]["id"].as_i64().unwrap();
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/registers", app.base))
        .bearer_auth(&leader_token)
        .json(&json!({"lesson": theirs, "outcome": "given"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

async fn the_office_adds_an_ensemble_and_decides_on_its_screens(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let admin = an_admin().create(store).await;
    let school = a_school().create(store).await;
    let family = a_family(&school)
        .first_child("Zoe", date!(2013 - 01 - 10))
        .with_login(PASSWORD)
        .create(store)
        .await;
    let office = app.logged_in(&admin.email).await;
    let (status, html) = office.get_text("/admin/ensembles").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("There are no ensembles yet."));

    // Bad input names its fields and makes nothing.
    let r = office
        .submit(
            "/admin/ensembles/new",
            "/admin/ensembles/new",
            &[
                ("name", ""),
                ("kind", "orchestra"),
                ("level", "county"),
                ("entry", "audition"),
                ("area", "North"),
                ("day", "Friday"),
                ("start", "19:00"),
                ("end", "18:00"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Enter the name of the ensemble"), "{html}");
    assert!(store.ensembles(&Default::default()).await.unwrap().is_empty());

    let r = office
        .submit(
            "/admin/ensembles/new",
            "/admin/ensembles/new",
            &[
                ("name", "County Youth Orchestra"),
                ("kind", "orchestra"),
                ("level", "county"),
                ("entry", "audition"),
                ("area", "North"),
                ("venue", "Music Centre"),
                ("day", "Friday"),
                ("start", "18:00"),
                ("end", "20:30"),
                ("min_age", "11"),
                ("max_age", "18"),
                ("fee", "45.00"),
                ("instrumentation", "Violin: 12\nOboe: 2"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = location(&r);
    let (_, html) = office.get_text(&page).await;
    assert!(html.contains("Ensemble added."), "{html}");
    assert!(html.contains("By audition") && html.contains("£45.00 a term"), "{html}");
    let e = store.ensemble_by_slug("county-youth-orchestra").await.unwrap().unwrap();
    assert_eq!(e.instrumentation.len(), 2);

    // An application by audition waits for the office's decision on the ensemble's page.
    let token = app.token(&family.email).await;
    let (status, body) = post_json(
        &app,
        &token,
        &format!("/api/v1/ensembles/{}/applications", e.id),
        json!({"pupil_id": family.children[0], "instrument": "Oboe", "grade": 6}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["status"], "applied");
    let app_id = body["id"].as_i64().unwrap();
    let (_, html) = office.get_text(&page).await;
    assert!(html.contains("Zoe") && html.contains("Applied"), "{html}");
    let r = office
        .submit(&page, &format!("{page}/applications/{app_id}/accept"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = office.get_text(&page).await;
    assert!(html.contains("Accepted: they are a member."), "{html}");
    assert!(html.contains("No applications are waiting for a decision."));
    // A rehearsal cancelled shows to families on the public page.
    let first = store.rehearsals(e.id, DAY, date!(2027 - 08 - 31)).await.unwrap()[0].id;
    let r = office
        .submit(
            &page,
            &format!("{page}/rehearsals/{first}/cancel"),
            &[("note", "Hall closed")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.browser().get_text("/ensembles/county-youth-orchestra").await;
    assert!(html.contains("Cancelled: Hall closed"), "{html}");
    // And the edit form keeps what was saved.
    let (status, html) = office.get_text(&format!("{page}/edit")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Violin: 12"), "{html}");
}

async fn an_online_ensemble_s_link_shows_to_members_a_short_time_before(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let school = a_school().create(store).await;
    let family = a_family(&school).with_login(PASSWORD).create(store).await;
    // The test's clock stands at noon on a Wednesday: one strand starts at 12:15, one at 18:00.
    let soon = an_ensemble("Online Strings")
        .online_at("https://video.example/strings")
        .on(3)
        .from_to(735, 780)
        .create(store)
        .await;
    let later = an_ensemble("Online Brass")
        .online_at("https://video.example/brass")
        .on(3)
        .from_to(1080, 1140)
        .create(store)
        .await;
    let token = app.token(&family.email).await;
    for e in [&soon, &later] {
        let (status, body) = post_json(
            &app,
            &token,
            &format!("/api/v1/ensembles/{}/applications", e.id),
            json!({"pupil_id": family.children[0], "instrument": "Violin"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let parent = app.logged_in(&family.email).await;
    let (_, html) = parent.get_text("/parent/ensembles").await;
    assert!(html.contains("https://video.example/strings"), "{html}");
    assert!(!html.contains("https://video.example/brass"), "not yet: {html}");
    // Never on the public page.
    let (_, html) = app.browser().get_text(&format!("/ensembles/{}", soon.slug)).await;
    assert!(!html.contains("video.example"));
}
