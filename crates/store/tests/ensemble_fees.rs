//! Ensemble fees through the store on both backends (decision 0085), on an empty hub with a
//! fixed clock: a term's billing run invoices members with the policy's ensemble remissions
//! and family cap, once; notice to leave follows the notice rule (before the deadline the
//! next term is not billed, after it the next term still is) and offers the place; a Virtual
//! Music Centre strand is paid once through the basket and not billed again, and another
//! family cannot sign someone else's child up.
use time::macros::date;
use tutti_domain::calendar::{AcademicYear, TermId};
use tutti_domain::charging::{ChargeKind, ChargingPolicy, EnsembleReduction};
use tutti_domain::clock::{Clock, noon_in_london};
use tutti_domain::ensembles::{EnsembleRefusal, MembershipStatus};
use tutti_domain::{Pence, Refusal};
use tutti_store::money::payments::provider::{EventKind as ProviderEventKind, ProviderEvent};
use tutti_store::platform::audit::Actor;
use tutti_store::records::pupils::PupilScope;
use tutti_store::teaching::ensembles::members::NewEnsembleApplication;
use tutti_store::testing::world::{a_family, a_school, an_ensemble};
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, StoreError, on_both_backends};

on_both_backends!(
    a_run_bills_ensemble_fees_with_remissions_and_the_family_cap_once,
    notice_to_leave_follows_the_notice_rule_and_frees_the_place,
    a_strand_is_paid_once_through_the_basket_and_not_billed_again,
);

async fn hub(backend: TestBackend, day: time::Date) -> Option<(Store, TestDatabase)> {
    let db = TestDatabase::create(backend).await?;
    let store = Store::connect(&db.url).await.unwrap().with_clock(Clock::on(day));
    store.migrate().await.unwrap();
    Some((store, db))
}

fn refusal(e: StoreError) -> EnsembleRefusal {
    match e {
        StoreError::Refused(Refusal::Ensembles(r)) => r,
        other => panic!("not an ensemble's refusal: {other:?}"),
    }
}

fn autumn() -> TermId {
    TermId::parse("2026-autumn").unwrap()
}

async fn join(store: &Store, ensemble_id: i64, pupil_id: i64, instrument: &str) -> i64 {
    let (id, status) = store
        .apply_to_ensemble(
            &Actor::cli(),
            &PupilScope::All,
            &NewEnsembleApplication {
                ensemble_id,
                pupil_id,
                instrument: instrument.into(),
                grade: 3,
            },
        )
        .await
        .unwrap();
    assert_eq!(status, MembershipStatus::Accepted);
    id
}

/// The ensemble lines of a plan: (pupil id, ensemble id, pence), invoice by invoice.
fn ensemble_lines(plan: &tutti_domain::billing::RunPlan) -> Vec<(i64, i64, i64)> {
    plan.invoices
        .iter()
        .flat_map(|i| &i.lines)
        .filter(|l| l.kind == ChargeKind::Ensemble)
        .map(|l| (l.pupil_id, l.subject_id, l.amount_pence.0))
        .collect()
}

async fn a_run_bills_ensemble_fees_with_remissions_and_the_family_cap_once(backend: TestBackend) {
    let Some((store, _db)) = hub(backend, date!(2026 - 09 - 16)).await else {
        return;
    };
    let actor = Actor::cli();
    let mut policy = ChargingPolicy::durham();
    policy.ensembles.free_school_meals = Some(EnsembleReduction::FixedFee { fee: Pence(1_000) });
    policy.ensembles.family_cap = Some(Pence(10_000));
    store
        .save_charging_policy(&actor, AcademicYear::starting(2026), &policy)
        .await
        .unwrap();
    let school = a_school().create(&store).await;
    let two = a_family(&school)
        .with_child("Second", date!(2016 - 03 - 01))
        .create(&store)
        .await;
    let fsm = a_family(&school).on_free_school_meals().create(&store).await;
    let looked_after = a_family(&school).looked_after().create(&store).await;
    let choir_only = a_family(&school).create(&store).await;
    let band = an_ensemble("Brass Band").costing(Pence(4_000)).create(&store).await;
    let orchestra = an_ensemble("County Orchestra")
        .costing(Pence(4_500))
        .create(&store)
        .await;
    let choir = an_ensemble("Community Choir").create(&store).await;
    let (first, second) = (two.children[0], two.children[1]);
    join(&store, band.id, first, "Cornet").await;
    join(&store, orchestra.id, first, "Violin").await;
    join(&store, band.id, second, "Tuba").await;
    join(&store, orchestra.id, fsm.children[0], "Viola").await;
    join(&store, orchestra.id, looked_after.children[0], "Cello").await;
    join(&store, choir.id, choir_only.children[0], "Voice").await;

    // The preview (a dry run) shows the lines the run then issues.
    let dry = store.run_billing(&actor, autumn(), true, &|_| {}).await.unwrap();
    // The family of two: £40.00 + £45.00 for the first child; the second's £40.00 is held to
    // the £100.00 cap: £15.00. Free school meals: £10.00. Looked after: £0.00. The free choir:
    // nothing, so no invoice for that family.
    let expected = vec![
        (first, band.id, 4_000),
        (first, orchestra.id, 4_500),
        (second, band.id, 1_500),
        (fsm.children[0], orchestra.id, 1_000),
        (looked_after.children[0], orchestra.id, 0),
    ];
    let mut got = ensemble_lines(&dry.plan);
    got.sort_by_key(|l| (l.0, l.1));
    let mut want = expected.clone();
    want.sort_by_key(|l| (l.0, l.1));
    assert_eq!(got, want);
    assert_eq!(dry.invoice_count, 3);
    let capped = dry
        .plan
        .invoices
        .iter()
        .flat_map(|i| &i.lines)
        .find(|l| l.pupil_id == second)
        .unwrap();
    assert_eq!(
        capped.rule,
        "Ensemble fee £40.00 − family cap on ensemble fees (£100.00 a term) £25.00 = £15.00"
    );
    assert!(capped.description.starts_with("Brass Band"), "{}", capped.description);
    assert!(
        capped.description.ends_with(" (ensemble), Autumn 2026"),
        "{}",
        capped.description
    );

    let run = store.run_billing(&actor, autumn(), false, &|_| {}).await.unwrap();
    assert!(run.run_id.is_some());
    assert_eq!((run.invoice_count, run.line_count, run.total_pence), (3, 5, 11_000));
    // Twice: nothing new.
    let again = store.run_billing(&actor, autumn(), false, &|_| {}).await.unwrap();
    assert_eq!((again.run_id, again.invoice_count), (None, 0));
}

