//! `tutti billing reminders` and `tutti billing credits` as an operator's cron job runs them,
//! and the card payment flags of `tutti serve`. Each database test runs on SQLite, and on
//! PostgreSQL when TUTTI_TEST_POSTGRES_URL is set.
use std::process::Command;

use tutti_store::demo::DemoSize;
use tutti_store::sea_orm::ConnectionTrait;
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, on_both_backends};

const BIN: &str = env!("CARGO_BIN_EXE_tutti");

on_both_backends!(reminders_are_sent_once_per_instalment);

fn tutti(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN).args(args).output().expect("run tutti");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn reminders_are_sent_once_per_instalment(backend: TestBackend) {
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    store.seed_demo(1, DemoSize::SMALL).await.unwrap();
    for sql in [
        "UPDATE guardians SET email = 'payer@example.com' WHERE id = 1",
        "INSERT INTO billing_runs (term, started_at, finished_at, invoices_created, lines_created, total_pence) \
         VALUES ('2026-autumn', '2026-09-01 10:00:00+00:00', '2026-09-01 10:00:01+00:00', 1, 1, 9000)",
        "INSERT INTO invoices (number, billing_run_id, payer_kind, payer_id, payer_name, term, kind, issued_on, \
         total_pence, status, created_at) VALUES ('2026-A-1', 1, 'parent', 1, 'A parent', '2026-autumn', \
         'original', '2026-09-01', 9000, 'issued', '2026-09-01 10:00:00+00:00')",
        "INSERT INTO instalments (invoice_id, number, due_on, amount_pence, status) VALUES \
         (1, 1, '2026-10-15', 3000, 'due'), (1, 2, '2026-11-15', 3000, 'due'), (1, 3, '2026-12-15', 3000, 'due')",
    ] {
        store.conn().execute_unprepared(sql).await.unwrap();
    }
    let url = db.url.clone();
    let run = |date: &'static str| {
        let url = url.clone();
        tokio::task::spawn_blocking(move || {
            tutti(&[
                "billing",
                "reminders",
                "--database-url",
                &url,
                "--date",
                date,
                "--hub-name",
                "Durham Music",
            ])
        })
    };
    let (ok, out, err) = run("2026-10-10").await.unwrap();
    assert!(ok, "{err}");
    assert!(
        out.starts_with("1 reminders queued; 0 instalment plans collapsed"),
        "{out}"
    );
    let (_, out, _) = run("2026-10-11").await.unwrap();
    assert!(
        out.starts_with("0 reminders queued"),
        "a second run sends nothing: {out}"
    );
    let (_, out, _) = run("2026-10-16").await.unwrap();
    assert!(out.contains("1 instalment plans collapsed"), "{out}");
    let (messages, total) = store.outbox_page(Some("payer@example.com"), 1, 10).await.unwrap();
    assert_eq!(total, 2);
    assert!(messages[1].body.contains("Durham Music"));
    assert!(
        messages[0].body.contains("the whole balance of £90.00 is due now"),
        "{}",
        messages[0].body
    );

    let (ok, _, err) =
        tokio::task::spawn_blocking(move || tutti(&["billing", "credits", "--database-url", &url, "--term", "autumn"]))
            .await
            .unwrap();
    assert!(!ok && err.contains("--term must be a term like 2026-autumn"), "{err}");
    store.close().await;
}

#[test]
fn serve_checks_the_card_payment_flags() {
    let (ok, _, err) = tutti(&["serve", "--card-payments", "stripe", "--bind", "127.0.0.1:0"]);
    assert!(!ok);
    assert!(
        err.contains("need --stripe-secret-key and --stripe-webhook-secret"),
        "{err}"
    );
    let (ok, _, err) = tutti(&[
        "serve",
        "--stripe-secret-key",
        "sk_test_x",
        "--stripe-webhook-secret",
        "whsec_x",
        "--stripe-api-base",
        "http://egress.example:8089",
        "--bind",
        "127.0.0.1:0",
    ]);
    assert!(!ok);
    assert!(err.contains("must be an https:// address"), "{err}");
    assert!(err.contains("--http-proxy"), "names the proxy setting: {err}");
    let (ok, _, err) = tutti(&["serve", "--card-payments", "paypal", "--bind", "127.0.0.1:0"]);
    assert!(!ok && err.contains("stripe, test or off"), "{err}");
}
