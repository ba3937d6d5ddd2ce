//! Observing an app server: readiness beside health, the request id in and out, the metrics
//! (open to this machine or the metrics token, never to a visitor behind the proxy), and a
//! billing run as a job: 200 with the report when it finishes within the request, 409 while
//! another runs (on any app server), and its job readable by the office alone.
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use time::macros::date;
use tutti_domain::calendar::TermId;
use tutti_store::platform::audit::Actor;
use tutti_store::testing::world::{PASSWORD, a_family, an_admin};
use tutti_web::WebConfig;

use crate::on_both_backends;
use crate::support::{Backend, TestApp};

on_both_backends!(
    ready_and_healthy_with_a_request_id_in_and_out,
    metrics_are_for_this_machine_or_the_token,
    a_billing_run_is_a_job_run_once,
);

const DAY: time::Date = date!(2026 - 09 - 16);

async fn ready_and_healthy_with_a_request_id_in_and_out(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let client = Client::new();
    for path in ["/healthz", "/readyz"] {
        let r = client.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert!(r.headers().get("x-request-id").is_some(), "{path} names its request");
    }
    // The caller's id is kept; a hostile one is replaced.
    let r = client
        .get(format!("{}/healthz", app.base))
        .header("X-Request-Id", "lb-1234.abc")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "lb-1234.abc");
    let r = client
        .get(format!("{}/healthz", app.base))
        .header("X-Request-Id", "a b<script>")
        .send()
        .await
        .unwrap();
    assert_ne!(r.headers()["x-request-id"], "a b<script>");
    // Two requests, two ids.
    let one = client.get(format!("{}/nowhere", app.base)).send().await.unwrap();
    let two = client.get(format!("{}/nowhere", app.base)).send().await.unwrap();
    assert_ne!(one.headers()["x-request-id"], two.headers()["x-request-id"]);
}

async fn metrics_are_for_this_machine_or_the_token(backend: Backend) {
    // Behind a trusted proxy, the visitor's address is the forwarded one.
    let config = WebConfig {
        trust_proxy: true,
        metrics_token: Some("m3trics-t0ken".into()),
        ..WebConfig::default()
    };
    let Some(app) = TestApp::spawn_empty_with(backend, config, DAY).await else {
        return;
    };
    let client = Client::new();
    let family = a_family(&tutti_store::testing::world::a_school().create(&app.store).await)
        .with_login(PASSWORD)
        .create(&app.store)
        .await;
    // A wrong password counts as a login failure.
    let b = app.browser();
    let r = b.login(&family.email, "not the password").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    client.get(format!("{}/healthz", app.base)).send().await.unwrap();
    app.store
        .send_mail("someone@example.org", "Hello", "Body")
        .await
        .unwrap();

    let metrics = |forwarded: Option<&'static str>, token: Option<&'static str>| {
        let mut r = client.get(format!("{}/metrics", app.base));
        if let Some(f) = forwarded {
            r = r.header("X-Forwarded-For", f);
        }
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send()
    };
    // From this machine (no proxy in between): open.
    let r = metrics(None, None).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = r.text().await.unwrap();
    for expected in [
        "http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 1",
        "http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"} 1",
        "http_requests_total{route=\"/login\",method=\"POST\",status=\"422\"} 1",
        "tutti_login_failures_total{reason=\"password\"} 1",
        "tutti_outbox_backlog 1",
        "tutti_jobs_running 0",
        "tutti_db_pool_max_connections",
    ] {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }
    // Raw paths never become labels: the route's template does.
    assert!(!text.contains("route=\"/nowhere"), "{text}");
    // A visitor from outside, through the proxy: refused, with or without a wrong token.
    let r = metrics(Some("203.0.113.9"), None).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = metrics(Some("203.0.113.9"), Some("guess")).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // With the token, from anywhere.
    let r = metrics(Some("203.0.113.9"), Some("m3trics-t0ken")).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

async fn a_billing_run_is_a_job_run_once(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let admin = an_admin().create(&app.store).await;
    let token = app.token(&admin.email).await;
    let family = a_family(&tutti_store::testing::world::a_school().create(&app.store).await)
        .with_login(PASSWORD)
        .create(&app.store)
        .await;
    let parent_token = app.token(&family.email).await;
    let client = Client::new();
    let run = || {
        client
            .post(format!("{}/api/v1/billing-runs", app.base))
            .bearer_auth(&token)
            .json(&json!({"term": "2026-autumn"}))
            .send()
    };
    // A run that finishes within the request answers as it always has: 200, the report.
    let r = run().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["term"], "2026-autumn");
    assert_eq!(report["invoice_count"], 0);

    // While a run is under way (started here by another app server, say), a second is
    // refused, and the running one's job is there to follow.
    let other = app
        .store
        .start_billing_job(&Actor::cli(), TermId::parse("2026-spring").unwrap())
        .await
        .unwrap();
    let r = run().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let problem: Value = r.json().await.unwrap();
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("already in progress"),
        "{problem}"
    );
    let job = |who: &str, id: i64| {
        client
            .get(format!("{}/api/v1/jobs/{id}", app.base))
            .bearer_auth(who.to_owned())
            .send()
    };
    let r = job(&token, other.id).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let state: Value = r.json().await.unwrap();
    assert_eq!(state["status"], "running");
    assert_eq!(state["kind"], "billing_run");
    assert_eq!(state["href"], format!("/api/v1/jobs/{}", other.id));
    // Not a parent's to see; no such job is 404.
    assert_eq!(
        job(&parent_token, other.id).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(job(&token, 987_654).await.unwrap().status(), StatusCode::NOT_FOUND);
    // The office's screen says so too, and starts nothing.
    let office = app.logged_in(&admin.email).await;
    let r = office
        .submit("/admin/billing", "/admin/billing/run", &[("term", "2026-autumn")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = office.get_text("/admin/billing").await;
    assert!(html.contains("already in progress"), "the office is told");
}
