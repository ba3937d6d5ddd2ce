//! Ensembles through the store on both backends, on an empty hub with a fixed clock: the
//! weekly rehearsals dated from the saved term dates (half term, bank holidays and the hub's
//! closures skipped) with ids apart from lessons', dating twice adds nothing, one-off changes;
//! the waiting list by instrument (a full instrument turns the next away, a leaver's place is
//! offered to the longest waiting, a declined offer passes on); and the rules that refuse.
use time::macros::date;
use tutti_domain::Refusal;
use tutti_domain::calendar::{DateRange, TermDates, TermId};
use tutti_domain::clock::Clock;
use tutti_domain::ensembles::{EnsembleRefusal, MembershipStatus, REHEARSAL_ID_BASE, RehearsalStatus};
use tutti_domain::terms::ClosureKind;
use tutti_store::platform::audit::Actor;
use tutti_store::records::pupils::PupilScope;
use tutti_store::teaching::ensembles::members::NewEnsembleApplication;
use tutti_store::teaching::ensembles::rehearsals::RehearsalChange;
use tutti_store::teaching::terms::{NewClosure, Whose};
use tutti_store::testing::world::{a_family, a_school, an_ensemble};
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, StoreError, on_both_backends};

on_both_backends!(
    rehearsals_follow_the_terms_and_their_ids_are_apart_from_lessons,
    the_waiting_list_is_offered_each_place_that_comes_free,
    ensembles_and_members_are_imported_whole_and_once,
);

/// A Wednesday early in the autumn term of 2026.
const DAY: time::Date = date!(2026 - 09 - 16);

async fn hub(backend: TestBackend) -> Option<(Store, TestDatabase)> {
    let db = TestDatabase::create(backend).await?;
    let store = Store::connect(&db.url).await.unwrap().with_clock(Clock::on(DAY));
    store.migrate().await.unwrap();
    Some((store, db))
}

fn refusal(e: StoreError) -> EnsembleRefusal {
    match e {
        StoreError::Refused(Refusal::Ensembles(r)) => r,
        other => panic!("not an ensemble's refusal: {other:?}"),
    }
}

