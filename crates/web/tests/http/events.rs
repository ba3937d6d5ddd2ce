//! Events over HTTP, from an empty hub: a guest finds a family concert, books tickets and pays
//! through the test provider, and gets a confirmed ticket with a QR code and an email; a free
//! event books without payment; a full event offers its waiting list, and a place the office
//! frees goes to the first in line; the office adds events, books on someone's behalf and
//! checks people in; the API adds events and books for the office only, a full event being 409;
//! a guest cancels through their confirmation's link and is refunded once through the test
//! provider, a parent cancelling late is told first that nothing is refunded, the office
//! refunds in full; an unpaid hold runs out and its late payment is refunded (decision 0093).
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::macros::date;
use tutti_domain::events::EventKind;
use tutti_store::testing::world::{PASSWORD, a_family, a_school, a_school_contact, a_teacher, an_admin, an_event};
use tutti_web::WebConfig;
use tutti_web::config::CardPayments;

use crate::on_both_backends;
use crate::support::{Backend, TestApp, link_in, location};

on_both_backends!(
    a_guest_books_a_family_concert_and_pays_by_card,
    a_free_event_books_at_once_and_a_full_one_offers_its_waiting_list,
    the_office_adds_books_and_checks_in,
    the_api_adds_events_and_books_for_the_office_only,
    a_guest_donates_with_gift_aid_and_no_claim_repeats_a_donation,
    a_school_order_becomes_an_agreement,
    a_guest_cancels_through_their_link_and_is_refunded_once,
    a_parent_cancelling_late_is_told_first_and_the_office_refunds_in_full,
    an_unpaid_hold_runs_out_and_its_late_payment_is_refunded
);

/// A Monday in the autumn term of 2026.
const DAY: time::Date = date!(2026 - 10 - 05);

async fn spawn(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_empty_with(
        backend,
        WebConfig {
            card_payments: CardPayments::test_mode(),
            ..WebConfig::default()
        },
        DAY,
    )
    .await
}

async fn slug(app: &TestApp, id: i64) -> String {
    app.store.event(id).await.unwrap().unwrap().event.slug
}

fn ticket_field(html: &str, name: &str) -> String {
    let marker = format!("\">{name} (");
    let end = html.find(&marker).unwrap_or_else(|| panic!("no {name} ticket: {html}"));
    let start = html[..end].rfind("for=\"").unwrap() + 5;
    html[start..end].to_owned()
}

