//! The record screens: schools and pupils listed, searched, created, edited and archived by
//! the office, with every write and every view of a pupil in the audit log.
use reqwest::StatusCode;
use time::macros::date;
use tutti_store::records::schools::School;
use tutti_store::testing::world::{
    Family, PASSWORD, a_family, a_manager, a_school, a_school_contact, a_teacher, an_admin,
};

use crate::on_both_backends;
use crate::support::{Backend, TestApp, location};

on_both_backends!(
    schools_are_searched_created_edited_and_archived,
    pupil_records_are_searched_viewed_and_audited,
    only_the_office_reaches_record_screens,
    staff_are_listed_created_warned_edited_and_archived,
    instruments_are_listed_created_edited_and_archived,
    the_import_page_previews_then_writes_only_when_confirmed
);

/// A Tuesday in the autumn term, the day these tests happen on.
const DAY: time::Date = date!(2026 - 11 - 10);

/// Two schools, and a family at the first.
async fn schools_and_a_family(app: &TestApp) -> (School, School, Family) {
    let school = a_school().create(&app.store).await;
    let other = a_school().create(&app.store).await;
    let family = a_family(&school).create(&app.store).await;
    (school, other, family)
}

async fn schools_are_searched_created_edited_and_archived(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let (_, second, _) = schools_and_a_family(&app).await;
    let admin = an_admin().create(&app.store).await.email;
    let admin = app.logged_in(&admin).await;
    let (status, html) = admin.get_text(&format!("/admin/schools?q={}", second.urn)).await;
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
    assert!(html.contains("Enter a postcode like SW1A 1AA"));
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
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    // More pupils than a page holds (25).
    let (school, _, family) = schools_and_a_family(&app).await;
    for _ in 0..13 {
        a_family(&school)
            .with_child("Second", date!(2018 - 04 - 05))
            .create(&app.store)
            .await;
    }
    let urn = school.urn.to_string();
    let manager_email = a_manager().create(&app.store).await.email;
    let manager = app.logged_in(&manager_email).await;
    let (status, html) = manager
        .get_text(&format!("/admin/pupils?q={}", family.pupil_refs[0]))
        .await;
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
                ("school_urn", &urn),
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
    assert!(html.contains(&manager_email));
}

