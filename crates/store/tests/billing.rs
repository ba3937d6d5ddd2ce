//! Billing through the store on both backends: the schema's guarantees, policies by year,
//! and runs (dry, committed, repeated, supplementary, school-paid, hire).
use sea_orm::{ConnectionTrait, FromQueryResult, Statement};
use tutti_domain::Pence;
use tutti_domain::billing::PayerKey;
use tutti_domain::calendar::{AcademicYear, TermId};
use tutti_domain::charging::ChargingPolicy;
use tutti_store::demo::DemoSize;
use tutti_store::listing::ListQuery;
use tutti_store::money::billing::RunProgress;
use tutti_store::money::billing::invoices::InvoiceFilter;
use tutti_store::money::payments::agreements::AgreementInput;
use tutti_store::platform::audit::Actor;
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, StoreError, on_both_backends};

on_both_backends!(
    a_pupil_cannot_be_billed_twice_for_one_term_and_charge,
    policies_are_kept_per_year_and_checked,
    a_run_bills_each_payer_once_and_never_again,
    agreements_with_invoice_schools_are_invoiced_once_a_term,
    what_a_run_writes_reads_back_as_planned,
    every_reference_from_a_run_is_held,
);

async fn store(backend: TestBackend) -> Option<(Store, TestDatabase)> {
    let db = TestDatabase::create(backend).await?;
    // A day of the autumn term of 2026, whatever the real date: the demo seeds that year.
    let store = Store::connect(&db.url)
        .await
        .unwrap()
        .with_clock(tutti_domain::clock::Clock::on(time::macros::date!(2026 - 09 - 16)));
    store.migrate().await.unwrap();
    store.seed_demo(1, DemoSize::SMALL).await.unwrap();
    Some((store, db))
}

fn autumn() -> TermId {
    TermId::parse("2026-autumn").unwrap()
}

async fn exec(store: &Store, sql: &str) {
    store.conn().execute_unprepared(sql).await.unwrap();
}

async fn count(store: &Store, sql: &str) -> i64 {
    #[derive(FromQueryResult)]
    struct N {
        n: i64,
    }
    let backend = store.conn().get_database_backend();
    N::find_by_statement(Statement::from_string(backend, sql.to_owned()))
        .one(store.conn())
        .await
        .unwrap()
        .unwrap()
        .n
}

/// Every invoice in the list (the tests' hubs have far fewer than a page of 200).
async fn all_invoices(store: &Store) -> Vec<tutti_store::money::billing::invoices::InvoiceSummary> {
    store
        .invoices(
            &InvoiceFilter::default(),
            &ListQuery {
                per_page: 200,
                ..ListQuery::default()
            },
        )
        .await
        .unwrap()
        .rows
}

/// Everything a committed invoice holds, as text, to compare before and after.
async fn committed(store: &Store) -> Vec<String> {
    let mut out = Vec::new();
    for summary in all_invoices(store).await {
        out.push(format!("{:?}", store.invoice(summary.id).await.unwrap()));
    }
    out
}

