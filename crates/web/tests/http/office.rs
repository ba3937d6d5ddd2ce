//! The office's workspace: its own layout on office pages (and not on public ones), its home
//! page, the pickers' lookup (office only, live records only, at most twenty), the resolver
//! that reads a picker's text in a form or filter, and the audit log naming records.
use reqwest::StatusCode;
use serde_json::Value;
use time::macros::date;
use tutti_store::platform::audit::Actor;
use tutti_store::testing::world::{
    PASSWORD, a_family, a_manager, a_school, a_school_contact, a_teacher, an_admin, an_application, an_instrument,
};

use crate::on_both_backends;
use crate::support::{Backend, TestApp, location};

on_both_backends!(
    the_lookup_finds_each_kind_for_the_office_only,
    a_picker_takes_a_name_a_suggestion_or_a_number,
    the_audit_log_names_records_and_finds_them_by_name,
    office_pages_have_the_office_layout_and_public_pages_do_not
);

/// A Tuesday in the autumn term.
const DAY: time::Date = date!(2026 - 11 - 10);

/// The labels of a lookup's answer.
async fn labels(b: &crate::support::Browser, path: &str) -> Vec<String> {
    let r = b.get(path).await;
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    assert_eq!(r.headers()["cache-control"], "no-store");
    let body: Value = r.json().await.unwrap();
    body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["label"].as_str().unwrap().to_owned())
        .collect()
}

async fn the_lookup_finds_each_kind_for_the_office_only(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let oakfield = a_school()
        .named("Oakfield Primary")
        .in_area("Leeds")
        .create(&app.store)
        .await;
    a_school()
        .named("Oakwood Academy")
        .in_area("York")
        .create(&app.store)
        .await;
    let gone = a_school().named("Oakham Closed School").create(&app.store).await;
    app.store.archive_school(&Actor::cli(), gone.id).await.unwrap();
    let family = a_family(&oakfield)
        .first_child("Amelia", date!(2017 - 05 - 20))
        .with_login(PASSWORD)
        .create(&app.store)
        .await;
    let teacher = a_teacher()
        .named("Bertha", "Bowstring")
        .with_login(PASSWORD)
        .create(&app.store)
        .await;
    an_instrument().of_type("cello").create(&app.store).await;
    let contact = a_school_contact(&oakfield).create(&app.store).await;
    let manager = a_manager().create(&app.store).await.email;
    let manager = app.logged_in(&manager).await;

    // Any part of a name, any case; archived records are never offered.
    let found = labels(&manager, "/admin/lookup/schools?q=OAK").await;
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].starts_with("Oakfield Primary, Leeds (URN "), "{found:?}");
    assert_eq!(labels(&manager, "/admin/lookup/schools?q=york").await.len(), 1);
    let by_urn = labels(&manager, &format!("/admin/lookup/schools?q={}", oakfield.urn)).await;
    assert_eq!(by_urn.len(), 1);
    // Pupils by name and by their school's name, every word matching.
    let amelia = labels(&manager, "/admin/lookup/pupils?q=amelia%20oakfield").await;
    assert_eq!(amelia.len(), 1, "{amelia:?}");
    assert!(amelia[0].contains("Oakfield Primary") && amelia[0].contains(&family.pupil_refs[0]));
    assert!(
        labels(&manager, "/admin/lookup/pupils?q=amelia%20oakwood")
            .await
            .is_empty()
    );
    let staff = labels(&manager, "/admin/lookup/staff?q=bowstr").await;
    assert_eq!(staff.len(), 1);
    assert!(staff[0].starts_with("Bertha Bowstring"), "{staff:?}");
    assert_eq!(labels(&manager, "/admin/lookup/instruments?q=Cello").await.len(), 1);
    // Nothing typed, nothing offered; an unknown kind is not a page.
    assert!(labels(&manager, "/admin/lookup/schools?q=%20").await.is_empty());
    assert_eq!(
        manager.get("/admin/lookup/invoices?q=a").await.status(),
        StatusCode::NOT_FOUND
    );

    // At most twenty.
    for n in 0..21 {
        a_school().named(&format!("Many Elms {n:02}")).create(&app.store).await;
    }
    assert_eq!(labels(&manager, "/admin/lookup/schools?q=many%20elms").await.len(), 20);

    // Only the office: a teacher, a parent and a school are refused, nobody is sent to log in.
    for login in [teacher.user.unwrap().email, family.user.unwrap().email, contact.email] {
        let b = app.browser();
        b.login(&login, PASSWORD).await;
        let r = b.get("/admin/lookup/pupils?q=amelia").await;
        assert!(
            matches!(r.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "{login}: {}",
            r.status()
        );
        assert!(!r.text().await.unwrap().contains("Amelia"), "{login} sees no name");
    }
    let r = app.browser().get("/admin/lookup/pupils?q=amelia").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/login"));
}

