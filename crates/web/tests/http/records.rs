//! The record screens: schools and pupils listed, searched, created, edited and archived by
//! the office, with every write and every view of a pupil in the audit log.
use reqwest::StatusCode;

use crate::on_both_backends;
use crate::support::{Backend, TestApp, location};

on_both_backends!(
    schools_are_searched_created_edited_and_archived,
    pupil_records_are_searched_viewed_and_audited,
    only_the_office_reaches_record_screens
);

async fn schools_are_searched_created_edited_and_archived(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let admin = app.logged_in("admin@demo.test").await;
    let (status, html) = admin.get_text("/admin/schools?q=114001").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("1 found"), "{html}");
    let (_, html) = admin.get_text("/admin/schools?q=no-such-school-here").await;
    assert!(html.contains("No schools match"));

    let bad = [
        ("urn", "12"),
        ("name", "Gilesgate Primary"),
        ("phase", "primary"),
        ("type", "maintained"),
        ("postcode", "nowhere"),
        ("parent_charge_uplift", "50"),
        ("billing", "internal-journal"),
    ];
    let r = admin.submit("/admin/schools/new", "/admin/schools/new", &bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Enter the school&#39;s URN") || html.contains("Enter the school's URN"),
        "{html}"
    );
    assert!(html.contains("Enter a postcode like DH1 3LE"));
    assert!(html.contains("value=\"Gilesgate Primary\""), "input is kept");

    let mut good = bad;
    good[0] = ("urn", "199001");
    good[4] = ("postcode", "dh1 1qw");
    let r = admin.submit("/admin/schools/new", "/admin/schools/new", &good).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = location(&r);
    let (_, html) = admin.get_text(&page).await;
    assert!(html.contains("Gilesgate Primary") && html.contains("DH1 1QW") && html.contains("50%"));

    let r = admin.submit("/admin/schools/new", "/admin/schools/new", &good).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "the URN is taken");

    let mut edited = good;
    edited[1] = ("name", "Gilesgate Primary Academy");
    edited[3] = ("type", "academy");
    let r = admin
        .submit(&format!("{page}/edit"), &format!("{page}/edit"), &edited)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = admin.submit(&page, &format!("{page}/archive"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = admin.get_text("/admin/schools?q=Gilesgate").await;
    assert!(html.contains("No schools match"), "archived schools leave the list");

    let (_, html) = admin.get_text("/admin/audit?entity=school").await;
    assert!(html.contains("school 199001 Gilesgate Primary"));
    assert!(html.contains("changed name, type"), "{html}");
    assert!(html.contains("archive"));
}

async fn pupil_records_are_searched_viewed_and_audited(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let manager = app.logged_in("manager@demo.test").await;
    let (status, html) = manager.get_text("/admin/pupils?q=P100000").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("1 found"), "{html}");
    let (_, html) = manager.get_text("/admin/pupils?sort=dob&desc=1&page=2").await;
    assert!(html.contains("page 2 of"));

    let r = manager
        .submit(
            "/admin/pupils/new",
            "/admin/pupils/new",
            &[
                ("pupil_ref", "T0001"),
                ("first_name", "Amira"),
                ("last_name", "Zed-Testcase"),
                ("date_of_birth", "10/03/2016"),
                ("school_urn", "114000"),
                ("send", "yes"),
                ("medical_notes", "Nut allergy"),
                ("guardian_name", "Sara Zed"),
                ("guardian_email", "sara.zed@example.com"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = location(&r);
    let (_, html) = manager.get_text(&page).await;
    assert!(html.contains("Nut allergy") && html.contains("sara.zed@example.com"));
    assert!(html.contains("Year "), "a year group is derived");
    let (_, html) = manager.get_text("/admin/pupils?q=zed-test").await;
    assert!(html.contains("Amira"));
    let (_, html) = manager.get_text("/admin/pupils?q=amira%20zed").await;
    assert!(html.contains("Zed-Testcase"), "first and last name together");

    let r = manager
        .submit(
            "/admin/pupils/new",
            "/admin/pupils/new",
            &[
                ("pupil_ref", "T0002"),
                ("first_name", "Ben"),
                ("last_name", "Lee"),
                ("date_of_birth", "31/02/2016"),
                ("school_urn", "999999"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Enter a real date like 31/08/2019 or 2019-08-31")
    );

    let id: i64 = page.rsplit('/').next().unwrap().parse().unwrap();
    let (_, html) = manager
        .get_text(&format!("/admin/audit?entity=pupil&entity_id={id}"))
        .await;
    assert!(html.contains("pupil T0001 viewed"), "views are audited: {html}");
    assert!(html.contains("manager@demo.test"));
}

async fn only_the_office_reaches_record_screens(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    for who in ["teacher@demo.test", "parent@demo.test", "school@demo.test"] {
        let b = app.logged_in(who).await;
        for path in ["/admin/pupils", "/admin/pupils/1", "/admin/schools", "/admin/audit"] {
            let (status, _) = b.get_text(path).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{who} on {path}");
        }
    }
    let anon = app.browser();
    let r = anon.get("/admin/pupils").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}