async fn only_the_office_reaches_record_screens(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let school = a_school().create(store).await;
    let family = a_family(&school).with_login(PASSWORD).create(store).await;
    let teacher = a_teacher().with_login(PASSWORD).create(store).await.staff.email;
    let contact = a_school_contact(&school).create(store).await.email;
    let pupil = format!("/admin/pupils/{}", family.children[0]);
    for who in [&teacher, &family.email, &contact] {
        let b = app.logged_in(who).await;
        for path in ["/admin/pupils", pupil.as_str(), "/admin/schools", "/admin/audit"] {
            let (status, _) = b.get_text(path).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{who} on {path}");
        }
    }
    let anon = app.browser();
    let r = anon.get("/admin/pupils").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

async fn staff_are_listed_created_warned_edited_and_archived(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let teacher = a_teacher().create(&app.store).await.staff.email;
    a_teacher().create(&app.store).await;
    let admin = an_admin().create(&app.store).await.email;
    let admin = app.logged_in(&admin).await;
    let (status, html) = admin.get_text(&format!("/admin/staff?q={teacher}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("1 found"), "{html}");

    let mut fields = vec![
        ("email", "not-an-email"),
        ("first_name", "Nadia"),
        ("last_name", "Okafor"),
        ("role", "teacher"),
        ("instruments", "violin; viola"),
        ("employment", "sessional"),
        ("dbs_number", "001234567890"),
        ("dbs_issued", "31/02/2024"),
        ("safeguarding_trained", ""),
    ];
    let r = admin.submit("/admin/staff/new", "/admin/staff/new", &fields).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("id=\"email-error\""),
        "the email's problem is next to it: {html}"
    );
    assert!(html.contains("id=\"dbs_issued-error\""), "{html}");
    assert!(html.contains("value=\"Okafor\""), "input is kept");

    fields[0] = ("email", "Nadia.Okafor@Staff.Hub.Example");
    fields[7] = ("dbs_issued", "2015-09-01");
    let r = admin.submit("/admin/staff/new", "/admin/staff/new", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = location(&r);
    let (_, html) = admin.get_text(&page).await;
    assert!(
        html.contains("nadia.okafor@staff.hub.example"),
        "emails are kept in lower case: {html}"
    );
    assert!(html.contains("violin, viola"));
    assert!(
        html.contains("Safeguarding training: not recorded"),
        "missing training is a warning"
    );
    assert!(
        html.contains("DBS check: expired"),
        "an old DBS off the update service has lapsed"
    );

    let r = admin.submit("/admin/staff/new", "/admin/staff/new", &fields).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "the email is taken");

    fields[8] = ("safeguarding_trained", "01/09/2099");
    fields.push(("dbs_update_service", "yes"));
    let r = admin
        .submit(&format!("{page}/edit"), &format!("{page}/edit"), &fields)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = admin.get_text(&page).await;
    assert!(
        !html.contains("DBS check: expired"),
        "on the update service a DBS stays current"
    );

    let r = admin.submit(&page, &format!("{page}/archive"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = admin.get_text("/admin/staff?q=okafor").await;
    assert!(html.contains("No staff match"), "{html}");
    let (_, html) = admin.get_text("/admin/audit?entity=staff").await;
    // The log keeps the record by id (decision 0088) and names it when shown.
    assert!(html.contains("Okafor"), "{html}");
    assert!(!html.contains("staff nadia.okafor@staff.hub.example"), "{html}");
    assert!(html.contains("archive"));
}

async fn instruments_are_listed_created_edited_and_archived(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let manager = a_manager().create(&app.store).await.email;
    let manager = app.logged_in(&manager).await;
    let (status, _) = manager.get_text("/admin/instruments").await;
    assert_eq!(status, StatusCode::OK);
    let mut fields = vec![
        ("serial", "YV-2024-0001"),
        ("type", "violin"),
        ("make", "Yamaha"),
        ("model", "V3"),
        ("condition", "good"),
        ("value", "149.999"),
        ("location", "Durham store"),
        ("status", "available"),
    ];
    let r = manager
        .submit("/admin/instruments/new", "/admin/instruments/new", &fields)
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"value-error\""), "{html}");

    fields[5] = ("value", "149.99");
    let r = manager
        .submit("/admin/instruments/new", "/admin/instruments/new", &fields)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = location(&r);
    let (_, html) = manager.get_text(&page).await;
    assert!(html.contains("YV-2024-0001") && html.contains("149.99"), "{html}");

    let (_, html) = manager.get_text("/admin/instruments?q=yamaha").await;
    assert!(html.contains("1 found"), "{html}");

    fields[4] = ("condition", "needs-repair");
    fields[7] = ("status", "in-repair");
    let r = manager
        .submit(&format!("{page}/edit"), &format!("{page}/edit"), &fields)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = manager.get_text(&page).await;
    assert!(html.contains("in-repair") || html.contains("in repair"), "{html}");
    let r = manager.submit(&page, &format!("{page}/archive"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = manager.get_text("/admin/instruments?q=yamaha").await;
    assert!(html.contains("No instruments match"), "{html}");
    let (_, html) = manager.get_text("/admin/audit?entity=instrument").await;
    assert!(
        html.contains("changed condition, status") || html.contains("changed"),
        "{html}"
    );
}

async fn the_import_page_previews_then_writes_only_when_confirmed(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let (school, _, family) = schools_and_a_family(&app).await;
    let (urn, existing) = (school.urn, family.pupil_refs[0].clone());
    let admin = an_admin().create(&app.store).await.email;
    let admin = app.logged_in(&admin).await;
    let (status, html) = admin.get_text("/admin/records").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("href=\"/admin/imports\""));
    let (status, html) = admin.get_text("/admin/imports").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("pupil_ref, first_name, last_name"),
        "the columns are listed"
    );

    // A bad file: every problem by line and column, and nothing written.
    let bad = format!(
        "pupil_ref,first_name,last_name,date_of_birth,school_urn,fsm\n\
         UPL001,Ada,Upload,31/02/2016,{urn},no\n\
         UPL002,Bea,Upload,01/02/2016,{urn},maybe\n"
    );
    let bad = bad.as_str();
    let r = admin
        .submit(
            "/admin/imports",
            "/admin/imports/preview",
            &[("kind", "pupils"), ("csv", bad)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("This file cannot be imported"), "{html}");
    assert!(
        html.contains("<td data-label=\"Line\">2</td><td data-label=\"Column\">date_of_birth</td>"),
        "{html}"
    );
    assert!(
        html.contains("<td data-label=\"Line\">3</td><td data-label=\"Column\">fsm</td>"),
        "{html}"
    );
    assert!(!html.contains("Confirm and import"));

    // A good file: a preview by outcome, then nothing until confirmed.
    let good = format!(
        "pupil_ref,first_name,last_name,date_of_birth,school_urn,favourite_colour\n\
         UPL001,Ada,Upload,01/02/2016,{urn},red\n\
         {existing},CHANGED,Name,01/02/2016,{urn},blue\n"
    );
    let good = good.as_str();
    let r = admin
        .submit(
            "/admin/imports",
            "/admin/imports/preview",
            &[("kind", "pupils"), ("csv", good)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("1 created, 1 updated, 0 unchanged"), "{html}");
    assert!(html.contains("To be created (1)") && html.contains("UPL001"), "{html}");
    assert!(html.contains("To be updated (1)") && html.contains(&existing), "{html}");
    assert!(
        html.contains("favourite_colour is not a column"),
        "unknown columns are reported"
    );
    assert!(html.contains("Confirm and import"));
    let (_, list) = admin.get_text("/admin/pupils?q=UPL001").await;
    assert!(list.contains("No pupils match"), "a preview writes nothing");

    // Confirming sends the file again as a multipart form, the way the page's form does.
    let token = crate::support::csrf_token(&html).unwrap();
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", token)
        .text("kind", "pupils")
        .text("csv", good.to_owned());
    let r = admin
        .client
        .post(format!("{}/admin/imports/commit", admin.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/admin/pupils");
    let (_, list) = admin.get_text("/admin/pupils?q=UPL001").await;
    assert!(list.contains("1 found"), "{list}");
    assert!(list.contains("Imported 2 pupils: 1 created, 1 updated, 0 unchanged."));

    // Uploading the same file again changes nothing.
    let (_, html) = admin.get_text("/admin/imports").await;
    let token = crate::support::csrf_token(&html).unwrap();
    let upload = reqwest::multipart::Form::new()
        .text("csrf_token", token.clone())
        .text("kind", "pupils")
        .part(
            "file",
            reqwest::multipart::Part::bytes(format!("\u{feff}{good}").into_bytes()).file_name("pupils.csv"),
        );
    let r = admin
        .client
        .post(format!("{}/admin/imports/preview", admin.base))
        .multipart(upload)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("0 created, 0 updated, 2 unchanged"), "{html}");
    assert!(html.contains("nothing to import"));

    // A multipart form without the right token is refused before anything is read.
    let forged = reqwest::multipart::Form::new()
        .text("csrf_token", "forged")
        .text("kind", "pupils")
        .text("csv", good.to_owned());
    let r = admin
        .client
        .post(format!("{}/admin/imports/commit", admin.base))
        .multipart(forged)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Nothing chosen: errors next to the fields.
    let r = admin
        .submit(
            "/admin/imports",
            "/admin/imports/preview",
            &[("kind", "nonsense"), ("csv", " ")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Choose what the file holds") && html.contains("Paste the file here"));

    // A teacher cannot reach the page.
    let teacher = a_teacher().with_login(PASSWORD).create(&app.store).await;
    let teacher = app.logged_in(&teacher.staff.email).await;
    let (status, _) = teacher.get_text("/admin/imports").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
