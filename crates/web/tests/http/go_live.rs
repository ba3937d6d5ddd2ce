//! A real hub goes live from an empty database, over HTTP only, as its people would: the
//! office sets the hub up with the one-time code, names it, imports its schools, pupils and
//! staff, sets the term dates and a rotating school, invites a teacher who accepts and sees
//! their day, places an enrolment, lends an instrument and bills the term; the teacher marks a
//! register; a parent signs up and pays the invoice, which carries the lesson and the hire.
//! No demo seed and no SQL: the store is read only for what a person would receive by email
//! (the outbox) and for the setup code `tutti serve` prints.
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::macros::date;
use tutti_web::WebConfig;
use tutti_web::payments::CardPayments;

use crate::on_both_backends;
use crate::support::{Backend, Browser, TestApp, csrf_token, link_in, location};

on_both_backends!(a_hub_goes_live_from_an_empty_database);

/// A Monday of the autumn term of 2026: the hub goes live on it.
const DAY: time::Date = date!(2026 - 09 - 14);
const HUB: &str = "Riverside Music Hub";
const OFFICE: &str = "office@riverside.example";
const OFFICE_PASSWORD: &str = "a long office passphrase";
const TEACHER: &str = "tom.teacher@riverside.example";
const CARER: &str = "carer.one@family.example";

/// The path of the first link in the latest email to `to` that starts with `prefix`.
async fn emailed_link(app: &TestApp, to: &str, prefix: &str) -> String {
    let (mail, _) = app.store.outbox_page(Some(to), 1, 5).await.unwrap();
    let link = mail
        .iter()
        .find_map(|m| link_in(&m.body, prefix))
        .unwrap_or_else(|| panic!("an email to {to} with a link {prefix}"));
    link[link.find(prefix).unwrap()..].to_owned()
}

/// The base32 key the security page shows for an authenticator app.
fn totp_key(html: &str) -> Vec<u8> {
    let marker = "<code id=\"totp-key\">";
    let start = html.find(marker).expect("the key on the page") + marker.len();
    let end = start + html[start..].find('<').unwrap();
    tutti_auth::totp::base32_decode(&html[start..end]).expect("a base32 key")
}

