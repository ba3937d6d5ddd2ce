//! Billing over HTTP: the office previews and runs a term's billing, searches invoices; a
//! parent and a school see their own invoices and statements and nobody else's (404); the
//! charging policy form, file export and import with errors naming the field; the API.
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::macros::date;
use tutti_domain::Pence;
use tutti_domain::calendar::AcademicYear;
use tutti_domain::schools::BillingMethod;
use tutti_store::platform::audit::Actor;
use tutti_store::records::schools::School;
use tutti_store::testing::world::{
    Family, PASSWORD, a_family, a_school, a_school_contact, a_teacher, an_admin, an_enrolment,
};

use crate::on_both_backends;
use crate::support::{Backend, TestApp, csrf_token, location};

on_both_backends!(
    office_runs_billing_and_payers_see_only_their_own,
    policy_form_file_and_api_name_the_field,
    invoice_pages_link_payments_and_pdf_and_show_school_programmes
);

/// A Wednesday early in the autumn term of 2026, when its billing is run.
const DAY: time::Date = date!(2026 - 09 - 23);

/// The payers of these tests: two families at a school whose children learn in groups since
/// the start of term, each parent with a login; the school's contact; a teacher and the office.
struct Payers {
    school: School,
    parent: Family,
    other: Family,
    contact: String,
    teacher: String,
    admin: String,
}

async fn payers(app: &TestApp, school: School) -> Payers {
    let store = &app.store;
    let teacher = a_teacher().with_login(PASSWORD).create(store).await;
    let parent = a_family(&school).with_login(PASSWORD).create(store).await;
    let other = a_family(&school).with_login(PASSWORD).create(store).await;
    for (i, family) in [&parent, &other].into_iter().enumerate() {
        an_enrolment(family.children[0])
            .starting(date!(2026 - 09 - 07))
            .taught_by(teacher.staff.id, 1, 540 + 30 * i as u16)
            .create(store)
            .await;
    }
    Payers {
        contact: a_school_contact(&school).create(store).await.email,
        teacher: teacher.staff.email,
        admin: an_admin().create(store).await.email,
        school,
        parent,
        other,
    }
}

/// The invoice links (ids) on a list page under `base`.
fn invoice_ids(html: &str, base: &str) -> Vec<i64> {
    html.match_indices(&format!("href=\"{base}/"))
        .filter_map(|(at, m)| {
            let rest = &html[at + m.len()..];
            rest[..rest.find('"')?].parse().ok()
        })
        .collect()
}

