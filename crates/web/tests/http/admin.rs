//! The office screens: managing users and roles, and reading the outbox.
use reqwest::StatusCode;
use time::macros::date;
use tutti_store::testing::world::{PASSWORD, a_family, a_manager, a_school, a_school_contact, a_teacher, an_admin};

use crate::on_both_backends;
use crate::support::{Backend, TestApp};

/// A Tuesday in the autumn term, the day these tests happen on.
const DAY: time::Date = date!(2026 - 11 - 10);

on_both_backends!(
    admins_search_users_and_change_roles,
    the_last_admin_cannot_be_removed,
    outbox_lists_mail_newest_first
);

async fn admins_search_users_and_change_roles(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    // One account of each role (the builders' addresses say which: teacher1@, carer2@...).
    let store = &app.store;
    let admin = an_admin().create(store).await;
    let manager = a_manager().create(store).await;
    let teacher = a_teacher().with_login(PASSWORD).create(store).await.staff.email;
    let school = a_school().create(store).await;
    let parent = a_family(&school).with_login(PASSWORD).create(store).await.email;
    let contact = a_school_contact(&school).create(store).await.email;
    let admin = app.logged_in(&admin.email).await;
    let (status, html) = admin.get_text("/admin/users?q=TEACHER").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&teacher));
    assert!(!html.contains(&parent), "search filters the list");
    let (_, html) = admin.get_text("/admin/users?role=school").await;
    assert!(html.contains(&contact) && !html.contains(&teacher));
    let (_, html) = admin.get_text("/admin/users?q=nobody-matches-this").await;
    assert!(html.contains("No users match"));

    let manager_id = manager.id;
    let page = format!("/admin/users/{manager_id}");
    let r = admin
        .submit(&page, &format!("{page}/role"), &[("role", "teacher")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.store.user_by_id(manager_id).await.unwrap().unwrap().role.as_str(),
        "teacher"
    );
    let (_, html) = admin.get_text(&page).await;
    assert!(html.contains("Role changed to Teacher"));
    let r = admin
        .submit(&page, &format!("{page}/role"), &[("role", "emperor")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Choose one of the roles"));
}

async fn the_last_admin_cannot_be_removed(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let only = an_admin().create(&app.store).await;
    let admin = app.logged_in(&only.email).await;
    let id = only.id;
    let page = format!("/admin/users/{id}");
    let r = admin
        .submit(&page, &format!("{page}/role"), &[("role", "parent")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("only active admin"));
    let r = admin
        .submit(&page, &format!("{page}/disabled"), &[("disabled", "true")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let me = app.store.user_by_id(id).await.unwrap().unwrap();
    assert_eq!(me.role.as_str(), "admin");
    assert!(!me.disabled);
}

async fn outbox_lists_mail_newest_first(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let admin = an_admin().create(&app.store).await;
    let admin = app.logged_in(&admin.email).await;
    let (_, html) = admin.get_text("/admin/outbox").await;
    assert!(html.contains("No messages yet"));
    app.store
        .send_mail("a@example.com", "First message", "one")
        .await
        .unwrap();
    app.store
        .send_mail("b@example.com", "Second message", "two")
        .await
        .unwrap();
    let (_, html) = admin.get_text("/admin/outbox").await;
    let first = html.find("First message").unwrap();
    let second = html.find("Second message").unwrap();
    assert!(second < first, "newest first");
    let (_, html) = admin.get_text("/admin/outbox?to=a%40example.com").await;
    assert!(html.contains("First message") && !html.contains("Second message"));
}