async fn notice_to_leave_follows_the_notice_rule_and_frees_the_place(backend: TestBackend) {
    // They joined in September.
    let Some((store, _db)) = hub(backend, date!(2026 - 09 - 16)).await else {
        return;
    };
    let actor = Actor::cli();
    let school = a_school().create(&store).await;
    let early = a_family(&school).with_login("a long password 1").create(&store).await;
    let late = a_family(&school).with_login("a long password 2").create(&store).await;
    let waiting = a_family(&school).create(&store).await;
    let band = an_ensemble("Cornet Band")
        .wanting(&[("Cornet", 2)])
        .costing(Pence(3_000))
        .create(&store)
        .await;
    let early_member = join(&store, band.id, early.children[0], "Cornet").await;
    let late_member = join(&store, band.id, late.children[0], "Cornet").await;
    let (queued, status) = store
        .apply_to_ensemble(
            &actor,
            &PupilScope::All,
            &NewEnsembleApplication {
                ensemble_id: band.id,
                pupil_id: waiting.children[0],
                instrument: "Cornet".into(),
                grade: 2,
            },
        )
        .await
        .unwrap();
    assert_eq!(status, MembershipStatus::Waiting);
    // Friday 20 November 2026: in time for the spring term (Durham's rule: by 30 November).
    store.clock().set(noon_in_london(date!(2026 - 11 - 20)));
    let early_scope = PupilScope::for_user(early.user.as_ref().unwrap());
    let late_scope = PupilScope::for_user(late.user.as_ref().unwrap());

    // Another family cannot see, or give notice for, this child's membership.
    assert!(matches!(
        store.ensemble_notice_preview(&late_scope, early_member).await,
        Err(StoreError::NotFound)
    ));
    let (_, notice) = store.ensemble_notice_preview(&early_scope, early_member).await.unwrap();
    assert_eq!(notice.last_term, autumn());
    assert_eq!(notice.last_day, date!(2026 - 12 - 18));
    assert_eq!(notice.leaves_on, date!(2026 - 12 - 19));
    assert!(!notice.next_term_payable);
    let (given, offered) = store
        .give_ensemble_notice(&actor, &early_scope, early_member)
        .await
        .unwrap();
    assert_eq!(given.leaves_on, date!(2026 - 12 - 19));
    assert_eq!(offered, Some(queued), "the place goes to the waiting list");
    let e = store
        .give_ensemble_notice(&actor, &early_scope, early_member)
        .await
        .unwrap_err();
    assert_eq!(
        refusal(e),
        EnsembleRefusal::NoticeAlreadyGiven {
            last_day: date!(2026 - 12 - 18)
        }
    );
    // Still a member (and on the registers) to the end of the autumn term.
    let app = store
        .ensemble_application(band.id, early_member)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(app.left_on, Some(date!(2026 - 12 - 19)));

    // Tuesday 1 December: the spring invoices' month has begun, so spring is still payable.
    store.clock().set(noon_in_london(date!(2026 - 12 - 01)));
    let (notice, _) = store
        .give_ensemble_notice(&actor, &late_scope, late_member)
        .await
        .unwrap();
    assert_eq!(notice.last_term, TermId::parse("2027-spring").unwrap());
    assert!(notice.next_term_payable);

    // The autumn run bills both; the spring run only the one whose notice came late.
    let autumn_run = store.run_billing(&actor, autumn(), true, &|_| {}).await.unwrap();
    let mut billed: Vec<i64> = ensemble_lines(&autumn_run.plan).iter().map(|l| l.0).collect();
    billed.sort();
    let mut both = vec![early.children[0], late.children[0]];
    both.sort();
    assert_eq!(billed, both);
    let spring = TermId::parse("2027-spring").unwrap();
    let spring_run = store.run_billing(&actor, spring, true, &|_| {}).await.unwrap();
    let billed: Vec<i64> = ensemble_lines(&spring_run.plan).iter().map(|l| l.0).collect();
    assert_eq!(billed, vec![late.children[0]]);
}

