//! Security promises: headers, cookie flags, CSRF, redirects to log in, 403s, no internals.
use reqwest::StatusCode;
use time::macros::date;
use tutti_store::testing::world::{PASSWORD, a_family, a_manager, a_school, an_admin};

use crate::on_both_backends;
use crate::support::{Backend, TestApp, location};

on_both_backends!(
    every_response_carries_security_headers,
    session_cookie_is_httponly_and_lax_and_rotated_at_login,
    post_without_valid_csrf_token_is_refused,
    anonymous_request_for_protected_page_goes_to_login_and_back,
    wrong_role_gets_a_403_that_says_so,
    error_pages_show_no_internals,
);

/// A Tuesday in the autumn term, the day these tests happen on.
const DAY: time::Date = date!(2026 - 11 - 10);

async fn every_response_carries_security_headers(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let b = app.browser();
    for path in [
        "/",
        "/login",
        "/no-such-page",
        "/healthz",
        "/static/site.css",
        "/account",
    ] {
        let r = b.get(path).await;
        let h = r.headers();
        let csp = h
            .get("content-security-policy")
            .unwrap_or_else(|| panic!("CSP on {path}"))
            .to_str()
            .unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff", "{path}");
        assert_eq!(
            h.get("referrer-policy").unwrap(),
            "strict-origin-when-cross-origin",
            "{path}"
        );
    }
}

async fn session_cookie_is_httponly_and_lax_and_rotated_at_login(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let admin = an_admin().create(&app.store).await.email;
    let b = app.browser();
    let form = b.get("/login").await;
    let anon_cookie = form
        .headers()
        .get("set-cookie")
        .expect("a session for the form's token")
        .to_str()
        .unwrap()
        .to_owned();
    assert!(anon_cookie.contains("HttpOnly"), "{anon_cookie}");
    assert!(anon_cookie.contains("SameSite=Lax"), "{anon_cookie}");
    assert!(
        !anon_cookie.contains("Secure"),
        "plain HTTP gets no Secure flag: {anon_cookie}"
    );
    let html = form.text().await.unwrap();
    let token = crate::support::csrf_token(&html).unwrap();
    let r = b
        .post_raw(
            "/login",
            &[("csrf_token", &token), ("email", &admin), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let login_cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
    let id = |c: &str| c.split(';').next().unwrap().to_owned();
    assert_ne!(id(&anon_cookie), id(&login_cookie), "login must issue a new session id");

    // Served as HTTPS (by its public address), the cookie is Secure and HSTS is sent.
    let config = tutti_web::WebConfig {
        public_url: "https://hub.example".into(),
        ..Default::default()
    };
    let Some(secure_app) = TestApp::spawn_empty_with(backend, config, DAY).await else {
        return;
    };
    let r = secure_app.browser().get("/login").await;
    assert!(
        r.headers()
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("; Secure")
    );
    assert!(r.headers().get("strict-transport-security").is_some());
}

async fn post_without_valid_csrf_token_is_refused(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let admin_email = an_admin().create(&app.store).await.email;
    let school = a_school().create(&app.store).await;
    let parent = a_family(&school).with_login(PASSWORD).create(&app.store).await;
    let parent = parent.user.unwrap().id;
    let b = app.browser();
    // No session, no token.
    let r = b
        .post_raw("/login", &[("email", admin_email.as_str()), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A session, but a wrong token.
    b.get("/login").await;
    let r = b
        .post_raw(
            "/login",
            &[
                ("csrf_token", "forged"),
                ("email", &admin_email),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("did not come from this site"));
    // Signed in, a state change without the token is refused and changes nothing.
    let admin = app.logged_in(&admin_email).await;
    let r = admin
        .post_raw(&format!("/admin/users/{parent}/disabled"), &[("disabled", "true")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(!app.store.user_by_id(parent).await.unwrap().unwrap().disabled);
    // A JSON body without the header is refused too.
    let r = admin
        .client
        .post(format!("{}/logout", admin.base))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

async fn anonymous_request_for_protected_page_goes_to_login_and_back(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let admin = an_admin().create(&app.store).await.email;
    let b = app.browser();
    let r = b.get("/admin/users?q=admin").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = location(&r);
    assert_eq!(to, "/login?next=%2Fadmin%2Fusers%3Fq%3Dadmin");
    let r = b
        .submit(
            &to,
            "/login",
            &[
                ("email", admin.as_str()),
                ("password", PASSWORD),
                ("next", "/admin/users?q=admin"),
            ],
        )
        .await;
    // An admin gives their second factor on the way, and `next` goes along.
    let to = location(&r);
    assert_eq!(to, "/login/second-factor?next=%2Fadmin%2Fusers%3Fq%3Dadmin");
    let r = app.give_second_factor(&b, &to).await;
    assert_eq!(location(&r), "/admin/users?q=admin");
    let (status, html) = b.get_text("/admin/users?q=admin").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&admin));
    // A `next` pointing at another site is not followed.
    let other = app.browser();
    let r = other
        .submit(
            "/login",
            "/login",
            &[
                ("email", admin.as_str()),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    let to = location(&r);
    assert_eq!(to, "/login/second-factor?next=%2Faccount");
    let r = app.give_second_factor(&other, &to).await;
    assert_eq!(location(&r), "/account");
}

async fn wrong_role_gets_a_403_that_says_so(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let school = a_school().create(&app.store).await;
    let family = a_family(&school).with_login(PASSWORD).create(&app.store).await;
    let manager = a_manager().create(&app.store).await;
    let parent = app.logged_in(&family.email).await;
    let user = format!("/admin/users/{}", manager.id);
    for path in ["/admin/users", "/admin/outbox", user.as_str()] {
        let (status, html) = parent.get_text(path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(html.contains("You cannot see this page"), "{path}");
        assert!(
            html.contains("Parent or carer"),
            "the page names the visitor's role: {path}"
        );
        assert!(html.contains("Office admin"), "the page names who may see it: {path}");
    }
    // The outbox is open to managers, user management is not.
    let manager = app.logged_in(&manager.email).await;
    assert_eq!(manager.get("/admin/outbox").await.status(), StatusCode::OK);
    assert_eq!(manager.get("/admin/users").await.status(), StatusCode::FORBIDDEN);
}

async fn error_pages_show_no_internals(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let admin = an_admin().create(&app.store).await;
    let admin = app.logged_in(&admin.email).await;
    let (status, html) = admin.get_text("/admin/users/not-a-number").await;
    assert!(status.is_client_error(), "{status}");
    let (status, html404) = admin.get_text("/admin/users/999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html404.contains("Page not found"));
    for page in [html, html404] {
        for leak in ["sqlx", "sea_orm", "panicked", "DbErr", "SELECT", "src/"] {
            assert!(!page.contains(leak), "error page leaks {leak}: {page}");
        }
    }
}
