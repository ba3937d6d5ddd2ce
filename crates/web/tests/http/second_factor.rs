//! Second factors over HTTP: an admin must enrol one before any office page (the demo's own
//! accounts excepted), TOTP confirmed with a code from the page's secret, asked for after the
//! password from then on, never accepted twice, recovery codes single-use, and tokens made at
//! the command line not behind it. Passkeys are tried in Chromium (tests/browser). Each test
//! starts from an empty hub and builds the people it needs.
use reqwest::StatusCode;
use tutti_store::platform::accounts::{NewUser, Role};
use tutti_store::platform::audit::Actor;
use tutti_store::testing::world::a_teacher;

use crate::on_both_backends;
use crate::support::{Browser, TestApp, csrf_token, location};

on_both_backends!(
    an_admin_enrols_an_app_before_any_office_page_then_gives_it_at_each_login,
    a_teacher_may_enrol_and_is_then_asked_too,
);

const PASSWORD: &str = "a real admin passphrase";

async fn office_user(app: &TestApp, email: &str, is_demo: bool) -> i64 {
    app.store
        .create_user(NewUser {
            email: email.into(),
            name: "Office Person".into(),
            password: PASSWORD.into(),
            role: Role::Admin,
            email_verified: true,
            school_id: None,
            staff_id: None,
            pupil_id: None,
            is_demo,
        })
        .await
        .unwrap()
        .id
}

/// The base32 key shown on the security page.
fn key_on(html: &str) -> Vec<u8> {
    let marker = "<code id=\"totp-key\">";
    let start = html.find(marker).expect("the key on the page") + marker.len();
    let end = start + html[start..].find('<').unwrap();
    tutti_auth::totp::base32_decode(&html[start..end]).expect("a base32 key")
}

fn code_now(app: &TestApp, key: &[u8]) -> String {
    tutti_auth::totp::code_at(key, app.store.now().unix_timestamp())
}

async fn give_code(b: &Browser, code: &str, next: &str) -> reqwest::Response {
    let (_, html) = b.get_text(&format!("/login/second-factor?next={next}")).await;
    let csrf = csrf_token(&html).expect("a form on the second-factor page");
    b.post_raw(
        "/login/second-factor",
        &[("csrf_token", csrf.as_str()), ("code", code), ("next", next)],
    )
    .await
}

async fn an_admin_enrols_an_app_before_any_office_page_then_gives_it_at_each_login(backend: crate::support::Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, time::macros::date!(2026 - 11 - 10)).await else {
        return;
    };
    let id = office_user(&app, "office@hub.example", false).await;
    let b = app.browser();
    assert_eq!(
        b.login("office@hub.example", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    // Every office page waits for a second factor; the account pages do not.
    for page in ["/admin/users", "/admin/outbox", "/admin/pupils", "/account/tokens"] {
        let r = b.get(page).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{page}");
        assert!(
            location(&r).starts_with("/account/security?next="),
            "{page}: {}",
            location(&r)
        );
    }
    assert_eq!(b.get("/account").await.status(), StatusCode::OK);
    // A token made at the command line is not behind the second factor.
    let token = app.store.create_api_token(&Actor::cli(), id, "script").await.unwrap();
    let r = reqwest::Client::new()
        .get(format!("{}/api/v1/schools", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // The page shows a QR code and the key; a wrong code is refused by name.
    let (status, html) = b.get_text("/account/security?next=/admin/users").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<svg") && html.contains("QR code for your authenticator app"));
    let key = key_on(&html);
    let csrf = csrf_token(&html).unwrap();
    let r = b
        .post_raw(
            "/account/security/totp",
            &[
                ("csrf_token", csrf.as_str()),
                ("code", "000000"),
                ("next", "/admin/users"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("not the one your app shows"));
    // The right code sets it up and shows ten recovery codes once.
    let (_, html) = b.get_text("/account/security").await;
    assert_eq!(key_on(&html), key, "the pending key stays while the page is reloaded");
    let code = code_now(&app, &key);
    let r = b
        .post_raw(
            "/account/security/totp",
            &[("csrf_token", csrf.as_str()), ("code", code.as_str())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    let codes: Vec<String> = html
        .split("<li><code>")
        .skip(1)
        .map(|s| s[..s.find('<').unwrap()].to_owned())
        .collect();
    assert_eq!(codes.len(), 10, "{html}");
    assert!(
        !b.get_text("/account/security").await.1.contains(&codes[0]),
        "shown once"
    );
    assert_eq!(b.get("/admin/users").await.status(), StatusCode::OK);

    // Next login: the password alone is not enough.
    b.submit("/account", "/logout", &[]).await;
    let r = b.login("office@hub.example", PASSWORD).await;
    assert_eq!(location(&r), "/login/second-factor?next=%2Faccount");
    let r = b.get("/admin/users").await;
    assert!(
        location(&r).starts_with("/login/second-factor?next="),
        "{}",
        location(&r)
    );
    assert!(location(&b.get("/account").await).starts_with("/login/second-factor"));
    // The code already used is refused (same 30-second step), a later one is taken.
    let r = give_code(&b, &code, "/admin/users").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    app.store.clock().advance(time::Duration::seconds(30));
    let r = give_code(&b, &code_now(&app, &key), "/admin/users").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/admin/users");
    assert_eq!(b.get("/admin/users").await.status(), StatusCode::OK);

    // A recovery code works once.
    for (attempt, expected) in [(1, StatusCode::SEE_OTHER), (2, StatusCode::UNPROCESSABLE_ENTITY)] {
        let fresh = app.browser();
        fresh.login("office@hub.example", PASSWORD).await;
        let r = give_code(&fresh, &codes[3].to_uppercase(), "/account").await;
        assert_eq!(r.status(), expected, "attempt {attempt}");
    }
    // Removing the only factor is refused for an admin.
    let (_, html) = b.get_text("/account/security").await;
    let csrf = csrf_token(&html).unwrap();
    let r = b
        .post_raw("/account/security/totp/remove", &[("csrf_token", csrf.as_str())])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("must keep a second factor"));
    // Demo accounts stay one click away.
    office_user(&app, "demo.admin@hub.example", true).await;
    let demo = app.browser();
    assert_eq!(
        demo.login("demo.admin@hub.example", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(demo.get("/admin/users").await.status(), StatusCode::OK);
}

async fn a_teacher_may_enrol_and_is_then_asked_too(backend: crate::support::Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, time::macros::date!(2026 - 11 - 10)).await else {
        return;
    };
    let teacher = a_teacher()
        .available(1, 540, 900)
        .with_login(PASSWORD)
        .create(&app.store)
        .await;
    let email = teacher.staff.email.clone();
    let b = app.browser();
    b.login(&email, PASSWORD).await;
    // Not required: the teacher's pages open without one.
    assert_eq!(b.get("/teacher/day").await.status(), StatusCode::OK);
    let (_, html) = b.get_text("/account/security").await;
    assert!(!html.contains("needs a second factor"));
    let key = key_on(&html);
    let csrf = csrf_token(&html).unwrap();
    let code = code_now(&app, &key);
    let r = b
        .post_raw(
            "/account/security/totp",
            &[("csrf_token", csrf.as_str()), ("code", code.as_str())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // A teacher may remove theirs again.
    let r = b
        .post_raw("/account/security/totp/remove", &[("csrf_token", csrf.as_str())])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // With none, the next login asks for nothing more.
    b.submit("/account", "/logout", &[]).await;
    assert_eq!(location(&b.login(&email, PASSWORD).await), "/account");
}
