//! The account-takeover paths a review found, each closed at its cause: secret links kept off
//! the outbox screen, guesses limited however they are sent, redirects that stay on the site,
//! API tokens with an expiry and a scope that die with the password, reset links that die
//! with each other, bodies read only once a route allows them, limits on account mail, the
//! proxy's own address believed, and no session row for a passing visitor.
use std::time::Duration;

use reqwest::StatusCode;
use time::macros::date;
use tutti_store::platform::audit::Actor;
use tutti_store::sea_orm::{ConnectionTrait, Statement};
use tutti_store::testing::world::{a_family, a_manager, a_school, a_school_contact, a_teacher, an_admin};

use crate::on_both_backends;
use crate::support::{Backend, PASSWORD, TestApp, csrf_token, declared_only, link_in, location};

on_both_backends!(
    the_outbox_screen_never_shows_a_secret_link,
    guesses_sent_at_once_are_still_five,
    guesses_from_one_address_sent_at_once_are_still_limited,
    a_known_browser_is_not_locked_out_by_a_stranger,
    the_current_password_is_throttled_too,
    next_never_leaves_the_site,
    tokens_expire_keep_to_their_scope_and_die_with_the_password,
    a_reset_link_dies_when_another_is_used_or_the_password_changes,
    anonymous_bodies_are_small_and_refusals_carry_the_headers,
    account_mail_is_limited_per_recipient_and_per_address,
    behind_a_proxy_the_right_most_address_counts,
    a_passing_visitor_leaves_no_session_row,
);

/// A Tuesday in the autumn term, the day these tests happen on unless they say another.
const DAY: time::Date = date!(2026 - 11 - 10);

/// A parent with a login, and their email.
async fn a_parent(app: &TestApp) -> String {
    let school = a_school().create(&app.store).await;
    a_family(&school).with_login(PASSWORD).create(&app.store).await.email
}

/// The sessions the hub holds. No operation of the store counts them (a session is only ever
/// looked up by its token), and the test is about the rows a visit leaves: so, SQL.
async fn sessions(app: &TestApp) -> i64 {
    let backend = app.store.conn().get_database_backend();
    app.store
        .conn()
        .query_one_raw(Statement::from_string(backend, "SELECT COUNT(*) AS n FROM sessions"))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap()
}

