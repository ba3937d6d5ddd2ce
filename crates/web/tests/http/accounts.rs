//! Accounts end to end: every role's dashboard, sign up and email confirmation, password
//! reset through the outbox, password change, throttling, disabling, logging out.
use reqwest::StatusCode;

use crate::on_both_backends;
use crate::support::{Backend, DEMO_PASSWORD, TestApp, link_in, location};

on_both_backends!(
    every_role_logs_in_to_its_own_dashboard,
    signup_confirms_email_before_linking_children,
    signup_errors_name_the_field_and_keep_the_input,
    password_reset_through_the_outbox,
    changing_password_ends_other_sessions,
    logins_are_throttled_per_account,
    logins_are_throttled_per_address,
    disabled_accounts_cannot_log_in_and_lose_their_sessions,
    logout_ends_the_session,
);

async fn every_role_logs_in_to_its_own_dashboard(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let children = app.store.children_of_guardian("parent@demo.test").await.unwrap();
    assert_eq!(children.len(), 2, "the demo parent has two children");
    // The demo family's first child learns with the demo teacher at the demo school.
    let first = children.iter().min_by_key(|c| c.id).unwrap();
    let first_child = format!("{} {}", first.first_name, first.last_name);

    let expectations: [(&str, &[&str]); 6] = [
        (
            "admin@demo.test",
            &["Office admin", "The hub at a glance", "Manage users and roles"],
        ),
        (
            "manager@demo.test",
            &["Manager", "The hub at a glance", "Read the outbox"],
        ),
        ("teacher@demo.test", &["Teacher", "Your pupils", &first_child]),
        ("parent@demo.test", &["Parent or carer", "Your children", &first_child]),
        (
            "school@demo.test",
            &["School contact", "Your school:", "URN 114000", &first_child],
        ),
        ("pupil@demo.test", &["Pupil", "Practise with our online activities"]),
    ];
    for (email, needles) in expectations {
        let b = app.browser();
        let r = b.login(email, DEMO_PASSWORD).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{email}");
        assert_eq!(location(&r), "/account", "{email} lands on /account");
        let (status, html) = b.get_text("/account").await;
        assert_eq!(status, StatusCode::OK, "{email}");
        for needle in needles {
            assert!(html.contains(needle), "{email}'s dashboard should mention {needle:?}");
        }
        assert_eq!(html.matches("<h1").count(), 1, "one h1 on {email}'s dashboard");
    }
    // A teacher sees only the pupils they teach: every listed pupil has an enrolment with them.
    let taught = app.store.pupils_taught_by(1).await.unwrap();
    assert!(!taught.is_empty());
    let all_pupils = app.store.hub_counts().await.unwrap().pupils as usize;
    assert!(taught.len() < all_pupils, "a teacher does not see the whole hub");
}

