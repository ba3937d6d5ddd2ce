//! Imports through the store on both backends: all or nothing, idempotent, updates matched
//! by key, and a 10,000-row pupil file (its time is printed, never asserted).
use time::macros::date;
use tutti_domain::clock::Clock;
use tutti_store::Store;
use tutti_store::demo::DemoSize;
use tutti_store::listing::ListQuery;
use tutti_store::platform::audit::Actor;
use tutti_store::records::imports::RecordKind;
use tutti_store::records::pupils::PupilScope;
use tutti_store::testing::{TestBackend, TestDatabase};

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

fn pupils_file(n: usize, surname: &str) -> String {
    let mut text = String::from(
        "Pupil_Ref,first_name,last_name,date_of_birth,school_urn,year_group,fsm,pupil_premium,send,looked_after,guardian_name,guardian_email,guardian_phone,favourite_colour\n",
    );
    for i in 0..n {
        text.push_str(&format!(
            "IMP{i:06},Child{i},{surname},{:02}/0{}/2016,{},,{},no,n,0,Parent {i},parent{i}@example.com,07700 900{:03},blue\n",
            1 + i % 28,
            1 + i % 9,
            114_000 + i % 12,
            if i % 5 == 0 { "yes" } else { "no" },
            i % 1000
        ));
    }
    text
}

async fn imports_are_all_or_nothing_and_idempotent(backend: TestBackend) {
    let Some((store, _db)) = store(backend).await else {
        return;
    };
    let actor = Actor::cli();
    let file = pupils_file(10_000, "Importson");

    let started = std::time::Instant::now();
    let first = store
        .import_csv(&actor, RecordKind::Pupils, &file, false)
        .await
        .unwrap();
    eprintln!(
        "{backend:?}: 10,000-row pupil import took {:.2} s",
        started.elapsed().as_secs_f64()
    );
    assert!(first.report.is_ok(), "{:?}", first.report.errors);
    assert_eq!(first.report.created, 10_000);
    assert_eq!(first.warnings.len(), 1, "the unknown column is reported");

    let again = store
        .import_csv(&actor, RecordKind::Pupils, &file, false)
        .await
        .unwrap();
    assert_eq!(
        (again.report.created, again.report.updated, again.report.unchanged),
        (0, 0, 10_000)
    );

    let changed = file.replacen("IMP000003,Child3,Importson", "IMP000003,Child3,Renamed", 1);
    let dry = store
        .import_csv(&actor, RecordKind::Pupils, &changed, true)
        .await
        .unwrap();
    assert_eq!(dry.report.updated, 1);
    let q = ListQuery {
        q: "renamed".into(),
        per_page: 10,
        ..Default::default()
    };
    assert_eq!(
        store.list_pupils(&PupilScope::All, &q).await.unwrap().total,
        0,
        "a dry run writes nothing"
    );
    let real = store
        .import_csv(&actor, RecordKind::Pupils, &changed, false)
        .await
        .unwrap();
    assert_eq!(real.report.updated, 1);
    assert_eq!(store.list_pupils(&PupilScope::All, &q).await.unwrap().total, 1);

    // Every guardian's phone changed: ten thousand updates, written in batches, then stable.
    let phones = changed.replace(",07700 900", ",07700 901");
    let started = std::time::Instant::now();
    let updated = store
        .import_csv(&actor, RecordKind::Pupils, &phones, false)
        .await
        .unwrap();
    eprintln!(
        "{backend:?}: 10,000 guardian updates took {:.2} s",
        started.elapsed().as_secs_f64()
    );
    assert_eq!((updated.report.created, updated.report.updated), (0, 10_000));
    let stable = store
        .import_csv(&actor, RecordKind::Pupils, &phones, false)
        .await
        .unwrap();
    assert_eq!(
        (stable.report.created, stable.report.updated),
        (0, 0),
        "the updates were written"
    );
    let renamed_all = phones.replace(",Importson,", ",Everyone,");
    let all = store
        .import_csv(&actor, RecordKind::Pupils, &renamed_all, false)
        .await
        .unwrap();
    assert_eq!(all.report.updated, 9_999, "all but the pupil renamed above");
    let q_all = ListQuery {
        q: "everyone".into(),
        per_page: 10,
        ..Default::default()
    };
    // A broad search stops counting at the cap, and its page still comes in name order.
    let broad = store.list_pupils(&PupilScope::All, &q_all).await.unwrap();
    assert!(broad.capped && broad.total == tutti_store::listing::COUNT_CAP);
    assert!(broad.rows.iter().all(|r| r.last_name == "Everyone"));
    let names: Vec<&str> = broad.rows.iter().map(|r| r.first_name.as_str()).collect();
    assert!(names.is_sorted(), "{names:?}");

    // A guardian with no email is matched by name among the pupil's own guardians.
    let no_email = "pupil_ref,first_name,last_name,date_of_birth,school_urn,guardian_name\nNOMAIL1,Ann,Gran,01/02/2016,114000,Gran Smith\n";
    let first_time = store
        .import_csv(&actor, RecordKind::Pupils, no_email, false)
        .await
        .unwrap();
    assert_eq!(first_time.report.created, 1);
    let second_time = store
        .import_csv(&actor, RecordKind::Pupils, no_email, false)
        .await
        .unwrap();
    assert_eq!((second_time.report.created, second_time.report.updated), (0, 0));

    // One event says what each import did, beside the events of the records it touched.
    let imports = store
        .audit_events(&tutti_store::platform::audit::AuditFilter {
            action: "import".into(),
            entity: "pupil".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(imports.total, 5, "one event per import that changed something");
    assert!(imports.rows.iter().any(|e| e.summary.contains("10000 created")));

    let bad = format!(
        "{}NEW1,A,B,31/02/2016,114000,,,,,,,,,\nNEW2,A,B,01/02/2016,999999,,maybe,,,,,,,\n",
        pupils_file(3, "Fresh")
    );
    let rejected = store.import_csv(&actor, RecordKind::Pupils, &bad, false).await.unwrap();
    let errors: Vec<String> = rejected.report.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        errors,
        vec![
            "Line 5, column date_of_birth: Enter a real date like 31/08/2019 or 2019-08-31",
            "Line 6, column fsm: Enter yes or no",
        ]
    );
    let unknown_school = "pupil_ref,first_name,last_name,date_of_birth,school_urn\nNEW3,A,Fresh,01/02/2016,999999\n";
    let rejected = store
        .import_csv(&actor, RecordKind::Pupils, unknown_school, false)
        .await
        .unwrap();
    assert_eq!(rejected.report.errors[0].column.as_deref(), Some("school_urn"));
    let q = ListQuery {
        q: "fresh".into(),
        per_page: 10,
        ..Default::default()
    };
    assert_eq!(
        store.list_pupils(&PupilScope::All, &q).await.unwrap().total,
        0,
        "nothing was written"
    );

    // Export writes the same columns, and importing the export changes nothing.
    for kind in RecordKind::ALL {
        let mut out = Vec::new();
        store.export_csv(kind, &mut out).await.unwrap();
        let text = String::from_utf8(out).unwrap();
        let back = store.import_csv(&actor, kind, &text, true).await.unwrap();
        assert!(back.report.is_ok(), "{kind:?}: {:?}", back.report.errors);
        assert_eq!(
            (back.report.created, back.report.updated),
            (0, 0),
            "{kind:?} round trip"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_sqlite() {
    imports_are_all_or_nothing_and_idempotent(TestBackend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_postgres() {
    imports_are_all_or_nothing_and_idempotent(TestBackend::Postgres).await
}
