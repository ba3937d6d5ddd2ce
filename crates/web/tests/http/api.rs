//! The JSON API: bearer tokens, the same role rules as the screens, 404 for someone else's
//! pupil, CSRF only for cookie sessions, and an OpenAPI document whose every path answers.
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::macros::date;
use tutti_store::testing::world::{PASSWORD, a_family, a_school, a_school_contact, a_teacher, an_admin};

use crate::on_both_backends;
use crate::support::{Backend, TestApp, declared_only};

on_both_backends!(
    api_follows_the_screens_rules,
    every_list_is_one_page_shape_and_refusals_name_the_field,
    every_documented_path_answers,
    tokens_are_made_listed_and_revoked_on_the_account_page
);

/// An autumn day of term: the tests' clock stands there.
const TODAY: time::Date = date!(2026 - 10 - 05);

async fn api_follows_the_screens_rules(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, TODAY).await else {
        return;
    };
    let school = a_school().create(&app.store).await;
    let family = a_family(&school)
        .first_child("Ada", date!(2017 - 03 - 01))
        .with_child("Ben", date!(2019 - 06 - 01))
        .with_login(PASSWORD)
        .create(&app.store)
        .await;
    // Another family at the same school, whose child the first family must not see.
    let other = a_family(&school).create(&app.store).await;
    let contact = a_school_contact(&school).create(&app.store).await;
    let office = an_admin().create(&app.store).await;
    let school_id = school.id;
    let client = reqwest::Client::new();
    let url = |p: &str| format!("{}{p}", app.base);
    let r = client.get(url("/api/v1/pupils")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = client
        .get(url("/api/v1/pupils"))
        .bearer_auth("tutti_wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let admin = app.token(&office.email).await;
    let r = client
        .post(url("/api/v1/schools"))
        .bearer_auth(&admin)
        .json(&json!({"urn": "199002", "name": "API Primary", "phase": "primary", "type": "academy", "postcode": "dl1 5qe"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "a bearer write needs no CSRF token");
    let school: Value = r.json().await.unwrap();
    assert_eq!(school["postcode"], "DL1 5QE");
    assert_eq!(school["billing"], "invoice");
    let r = client
        .post(url("/api/v1/schools"))
        .bearer_auth(&admin)
        .json(&json!({"urn": "1", "name": "", "phase": "college", "type": "academy"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["urn", "name", "phase"]);

    // A parent sees their own children, with medical details; not anyone else's.
    let parent = app.token(&family.email).await;
    let mine: Value = client
        .get(url("/api/v1/pupils"))
        .bearer_auth(&parent)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rows = mine["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "the parent has two children");
    let own_id = rows[0]["id"].as_i64().unwrap();
    let r = client
        .get(url(&format!("/api/v1/pupils/{own_id}")))
        .bearer_auth(&parent)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let own: Value = r.json().await.unwrap();
    assert_eq!(own["redacted"], false);
    let stranger = other.children[0];
    let r = client
        .get(url(&format!("/api/v1/pupils/{stranger}")))
        .bearer_auth(&parent)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = client
        .get(url("/api/v1/schools"))
        .bearer_auth(&parent)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // A school contact sees its roll without SEND or medical notes.
    let school_token = app.token(&contact.email).await;
    let roll: Value = client
        .get(url("/api/v1/pupils?per_page=5"))
        .bearer_auth(&school_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first = roll["rows"][0]["id"].as_i64().unwrap();
    let p: Value = client
        .get(url(&format!("/api/v1/pupils/{first}")))
        .bearer_auth(&school_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(p["redacted"], true);
    assert!(p["medical_notes"].is_null() && p["send"].is_null());

    // A signed-in browser needs the CSRF header for writes.
    let browser = app.logged_in(&office.email).await;
    let r = browser
        .client
        .post(url(&format!("/api/v1/schools/{school_id}/archive")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let events: Value = client
        .get(url(&format!("/api/v1/audit-events?entity=pupil&entity_id={own_id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // Every reading of a pupil's record is logged: the parent's, and the school's after it.
    let views: Vec<&str> = events["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "view")
        .map(|e| e["actor"].as_str().unwrap())
        .collect();
    assert!(views.contains(&family.email.as_str()), "{events}");
}

async fn every_documented_path_answers(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, TODAY).await else {
        return;
    };
    // Records with the ids the paths are called with, so handlers answer, not only 404s.
    let school = a_school().create(&app.store).await;
    a_family(&school).create(&app.store).await;
    a_teacher().create(&app.store).await;
    let office = an_admin().create(&app.store).await;
    let client = reqwest::Client::new();
    let admin = app.token(&office.email).await;
    let doc: Value = client
        .get(format!("{}/api/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 13);
    for (path, item) in paths {
        let concrete = path.replace("{id}", "1");
        for method in item.as_object().unwrap().keys() {
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let mut req = client.request(m, format!("{}{concrete}", app.base)).bearer_auth(&admin);
            if method != "get" {
                req = req.json(&json!({}));
            }
            let r = req.send().await.unwrap();
            let status = r.status();
            // A missing record is a problem (JSON) from the handler; a missing route is the
            // HTML page.
            let json = r
                .headers()
                .get("content-type")
                .is_some_and(|v| v.to_str().unwrap_or("").starts_with("application/problem+json"));
            assert!(
                (status != StatusCode::NOT_FOUND || json)
                    && status != StatusCode::METHOD_NOT_ALLOWED
                    && !status.is_server_error(),
                "{method} {path} answered {status}"
            );
        }
    }
}

async fn tokens_are_made_listed_and_revoked_on_the_account_page(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, TODAY).await else {
        return;
    };
    let school = a_school().create(&app.store).await;
    let family = a_family(&school)
        .with_child("Cal", date!(2018 - 01 - 10))
        .with_login(PASSWORD)
        .create(&app.store)
        .await;
    let teacher_login = a_teacher().with_login(PASSWORD).create(&app.store).await.user.unwrap();
    let parent = app.logged_in(&family.email).await;
    let (_, html) = parent.get_text("/account").await;
    assert!(
        html.contains("href=\"/account/tokens\""),
        "the account page links to tokens"
    );
    let (status, html) = parent.get_text("/account/tokens").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("You have no tokens."));

    let r = parent
        .submit("/account/tokens", "/account/tokens", &[("name", "  ")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Give the token a name"));

    let r = parent
        .submit(
            "/account/tokens",
            "/account/tokens",
            &[("name", "Home spreadsheet"), ("scope", "read_write"), ("days", "90")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let html = r.text().await.unwrap();
    let marker = "<code id=\"new-token\">";
    let start = html.find(marker).expect("the secret is shown once") + marker.len();
    let secret = html[start..start + html[start..].find('<').unwrap()].to_owned();
    assert!(secret.starts_with("tutti_"), "{secret}");

    // The token works, as the parent: their own children only.
    let client = reqwest::Client::new();
    let r = client
        .get(format!("{}/api/v1/pupils", app.base))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["total"], 2, "{body}");

    let (_, html) = parent.get_text("/account/tokens").await;
    assert!(html.contains("Home spreadsheet"));
    assert!(!html.contains(&secret), "the secret is never shown again");
    assert!(
        !html.contains("<td data-label=\"Last used\">Never</td>"),
        "the call was recorded as its last use"
    );
    let id = app.store.api_tokens_of(family.user.as_ref().unwrap().id).await.unwrap()[0].id;

    // Someone else cannot revoke it.
    let teacher = app.logged_in(&teacher_login.email).await;
    let r = teacher
        .submit("/account/tokens", &format!("/account/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    let r = parent
        .submit("/account/tokens", &format!("/account/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = parent.get_text("/account/tokens").await;
    assert!(html.contains("The token was revoked") && html.contains("You have no tokens."));
    let r = client
        .get(format!("{}/api/v1/pupils", app.base))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

async fn every_list_is_one_page_shape_and_refusals_name_the_field(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, TODAY).await else {
        return;
    };
    let school = a_school().create(&app.store).await;
    for _ in 0..3 {
        a_family(&school).create(&app.store).await;
    }
    let teacher = a_teacher().create(&app.store).await;
    let office = an_admin().create(&app.store).await;
    let client = reqwest::Client::new();
    let admin = app.token(&office.email).await;
    let get = |path: String| {
        let r = client.get(format!("{}{path}", app.base)).bearer_auth(&admin).send();
        async move {
            let r = r.await.unwrap();
            let status = r.status();
            (status, r.json::<Value>().await.unwrap())
        }
    };
    let timetable = format!(
        "/api/v1/timetable?teacher={}&from=2026-09-01&to=2026-12-31",
        teacher.staff.id
    );
    // One shape for every list, paged by the same two parameters.
    for list in [
        "/api/v1/schools",
        "/api/v1/pupils",
        "/api/v1/staff",
        "/api/v1/instruments",
        "/api/v1/audit-events",
        "/api/v1/enrolments",
        "/api/v1/applications",
        "/api/v1/invoices",
        "/api/v1/charging-policies",
        timetable.as_str(),
    ] {
        let sep = if list.contains('?') { '&' } else { '?' };
        let (status, page) = get(format!("{list}{sep}per_page=2&page=1")).await;
        assert_eq!(status, StatusCode::OK, "{list}: {page}");
        let mut keys: Vec<&str> = page.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["capped", "page", "per_page", "rows", "total"], "{list}");
        assert!(page["rows"].as_array().unwrap().len() <= 2, "{list}");
        assert_eq!(
            (page["page"].as_u64(), page["per_page"].as_u64()),
            (Some(1), Some(2)),
            "{list}"
        );
        // Outside the documented range, the parameter is named.
        let (status, problem) = get(format!("{list}{sep}per_page=201")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{list}");
        assert_eq!(problem["errors"][0]["field"], "per_page", "{list}");
        let (status, problem) = get(format!("{list}{sep}page=0")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{list}");
        assert_eq!(problem["errors"][0]["field"], "page", "{list}");
    }
    let (status, problem) = get("/api/v1/enrolments?status=dormant".into()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "status");

    // A body: not sent as JSON (415), not JSON (400), a value of the wrong type (422 naming it).
    let post = |body: &'static str, media: &'static str| {
        let r = client
            .post(format!("{}/api/v1/make-ups", app.base))
            .bearer_auth(&admin)
            .header("content-type", media)
            .body(body)
            .send();
        async move {
            let r = r.await.unwrap();
            let media = r.headers()["content-type"].to_str().unwrap().to_owned();
            (r.status(), media, r.json::<Value>().await.unwrap())
        }
    };
    // A body declared over the limit is refused from its headers, before a byte is read.
    // (Sent as headers alone: a client still writing 5 MB when the refusal closes the
    // connection sees a broken pipe, not the answer.)
    {
        let bearer = format!("Bearer {admin}");
        let json = [("Authorization", bearer.as_str()), ("Content-Type", "application/json")];
        let answer = declared_only(&app.base, "/api/v1/make-ups", &json, 5 * 1024 * 1024)
            .await
            .to_lowercase();
        assert!(answer.starts_with("http/1.1 413"), "{answer}");
        assert!(answer.contains("content-type: application/problem+json"), "{answer}");
    }
    let (status, media, _) = post("{}", "text/plain").await;
    assert_eq!(
        (status, media.as_str()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "application/problem+json")
    );
    let (status, _, _) = post("{\"lesson\": ", "application/json").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, problem) = post("{\"lesson\": \"first\"}", "application/json").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "lesson");
    // A whole number written with a fraction of zero is that number; missing fields are named.
    let (status, _, problem) = post("{\"lesson\": 12.0}", "application/json").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["date", "start"]);
}
