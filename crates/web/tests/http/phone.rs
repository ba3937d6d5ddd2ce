//! Phone first for teachers and parents (issue 22, decision 76): the teacher's week at a
//! glance and day-to-day steps over weekends and closures; the register's chosen mark
//! announced by aria-pressed, with a status message after each save; the confirm step before
//! a whole-lesson outcome; the parent's home (money owed, next lessons, offers waiting; no
//! other family's); and paying the next instalment or part of an invoice by card, allocated
//! to that invoice to the penny, once however often the provider tells us.
use reqwest::StatusCode;
use time::macros::date;
use tutti_domain::Pence;
use tutti_domain::calendar::{AcademicYear, TermId, default_term_dates};
use tutti_domain::lessons::LessonType;
use tutti_domain::terms::ClosureKind;
use tutti_store::money::billing::invoices::InvoiceFilter;
use tutti_store::platform::audit::Actor;
use tutti_store::teaching::lessons::LessonStatus;
use tutti_store::teaching::terms::{NewClosure, Whose};
use tutti_store::testing::world::{
    Family, PASSWORD, a_family, a_group, a_school, a_teacher, an_admin, an_application, an_enrolment,
};
use tutti_web::WebConfig;
use tutti_web::config::CardPayments;

use crate::on_both_backends;
use crate::support::{Backend, Browser, TestApp, location};

on_both_backends!(
    the_week_lists_only_the_teachers_own_teaching_days,
    the_register_shows_the_chosen_mark_and_says_what_was_saved,
    whole_lesson_outcomes_ask_first,
    a_parents_home_leads_with_money_lessons_and_offers,
    a_parent_pays_an_instalment_then_part_of_the_rest
);

/// A Tuesday in the autumn term of 2026.
const DAY: time::Date = date!(2026 - 11 - 10);

/// A teacher with lessons on Mondays and Fridays at one school, whose Friday 13 November is
/// closed; another teacher on Wednesdays at another school.
struct Week {
    teacher: String,
    other_teacher: String,
    parent: String,
    other_school_name: String,
    staff: i64,
}

async fn a_week(app: &TestApp) -> Week {
    let store = &app.store;
    let school = a_school().named("Riverside Primary").create(store).await;
    let other_school = a_school().named("Hilltop Academy").create(store).await;
    let teacher = a_teacher().with_login(PASSWORD).create(store).await;
    let other = a_teacher().with_login(PASSWORD).create(store).await;
    let family = a_family(&school).with_login(PASSWORD).create(store).await;
    let elsewhere = a_family(&other_school).create(store).await;
    for weekday in [1, 5] {
        a_group(teacher.staff.id, school.id)
            .on(weekday, 540)
            .teaching("Violin", LessonType::Individual, 30)
            .with_pupils(&[family.children[0]])
            .enrolled_from(date!(2026 - 09 - 07))
            .create(store)
            .await;
    }
    a_group(other.staff.id, other_school.id)
        .on(3, 600)
        .teaching("Cello", LessonType::Individual, 30)
        .with_pupils(&[elsewhere.children[0]])
        .enrolled_from(date!(2026 - 09 - 07))
        .create(store)
        .await;
    let [autumn, _, _] = default_term_dates(AcademicYear::containing(DAY));
    store.generate_dated_lessons(&Actor::cli(), autumn.term).await.unwrap();
    store
        .save_closure(
            &Actor::cli(),
            &NewClosure {
                whose: Whose::School(school.id),
                day: date!(2026 - 11 - 13),
                kind: ClosureKind::Closure,
                reason: "Polling day".into(),
            },
        )
        .await
        .unwrap();
    Week {
        teacher: teacher.staff.email,
        other_teacher: other.staff.email,
        parent: family.email,
        other_school_name: "Hilltop Academy".into(),
        staff: teacher.staff.id,
    }
}

