//! `tutti import enrolments` as an office runs it: errors by line and column (in the file,
//! then against the database) change nothing; a dry run writes nothing; rows with a teacher,
//! day and time are placed, rows without wait for allocation; the same file twice changes
//! nothing. Each test runs on SQLite, and on PostgreSQL when configured.
use std::path::PathBuf;
use std::process::{Command, Output};

use tutti_store::admissions::enrolments::EnrolmentFilter;
use tutti_store::demo::DemoSize;
use tutti_store::records::pupils::PupilScope;
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, on_both_backends};

const BIN: &str = env!("CARGO_BIN_EXE_tutti");

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

async fn hub(backend: TestBackend) -> Option<Hub> {
    let db = TestDatabase::create(backend).await?;
    let dir = std::env::temp_dir().join(format!("tutti-import-enrolments-{backend:?}-{}", std::process::id()));
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

fn tutti(hub: &Hub, name: &str, csv: &str, dry_run: bool) -> (Output, String, String) {
    let path = hub.dir.join(name);
    std::fs::write(&path, csv).unwrap();
    let mut cmd = Command::new(BIN);
    cmd.args(["import", "enrolments", &path.display().to_string()]);
    if dry_run {
        cmd.arg("--dry-run");
    }
    let out = cmd.args(&hub.args).output().expect("run tutti");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

async fn count(hub: &Hub, status: &str) -> u64 {
    hub.store
        .enrolments(
            &PupilScope::All,
            &EnrolmentFilter {
                status: status.into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .total
}

const HEADER: &str =
    "pupil_ref,instrument,lesson_type,minutes,start_date,teacher_email,school_urn,weekday,start_time\n";

async fn enrolments_import_all_or_nothing_and_idempotent(backend: TestBackend) {
    let Some(hub) = hub(backend).await else {
        return;
    };
    let urn = hub.store.school_summary(1).await.unwrap().unwrap().urn;
    let (active, awaiting) = (count(&hub, "active").await, count(&hub, "awaiting").await);

    let bad_file = format!(
        "{HEADER}P100010,Voice,group,30,2027-01-04,,,Saturday,10:00\n\
         P100011,Harp,individual,25,04/01/2027,,,,\n\
         P100012,Harp,individual,30,2027-01-04,,,Monday,25:00\n"
    );
    let (out, _, err) = tutti(&hub, "bad.csv", &bad_file, false);
    assert!(!out.status.success());
    assert!(
        err.contains("Line 2, column weekday: Enter a school day, Monday to Friday"),
        "{err}"
    );
    assert!(err.contains("Line 3, column minutes:"), "{err}");
    assert!(
        err.contains("Line 4, column start_time: Enter the start time as HH:MM"),
        "{err}"
    );
    assert!(err.contains("Nothing was changed"), "{err}");

    let unknown = format!(
        "{HEADER}P100010,Voice,group,30,2027-01-04,teacher@demo.test,{urn},Tuesday,10:30\n\
         NOPE01,Harp,individual,30,2027-01-04,,,,\n\
         P100011,Harp,individual,30,2027-01-04,nobody@demo.test,,Monday,09:00\n\
         P100012,Harp,individual,30,2027-01-04,,999999,,\n"
    );
    let (out, _, err) = tutti(&hub, "unknown.csv", &unknown, false);
    assert!(!out.status.success());
    assert!(
        err.contains("Line 3, column pupil_ref: No pupil has the reference NOPE01"),
        "{err}"
    );
    assert!(
        err.contains("Line 4, column teacher_email: No member of staff has the email nobody@demo.test"),
        "{err}"
    );
    assert!(
        err.contains("Line 5, column school_urn: No school has the URN 999999"),
        "{err}"
    );
    assert_eq!(count(&hub, "active").await, active, "nothing was written");

    let good = format!(
        "{HEADER}P100010,Voice,group,30,2027-01-04,teacher@demo.test,{urn},Tuesday,10:30\n\
         p100011,Harp,individual,30,04/01/2027,,,,\n"
    );
    let (out, stdout, err) = tutti(&hub, "good.csv", &good, true);
    assert!(out.status.success(), "{err}");
    assert!(
        stdout.contains("Dry run, nothing written: 2 enrolments rows: 2 created"),
        "{stdout}"
    );
    assert_eq!(count(&hub, "awaiting").await, awaiting, "a dry run writes nothing");

    let (out, stdout, err) = tutti(&hub, "good.csv", &good, false);
    assert!(out.status.success(), "{err}");
    assert!(stdout.contains("2 created, 0 updated, 0 unchanged"), "{stdout}");
    assert_eq!(count(&hub, "active").await, active + 1);
    assert_eq!(count(&hub, "awaiting").await, awaiting + 1);
    let placed = hub
        .store
        .enrolments(
            &PupilScope::All,
            &EnrolmentFilter {
                instrument: "voice".into(),
                teacher_id: Some(1),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let e = placed.rows.iter().find(|e| e.pupil_ref == "P100010").expect("placed");
    assert_eq!((e.weekday, e.start_minute, e.school_id), (Some(2), Some(630), Some(1)));
    assert_eq!(e.status, "active");

    let (out, stdout, _) = tutti(&hub, "good.csv", &good, false);
    assert!(out.status.success());
    assert!(stdout.contains("0 created, 0 updated, 2 unchanged"), "{stdout}");

    // The harp lesson is allocated later by a second file: the same enrolment, updated.
    let later = format!("{HEADER}P100011,harp,individual,30,2027-01-04,teacher@demo.test,,Friday,14:00\n");
    let (out, stdout, err) = tutti(&hub, "later.csv", &later, false);
    assert!(out.status.success(), "{err}");
    assert!(stdout.contains("0 created, 1 updated"), "{stdout}");
    assert_eq!(count(&hub, "awaiting").await, awaiting);
    hub.store.clone().close().await;
}

on_both_backends!(enrolments_import_all_or_nothing_and_idempotent);
