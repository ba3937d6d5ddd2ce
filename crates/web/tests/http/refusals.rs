//! A rule's refusal reaches people in the domain's words: the API answers 409 with the
//! sentence a page would show and names the field at fault.
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::macros::date;
use tutti_store::platform::accounts::{NewUser, Role};
use tutti_store::platform::audit::Actor;
use tutti_store::testing::world::{a_family, a_school};

use crate::on_both_backends;
use crate::support::TestApp;

on_both_backends!(an_api_refusal_says_the_domain_s_words_and_names_its_field);

async fn an_api_refusal_says_the_domain_s_words_and_names_its_field(backend: crate::support::Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, date!(2026 - 09 - 14)).await else {
        return;
    };
    let school = a_school().create(&app.store).await;
    let family = a_family(&school)
        .with_child("Amy", date!(2017 - 05 - 01))
        .create(&app.store)
        .await;
    let office = app
        .store
        .create_user(NewUser {
            email: "office@hub.example".into(),
            name: "Office Person".into(),
            password: "a long office password".into(),
            role: Role::Admin,
            email_verified: true,
            school_id: None,
            staff_id: None,
            pupil_id: None,
            is_demo: false,
        })
        .await
        .unwrap();
    let token = app
        .store
        .create_api_token(&Actor::cli(), office.id, "script")
        .await
        .unwrap();
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/enrolments", app.base))
        .bearer_auth(&token)
        .json(&json!({
            "pupil_id": family.children[0], "instrument": "Violin", "lesson_type": "individual",
            "minutes": 30, "start_date": "2026-09-21", "teacher_id": 99999
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["detail"], "There is no teacher 99999.");
    assert_eq!(
        body["errors"],
        json!([{"field": "teacher_id", "message": "There is no teacher 99999."}])
    );
}
