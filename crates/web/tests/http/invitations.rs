//! People and their logins, from an empty hub: the office invites a teacher from their record
//! and a school's contact from the school's, each accepts through the emailed link and lands
//! on their own pages; invitations are resent, withdrawn, left to expire and listed; "invite
//! everyone" runs twice; archiving ends a login. A parent makes a login for their own child and
//! for nobody else's; the API invites and lists, as each role and as nobody, and a school's
//! login sees its own contacts only.
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::macros::date;
use tutti_store::testing::world::{a_contact_at, a_family, a_manager, a_school, a_school_contact, a_teacher, an_admin};

use crate::on_both_backends;
use crate::support::{Backend, PASSWORD, TestApp, link_in, location};

on_both_backends!(
    the_office_invites_and_people_accept_into_their_own_pages,
    invitations_are_resent_withdrawn_and_expire,
    a_parent_makes_a_login_for_their_own_child_only,
    the_api_invites_and_lists_as_each_role,
);

/// A Wednesday in the autumn term.
const DAY: time::Date = date!(2026 - 09 - 16);

/// The path of the invitation link in the newest email to `to`.
async fn link_sent_to(app: &TestApp, to: &str) -> String {
    let (mail, _) = app.store.outbox_page(Some(to), 1, 1).await.unwrap();
    let body = &mail.first().unwrap_or_else(|| panic!("no email to {to}")).body;
    link_in(body, "/invitations/accept?token=").expect("the invitation link")
}

/// Opens the link and chooses a password: the answer (a redirect to their home when it works).
async fn accept(app: &TestApp, link: &str) -> (crate::support::Browser, reqwest::Response) {
    let b = app.browser();
    let (status, page) = b.get_text(link).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Accept your invitation"));
    let token = link.split_once("token=").unwrap().1.to_owned();
    let r = b
        .submit(
            link,
            "/invitations/accept",
            &[("token", &token), ("password", "a chosen passphrase")],
        )
        .await;
    (b, r)
}