async fn office_runs_billing_and_payers_see_only_their_own(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let school = a_school().create(&app.store).await;
    let hub = payers(&app, school).await;
    // The school pays for two more of its pupils' lessons.
    let teacher = app.store.user_by_email(&hub.teacher).await.unwrap().unwrap();
    for i in 0..2u16 {
        let family = a_family(&hub.school).create(&app.store).await;
        an_enrolment(family.children[0])
            .starting(date!(2026 - 09 - 07))
            .taught_by(teacher.staff_id.unwrap(), 2, 540 + 30 * i)
            .paid_by_school()
            .create(&app.store)
            .await;
    }
    let term = "2026-autumn";
    let admin = app.logged_in(&hub.admin).await;
    let (status, html) = admin.get_text("/admin/billing").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Run billing for a term"));
    let (status, preview) = {
        let r = admin
            .submit("/admin/billing", "/admin/billing/preview", &[("term", term)])
            .await;
        (r.status(), r.text().await.unwrap())
    };
    assert_eq!(status, StatusCode::OK);
    assert!(preview.contains("This run would issue"), "{preview}");
    assert!(preview.contains("Standard group fee") || preview.contains("lesson fee"));
    assert_eq!(
        app.store
            .invoices(&Default::default(), &Default::default())
            .await
            .unwrap()
            .total,
        0,
        "a preview writes nothing"
    );
    let bad = admin
        .submit("/admin/billing", "/admin/billing/preview", &[("term", "next-term")])
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("Choose a term"));

    // Committing: the run is small, so the request waits for it and says what it did.
    let token_value = csrf_token(&preview).unwrap();
    let r = admin
        .post_raw("/admin/billing/run", &[("csrf_token", &token_value), ("term", term)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("/admin/billing/invoices?term={term}"));
    let (_, list) = admin.get_text(&location(&r)).await;
    assert!(list.contains("Billing run 1 for 2026-autumn issued"), "{list}");
    let all = invoice_ids(&list, "/admin/billing/invoices");
    assert!(!all.is_empty());
    // Search by number finds exactly that invoice.
    let (_, found) = admin.get_text("/admin/billing/invoices?q=INV-000001").await;
    assert_eq!(invoice_ids(&found, "/admin/billing/invoices").len(), 1);
    let (_, none) = admin.get_text("/admin/billing/invoices?q=nobody-at-all").await;
    assert!(none.contains("No invoices match"));

    // A second run has nothing new.
    let again = admin
        .submit("/admin/billing", "/admin/billing/preview", &[("term", term)])
        .await;
    assert!(again.text().await.unwrap().contains("nothing new to bill"));

    // The parent's statement lists their invoices; each opens, with its rules and instalments.
    let parent = app.logged_in(&hub.parent.email).await;
    let (status, statement) = parent.get_text("/parent/invoices").await;
    assert_eq!(status, StatusCode::OK);
    let own = invoice_ids(&statement, "/parent/invoices");
    assert!(!own.is_empty(), "{statement}");
    let (status, invoice) = parent.get_text(&format!("/parent/invoices/{}", own[0])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(invoice.contains("How it was worked out"));
    assert!(invoice.contains("Paying in instalments"));
    assert!(invoice.contains("class=\"invoice\""), "the print stylesheet's hook");
    // Anyone else's invoice is not found, on the screen and through the API.
    let other = *all.iter().find(|id| !own.contains(id)).unwrap();
    assert_eq!(
        parent.get(&format!("/parent/invoices/{other}")).await.status(),
        StatusCode::NOT_FOUND
    );
    // The other family sees theirs and not this one's; theirs is not found by this one.
    let (_, theirs) = app.logged_in(&hub.other.email).await.get_text("/parent/invoices").await;
    let theirs = invoice_ids(&theirs, "/parent/invoices");
    assert!(!theirs.is_empty(), "the other family has an invoice");
    assert!(
        theirs.iter().all(|id| all.contains(id) && !own.contains(id)),
        "{theirs:?}"
    );
    assert_eq!(
        parent.get(&format!("/parent/invoices/{}", theirs[0])).await.status(),
        StatusCode::NOT_FOUND
    );
    let parent_token = app.token(&hub.parent.email).await;
    let client = reqwest::Client::new();
    let api_get = |token: String, path: String| {
        let client = client.clone();
        let url = format!("{}{path}", app.base);
        async move { client.get(url).bearer_auth(token).send().await.unwrap() }
    };
    assert_eq!(
        api_get(parent_token.clone(), format!("/api/v1/invoices/{other}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let r = api_get(parent_token.clone(), format!("/api/v1/invoices/{}", own[0])).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    let lines_total: i64 = body["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["amount_pence"].as_i64().unwrap())
        .sum();
    assert_eq!(body["total_pence"].as_i64().unwrap(), lines_total);
    let mine: Value = api_get(parent_token, "/api/v1/invoices".into())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["total"].as_u64().unwrap() as usize, own.len());

    // The school sees its own invoice and not a parent's.
    let school = app.logged_in(&hub.contact).await;
    let (status, statement) = school.get_text("/school/invoices").await;
    assert_eq!(status, StatusCode::OK);
    let school_own = invoice_ids(&statement, "/school/invoices");
    assert_eq!(school_own.len(), 1, "{statement}");
    let (_, invoice) = school.get_text(&format!("/school/invoices/{}", school_own[0])).await;
    assert!(invoice.contains("paid by the school"));
    assert_eq!(
        school.get(&format!("/school/invoices/{}", own[0])).await.status(),
        StatusCode::NOT_FOUND
    );
    // Roles: a parent cannot reach the office's billing; a teacher has no statement.
    assert_eq!(parent.get("/admin/billing").await.status(), StatusCode::FORBIDDEN);
    let teacher = app.logged_in(&hub.teacher).await;
    assert_eq!(teacher.get("/parent/invoices").await.status(), StatusCode::FORBIDDEN);
    // Dashboards link the statements.
    assert!(parent.get_text("/account").await.1.contains("/parent/invoices"));
    assert!(admin.get_text("/account").await.1.contains("/admin/billing"));
}

/// The invoice pages of the office, a parent and a school link the invoice's payments and its
/// PDF; a school billed by invoice finds its programme (services agreement) on its statement.
async fn invoice_pages_link_payments_and_pdf_and_show_school_programmes(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let actor = Actor::cli();
    let school = a_school().billed_by(BillingMethod::Invoice).create(&app.store).await;
    let hub = payers(&app, school).await;
    app.store
        .create_agreement(
            &actor,
            &tutti_store::money::payments::agreements::AgreementInput {
                school_id: hub.school.id,
                year: AcademicYear::starting(2026),
                programme: "Whole-class ukulele".into(),
                annual_cost: Pence(300_001),
                sessions: 30,
            },
        )
        .await
        .unwrap();
    let term = tutti_domain::calendar::TermId::parse("2026-autumn").unwrap();
    app.store.run_billing(&actor, term, false, &|_| {}).await.unwrap();

    // A parent's invoice with a payment on it.
    let parent = app.logged_in(&hub.parent.email).await;
    let (_, statement) = parent.get_text("/parent/invoices").await;
    let id = invoice_ids(&statement, "/parent/invoices")[0];
    app.store
        .record_payment(
            &actor,
            id,
            &tutti_store::money::payments::invoices::PaymentInput {
                method: tutti_domain::payments::PaymentMethod::BankTransfer,
                amount: Pence(1_000),
                reference: "BACS 1".into(),
                received_on: time::macros::date!(2026 - 09 - 20),
            },
        )
        .await
        .unwrap();

    let pdf_ok = |r: reqwest::Response| async move {
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        assert!(r.bytes().await.unwrap().starts_with(b"%PDF-1.4"));
    };

    // The office: links to the invoice's payments screen and its PDF, and back again.
    let admin = app.logged_in(&hub.admin).await;
    let (status, page) = admin.get_text(&format!("/admin/billing/invoices/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let payments = format!("/admin/invoices/{id}/payments");
    let pdf = format!("/admin/invoices/{id}/invoice.pdf");
    assert!(page.contains(&format!("href=\"{payments}\"")), "{page}");
    assert!(page.contains(&format!("href=\"{pdf}\"")));
    let (status, screen) = admin.get_text(&payments).await;
    assert_eq!(status, StatusCode::OK);
    assert!(screen.contains("BACS 1"));
    assert!(screen.contains(&format!("href=\"/admin/billing/invoices/{id}\"")));
    pdf_ok(admin.get(&pdf).await).await;

    // The parent: the payments on the page, what is left, a way to pay it, and the PDF.
    let (_, page) = parent.get_text(&format!("/parent/invoices/{id}")).await;
    assert!(page.contains("href=\"#payments\""), "{page}");
    assert!(page.contains("Bank transfer") && page.contains("£10.00"), "{page}");
    let total = app.store.invoice_account(id).await.unwrap();
    assert!(page.contains(&format!("Left to pay: <strong>{}</strong>", total.balance())));
    assert!(page.contains(&format!("action=\"/basket/invoices/{id}\"")));
    let pdf = format!("/account/invoices/{id}.pdf");
    assert!(page.contains(&format!("href=\"{pdf}\"")));
    pdf_ok(parent.get(&pdf).await).await;
    let r = parent
        .submit(
            &format!("/parent/invoices/{id}"),
            &format!("/basket/invoices/{id}"),
            &[],
        )
        .await;
    assert_eq!(location(&r), "/basket");
    let parent_user = hub.parent.user.as_ref().unwrap().id;
    assert_eq!(app.store.basket(parent_user).await.unwrap().len(), 1);

    // The school: its programme on its statement, with the split's rule, and the PDF.
    let school = app.logged_in(&hub.contact).await;
    let (_, statement) = school.get_text("/school/invoices").await;
    let ids = invoice_ids(&statement, "/school/invoices");
    assert_eq!(ids.len(), 1, "one invoice for the school this term: {statement}");
    let (_, page) = school.get_text(&format!("/school/invoices/{}", ids[0])).await;
    assert!(page.contains("Whole-class ukulele, Autumn 2026"), "{page}");
    assert!(page.contains("34% of the annual cost £3,000.01"));
    assert!(page.contains("£1,020.01"));
    assert!(page.contains("Nothing has been paid on this invoice yet."));
    let pdf = format!("/account/invoices/{}.pdf", ids[0]);
    assert!(page.contains(&format!("href=\"{pdf}\"")));
    pdf_ok(school.get(&pdf).await).await;
    assert_eq!(
        school.get(&format!("/account/invoices/{id}.pdf")).await.status(),
        StatusCode::NOT_FOUND,
        "not the parent's"
    );
}

/// Every field of the policy form, as Durham's default fills it, with some replaced.
fn policy_fields<'a>(replace: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("name", "Durham Music Service 2026-27"),
        ("standard_fee", "53.50"),
        ("uplift_options", "0, 15, 50, 100"),
        ("hire_per_term", "15.00"),
        ("instalment_count", "3"),
        ("due_day", "15"),
        ("invoice_month_autumn", "9"),
        ("invoice_month_spring", "12"),
        ("invoice_month_summer", "4"),
        ("instalments_offered", "yes"),
        ("price_group_30", "53.50"),
        ("price_individual_30", "160.50"),
    ];
    for (name, value) in replace {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(f) => f.1 = value,
            None => fields.push((name, value)),
        }
    }
    fields
}

async fn policy_form_file_and_api_name_the_field(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let school = a_school().create(&app.store).await;
    let hub = payers(&app, school).await;
    let year = AcademicYear::starting(2026);
    let page = "/admin/billing/policies/2026-27";
    let admin = app.logged_in(&hub.admin).await;
    let (status, html) = admin.get_text(page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("so the default policy applies"), "{html}");
    assert!(html.contains("value=\"53.50\""));

    // Bad values: each error names its field, the input is kept, nothing is saved.
    let r = admin
        .submit(
            page,
            page,
            &policy_fields(&[("standard_fee", "lots"), ("due_day", "31")]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#standard_fee\""), "{html}");
    assert!(html.contains("href=\"#due_day\""));
    assert!(html.contains("Enter a due day from 1 to 28"));
    assert!(html.contains("value=\"lots\""));
    assert_eq!(app.store.charging_policy(year).await.unwrap().revision, 0);

    let r = admin
        .submit(
            page,
            page,
            &policy_fields(&[("standard_fee", "56.00"), ("price_group_30", "56.00")]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let saved = app.store.charging_policy(year).await.unwrap();
    assert_eq!(saved.revision, 1);
    assert_eq!(saved.policy.standard_fee, Pence(5_600));
    assert_eq!(saved.policy.prices.len(), 2, "empty prices are lessons not offered");

    // Export, change, import; a bad file names the field and changes nothing.
    let r = admin.get(&format!("{page}/export")).await;
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("charging-policy-2026-27.json")
    );
    let mut file: Value = r.json().await.unwrap();
    assert_eq!(file["policy"]["standard_fee"], 5600);
    file["policy"]["hire"]["per_term"] = json!(1800);
    let r = admin
        .submit(page, &format!("{page}/import"), &[("document", &file.to_string())])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.store.charging_policy(year).await.unwrap().policy.hire.per_term,
        Pence(1_800)
    );
    file["policy"]["standard_fee"] = json!("lots");
    let r = admin
        .submit(page, &format!("{page}/import"), &[("document", &file.to_string())])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("policy.standard_fee"));
    assert_eq!(app.store.charging_policy(year).await.unwrap().revision, 2);

    // The API: read, replace with field errors, run billing as JSON.
    let admin_token = app.token(&hub.admin).await;
    let client = reqwest::Client::new();
    let r = client
        .get(format!("{}/api/v1/charging-policies/2026-27", app.base))
        .bearer_auth(&admin_token)
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["revision"], 2);
    let mut policy = body["file"]["policy"].clone();
    policy["instalments"]["due_day"] = json!(30);
    let r = client
        .put(format!("{}/api/v1/charging-policies/2026-27", app.base))
        .bearer_auth(&admin_token)
        .json(&policy)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "instalments.due_day");
    policy["instalments"]["due_day"] = json!(1);
    let r = client
        .put(format!("{}/api/v1/charging-policies/2026-27", app.base))
        .bearer_auth(&admin_token)
        .json(&policy)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        app.store
            .charging_policy(year)
            .await
            .unwrap()
            .policy
            .instalments
            .due_day,
        1
    );
    // The list says when each saved policy changed, as RFC 3339.
    let list: Value = client
        .get(format!("{}/api/v1/charging-policies", app.base))
        .bearer_auth(&admin_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let saved = list["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["academic_year"] == "2026-27")
        .unwrap();
    let stamp = saved["updated_at"].as_str().unwrap();
    assert!(
        time::OffsetDateTime::parse(stamp, &time::format_description::well_known::Rfc3339).is_ok(),
        "{stamp}"
    );
    let parent_token = app.token(&hub.parent.email).await;
    let r = client
        .get(format!("{}/api/v1/charging-policies/2026-27", app.base))
        .bearer_auth(&parent_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let r = client
        .post(format!("{}/api/v1/billing-runs", app.base))
        .bearer_auth(&admin_token)
        .json(&json!({"term": "2026-autumn", "dry_run": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let report: Value = r.json().await.unwrap();
    let invoices = report["invoices"].as_array().unwrap();
    assert!(!invoices.is_empty());
    let first = &invoices[0];
    assert!(first["lines"][0]["pupil_ref"].is_string());
    assert!(
        first["lines"][0]["rule"].as_str().unwrap().contains("£56.00"),
        "{first}"
    );
    let sum: i64 = first["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["amount_pence"].as_i64().unwrap())
        .sum();
    assert_eq!(first["total_pence"].as_i64().unwrap(), sum);
    assert_eq!(first["instalments"][0]["due"].as_str().unwrap().len(), 10);
}