/// Each statement is refused whole, with nothing written, when a row it writes refers to a
/// missing run, invoice or pupil, or when it deletes a row still referred to. On PostgreSQL
/// these are the per-statement triggers of decision 0061, on SQLite foreign keys.
async fn every_reference_from_a_run_is_held(backend: TestBackend) {
    let Some((store, _db)) = store(backend).await else {
        return;
    };
    let report = store
        .run_billing(&Actor::cli(), autumn(), false, &|_| {})
        .await
        .unwrap();
    let run = report.run_id.unwrap();
    let invoice = all_invoices(&store).await[0].id;
    let pupil = count(
        &store,
        &format!("SELECT MIN(pupil_id) AS n FROM invoice_lines WHERE invoice_id = {invoice}"),
    )
    .await;
    let missing = 1_000_000_000;
    // A pupil with nothing but an invoice line, so only that line holds them.
    let mut input = store.pupil_input(pupil).await.unwrap().unwrap();
    input.row.pupil_ref = "LONE-1".to_owned();
    input.row.guardian_name = None;
    input.row.guardian_email = None;
    input.row.guardian_phone = None;
    let lone = store.create_pupil(&Actor::cli(), &input).await.unwrap();
    let tables = "SELECT (SELECT COUNT(*) FROM billing_runs) * 1000000000000 + (SELECT COUNT(*) FROM invoices) * 100000000 \
                  + (SELECT COUNT(*) FROM invoice_lines) * 10000 + (SELECT COUNT(*) FROM instalments) AS n";
    let invoice_row = |run: i64, number: &str| {
        format!(
            "INSERT INTO invoices (number, billing_run_id, payer_kind, payer_id, payer_name, term, kind, issued_on, total_pence, status, created_at) \
             VALUES ('{number}', {run}, 'parent', 1, 'A parent', '2027-spring', 'original', '2027-01-05', 100, 'issued', '2027-01-05 10:00:00+00:00')"
        )
    };
    let line_rows = |rows: &[(i64, i64)]| {
        let values: Vec<String> = rows
            .iter()
            .enumerate()
            .map(|(i, (invoice, pupil))| {
                format!(
                    "({invoice}, {pupil}, '2027-spring', 'tuition', {}, 'Violin', 'Standard group fee', 100)",
                    900_000 + i
                )
            })
            .collect();
        format!(
            "INSERT INTO invoice_lines (invoice_id, pupil_id, term, charge_kind, subject_id, description, rule, amount_pence) VALUES {}",
            values.join(", ")
        )
    };
    let instalment_row = |invoice: i64| {
        format!(
            "INSERT INTO instalments (invoice_id, number, due_on, amount_pence, status) VALUES ({invoice}, 9, '2027-01-15', 100, 'due')"
        )
    };
    exec(&store, &line_rows(&[(invoice, lone)])).await;
    let before = count(&store, tables).await;
    let refused = [
        invoice_row(missing, "R-1"),
        // One good row and one bad: the statement goes whole or not at all.
        line_rows(&[(invoice, pupil), (missing, pupil)]),
        line_rows(&[(invoice, pupil), (invoice, missing)]),
        instalment_row(missing),
        format!("UPDATE invoice_lines SET pupil_id = {missing} WHERE invoice_id = {invoice}"),
        format!("UPDATE instalments SET invoice_id = {missing} WHERE invoice_id = {invoice}"),
        format!("UPDATE invoices SET billing_run_id = {missing} WHERE id = {invoice}"),
        format!("DELETE FROM billing_runs WHERE id = {run}"),
        format!("DELETE FROM invoices WHERE id = {invoice}"),
        format!("DELETE FROM pupils WHERE id = {lone}"),
    ];
    for sql in &refused {
        let error = store.conn().execute_unprepared(sql).await.err();
        let Some(error) = error else {
            panic!("{backend:?} accepted: {sql}");
        };
        if backend == TestBackend::Postgres {
            assert!(
                error.to_string().contains("violates foreign key constraint"),
                "{sql}: {error}"
            );
        }
        assert_eq!(count(&store, tables).await, before, "{sql} changed something");
    }
    // The same statements with every reference present are taken.
    exec(&store, &invoice_row(run, "R-2")).await;
    exec(&store, &line_rows(&[(invoice, pupil)])).await;
    exec(&store, &instalment_row(invoice)).await;
    assert_eq!(count(&store, tables).await, before + 100_000_000 + 10_000 + 1);
    // A parent no longer referred to can go.
    exec(&store, "DELETE FROM invoices WHERE number = 'R-2'").await;
}

