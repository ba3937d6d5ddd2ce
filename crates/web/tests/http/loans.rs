//! Instrument loans over HTTP, from an empty hub: the office lends, takes back, moves and
//! reports damage from the instrument's page, sees a pupil's loans and the lists of loans out,
//! due back and overdue; a parent sees their children's loans and accepts the agreement, and
//! nobody else's; the API lends and takes back for the office only. Refusals are named beside
//! their field (pages) or in the problem's `errors` (API), and change nothing.
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::macros::date;
use tutti_store::platform::audit::AuditFilter;
use tutti_store::testing::world::{PASSWORD, a_family, a_loan, a_school, a_teacher, an_admin, an_instrument};

use crate::on_both_backends;
use crate::support::{Backend, TestApp, location};

on_both_backends!(
    the_office_lends_takes_back_and_moves_from_the_instrument_page,
    a_parent_accepts_the_agreement_for_their_own_child_only,
    the_api_lends_and_takes_back_for_the_office_only
);

/// Early in the autumn term of 2026.
const DAY: time::Date = date!(2026 - 09 - 16);

fn error_on<'a>(html: &'a str, field: &str) -> &'a str {
    let marker = format!("id=\"{field}-error\"><span class=\"visually-hidden\">Error:</span> ");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no error next to {field}: {html}"))
        + marker.len();
    &html[start..start + html[start..].find("</p>").unwrap()]
}

