//! `tutti report data-return` and `tutti report definition import` as an office runs them, on
//! an empty hub: JSON with each figure's stable key on standard output, CSV to a file, a
//! spreadsheet, and a definition file refused line by line (nothing changed) or kept for its
//! year. Each test runs on SQLite, and on PostgreSQL when configured.
use std::process::{Command, Output};

use serde_json::Value;
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, on_both_backends};

const BIN: &str = env!("CARGO_BIN_EXE_tutti");

on_both_backends!(the_return_goes_out_as_json_csv_and_a_spreadsheet_and_a_definition_comes_in);

fn tutti(url: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .args(["--database-url", url])
        .output()
        .expect("run tutti")
}

async fn the_return_goes_out_as_json_csv_and_a_spreadsheet_and_a_definition_comes_in(backend: TestBackend) {
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    let dir = std::env::temp_dir().join(format!("tutti-report-{backend:?}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    let out = tutti(
        &db.url,
        &["report", "data-return", "--year", "2025-26", "--format", "json"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["academic_year"], "2025-26");
    let keys: Vec<&str> = json["figures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    for key in [
        "schools_engaged",
        "wcet_pupils",
        "pupils_in_lessons",
        "pupils_in_ensembles",
        "fsm_pupils_in_lessons",
    ] {
        assert!(keys.contains(&key), "{key} in {keys:?}");
    }
    let lessons = json["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "pupils_in_lessons")
        .unwrap();
    assert_eq!(lessons["value"], 0);

    let csv = dir.join("return.csv");
    let out = tutti(
        &db.url,
        &[
            "report",
            "data-return",
            "--year",
            "2025-26",
            "--format",
            "csv",
            "--output",
            csv.to_str().unwrap(),
        ],
    );
    assert!(out.status.success());
    assert!(out.stdout.is_empty(), "the file, not standard output");
    assert!(
        std::fs::read_to_string(&csv)
            .unwrap()
            .starts_with("section,key,figure,breakdown,value,unit,note\n")
    );
    let out = tutti(
        &db.url,
        &["report", "data-return", "--year", "2025-26", "--format", "xlsx"],
    );
    assert!(out.status.success());
    assert!(out.stdout.starts_with(b"PK\x03\x04"));
    let out = tutti(
        &db.url,
        &["report", "data-return", "--year", "2025", "--format", "json"],
    );
    assert!(!out.status.success());

    let bad = dir.join("bad.txt");
    std::fs::write(
        &bad,
        "format tutti-data-return 1\nyear 2026-27\nsection S\nfigure reached\n  words Reached\n  measure pupils harp\n",
    )
    .unwrap();
    let out = tutti(&db.url, &["report", "definition", "import", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 6: \"harp\" is not a lesson type"), "{err}");
    assert!(err.contains("Nothing was changed"), "{err}");
    let good = dir.join("good.txt");
    std::fs::write(&good, "format tutti-data-return 1\nyear 2026-27\nsection S\nfigure reached\n  words Reached\n  measure pupils individual\n").unwrap();
    let out = tutti(&db.url, &["report", "definition", "import", good.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = tutti(&db.url, &["report", "data-return", "--year", "2026-27"]);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["figures"].as_array().unwrap().len(), 1);
    assert_eq!(json["figures"][0]["key"], "reached");
    let _ = std::fs::remove_dir_all(&dir);
}