async fn a_pupil_cannot_be_billed_twice_for_one_term_and_charge(backend: TestBackend) {
    let Some((store, _db)) = store(backend).await else {
        return;
    };
    exec(
        &store,
        "INSERT INTO billing_runs (term, started_at, finished_at, invoices_created, lines_created, total_pence) \
         VALUES ('2026-autumn', '2026-09-01 10:00:00+00:00', '2026-09-01 10:00:01+00:00', 1, 1, 5350)",
    )
    .await;
    exec(
        &store,
        "INSERT INTO invoices (number, billing_run_id, payer_kind, payer_id, payer_name, term, kind, issued_on, total_pence, status, created_at) \
         VALUES ('T-1', 1, 'parent', 1, 'A parent', '2026-autumn', 'original', '2026-09-01', 5350, 'issued', '2026-09-01 10:00:00+00:00')",
    )
    .await;
    let line = "INSERT INTO invoice_lines (invoice_id, pupil_id, term, charge_kind, subject_id, description, rule, amount_pence) \
                VALUES (1, 1, '2026-autumn', 'tuition', 1, 'Violin', 'Standard group fee', 5350)";
    exec(&store, line).await;
    assert!(
        store.conn().execute_unprepared(line).await.is_err(),
        "the second line must be refused"
    );
    // A later run sees the line as billed and does not bill it again.
    let report = store
        .run_billing(&Actor::cli(), autumn(), false, &|_| {})
        .await
        .unwrap();
    assert!(report.run_id.is_some());
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) AS n FROM invoice_lines WHERE pupil_id = 1 AND subject_id = 1 AND charge_kind = 'tuition'"
        )
        .await,
        1
    );
}

async fn policies_are_kept_per_year_and_checked(backend: TestBackend) {
    let Some((store, _db)) = store(backend).await else {
        return;
    };
    let year = AcademicYear::starting(2026);
    // The demo saved the year's policy from the default figures, named for the hub.
    let seeded = store.charging_policy(year).await.unwrap();
    assert_eq!(seeded.revision, 1);
    assert_eq!(seeded.policy, ChargingPolicy::starting("Durham Music Service", year));
    assert_eq!(seeded.policy.name, "Durham Music Service 2026-27");
    // Until one is saved, another year has the default figures, unsaved.
    let later = store.charging_policy(year.next()).await.unwrap();
    assert_eq!(later.revision, 0);
    assert_eq!(
        later.policy,
        ChargingPolicy::starting("Durham Music Service", year.next())
    );

    let mut policy = ChargingPolicy::durham();
    policy.name = "Durham 2026-27".into();
    policy.standard_fee = Pence(5_600);
    assert_eq!(
        store.save_charging_policy(&Actor::cli(), year, &policy).await.unwrap(),
        2
    );
    policy.hire.per_term = Pence(1_800);
    assert_eq!(
        store.save_charging_policy(&Actor::cli(), year, &policy).await.unwrap(),
        3
    );
    let saved = store.charging_policy(year).await.unwrap();
    assert_eq!((saved.revision, &saved.policy), (3, &policy));
    assert_eq!(
        store.charging_policy(year.next()).await.unwrap().revision,
        0,
        "other years keep the default"
    );

    policy.instalments.due_day = 30;
    match store.save_charging_policy(&Actor::cli(), year, &policy).await {
        Err(StoreError::Refused(text)) => assert!(text.to_string().contains("instalments.due_day"), "{text}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(
        store.charging_policy(year).await.unwrap().revision,
        3,
        "a refused policy changes nothing"
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) AS n FROM audit_events WHERE entity = 'charging_policy'"
        )
        .await,
        3
    );
}