async fn signup_confirms_email_before_linking_children(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    // A demo family's guardian email that has no account yet.
    let guardian_email = {
        let (users, _) = app.store.list_users("", None, 1, 100).await.unwrap();
        assert!(users.iter().all(|u| !u.email.contains("family")));
        let children = app.store.children_of_guardian("parent@demo.test").await.unwrap();
        assert!(!children.is_empty());
        // Family 2 of the demo plan.
        let mut found = None;
        for (_, email) in app_guardian_emails(&app).await {
            if email != "parent@demo.test" {
                found = Some(email);
                break;
            }
        }
        found.expect("another guardian")
    };
    let b = app.browser();
    let r = b
        .submit(
            "/signup",
            "/signup",
            &[
                ("name", "Sam Carer"),
                ("email", &guardian_email.to_uppercase()),
                ("password", "violin practice daily"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("Check your email"));
    let (mail, _) = app.store.outbox_page(Some(&guardian_email), 1, 10).await.unwrap();
    assert_eq!(mail.len(), 1);
    assert!(mail[0].subject.contains("Confirm your email"));
    let link = link_in(&mail[0].body, "http").expect("a link in the email");
    let path = link
        .trim_start_matches(&app.base)
        .trim_start_matches("http://127.0.0.1:8080")
        .to_owned();

    // Logged in before confirming: no children shown.
    let r = b.login(&guardian_email, "violin practice daily").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = b.get_text("/account").await;
    assert!(html.contains("Please confirm your email address"));
    assert!(html.contains("No children are linked"));

    let (status, html) = b.get_text(&path).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    assert!(html.contains("Email address confirmed"));
    let (_, html) = b.get_text("/account").await;
    assert!(!html.contains("Please confirm your email address"));
    assert!(
        !html.contains("No children are linked"),
        "children appear once the email is confirmed"
    );
    // The link works once.
    let (status, html) = b.get_text(&path).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("This link has expired"));

    // Signing up again with a taken email says the same on the page and tells the owner by email.
    let again = app.browser();
    let r = again
        .submit(
            "/signup",
            "/signup",
            &[
                ("name", "Someone"),
                ("email", &guardian_email),
                ("password", "another good passphrase"),
            ],
        )
        .await;
    assert!(r.text().await.unwrap().contains("Check your email"));
    let (mail, _) = app.store.outbox_page(Some(&guardian_email), 1, 10).await.unwrap();
    assert!(mail[0].subject.contains("already have an account"));
}

/// Guardian emails of the demo, in id order.
async fn app_guardian_emails(app: &TestApp) -> Vec<(i64, String)> {
    use tutti_store::sea_orm::{EntityTrait, QueryOrder};
    tutti_store::entities::guardian::Entity::find()
        .order_by_asc(tutti_store::entities::guardian::Column::Id)
        .all(app.store.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|g| (g.id, g.email))
        .collect()
}

async fn signup_errors_name_the_field_and_keep_the_input(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let b = app.browser();
    let before = app.store.count_users().await.unwrap();
    let r = b
        .submit(
            "/signup",
            "/signup",
            &[("name", ""), ("email", "not-an-email"), ("password", "short")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("There is a problem"));
    assert!(html.contains("Enter your full name"));
    assert!(html.contains("href=\"#email\""), "the summary links to the field");
    assert!(html.contains("value=\"not-an-email\""), "input is kept");
    assert!(html.contains("at least 8 characters"));
    let r = b
        .submit(
            "/signup",
            "/signup",
            &[
                ("name", "Pat"),
                ("email", "pat@example.com"),
                ("password", "password123"),
            ],
        )
        .await;
    assert!(r.text().await.unwrap().contains("too common"));
    assert_eq!(app.store.count_users().await.unwrap(), before, "nothing was created");
}

async fn password_reset_through_the_outbox(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let old_session = app.logged_in("parent@demo.test").await;
    let b = app.browser();
    let r = b
        .submit("/forgot-password", "/forgot-password", &[("email", "parent@demo.test")])
        .await;
    assert!(r.text().await.unwrap().contains("Check your email"));
    // An unknown email gets the same page and no mail.
    let r = b
        .submit(
            "/forgot-password",
            "/forgot-password",
            &[("email", "nobody@example.com")],
        )
        .await;
    assert!(r.text().await.unwrap().contains("Check your email"));
    assert_eq!(
        app.store
            .outbox_page(Some("nobody@example.com"), 1, 10)
            .await
            .unwrap()
            .1,
        0
    );

    let (mail, _) = app.store.outbox_page(Some("parent@demo.test"), 1, 10).await.unwrap();
    let link = link_in(&mail[0].body, "http").expect("a reset link");
    let path = format!("/reset-password{}", &link[link.find('?').unwrap()..]);
    let (status, html) = b.get_text(&path).await;
    assert_eq!(status, StatusCode::OK);
    let token = path.split("token=").nth(1).unwrap();
    // A weak password is refused and the link still works.
    let csrf = crate::support::csrf_token(&html).unwrap();
    let r = b
        .post_raw(
            "/reset-password",
            &[("csrf_token", &csrf), ("token", token), ("password", "123")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = b
        .post_raw(
            "/reset-password",
            &[
                ("csrf_token", &csrf),
                ("token", token),
                ("password", "a brand new passphrase"),
            ],
        )
        .await;
    assert!(r.text().await.unwrap().contains("Your password has been changed"));

    // The old password fails, the new works, the old session has ended, the link is spent.
    assert_eq!(
        app.browser().login("parent@demo.test", DEMO_PASSWORD).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.browser()
            .login("parent@demo.test", "a brand new passphrase")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(old_session.get("/account").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(b.get(&path).await.status(), StatusCode::BAD_REQUEST);
}

async fn changing_password_ends_other_sessions(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let phone = app.logged_in("teacher@demo.test").await;
    let laptop = app.logged_in("teacher@demo.test").await;
    let r = laptop
        .submit(
            "/account/password",
            "/account/password",
            &[
                ("current_password", "wrong one"),
                ("new_password", "cello and bow 2026"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Your current password is not right"));
    let r = laptop
        .submit(
            "/account/password",
            "/account/password",
            &[
                ("current_password", DEMO_PASSWORD),
                ("new_password", "cello and bow 2026"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, html) = laptop.get_text("/account").await;
    assert_eq!(status, StatusCode::OK, "this device stays logged in");
    assert!(html.contains("Your password has been changed"));
    let (_, html) = laptop.get_text("/account").await;
    assert!(
        !html.contains("Your password has been changed"),
        "the message shows once"
    );
    assert_eq!(
        phone.get("/account").await.status(),
        StatusCode::SEE_OTHER,
        "the other device is logged out"
    );
}

async fn logins_are_throttled_per_account(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let b = app.browser();
    for _ in 0..5 {
        let r = b.login("school@demo.test", "not the password").await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("email address or password is not right")
        );
    }
    let r = app.browser().login("school@demo.test", DEMO_PASSWORD).await;
    assert_eq!(
        r.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert!(r.text().await.unwrap().contains("Too many attempts to log in"));
    // Other accounts are not affected by one account's lock.
    assert_eq!(
        app.browser().login("admin@demo.test", DEMO_PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
}

async fn logins_are_throttled_per_address(backend: Backend) {
    let config = tutti_web::WebConfig {
        login_failures_per_address: 3,
        ..Default::default()
    };
    let Some(app) = TestApp::spawn_with(backend, config).await else {
        return;
    };
    // Guessing across many accounts from one address is stopped too.
    for email in ["a@example.com", "b@example.com", "c@example.com"] {
        assert_eq!(
            app.browser().login(email, "guess").await.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    let r = app.browser().login("teacher@demo.test", DEMO_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}

async fn disabled_accounts_cannot_log_in_and_lose_their_sessions(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let pupil = app.logged_in("pupil@demo.test").await;
    let pupil_id = app.store.user_by_email("pupil@demo.test").await.unwrap().unwrap().id;
    let admin = app.logged_in("admin@demo.test").await;
    let page = format!("/admin/users/{pupil_id}");
    let r = admin
        .submit(&page, &format!("{page}/disabled"), &[("disabled", "true")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        pupil.get("/account").await.status(),
        StatusCode::SEE_OTHER,
        "their session has ended"
    );
    let r = app.browser().login("pupil@demo.test", DEMO_PASSWORD).await;
    assert!(r.text().await.unwrap().contains("This account has been disabled"));
}

async fn logout_ends_the_session(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let b = app.logged_in("manager@demo.test").await;
    let r = b.submit("/account", "/logout", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(b.get("/account").await.status(), StatusCode::SEE_OTHER);
}
