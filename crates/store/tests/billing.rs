//! Billing through the store on both backends: the schema's guarantees, policies, runs.
use sea_orm::ConnectionTrait;
use tutti_store::demo::DemoSize;
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, on_both_backends};

on_both_backends!(a_pupil_cannot_be_billed_twice_for_one_term_and_charge);

async fn store(backend: TestBackend) -> Option<(Store, TestDatabase)> {
    let db = TestDatabase::create(backend).await?;
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    store.seed_demo(1, DemoSize::SMALL).await.unwrap();
    Some((store, db))
}

async fn a_pupil_cannot_be_billed_twice_for_one_term_and_charge(backend: TestBackend) {
    let Some((store, _db)) = store(backend).await else {
        return;
    };
    let db = store.conn();
    db.execute_unprepared(
        "INSERT INTO billing_runs (term, started_at, finished_at, invoices_created, lines_created, total_pence) \
         VALUES ('2026-autumn', '2026-09-01 10:00:00+00:00', '2026-09-01 10:00:01+00:00', 1, 1, 5350)",
    )
    .await
    .unwrap();
    db.execute_unprepared(
        "INSERT INTO invoices (number, billing_run_id, payer_kind, payer_id, payer_name, term, kind, issued_on, total_pence, status, created_at) \
         VALUES ('T-1', 1, 'parent', 1, 'A parent', '2026-autumn', 'original', '2026-09-01', 5350, 'issued', '2026-09-01 10:00:00+00:00')",
    )
    .await
    .unwrap();
    let line = "INSERT INTO invoice_lines (invoice_id, pupil_id, term, charge_kind, subject_id, description, rule, amount_pence) \
                VALUES (1, 1, '2026-autumn', 'tuition', 1, 'Violin', 'Standard group fee', 5350)";
    db.execute_unprepared(line).await.unwrap();
    assert!(
        db.execute_unprepared(line).await.is_err(),
        "the second line must be refused"
    );
}