async fn a_picker_takes_a_name_a_suggestion_or_a_number(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let oakfield = a_school()
        .named("Oakfield Primary")
        .in_area("Leeds")
        .create(&app.store)
        .await;
    let oakwood = a_school().named("Oakwood Academy").create(&app.store).await;
    let admin = an_admin().create(&app.store).await.email;
    let admin = app.logged_in(&admin).await;
    let pupil = |school: &'static str, pupil_ref: &'static str| {
        [
            ("pupil_ref", pupil_ref),
            ("first_name", "Amelia"),
            ("last_name", "Brown"),
            ("date_of_birth", "31/08/2016"),
            ("school_urn", school),
        ]
    };

    // Too many, and none: the form comes back with the words on the field, nothing saved.
    let r = admin
        .submit("/admin/pupils/new", "/admin/pupils/new", &pupil("oak", "P900001"))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("2 records match") && html.contains("href=\"#school_urn\""),
        "{html}"
    );
    assert!(html.contains("value=\"oak\""), "the text typed is kept");
    let r = admin
        .submit("/admin/pupils/new", "/admin/pupils/new", &pupil("Riverside", "P900001"))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("No school matches"));
    let (_, html) = admin.get_text("/admin/pupils?q=P900001").await;
    assert!(!html.contains("Amelia"), "nothing was saved");

    // Part of one school's name, a suggestion's label, or the URN itself.
    let r = admin
        .submit("/admin/pupils/new", "/admin/pupils/new", &pupil("field", "P900001"))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = admin.get_text(&location(&r)).await;
    assert!(html.contains("Oakfield Primary"), "{html}");
    let label = format!("Oakwood Academy (URN {})", oakwood.urn);
    let label: &'static str = Box::leak(label.into_boxed_str());
    let r = admin
        .submit("/admin/pupils/new", "/admin/pupils/new", &pupil(label, "P900002"))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = admin.get_text(&location(&r)).await;
    assert!(html.contains("Oakwood Academy"), "{html}");

    // A filter by a school's name shows that school's list; a name matching nothing says so.
    let (status, html) = admin.get_text("/admin/waiting-lists?school=oakfield").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("No school matches"), "{html}");
    let (status, html) = admin.get_text("/admin/waiting-lists?school=riverside").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("No school matches “riverside”") || html.contains("No school matches &#8220;riverside"));
    let (status, _) = admin
        .get_text(&format!("/admin/allocation?school={}", oakfield.id))
        .await;
    assert_eq!(status, StatusCode::OK, "a number still works");
}