async fn the_office_lends_takes_back_and_moves_from_the_instrument_page(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let admin = an_admin().create(store).await;
    let school = a_school().create(store).await;
    let amy = a_family(&school)
        .first_child("Amy", date!(2017 - 05 - 20))
        .create(store)
        .await;
    let ben = a_family(&school)
        .first_child("Ben", date!(2017 - 06 - 20))
        .create(store)
        .await;
    let violin = an_instrument().create(store).await;
    let office = app.logged_in(&admin.email).await;
    let page = format!("/admin/instruments/{}", violin.id);
    let lend = format!("{page}/lend");

    let (status, html) = office.get_text(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("It is in store. The hire charge is £15.00 a term"),
        "{html}"
    );
    assert!(html.contains("It has never been lent."));

    // A pupil not on the roll, and no date: said beside each field, nothing lent.
    let r = office
        .submit(&page, &lend, &[("pupil_ref", "NOPE1"), ("from", "")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert_eq!(
        error_on(&html, "pupil_ref"),
        "No pupil on the roll has the reference NOPE1"
    );
    assert_eq!(error_on(&html, "from"), "Enter the day the loan starts");
    assert!(html.contains("value=\"NOPE1\""), "the input is kept");
    assert_eq!(store.instrument(violin.id).await.unwrap().unwrap().status, "available");

    // Lent to Amy from the start of term, the agreement signed on paper.
    let r = office
        .submit(
            &page,
            &lend,
            &[
                ("pupil_ref", amy.pupil_refs[0].as_str()),
                ("from", "2026-09-07"),
                ("due", ""),
                ("agreement_on_paper", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), page);
    let (_, html) = office.get_text(&page).await;
    assert!(html.contains("Instrument lent."), "the flash says so");
    assert!(html.contains("Lent to") && html.contains("Amy Family"), "{html}");
    assert!(html.contains("07/09/2027"), "due back a year on: {html}");
    assert!(html.contains("Signed on paper"));
    assert_eq!(store.instrument(violin.id).await.unwrap().unwrap().status, "on-loan");

    // Lent again while out: refused, nothing changed.
    let r = office
        .submit(
            &page,
            &lend,
            &[("pupil_ref", ben.pupil_refs[0].as_str()), ("from", "2026-09-08")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains(&format!(
            "<a href=\"#loan\">Instrument {} is already on loan. Return it before lending it again.</a>",
            violin.serial
        )),
        "the summary says so, linked to the loan: {html}"
    );

    // The pupil's page and the office's lists show it.
    let (_, html) = office.get_text(&format!("/admin/pupils/{}", amy.children[0])).await;
    assert!(html.contains("Instruments on loan"));
    assert!(html.contains(&violin.serial), "{html}");
    let (status, html) = office.get_text("/admin/loans").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&violin.serial));
    let (_, html) = office.get_text("/admin/loans?filter=overdue").await;
    assert!(html.contains("No loans are overdue."));
    let (_, html) = office
        .get_text(&format!("/admin/loans?filter=all&q={}", amy.pupil_refs[0]))
        .await;
    assert!(html.contains(&violin.serial) && html.contains("1 found"), "{html}");
    let (_, html) = office.get_text("/admin/loans?q=nobody-like-this").await;
    assert!(html.contains("No loans match"));

    let loan = store
        .loans_of_pupils(&tutti_store::records::pupils::PupilScope::All, Some(amy.children[0]))
        .await
        .unwrap()[0]
        .id;

    // Taken back before it went out: refused beside the date.
    let r = office
        .submit(
            &page,
            &format!("/admin/loans/{loan}/return"),
            &[("return_date", "2026-09-01"), ("condition", "good")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert_eq!(
        error_on(&html, "return_date"),
        "The date cannot be before the loan started (2026-09-07)."
    );

    // Moved to Ben in one step.
    let r = office
        .submit(
            &page,
            &format!("/admin/loans/{loan}/move"),
            &[
                ("move_pupil_ref", ben.pupil_refs[0].as_str()),
                ("move_date", "2026-10-01"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let bens = store
        .loans_of_pupils(&tutti_store::records::pupils::PupilScope::All, Some(ben.children[0]))
        .await
        .unwrap()[0]
        .id;

    // Ben's comes back damaged: to repair, and not lendable.
    let r = office
        .submit(
            &page,
            &format!("/admin/loans/{bens}/damaged"),
            &[("damaged_date", "2026-10-05")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = office.get_text(&page).await;
    assert!(html.contains("It cannot be lent now. It is being repaired."), "{html}");
    assert_eq!(
        html.matches("<td data-label=\"Status\">Returned</td>").count(),
        1,
        "{html}"
    );
    assert_eq!(
        html.matches("<td data-label=\"Status\">Damaged</td>").count(),
        1,
        "{html}"
    );
    assert_eq!(store.instrument(violin.id).await.unwrap().unwrap().status, "in-repair");

    // A loan that does not exist.
    let r = office
        .submit(&page, "/admin/loans/987654/return", &[("return_date", "2026-10-05")])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

async fn a_parent_accepts_the_agreement_for_their_own_child_only(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let school = a_school().create(store).await;
    let family = a_family(&school).with_login(PASSWORD).create(store).await;
    let others = a_family(&school).with_login(PASSWORD).create(store).await;
    let teacher = a_teacher().with_login(PASSWORD).create(store).await;
    let (violin, cello) = (
        an_instrument().create(store).await,
        an_instrument().of_type("cello").create(store).await,
    );
    let start = date!(2026 - 09 - 07);
    let mine = a_loan(violin.id, family.children[0]).from(start).create(store).await;
    let theirs = a_loan(cello.id, others.children[0]).from(start).create(store).await;
    let parent = app.logged_in(&family.email).await;

    let (status, html) = parent.get_text("/parent/loans").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&violin.serial) && !html.contains(&cello.serial), "{html}");
    assert!(html.contains(&format!("href=\"/parent/loans/{mine}\"")));
    let (_, html) = parent.get_text("/account").await;
    assert!(html.contains("href=\"/parent/loans\""), "the dashboard links to it");

    // Another family's loan: not found, to read or to accept.
    let (status, _) = parent.get_text(&format!("/parent/loans/{theirs}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let r = parent
        .submit("/parent/loans", &format!("/parent/loans/{theirs}/accept"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(
        store
            .loan(&tutti_store::records::pupils::PupilScope::All, theirs)
            .await
            .unwrap()
            .unwrap()
            .agreement_accepted_at
            .is_none()
    );

    // Their own: the agreement's words in the hub's name, with the charge; accepted, who and
    // when recorded and audited.
    let agreement = format!("/parent/loans/{mine}");
    let (_, html) = parent.get_text(&agreement).await;
    assert!(
        html.contains(&format!(
            "Tutti Music Hub lends your child the violin with the serial number {}.",
            violin.serial
        )),
        "{html}"
    );
    assert!(html.contains("£15.00 a term"));
    assert!(html.contains("Accept the agreement"));
    let r = parent.submit(&agreement, &format!("{agreement}/accept"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = parent.get_text(&agreement).await;
    assert!(html.contains("you have accepted the loan agreement"), "{html}");
    assert!(html.contains(&format!("Accepted online by {}", family.email)), "{html}");
    assert!(!html.contains("<button type=\"submit\">Accept"));
    let events = store
        .audit_events(&AuditFilter {
            entity: "instrument_loan".into(),
            entity_id: Some(mine),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        events
            .rows
            .iter()
            .any(|e| e.summary.contains("agreement accepted online")),
        "audited"
    );

    // A teacher may not lend or see parents' pages; nobody signed in is sent to log in.
    let teacher = app.logged_in(&teacher.user.unwrap().email).await;
    let (status, _) = teacher.get_text("/parent/loans").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let r = teacher
        .submit(
            "/account",
            &format!("/admin/instruments/{}/lend", cello.id),
            &[("pupil_ref", family.pupil_refs[0].as_str()), ("from", "2026-09-20")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app.browser().get("/parent/loans").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/login"));
}

async fn the_api_lends_and_takes_back_for_the_office_only(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let admin = an_admin().create(store).await;
    let school = a_school().create(store).await;
    let family = a_family(&school).with_login(PASSWORD).create(store).await;
    let others = a_family(&school).with_login(PASSWORD).create(store).await;
    let teacher = a_teacher().with_login(PASSWORD).create(store).await;
    let violin = an_instrument().create(store).await;
    let client = reqwest::Client::new();
    let url = |p: &str| format!("{}{p}", app.base);
    let office = app.token(&admin.email).await;
    let fields = |body: &Value| -> Vec<String> {
        body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect()
    };

    // Nobody signed in; a teacher; a body missing its fields.
    let r = client.get(url("/api/v1/loans")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body = json!({"instrument_id": violin.id, "pupil_id": family.children[0], "from": "2026-09-07"});
    let teachers = app.token(&teacher.user.unwrap().email).await;
    let r = client
        .post(url("/api/v1/loans"))
        .bearer_auth(&teachers)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = client
        .post(url("/api/v1/loans"))
        .bearer_auth(&office)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fields(&r.json().await.unwrap()),
        vec!["instrument_id", "pupil_id", "from"]
    );

    // Lent; lent again is a conflict naming the instrument.
    let r = client
        .post(url("/api/v1/loans"))
        .bearer_auth(&office)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let loan: Value = r.json().await.unwrap();
    assert_eq!(loan["status"], "on-loan");
    assert_eq!(loan["due"], "2027-09-07");
    assert_eq!(loan["serial"], violin.serial.as_str());
    let id = loan["id"].as_i64().unwrap();
    let r = client
        .post(url("/api/v1/loans"))
        .bearer_auth(&office)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(fields(&r.json().await.unwrap()), vec!["instrument_id"]);

    // The family sees it; another family does not; a filter not of its shape is 422.
    for (email, rows) in [(&family.email, 1), (&others.email, 0)] {
        let token = app.token(email).await;
        let page: Value = client
            .get(url("/api/v1/loans"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(page["rows"].as_array().unwrap().len(), rows, "{email}");
        assert_eq!(page["total"], rows);
    }
    let r = client
        .get(url("/api/v1/loans?filter=lost-ones"))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Back: not before it went out, then in good condition, then not twice.
    let back = format!("/api/v1/loans/{id}/return");
    let r = client
        .post(url(&back))
        .bearer_auth(&office)
        .json(&json!({"date": "2026-09-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(fields(&r.json().await.unwrap()), vec!["date"]);
    let r = client
        .post(url(&back))
        .bearer_auth(&office)
        .json(&json!({"date": "2026-10-01", "condition": "excellent-ish"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = client
        .post(url(&back))
        .bearer_auth(&office)
        .json(&json!({"date": "2026-10-01", "condition": "good"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let loan: Value = r.json().await.unwrap();
    assert_eq!(
        (loan["status"].as_str(), loan["ended"].as_str()),
        (Some("returned"), Some("2026-10-01"))
    );
    let r = client
        .post(url(&back))
        .bearer_auth(&office)
        .json(&json!({"date": "2026-10-02"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let r = client
        .post(url("/api/v1/loans/987654/return"))
        .bearer_auth(&office)
        .json(&json!({"date": "2026-10-02"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(store.instrument(violin.id).await.unwrap().unwrap().status, "available");
    let all: Value = client
        .get(url("/api/v1/loans?filter=all"))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(all["total"], 1);
    assert_eq!(all["rows"][0]["return_condition"], "good");
}
