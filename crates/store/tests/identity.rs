//! The hub's first run and identity in the store: the setup code (only its hash kept, replaced
//! at every issue, gone once there is an admin), setup in one transaction, and the identity
//! and logo checked by the domain's rules.
use time::macros::date;
use tutti_domain::Refusal;
use tutti_domain::calendar::AcademicYear;
use tutti_domain::clock::Clock;
use tutti_domain::identity::{HubIdentity, IdentityProblem, LogoType};
use tutti_store::platform::audit::Actor;
use tutti_store::platform::setup::{FirstAdmin, SetupOutcome, SetupState};
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, StoreError, on_both_backends};

on_both_backends!(setup_runs_once_with_the_live_code, the_identity_and_logo_are_checked);

async fn empty(backend: TestBackend) -> Option<(Store, TestDatabase)> {
    let db = TestDatabase::create(backend).await?;
    let store = Store::connect(&db.url)
        .await
        .unwrap()
        .with_clock(Clock::on(date!(2027 - 03 - 01)));
    store.migrate().await.unwrap();
    Some((store, db))
}

fn admin() -> FirstAdmin {
    FirstAdmin {
        email: "Office@Vale.example".into(),
        name: "Office".into(),
        password: "a fine passphrase".into(),
    }
}

async fn setup_runs_once_with_the_live_code(backend: TestBackend) {
    let Some((store, _db)) = empty(backend).await else {
        return;
    };
    assert!(store.needs_setup().await.unwrap());
    assert_eq!(store.setup_state("anything").await.unwrap(), SetupState::WrongCode);
    let old = store.issue_setup_code().await.unwrap().unwrap();
    let code = store.issue_setup_code().await.unwrap().unwrap();
    assert_eq!(
        store.setup_state(&old).await.unwrap(),
        SetupState::WrongCode,
        "replaced"
    );
    assert_eq!(store.setup_state(&code).await.unwrap(), SetupState::Ready);
    let stored = store.setting("setup_code").await.unwrap().unwrap();
    assert_ne!(stored, code, "only the hash is kept");

    let vale = HubIdentity::named("Vale Music Hub");
    assert!(matches!(
        store.complete_setup(&old, &admin(), &vale, "local").await.unwrap(),
        SetupOutcome::WrongCode
    ));
    // An identity the domain refuses makes nothing, admin included.
    let err = store
        .complete_setup(&code, &admin(), &HubIdentity::named(" "), "local")
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        StoreError::Refused(Refusal::Identity(IdentityProblem::NoName))
    ));
    assert!(store.needs_setup().await.unwrap());

    let SetupOutcome::Done(done) = store.complete_setup(&code, &admin(), &vale, "local").await.unwrap() else {
        panic!("the live code sets the hub up");
    };
    let (user, record) = *done;
    assert_eq!(user.email, "office@vale.example");
    assert_eq!(record.identity.name, "Vale Music Hub");
    assert!(!store.needs_setup().await.unwrap());
    assert_eq!(store.setting("setup_code").await.unwrap(), None, "the code is retired");
    assert_eq!(store.setup_state(&code).await.unwrap(), SetupState::Gone);
    assert!(matches!(
        store.complete_setup(&code, &admin(), &vale, "local").await.unwrap(),
        SetupOutcome::Gone
    ));
    assert_eq!(store.issue_setup_code().await.unwrap(), None);
    // This academic year's policy is saved, named for the hub.
    let policy = store.charging_policy(AcademicYear::starting(2026)).await.unwrap();
    assert_eq!(
        (policy.revision, policy.policy.name.as_str()),
        (1, "Vale Music Hub 2026-27")
    );
}

async fn the_identity_and_logo_are_checked(backend: TestBackend) {
    let Some((store, _db)) = empty(backend).await else {
        return;
    };
    let actor = Actor::cli();
    assert_eq!(store.hub_identity().await.unwrap(), None);
    let mut vale = HubIdentity::named("Vale Music Hub");
    vale.phone = "not a number".into();
    let err = store.save_hub_identity(&actor, &vale).await.unwrap_err();
    assert_eq!(err.refusal().and_then(Refusal::field), Some("phone"));
    assert_eq!(store.hub_identity().await.unwrap(), None);
    // A logo needs the identity saved first.
    assert!(matches!(
        store.set_hub_logo(&actor, b"\x89PNG\r\n\x1a\nxx").await,
        Err(StoreError::NotFound)
    ));

    vale.phone = "+44 1632 960000".into();
    vale.local_authorities = vec!["Vale".into(), "".into()];
    let record = store.save_hub_identity(&actor, &vale).await.unwrap();
    assert_eq!(record.identity.phone, "01632 960000");
    assert_eq!(record.identity.local_authorities, vec!["Vale"]);

    let err = store.set_hub_logo(&actor, b"<svg><script/></svg>").await.unwrap_err();
    assert!(matches!(
        err,
        StoreError::Refused(Refusal::Identity(IdentityProblem::LogoUnsafe))
    ));
    let record = store.set_hub_logo(&actor, b"<svg viewBox='0 0 1 1'/>").await.unwrap();
    let first = record.logo.clone().unwrap();
    let record = store.set_hub_logo(&actor, b"\x89PNG\r\n\x1a\nxx").await.unwrap();
    assert_ne!(record.logo.as_ref().unwrap().file_id, first.file_id);
    let (kind, _, bytes) = store.hub_logo().await.unwrap().unwrap();
    assert_eq!(
        (kind, bytes.as_slice()),
        (LogoType::Png, b"\x89PNG\r\n\x1a\nxx".as_slice())
    );
    // Saving the identity keeps the logo; removing it leaves none.
    let record = store.save_hub_identity(&actor, &vale).await.unwrap();
    assert!(record.logo.is_some());
    store.remove_hub_logo(&actor).await.unwrap();
    assert_eq!(store.hub_logo().await.unwrap(), None);
}
