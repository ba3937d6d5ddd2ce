//! Migrations: applied once each, recorded where earlier versions recorded them, refused on a
//! database a newer version has migrated, and safe when two app servers start together.
use sea_orm::{ConnectionTrait, Statement};
use tutti_store::Store;
use tutti_store::on_both_backends;
use tutti_store::testing::{TestBackend, TestDatabase};

on_both_backends!(
    a_second_run_applies_nothing,
    a_newer_databases_migration_is_refused,
    two_servers_starting_together_migrate_once
);

async fn applied(store: &Store) -> Vec<String> {
    let backend = store.conn().get_database_backend();
    store
        .conn()
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT version FROM seaql_migrations ORDER BY version",
        ))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get::<String>("", "version").unwrap())
        .collect()
}

async fn a_second_run_applies_nothing(backend: TestBackend) {
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    let first = applied(&store).await;
    assert!(first.len() >= 16, "every migration is recorded: {first:?}");
    assert!(first.contains(&"m0001_platform".to_owned()));
    store.migrate().await.unwrap();
    assert_eq!(applied(&store).await, first);
}

async fn a_newer_databases_migration_is_refused(backend: TestBackend) {
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    store
        .conn()
        .execute_unprepared("INSERT INTO seaql_migrations (version, applied_at) VALUES ('m9999_from_the_future', 0)")
        .await
        .unwrap();
    let err = store.migrate().await.unwrap_err().to_string();
    assert!(err.contains("m9999_from_the_future"), "{err}");
    assert!(err.contains("newer version"), "{err}");
}

async fn two_servers_starting_together_migrate_once(backend: TestBackend) {
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let one = Store::connect(&db.url).await.unwrap();
    let two = Store::connect(&db.url).await.unwrap();
    let (a, b) = tokio::join!(one.migrate(), two.migrate());
    // On SQLite one writer waits for the other; either way both end with one schema.
    a.unwrap();
    b.unwrap();
    let versions = applied(&one).await;
    let mut unique = versions.clone();
    unique.dedup();
    assert_eq!(versions, unique);
    assert!(versions.len() >= 16);
}