async fn the_outbox_screen_never_shows_a_secret_link(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let admin = an_admin().create(&app.store).await.email;
    let manager = a_manager().create(&app.store).await.email;
    // Anyone may ask for a reset of the admin's password, and sign up as someone new.
    let b = app.browser();
    b.submit("/forgot-password", "/forgot-password", &[("email", &admin)])
        .await;
    b.submit(
        "/signup",
        "/signup",
        &[
            ("name", "New Parent"),
            ("email", "new.parent@example.com"),
            ("password", "a long enough passphrase"),
        ],
    )
    .await;
    // The mail holds its link for its recipient...
    let (mail, _) = app.store.outbox_page(Some(&admin), 1, 5).await.unwrap();
    let reset = link_in(&mail[0].body, "http").expect("a reset link in the mail");
    assert!(reset.contains("token="));
    // ...but a manager (or an admin) reading the outbox sees that it went, never the link.
    let manager = app.logged_in(&manager).await;
    let admin_to = admin.replace('@', "%40");
    for to in [admin_to.as_str(), "new.parent%40example.com"] {
        let (status, html) = manager.get_text(&format!("/admin/outbox?to={to}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!html.contains("token="), "{to}: a link is on the screen");
        assert!(html.contains("private link"), "{to}");
    }
    assert!(manager.get_text("/admin/outbox").await.1.contains("Reset your"));
    // The link itself still works for whoever holds it.
    let path = &reset[reset.find("/reset-password").unwrap()..];
    assert_eq!(app.browser().get(path).await.status(), StatusCode::OK);
}

/// Posts a login with a fresh form token, as a browser of its own.
async fn guess(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.browser().login(email, password).await
}

async fn guesses_sent_at_once_are_still_five(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let school = a_school().create(&app.store).await;
    let contact = a_school_contact(&school).create(&app.store).await.email;
    let mut all = Vec::new();
    for _ in 0..20 {
        let app_base = app.base.clone();
        let b = app.browser();
        let contact = contact.clone();
        all.push(tokio::spawn(async move {
            let (_, html) = b.get_text("/login").await;
            let token = csrf_token(&html).unwrap();
            let r = b
                .post_raw(
                    "/login",
                    &[
                        ("csrf_token", token.as_str()),
                        ("email", contact.as_str()),
                        ("password", "not the password"),
                    ],
                )
                .await;
            let _ = app_base;
            r.status()
        }));
    }
    let mut checked = 0;
    let mut refused = 0;
    for h in all {
        match h.await.unwrap() {
            StatusCode::UNPROCESSABLE_ENTITY => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => refused += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(checked, 5, "five guesses checked, the rest refused");
    assert_eq!(refused, 15);
    // Even the right password waits now, told when to try again.
    let r = guess(&app, &contact, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: i64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=15 * 60).contains(&retry), "{retry}");
    let html = r.text().await.unwrap();
    assert!(html.contains("Try again after"), "{html}");
    // After a reset through the emailed link, the owner is let in at once.
    let b = app.browser();
    b.submit("/forgot-password", "/forgot-password", &[("email", &contact)])
        .await;
    let (mail, _) = app.store.outbox_page(Some(&contact), 1, 5).await.unwrap();
    let link = link_in(&mail[0].body, "http").unwrap();
    let path = &link[link.find("/reset-password").unwrap()..];
    let token = path.split("token=").nth(1).unwrap();
    let (_, html) = b.get_text(path).await;
    let csrf = csrf_token(&html).unwrap();
    b.post_raw(
        "/reset-password",
        &[
            ("csrf_token", &csrf),
            ("token", token),
            ("password", "a new school passphrase"),
        ],
    )
    .await;
    assert_eq!(
        guess(&app, &contact, "a new school passphrase").await.status(),
        StatusCode::SEE_OTHER
    );
}

async fn guesses_from_one_address_sent_at_once_are_still_limited(backend: Backend) {
    let config = tutti_web::WebConfig {
        login_failures_per_address: 10,
        ..Default::default()
    };
    let Some(app) = TestApp::spawn_empty_with(backend, config, DAY).await else {
        return;
    };
    let mut all = Vec::new();
    for i in 0..30 {
        let b = app.browser();
        all.push(tokio::spawn(async move {
            let (_, html) = b.get_text("/login").await;
            let token = csrf_token(&html).unwrap();
            let email = format!("someone{i}@example.com");
            b.post_raw(
                "/login",
                &[("csrf_token", token.as_str()), ("email", &email), ("password", "guess")],
            )
            .await
            .status()
        }));
    }
    let mut checked = 0;
    for h in all {
        if h.await.unwrap() == StatusCode::UNPROCESSABLE_ENTITY {
            checked += 1;
        }
    }
    assert_eq!(checked, 10, "the address's limit holds under concurrency");
}

async fn a_known_browser_is_not_locked_out_by_a_stranger(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let teacher = a_teacher().with_login(PASSWORD).create(&app.store).await;
    let teacher = teacher.staff.email.as_str();
    // The teacher's phone has logged in before.
    let phone = app.logged_in(teacher).await;
    let r = phone.submit("/account", "/logout", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // A stranger fills the account's count.
    for _ in 0..5 {
        guess(&app, teacher, "a wrong guess").await;
    }
    assert_eq!(
        guess(&app, teacher, PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "a new browser waits"
    );
    // The phone logs in as before.
    assert_eq!(phone.login(teacher, PASSWORD).await.status(), StatusCode::SEE_OTHER);
    // And its own wrong guesses are limited too, on their own count.
    phone.submit("/account", "/logout", &[]).await;
    for _ in 0..5 {
        assert_eq!(
            phone.login(teacher, "typo").await.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    assert_eq!(
        phone.login(teacher, "typo").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

async fn the_current_password_is_throttled_too(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let parent = a_parent(&app).await;
    let b = app.logged_in(&parent).await;
    let change = |current: &'static str| {
        let b = &b;
        async move {
            b.submit(
                "/account/password",
                "/account/password",
                &[
                    ("current_password", current),
                    ("new_password", "another long passphrase"),
                ],
            )
            .await
            .status()
        }
    };
    for _ in 0..5 {
        assert_eq!(change("wrong").await, StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(change("wrong").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(change(PASSWORD).await, StatusCode::TOO_MANY_REQUESTS);
}

async fn next_never_leaves_the_site(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let parent = a_parent(&app).await;
    let b = app.logged_in(&parent).await;
    for next in [
        "/%09/evil.example",
        "/%0D%0ASet-Cookie:x=1",
        "/%5Cevil.example",
        "//evil.example",
    ] {
        let r = b.get(&format!("/login?next={next}")).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next}");
        assert_eq!(location(&r), "/account", "{next}");
    }
    // At login too.
    let fresh = app.browser();
    let (_, html) = fresh.get_text("/login").await;
    let token = csrf_token(&html).unwrap();
    let r = fresh
        .post_raw(
            "/login",
            &[
                ("csrf_token", token.as_str()),
                ("email", parent.as_str()),
                ("password", PASSWORD),
                ("next", "/\t/evil.example"),
            ],
        )
        .await;
    assert_eq!(location(&r), "/account");
}

async fn tokens_expire_keep_to_their_scope_and_die_with_the_password(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, date!(2026 - 10 - 01)).await else {
        return;
    };
    let admin = an_admin().create(&app.store).await;
    let teacher = a_teacher().with_login(PASSWORD).create(&app.store).await;
    let teacher = teacher.user.unwrap();
    let client = reqwest::Client::new();
    let call = |method: reqwest::Method, path: &str, token: &str| {
        client
            .request(method, format!("{}{path}", app.base))
            .bearer_auth(token)
            .json(&serde_json::json!({}))
            .send()
    };
    let read = app
        .store
        .create_scoped_api_token(
            &Actor::cli(),
            admin.id,
            "reader",
            tutti_store::platform::api_tokens::TokenScope::Read,
            time::Duration::days(90),
        )
        .await
        .unwrap();
    // A read token reads, and may not write.
    let r = call(reqwest::Method::GET, "/api/v1/schools", &read).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = call(reqwest::Method::POST, "/api/v1/schools", &read).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("may only read"));
    // The token page lists it with its scope, expiry and last use.
    let office = app.logged_in(&admin.email).await;
    let (_, html) = office.get_text("/account/tokens").await;
    assert!(html.contains("reader") && html.contains("Read only") && html.contains("30/12/2026"));
    // 90 days on, it has expired.
    app.store.clock().advance(time::Duration::days(91));
    let r = call(reqwest::Method::GET, "/api/v1/schools", &read).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // Live tokens die when the password changes, is reset, or the account is disabled.
    for how in ["change", "reset", "disable"] {
        let token = app
            .store
            .create_api_token(&Actor::cli(), teacher.id, how)
            .await
            .unwrap();
        assert_eq!(
            call(reqwest::Method::GET, "/api/v1/schools", &token)
                .await
                .unwrap()
                .status(),
            StatusCode::FORBIDDEN,
            "a teacher's token works (and the schools list is the office's)"
        );
        match how {
            "change" => {
                let b = app.logged_in(&teacher.email).await;
                let r = b
                    .submit(
                        "/account/password",
                        "/account/password",
                        &[("current_password", PASSWORD), ("new_password", PASSWORD)],
                    )
                    .await;
                assert_eq!(r.status(), StatusCode::SEE_OTHER);
            }
            "reset" => app.store.set_password(teacher.id, PASSWORD).await.unwrap(),
            _ => app.store.set_disabled(teacher.id, true).await.unwrap(),
        }
        assert_eq!(
            call(reqwest::Method::GET, "/api/v1/schools", &token)
                .await
                .unwrap()
                .status(),
            StatusCode::UNAUTHORIZED,
            "{how}"
        );
    }
}

async fn a_reset_link_dies_when_another_is_used_or_the_password_changes(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let parent = a_parent(&app).await;
    let ask = || async {
        app.browser()
            .submit("/forgot-password", "/forgot-password", &[("email", &parent)])
            .await;
        let (mail, _) = app.store.outbox_page(Some(&parent), 1, 1).await.unwrap();
        let link = link_in(&mail[0].body, "http").unwrap();
        link[link.find("/reset-password").unwrap()..].to_owned()
    };
    let older = ask().await;
    let newer = ask().await;
    assert_ne!(older, newer);
    let b = app.browser();
    let (_, html) = b.get_text(&newer).await;
    let csrf = csrf_token(&html).unwrap();
    let token = newer.split("token=").nth(1).unwrap();
    b.post_raw(
        "/reset-password",
        &[
            ("csrf_token", &csrf),
            ("token", token),
            ("password", "the newest passphrase"),
        ],
    )
    .await;
    assert_eq!(app.browser().get(&older).await.status(), StatusCode::BAD_REQUEST);

    // A link asked for and then overtaken by a password change dies too.
    let pending = ask().await;
    let parent = app.store.user_by_email(&parent).await.unwrap().unwrap();
    app.store.set_password(parent.id, PASSWORD).await.unwrap();
    assert_eq!(app.browser().get(&pending).await.status(), StatusCode::BAD_REQUEST);
}

async fn anonymous_bodies_are_small_and_refusals_carry_the_headers(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    // The upload address takes 60 MB from an admin, but a stranger's declared 10 MB is refused
    // before a byte is read, with the security headers every answer carries. The body is
    // declared and never sent: a client writing it would race the server's early close.
    let multipart = [("Content-Type", "multipart/form-data; boundary=x")];
    let head = declared_only(&app.base, "/admin/content/1/file", &multipart, 10 * 1024 * 1024)
        .await
        .to_lowercase();
    assert!(head.starts_with("http/1.1 413"), "{head}");
    assert!(head.contains("content-security-policy:"), "{head}");
    assert!(head.contains("x-content-type-options:"), "{head}");
    // A body streamed without a length is cut off at the anonymous limit too: a form of
    // 1 MB in chunks, from a visitor holding a good form token.
    let b = app.browser();
    let r = b.get("/contact").await;
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let token = csrf_token(&r.text().await.unwrap()).unwrap();
    let status = chunked_post(&app.base, "/contact", &cookie, &token, 1024 * 1024).await;
    assert!(
        status.starts_with("HTTP/1.1 400") || status.starts_with("HTTP/1.1 413"),
        "{status}"
    );
    // The same form, small, is read and answered.
    let small = chunked_post(&app.base, "/contact", &cookie, &token, 1024).await;
    assert!(
        !small.starts_with("HTTP/1.1 400") && !small.starts_with("HTTP/1.1 413"),
        "{small}"
    );
}

/// Posts a form of about `size` bytes in chunks (no Content-Length) over a plain socket, and
/// returns the answer's status line.
async fn chunked_post(base: &str, path: &str, cookie: &str, token: &str, size: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://");
    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncookie: {cookie}\r\ncontent-type: application/x-www-form-urlencoded\r\n\
         transfer-encoding: chunked\r\nconnection: close\r\n\r\n"
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    let first = format!("csrf_token={token}&name=A&email=a%40example.com&topic=Other&message=");
    let mut chunks = vec![first.into_bytes()];
    let mut sent = 0;
    while sent < size {
        let n = (size - sent).min(64 * 1024);
        chunks.push(vec![b'a'; n]);
        sent += n;
    }
    for c in chunks {
        // The server may stop reading and answer early; later writes then fail, which is fine.
        let framed = [format!("{:x}\r\n", c.len()).into_bytes(), c, b"\r\n".to_vec()].concat();
        if socket.write_all(&framed).await.is_err() {
            break;
        }
    }
    let _ = socket.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), socket.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

async fn account_mail_is_limited_per_recipient_and_per_address(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, date!(2027 - 02 - 03)).await else {
        return;
    };
    let parent = a_parent(&app).await;
    let ask = |email: &str| {
        let b = app.browser();
        let email = email.to_owned();
        async move {
            b.submit("/forgot-password", "/forgot-password", &[("email", &email)])
                .await
        }
    };
    // Three resets for one address in a quarter of an hour are sent; a fourth waits.
    for _ in 0..3 {
        assert_eq!(ask(&parent).await.status(), StatusCode::OK);
    }
    let r = ask(&parent).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    assert!(r.text().await.unwrap().contains("Try again after"));
    assert_eq!(app.store.outbox_page(Some(&parent), 1, 10).await.unwrap().1, 3);
    // An address without an account is limited the same way: the limit says nothing of who has one.
    for _ in 0..3 {
        assert_eq!(ask("nobody@example.com").await.status(), StatusCode::OK);
    }
    assert_eq!(ask("nobody@example.com").await.status(), StatusCode::TOO_MANY_REQUESTS);
    // One client asking for many recipients is stopped at ten.
    let many = [
        "a@example.com",
        "b@example.com",
        "c@example.com",
        "d@example.com",
        "e@example.com",
    ];
    let mut statuses = Vec::new();
    for email in many {
        statuses.push(ask(email).await.status());
    }
    // Six were sent above (refusals count for nothing), so four more go and the fifth waits.
    assert_eq!(
        statuses,
        vec![
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    // A quarter of an hour later the recipient may ask again.
    app.store.clock().advance(time::Duration::minutes(16));
    assert_eq!(ask(&parent).await.status(), StatusCode::OK);
}

async fn behind_a_proxy_the_right_most_address_counts(backend: Backend) {
    let config = tutti_web::WebConfig {
        trust_proxy: true,
        login_failures_per_address: 3,
        ..Default::default()
    };
    let Some(app) = TestApp::spawn_empty_with(backend, config, DAY).await else {
        return;
    };
    // The client writes a new made-up address at the left each time; the proxy appends the
    // real one at the right.
    let mut statuses = Vec::new();
    for i in 0..4 {
        let b = app.browser();
        let (_, html) = b.get_text("/login").await;
        let token = csrf_token(&html).unwrap();
        let email = format!("guess{i}@example.com");
        let r = b
            .client
            .post(format!("{}/login", app.base))
            .header("x-forwarded-for", format!("10.0.0.{i}, 203.0.113.7"))
            .form(&[("csrf_token", token.as_str()), ("email", &email), ("password", "guess")])
            .send()
            .await
            .unwrap();
        statuses.push(r.status());
    }
    assert_eq!(statuses[3], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
}

async fn a_passing_visitor_leaves_no_session_row(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let parent = a_parent(&app).await;
    let before = sessions(&app).await;
    for _ in 0..5 {
        let r = reqwest::get(format!("{}/login", app.base)).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(
            cookie.starts_with("tutti_form=") && cookie.contains("HttpOnly"),
            "{cookie}"
        );
    }
    assert_eq!(sessions(&app).await, before);
    // The form still works: its token is checked against the cookie, and logging in makes
    // the one session.
    let b = app.logged_in(&parent).await;
    assert_eq!(sessions(&app).await, before + 1);
    drop(b);
    // A forged form (token not matching the cookie) is refused.
    let other = app.browser();
    other.get("/login").await;
    let r = other
        .post_raw(
            "/login",
            &[
                (
                    "csrf_token",
                    "0000000000000000000000000000000000000000000000000000000000000000",
                ),
                ("email", parent.as_str()),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
