//! Privacy by law over HTTP, from an empty hub (issue 21): the office logs a request and sees
//! it with its deadline until answered; downloads a person's export (a ZIP of JSON and a
//! readable document); sees what erasure removes and keeps before confirming it; afterwards
//! no page or API answer names them. The API exports and erases for the office only, and a
//! body without `dry_run` changes nothing.
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::macros::date;
use tutti_store::testing::world::{PASSWORD, a_family, a_pupil_login, a_school, an_admin};

use crate::on_both_backends;
use crate::support::{Backend, TestApp};

on_both_backends!(
    a_pupil_reads_what_is_held_and_the_office_records_consent,
    the_office_answers_a_request_and_erases_a_family,
    the_api_exports_and_erases_for_the_office_only
);

/// Early in the autumn term of 2026.
const DAY: time::Date = date!(2026 - 09 - 16);

async fn the_office_answers_a_request_and_erases_a_family(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let admin = an_admin().create(store).await;
    let school = a_school().create(store).await;
    let family = a_family(&school)
        .carer_named("Perpetua Windlestraw")
        .surname("Windlestraw")
        .first_child("Ignatius", date!(2016 - 02 - 11))
        .with_login(PASSWORD)
        .create(store)
        .await;
    let pupil = family.children[0];
    let office = app.logged_in(&admin.email).await;

    // A subject access request is logged, due a calendar month on, and listed.
    let r = office
        .submit(
            "/admin/privacy",
            "/admin/privacy",
            &[
                ("kind", "access"),
                ("subject_kind", "pupil"),
                ("subject_id", &pupil.to_string()),
            ],
        )
        .await;
    assert!(
        r.status().is_redirection() || r.status() == StatusCode::OK,
        "{}",
        r.status()
    );
    let (status, html) = office.get_text("/admin/privacy").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Ignatius Windlestraw"), "{html}");
    assert!(
        html.contains("16/10/2026") || html.contains("16 Oct"),
        "due a month on: {html}"
    );

    // A number that is no record is refused beside its field, and nothing is logged.
    let r = office
        .submit(
            "/admin/privacy",
            "/admin/privacy",
            &[("kind", "erasure"), ("subject_kind", "pupil"), ("subject_id", "999999")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("id=\"subject_id-error\""));

    // The export: a ZIP with the JSON and the readable document; the request is answered.
    let r = office.get(&format!("/admin/privacy/pupil/{pupil}/export")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let zip = r.bytes().await.unwrap();
    assert_eq!(&zip[..4], b"PK\x03\x04");
    let text = String::from_utf8_lossy(&zip);
    assert!(text.contains("export.json") && text.contains("export.html"));
    assert!(text.contains("Ignatius") && text.contains("2016-02-11"));
    assert!(text.contains("Who viewed or changed these records"));
    let (_, html) = office.get_text("/admin/privacy").await;
    assert!(html.contains("No request is waiting"), "answered: {html}");

    // The plan is shown first: what goes, what is kept and why.
    let page = format!("/admin/privacy/pupil/{pupil}");
    let (status, html) = office.get_text(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Removed or emptied") && html.contains("pupils"), "{html}");
    // Not confirmed: nothing is erased.
    let r = office.submit(&page, &format!("{page}/erase"), &[]).await;
    assert!(r.status().is_redirection() || r.status() == StatusCode::OK);
    assert!(
        store
            .subject_label(tutti_store::privacy::subject::Subject::new(
                tutti_store::privacy::subject::SubjectKind::Pupil,
                pupil
            ))
            .await
            .unwrap()
            .contains("Ignatius")
    );
    // Confirmed: the child and the carer are erased; no page names them.
    office
        .submit(&page, &format!("{page}/erase"), &[("confirm", "yes")])
        .await;
    let guardian = store.guardian_ids_for_email(&family.email).await.unwrap()[0];
    let page = format!("/admin/privacy/guardian/{guardian}");
    office
        .submit(&page, &format!("{page}/erase"), &[("confirm", "yes")])
        .await;
    for path in [
        format!("/admin/pupils/{pupil}"),
        format!("/admin/guardians/{guardian}"),
        "/admin/pupils?q=Windlestraw".to_owned(),
        "/admin/search?q=Windlestraw".to_owned(),
        "/admin/audit".to_owned(),
    ] {
        let (_, html) = office.get_text(&path).await;
        // A search page shows what was asked; the answer must not name them.
        let shown = html
            .replace("value=\"Windlestraw\"", "")
            .replace("&#34;Windlestraw&#34;", "")
            .replace("“Windlestraw”", "");
        assert!(
            !shown.contains("Windlestraw") && !html.contains("Ignatius"),
            "{path} names them: {html}"
        );
        assert!(!html.contains(&family.email), "{path} gives their address");
    }
    // Their login is ended.
    let r = app.browser().login(&family.email, PASSWORD).await;
    assert_ne!(r.status(), StatusCode::SEE_OTHER, "they cannot sign in");
    assert!(store.verify_audit().await.unwrap().intact());
}

async fn the_api_exports_and_erases_for_the_office_only(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let admin = an_admin().create(store).await;
    let school = a_school().create(store).await;
    let family = a_family(&school).with_login(PASSWORD).create(store).await;
    let others = a_family(&school).create(store).await;
    let pupil = others.children[0];
    let client = reqwest::Client::new();
    let url = |p: &str| format!("{}{p}", app.base);
    let office = app.token(&admin.email).await;
    let parent = app.token(&family.email).await;

    // A parent may not export or erase another family's child, nor their own: the office's.
    let r = client
        .get(url(&format!("/api/v1/pupils/{pupil}/export")))
        .bearer_auth(&parent)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = client
        .post(url(&format!("/api/v1/pupils/{pupil}/erasure")))
        .bearer_auth(&parent)
        .json(&json!({"dry_run": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // The office's export is a ZIP.
    let r = client
        .get(url(&format!("/api/v1/pupils/{pupil}/export")))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/zip");

    // Without dry_run: 422 naming it, nothing erased.
    let r = client
        .post(url(&format!("/api/v1/pupils/{pupil}/erasure")))
        .bearer_auth(&office)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("dry_run"));

    // A dry run says what goes and what stays, and changes nothing.
    let r = client
        .post(url(&format!("/api/v1/pupils/{pupil}/erasure")))
        .bearer_auth(&office)
        .json(&json!({"dry_run": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["done"], false);
    assert!(
        body["removed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["records"] == "pupils"),
        "{body}"
    );
    let before = client
        .get(url(&format!("/api/v1/pupils/{pupil}")))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(before.contains("Child"), "{before}");

    // Done: the API no longer names them; a missing pupil is 404.
    let r = client
        .post(url(&format!("/api/v1/pupils/{pupil}/erasure")))
        .bearer_auth(&office)
        .json(&json!({"dry_run": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["done"], true);
    let after = client
        .get(url(&format!("/api/v1/pupils/{pupil}")))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !after.contains(&others.email) && !after.contains("2017-05-20"),
        "{after}"
    );
    let r = client
        .post(url("/api/v1/pupils/999999/erasure"))
        .bearer_auth(&office)
        .json(&json!({"dry_run": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

async fn a_pupil_reads_what_is_held_and_the_office_records_consent(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let admin = an_admin().create(store).await;
    let school = a_school().create(store).await;
    let family = a_family(&school)
        .first_child("Winifred", date!(2015 - 04 - 02))
        .create(store)
        .await;
    let pupil = family.children[0];
    let login = a_pupil_login(store, pupil).await;
    let office = app.logged_in(&admin.email).await;

    // The office records a photo consent given on paper, then withdrawn by phone.
    let page = format!("/admin/privacy/pupil/{pupil}");
    let consents = format!("{page}/consents");
    office
        .submit(
            &page,
            &consents,
            &[("kind", "photo-video"), ("given", "yes"), ("how", "paper")],
        )
        .await;
    // Half a form changes nothing.
    office
        .submit(&page, &consents, &[("kind", "photo-video"), ("how", "paper")])
        .await;
    assert_eq!(store.consent_history(pupil).await.unwrap().len(), 1);
    office
        .submit(
            &page,
            &consents,
            &[("kind", "photo-video"), ("given", "no"), ("how", "phone")],
        )
        .await;
    let (_, html) = office.get_text(&page).await;
    assert!(html.contains("Withdrawn"), "{html}");
    assert!(html.contains("Every change, newest first"));
    let (_, html) = office.get_text(&format!("/admin/pupils/{pupil}")).await;
    assert!(html.contains("Photo and video consent"));

    // The pupil reads, in plain words, what is held about them; another role may not.
    let me = app.logged_in(&login.email).await;
    let (status, html) = me.get_text("/pupil/my-data").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("What we know about you"));
    assert!(html.contains("your name, date of birth, school and year"), "{html}");
    assert!(html.contains("Photographs and video: no"), "{html}");
    let (status, _) = office.get_text("/pupil/my-data").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
