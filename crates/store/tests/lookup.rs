//! Finding records by part of a name for the office's pickers, on both backends: every word
//! must match, in any case, wildcards typed are only characters, archived records are never
//! offered but keep their names for the audit log, and keys are found in any case.
use time::macros::date;
use tutti_domain::clock::Clock;
use tutti_store::platform::audit::Actor;
use tutti_store::records::lookup::LookupKind;
use tutti_store::testing::world::{a_family, a_school, a_teacher, an_instrument};
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, on_both_backends};

on_both_backends!(records_are_found_by_every_word_and_named_even_when_archived);

async fn records_are_found_by_every_word_and_named_even_when_archived(backend: TestBackend) {
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let store = Store::connect(&db.url)
        .await
        .unwrap()
        .with_clock(Clock::on(date!(2026 - 09 - 16)));
    store.migrate().await.unwrap();
    let oakfield = a_school()
        .named("Oakfield Primary")
        .in_area("Leeds")
        .create(&store)
        .await;
    a_school().named("Oak_tree 50% School").create(&store).await;
    let family = a_family(&oakfield)
        .carer_named("Pat Carer")
        .first_child("Amelia", date!(2017 - 05 - 20))
        .create(&store)
        .await;
    let teacher = a_teacher().named("Bertha", "Bowstring").create(&store).await;
    let cello = an_instrument().of_type("cello").create(&store).await;

    let names = |found: Vec<tutti_store::records::lookup::Found>| -> Vec<String> {
        found.into_iter().map(|f| f.name).collect()
    };
    assert_eq!(
        names(store.lookup(LookupKind::School, "oak LEEDS", 20).await.unwrap()),
        ["Oakfield Primary"]
    );
    // "_" and "%" are characters here, not wildcards.
    assert_eq!(
        names(store.lookup(LookupKind::School, "50%", 20).await.unwrap()),
        ["Oak_tree 50% School"]
    );
    assert_eq!(
        names(store.lookup(LookupKind::School, "k_t", 20).await.unwrap()),
        ["Oak_tree 50% School"]
    );
    let amelia = store.lookup(LookupKind::Pupil, "amelia oakfield", 20).await.unwrap();
    assert_eq!(amelia.len(), 1);
    assert_eq!(amelia[0].detail, "Oakfield Primary");
    assert_eq!(amelia[0].key, family.pupil_refs[0]);
    // A family's parent or carer: by part of their name or email, their email the key.
    let carer = store.lookup(LookupKind::Guardian, "pat", 20).await.unwrap();
    assert_eq!(names(carer.clone()), ["Pat Carer"]);
    assert_eq!(carer[0].key, family.email);
    let by_email = store
        .lookup_key(LookupKind::Guardian, &family.email.to_uppercase())
        .await
        .unwrap()
        .expect("an email in any case");
    assert_eq!(by_email.id, carer[0].id);
    let by_ref = store
        .lookup_key(LookupKind::Pupil, &family.pupil_refs[0].to_lowercase())
        .await
        .unwrap()
        .expect("a reference in any case");
    assert_eq!(by_ref.id, family.children[0]);
    let by_email = store
        .lookup_key(LookupKind::Staff, &teacher.staff.email.to_uppercase())
        .await
        .unwrap();
    assert_eq!(by_email.map(|f| f.name).as_deref(), Some("Bertha Bowstring"));
    assert!(store.lookup(LookupKind::Staff, "", 20).await.unwrap().is_empty());

    // Archived: not offered, not picked, but still named.
    store.archive_instrument(&Actor::cli(), cello.id).await.unwrap();
    assert!(
        store
            .lookup(LookupKind::Instrument, "cello", 20)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .lookup_id(LookupKind::Instrument, cello.id)
            .await
            .unwrap()
            .is_none()
    );
    let named = store
        .record_names(&[(LookupKind::Instrument, cello.id), (LookupKind::School, oakfield.id)])
        .await
        .unwrap();
    assert_eq!(named[&(LookupKind::Instrument, cello.id)].name, "cello");
    assert_eq!(named[&(LookupKind::School, oakfield.id)].name, "Oakfield Primary");
}