async fn a_guest_books_a_family_concert_and_pays_by_card(backend: Backend) {
    let Some(app) = spawn(backend).await else {
        return;
    };
    let event = an_event().titled("Family concert").create(&app.store).await;
    let slug = slug(&app, event).await;
    let guest = app.browser();

    let (status, html) = guest.get_text("/events?kind=concert&audience=families").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("href=\"/events/{slug}\"")), "{html}");
    assert!(
        html.contains("From £4.00") && html.contains("100 places left"),
        "{html}"
    );
    let (_, html) = guest.get_text("/events?kind=cpd").await;
    assert!(!html.contains(&slug), "filtered out");

    let page = format!("/events/{slug}");
    let (status, html) = guest.get_text(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("href=\"/events/{slug}.ics\"")));
    assert!(html.contains("<script type=\"application/ld+json\">"), "{html}");
    let ld_start = html.find("application/ld+json\">").unwrap() + "application/ld+json\">".len();
    let ld_end = ld_start + html[ld_start..].find("</script>").unwrap();
    let ld: Value = serde_json::from_str(&html[ld_start..ld_end]).unwrap();
    assert_eq!(ld["@type"], "Event");
    assert_eq!(ld["name"], "Family concert");
    assert_eq!(ld["offers"][0]["price"], "8.00");
    assert_eq!(ld["startDate"], "2026-11-04T14:00");

    let r = guest.get(&format!("/events/{slug}.ics")).await;
    assert_eq!(r.headers()["content-type"], "text/calendar; charset=utf-8");
    let ics = r.text().await.unwrap();
    assert!(
        ics.contains("SUMMARY:Family concert") && ics.contains("DTSTART;TZID=Europe/London:20261104T140000"),
        "{ics}"
    );

    let adult = ticket_field(&html, "Adult");
    let child = ticket_field(&html, "Child");
    // No tickets and no email: said beside each field, nothing booked.
    let r = guest
        .submit(&page, &format!("{page}/book"), &[("name", "Gail Guest"), ("email", "")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"email-error\""), "{html}");
    assert!(html.contains("Choose at least one ticket."), "{html}");
    assert!(app.store.event_bookings(event).await.unwrap().is_empty());

    let r = guest
        .submit(
            &page,
            &format!("{page}/book"),
            &[
                (adult.as_str(), "2"),
                (child.as_str(), "1"),
                ("name", "Gail Guest"),
                ("email", "gail@test.example"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let hosted = location(&r);
    assert!(hosted.starts_with("/pay/test/cs_test_"), "{hosted}");
    let booking = app.store.event_bookings(event).await.unwrap().remove(0);
    assert_eq!(booking.status.as_str(), "held");
    assert_eq!(booking.total.0, 2000);
    let (_, html) = guest.get_text(&hosted).await;
    assert!(html.contains("Pay £20.00"), "{html}");
    let r = guest.submit(&hosted, &format!("{hosted}/pay"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let back = location(&r);
    assert!(back.starts_with("/events/paid?ref=TUT-"), "{back}");
    let (_, html) = guest.get_text(&back).await;
    assert!(html.contains("Thank you: your booking is confirmed"), "{html}");
    assert!(html.contains(&booking.reference));

    let booking = app.store.booking(booking.id).await.unwrap().unwrap();
    assert_eq!((booking.status.as_str(), booking.paid.0), ("confirmed", 2000));
    let (mail, _) = app.store.outbox_page(Some("gail@test.example"), 1, 10).await.unwrap();
    assert_eq!(mail.len(), 1, "one confirmation");
    assert!(mail[0].subject.contains(&booking.reference));
    assert!(
        mail[0].body.contains("2 × Adult") && mail[0].body.contains("Paid: £20.00"),
        "{}",
        mail[0].body
    );
    let ticket = link_in(&mail[0].body, "http://127.0.0.1:8080/events/tickets/")
        .unwrap()
        .replace("http://127.0.0.1:8080", "");
    let (status, html) = guest.get_text(&ticket).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<svg") && html.contains(&format!("QR code for booking {}", booking.reference)));
    assert!(!html.contains("Gail Guest"), "a ticket names nobody");
    assert_eq!(
        guest.get("/events/tickets/EV-NOTAREALONE").await.status(),
        StatusCode::NOT_FOUND
    );
    // The guest never had an account.
    assert!(app.store.user_by_email("gail@test.example").await.unwrap().is_none());
}

async fn a_free_event_books_at_once_and_a_full_one_offers_its_waiting_list(backend: Backend) {
    let Some(app) = spawn(backend).await else {
        return;
    };
    let admin = an_admin().create(&app.store).await;
    let event = an_event()
        .free()
        .capacity(2)
        .titled("Baby music")
        .create(&app.store)
        .await;
    let slug = slug(&app, event).await;
    let page = format!("/events/{slug}");
    let guest = app.browser();
    let (_, html) = guest.get_text(&page).await;
    let free = ticket_field(&html, "Free");
    let r = guest
        .submit(
            &page,
            &format!("{page}/book"),
            &[
                (free.as_str(), "2"),
                ("name", "Ann First"),
                ("email", "ann@test.example"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let ticket = location(&r);
    assert!(
        ticket.starts_with("/events/tickets/EV-"),
        "free: straight to the ticket"
    );
    let (_, html) = guest.get_text(&ticket).await;
    assert!(html.contains("Confirmed"));

    // Full: the page offers the waiting list, and a booking is refused beside the tickets.
    let other = app.browser();
    let (_, html) = other.get_text(&page).await;
    assert!(
        html.contains("Join the waiting list") && !html.contains("/book\""),
        "{html}"
    );
    let r = other
        .submit(
            &page,
            &format!("{page}/wait"),
            &[("places", "1"), ("name", "Bea Second"), ("email", "bea@test.example")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("You are on the waiting list"));

    // The office cancels Ann's booking: Bea is offered the place by email.
    let office = app.logged_in(&admin.email).await;
    let ann = app.store.event_bookings(event).await.unwrap().remove(0);
    let admin_page = format!("/admin/events/{event}");
    let (status, html) = office.get_text(&admin_page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&ann.reference) && html.contains("Bea Second"), "{html}");
    let r = office
        .submit(&admin_page, &format!("{admin_page}/bookings/{}/cancel", ann.id), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = office.get_text(&admin_page).await;
    assert!(html.contains("cancelled. Refund: £0.00."), "{html}");
    let (mail, _) = app.store.outbox_page(Some("bea@test.example"), 1, 10).await.unwrap();
    assert!(mail[0].body.contains(&format!("/events/{slug}")), "{}", mail[0].body);
    // The place is kept for Bea: a third person finds the event full, Bea books it.
    let (_, html) = app.browser().get_text(&page).await;
    assert!(html.contains("1 place left"), "the other place is free again: {html}");
    let r = other
        .submit(
            &page,
            &format!("{page}/book"),
            &[
                (free.as_str(), "1"),
                ("name", "Bea Second"),
                ("email", "bea@test.example"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.store.waiting_list(event).await.unwrap()[0].status, "booked");
}

async fn the_office_adds_books_and_checks_in(backend: Backend) {
    let Some(app) = spawn(backend).await else {
        return;
    };
    let admin = an_admin().create(&app.store).await;
    let teacher = a_teacher().create(&app.store).await;
    let school = a_school().create(&app.store).await;
    let parent = a_family(&school).with_login(PASSWORD).create(&app.store).await;
    let office = app.logged_in(&admin.email).await;

    let r = office
        .submit(
            "/admin/events/new",
            "/admin/events/new",
            &[
                ("title", "Singing in the classroom"),
                ("kind", "cpd"),
                ("audience", "hub-staff"),
                ("venue", "Music Centre"),
                ("sessions", "2026-11-10 nine to five"),
                ("ticket_types", "Free: 0"),
                ("refund_days", "7"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("like 12/12/2026 14:00-15:30"));
    let r = office
        .submit(
            "/admin/events/new",
            "/admin/events/new",
            &[
                ("title", "Singing in the classroom"),
                ("kind", "cpd"),
                ("audience", "hub-staff"),
                ("venue", "Music Centre"),
                ("capacity", "20"),
                ("sessions", "2026-11-10 09:30-12:00"),
                ("ticket_types", "Free: 0"),
                ("refund_days", "7"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = location(&r);
    let id: i64 = page.rsplit('/').next().unwrap().parse().unwrap();
    let (_, html) = office.get_text("/admin/events").await;
    assert!(
        html.contains("Singing in the classroom") && html.contains("0 of 20"),
        "{html}"
    );

    // Booked on the teacher's behalf, then checked in at the door: their CPD record.
    let (_, html) = office.get_text(&page).await;
    let free = ticket_field(&html, "Free");
    let r = office
        .submit(
            &page,
            &format!("{page}/book"),
            &[
                (free.as_str(), "1"),
                ("name", "A Teacher"),
                ("email", teacher.staff.email.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let booking = app.store.event_bookings(id).await.unwrap().remove(0);
    assert_eq!(booking.status.as_str(), "confirmed");
    let door = format!("{page}/check-in?ref={}", booking.reference);
    let (status, html) = office.get_text(&door).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&format!("value=\"{}\"", booking.reference)),
        "the QR code's address fills it in"
    );
    let r = office
        .submit(&door, &format!("{page}/check-in"), &[("reference", "EV-WRONG")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = office
        .submit(
            &door,
            &format!("{page}/check-in"),
            &[("reference", booking.reference.as_str())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = office.get_text(&format!("{page}/check-in")).await;
    assert!(html.contains("1 of 1 bookings checked in"), "{html}");
    let r = office
        .submit(
            &door,
            &format!("{page}/check-in"),
            &[("reference", booking.reference.as_str())],
        )
        .await;
    assert!(r.text().await.unwrap().contains("already checked in"));
    let cpd = app.store.cpd_records(teacher.staff.id).await.unwrap();
    assert_eq!(cpd.len(), 1);
    // Its certificate, as a PDF the office may open.
    let r = office.get(&format!("/account/cpd/{}.pdf", cpd[0].id)).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-1.4"));
    assert!(String::from_utf8_lossy(&pdf).contains("(Singing in the classroom)"));

    // Nobody but the office.
    let family = app.logged_in(&parent.email).await;
    assert_eq!(family.get("/admin/events").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(family.get(&page).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        family.get(&format!("/account/cpd/{}.pdf", cpd[0].id)).await.status(),
        StatusCode::NOT_FOUND
    );
    let r = app.browser().get(&format!("{page}/check-in")).await;
    assert!(location(&r).starts_with("/login"), "{}", location(&r));
}

async fn the_api_adds_events_and_books_for_the_office_only(backend: Backend) {
    let Some(app) = spawn(backend).await else {
        return;
    };
    let admin = an_admin().create(&app.store).await;
    let school = a_school().create(&app.store).await;
    let parent = a_family(&school).with_login(PASSWORD).create(&app.store).await;
    let client = reqwest::Client::new();
    let url = |p: &str| format!("{}{p}", app.base);
    let office = app.token(&admin.email).await;
    let family = app.token(&parent.email).await;
    let body = json!({
        "title": "Holiday strings course",
        "kind": "holiday-course",
        "audience": "pupils",
        "venue": "Music Centre",
        "capacity": 3,
        "sessions": [{"date": "2026-10-26", "start": "10:00", "end": "15:00"},
                     {"date": "2026-10-27", "start": "10:00", "end": "15:00"}],
        "ticket_types": [{"name": "Pupil", "price_pence": 6000}, {"name": "Free school meals", "price_pence": 0}]
    });
    let r = client
        .post(url("/api/v1/events"))
        .bearer_auth(&family)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = client
        .post(url("/api/v1/events"))
        .bearer_auth(&office)
        .json(&json!({"title": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = client
        .post(url("/api/v1/events"))
        .bearer_auth(&office)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let event: Value = r.json().await.unwrap();
    assert_eq!(event["places_left"], 3);
    assert_eq!(event["sessions"][1]["date"], "2026-10-27");
    let id = event["id"].as_i64().unwrap();

    let r = client
        .get(url("/api/v1/events?kind=holiday-course"))
        .bearer_auth(&family)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page: Value = r.json().await.unwrap();
    assert_eq!(page["total"], 1);

    let booking = |n: u32| json!({"name": "Phone Booker", "email": "phone@test.example", "tickets": [{"type": "pupil", "quantity": n}]});
    let bookings = url(&format!("/api/v1/events/{id}/bookings"));
    let r = client
        .post(&bookings)
        .bearer_auth(&family)
        .json(&booking(1))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = client
        .post(&bookings)
        .bearer_auth(&office)
        .json(&booking(2))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let b: Value = r.json().await.unwrap();
    assert_eq!(
        (
            b["status"].as_str(),
            b["total_pence"].as_i64(),
            b["pay_later"].as_bool()
        ),
        (Some("confirmed"), Some(12000), Some(true))
    );
    let r = client
        .post(&bookings)
        .bearer_auth(&office)
        .json(&booking(2))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let problem: Value = r.json().await.unwrap();
    assert!(problem.to_string().contains("Only 1 places are left."), "{problem}");
    let r = client
        .post(&bookings)
        .bearer_auth(&office)
        .json(&booking(1))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = client
        .post(&bookings)
        .bearer_auth(&office)
        .json(&booking(1))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT, "a full event answers 409");
    let r = client
        .post(url("/api/v1/events/999999/bookings"))
        .bearer_auth(&office)
        .json(&booking(1))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let _ = EventKind::Cpd;
}

/// A guest gives `pounds` by card with a Gift Aid declaration as `name`.
async fn guest_gives(app: &TestApp, pounds: &str, name: &str) {
    let guest = app.browser();
    let (status, html) = guest.get_text("/donate").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("You do not need an account"), "{html}");
    let r = guest
        .submit(
            "/donate",
            "/donate",
            &[
                ("amount", pounds),
                ("email", "giver@test.example"),
                ("gift_aid", "yes"),
                ("donor_name", name),
                ("home_address", "12 High Street, Durham"),
                ("postcode", "DH1 3LE"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let hosted = location(&r);
    let r = guest.submit(&hosted, &format!("{hosted}/pay"), &[]).await;
    let back = location(&r);
    assert!(back.starts_with("/events/paid?ref="), "{back}");
    let (_, html) = guest.get_text(&back).await;
    assert!(html.contains("Thank you: payment received"), "{html}");
}

async fn a_guest_donates_with_gift_aid_and_no_claim_repeats_a_donation(backend: Backend) {
    let Some(app) = spawn(backend).await else {
        return;
    };
    let admin = an_admin().create(&app.store).await;
    // Without an email, refused beside the field; nothing given.
    let guest = app.browser();
    let r = guest
        .submit("/donate", "/donate", &[("amount", "5"), ("email", "")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("id=\"email-error\""));

    guest_gives(&app, "25", "Mrs Dana Donor").await;
    guest_gives(&app, "10", "Sam Small").await;
    let office = app.logged_in(&admin.email).await;
    let (_, html) = office.get_text("/admin/donations").await;
    assert!(
        html.contains("Dana Donor") && html.contains("Make a Gift Aid claim"),
        "{html}"
    );

    // Paid "now" by the provider's clock: a range wide enough for any day the test runs.
    let preview = "/admin/donations/gift-aid?from=2000-01-01&to=2099-12-31";
    let (status, html) = office.get_text(preview).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("2 donations, £35.00 in all."), "{html}");
    let r = office
        .submit(
            preview,
            "/admin/donations/gift-aid",
            &[("from", "2000-01-01"), ("to", "2099-12-31")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[0].starts_with("Title,First name or initial,Last name,House name or number,Postcode,Aggregated donations,Sponsored event,Donation date,Amount"));
    assert!(
        lines[1].starts_with("Mrs,Dana,Donor,12,DH1 3LE,,,") && lines[1].ends_with(",25.00"),
        "{csv}"
    );
    assert!(
        lines[2].starts_with(",,,,,1 donation of £20 or less,,") && lines[2].ends_with(",10.00"),
        "{csv}"
    );

    // The next claim, over the same days, repeats neither.
    let (_, html) = office.get_text(preview).await;
    assert!(html.contains("No donations to claim between these days."), "{html}");
    let r = office
        .submit(
            preview,
            "/admin/donations/gift-aid",
            &[("from", "2000-01-01"), ("to", "2099-12-31")],
        )
        .await;
    assert_eq!(r.text().await.unwrap().lines().count(), 1, "only the header");
}

async fn a_school_order_becomes_an_agreement(backend: Backend) {
    let Some(app) = spawn(backend).await else {
        return;
    };
    let admin = an_admin().create(&app.store).await;
    let school = a_school().create(&app.store).await;
    let other = a_school().create(&app.store).await;
    let contact = a_school_contact(&school).create(&app.store).await;
    let office = app.logged_in(&admin.email).await;
    let r = office
        .submit(
            "/admin/services",
            "/admin/services/packages",
            &[
                ("name", "Whole-class ukulele"),
                ("kind", "wcet"),
                ("price", "3000"),
                ("sessions", "33"),
                ("subsidies", "primary: 50\nmaintained: 20"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let portal = app.logged_in(&contact.email).await;
    let (status, html) = portal.get_text("/school/services").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Whole-class ukulele") && html.contains("£1,500.00"),
        "half price for a primary: {html}"
    );
    let package = app.store.service_packages().await.unwrap()[0].id.to_string();
    let r = portal
        .submit(
            "/school/services",
            "/school/services/order",
            &[("package", package.as_str()), ("year", "2026-27")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Ordered twice: refused, said in the flash.
    portal
        .submit(
            "/school/services",
            "/school/services/order",
            &[("package", package.as_str()), ("year", "2026-27")],
        )
        .await;
    let (_, html) = portal.get_text("/school/services").await;
    assert!(html.contains("already ordered this package"), "{html}");
    let orders = app.store.service_orders(Some(school.id)).await.unwrap();
    assert_eq!(orders.len(), 1);
    assert!(app.store.service_orders(Some(other.id)).await.unwrap().is_empty());

    let r = office
        .submit(
            "/admin/services",
            &format!("/admin/services/orders/{}/confirm", orders[0].id),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let year = tutti_domain::calendar::AcademicYear::parse("2026-27").unwrap();
    let agreements = app.store.agreements(year).await.unwrap();
    assert_eq!(agreements.len(), 1);
    assert_eq!(
        (
            agreements[0].programme.as_str(),
            agreements[0].annual_pence,
            agreements[0].sessions,
            agreements[0].school_id
        ),
        ("Whole-class ukulele", 150_000, 33, school.id)
    );
    // Answered once.
    office
        .submit(
            "/admin/services",
            &format!("/admin/services/orders/{}/decline", orders[0].id),
            &[],
        )
        .await;
    let (_, html) = office.get_text("/admin/services").await;
    assert!(html.contains("already been answered"), "{html}");
    assert_eq!(app.store.agreements(year).await.unwrap().len(), 1);
    // Only the office answers.
    assert_eq!(portal.get("/admin/services").await.status(), StatusCode::FORBIDDEN);

    // Its whole-class programme waits on the allocation screen to be placed (decision 0094).
    let teacher = a_teacher().create(&app.store).await;
    let (_, html) = office.get_text("/admin/allocation").await;
    assert!(html.contains("Whole-class programmes to place"), "{html}");
    assert!(
        html.contains(&format!(
            "Whole-class ukulele at {}, 2026-27 (33 sessions)",
            school.name
        )),
        "{html}"
    );
    let place = format!("/admin/allocation/programmes/{}/place", orders[0].id);
    let teacher_id = teacher.staff.id.to_string();
    let form = |start: &'static str| {
        vec![
            ("teacher", teacher_id.clone()),
            ("weekday", "2".to_owned()),
            ("start", start.to_owned()),
            ("minutes", "45".to_owned()),
            ("instrument", "Ukulele".to_owned()),
        ]
    };
    // A time that is not a time: said, nothing placed.
    let bad = form("half past");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    office.submit("/admin/allocation", &place, &bad).await;
    let (_, html) = office.get_text("/admin/allocation").await;
    assert!(
        html.contains("was not placed: Enter a start time like 09:05."),
        "{html}"
    );
    let good = form("13:30");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = office.submit("/admin/allocation", &place, &good).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let (_, html) = office.get_text("/admin/allocation").await;
    assert!(html.contains("placed as group"), "{html}");
    assert!(app.store.programmes_to_place(None).await.unwrap().is_empty());
    let groups = app.store.group_summaries(Some(school.id), None).await.unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(
        (
            groups[0].teacher_id,
            groups[0].weekday,
            groups[0].start_minute,
            groups[0].lesson_type.as_str()
        ),
        (teacher.staff.id, 2, 13 * 60 + 30, "whole-class")
    );
    assert_eq!(
        app.store
            .programme(orders[0].id)
            .await
            .unwrap()
            .unwrap()
            .teaching_group_id,
        Some(groups[0].id)
    );
    // Placed once.
    office.submit("/admin/allocation", &place, &good).await;
    let (_, html) = office.get_text("/admin/allocation").await;
    assert!(
        html.contains("This whole-class programme is already on the timetable."),
        "{html}"
    );
    assert_eq!(app.store.group_summaries(Some(school.id), None).await.unwrap().len(), 1);
}

/// A guest books `tickets` on the event's page; returns the provider's page they are sent to.
async fn guest_books(
    app: &TestApp,
    guest: &crate::support::Browser,
    slug: &str,
    tickets: &[(&str, &str)],
    who: &str,
) -> String {
    let page = format!("/events/{slug}");
    let (_, html) = guest.get_text(&page).await;
    let mut form: Vec<(String, String)> = tickets
        .iter()
        .map(|(name, n)| (ticket_field(&html, name), (*n).to_owned()))
        .collect();
    form.push(("name".into(), format!("{who} Guest")));
    form.push(("email".into(), format!("{}@test.example", who.to_lowercase())));
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = guest.submit(&page, &format!("{page}/book"), &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let _ = app;
    location(&r)
}

/// Pays on the test provider's page; returns where it sends the payer back to.
async fn pays(guest: &crate::support::Browser, hosted: &str) -> String {
    let r = guest.submit(hosted, &format!("{hosted}/pay"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    location(&r)
}

async fn a_guest_cancels_through_their_link_and_is_refunded_once(backend: Backend) {
    let Some(app) = spawn(backend).await else {
        return;
    };
    let event = an_event().titled("Family concert").in_days(30).create(&app.store).await;
    let slug = slug(&app, event).await;
    let guest = app.browser();
    let hosted = guest_books(&app, &guest, &slug, &[("Adult", "2"), ("Child", "1")], "Gail").await;
    pays(&guest, &hosted).await;
    let booking = app.store.event_bookings(event).await.unwrap().remove(0);
    assert_eq!(booking.paid.0, 2000);

    // The confirmation carries the link: the reference and a token.
    let (mail, _) = app.store.outbox_page(Some("gail@test.example"), 1, 10).await.unwrap();
    let link = link_in(
        &mail[0].body,
        &format!("http://127.0.0.1:8080/events/tickets/{}/cancel/", booking.reference),
    )
    .unwrap()
    .replace("http://127.0.0.1:8080", "");
    // The reference alone, or another token, finds nothing.
    for wrong in [
        format!("/events/tickets/{}/cancel", booking.reference),
        format!("/events/tickets/{}/cancel/not-the-token", booking.reference),
    ] {
        assert_eq!(guest.get(&wrong).await.status(), StatusCode::NOT_FOUND, "{wrong}");
    }
    // Told first what cancelling comes to, then cancelled and refunded to the card.
    let r = guest.get(&link).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("You will be refunded £20.00 in full, to the card you paid with."),
        "{html}"
    );
    let r = guest.submit(&link, &link, &[("refund_pence", "2000")]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Your booking is cancelled") && html.contains("£20.00 is being refunded"),
        "{html}"
    );
    let refund = app.store.booking_refund(booking.id).await.unwrap().unwrap();
    assert_eq!((refund.status.as_str(), refund.amount_pence), ("refunded", 2000));
    assert!(refund.provider_refund.as_deref().unwrap().starts_with("re_test_"));

    // Asking again (the form sent twice) is refused in words, and nothing more is refunded.
    let r = guest
        .submit(&format!("/events/{slug}"), &link, &[("refund_pence", "2000")])
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("This booking is already cancelled.") && html.contains("Nothing has been changed."),
        "{html}"
    );
    assert_eq!(app.store.booking_refund(booking.id).await.unwrap().unwrap(), refund);
    let (status, html) = guest.get_text(&link).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("This booking is already cancelled."));
    let (mail, _) = app.store.outbox_page(Some("gail@test.example"), 1, 10).await.unwrap();
    assert!(mail.iter().any(|m| m.subject.starts_with("Booking cancelled")));
    assert_eq!(app.store.event(event).await.unwrap().unwrap().taken, 0);
}

async fn a_parent_cancelling_late_is_told_first_and_the_office_refunds_in_full(backend: Backend) {
    let Some(app) = spawn(backend).await else {
        return;
    };
    let school = a_school().create(&app.store).await;
    let family = a_family(&school).with_login(PASSWORD).create(&app.store).await;
    let other = a_family(&school).with_login(PASSWORD).create(&app.store).await;
    let admin = an_admin().create(&app.store).await;
    // Five days away: inside the week's notice, so a booker's cancellation is not refunded.
    let event = an_event().titled("Brass day").in_days(5).create(&app.store).await;
    let slug = slug(&app, event).await;
    let parent = app.logged_in(&family.email).await;
    let r = {
        let page = format!("/events/{slug}");
        let (_, html) = parent.get_text(&page).await;
        let adult = ticket_field(&html, "Adult");
        parent
            .submit(
                &page,
                &format!("{page}/book"),
                &[
                    (adult.as_str(), "1"),
                    ("name", "Pat Parent"),
                    ("email", family.email.as_str()),
                ],
            )
            .await
    };
    assert_eq!(location(&r), "/basket");
    let r = parent.submit("/basket", "/basket/checkout", &[]).await;
    let hosted = location(&r);
    pays(&parent, &hosted).await;
    let booking = app.store.event_bookings(event).await.unwrap().remove(0);
    assert_eq!((booking.status.as_str(), booking.paid.0), ("confirmed", 800));
    let cancel = format!("/account/bookings/{}/cancel", booking.id);
    let (_, html) = parent.get_text(&format!("/events/tickets/{}", booking.reference)).await;
    assert!(html.contains(&format!("href=\"{cancel}\"")), "{html}");
    let (mail, _) = app.store.outbox_page(Some(&family.email), 1, 10).await.unwrap();
    assert!(
        mail[0].body.contains(&format!("http://127.0.0.1:8080{cancel}")),
        "{}",
        mail[0].body
    );
    // Another family's parent finds nothing there.
    let stranger = app.logged_in(&other.email).await;
    assert_eq!(stranger.get(&cancel).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        stranger.submit("/events", &cancel, &[]).await.status(),
        StatusCode::NOT_FOUND
    );
    // Told before confirming that nothing is refunded this late; then the places are freed.
    let (status, html) = parent.get_text(&cancel).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Cancellations are refunded only until"), "{html}");
    assert!(html.contains("you will not be refunded the £8.00 you paid"), "{html}");
    let r = parent.submit(&cancel, &cancel, &[("refund_pence", "0")]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("No refund is due."));
    assert!(app.store.booking_refund(booking.id).await.unwrap().is_none());
    assert_eq!(app.store.event(event).await.unwrap().unwrap().taken, 0);

    // The office may refund in full whatever the notice: back to the guest's card.
    let guest = app.browser();
    let hosted = guest_books(&app, &guest, &slug, &[("Child", "1")], "Gus").await;
    pays(&guest, &hosted).await;
    let gus = app.store.event_bookings(event).await.unwrap().pop().unwrap();
    let office = app.logged_in(&admin.email).await;
    let admin_page = format!("/admin/events/{event}");
    let r = office
        .submit(
            &admin_page,
            &format!("{admin_page}/bookings/{}/cancel", gus.id),
            &[("full_refund", "yes")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = office.get_text(&admin_page).await;
    assert!(
        html.contains(&format!(
            "Booking {} cancelled. Refund: £4.00 to the card it was paid with.",
            gus.reference
        )),
        "{html}"
    );
    assert!(html.contains("Cancelled: £4.00 refunded to the card"), "{html}");
    let refund = app.store.booking_refund(gus.id).await.unwrap().unwrap();
    assert_eq!((refund.status.as_str(), refund.amount_pence), ("refunded", 400));
}

async fn an_unpaid_hold_runs_out_and_its_late_payment_is_refunded(backend: Backend) {
    let Some(app) = spawn(backend).await else {
        return;
    };
    let event = an_event().capacity(2).create(&app.store).await;
    let slug = slug(&app, event).await;
    // Ann holds both places and leaves the provider's page open; Bob finds the event full.
    let ann = app.browser();
    let ann_page = guest_books(&app, &ann, &slug, &[("Adult", "2")], "Ann").await;
    let (_, html) = app.browser().get_text(&format!("/events/{slug}")).await;
    assert!(html.contains("Full: join the waiting list"), "{html}");
    // Thirty minutes on, the hold has run out: Bob books and pays for the places.
    app.store.clock().advance(time::Duration::minutes(30));
    let bob = app.browser();
    let bob_page = guest_books(&app, &bob, &slug, &[("Adult", "2")], "Bob").await;
    pays(&bob, &bob_page).await;
    // Ann pays late: the places have gone, so her payment is refunded in full, and she is told.
    let back = pays(&ann, &ann_page).await;
    let (_, html) = ann.get_text(&back).await;
    assert!(html.contains("Your payment is being refunded"), "{html}");
    assert!(html.contains("£16.00 is being refunded in full to your card"), "{html}");
    let bookings = app.store.event_bookings(event).await.unwrap();
    let (a, b) = (&bookings[0], &bookings[1]);
    assert_eq!((a.status.as_str(), a.refund.0), ("cancelled", 1600));
    assert_eq!(b.status.as_str(), "confirmed");
    let refund = app.store.booking_refund(a.id).await.unwrap().unwrap();
    assert_eq!((refund.status.as_str(), refund.amount_pence), ("refunded", 1600));
    let (mail, _) = app.store.outbox_page(Some("ann@test.example"), 1, 10).await.unwrap();
    assert!(
        mail.iter().any(|m| m.subject.starts_with("Payment refunded")),
        "{mail:?}"
    );
    // The sweep finds nothing more to do.
    assert_eq!(app.store.expire_holds().await.unwrap(), 0);
}