/// Confirms the preview of a CSV file on the imports screen and imports it.
async fn import(office: &Browser, kind: &str, csv: &str) {
    let r = office
        .submit(
            "/admin/imports",
            "/admin/imports/preview",
            &[("kind", kind), ("csv", csv)],
        )
        .await;
    let status = r.status();
    let html = r.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{kind}: {html}");
    assert!(html.contains("Confirm and import"), "{kind}: {html}");
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", csrf_token(&html).unwrap())
        .text("kind", kind.to_owned())
        .text("csv", csv.to_owned());
    let r = office
        .client
        .post(format!("{}/admin/imports/commit", office.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{kind} imported");
}

async fn a_hub_goes_live_from_an_empty_database(backend: Backend) {
    let config = WebConfig {
        card_payments: CardPayments::test_mode(),
        ..WebConfig::default()
    };
    let Some(app) = TestApp::spawn_empty_with(backend, config, DAY).await else {
        return;
    };
    let api = reqwest::Client::new();
    let url = |p: &str| format!("{}{p}", app.base);

    // First run: the code `tutti serve` prints; without it there is no setup.
    let code = app
        .store
        .issue_setup_code()
        .await
        .unwrap()
        .expect("a fresh hub has a setup code");
    let office = app.browser();
    let (_, html) = office.get_text("/setup?code=forged").await;
    assert!(html.contains("This setup link is not valid"));
    let form = format!("/setup?code={code}");
    let r = office
        .submit(
            &form,
            "/setup",
            &[
                ("code", code.as_str()),
                ("hub_name", HUB),
                ("name", "Olive Office"),
                ("email", OFFICE),
                ("password", OFFICE_PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
    assert_eq!(office.get(&form).await.status(), StatusCode::NOT_FOUND, "setup is gone");

    // The office signs in and sets up its authenticator app before any office page.
    assert_eq!(
        office.login(OFFICE, OFFICE_PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let (_, html) = office.get_text("/account/security").await;
    let key = totp_key(&html);
    let totp = tutti_auth::totp::code_at(&key, app.store.now().unix_timestamp());
    let r = office
        .post_raw(
            "/account/security/totp",
            &[
                ("csrf_token", csrf_token(&html).unwrap().as_str()),
                ("code", totp.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    // A token for the office's scripts, made on the account page.
    let r = office
        .submit(
            "/account/tokens",
            "/account/tokens",
            &[("name", "go-live script"), ("scope", "read_write"), ("days", "30")],
        )
        .await;
    let html = r.text().await.unwrap();
    let marker = "<code id=\"new-token\">";
    let start = html.find(marker).expect("the token is shown once") + marker.len();
    let token = html[start..start + html[start..].find('<').unwrap()].to_owned();

    // The hub's identity.
    let r = api
        .put(url("/api/v1/hub"))
        .bearer_auth(&token)
        .json(&json!({
            "name": HUB, "short_name": "Riverside", "contact_email": "hello@riverside.example",
            "phone": "01234567890", "postal_address": "1 Quay Street\nRiverside\nRV1 1AA",
            "charity_number": "", "local_authorities": ["Riverside Council"],
            "home_heading": format!("Music for every child, with {HUB}"),
            "home_intro": "Lessons in every school."
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let (_, home) = app.browser().get_text("/").await;
    assert!(home.contains(HUB) && home.contains("hello@riverside.example"), "{home}");

    // Schools (one rotates its lesson times), pupils with their carers, and staff, from CSV.
    import(
        &office,
        "schools",
        "urn,name,phase,type,local_authority,postcode,rooms,rotating\n\
         300001,Riverside Primary,primary,maintained,Riverside Council,PE1 1AA,2,yes\n\
         300002,Quayside Academy,secondary,academy,Riverside Council,PE2 2BB,1,no\n",
    )
    .await;
    import(
        &office,
        "pupils",
        &format!(
            "pupil_ref,first_name,last_name,date_of_birth,school_urn,fsm,guardian_name,guardian_email\n\
             RV0001,Ada,One,01/03/2017,300001,no,Carer One,{CARER}\n\
             RV0002,Ben,Two,02/04/2016,300001,yes,Carer Two,carer.two@family.example\n"
        ),
    )
    .await;
    import(
        &office,
        "staff",
        &format!("email,first_name,last_name,role,instruments\n{TEACHER},Tom,Teacher,teacher,Violin\n"),
    )
    .await;
    let get = |path: String| {
        let r = api.get(url(&path)).bearer_auth(&token).send();
        async move { r.await.unwrap().json::<Value>().await.unwrap() }
    };
    let schools = get("/api/v1/schools?q=300001".into()).await;
    let school = &schools["rows"][0];
    assert_eq!(
        (school["rotating"].as_bool(), school["rooms"].as_i64()),
        (Some(true), Some(2)),
        "{school}"
    );
    let school_id = school["id"].as_i64().unwrap();
    let pupil_id = get("/api/v1/pupils?q=RV0001".into()).await["rows"][0]["id"]
        .as_i64()
        .unwrap();
    let teacher_id = get("/api/v1/staff?q=tom.teacher".into()).await["rows"][0]["id"]
        .as_i64()
        .unwrap();

    // The year: the authority's autumn term.
    let r = api
        .post(url("/api/v1/terms"))
        .bearer_auth(&token)
        .json(&json!({
            "authority": "Riverside Council", "academic_year": "2026-27", "term": "autumn",
            "first_day": "2026-09-03", "last_day": "2026-12-18",
            "half_term_first_day": "2026-10-26", "half_term_last_day": "2026-10-30"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());

    // The teacher is invited from their record and accepts.
    let (_, html) = office.get_text(&format!("/admin/staff/{teacher_id}")).await;
    assert!(html.contains("Invite"), "{html}");
    let r = office
        .submit(
            &format!("/admin/staff/{teacher_id}"),
            &format!("/admin/staff/{teacher_id}/invite"),
            &[("role", "teacher")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let accept = emailed_link(&app, TEACHER, "/invitations/accept?token=").await;
    let teacher = app.browser();
    let r = teacher
        .submit(
            &accept,
            "/invitations/accept",
            &[
                ("token", accept.split("token=").nth(1).unwrap()),
                ("password", "a teacher's passphrase"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    assert_eq!(location(&r), "/teacher/day");

    // An enrolment, placed with the teacher on Mondays at 09:00.
    let r = api
        .post(url("/api/v1/enrolments"))
        .bearer_auth(&token)
        .json(
            &json!({"pupil_id": pupil_id, "instrument": "Violin", "lesson_type": "individual",
                      "minutes": 30, "start_date": "2026-09-07"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
    let enrolment = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = api
        .post(url("/api/v1/placements"))
        .bearer_auth(&token)
        .json(
            &json!({"enrolments": [enrolment], "teacher": teacher_id, "school": school_id,
                      "weekday": "monday", "start": "09:00", "minutes": 30,
                      "lesson_type": "individual", "instrument": "Violin"}),
        )
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());

    // The teacher's day shows the lesson; they mark Ada present.
    let (status, day) = teacher.get_text("/teacher/day").await;
    assert_eq!(status, StatusCode::OK);
    assert!(day.contains("Ada One") && day.contains("Riverside Primary"), "{day}");
    let action_at = day.find("/teacher/lessons/").expect("a register on the day");
    let action = &day[action_at..action_at + day[action_at..].find('"').unwrap()];
    let r = teacher
        .submit(
            "/teacher/day",
            action,
            &[
                ("pupil", pupil_id.to_string().as_str()),
                ("mark", "present"),
                ("date", &DAY.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, day) = teacher.get_text("/teacher/day").await;
    assert!(day.contains("Present"), "{day}");

    // A violin lent to Ada from today.
    let r = api
        .post(url("/api/v1/instruments"))
        .bearer_auth(&token)
        .json(&json!({"serial": "RV-VN-001", "type": "Violin", "make": "Stentor", "condition": "good"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
    let instrument = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = api
        .post(url("/api/v1/loans"))
        .bearer_auth(&token)
        .json(&json!({"instrument_id": instrument, "pupil_id": pupil_id, "from": DAY.to_string()}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());

    // The term is billed under the hub's own default policy: lesson and hire on one invoice.
    let r = api
        .post(url("/api/v1/billing-runs"))
        .bearer_auth(&token)
        .json(&json!({"term": "2026-autumn", "dry_run": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let report: Value = r.json().await.unwrap();
    let invoice = report["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i.to_string().contains("RV0001"))
        .expect("Ada's family is invoiced")
        .clone();
    let lines = invoice["lines"].as_array().unwrap();
    let described = |word: &str| {
        lines
            .iter()
            .any(|l| l["description"].as_str().unwrap_or("").contains(word))
    };
    assert!(described("lesson") && described("hire"), "{invoice}");
    let total = invoice["total_pence"].as_i64().unwrap();
    assert_eq!(
        total,
        lines.iter().map(|l| l["amount_pence"].as_i64().unwrap()).sum::<i64>()
    );

    // The parent signs up with the email on Ada's record, confirms it, sees and pays.
    let parent = app.browser();
    let r = parent
        .submit(
            "/signup",
            "/signup",
            &[
                ("name", "Carer One"),
                ("email", CARER),
                ("password", "a carer's passphrase"),
            ],
        )
        .await;
    assert!(r.text().await.unwrap().contains("Check your email"));
    let confirm = emailed_link(&app, CARER, "/verify-email").await;
    assert_eq!(
        parent.login(CARER, "a carer's passphrase").await.status(),
        StatusCode::SEE_OTHER
    );
    let (status, _) = parent.get_text(&confirm).await;
    assert_eq!(status, StatusCode::OK);
    let (_, account) = parent.get_text("/account").await;
    assert!(account.contains("Ada"), "the child is linked: {account}");
    let (_, basket) = parent.get_text("/basket").await;
    let number = invoice["number"].as_str().unwrap_or_default();
    assert!(basket.contains(number), "{basket}");
    let add_at = basket.find("/basket/invoices/").expect("the invoice can be paid");
    let add = &basket[add_at..add_at + basket[add_at..].find('"').unwrap()];
    let r = parent.submit("/basket", add, &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = parent.submit("/basket", "/basket/checkout", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let hosted = location(&r);
    let r = parent.submit(&hosted, &format!("{hosted}/pay"), &[]).await;
    assert!(r.status().is_redirection() || r.status().is_success());
    let paid = get("/api/v1/invoices?per_page=50".into()).await;
    let row = paid["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["number"].as_str() == Some(number))
        .expect("the invoice is listed")
        .clone();
    assert_eq!(row["status"], "paid", "{row}");
}
