//! Payments through the store on both backends: provider events applied once, donations and
//! the basket, payments and refunds against invoices, reminders once per instalment, the
//! missed-instalment rule, Direct Debit collection files, agreements and lesson credits.
use sea_orm::{ConnectionTrait, Statement};
use time::macros::date;
use tutti_domain::Pence;
use tutti_domain::calendar::{AcademicYear, TermId};
use tutti_domain::clock::Clock;
use tutti_domain::payments::{AccountNumber, PaymentMethod, SortCode};
use tutti_domain::validate::Postcode;
use tutti_store::demo::DemoSize;
use tutti_store::money::payments::EventOutcome;
use tutti_store::money::payments::agreements::AgreementInput;
use tutti_store::money::payments::basket::{DonationInput, GiftAidDeclaration};
use tutti_store::money::payments::collections::MandateInput;
use tutti_store::money::payments::invoices::PaymentInput;
use tutti_store::money::payments::provider::{EventKind, ProviderEvent};
use tutti_store::platform::audit::Actor;
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, StoreError, on_both_backends};

on_both_backends!(
    a_paid_checkout_is_applied_once,
    payments_move_the_balance_and_overpayment_is_refused,
    reminders_go_once_and_a_missed_instalment_makes_the_balance_due,
    direct_debit_collections_list_due_instalments_of_mandated_payers,
    agreements_split_and_journal_only_council_schools,
    lessons_the_hub_missed_become_credits_once,
    a_billing_run_s_invoices_are_paid_reminded_and_collected
);

async fn store(backend: TestBackend) -> Option<(Store, TestDatabase)> {
    let db = TestDatabase::create(backend).await?;
    let store = Store::connect(&db.url)
        .await
        .unwrap()
        .with_clock(Clock::on(date!(2026 - 09 - 16)));
    store.migrate().await.unwrap();
    store.seed_demo(1, DemoSize::SMALL).await.unwrap();
    Some((store, db))
}

async fn sql(store: &Store, text: &str) {
    store.conn().execute_unprepared(text).await.unwrap();
}

