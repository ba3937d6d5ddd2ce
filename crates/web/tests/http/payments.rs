//! Payments over HTTP: the basket to the hosted page to the webhook in test mode; Stripe
//! Checkout against a faithful local server on loopback with signed webhooks (valid, invalid,
//! expired, replayed); the office recording payments, refunds and agreements, the journal and
//! Direct Debit files, and invoices as PDF.
use std::sync::{Arc, Mutex};

use axum::http::HeaderMap;
use reqwest::StatusCode;
use time::macros::date;
use tutti_domain::Pence;
use tutti_domain::calendar::TermId;
use tutti_domain::schools::BillingMethod;
use tutti_store::money::billing::invoices::{InvoiceFilter, InvoiceSummary};
use tutti_store::platform::audit::{Actor, AuditFilter};
use tutti_store::records::lookup::LookupKind;
use tutti_store::records::schools::School;
use tutti_store::testing::world::{Family, PASSWORD, a_family, a_school, a_teacher, an_admin, an_enrolment};
use tutti_web::WebConfig;
use tutti_web::config::{CardPayments, StripeConfig};
use tutti_web::payments::{signature, stripe};

use crate::on_both_backends;
use crate::support::{Backend, Browser, TestApp, location};

on_both_backends!(
    a_donation_goes_from_basket_to_test_page_to_webhook,
    stripe_checkout_and_its_signed_webhooks,
    the_office_records_payments_and_a_parent_pays_an_invoice_by_card,
    agreements_journal_and_direct_debit_files,
    payment_screens_are_for_their_audiences
);

/// A Monday in the autumn term of 2026, its invoices issued.
const DAY: time::Date = date!(2026 - 10 - 05);

async fn spawn(backend: Backend, card_payments: CardPayments) -> Option<TestApp> {
    TestApp::spawn_empty_with(
        backend,
        WebConfig {
            card_payments,
            ..WebConfig::default()
        },
        DAY,
    )
    .await
}

/// A parent with a login at a new school.
async fn a_parent(app: &TestApp) -> Family {
    let school = a_school().create(&app.store).await;
    a_family(&school).with_login(PASSWORD).create(&app.store).await
}

/// Each family's first child learns the violin in a group at `school` from the start of the
/// autumn term of 2026, and the term is billed.
async fn bill_autumn(app: &TestApp, school: &School, families: &[&Family]) {
    let teacher = a_teacher().create(&app.store).await;
    for (i, family) in families.iter().enumerate() {
        an_enrolment(family.children[0])
            .starting(date!(2026 - 09 - 07))
            .taught_by(teacher.staff.id, 1, 540 + 30 * i as u16)
            .at_school(school.id)
            .create(&app.store)
            .await;
    }
    let term = TermId::parse("2026-autumn").unwrap();
    app.store
        .run_billing(&Actor::cli(), term, false, &|_| {})
        .await
        .unwrap();
}

/// The invoice of the family whose carer has `email`.
async fn invoice_of(app: &TestApp, email: &str) -> InvoiceSummary {
    let guardians = app.store.guardian_ids_for_email(email).await.unwrap();
    let filter = InvoiceFilter {
        guardians: Some(guardians),
        ..Default::default()
    };
    let mut page = app.store.invoices(&filter, &Default::default()).await.unwrap();
    assert_eq!(page.rows.len(), 1, "one invoice for {email}");
    page.rows.pop().unwrap()
}