async fn the_week_lists_only_the_teachers_own_teaching_days(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let week = a_week(&app).await;
    let teacher = app.logged_in(&week.teacher).await;
    let (status, html) = teacher.get_text("/teacher/week").await;
    assert_eq!(status, StatusCode::OK);
    // This week: Monday only; Friday 13th is closed, Wednesday is another teacher's.
    assert!(html.contains("/teacher/day?date=2026-11-09"), "{html}");
    assert!(
        !html.contains("/teacher/day?date=2026-11-13"),
        "the closed Friday is not listed"
    );
    assert!(!html.contains("/teacher/day?date=2026-11-11"));
    assert!(
        !html.contains(&week.other_school_name),
        "another teacher's lessons are not shown"
    );
    assert!(html.contains("09:00–09:30") && html.contains("Riverside Primary"));
    assert!(html.contains("/teacher/week?date=2026-11-02") && html.contains("/teacher/week?date=2026-11-16"));
    // Next week: Monday and Friday; no weekend.
    let (_, html) = teacher.get_text("/teacher/week?date=2026-11-18").await;
    assert!(html.contains("/teacher/day?date=2026-11-16") && html.contains("/teacher/day?date=2026-11-20"));
    assert!(!html.contains("/teacher/day?date=2026-11-21") && !html.contains("/teacher/day?date=2026-11-22"));
    // The half-term week has no lessons.
    let (_, html) = teacher.get_text("/teacher/week?date=2026-10-28").await;
    assert!(html.contains("You have no lessons this week."), "{html}");

    // Next and previous teaching day step over the weekend and the closed Friday.
    let (_, html) = teacher.get_text("/teacher/day?date=2026-11-09").await;
    assert!(
        html.contains("href=\"/teacher/day?date=2026-11-16\" rel=\"next\""),
        "{html}"
    );
    assert!(html.contains("href=\"/teacher/day?date=2026-11-06\" rel=\"prev\""));
    let (_, html) = teacher.get_text("/teacher/day?date=2026-11-06").await;
    assert!(html.contains("href=\"/teacher/day?date=2026-11-09\" rel=\"next\""));
    assert!(html.contains("/teacher/week?date=2026-11-02"), "the day links its week");

    // The other teacher sees only their own Wednesday.
    let other = app.logged_in(&week.other_teacher).await;
    let (_, html) = other.get_text("/teacher/week").await;
    assert!(html.contains("/teacher/day?date=2026-11-11") && !html.contains("Riverside Primary"));
    assert!(!html.contains("/teacher/day?date=2026-11-09"));
    // Not a teacher: refused; nobody: to log in.
    let parent = app.logged_in(&week.parent).await;
    assert_eq!(parent.get("/teacher/week").await.status(), StatusCode::FORBIDDEN);
    let nobody = app.browser();
    assert_eq!(nobody.get("/teacher/week").await.status(), StatusCode::SEE_OTHER);
    let (status, _) = teacher.get_text("/teacher/week?date=soon").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let _ = week.staff;
}