async fn a_run_bills_each_payer_once_and_never_again(backend: TestBackend) {
    let Some((store, _db)) = store(backend).await else {
        return;
    };
    let actor = Actor::cli();
    // One pupil's lessons are paid by the school; another hires a cello.
    exec(&store, "UPDATE enrolments SET payer = 'school' WHERE id = 2").await;
    exec(
        &store,
        "INSERT INTO instruments (serial, instrument_type, make, model, location, status, created_at, updated_at) \
         VALUES ('VC-1', 'cello', 'Stentor', 'Student', 'store', 'available', '2026-09-01 10:00:00+00:00', '2026-09-01 10:00:00+00:00')",
    )
    .await;
    store
        .lend_instrument(
            &actor,
            &tutti_store::records::loans::NewLoan {
                instrument_id: 1,
                pupil_id: 3,
                from: time::macros::date!(2026 - 09 - 01),
                due: None,
                agreement_on_paper: false,
            },
        )
        .await
        .unwrap();

    let dry = store.run_billing(&actor, autumn(), true, &|_| {}).await.unwrap();
    assert!(dry.invoice_count > 0 && dry.run_id.is_none());
    assert_eq!(
        count(&store, "SELECT COUNT(*) AS n FROM invoices").await,
        0,
        "a dry run writes nothing"
    );

    let stages = std::sync::Mutex::new(Vec::new());
    let first = store
        .run_billing(&actor, autumn(), false, &|p| stages.lock().unwrap().push(p))
        .await
        .unwrap();
    assert_eq!(
        first.invoice_count, dry.invoice_count,
        "the preview is what the run does"
    );
    assert_eq!(first.total_pence, dry.total_pence);
    let stages = stages.into_inner().unwrap();
    assert_eq!(stages.first(), Some(&RunProgress::Reading));
    assert_eq!(stages.last(), Some(&RunProgress::Done));
    assert!(stages.iter().any(|s| matches!(s, RunProgress::Writing { .. })));

    // Every invoice adds up, every parent's instalments add up, one invoice per payer.
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) AS n FROM invoices i WHERE i.total_pence <> (SELECT SUM(amount_pence) FROM invoice_lines l WHERE l.invoice_id = i.id)"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) AS n FROM invoices i WHERE i.payer_kind = 'parent' AND i.total_pence > 0 AND i.total_pence <> \
             (SELECT SUM(amount_pence) FROM instalments n WHERE n.invoice_id = i.id)"
        )
        .await,
        0
    );
    assert_eq!(
        count(&store, "SELECT COUNT(*) AS n FROM (SELECT payer_kind, payer_id FROM invoices GROUP BY payer_kind, payer_id HAVING COUNT(*) > 1) d").await,
        0
    );
    assert_eq!(
        count(&store, "SELECT COUNT(*) AS n FROM invoices WHERE payer_kind = 'school'").await,
        1
    );
    assert_eq!(
        count(&store, "SELECT COUNT(*) AS n FROM invoice_lines WHERE charge_kind = 'instrument_hire' AND pupil_id = 3 AND amount_pence = 1500").await,
        1
    );
    let school_invoice = first
        .plan
        .invoices
        .iter()
        .find(|i| matches!(i.payer, PayerKey::School(_)))
        .unwrap();
    assert!(school_invoice.lines[0].rule.contains("paid by the school"));

    // A second run creates nothing and changes nothing.
    let before = committed(&store).await;
    let again = store.run_billing(&actor, autumn(), false, &|_| {}).await.unwrap();
    assert_eq!((again.invoice_count, again.run_id), (0, None));
    assert_eq!(committed(&store).await, before);

    // An enrolment added later is billed by a later run, on a supplementary invoice.
    exec(
        &store,
        "INSERT INTO enrolments (pupil_id, instrument, lesson_type, minutes, start_date, status, created_at) \
         VALUES (1, 'Flute', 'individual', 30, '2026-09-20', 'active', '2026-09-20 10:00:00+00:00')",
    )
    .await;
    let later = store.run_billing(&actor, autumn(), false, &|_| {}).await.unwrap();
    assert_eq!(later.invoice_count, 1);
    assert_eq!(later.plan.invoices[0].kind.as_str(), "supplementary");
    assert_eq!(later.plan.invoices[0].lines.len(), 1);
    assert!(
        later.plan.invoices[0].lines[0]
            .description
            .starts_with("Flute individual")
    );
    let after = committed(&store).await;
    assert_eq!(&after[1..], &before[..], "the committed invoices are untouched");
    assert_eq!(count(&store, "SELECT COUNT(*) AS n FROM billing_runs").await, 2);
}

