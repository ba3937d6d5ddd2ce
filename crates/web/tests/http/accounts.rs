//! Accounts end to end: every role's dashboard, sign up and email confirmation, password
//! reset through the outbox, password change, throttling, disabling, logging out.
use reqwest::StatusCode;
use time::macros::date;
use tutti_store::testing::world::{
    a_family, a_manager, a_pupil_login, a_school, a_school_contact, a_teacher, an_admin, an_enrolment,
};

use crate::on_both_backends;
use crate::support::{Backend, PASSWORD, TestApp, link_in, location};

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

/// A Tuesday in the autumn term, the day these tests happen on.
const DAY: time::Date = date!(2026 - 11 - 10);

/// A parent with a login at a new school, and their email.
async fn a_parent(app: &TestApp) -> String {
    let school = a_school().create(&app.store).await;
    a_family(&school).with_login(PASSWORD).create(&app.store).await.email
}

async fn every_role_logs_in_to_its_own_dashboard(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    // A family with two children at a school; the first learns with a teacher there. Another
    // family at the school learns with nobody yet.
    let store = &app.store;
    let school = a_school().named("Riverside Primary School").create(store).await;
    let teacher = a_teacher().with_login(PASSWORD).create(store).await;
    let family = a_family(&school)
        .first_child("Ava", date!(2017 - 03 - 04))
        .with_child("Ben", date!(2019 - 06 - 07))
        .with_login(PASSWORD)
        .create(store)
        .await;
    a_family(&school).create(store).await;
    let children = store.children_of_guardian(&family.email).await.unwrap();
    assert_eq!(children.len(), 2, "the parent has two children");
    an_enrolment(family.children[0])
        .taught_by(teacher.staff.id, 1, 540)
        .create(store)
        .await;
    let first = children.iter().find(|c| c.id == family.children[0]).unwrap();
    let first_child = format!("{} {}", first.first_name, first.last_name);
    let urn = format!("URN {}", school.urn);
    let admin = an_admin().create(store).await.email;
    let manager = a_manager().create(store).await.email;
    let contact = a_school_contact(&school).create(store).await.email;
    let pupil = a_pupil_login(store, family.children[1]).await.email;

    let expectations: [(&str, &[&str]); 6] = [
        (
            &admin,
            &["Office admin", "The hub at a glance", "Manage users and roles"],
        ),
        (&manager, &["Manager", "The hub at a glance", "Read the outbox"]),
        (&teacher.staff.email, &["Teacher", "Your pupils", &first_child]),
        (&family.email, &["Parent or carer", "Your children", &first_child]),
        (&contact, &["School contact", "Your school:", &urn, &first_child]),
        (&pupil, &["Pupil", "Practise with our online activities"]),
    ];
    for (i, (email, needles)) in expectations.into_iter().enumerate() {
        let b = app.browser();
        let r = b.login(email, PASSWORD).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{email}");
        // The office gives its second factor first, and then lands on its account too.
        let r = if i < 2 {
            let to = location(&r);
            assert_eq!(to, "/login/second-factor?next=%2Faccount", "{email}");
            app.give_second_factor(&b, &to).await
        } else {
            r
        };
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
    let taught = store.pupils_taught_by(teacher.staff.id).await.unwrap();
    assert_eq!(
        taught.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![family.children[0]]
    );
    let all_pupils = store.hub_counts().await.unwrap().pupils as usize;
    assert!(taught.len() < all_pupils, "a teacher does not see the whole hub");
}

async fn signup_confirms_email_before_linking_children(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    // A family's guardian email that has no account yet.
    let school = a_school().create(&app.store).await;
    let guardian_email = a_family(&school).create(&app.store).await.email;
    assert!(app.store.user_by_email(&guardian_email).await.unwrap().is_none());
    assert_eq!(app.store.children_of_guardian(&guardian_email).await.unwrap().len(), 1);
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

async fn signup_errors_name_the_field_and_keep_the_input(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
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
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let parent = a_parent(&app).await;
    let old_session = app.logged_in(&parent).await;
    let b = app.browser();
    let r = b
        .submit("/forgot-password", "/forgot-password", &[("email", &parent)])
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

    let (mail, _) = app.store.outbox_page(Some(&parent), 1, 10).await.unwrap();
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
        app.browser().login(&parent, PASSWORD).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.browser().login(&parent, "a brand new passphrase").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(old_session.get("/account").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(b.get(&path).await.status(), StatusCode::BAD_REQUEST);
}

async fn changing_password_ends_other_sessions(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let teacher = a_teacher().with_login(PASSWORD).create(&app.store).await;
    let phone = app.logged_in(&teacher.staff.email).await;
    let laptop = app.logged_in(&teacher.staff.email).await;
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
            &[("current_password", PASSWORD), ("new_password", "cello and bow 2026")],
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
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let school = a_school().create(&app.store).await;
    let contact = a_school_contact(&school).create(&app.store).await.email;
    let admin = an_admin().create(&app.store).await.email;
    let b = app.browser();
    for _ in 0..5 {
        let r = b.login(&contact, "not the password").await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("email address or password is not right")
        );
    }
    let r = app.browser().login(&contact, PASSWORD).await;
    assert_eq!(
        r.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert!(r.text().await.unwrap().contains("Too many attempts to log in"));
    // Other accounts are not affected by one account's lock.
    assert_eq!(
        app.browser().login(&admin, PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
}

async fn logins_are_throttled_per_address(backend: Backend) {
    let config = tutti_web::WebConfig {
        login_failures_per_address: 3,
        ..Default::default()
    };
    let Some(app) = TestApp::spawn_empty_with(backend, config, DAY).await else {
        return;
    };
    let teacher = a_teacher().with_login(PASSWORD).create(&app.store).await;
    // Guessing across many accounts from one address is stopped too.
    for email in ["a@example.com", "b@example.com", "c@example.com"] {
        assert_eq!(
            app.browser().login(email, "guess").await.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    let r = app.browser().login(&teacher.staff.email, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}

async fn disabled_accounts_cannot_log_in_and_lose_their_sessions(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let school = a_school().create(&app.store).await;
    let family = a_family(&school).create(&app.store).await;
    let pupil_user = a_pupil_login(&app.store, family.children[0]).await;
    let admin = an_admin().create(&app.store).await;
    let pupil = app.logged_in(&pupil_user.email).await;
    let pupil_id = pupil_user.id;
    let admin = app.logged_in(&admin.email).await;
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
    let r = app.browser().login(&pupil_user.email, PASSWORD).await;
    assert!(r.text().await.unwrap().contains("This account has been disabled"));
}

async fn logout_ends_the_session(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let manager = a_manager().create(&app.store).await;
    let b = app.logged_in(&manager.email).await;
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