async fn the_register_shows_the_chosen_mark_and_says_what_was_saved(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let week = a_week(&app).await;
    let day = date!(2026 - 11 - 09);
    let lesson = app.store.teacher_day(week.staff, day).await.unwrap()[0].clone();
    let pupil = lesson.pupils[0].clone();
    let teacher = app.logged_in(&week.teacher).await;
    let page = format!("/teacher/day?date={day}");
    let (_, html) = teacher.get_text(&page).await;
    assert!(!html.contains("aria-pressed=\"true\""), "nothing is chosen yet");
    assert_eq!(html.matches("aria-pressed=\"false\"").count(), 6);

    let action = format!("/teacher/lessons/{}/mark", lesson.id);
    let id = pupil.id.to_string();
    let date = day.to_string();
    let r = teacher
        .submit(&page, &action, &[("pupil", &id), ("mark", "ill"), ("date", &date)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = teacher.get_text(&page).await;
    assert!(html.contains("value=\"ill\" aria-pressed=\"true\""), "{html}");
    assert!(html.contains("value=\"present\" aria-pressed=\"false\""));
    assert_eq!(html.matches("aria-pressed=\"true\"").count(), 1);
    assert!(html.contains("role=\"status\""));
    assert!(html.contains(&format!("Saved: {}, Absent: ill.", pupil.name)), "{html}");
    // The message is said once.
    let (_, html) = teacher.get_text(&page).await;
    assert!(!html.contains("Saved:"));

    // Changing the mark moves the choice.
    teacher
        .submit(&page, &action, &[("pupil", &id), ("mark", "present"), ("date", &date)])
        .await;
    let (_, html) = teacher.get_text(&page).await;
    assert!(html.contains("value=\"present\" aria-pressed=\"true\""));
    assert!(html.contains("value=\"ill\" aria-pressed=\"false\""));

    // A note's save is announced too.
    let r = teacher
        .submit(
            &page,
            &format!("/teacher/lessons/{}/note", lesson.id),
            &[("note", "Scales"), ("date", &date)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = teacher.get_text(&page).await;
    assert!(html.contains("Saved: the note, for you and the office only."));
}

async fn whole_lesson_outcomes_ask_first(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let week = a_week(&app).await;
    let day = date!(2026 - 11 - 09);
    let lesson = app.store.teacher_day(week.staff, day).await.unwrap()[0].clone();
    let teacher = app.logged_in(&week.teacher).await;
    let page = format!("/teacher/day?date={day}");
    let action = format!("/teacher/lessons/{}/outcome", lesson.id);
    let date = day.to_string();
    let r = teacher
        .submit(&page, &action, &[("outcome", "school-closed"), ("date", &date)])
        .await;
    assert_eq!(r.status(), StatusCode::OK, "a page asking first");
    let html = r.text().await.unwrap();
    assert!(html.contains("Mark this lesson school closed?"), "{html}");
    assert!(html.contains("name=\"confirm\" value=\"yes\"") && html.contains("No, go back"));
    let status = |app: &TestApp| {
        let store = app.store.clone();
        async move { store.teacher_day(week.staff, day).await.unwrap()[0].status }
    };
    assert_eq!(status(&app).await, LessonStatus::Scheduled, "nothing changed yet");

    // Another teacher's lesson: not found, asked or confirmed.
    let other = app.logged_in(&week.other_teacher).await;
    for confirm in ["", "yes"] {
        let r = other
            .submit(
                "/teacher/day",
                &action,
                &[("outcome", "school-closed"), ("date", &date), ("confirm", confirm)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
    assert_eq!(status(&app).await, LessonStatus::Scheduled);

    let r = teacher
        .submit(
            &page,
            &action,
            &[("outcome", "school-closed"), ("date", &date), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("/teacher/day?date={day}#lesson-{}", lesson.id));
    assert_eq!(status(&app).await, LessonStatus::SchoolClosed);
    let (_, html) = teacher.get_text(&page).await;
    assert!(html.contains("Saved: the lesson is marked school closed."));
    // Undoing needs no confirmation.
    let r = teacher
        .submit(&page, &action, &[("outcome", "given"), ("date", &date)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(status(&app).await, LessonStatus::Given);
}

/// The first day of autumn's billing: invoices issued, no instalment due yet.
const BILLED: time::Date = date!(2026 - 09 - 01);

async fn spawn_paying(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_empty_with(
        backend,
        WebConfig {
            card_payments: CardPayments::test_mode(),
            ..WebConfig::default()
        },
        BILLED,
    )
    .await
}

/// Two families at one school, each child learning the violin, autumn billed.
async fn two_billed_families(app: &TestApp) -> (Family, Family) {
    let school = a_school().named("Riverside Primary").create(&app.store).await;
    let teacher = a_teacher().create(&app.store).await;
    let ours = a_family(&school)
        .first_child("Ada", date!(2016 - 03 - 01))
        .with_login(PASSWORD)
        .create(&app.store)
        .await;
    let theirs = a_family(&school)
        .first_child("Zebedee", date!(2016 - 04 - 01))
        .create(&app.store)
        .await;
    for (i, family) in [&ours, &theirs].iter().enumerate() {
        let enrolment = an_enrolment(family.children[0])
            .starting(date!(2026 - 09 - 07))
            .taught_by(teacher.staff.id, 1, 540 + 30 * i as u16)
            .at_school(school.id)
            .create(&app.store)
            .await;
        a_group(teacher.staff.id, school.id)
            .on(1, 540 + 30 * i as u16)
            .with_enrolments(&[enrolment])
            .create(&app.store)
            .await;
    }
    let term = TermId::parse("2026-autumn").unwrap();
    app.store
        .run_billing(&Actor::cli(), term, false, &|_| {})
        .await
        .unwrap();
    app.store.generate_dated_lessons(&Actor::cli(), term).await.unwrap();
    (ours, theirs)
}

/// The invoice's id, number, total and instalment amounts.
async fn the_invoice(app: &TestApp, family: &Family) -> (i64, String, Pence, Vec<Pence>) {
    let guardians = app.store.guardian_ids_for_email(&family.email).await.unwrap();
    let filter = InvoiceFilter {
        guardians: Some(guardians),
        ..Default::default()
    };
    let page = app.store.invoices(&filter, &Default::default()).await.unwrap();
    let invoice = &page.rows[0];
    let doc = app.store.invoice_document(invoice.id).await.unwrap();
    let instalments = doc.instalments.iter().map(|i| Pence(i.amount_pence)).collect();
    (
        invoice.id,
        invoice.number.clone(),
        Pence(invoice.total_pence),
        instalments,
    )
}

async fn a_parents_home_leads_with_money_lessons_and_offers(backend: Backend) {
    let Some(app) = spawn_paying(backend).await else {
        return;
    };
    let (ours, theirs) = two_billed_families(&app).await;
    let (id, number, total, instalments) = the_invoice(&app, &ours).await;
    let (_, their_number, _, _) = the_invoice(&app, &theirs).await;
    assert!(instalments.len() > 1, "the default policy offers instalments");
    // An offer waiting for an answer, for our child.
    let application = an_application(ours.children[0])
        .for_lessons("Flute", LessonType::Individual, 30)
        .create(&app.store)
        .await;
    app.store
        .make_offer(
            &Actor::cli(),
            application,
            date!(2026 - 09 - 21),
            date!(2026 - 09 - 14),
            BILLED,
            "http://hub.test/parent/applications",
        )
        .await
        .unwrap();

    let parent = app.logged_in(&ours.email).await;
    let (status, html) = parent.get_text("/account").await;
    assert_eq!(status, StatusCode::OK);
    let at = |t: &str| html.find(t).unwrap_or_else(|| panic!("{t} on the home page: {html}"));
    // Money first, then lessons, then offers; tokens last.
    assert!(at("Money owed") < at("Next lessons") && at("Next lessons") < at("Offers waiting"));
    assert!(at("Offers waiting") < at("Your API tokens"));
    assert!(html.contains(&number) && html.contains(&format!("You owe <strong>{total}</strong>")));
    assert!(
        html.contains(&instalments[0].to_string()),
        "the first instalment is next"
    );
    assert!(html.contains(&format!("/account/invoices/{id}/pay")));
    assert!(
        html.contains("Ada") && html.contains("Violin") && html.contains("Riverside Primary"),
        "{html}"
    );
    assert!(html.contains("09:00–"), "the lesson's time");
    assert!(html.contains("Flute") && html.contains("Answer by"));
    // Nothing of the other family's.
    assert!(!html.contains(&their_number) && !html.contains("Zebedee"));

    // The office's and the teacher's homes are not the parent's.
    let admin = app.logged_in(&an_admin().create(&app.store).await.email).await;
    assert!(!admin.get_text("/account").await.1.contains("Money owed"));
}

async fn a_parent_pays_an_instalment_then_part_of_the_rest(backend: Backend) {
    let Some(app) = spawn_paying(backend).await else {
        return;
    };
    let (ours, theirs) = two_billed_families(&app).await;
    let (id, number, total, instalments) = the_invoice(&app, &ours).await;
    let (their_id, _, _, _) = the_invoice(&app, &theirs).await;
    let parent = app.logged_in(&ours.email).await;
    let pay = format!("/account/invoices/{id}/pay");
    let (status, html) = parent.get_text(&pay).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("Pay {} by card", instalments[0])), "{html}");
    assert!(html.contains("instalment 1, due by"));
    // The invoice's own page links here.
    assert!(
        parent
            .get_text(&format!("/parent/invoices/{id}"))
            .await
            .1
            .contains(&pay)
    );

    // Refusals name the field and change nothing.
    let html = refused(&parent, &pay, &Pence(total.0 + 1).to_pounds_string()).await;
    assert!(
        html.contains(&format!(
            "That is more than the {total} left to pay on invoice {number}"
        )),
        "{html}"
    );
    assert!(html.contains("aria-invalid=\"true\"") && html.contains("id=\"amount-error\""));
    assert!(refused(&parent, &pay, "0.99").await.contains("Pay at least £1.00."));
    assert!(refused(&parent, &pay, "lots").await.contains("id=\"amount-error\""));
    assert!(refused(&parent, &pay, "").await.contains("Enter the amount to pay"));
    // Another family's invoice: not found, to see or to pay.
    let theirs_pay = format!("/account/invoices/{their_id}/pay");
    assert_eq!(parent.get(&theirs_pay).await.status(), StatusCode::NOT_FOUND);
    let r = parent.submit(&pay, &theirs_pay, &[("amount", "5.00")]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(app.store.invoice_payments(id).await.unwrap().is_empty());
    assert!(app.store.invoice_payments(their_id).await.unwrap().is_empty());

    // The first instalment, through the hosted page; paying the page twice pays once.
    let first = instalments[0].to_pounds_string();
    let hosted = paid_on_hosted_page(&parent, &pay, &first).await;
    let again = parent.submit(&hosted, &format!("{hosted}/pay"), &[]).await;
    assert!(again.status().is_success() || again.status().is_redirection() || again.status().is_server_error());
    let payments = app.store.invoice_payments(id).await.unwrap();
    assert_eq!(payments.len(), 1, "one payment, however often the page is paid");
    assert_eq!(Pence(payments[0].amount_pence), instalments[0]);
    let account = app.store.invoice_account(id).await.unwrap();
    assert_eq!(account.balance(), total - instalments[0]);
    assert_eq!(account.status, "part_paid");

    // Next is the second instalment; then £12.34 of it, exactly.
    let (_, html) = parent.get_text(&pay).await;
    assert!(html.contains(&format!("Pay {} by card", instalments[1])) && html.contains("instalment 2"));
    paid_on_hosted_page(&parent, &pay, "12.34").await;
    let account = app.store.invoice_account(id).await.unwrap();
    assert_eq!(account.balance(), total - instalments[0] - Pence(1_234));
    let (_, html) = parent.get_text(&pay).await;
    assert!(
        html.contains(&format!("Pay {} by card", instalments[1] - Pence(1_234))),
        "the rest of instalment 2, to the penny: {html}"
    );
    // The rest of the balance at once; then nothing is left.
    let rest = account.balance().to_pounds_string();
    paid_on_hosted_page(&parent, &pay, &rest).await;
    let account = app.store.invoice_account(id).await.unwrap();
    assert_eq!(account.balance(), Pence::ZERO);
    assert_eq!(account.status, "paid");
    let sum: i64 = app
        .store
        .invoice_payments(id)
        .await
        .unwrap()
        .iter()
        .map(|p| p.amount_pence)
        .sum();
    assert_eq!(Pence(sum), total);
    let (_, html) = parent.get_text(&pay).await;
    assert!(html.contains("Nothing is left to pay on this invoice."));
    assert!(refused(&parent, &pay, "1.00").await.contains("has nothing left to pay"));
    // The other family's invoice is untouched.
    assert!(app.store.invoice_payments(their_id).await.unwrap().is_empty());
    assert!(
        app.store
            .invoice_document(id)
            .await
            .unwrap()
            .instalments
            .iter()
            .all(|i| i.status == "paid")
    );
}

/// Posts `amount` on the pay page: refused with 422 and the page again, which it returns.
async fn refused(parent: &Browser, pay: &str, amount: &str) -> String {
    let r = parent.submit(pay, pay, &[("amount", amount)]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{amount}");
    r.text().await.unwrap()
}

/// Pays `amount` on the invoice's pay page through the test mode's hosted page; returns it.
async fn paid_on_hosted_page(parent: &Browser, pay: &str, amount: &str) -> String {
    let r = parent.submit(pay, pay, &[("amount", amount)]).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{amount}: {}",
        r.text().await.unwrap()
    );
    let hosted = location(&r);
    assert!(hosted.starts_with("/pay/test/"), "{hosted}");
    let r = parent.submit(&hosted, &format!("{hosted}/pay"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = parent.get_text(&location(&r)).await;
    assert!(html.contains("Thank you: payment received"), "{html}");
    hosted
}
