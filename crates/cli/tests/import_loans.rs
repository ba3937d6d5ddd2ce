//! `tutti import loans` as an office runs it, on an empty hub built with the test world: a
//! file with an unknown serial, an unknown pupil reference or an instrument already on loan is
//! refused whole, naming each line and column, and changes nothing; a good file lends every
//! instrument; the same file again changes nothing. Each test runs on SQLite, and on
//! PostgreSQL when configured.
use std::path::PathBuf;
use std::process::{Command, Output};

use time::macros::date;
use tutti_domain::clock::Clock;
use tutti_store::platform::audit::Actor;
use tutti_store::records::loans::{LoanFilter, LoanQuery, NewLoan};
use tutti_store::records::pupils::PupilScope;
use tutti_store::testing::world::{a_family, a_school, an_instrument};
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, on_both_backends};

const BIN: &str = env!("CARGO_BIN_EXE_tutti");

on_both_backends!(loans_import_all_or_nothing_and_idempotent);

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
    let dir = std::env::temp_dir().join(format!("tutti-import-loans-{backend:?}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::connect(&db.url)
        .await
        .unwrap()
        .with_clock(Clock::on(date!(2026 - 09 - 16)));
    store.migrate().await.unwrap();
    Some(Hub {
        store,
        args: vec!["--database-url".into(), db.url.clone()],
        dir,
        _db: db,
    })
}

fn tutti(hub: &Hub, name: &str, csv: &str) -> (Output, String, String) {
    let path = hub.dir.join(name);
    std::fs::write(&path, csv).unwrap();
    let out = Command::new(BIN)
        .args(["import", "loans", &path.display().to_string()])
        .args(&hub.args)
        .output()
        .expect("run tutti");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

async fn out_on_loan(hub: &Hub) -> u64 {
    hub.store
        .loans(
            &PupilScope::All,
            &LoanQuery {
                filter: LoanFilter::All,
                per_page: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .total
}

async fn loans_import_all_or_nothing_and_idempotent(backend: TestBackend) {
    let Some(hub) = hub(backend).await else {
        return;
    };
    let store = &hub.store;
    let school = a_school().create(store).await;
    let amy = a_family(&school).create(store).await;
    let ben = a_family(&school).create(store).await;
    let violin = an_instrument().create(store).await;
    let cello = an_instrument().of_type("cello").create(store).await;
    let flute = an_instrument().of_type("flute").create(store).await;
    // The flute is already out with Ben.
    store
        .lend_instrument(
            &Actor::cli(),
            &NewLoan {
                instrument_id: flute.id,
                pupil_id: ben.children[0],
                from: date!(2026 - 09 - 07),
                due: None,
                agreement_on_paper: false,
            },
        )
        .await
        .unwrap();
    let (amy_ref, ben_ref) = (&amy.pupil_refs[0], &ben.pupil_refs[0]);

    let bad = format!(
        "serial,pupil_ref,from\n\
         NO-SUCH-1,{amy_ref},2026-09-07\n\
         {},NOPE01,2026-09-07\n\
         {},{amy_ref},2026-09-07\n\
         {},{ben_ref},07/09/2026\n",
        violin.serial, flute.serial, cello.serial
    );
    let (out, _, err) = tutti(&hub, "bad.csv", &bad);
    assert!(!out.status.success());
    assert!(
        err.contains("Line 2, column serial: No instrument has the serial number NO-SUCH-1"),
        "{err}"
    );
    assert!(
        err.contains("Line 3, column pupil_ref: No pupil has the reference NOPE01"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "Line 4, column serial: Instrument {} is already on loan",
            flute.serial
        )),
        "{err}"
    );
    assert!(err.contains("Nothing was changed"), "{err}");
    assert_eq!(out_on_loan(&hub).await, 1, "nothing was lent");

    let good = format!(
        "serial,pupil_ref,from\n{},{amy_ref},2026-09-07\n{},{ben_ref},07/09/2026\n{},{ben_ref},2026-09-07\n",
        violin.serial, cello.serial, flute.serial
    );
    let (out, stdout, err) = tutti(&hub, "good.csv", &good);
    assert!(out.status.success(), "{err}");
    assert!(stdout.contains("Imported: 3 loans rows"), "{stdout}");
    assert!(stdout.contains("2 created"), "{stdout}");
    assert_eq!(out_on_loan(&hub).await, 3);
    assert_eq!(store.instrument(violin.id).await.unwrap().unwrap().status, "on-loan");

    // The same file again changes nothing.
    let (out, stdout, err) = tutti(&hub, "again.csv", &good);
    assert!(out.status.success(), "{err}");
    assert!(stdout.contains("3 unchanged"), "{stdout}");
    assert_eq!(out_on_loan(&hub).await, 3);
}