async fn agreements_with_invoice_schools_are_invoiced_once_a_term(backend: TestBackend) {
    let Some((store, _db)) = store(backend).await else {
        return;
    };
    let actor = Actor::cli();
    exec(&store, "UPDATE schools SET billing = 'internal-journal' WHERE id = 1").await;
    exec(&store, "UPDATE schools SET billing = 'invoice' WHERE id = 2").await;
    // School 2 also pays for one pupil's lessons, so its programme shares the term's invoice.
    exec(
        &store,
        "UPDATE enrolments SET payer = 'school' WHERE id = (SELECT MIN(e.id) FROM enrolments e \
         JOIN pupils p ON p.id = e.pupil_id WHERE p.school_id = 2 AND e.lesson_type <> 'whole-class')",
    )
    .await;
    let year = AcademicYear::starting(2026);
    let agreement = |school_id, programme: &str| AgreementInput {
        school_id,
        year,
        programme: programme.into(),
        annual_cost: Pence(300_001),
        sessions: 30,
    };
    store
        .create_agreement(&actor, &agreement(1, "Whole-class ukulele"))
        .await
        .unwrap();
    let ukulele = store
        .create_agreement(&actor, &agreement(2, "Whole-class ukulele"))
        .await
        .unwrap();
    let school_invoices = |term: TermId| InvoiceFilter {
        payer: Some(PayerKey::School(2)),
        term: Some(term.to_string()),
        ..InvoiceFilter::default()
    };

    let first = store.run_billing(&actor, autumn(), false, &|_| {}).await.unwrap();
    let json = first.to_json();
    let line = json["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["lines"].as_array().unwrap())
        .find(|l| l["charge"] == "wcet")
        .expect("the programme is in --json");
    assert_eq!(line["pupil_ref"], serde_json::Value::Null);
    assert_eq!(line["amount_pence"], 102_001);
    assert_eq!(line["description"], "Whole-class ukulele, Autumn 2026");
    assert_eq!(
        count(&store, "SELECT COUNT(*) AS n FROM agreement_invoice_lines").await,
        1,
        "only the school billed by invoice; the journal takes the other"
    );

    // One invoice for the school this term: its lessons and its programme, adding up.
    let page = store
        .invoices(&school_invoices(autumn()), &ListQuery::default())
        .await
        .unwrap();
    assert_eq!(page.rows.len(), 1, "{:?}", page.rows);
    let invoice = store.invoice(page.rows[0].id).await.unwrap();
    assert_eq!(invoice.summary.kind, "original");
    assert!(
        invoice.lines.iter().any(|l| l.charge_kind == "tuition"),
        "{:?}",
        invoice.lines
    );
    let programme = invoice.lines.iter().find(|l| l.charge_kind == "wcet").unwrap();
    assert_eq!(programme.amount_pence, 102_001);
    assert!(
        programme
            .rule
            .starts_with("34% of the annual cost £3,000.01 (split 34% autumn"),
        "{}",
        programme.rule
    );
    assert_eq!(
        invoice.lines.iter().map(|l| l.amount_pence).sum::<i64>(),
        invoice.summary.total_pence
    );
    assert!(invoice.instalments.is_empty(), "schools pay in full");
    let document = store.invoice_document(invoice.summary.id).await.unwrap();
    assert!(
        document
            .lines
            .iter()
            .any(|l| l.description == "Whole-class ukulele, Autumn 2026")
    );

    // A second run creates nothing; a later agreement goes on a supplementary invoice.
    let before = committed(&store).await;
    let again = store.run_billing(&actor, autumn(), false, &|_| {}).await.unwrap();
    assert_eq!((again.invoice_count, again.run_id), (0, None));
    assert_eq!(committed(&store).await, before);
    store
        .create_agreement(&actor, &agreement(2, "Whole-class brass"))
        .await
        .unwrap();
    let later = store.run_billing(&actor, autumn(), false, &|_| {}).await.unwrap();
    assert_eq!(later.invoice_count, 1);
    let supplementary = &later.plan.invoices[0];
    assert_eq!(supplementary.kind.as_str(), "supplementary");
    assert_eq!(supplementary.lines.len(), 1);
    assert_eq!(supplementary.total_pence, Pence(102_001));
    let after = committed(&store).await;
    assert_eq!(&after[1..], &before[..], "the committed invoices are untouched");

    // Each term takes its share: the three add up to the annual cost.
    let terms = year.terms();
    for term in &terms[1..] {
        store.run_billing(&actor, *term, false, &|_| {}).await.unwrap();
    }
    assert_eq!(
        count(
            &store,
            &format!(
                "SELECT CAST(SUM(amount_pence) AS BIGINT) AS n FROM agreement_invoice_lines WHERE agreement_id = {}",
                ukulele.id
            )
        )
        .await,
        300_001
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) AS n FROM invoices WHERE payer_kind = 'school' AND payer_id = 1"
        )
        .await,
        0,
        "the journal school is not invoiced"
    );
}

