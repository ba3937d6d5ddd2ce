//! The store's own promises, on SQLite and on PostgreSQL: session timeouts, single-use
//! tokens, the demo seeder's idempotence and refusal, and the last-admin guard.
use time::Duration;
use tutti_store::Store;
use tutti_store::StoreError;
use tutti_store::demo::{DemoSize, Seeded};
use tutti_store::platform::accounts::{NewUser, Role};
use tutti_store::platform::sessions::SessionPolicy;
use tutti_store::platform::tokens::Purpose;
use tutti_store::testing::{TestBackend, TestDatabase};

use tutti_store::on_both_backends;

on_both_backends!(
    sessions_end_when_idle_or_too_old,
    emailed_tokens_work_once_and_for_their_purpose,
    demo_seeds_once_and_refuses_real_data,
    the_last_admin_stays
);

async fn open(backend: TestBackend) -> Option<(TestDatabase, Store)> {
    let db = TestDatabase::create(backend).await?;
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    Some((db, store))
}

fn person(email: &str, role: Role) -> NewUser {
    NewUser {
        email: email.into(),
        name: "Test Person".into(),
        password: "a good long passphrase".into(),
        role,
        email_verified: true,
        school_id: None,
        staff_id: None,
        pupil_id: None,
        is_demo: false,
    }
}

async fn sessions_end_when_idle_or_too_old(backend: TestBackend) {
    let Some((_db, store)) = open(backend).await else {
        return;
    };
    let user = store.create_user(person("a@example.com", Role::Parent)).await.unwrap();
    let normal = SessionPolicy::default();
    let (token, _) = store.create_session(Some(user.id), normal).await.unwrap();
    let live = store
        .load_session(&token, normal)
        .await
        .unwrap()
        .expect("a fresh session is live");
    assert_eq!(live.user.unwrap().id, user.id);
    // Judged by a policy with no idle allowance, the same session has been idle too long,
    // and is deleted: it stays gone under the normal policy.
    let strict = SessionPolicy {
        idle: Duration::ZERO,
        ..normal
    };
    assert!(store.load_session(&token, strict).await.unwrap().is_none());
    assert!(store.load_session(&token, normal).await.unwrap().is_none());
    // A session created with no lifetime is past its absolute expiry at once.
    let (token, _) = store
        .create_session(
            Some(user.id),
            SessionPolicy {
                absolute: Duration::ZERO,
                ..normal
            },
        )
        .await
        .unwrap();
    assert!(store.load_session(&token, normal).await.unwrap().is_none());
    // An unknown token is simply no session.
    assert!(store.load_session("not-a-token", normal).await.unwrap().is_none());
}

async fn emailed_tokens_work_once_and_for_their_purpose(backend: TestBackend) {
    let Some((_db, store)) = open(backend).await else {
        return;
    };
    let user = store.create_user(person("b@example.com", Role::Parent)).await.unwrap();
    let token = store
        .issue_token(user.id, Purpose::ResetPassword, Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(
        store.consume_token(&token, Purpose::VerifyEmail).await.unwrap(),
        None,
        "wrong purpose"
    );
    assert!(store.token_is_live(&token, Purpose::ResetPassword).await.unwrap());
    assert_eq!(
        store.consume_token(&token, Purpose::ResetPassword).await.unwrap(),
        Some(user.id)
    );
    assert_eq!(
        store.consume_token(&token, Purpose::ResetPassword).await.unwrap(),
        None,
        "used once"
    );
    let expired = store
        .issue_token(user.id, Purpose::ResetPassword, Duration::seconds(-1))
        .await
        .unwrap();
    assert_eq!(
        store.consume_token(&expired, Purpose::ResetPassword).await.unwrap(),
        None,
        "expired"
    );
}

async fn demo_seeds_once_and_refuses_real_data(backend: TestBackend) {
    let Some((_db, store)) = open(backend).await else {
        return;
    };
    let created = store.seed_demo(3, DemoSize::SMALL).await.unwrap();
    assert!(matches!(created, Seeded::Created { pupils: 240, .. }), "{created:?}");
    let counts = store.hub_counts().await.unwrap();
    assert_eq!(
        store.seed_demo(3, DemoSize::SMALL).await.unwrap(),
        Seeded::AlreadyPresent
    );
    assert_eq!(store.hub_counts().await.unwrap().pupils, counts.pupils);
    // New rows after the demo get ids past the demo's (PostgreSQL's sequences were moved on).
    let user = store.create_user(person("c@example.com", Role::Teacher)).await.unwrap();
    assert!(user.id > 6);

    let Some((_db2, real)) = open(backend).await else {
        return;
    };
    real.create_user(person("head@hub.example", Role::Admin)).await.unwrap();
    match real.seed_demo(1, DemoSize::SMALL).await {
        Err(StoreError::Demo(m)) => assert!(m.contains("holds real data"), "{m}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(real.hub_counts().await.unwrap().pupils, 0, "nothing was written");
}

async fn the_last_admin_stays(backend: TestBackend) {
    let Some((_db, store)) = open(backend).await else {
        return;
    };
    let first = store
        .create_user(person("first@example.com", Role::Admin))
        .await
        .unwrap();
    assert!(matches!(
        store.set_role(first.id, Role::Parent).await,
        Err(StoreError::Refused(_))
    ));
    assert!(matches!(
        store.set_disabled(first.id, true).await,
        Err(StoreError::Refused(_))
    ));
    let second = store
        .create_user(person("second@example.com", Role::Admin))
        .await
        .unwrap();
    store.set_disabled(first.id, true).await.unwrap();
    assert!(
        matches!(
            store.set_role(second.id, Role::Manager).await,
            Err(StoreError::Refused(_))
        ),
        "the only enabled admin"
    );
    assert!(matches!(
        store.create_user(person("FIRST@example.com", Role::Parent)).await,
        Err(StoreError::Refused(r)) if r.is_conflict()
    ));
}
