//! `tutti import` and `tutti export` as an office runs them: a bad file changes nothing and
//! exits non-zero with every problem by line and column; the same file twice changes nothing;
//! --dry-run writes nothing. Each test runs on SQLite, and on PostgreSQL when configured.
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tutti_store::demo::DemoSize;
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, on_both_backends};

const BIN: &str = env!("CARGO_BIN_EXE_tutti");

/// A database seeded with the small demo hub, and the flags that point `tutti` at it.
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

async fn hub(backend: TestBackend, name: &str) -> Option<Hub> {
    let db = TestDatabase::create(backend).await?;
    let dir = std::env::temp_dir().join(format!("tutti-import-{name}-{backend:?}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    store.seed_demo(1, DemoSize::SMALL).await.unwrap();
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

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn pupils(hub: &Hub) -> u64 {
    hub.store.hub_counts().await.unwrap().pupils
}

async fn import_is_all_or_nothing_and_idempotent(backend: TestBackend) {
    let Some(hub) = hub(backend, "pupils").await else {
        return;
    };
    let before = pupils(&hub).await;
    let bad = write(
        &hub.dir,
        "bad.csv",
        "pupil_ref,first_name,last_name,date_of_birth,school_urn,fsm,shoe_size\n\
         CLI001,Ada,Command,01/02/2016,114000,no,3\n\
         CLI002,Bea,Command,31/02/2016,114000,no,4\n\
         CLI003,Cal,Command,01/02/2016,114000,perhaps,5\n",
    );
    let out = tutti(&hub, &["import", "pupils", &bad]);
    assert!(!out.status.success(), "a bad file exits non-zero");
    let err = text(&out.stderr);
    assert!(err.contains("Line 3, column date_of_birth:"), "{err}");
    assert!(err.contains("Line 4, column fsm:"), "{err}");
    assert!(
        err.contains("shoe_size is not a column"),
        "unknown columns are reported: {err}"
    );
    assert!(err.contains("Nothing was changed"), "{err}");
    assert_eq!(pupils(&hub).await, before, "nothing was written");

    let good = write(
        &hub.dir,
        "good.csv",
        "Pupil_Ref,First_Name,Last_Name,Date_of_Birth,School_URN,guardian_name,guardian_email\n\
         CLI001,Ada,Command,01/02/2016,114000,Grace Command,grace@example.com\n\
         CLI002,Bea,Command,2016-02-03,114001,Grace Command,grace@example.com\n",
    );
    let dry = tutti(&hub, &["import", "pupils", &good, "--dry-run"]);
    assert!(dry.status.success(), "{}", text(&dry.stderr));
    assert!(
        text(&dry.stdout).contains("Dry run, nothing written: 2 pupils rows: 2 created"),
        "{}",
        text(&dry.stdout)
    );
    assert_eq!(pupils(&hub).await, before, "a dry run writes nothing");

    let first = tutti(&hub, &["import", "pupils", &good]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(
        text(&first.stdout).contains("2 created, 0 updated, 0 unchanged"),
        "{}",
        text(&first.stdout)
    );
    assert_eq!(pupils(&hub).await, before + 2);

    let again = tutti(&hub, &["import", "pupils", &good]);
    assert!(again.status.success());
    assert!(
        text(&again.stdout).contains("0 created, 0 updated, 2 unchanged"),
        "{}",
        text(&again.stdout)
    );
    assert_eq!(pupils(&hub).await, before + 2);

    // Export writes the same columns; importing the export back changes nothing.
    let exported = hub.dir.join("export.csv").display().to_string();
    let out = tutti(&hub, &["export", "pupils", &exported]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = std::fs::read_to_string(&exported).unwrap();
    assert!(
        csv.starts_with("pupil_ref,first_name,last_name,date_of_birth,school_urn"),
        "{csv}"
    );
    assert!(
        csv.contains("CLI002,Bea,Command,03/02/2016,114001") || csv.contains("CLI002,Bea,Command,2016-02-03,114001")
    );
    let back = tutti(&hub, &["import", "pupils", &exported]);
    assert!(back.status.success(), "{}", text(&back.stderr));
    assert!(
        text(&back.stdout).contains(" 0 created, 0 updated"),
        "{}",
        text(&back.stdout)
    );

    let wrong_kind = tutti(&hub, &["import", "parents", &good]);
    assert!(!wrong_kind.status.success());
    assert!(text(&wrong_kind.stderr).contains("schools, pupils, staff or instruments"));
    hub.store.clone().close().await;
}

async fn schools_then_pupils_and_a_missing_school(backend: TestBackend) {
    let Some(hub) = hub(backend, "schools").await else {
        return;
    };
    let pupil_first = write(
        &hub.dir,
        "pupils.csv",
        "pupil_ref,first_name,last_name,date_of_birth,school_urn\nCLI010,Dee,Order,01/02/2016,199100\n",
    );
    let out = tutti(&hub, &["import", "pupils", &pupil_first]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("Line 2, column school_urn: No school has the URN 199100"),
        "{}",
        text(&out.stderr)
    );
    let schools = write(
        &hub.dir,
        "schools.csv",
        "urn,name,phase,type,local_authority,area,address,postcode,parent_charge_uplift\n\
         199100,Order Primary School,primary,academy,Durham,Durham,1 Road,DH1 1AA,15\n",
    );
    let out = tutti(&hub, &["import", "schools", &schools]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = tutti(&hub, &["import", "pupils", &pupil_first]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("1 created"));
    hub.store.clone().close().await;
}

on_both_backends!(
    import_is_all_or_nothing_and_idempotent,
    schools_then_pupils_and_a_missing_school
);