/// Rows travel to the database as JSON text (decision 0060): names with quotes, a backslash,
/// a tab and letters beyond ASCII come back exactly, and every invoice, line and instalment
/// reads back as the plan made it, dates and pence included.
async fn what_a_run_writes_reads_back_as_planned(backend: TestBackend) {
    let Some((store, _db)) = store(backend).await else {
        return;
    };
    let awkward = "Zoë \"Zed\" O'Brien \\ ☃\tend";
    exec(
        &store,
        &format!(
            "UPDATE guardians SET name = '{}' WHERE id = (SELECT MIN(guardian_id) FROM pupil_guardians WHERE pupil_id = 1)",
            awkward.replace('\'', "''")
        ),
    )
    .await;
    exec(
        &store,
        "UPDATE enrolments SET instrument = 'Viola \"da gamba\" \\ ♭' WHERE pupil_id = 1",
    )
    .await;
    let report = store
        .run_billing(&Actor::cli(), autumn(), false, &|_| {})
        .await
        .unwrap();
    assert!(report.invoice_count > 1);
    assert!(
        report.plan.invoices.iter().any(|i| i.payer_name == awkward),
        "the awkward name is a payer's"
    );
    let ids: std::collections::HashMap<String, i64> = all_invoices(&store)
        .await
        .into_iter()
        .map(|r| (r.number, r.id))
        .collect();
    assert_eq!(ids.len(), report.invoice_count);
    for (planned, number) in report.plan.invoices.iter().zip(&report.numbers) {
        let invoice = store.invoice(ids[number]).await.unwrap();
        assert_eq!(invoice.summary.payer_name, planned.payer_name);
        assert_eq!(invoice.summary.payer_kind, planned.payer.kind());
        assert_eq!(invoice.summary.payer_id, planned.payer.id());
        assert_eq!(invoice.summary.kind, planned.kind.as_str());
        assert_eq!(invoice.summary.total_pence, planned.total_pence.0);
        assert_eq!(invoice.summary.term, "2026-autumn");
        assert_eq!(invoice.summary.status, "issued");
        let mut lines: Vec<(String, String, i64)> = invoice
            .lines
            .iter()
            .map(|l| (l.description.clone(), l.rule.clone(), l.amount_pence))
            .collect();
        let mut wanted: Vec<(String, String, i64)> = planned
            .lines
            .iter()
            .map(|l| (l.description.clone(), l.rule.clone(), l.amount_pence.0))
            .collect();
        lines.sort();
        wanted.sort();
        assert_eq!(lines, wanted, "{number}");
        let instalments: Vec<(i32, time::Date, i64)> = invoice
            .instalments
            .iter()
            .map(|i| (i.number, i.due_on, i.amount_pence))
            .collect();
        let wanted: Vec<(i32, time::Date, i64)> = planned
            .instalments
            .iter()
            .map(|i| (i.number as i32, i.due, i.amount.0))
            .collect();
        assert_eq!(instalments, wanted, "{number}");
    }
    assert!(
        report
            .plan
            .invoices
            .iter()
            .flat_map(|i| &i.lines)
            .any(|l| l.description.contains("Viola \"da gamba\" \\ ♭")),
        "the awkward instrument is on a line"
    );
}
