//! `tutti audit verify` as an operator runs it: the chain intact after ordinary work, and an
//! event changed or deleted directly in the database found (exit 1), on SQLite and, when
//! TUTTI_TEST_POSTGRES_URL is set, PostgreSQL. And `tutti privacy export --pupil REF`.
use std::process::Command;

use tutti_store::platform::audit::{Action, Actor};
use tutti_store::sea_orm::ConnectionTrait;
use tutti_store::testing::world::{a_family, a_school};
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, on_both_backends};

const BIN: &str = env!("CARGO_BIN_EXE_tutti");

on_both_backends!(verify_finds_an_event_changed_or_deleted);

fn tutti(args: Vec<String>) -> (bool, String) {
    let out = Command::new(BIN).args(args).output().expect("run tutti");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
}

async fn verify_finds_an_event_changed_or_deleted(backend: TestBackend) {
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    let school = a_school().create(&store).await;
    let family = a_family(&school).create(&store).await;
    for _ in 0..3 {
        store
            .audit(&Actor::cli(), Action::View, "pupil", Some(family.children[0]), "viewed")
            .await
            .unwrap();
    }
    let url = db.url.clone();
    let verify = move || {
        let url = url.clone();
        tokio::task::spawn_blocking(move || tutti(vec!["audit".into(), "verify".into(), "--database-url".into(), url]))
    };
    let (ok, out) = verify().await.unwrap();
    assert!(ok, "{out}");
    assert!(out.contains("the chain is intact"), "{out}");

    // The export of the family's child, by reference.
    let dir = std::env::temp_dir().join(format!("tutti-sar-{}-{}", std::process::id(), family.children[0]));
    let file = dir.with_extension("zip");
    let (ok, out) = {
        let args = vec![
            "privacy".into(),
            "export".into(),
            "--database-url".into(),
            db.url.clone(),
            "--pupil".into(),
            family.pupil_refs[0].clone(),
            "--out".into(),
            file.display().to_string(),
        ];
        tokio::task::spawn_blocking(move || tutti(args)).await.unwrap()
    };
    assert!(ok, "{out}");
    assert_eq!(&std::fs::read(&file).unwrap()[..4], b"PK\x03\x04");
    let _ = std::fs::remove_file(&file);

    // Changed in the database: found, exit 1.
    store
        .conn()
        .execute_unprepared("UPDATE audit_events SET summary = 'nothing happened' WHERE id = 2")
        .await
        .unwrap();
    let (ok, out) = verify().await.unwrap();
    assert!(!ok, "{out}");
    assert!(out.contains("event 2: changed after it was written"), "{out}");
    // Deleted: the event after it no longer chains on.
    store
        .conn()
        .execute_unprepared("DELETE FROM audit_events WHERE id = 2")
        .await
        .unwrap();
    let (ok, out) = verify().await.unwrap();
    assert!(!ok, "{out}");
    assert!(out.contains("event 3: an event before it is missing"), "{out}");
}