async fn scalar(store: &Store, text: &str) -> i64 {
    let row = store
        .conn()
        .query_one_raw(Statement::from_string(
            store.conn().get_database_backend(),
            text.to_owned(),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

/// An issued invoice of `total` to guardian 1 for autumn 2026, with `instalments` equal
/// instalments due on the 15th from 15 October; returns its id.
async fn invoice(store: &Store, number: &str, total: i64, instalments: i64) -> i64 {
    sql(
        store,
        "INSERT INTO billing_runs (term, started_at, finished_at, invoices_created, lines_created, total_pence) \
         VALUES ('2026-autumn', '2026-09-01 10:00:00+00:00', '2026-09-01 10:00:01+00:00', 1, 1, 0)",
    )
    .await;
    let run = scalar(store, "SELECT MAX(id) FROM billing_runs").await;
    sql(
        store,
        &format!(
            "INSERT INTO invoices (number, billing_run_id, payer_kind, payer_id, payer_name, term, kind, issued_on, \
             total_pence, status, created_at) VALUES ('{number}', {run}, 'parent', 1, 'A parent', '2026-autumn', \
             'original', '2026-09-01', {total}, 'issued', '2026-09-01 10:00:00+00:00')"
        ),
    )
    .await;
    let id = scalar(store, &format!("SELECT id FROM invoices WHERE number = '{number}'")).await;
    for n in 1..=instalments {
        let month = 9 + n;
        let amount = total / instalments + if n <= total % instalments { 1 } else { 0 };
        sql(
            store,
            &format!(
                "INSERT INTO instalments (invoice_id, number, due_on, amount_pence, status) \
                 VALUES ({id}, {n}, '2026-{month:02}-15', {amount}, 'due')"
            ),
        )
        .await;
    }
    id
}

fn payment(method: PaymentMethod, pence: i64) -> PaymentInput {
    PaymentInput {
        method,
        amount: Pence(pence),
        reference: "ref".into(),
        received_on: date!(2026 - 10 - 01),
    }
}

async fn a_paid_checkout_is_applied_once(backend: TestBackend) {
    let Some((store, _db)) = store(backend).await else {
        return;
    };
    let user = scalar(&store, "SELECT id FROM users WHERE email = 'parent@demo.test'").await;
    let bad = DonationInput {
        amount: Pence(0),
        gift_aid: None,
    };
    assert!(matches!(
        store.add_donation(&Actor::cli(), user, &bad).await,
        Err(StoreError::Refused(_))
    ));
    let donation = DonationInput {
        amount: Pence(2_500),
        gift_aid: Some(GiftAidDeclaration {
            name: "Ann Donor".into(),
            home_address: "1 Market Place, Durham".into(),
            postcode: Postcode::parse("dh1 3le").unwrap(),
        }),
    };
    let donation_id = store.add_donation(&Actor::cli(), user, &donation).await.unwrap();
    let basket = store.basket(user).await.unwrap();
    assert_eq!(basket.len(), 1);
    assert_eq!(basket[0].description, "Donation of £25.00 with Gift Aid");

    let checkout = store.open_checkout(user, "test").await.unwrap();
    assert_eq!(checkout.amount_pence, 2_500);
    store.set_checkout_session(checkout.id, "cs_1").await.unwrap();

    let completed = |id: &str, amount: i64| ProviderEvent {
        id: id.into(),
        kind: EventKind::CheckoutCompleted {
            session_id: "cs_1".into(),
            reference: checkout.reference.clone(),
            amount: Pence(amount),
        },
    };
    // A wrong amount is not this checkout's payment.
    assert_eq!(
        store
            .apply_provider_event("test", &completed("evt_0", 1))
            .await
            .unwrap(),
        EventOutcome::Ignored
    );
    assert_eq!(
        store
            .apply_provider_event("test", &completed("evt_1", 2_500))
            .await
            .unwrap(),
        EventOutcome::Paid
    );
    assert_eq!(
        store
            .apply_provider_event("test", &completed("evt_1", 2_500))
            .await
            .unwrap(),
        EventOutcome::Duplicate,
        "a replayed event changes nothing"
    );
    assert_eq!(
        store
            .apply_provider_event("test", &completed("evt_2", 2_500))
            .await
            .unwrap(),
        EventOutcome::AlreadyPaid,
        "a second notification of the same payment changes nothing"
    );
    assert_eq!(store.provider_event_count().await.unwrap(), 3);
    assert!(store.basket(user).await.unwrap().is_empty());
    let paid = store.paid_donations().await.unwrap();
    assert_eq!(paid.len(), 1);
    assert_eq!(paid[0].id, donation_id);
    assert!(paid[0].gift_aid);
    assert_eq!(paid[0].postcode, "DH1 3LE");
    assert_eq!(
        store
            .checkout_by_reference(&checkout.reference)
            .await
            .unwrap()
            .unwrap()
            .status,
        "paid"
    );
    assert!(matches!(
        store.open_checkout(user, "test").await,
        Err(StoreError::Refused(_))
    ));

    // Two checkouts for one basket, the older one paid: the money is recorded and flagged for
    // the office; the basket stays with the newer checkout.
    store.add_donation(&Actor::cli(), user, &donation).await.unwrap();
    let older = store.open_checkout(user, "test").await.unwrap();
    store.set_checkout_session(older.id, "cs_old").await.unwrap();
    let newer = store.open_checkout(user, "test").await.unwrap();
    store.set_checkout_session(newer.id, "cs_new").await.unwrap();
    let pay = |id: &str, session: &str, reference: &str| ProviderEvent {
        id: id.into(),
        kind: EventKind::CheckoutCompleted {
            session_id: session.into(),
            reference: reference.into(),
            amount: Pence(2_500),
        },
    };
    let outcome = store
        .apply_provider_event("test", &pay("evt_old", "cs_old", &older.reference))
        .await
        .unwrap();
    assert_eq!(outcome, EventOutcome::Paid);
    assert_eq!(store.basket(user).await.unwrap().len(), 1);
    assert_eq!(
        scalar(
            &store,
            "SELECT COUNT(*) FROM audit_events WHERE summary LIKE '%allocate or refund it'"
        )
        .await,
        1
    );
    store
        .apply_provider_event("test", &pay("evt_new", "cs_new", &newer.reference))
        .await
        .unwrap();
    assert!(store.basket(user).await.unwrap().is_empty());
}

async fn payments_move_the_balance_and_overpayment_is_refused(backend: TestBackend) {
    let Some((store, _db)) = store(backend).await else {
        return;
    };
    let id = invoice(&store, "T-100", 8_025, 0).await;
    let acc = store
        .record_payment(&Actor::cli(), id, &payment(PaymentMethod::Cheque, 3_000))
        .await
        .unwrap();
    assert_eq!((acc.status.as_str(), acc.balance()), ("part_paid", Pence(5_025)));
    let Err(StoreError::Refused(message)) = store
        .record_payment(&Actor::cli(), id, &payment(PaymentMethod::Cash, 5_026))
        .await
    else {
        panic!("an overpayment must be refused")
    };
    assert!(
        message
            .to_string()
            .contains("more than the £50.25 left to pay on invoice T-100"),
        "{message}"
    );
    let acc = store
        .record_payment(&Actor::cli(), id, &payment(PaymentMethod::BankTransfer, 5_025))
        .await
        .unwrap();
    assert_eq!((acc.status.as_str(), acc.balance()), ("paid", Pence::ZERO));
    assert!(
        store
            .record_refund(&Actor::cli(), id, &payment(PaymentMethod::BankTransfer, 9_000))
            .await
            .is_err(),
        "a refund is never more than was paid"
    );
    let acc = store
        .record_refund(&Actor::cli(), id, &payment(PaymentMethod::BankTransfer, 1_000))
        .await
        .unwrap();
    assert_eq!((acc.status.as_str(), acc.balance()), ("part_paid", Pence(1_000)));
    let moves = store.invoice_payments(id).await.unwrap();
    assert_eq!(
        moves.iter().map(|m| m.amount_pence).collect::<Vec<_>>(),
        vec![3_000, 5_025, -1_000]
    );
    assert_eq!(
        scalar(&store, "SELECT COUNT(*) FROM audit_events WHERE entity = 'payment'").await,
        3
    );
}

async fn reminders_go_once_and_a_missed_instalment_makes_the_balance_due(backend: TestBackend) {
    let Some((store, _db)) = store(backend).await else {
        return;
    };
    sql(&store, "UPDATE guardians SET email = 'payer@example.com' WHERE id = 1").await;
    let id = invoice(&store, "T-200", 10_000, 3).await;
    let actor = Actor::cli();
    let mail = "SELECT COUNT(*) FROM outbox WHERE to_address = 'payer@example.com'";

    let early = store
        .send_instalment_reminders(&actor, date!(2026 - 10 - 01), "Hub")
        .await
        .unwrap();
    assert_eq!(early.reminders, 0, "too early for a reminder");
    let r = store
        .send_instalment_reminders(&actor, date!(2026 - 10 - 10), "Hub")
        .await
        .unwrap();
    assert_eq!(r.reminders, 1);
    let again = store
        .send_instalment_reminders(&actor, date!(2026 - 10 - 12), "Hub")
        .await
        .unwrap();
    assert_eq!(again.reminders, 0, "each instalment is reminded once");
    assert_eq!(scalar(&store, mail).await, 1);

    // Paid on time: the next reminder is for instalment 2.
    store
        .record_payment(&actor, id, &payment(PaymentMethod::Card, 3_334))
        .await
        .unwrap();
    let r = store
        .send_instalment_reminders(&actor, date!(2026 - 11 - 09), "Hub")
        .await
        .unwrap();
    assert_eq!(r.reminders, 1);
    assert_eq!(scalar(&store, mail).await, 2);

    // Instalment 2 missed: all cancelled, the whole balance due, said once.
    let r = store
        .send_instalment_reminders(&actor, date!(2026 - 11 - 16), "Hub")
        .await
        .unwrap();
    assert_eq!(r.collapsed, 1);
    assert_eq!(
        scalar(
            &store,
            &format!("SELECT COUNT(*) FROM instalments WHERE invoice_id = {id} AND status = 'cancelled'")
        )
        .await,
        3
    );
    let r = store
        .send_instalment_reminders(&actor, date!(2026 - 11 - 17), "Hub")
        .await
        .unwrap();
    assert_eq!((r.collapsed, r.reminders), (0, 0));
    assert_eq!(scalar(&store, mail).await, 3);
    let (messages, _) = store.outbox_page(Some("payer@example.com"), 1, 10).await.unwrap();
    assert!(messages[0].subject.contains("whole balance is now due"));
    assert!(messages[0].body.contains("£66.66"), "{}", messages[0].body);
}

async fn direct_debit_collections_list_due_instalments_of_mandated_payers(backend: TestBackend) {
    let Some((store, _db)) = store(backend).await else {
        return;
    };
    let id = invoice(&store, "T-300", 9_000, 3).await;
    let actor = Actor::cli();
    let mandate = MandateInput {
        payer_kind: "parent".into(),
        payer_id: 1,
        account_name: "Ann Parent".into(),
        sort_code: SortCode::parse("20-00-00").unwrap(),
        account_number: AccountNumber::parse("55779911").unwrap(),
        reference: "TUTTI-000001".into(),
    };
    store.create_mandate(&actor, &mandate).await.unwrap();
    assert!(matches!(
        store.create_mandate(&actor, &mandate).await,
        Err(StoreError::Refused(r)) if r.is_conflict()
    ));
    assert_eq!(store.mandates().await.unwrap()[0].account_number, "****9911");
    // A payer with no mandate is not collected.
    invoice(&store, "T-301", 5_000, 2).await;
    sql(&store, "UPDATE invoices SET payer_id = 2 WHERE number = 'T-301'").await;

    let file = store.dd_collection_file(&actor, date!(2026 - 10 - 15)).await.unwrap();
    let lines: Vec<&str> = file.lines().collect();
    assert_eq!(
        lines[0],
        "sort_code,account_number,account_name,reference,amount_pence,transaction_code,collection_date"
    );
    assert_eq!(lines[1], "200000,55779911,ANN PARENT,TUTTI-000001,3000,17,2026-10-15");
    assert_eq!(lines.len(), 2, "{file}");

    store
        .record_payment(&actor, id, &payment(PaymentMethod::DirectDebit, 3_000))
        .await
        .unwrap();
    let file = store.dd_collection_file(&actor, date!(2026 - 11 - 15)).await.unwrap();
    assert!(file.contains(",3000,17,2026-11-15"), "{file}");
}

async fn agreements_split_and_journal_only_council_schools(backend: TestBackend) {
    let Some((store, _db)) = store(backend).await else {
        return;
    };
    sql(&store, "UPDATE schools SET billing = 'internal-journal' WHERE id = 1").await;
    sql(&store, "UPDATE schools SET billing = 'invoice' WHERE id = 2").await;
    let actor = Actor::cli();
    let year = AcademicYear::starting(2026);
    let input = |school_id, sessions| AgreementInput {
        school_id,
        year,
        programme: "Whole-class ukulele".into(),
        annual_cost: Pence(300_001),
        sessions,
    };
    assert!(matches!(
        store.create_agreement(&actor, &input(1, 29)).await,
        Err(StoreError::Refused(_))
    ));
    let a = store.create_agreement(&actor, &input(1, 30)).await.unwrap();
    assert_eq!(a.billing, "internal-journal");
    assert!(matches!(
        store.create_agreement(&actor, &input(1, 30)).await,
        Err(StoreError::Refused(r)) if r.is_conflict()
    ));
    store.create_agreement(&actor, &input(2, 36)).await.unwrap();
    assert_eq!(store.agreements(year).await.unwrap().len(), 2);

    let mut total = 0;
    for term in year.terms() {
        let csv = store.journal_export(&actor, term).await.unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 2, "only the journal school: {csv}");
        total += lines[1].rsplit(',').next().unwrap().parse::<i64>().unwrap();
    }
    assert_eq!(total, 300_001, "the three terms add up to the annual cost");
    let autumn = store
        .journal_export(&actor, TermId::parse("2026-autumn").unwrap())
        .await
        .unwrap();
    assert!(autumn.contains(",1020.01,102001"), "{autumn}");
}

async fn lessons_the_hub_missed_become_credits_once(backend: TestBackend) {
    let Some((store, _db)) = store(backend).await else {
        return;
    };
    let id = invoice(&store, "T-400", 5_350, 0).await;
    let group = scalar(&store, "SELECT MIN(group_id) FROM group_members").await;
    let enrolment = scalar(
        &store,
        &format!("SELECT MIN(enrolment_id) FROM group_members WHERE group_id = {group}"),
    )
    .await;
    let pupil = scalar(
        &store,
        &format!("SELECT pupil_id FROM enrolments WHERE id = {enrolment}"),
    )
    .await;
    sql(
        &store,
        &format!("DELETE FROM group_members WHERE group_id = {group} AND enrolment_id <> {enrolment}"),
    )
    .await;
    sql(&store, &format!("DELETE FROM register_marks WHERE dated_lesson_id IN (SELECT id FROM dated_lessons WHERE group_id = {group})")).await;
    sql(&store, &format!("DELETE FROM dated_lessons WHERE group_id = {group}")).await;
    // Ten weekly lessons in autumn 2026; the hub missed the third.
    for week in 0..10 {
        let day = date!(2026 - 09 - 14) + time::Duration::weeks(week);
        let owed = week == 2;
        sql(
            &store,
            &format!(
                "INSERT INTO dated_lessons (group_id, day, start_minute, end_minute, status, owed_by_hub, note, updated_at) \
                 VALUES ({group}, '{day}', 540, 570, '{}', {owed}, '', '2026-09-01 10:00:00+00:00')",
                if owed { "teacher_absent" } else { "given" }
            ),
        )
        .await;
    }
    sql(
        &store,
        &format!(
            "INSERT INTO invoice_lines (invoice_id, pupil_id, term, charge_kind, subject_id, description, rule, amount_pence) \
             VALUES ({id}, {pupil}, '2026-autumn', 'tuition', {enrolment}, 'Violin', 'Standard group fee', 5350)"
        ),
    )
    .await;
    let term = TermId::parse("2026-autumn").unwrap();
    let r = store.credit_missed_lessons(&Actor::cli(), term).await.unwrap();
    assert_eq!((r.credits, r.total_pence), (1, 535));
    let again = store.credit_missed_lessons(&Actor::cli(), term).await.unwrap();
    assert_eq!(again.credits, 0, "a lesson is credited once");
    let acc = store.invoice_account(id).await.unwrap();
    assert_eq!(acc.balance(), Pence(4_815));
    let moves = store.invoice_payments(id).await.unwrap();
    assert_eq!(moves[0].kind, "credit");
    assert!(
        moves[0].reference.contains("1/10 of the term's fee"),
        "{}",
        moves[0].reference
    );
}

/// The billing run's own invoices: paid in part and in full, reminded, and collected.
async fn a_billing_run_s_invoices_are_paid_reminded_and_collected(backend: TestBackend) {
    let Some((store, _db)) = store(backend).await else {
        return;
    };
    let actor = Actor::cli();
    let term = TermId::parse("2026-autumn").unwrap();
    let report = store.run_billing(&actor, term, false, &|_| {}).await.unwrap();
    assert!(report.invoice_count > 0, "the demo hub bills someone");
    let planned = scalar(
        &store,
        "SELECT COUNT(DISTINCT invoice_id) FROM instalments WHERE status = 'due'",
    )
    .await;
    let id = scalar(&store, "SELECT MIN(invoice_id) FROM instalments").await;
    let acc = store.invoice_account(id).await.unwrap();
    assert_eq!(acc.status, "issued");
    let first = scalar(
        &store,
        &format!("SELECT amount_pence FROM instalments WHERE invoice_id = {id} AND number = 1"),
    )
    .await;
    let acc = store
        .record_payment(&actor, id, &payment(PaymentMethod::BankTransfer, first))
        .await
        .unwrap();
    assert_eq!(acc.status, "part_paid");
    assert!(
        store
            .record_payment(&actor, id, &payment(PaymentMethod::Cash, acc.balance().0 + 1))
            .await
            .is_err()
    );
    let acc = store
        .record_payment(&actor, id, &payment(PaymentMethod::Cash, acc.balance().0))
        .await
        .unwrap();
    assert_eq!((acc.status.as_str(), acc.balance()), ("paid", Pence::ZERO));
    assert_eq!(
        scalar(
            &store,
            &format!("SELECT COUNT(*) FROM instalments WHERE invoice_id = {id} AND status <> 'paid'")
        )
        .await,
        0
    );
    // A paid invoice is neither reminded nor collapsed; a second billing run changes nothing paid.
    let first_due: time::Date = {
        let row = store
            .conn()
            .query_one_raw(Statement::from_string(
                store.conn().get_database_backend(),
                "SELECT MIN(due_on) AS d FROM instalments WHERE status = 'due'".to_owned(),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get("", "d").unwrap()
    };
    let r = store
        .send_instalment_reminders(&actor, first_due - time::Duration::days(3), "Hub")
        .await
        .unwrap();
    assert!(r.reminders + r.no_address > 0, "{r:?}");
    assert!(
        (r.reminders as i64 + r.no_address as i64) < planned,
        "never the paid invoice"
    );
    let again = store
        .send_instalment_reminders(&actor, first_due - time::Duration::days(2), "Hub")
        .await
        .unwrap();
    assert_eq!(again.reminders, 0);
    store.run_billing(&actor, term, false, &|_| {}).await.unwrap();
    assert_eq!(store.invoice_account(id).await.unwrap().status, "paid");
}