async fn donate(parent: &Browser, amount: &str) {
    let r = parent
        .submit(
            "/donate",
            "/donate",
            &[
                ("amount", amount),
                ("gift_aid", "yes"),
                ("donor_name", "Dana Donor"),
                ("home_address", "1 Market Place, Durham"),
                ("postcode", "dh1 3le"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/basket");
}

/// Posts the basket's "Pay by card" form and returns where it sent the browser.
async fn pay_by_card(parent: &Browser) -> String {
    let r = parent.submit("/basket", "/basket/checkout", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    location(&r)
}

async fn a_donation_goes_from_basket_to_test_page_to_webhook(backend: Backend) {
    let Some(app) = spawn(backend, CardPayments::test_mode()).await else {
        return;
    };
    let family = a_parent(&app).await;
    let admin = an_admin().create(&app.store).await.email;
    let parent = app.logged_in(&family.email).await;
    let (_, html) = parent.get_text("/basket").await;
    assert!(html.contains("Your basket is empty"));

    // Gift Aid needs a real home postcode.
    let r = parent
        .submit(
            "/donate",
            "/donate",
            &[
                ("amount", "25"),
                ("gift_aid", "yes"),
                ("donor_name", "Dana Donor"),
                ("home_address", ""),
                ("postcode", "nowhere"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Enter a postcode like SW1A 1AA"), "{html}");
    assert!(html.contains("Enter your home address for Gift Aid"));
    assert!(html.contains("value=\"Dana Donor\""), "input is kept");
    let r = parent.submit("/donate", "/donate", &[("amount", "12.345")]).await;
    assert!(r.text().await.unwrap().contains("no more than 2 decimal places"));

    donate(&parent, "25").await;
    let (_, html) = parent.get_text("/basket").await;
    assert!(html.contains("Donation of £25.00 with Gift Aid"), "{html}");
    assert!(html.contains("Pay £25.00 by card"));

    let hosted = pay_by_card(&parent).await;
    assert!(hosted.starts_with("/pay/test/cs_test_"), "{hosted}");
    let (status, html) = parent.get_text(&hosted).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("test mode") && html.contains("Pay £25.00"));
    let r = parent.submit(&hosted, &format!("{hosted}/pay"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let back = location(&r);
    assert!(back.starts_with("/basket/return?ref=TUT-"), "{back}");
    let (_, html) = parent.get_text(&back).await;
    assert!(html.contains("Thank you: payment received"), "{html}");
    let (_, html) = parent.get_text("/basket").await;
    assert!(html.contains("Your basket is empty"));
    // The page cannot pay twice.
    let (_, html) = parent.get_text(&hosted).await;
    assert!(html.contains("no longer open"));

    let admin = app.logged_in(&admin).await;
    let (_, html) = admin.get_text("/admin/donations").await;
    assert!(
        html.contains("£25.00") && html.contains("Dana Donor") && html.contains("DH1 3LE"),
        "{html}"
    );
}

/// What the fake Stripe received.
#[derive(Default)]
struct Seen {
    forms: Vec<Vec<(String, String)>>,
    authorization: Vec<String>,
    idempotency: Vec<String>,
}

/// A local server answering `POST /v1/checkout/sessions` as Stripe does: bearer auth, a
/// form body, a session object back, or Stripe's error shape.
async fn fake_stripe() -> (String, Arc<Mutex<Seen>>) {
    use axum::Json;
    use axum::routing::post;
    let seen = Arc::new(Mutex::new(Seen::default()));
    let state = seen.clone();
    let app = axum::Router::new().route(
        "/v1/checkout/sessions",
        post(move |headers: HeaderMap, body: String| {
            let seen = state.clone();
            async move {
                let form: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes()).into_owned().collect();
                let auth = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let mut seen = seen.lock().unwrap();
                seen.authorization.push(auth.clone());
                if let Some(k) = headers.get("idempotency-key").and_then(|v| v.to_str().ok()) {
                    seen.idempotency.push(k.to_owned());
                }
                seen.forms.push(form.clone());
                if auth != "Bearer sk_test_local" {
                    return (
                        axum::http::StatusCode::UNAUTHORIZED,
                        Json(serde_json::json!({"error": {"type": "invalid_request_error", "message": "Invalid API Key provided"}})),
                    );
                }
                let n = seen.forms.len();
                (
                    axum::http::StatusCode::OK,
                    Json(serde_json::json!({
                        "id": format!("cs_test_fake{n}"),
                        "object": "checkout.session",
                        "url": format!("https://checkout.stripe.test/c/pay/cs_test_fake{n}"),
                        "payment_status": "unpaid",
                    })),
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, seen)
}

fn form_value<'a>(form: &'a [(String, String)], key: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
}

async fn post_webhook(app: &TestApp, signature: Option<&str>, body: &str) -> (StatusCode, String) {
    let mut request = reqwest::Client::new()
        .post(format!("{}/payments/webhook", app.base))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(s) = signature {
        request = request.header("Stripe-Signature", s);
    }
    let r = request.send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn stripe_checkout_and_its_signed_webhooks(backend: Backend) {
    let (base, seen) = fake_stripe().await;
    let config = StripeConfig {
        api_base: base,
        secret_key: "sk_test_local".into(),
        webhook_secret: "whsec_local".into(),
        tolerance_secs: 300,
    };
    let Some(app) = spawn(backend, CardPayments::Stripe(config)).await else {
        return;
    };
    let family = a_parent(&app).await;
    let parent = app.logged_in(&family.email).await;
    let csp = parent.get("/basket").await.headers()["content-security-policy"].clone();
    assert!(
        csp.to_str()
            .unwrap()
            .contains("form-action 'self' https://checkout.stripe.com"),
        "the pay form may be redirected to Stripe's page"
    );
    donate(&parent, "40.50").await;
    let hosted = pay_by_card(&parent).await;
    assert_eq!(hosted, "https://checkout.stripe.test/c/pay/cs_test_fake1");
    let form = seen.lock().unwrap().forms[0].clone();
    assert_eq!(form_value(&form, "mode"), "payment");
    assert_eq!(form_value(&form, "line_items[0][price_data][currency]"), "gbp");
    assert_eq!(form_value(&form, "line_items[0][price_data][unit_amount]"), "4050");
    assert_eq!(form_value(&form, "customer_email"), family.email);
    let reference = form_value(&form, "client_reference_id").to_owned();
    assert!(reference.starts_with("TUT-"));
    assert!(form_value(&form, "success_url").ends_with(&format!("/basket/return?ref={reference}")));
    assert_eq!(seen.lock().unwrap().idempotency, vec![reference.clone()]);

    // Before the webhook, the return page waits.
    let (_, html) = parent.get_text(&format!("/basket/return?ref={reference}")).await;
    assert!(html.contains("Waiting for your payment to be confirmed"));

    let user = family.user.as_ref().unwrap().id;
    let body = stripe::event_body(
        "evt_1",
        "checkout.session.completed",
        "cs_test_fake1",
        &reference,
        Pence(4_050),
        true,
    );
    let now = time::OffsetDateTime::now_utc().unix_timestamp();

    let (status, _) = post_webhook(&app, None, &body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "no signature");
    let forged = signature::sign("whsec_wrong", now, body.as_bytes());
    let (status, text) = post_webhook(&app, Some(&forged), &body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    let tampered = body.replace("4050", "1");
    let signed = signature::sign("whsec_local", now, body.as_bytes());
    let (status, _) = post_webhook(&app, Some(&signed), &tampered).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a changed body fails the signature");
    let stale = signature::sign("whsec_local", now - 301, body.as_bytes());
    let (status, text) = post_webhook(&app, Some(&stale), &body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text.contains("too old"), "{text}");
    assert_eq!(
        app.store.provider_event_count().await.unwrap(),
        0,
        "nothing rejected is stored"
    );
    assert_eq!(app.store.basket(user).await.unwrap().len(), 1, "and nothing changed");

    let (status, text) = post_webhook(&app, Some(&signed), &body).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("Paid"), "{text}");
    assert!(app.store.basket(user).await.unwrap().is_empty());
    let (_, html) = parent.get_text(&format!("/basket/return?ref={reference}")).await;
    assert!(html.contains("We have received £40.50"), "{html}");

    // A replay of the same delivery, and a second delivery of the same payment.
    let (status, text) = post_webhook(&app, Some(&signed), &body).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("Duplicate"), "{text}");
    let again = body.replace("evt_1", "evt_2");
    let (_, text) = post_webhook(
        &app,
        Some(&signature::sign("whsec_local", now, again.as_bytes())),
        &again,
    )
    .await;
    assert!(text.contains("AlreadyPaid"), "{text}");
    assert_eq!(app.store.provider_event_count().await.unwrap(), 2);
    let paid = app.store.paid_donations().await.unwrap();
    assert_eq!(paid.len(), 1);
    assert_eq!(paid[0].status, "paid");
    let payments = AuditFilter {
        entity: "payment".into(),
        ..Default::default()
    };
    assert_eq!(
        app.store.audit_events(&payments).await.unwrap().total,
        1,
        "one payment recorded"
    );
}

async fn the_office_records_payments_and_a_parent_pays_an_invoice_by_card(backend: Backend) {
    let Some(app) = spawn(backend, CardPayments::test_mode()).await else {
        return;
    };
    // A parent at a school whose parents pay half again the standard fee: £53.50 + 50% is
    // £80.25 for the term. Another family there has an account whose email is not confirmed.
    let school = a_school()
        .named("Brass & Co Primary")
        .with_uplift(50)
        .create(&app.store)
        .await;
    let family = a_family(&school)
        .carer_named("Dana Parent")
        .with_login(PASSWORD)
        .create(&app.store)
        .await;
    let unconfirmed = a_family(&school)
        .with_unconfirmed_login(PASSWORD)
        .create(&app.store)
        .await;
    bill_autumn(&app, &school, &[&family, &unconfirmed]).await;
    let invoice = invoice_of(&app, &family.email).await;
    assert_eq!(invoice.total_pence, 8_025);
    let (id, number) = (invoice.id, invoice.number.clone());
    let admin = an_admin().create(&app.store).await.email;
    let admin = app.logged_in(&admin).await;
    let (_, html) = admin.get_text("/account").await;
    assert!(
        html.contains("href=\"/admin/payments\""),
        "the dashboard links to payments"
    );
    let (_, html) = admin.get_text(&format!("/admin/payments?q={number}")).await;
    assert!(html.contains("Dana Parent") && html.contains("£80.25"), "{html}");
    let page = format!("/admin/invoices/{id}/payments");
    let action = format!("/admin/invoices/{id}/payments");

    let r = admin
        .submit(
            &page,
            &action,
            &[("method", "cheque"), ("amount", "90"), ("reference", "chq 1")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains(&format!("That is more than the £80.25 left to pay on invoice {number}")),
        "{html}"
    );
    let r = admin
        .submit(
            &page,
            &action,
            &[
                ("method", "cheque"),
                ("amount", "30"),
                ("reference", "chq 1"),
                ("received_on", "01/10/2026"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = admin.get_text(&page).await;
    assert!(html.contains("Left to pay: £50.25"), "{html}");
    assert!(html.contains("Cheque") && html.contains("part paid"));

    // The parent pays the rest by card from the basket.
    let parent = app.logged_in(&family.email).await;
    let (_, html) = parent.get_text("/basket").await;
    assert!(html.contains(&number) && html.contains("£50.25"), "{html}");
    let r = parent.submit("/basket", &format!("/basket/invoices/{id}"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let hosted = pay_by_card(&parent).await;
    let (_, html) = parent.get_text(&hosted).await;
    assert!(html.contains("Pay £50.25"), "{html}");
    parent.submit(&hosted, &format!("{hosted}/pay"), &[]).await;
    let (_, html) = admin.get_text(&page).await;
    assert!(html.contains("Card") && html.contains("paid"), "{html}");
    assert_eq!(app.store.invoice_account(id).await.unwrap().status, "paid");

    // A refund, and the invoice as PDF for the office and for the parent who pays it.
    let r = admin
        .submit(
            &page,
            &format!("/admin/invoices/{id}/refunds"),
            &[("method", "bank-transfer"), ("amount", "5")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.store.invoice_account(id).await.unwrap().balance(), Pence(500));
    for (who, path) in [
        (&admin, format!("/admin/invoices/{id}/invoice.pdf")),
        (&parent, format!("/account/invoices/{id}.pdf")),
    ] {
        let r = who.get(&path).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        let bytes = r.bytes().await.unwrap();
        assert!(bytes.starts_with(b"%PDF-1.4"));
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains(&format!("Invoice {number}")));
        assert!(text.contains("Violin group lesson"), "the line is on the invoice");
        assert!(bytes.ends_with(b"%%EOF\n"));
    }
    // Someone else's invoice is not found.
    let theirs = invoice_of(&app, &unconfirmed.email).await;
    let other = theirs.id;
    assert_eq!(
        parent.get(&format!("/account/invoices/{other}.pdf")).await.status(),
        StatusCode::NOT_FOUND
    );
    // An account whose email matches a guardian's but is not confirmed sees no invoices.
    let stranger = app.logged_in(&unconfirmed.email).await;
    assert_eq!(
        stranger.get(&format!("/account/invoices/{other}.pdf")).await.status(),
        StatusCode::NOT_FOUND
    );
    let (_, html) = stranger.get_text("/basket").await;
    assert!(!html.contains(&theirs.number), "{html}");
    // Once confirmed, the same account sees it.
    let unconfirmed = unconfirmed.user.unwrap();
    app.store.mark_email_verified(unconfirmed.id).await.unwrap();
    let (_, html) = stranger.get_text("/basket").await;
    assert!(html.contains(&theirs.number), "{html}");
}

async fn agreements_journal_and_direct_debit_files(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let school = a_school()
        .billed_by(BillingMethod::InternalJournal)
        .create(&app.store)
        .await;
    let school_id = school.id.to_string();
    let admin = an_admin().create(&app.store).await.email;
    let admin = app.logged_in(&admin).await;
    let fields = |sessions: &'static str| {
        vec![
            ("school_id", school_id.as_str()),
            ("year", "2026-27"),
            ("programme", "Whole-class ukulele"),
            ("annual_cost", "3000.01"),
            ("sessions", sessions),
        ]
    };
    let r = admin
        .submit("/admin/agreements/new", "/admin/agreements/new", &fields("40"))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Enter the sessions a year, from 30 to 36")
    );
    let r = admin
        .submit("/admin/agreements/new", "/admin/agreements/new", &fields("32"))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = admin.get_text(&location(&r)).await;
    assert!(
        html.contains("£3,000.01") && html.contains("£1,020.01") && html.contains("£990.00"),
        "{html}"
    );
    let r = admin.get("/admin/agreements/journal.csv?term=2026-autumn").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = r.text().await.unwrap();
    assert!(csv.starts_with("term,school_urn,school_name"));
    assert!(csv.contains(",1020.01,102001"), "{csv}");

    // Direct Debit: bank details are checked; the collection file lists what is due. A
    // parent's autumn invoice is paid in instalments, the second due on 15 October.
    let family = a_family(&school).create(&app.store).await;
    bill_autumn(&app, &school, &[&family]).await;
    let invoice = invoice_of(&app, &family.email).await;
    let instalments = app.store.invoice(invoice.id).await.unwrap().instalments;
    let due = instalments
        .iter()
        .find(|i| i.due_on == date!(2026 - 10 - 15))
        .expect("an instalment due on 15 October");
    // The paying parent is picked by email (a suggestion's key); the list names them.
    let guardian = family.email.clone();
    let mandate = |sort: &'static str| {
        vec![
            ("parent", guardian.as_str()),
            ("account_name", "D Parent"),
            ("sort_code", sort),
            ("account_number", "1234 5678"),
            ("reference", "tutti-000042"),
        ]
    };
    let r = admin
        .submit("/admin/direct-debit/new", "/admin/direct-debit/new", &mandate("12-34"))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Enter a sort code of 6 digits"));
    let r = admin
        .submit(
            "/admin/direct-debit/new",
            "/admin/direct-debit/new",
            &mandate("12-34-56"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = admin.get_text("/admin/direct-debit").await;
    assert!(html.contains("****5678") && html.contains("TUTTI-000042") && !html.contains("12345678"));
    let payer = app
        .store
        .lookup_id(LookupKind::Guardian, invoice.payer_id)
        .await
        .unwrap()
        .unwrap();
    assert!(html.contains(&payer.name), "the mandate names its payer: {html}");
    let csv = admin
        .get("/admin/direct-debit/collection.csv?date=15/10/2026")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains(&format!(
            "123456,12345678,D PARENT,TUTTI-000042,{},17,2026-10-15",
            due.amount_pence
        )),
        "{csv}"
    );
    let (_, html) = admin.get_text("/admin/audit?entity=dd_mandate").await;
    assert!(html.contains("Direct Debit collection file"), "{html}");
}

async fn payment_screens_are_for_their_audiences(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let family = a_parent(&app).await;
    let anonymous = app.browser();
    let (status, html) = anonymous.get_text("/basket").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("log in"));
    // Anyone may donate without an account (decision 0086): the form asks for an email.
    let (status, html) = anonymous.get_text("/donate").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("You do not need an account"));
    let parent = app.logged_in(&family.email).await;
    for path in [
        "/admin/payments",
        "/admin/agreements",
        "/admin/direct-debit",
        "/admin/donations",
    ] {
        assert_eq!(parent.get(path).await.status(), StatusCode::FORBIDDEN, "{path}");
    }
    // With card payments off, the basket says how else to pay, and checkout is refused.
    donate(&parent, "5").await;
    let (_, html) = parent.get_text("/basket").await;
    assert!(html.contains("Card payments are not available online"));
    let r = parent.submit("/basket", "/basket/checkout", &[]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // The webhook does not exist without a provider, and the test page never in that case.
    let (status, _) = post_webhook(&app, Some("t=1,v1=00"), "{}").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(parent.get("/pay/test/cs_test_x").await.status(), StatusCode::NOT_FOUND);
}