async fn the_office_invites_and_people_accept_into_their_own_pages(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let admin = an_admin().create(store).await.email;
    let school = a_school().create(store).await;
    let contact = a_contact_at(&school)
        .named("Ann Head", "Head teacher")
        .create(store)
        .await;
    let teacher = a_teacher().named("Jo", "Bloggs").create(store).await;
    let office = app.logged_in(&admin).await;

    // The staff record says there is no login, and offers to invite.
    let staff_page = format!("/admin/staff/{}", teacher.staff.id);
    let (_, html) = office.get_text(&staff_page).await;
    assert!(
        html.contains("No login") && html.contains("Invite to a login as"),
        "{html}"
    );
    let r = office
        .submit(&staff_page, &format!("{staff_page}/invite"), &[("role", "teacher")])
        .await;
    assert_eq!(location(&r), staff_page);
    let (_, html) = office.get_text(&staff_page).await;
    assert!(html.contains("Invitation sent to") && html.contains("Invited; the link works until"));

    // Jo accepts: a password too short is refused beside its field, then the login is made and
    // Jo lands on their own teaching day.
    let link = link_sent_to(&app, &teacher.staff.email).await;
    let b = app.browser();
    let token = link.split_once("token=").unwrap().1.to_owned();
    let r = b
        .submit(
            &link,
            "/invitations/accept",
            &[("token", &token), ("password", "short")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("href=\"#password\""));
    let (teacher_browser, r) = accept(&app, &link).await;
    assert_eq!(location(&r), "/teacher/day");
    let (status, day) = teacher_browser.get_text("/teacher/day").await;
    assert_eq!(status, StatusCode::OK);
    assert!(day.contains("Welcome. Your login is ready"));
    let user = store.user_by_email(&teacher.staff.email).await.unwrap().unwrap();
    assert_eq!(user.staff_id, Some(teacher.staff.id));

    // The link works once.
    let (status, page) = app.browser().get_text(&link).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("already been used"), "{page}");
    let (_, html) = office.get_text(&staff_page).await;
    assert!(html.contains("Has a login"));

    // The school's contact, invited from the school's page, lands on the school's pages.
    let school_page = format!("/admin/schools/{}", school.id);
    let (_, html) = office.get_text(&school_page).await;
    assert!(html.contains("Ann Head") && html.contains("Head teacher") && html.contains("No login"));
    let r = office
        .submit(
            &school_page,
            &format!("{school_page}/contacts/{}/invite", contact.id),
            &[],
        )
        .await;
    assert_eq!(location(&r), school_page);
    let (contact_browser, r) = accept(&app, &link_sent_to(&app, &contact.email).await).await;
    assert_eq!(location(&r), "/school/timetable");
    assert_eq!(contact_browser.get("/school/timetable").await.status(), StatusCode::OK);
    let (_, account) = contact_browser.get_text("/account").await;
    assert!(
        account.contains(&school.name),
        "the contact's account is their school's"
    );

    // The office's list says who accepted.
    let (_, list) = office.get_text("/admin/invitations?status=accepted").await;
    assert!(list.contains("Jo Bloggs") && list.contains("Ann Head"));

    // Archiving the teacher's record ends their login and their session.
    let r = office.submit(&staff_page, &format!("{staff_page}/archive"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = teacher_browser.get("/teacher/day").await;
    assert!(location(&r).starts_with("/login"), "the session ended");
    let r = app.browser().login(&teacher.staff.email, "a chosen passphrase").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn invitations_are_resent_withdrawn_and_expire(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let manager = a_manager().create(store).await.email;
    let school = a_school().create(store).await;
    let contact = a_contact_at(&school).create(store).await;
    let first = a_teacher().create(store).await;
    let second = a_teacher().create(store).await;
    let office = app.logged_in(&manager).await;

    // Everyone without a login: both teachers and the contact; the second run invites nobody.
    let r = office
        .submit("/admin/invitations", "/admin/invitations/everyone", &[])
        .await;
    assert_eq!(location(&r), "/admin/invitations");
    let (_, html) = office.get_text("/admin/invitations").await;
    assert!(
        html.contains("3 invited: 2 members of staff and 1 school contact."),
        "{html}"
    );
    office
        .submit("/admin/invitations", "/admin/invitations/everyone", &[])
        .await;
    let (_, html) = office.get_text("/admin/invitations?status=pending").await;
    assert!(html.contains("nobody new was invited"));
    assert!(html.contains("3 found"));

    // Resent: the old link is dead, the new one works.
    let old = link_sent_to(&app, &first.staff.email).await;
    let id = store
        .list_invitations(&tutti_store::platform::invitations::InvitationFilter {
            q: first.staff.email.clone(),
            page: 1,
            per_page: 10,
            ..Default::default()
        })
        .await
        .unwrap()
        .rows[0]
        .id;
    office
        .submit("/admin/invitations", &format!("/admin/invitations/{id}/resend"), &[])
        .await;
    let (status, page) = app.browser().get_text(&old).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("We do not recognise this link"));
    let new = link_sent_to(&app, &first.staff.email).await;
    assert_ne!(old, new);

    // Withdrawn from the list: its link says so.
    let id = store
        .list_invitations(&tutti_store::platform::invitations::InvitationFilter {
            q: second.staff.email.clone(),
            page: 1,
            per_page: 10,
            ..Default::default()
        })
        .await
        .unwrap()
        .rows[0]
        .id;
    office
        .submit("/admin/invitations", &format!("/admin/invitations/{id}/withdraw"), &[])
        .await;
    let (status, page) = app
        .browser()
        .get_text(&link_sent_to(&app, &second.staff.email).await)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("withdrawn by the hub office"), "{page}");

    // A week and a day later the contact's link has expired; the list says so.
    store.clock().advance(time::Duration::days(8));
    let (status, page) = app.browser().get_text(&link_sent_to(&app, &contact.email).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("This invitation has expired"), "{page}");
    let office = app.logged_in(&manager).await;
    let (_, html) = office.get_text("/admin/invitations?status=expired").await;
    assert!(html.contains(&contact.email) && html.contains("Expired"));
}

async fn a_parent_makes_a_login_for_their_own_child_only(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let school = a_school().create(store).await;
    let family = a_family(&school)
        .first_child("Ava", date!(2016 - 03 - 04))
        .with_login(PASSWORD)
        .create(store)
        .await;
    let others = a_family(&school).create(store).await;
    // The parent signed up with the email on the guardian's record: the child is theirs.
    let parent = app.logged_in(&family.email).await;
    let (status, page) = parent.get_text("/parent/logins").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Ava") && page.contains("No login"));

    // A bad address is refused beside the child's field, with an error summary.
    let child = family.children[0].to_string();
    let r = parent
        .submit(
            "/parent/logins",
            "/parent/logins",
            &[("pupil_id", &child), ("email", "not an email")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains(&format!("href=\"#email-{child}\"")));

    // Someone else's child is not there to invite.
    let theirs = others.children[0].to_string();
    let r = parent
        .submit(
            "/parent/logins",
            "/parent/logins",
            &[("pupil_id", &theirs), ("email", "other.child@family.example")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    let r = parent
        .submit(
            "/parent/logins",
            "/parent/logins",
            &[("pupil_id", &child), ("email", "ava@family.example")],
        )
        .await;
    assert_eq!(location(&r), "/parent/logins");
    let (_, page) = parent.get_text("/parent/logins").await;
    assert!(page.contains("We have sent an invitation to ava@family.example"));
    let (ava, r) = accept(&app, &link_sent_to(&app, "ava@family.example").await).await;
    assert_eq!(location(&r), "/account");
    let (_, account) = ava.get_text("/account").await;
    assert!(account.contains("Pupil"));
    let user = store.user_by_email("ava@family.example").await.unwrap().unwrap();
    assert_eq!(user.pupil_id, Some(family.children[0]));
}

async fn the_api_invites_and_lists_as_each_role(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let store = &app.store;
    let admin = an_admin().create(store).await.email;
    let school = a_school().create(store).await;
    let elsewhere = a_school().create(store).await;
    let teacher = a_teacher().with_login(PASSWORD).create(store).await;
    let invited = a_teacher().create(store).await;
    let family = a_family(&school).with_login(PASSWORD).create(store).await;
    let others = a_family(&school).create(store).await;
    let school_login = a_school_contact(&school).create(store).await.email;
    let http = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", app.base);
    let post = |token: String, path: String, body: Value| {
        let http = http.clone();
        async move {
            let r = http.post(path).bearer_auth(token).json(&body).send().await.unwrap();
            let status = r.status();
            (status, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let office = app.token(&admin).await;

    // Nobody: 401.
    let r = http.get(url("/api/v1/invitations")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // 422 naming each field; exactly one record.
    let (status, p) = post(office.clone(), url("/api/v1/invitations"), json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "role", "staff_id"]);
    let (status, p) = post(
        office.clone(),
        url("/api/v1/invitations"),
        json!({"email": "x@y.example", "role": "school", "school_id": school.id, "pupil_id": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["errors"][0]["field"], "school_id");

    // Sent; then 409 for the same address, for an address with a login, and for a role that
    // does not fit its record.
    let body = json!({"email": invited.staff.email, "role": "teacher", "staff_id": invited.staff.id});
    let (status, sent) = post(office.clone(), url("/api/v1/invitations"), body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    assert_eq!(sent["status"], "pending");
    assert_eq!(sent["staff_id"], invited.staff.id);
    let (status, p) = post(office.clone(), url("/api/v1/invitations"), body).await;
    assert_eq!(
        (status, p["errors"][0]["field"].as_str()),
        (StatusCode::CONFLICT, Some("email"))
    );
    let (status, _) = post(
        office.clone(),
        url("/api/v1/invitations"),
        json!({"email": admin, "role": "school", "school_id": school.id}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, p) = post(
        office.clone(),
        url("/api/v1/invitations"),
        json!({"email": "head@elsewhere.example", "role": "teacher", "school_id": elsewhere.id}),
    )
    .await;
    assert_eq!(
        (status, p["errors"][0]["field"].as_str()),
        (StatusCode::CONFLICT, Some("role"))
    );
    let (status, _) = post(
        office.clone(),
        url("/api/v1/invitations"),
        json!({"email": "nobody@x.example", "role": "teacher", "staff_id": 987654}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The office lists them; nobody else does.
    let r = http
        .get(url("/api/v1/invitations?status=pending"))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page: Value = r.json().await.unwrap();
    assert_eq!((page["total"].as_u64(), page["page"].as_u64()), (Some(1), Some(1)));
    for who in [&teacher.staff.email, &family.email, &school_login] {
        let r = http
            .get(url("/api/v1/invitations"))
            .bearer_auth(app.token(who).await)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{who}");
    }

    // A parent invites for their own child (404 for anyone else's, 403 for a staff record);
    // a teacher invites nobody.
    let parent = app.token(&family.email).await;
    let child = |id: i64| json!({"email": format!("child{id}@family.example"), "role": "pupil", "pupil_id": id});
    let (status, _) = post(parent.clone(), url("/api/v1/invitations"), child(others.children[0])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = post(
        parent.clone(),
        url("/api/v1/invitations"),
        json!({"email": "a@b.example", "role": "teacher", "staff_id": teacher.staff.id}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = post(parent.clone(), url("/api/v1/invitations"), child(family.children[0])).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = post(
        app.token(&teacher.staff.email).await,
        url("/api/v1/invitations"),
        child(family.children[0]),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Contacts: the office adds one; the school's own login reads its own school's and not
    // another's; the office removes it.
    let contacts = url(&format!("/api/v1/schools/{}/contacts", school.id));
    let (status, p) = post(office.clone(), contacts.clone(), json!({"name": "", "email": "x"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["errors"][0]["field"], "name");
    let (status, added) = post(
        office.clone(),
        contacts.clone(),
        json!({"name": "Sam Lead", "email": "music@school.example", "job_title": "Music lead"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["login"], "no_login");
    let (status, _) = post(
        office.clone(),
        contacts.clone(),
        json!({"name": "Sam Again", "email": "music@school.example"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let school_token = app.token(&school_login).await;
    let r = http.get(&contacts).bearer_auth(&school_token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page: Value = r.json().await.unwrap();
    assert_eq!(page["rows"][0]["name"], "Sam Lead");
    let r = http
        .get(url(&format!("/api/v1/schools/{}/contacts", elsewhere.id)))
        .bearer_auth(&school_token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "another school's contacts are not there"
    );
    let r = http.get(&contacts).bearer_auth(&parent).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = http
        .delete(format!("{contacts}/{}", added["id"]))
        .bearer_auth(&school_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = http
        .delete(format!("{contacts}/{}", added["id"]))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let page: Value = http
        .get(&contacts)
        .bearer_auth(&office)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 0);
}
