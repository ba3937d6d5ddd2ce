//! `tutti import terms` and `tutti import closures` as an office runs them on a new hub: a good
//! file is imported, a bad line is named by line and column and changes nothing, a URN no school
//! has is an error naming its line, and the same file twice changes nothing. Each test runs on
//! SQLite, and on PostgreSQL when configured.
use std::path::PathBuf;
use std::process::{Command, Output};

use tutti_domain::calendar::AcademicYear;
use tutti_store::teaching::terms::YearFilter;
use tutti_store::testing::world::a_school;
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, on_both_backends};

const BIN: &str = env!("CARGO_BIN_EXE_tutti");

on_both_backends!(
    terms_import_all_or_nothing_and_idempotent,
    closures_import_all_or_nothing_and_idempotent
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

async fn hub(backend: TestBackend, name: &str) -> Option<Hub> {
    let db = TestDatabase::create(backend).await?;
    let dir = std::env::temp_dir().join(format!("tutti-import-{name}-{backend:?}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    Some(Hub {
        store,
        args: vec!["--database-url".into(), db.url.clone()],
        dir,
        _db: db,
    })
}

fn tutti(hub: &Hub, kind: &str, name: &str, csv: &str) -> (Output, String, String) {
    let path = hub.dir.join(name);
    std::fs::write(&path, csv).unwrap();
    let out = Command::new(BIN)
        .args(["import", kind, &path.display().to_string()])
        .args(&hub.args)
        .output()
        .expect("run tutti");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

const TERMS: &str = "authority,academic_year,term,first_day,last_day,half_term_first_day,half_term_last_day\n\
Northshire,2026-27,Autumn,2026-09-03,2026-12-18,2026-10-26,2026-10-30\n\
Northshire,2026-27,Spring,2027-01-05,2027-03-26,2027-02-15,2027-02-19\n\
northshire,2026-27,Summer,2027-04-12,2027-07-21,2027-05-31,2027-06-04\n";

async fn terms_import_all_or_nothing_and_idempotent(backend: TestBackend) {
    let Some(hub) = hub(backend, "terms").await else {
        return;
    };
    a_school().in_local_authority("Northshire").create(&hub.store).await;
    let year = YearFilter {
        authority: Some("Northshire".into()),
        year: Some(AcademicYear::starting(2026)),
    };

    // A bad line: named, and nothing is written, not even the good lines.
    let bad = format!(
        "{TERMS}Northshire,2027-28,Autumn,2027-09-02,2027-12-17,2027-12-20,2027-12-24\n\
         Northshire,2027-28,Spring,2027-12-10,2028-03-24,2028-02-14,2028-02-18\n"
    );
    let (out, _, stderr) = tutti(&hub, "terms", "bad.csv", &bad);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "Line 5, column half_term_first_day: Half term must fall inside the term, from Thursday 2 September \
             2027 to Friday 17 December 2027."
        ),
        "{stderr}"
    );
    assert!(stderr.contains("Nothing was changed"), "{stderr}");
    assert!(hub.store.terms(&YearFilter::default()).await.unwrap().is_empty());

    // Dates that overlap those of the file: the line and column named.
    let overlap = format!(
        "{TERMS}Northshire,2027-28,Autumn,2027-09-02,2027-12-17,2027-10-25,2027-10-29\n\
         Northshire,2027-28,Spring,2027-12-10,2028-03-24,2028-02-14,2028-02-18\n"
    );
    let (out, _, stderr) = tutti(&hub, "terms", "overlap.csv", &overlap);
    assert!(!out.status.success());
    assert!(
        stderr.contains(
            "Line 6, column first_day: These dates overlap the autumn term, Thursday 2 September 2027 to Friday 17 \
             December 2027."
        ),
        "{stderr}"
    );
    assert!(hub.store.terms(&YearFilter::default()).await.unwrap().is_empty());

    // The good file: three terms, under the authority as its schools spell it.
    let (out, stdout, stderr) = tutti(&hub, "terms", "terms.csv", TERMS);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("Imported: 3 terms rows: 3 created, 0 updated, 0 unchanged"),
        "{stdout}"
    );
    let saved = hub.store.terms(&year).await.unwrap();
    assert_eq!(saved.len(), 3);
    assert!(saved.iter().all(|t| t.local_authority == "Northshire"));

    // Again: nothing changes.
    let (out, stdout, _) = tutti(&hub, "terms", "terms.csv", TERMS);
    assert!(out.status.success());
    assert!(stdout.contains("0 created, 0 updated, 3 unchanged"), "{stdout}");
    assert_eq!(hub.store.terms(&year).await.unwrap(), saved);

    // A changed date updates that term only.
    let moved = TERMS.replace("2026-12-18", "2026-12-16");
    let (out, stdout, _) = tutti(&hub, "terms", "moved.csv", &moved);
    assert!(out.status.success());
    assert!(stdout.contains("0 created, 1 updated, 2 unchanged"), "{stdout}");
}

async fn closures_import_all_or_nothing_and_idempotent(backend: TestBackend) {
    let Some(hub) = hub(backend, "closures").await else {
        return;
    };
    let school = a_school().in_local_authority("Northshire").create(&hub.store).await;
    let good = format!(
        "authority,school_urn,date,reason,kind\n\
         Northshire,,2026-11-26,Polling day,\n\
         ,{},2026-11-27,Staff training,inset\n",
        school.urn
    );
    let all = YearFilter::default();

    // A URN no school has: its line named, nothing written.
    let bad = format!("{good},999999,2026-12-01,Boiler,\n");
    let (out, _, stderr) = tutti(&hub, "closures", "bad.csv", &bad);
    assert!(!out.status.success());
    assert!(
        stderr.contains("Line 4, column school_urn: No school has the URN 999999; import or add the school first"),
        "{stderr}"
    );
    assert!(hub.store.closures(&all).await.unwrap().is_empty());

    // Both an authority and a URN on one line.
    let both = format!("{good}Northshire,{},2026-12-01,Boiler,\n", school.urn);
    let (out, _, stderr) = tutti(&hub, "closures", "both.csv", &both);
    assert!(!out.status.success());
    assert!(stderr.contains("Line 4, column school_urn: Give the local authority or the school's URN, not both"));
    assert!(hub.store.closures(&all).await.unwrap().is_empty());

    let (out, stdout, stderr) = tutti(&hub, "closures", "closures.csv", &good);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("Imported: 2 closures rows: 2 created"), "{stdout}");
    let saved = hub.store.closures(&all).await.unwrap();
    assert_eq!(saved.len(), 2);
    assert_eq!(saved[1].school_id, Some(school.id));
    assert_eq!(saved[1].local_authority, "Northshire");

    let (out, stdout, _) = tutti(&hub, "closures", "closures.csv", &good);
    assert!(out.status.success());
    assert!(stdout.contains("0 created, 0 updated, 2 unchanged"), "{stdout}");
    assert_eq!(hub.store.closures(&all).await.unwrap(), saved);
}