async fn the_audit_log_names_records_and_finds_them_by_name(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let school = a_school().named("Oakfield Primary").create(&app.store).await;
    let family = a_family(&school)
        .first_child("Amelia", date!(2017 - 05 - 20))
        .create(&app.store)
        .await;
    let other = a_family(&school)
        .first_child("Zachary", date!(2017 - 05 - 20))
        .create(&app.store)
        .await;
    let pupil = family.children[0];
    let admin_email = an_admin().create(&app.store).await.email;
    let admin = app.logged_in(&admin_email).await;
    // Viewing a record is audited.
    admin.get_text(&format!("/admin/pupils/{pupil}")).await;
    admin.get_text(&format!("/admin/pupils/{}", other.children[0])).await;

    let (status, html) = admin.get_text("/admin/audit?entity=pupil").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&format!("<a href=\"/admin/pupils/{pupil}\">Pupil Amelia ")),
        "{html}"
    );
    assert!(!html.contains(&format!("pupil {pupil}<")), "no bare number");

    // A record found by its name: only its events.
    let (status, html) = admin.get_text("/admin/audit?entity=pupil&entity_id=amelia").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Pupil Amelia") && !html.contains("Pupil Zachary"),
        "{html}"
    );
    // A name without a record type cannot be looked up: said beside the field.
    let (_, html) = admin.get_text("/admin/audit?entity_id=amelia").await;
    assert!(html.contains("Choose the record type"), "{html}");

    // Records no picker finds are named too: an application by its pupil and instrument,
    // linked to the pupil's record; an account by its email.
    let application = an_application(pupil).create(&app.store).await;
    let (_, html) = admin.get_text("/admin/audit?entity=application").await;
    assert!(
        html.contains(&format!("<a href=\"/admin/pupils/{pupil}\">Application: Amelia "))
            && html.contains(", Violin</a>"),
        "{html}"
    );
    assert!(!html.contains(&format!("application {application}<")), "no bare number");
    let (_, html) = admin.get_text("/admin/audit?entity=user").await;
    assert!(html.contains(&format!("Account {admin_email}")), "{html}");
}

async fn office_pages_have_the_office_layout_and_public_pages_do_not(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    a_school().create(&app.store).await;
    let admin = an_admin().create(&app.store).await.email;
    let admin = app.logged_in(&admin).await;
    for path in ["/admin", "/admin/pupils", "/admin/audit", "/admin/billing/invoices"] {
        let (status, html) = admin.get_text(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            html.contains("<nav id=\"office-nav\" class=\"office-nav\" aria-label=\"Office\""),
            "{path}"
        );
        assert!(!html.contains("aria-label=\"Main\""), "{path}: not the public menu");
        assert!(html.contains("href=\"#office-nav\""), "{path}: the phone's menu button");
        assert!(html.contains("/static/pickers.js"), "{path}");
    }
    // Where a login lands, the account and its security, is in the workspace too.
    for path in ["/account", "/account/security"] {
        let (status, html) = admin.get_text(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(html.contains("class=\"office-nav\""), "{path}: {html}");
        assert!(!html.contains("aria-label=\"Main\""), "{path}: not the public menu");
    }
    // The home links straight to the day's work, with the counts.
    let (_, html) = admin.get_text("/admin").await;
    for link in [
        "/admin/pupils",
        "/admin/schools",
        "/admin/staff",
        "/admin/imports",
        "/admin/audit",
        "/admin/content",
    ] {
        assert!(html.contains(&format!("href=\"{link}\"")), "{link}");
    }
    assert!(
        html.contains("<dt>Schools</dt><dd><a href=\"/admin/schools\">1</a></dd>"),
        "{html}"
    );
    // A manager is not offered what they would be refused.
    let manager = a_manager().create(&app.store).await.email;
    let manager = app.logged_in(&manager).await;
    let (status, html) = manager.get_text("/admin").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("href=\"/admin/content\"") && !html.contains("href=\"/admin/users\""));

    // Public pages keep the public frame, for the office too, with the menu folded on phones
    // (a visitor's pages without a script: the Menu link works by moving to the menu).
    for (b, script) in [(&admin, true), (&app.browser(), false)] {
        let (_, html) = b.get_text("/").await;
        assert!(html.contains("aria-label=\"Main\"") && !html.contains("aria-label=\"Office\""));
        assert!(html.contains("href=\"#site-menu\""));
        assert_eq!(html.contains("/static/menu.js"), script);
    }
    let r = app.browser().get("/static/pickers.js").await;
    assert_eq!(r.status(), StatusCode::OK);
}
