//! `tutti billing` as an office runs it: --dry-run and --json, a second run that adds
//! nothing, a run killed part-way that leaves all or nothing, and policy files in and out.
//! Each test runs on SQLite, and on PostgreSQL when configured.
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use tutti_store::demo::DemoSize;
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, on_both_backends};

const BIN: &str = env!("CARGO_BIN_EXE_tutti");

on_both_backends!(
    run_prints_json_and_a_second_run_adds_nothing,
    a_killed_run_leaves_all_or_nothing,
    policy_files_go_out_and_in_with_field_errors
);

struct Hub {
    store: Store,
    args: Vec<String>,
    dir: PathBuf,
    _db: TestDatabase,
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn hub(backend: TestBackend, name: &str, size: DemoSize) -> Option<Hub> {
    let db = TestDatabase::create(backend).await?;
    let dir = std::env::temp_dir().join(format!("tutti-billing-{name}-{backend:?}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    store.seed_demo(1, size).await.unwrap();
    Some(Hub {
        store,
        args: vec!["--database-url".into(), db.url.clone()],
        dir,
        _db: db,
    })
}

fn tutti(hub: &Hub, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .args(&hub.args)
        .output()
        .expect("run tutti")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn invoice_count(hub: &Hub) -> u64 {
    hub.store
        .invoices(&Default::default(), &Default::default())
        .await
        .unwrap()
        .total
}

async fn count(hub: &Hub, sql: &str) -> i64 {
    use tutti_store::sea_orm::{ConnectionTrait, Statement};
    let backend = hub.store.conn().get_database_backend();
    let row = hub
        .store
        .conn()
        .query_one_raw(Statement::from_string(backend, sql.to_owned()))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "n").unwrap()
}

async fn run_prints_json_and_a_second_run_adds_nothing(backend: TestBackend) {
    let Some(hub) = hub(backend, "json", DemoSize::SMALL).await else {
        return;
    };
    let out = tutti(
        &hub,
        &["billing", "run", "--term", "2026-autumn", "--dry-run", "--json"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let dry: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(invoice_count(&hub).await, 0, "a dry run writes nothing");
    assert!(text(&out.stderr).contains("Would issue"));

    let out = tutti(&hub, &["billing", "run", "--term", "2026-autumn", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let invoices = report["invoices"].as_array().unwrap();
    assert_eq!(invoices.len(), dry["invoices"].as_array().unwrap().len());
    assert_eq!(invoices.len() as u64, invoice_count(&hub).await);
    for invoice in invoices {
        assert!(invoice["number"].as_str().unwrap().starts_with("INV-"));
        assert!(["parent", "school"].contains(&invoice["payer"]["kind"].as_str().unwrap()));
        assert!(invoice["payer"]["name"].is_string());
        let lines = invoice["lines"].as_array().unwrap();
        assert!(!lines.is_empty());
        for line in lines {
            assert!(line["pupil_ref"].is_string() && line["description"].is_string());
            assert!(line["rule"].as_str().is_some_and(|r| !r.is_empty()));
        }
        let sum: i64 = lines.iter().map(|l| l["amount_pence"].as_i64().unwrap()).sum();
        assert_eq!(invoice["total_pence"].as_i64().unwrap(), sum);
    }
    let err = text(&out.stderr);
    assert!(
        err.contains("Reading pupils") && err.contains("Writing rows") && err.contains("Committed."),
        "{err}"
    );

    let out = tutti(&hub, &["billing", "run", "--term", "2026-autumn", "--json"]);
    assert!(out.status.success());
    let again: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(again["invoice_count"], 0);
    assert!(text(&out.stderr).contains("nothing new to bill"));
    assert_eq!(invoices.len() as u64, invoice_count(&hub).await);

    let out = tutti(&hub, &["billing", "run", "--term", "next-term"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("--term must be a term like 2026-autumn"));
}

/// Kills a real `tutti billing run` as soon as it starts writing rows. Whether the kill lands
/// before the commit or just after it, the database holds the whole run or none of it; and a
/// later run then completes the term exactly once.
async fn a_killed_run_leaves_all_or_nothing(backend: TestBackend) {
    let size = DemoSize {
        schools: 60,
        teachers: 30,
        pupils: 4_000,
    };
    let Some(hub) = hub(backend, "kill", size).await else {
        return;
    };
    let dry = hub
        .store
        .plan_billing(
            tutti_domain::calendar::TermId::parse("2026-autumn").unwrap(),
            hub.store.today(),
        )
        .await
        .unwrap();
    let expected = dry.invoices.len() as u64;
    assert!(expected > 1_000);

    let mut child = Command::new(BIN)
        .args(["billing", "run", "--term", "2026-autumn"])
        .args(&hub.args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        if stderr.read_line(&mut line).unwrap() == 0 {
            panic!("the run ended without writing");
        }
        if line.contains("Writing rows") {
            child.kill().unwrap();
            break;
        }
    }
    let status = child.wait().unwrap();
    let invoices = invoice_count(&hub).await;
    eprintln!("killed run: exit {status:?}, {invoices} of {expected} invoices committed");
    assert!(
        invoices == 0 || invoices == expected,
        "a killed run must leave all or nothing, found {invoices} of {expected}"
    );
    // Lines, instalments and the run row go with their invoices.
    let lines = count(&hub, "SELECT COUNT(*) AS n FROM invoice_lines").await;
    let instalments = count(&hub, "SELECT COUNT(*) AS n FROM instalments").await;
    let runs = count(&hub, "SELECT COUNT(*) AS n FROM billing_runs").await;
    if invoices == 0 {
        assert_eq!((lines, instalments, runs), (0, 0, 0));
    } else {
        assert_eq!(lines as usize, dry.line_count());
        assert_eq!(runs, 1);
    }

    let out = tutti(&hub, &["billing", "run", "--term", "2026-autumn"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(invoice_count(&hub).await, expected, "the term is billed once, in full");
}

async fn policy_files_go_out_and_in_with_field_errors(backend: TestBackend) {
    let Some(hub) = hub(backend, "policy", DemoSize::SMALL).await else {
        return;
    };
    let file = hub.dir.join("policy.json");
    let file_arg = file.display().to_string();
    let out = tutti(&hub, &["billing", "policy", "export", "--year", "2026-27", &file_arg]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(doc["academic_year"], "2026-27");
    assert_eq!(doc["policy"]["standard_fee"], 5350);

    doc["policy"]["standard_fee"] = Value::from(5600);
    std::fs::write(&file, doc.to_string()).unwrap();
    // The demo saves its own year's policy; an import is the next revision either way.
    let year = tutti_domain::calendar::AcademicYear::starting(2026);
    let next = hub.store.charging_policy(year).await.unwrap().revision + 1;
    let out = tutti(&hub, &["billing", "policy", "import", "--year", "2026-27", &file_arg]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains(&format!("revision {next}")),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        hub.store.charging_policy(year).await.unwrap().policy.standard_fee.0,
        5600
    );

    doc["policy"]["instalments"]["due_day"] = Value::from(31);
    doc["policy"]["name"] = Value::from("");
    std::fs::write(&file, doc.to_string()).unwrap();
    let out = tutti(&hub, &["billing", "policy", "import", "--year", "2026-27", &file_arg]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("name: Enter a name for the policy"), "{err}");
    assert!(err.contains("instalments.due_day:"), "{err}");
    assert!(err.contains("Nothing was changed"));
    // The wrong year is refused too.
    let out = tutti(&hub, &["billing", "policy", "import", "--year", "2027-28", &file_arg]);
    assert!(text(&out.stderr).contains("academic_year"));
    assert_eq!(hub.store.charging_policy(year).await.unwrap().revision, next);

    // Export to standard output.
    let out = tutti(&hub, &["billing", "policy", "export", "--year", "2026-27", "-"]);
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["policy"]["standard_fee"], 5600);
}