async fn rehearsals_follow_the_terms_and_their_ids_are_apart_from_lessons(backend: TestBackend) {
    let Some((store, _db)) = hub(backend).await else {
        return;
    };
    let actor = Actor::cli();
    // The hub's own autumn term: 7 September to 18 December, half term 26 to 30 October, and a
    // closure on Wednesday 18 November.
    let autumn = TermDates {
        term: TermId::parse("2026-autumn").unwrap(),
        dates: DateRange::new(date!(2026 - 09 - 07), date!(2026 - 12 - 18)).unwrap(),
        half_term: DateRange::new(date!(2026 - 10 - 24), date!(2026 - 11 - 01)).unwrap(),
    };
    let whose = Whose::Authority("Our County".into());
    store.save_term(&actor, None, &whose, &autumn).await.unwrap();
    store
        .save_closure(
            &actor,
            &NewClosure {
                whose: whose.clone(),
                day: date!(2026 - 11 - 18),
                kind: ClosureKind::Closure,
                reason: "Polling day".into(),
            },
        )
        .await
        .unwrap();
    let band = an_ensemble("Wednesday Band").on(3).create(&store).await;
    let all = store
        .rehearsals(band.id, date!(2026 - 09 - 01), date!(2026 - 12 - 31))
        .await
        .unwrap();
    let days: Vec<time::Date> = all.iter().map(|r| r.date).collect();
    assert_eq!(days[0], DAY, "from today, a Wednesday");
    assert!(!days.contains(&date!(2026 - 10 - 28)), "half term");
    assert!(days.contains(&date!(2026 - 11 - 04)));
    assert!(!days.contains(&date!(2026 - 11 - 18)), "the closure");
    assert_eq!(*days.last().unwrap(), date!(2026 - 12 - 16));
    assert!(all.iter().all(|r| r.id > REHEARSAL_ID_BASE));
    // Dating again adds nothing.
    assert_eq!(store.date_rehearsals(band.id, DAY).await.unwrap(), 0);

    // One-off changes: cancelled, moved, an extra one before a concert.
    let first = all[0].id;
    store
        .change_rehearsal(
            &actor,
            band.id,
            &RehearsalChange::Cancel {
                rehearsal_id: first,
                note: "Hall flooded".into(),
            },
        )
        .await
        .unwrap();
    let moved = all[1].id;
    store
        .change_rehearsal(
            &actor,
            band.id,
            &RehearsalChange::Move {
                rehearsal_id: moved,
                to: date!(2026 - 09 - 27),
                start_minute: 600,
                end_minute: 720,
                note: String::new(),
            },
        )
        .await
        .unwrap();
    let extra = store
        .change_rehearsal(
            &actor,
            band.id,
            &RehearsalChange::Extra {
                day: date!(2026 - 12 - 17),
                start_minute: 1080,
                end_minute: 1200,
                note: "Before the concert".into(),
            },
        )
        .await
        .unwrap();
    assert!(extra > all.last().unwrap().id, "a new id, still apart from lessons'");
    let r = store.rehearsal(first).await.unwrap().unwrap();
    assert_eq!(
        (r.status, r.note.as_str()),
        (RehearsalStatus::Cancelled, "Hall flooded")
    );
    let r = store.rehearsal(moved).await.unwrap().unwrap();
    assert_eq!(
        (r.date, r.moved_from),
        (date!(2026 - 09 - 27), Some(date!(2026 - 09 - 23)))
    );
    // Dating again does not bring the moved one back on its old day.
    assert_eq!(store.date_rehearsals(band.id, DAY).await.unwrap(), 0);
    // Another ensemble's rehearsal is not this one's to change.
    let other = an_ensemble("Other").create(&store).await;
    let e = store
        .change_rehearsal(
            &actor,
            other.id,
            &RehearsalChange::Cancel {
                rehearsal_id: first,
                note: String::new(),
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound));
}

async fn the_waiting_list_is_offered_each_place_that_comes_free(backend: TestBackend) {
    let Some((store, _db)) = hub(backend).await else {
        return;
    };
    let actor = Actor::cli();
    let school = a_school().create(&store).await;
    let mut children = Vec::new();
    for _ in 0..4 {
        children.push(a_family(&school).create(&store).await.children[0]);
    }
    let band = an_ensemble("Cornet Band")
        .wanting(&[("Cornet", 1)])
        .for_ages(7, 12)
        .create(&store)
        .await;
    let apply = |pupil: i64, instrument: &str| NewEnsembleApplication {
        ensemble_id: band.id,
        pupil_id: pupil,
        instrument: instrument.into(),
        grade: 2,
    };
    let all = PupilScope::All;
    let (member, s) = store
        .apply_to_ensemble(&actor, &all, &apply(children[0], "Cornet"))
        .await
        .unwrap();
    assert_eq!(s, MembershipStatus::Accepted);
    let (first, s) = store
        .apply_to_ensemble(&actor, &all, &apply(children[1], "Cornet"))
        .await
        .unwrap();
    assert_eq!(s, MembershipStatus::Waiting);
    let (second, s) = store
        .apply_to_ensemble(&actor, &all, &apply(children[2], "Cornet"))
        .await
        .unwrap();
    assert_eq!(s, MembershipStatus::Waiting);
    // Refusals: twice, an instrument not wanted, another family's child for a parent.
    let e = store
        .apply_to_ensemble(&actor, &all, &apply(children[1], "Cornet"))
        .await
        .unwrap_err();
    assert_eq!(
        refusal(e),
        EnsembleRefusal::AlreadyApplied {
            status: MembershipStatus::Waiting
        }
    );
    let e = store
        .apply_to_ensemble(&actor, &all, &apply(children[3], "Harp"))
        .await
        .unwrap_err();
    assert!(matches!(refusal(e), EnsembleRefusal::InstrumentNotWanted { .. }));
    let e = store
        .apply_to_ensemble(
            &actor,
            &PupilScope::Guardian("nobody@example.com".into()),
            &apply(children[3], "Cornet"),
        )
        .await
        .unwrap_err();
    assert_eq!(refusal(e), EnsembleRefusal::NoPupil);
    let e = store
        .accept_ensemble_application(&actor, band.id, first)
        .await
        .unwrap_err();
    assert_eq!(refusal(e), EnsembleRefusal::InstrumentFull);

    // The member leaves: the longest waiting is offered the place; declined, it passes on.
    let offered = store.leave_ensemble(&actor, band.id, member, DAY).await.unwrap();
    assert_eq!(offered, Some(first));
    store
        .decline_ensemble_application(&actor, band.id, first)
        .await
        .unwrap();
    let next = store.ensemble_application(band.id, second).await.unwrap().unwrap();
    assert_eq!(next.status, MembershipStatus::Offered);
    store
        .accept_ensemble_application(&actor, band.id, second)
        .await
        .unwrap();
    let band = store.ensemble(band.id).await.unwrap().unwrap();
    assert_eq!((band.instrumentation[0].held, band.instrumentation[0].waiting), (1, 0));
    // Having left, the first member may apply again; they wait.
    let (_, s) = store
        .apply_to_ensemble(&actor, &all, &apply(children[0], "Cornet"))
        .await
        .unwrap();
    assert_eq!(s, MembershipStatus::Waiting);
}