async fn a_strand_is_paid_once_through_the_basket_and_not_billed_again(backend: TestBackend) {
    let Some((store, _db)) = hub(backend, date!(2026 - 09 - 16)).await else {
        return;
    };
    let actor = Actor::cli();
    let school = a_school().create(&store).await;
    let family = a_family(&school).with_login("a long password 1").create(&store).await;
    let other = a_family(&school).with_login("a long password 2").create(&store).await;
    let user = family.user.clone().unwrap();
    let scope = PupilScope::for_user(&user);
    let strand = an_ensemble("Online Theory Strand")
        .online_at("https://meet.example.org/theory")
        .costing(Pence(2_000))
        .create(&store)
        .await;
    let free = an_ensemble("Online Singing Strand")
        .online_at("https://meet.example.org/sing")
        .create(&store)
        .await;
    let in_person = an_ensemble("Town Band").costing(Pence(3_000)).create(&store).await;
    assert_eq!(
        refusal(store.set_ensemble_strand(&actor, in_person.id, true).await.unwrap_err()),
        EnsembleRefusal::StrandNotOnline
    );
    store.set_ensemble_strand(&actor, strand.id, true).await.unwrap();
    store.set_ensemble_strand(&actor, free.id, true).await.unwrap();
    let sign_up = |ensemble_id: i64, pupil_id: i64| NewEnsembleApplication {
        ensemble_id,
        pupil_id,
        instrument: "Voice".into(),
        grade: 0,
    };

    // Another family cannot sign this child up: as if there were no such child.
    let other_scope = PupilScope::for_user(other.user.as_ref().unwrap());
    let e = store
        .sign_up_for_strand(
            &actor,
            other.user.as_ref().unwrap().id,
            &other_scope,
            &sign_up(strand.id, family.children[0]),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound), "{e:?}");
    let e = store
        .sign_up_for_strand(&actor, user.id, &scope, &sign_up(in_person.id, family.children[0]))
        .await
        .unwrap_err();
    assert_eq!(refusal(e), EnsembleRefusal::NotAStrand);

    let done = store
        .sign_up_for_strand(&actor, user.id, &scope, &sign_up(strand.id, family.children[0]))
        .await
        .unwrap();
    assert_eq!(done.status, MembershipStatus::Accepted);
    let place = done.place.unwrap();
    assert_eq!(
        (place.term.as_str(), place.amount_pence, place.status.as_str()),
        ("2026-autumn", 2_000, "in_basket")
    );
    let basket = store.basket(user.id).await.unwrap();
    assert_eq!(basket.len(), 1);
    assert_eq!((basket[0].kind.as_str(), basket[0].amount_pence), ("strand", 2_000));

    // Paid through the card provider, once.
    let checkout = store.open_checkout(user.id, "test").await.unwrap();
    store
        .set_checkout_session(checkout.id, &format!("cs_{}", checkout.id))
        .await
        .unwrap();
    for _ in 0..2 {
        store
            .apply_provider_event(
                "test",
                &ProviderEvent {
                    id: format!("evt_{}", checkout.id),
                    kind: ProviderEventKind::CheckoutCompleted {
                        session_id: format!("cs_{}", checkout.id),
                        reference: checkout.reference.clone(),
                        amount: Pence(checkout.amount_pence),
                    },
                },
            )
            .await
            .unwrap();
    }
    let places = store.strand_places_of(&scope).await.unwrap();
    assert_eq!(places.len(), 1);
    assert_eq!(places[0].status, "paid");
    assert!(store.basket(user.id).await.unwrap().is_empty());
    // Asking again gives the same paid place, and nothing new in the basket.
    let again = store
        .strand_place_to_basket(&actor, user.id, &scope, done.application_id)
        .await
        .unwrap();
    assert_eq!((again.id, again.status.as_str()), (place.id, "paid"));
    assert!(store.basket(user.id).await.unwrap().is_empty());

    // A free strand needs no payment.
    let free_done = store
        .sign_up_for_strand(&actor, user.id, &scope, &sign_up(free.id, family.children[0]))
        .await
        .unwrap();
    assert_eq!(free_done.place.unwrap().status, "paid");
    assert!(store.basket(user.id).await.unwrap().is_empty());

    // The term's run does not bill the strand again.
    let run = store.run_billing(&actor, autumn(), false, &|_| {}).await.unwrap();
    assert!(ensemble_lines(&run.plan).is_empty(), "{:?}", run.plan);
}