async fn ensembles_and_members_are_imported_whole_and_once(backend: TestBackend) {
    let Some((store, _db)) = hub(backend).await else {
        return;
    };
    let actor = Actor::cli();
    let school = a_school().create(&store).await;
    let family = a_family(&school).create(&store).await;
    let file = "name,kind,level,entry,area,venue,day,start,end,min_age,max_age,min_grade,fee,instrumentation\n\
                County Youth Orchestra,orchestra,county,audition,County,Music Centre,Saturday,10:00,12:30,11,18,6,65.00,Violin 16; Oboe 2\n\
                Junior Choir,choir,entry,open,Durham,,Tuesday,17:00,18:00,,,,,\n";
    let done = store.import_ensembles_csv(&actor, file, false).await.unwrap();
    assert!(done.report.is_ok(), "{:?}", done.report.errors);
    assert_eq!(done.report.created, 2);
    let again = store.import_ensembles_csv(&actor, file, false).await.unwrap();
    assert_eq!((again.report.created, again.report.unchanged), (0, 2));
    let choir = store.ensemble_by_slug("junior-choir").await.unwrap().unwrap();
    assert!(
        !store
            .rehearsals(choir.id, DAY, date!(2027 - 08 - 31))
            .await
            .unwrap()
            .is_empty()
    );
    // An unknown pupil names its line, and nothing of the file is kept.
    let pupil_ref = family.pupil_refs[0].clone();
    let members = format!(
        "ensemble,pupil_ref,instrument,part\nJunior Choir,{pupil_ref},Voice,Alto\ncounty-youth-orchestra,NOBODY1,Violin,\n"
    );
    let refused = store
        .import_ensemble_members_csv(&actor, &members, false)
        .await
        .unwrap();
    assert_eq!(refused.report.errors.len(), 1);
    assert_eq!(refused.report.errors[0].line, 3);
    assert!(store.ensemble_applications(choir.id).await.unwrap().is_empty());
    let members = format!("ensemble,pupil_ref,instrument,part\nJunior Choir,{pupil_ref},Voice,Alto\n");
    let done = store
        .import_ensemble_members_csv(&actor, &members, false)
        .await
        .unwrap();
    assert_eq!(done.report.created, 1);
    let again = store
        .import_ensemble_members_csv(&actor, &members, false)
        .await
        .unwrap();
    assert_eq!((again.report.created, again.report.unchanged), (0, 1));
    let member = &store.ensemble_applications(choir.id).await.unwrap()[0];
    assert_eq!(
        (member.status, member.part.as_deref()),
        (MembershipStatus::Accepted, Some("Alto"))
    );
}
