//! Proposed timetables start from the current one (decision 0057): a proposal on a hub
//! whose timetable is already good moves little and never costs more. And a proposal for
//! the Durham-sized demo hub (150 teachers, 350 schools) is ready within the time the
//! office chose: ignored by default (seeding takes a while); run with
//! `cargo test -p tutti-store --test proposals -- --ignored --nocapture`.
use std::time::Instant;
use time::macros::date;
use tutti_domain::clock::Clock;

use tutti_domain::calendar::{AcademicYear, TermId, default_term_dates};
use tutti_store::demo::DemoSize;
use tutti_store::platform::audit::Actor;
use tutti_store::teaching::proposals::ProposalResult;
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, on_both_backends};

on_both_backends!(a_good_timetable_moves_little_and_never_costs_more);

/// The term the store's clock is in, or the next one in a holiday.
fn current_term(store: &Store) -> TermId {
    let today = store.today();
    let year = AcademicYear::containing(today);
    default_term_dates(year)
        .into_iter()
        .find(|t| t.dates.last >= today)
        .unwrap_or(default_term_dates(year.next())[0])
        .term
}

async fn propose(store: &Store, term: TermId, seconds: u32) -> (i64, ProposalResult) {
    let id = store.request_proposal(&Actor::cli(), term, seconds).await.unwrap();
    store.run_proposal(id).await.unwrap();
    let p = store.proposal(id).await.unwrap();
    assert_eq!(p.status, "ready", "{:?}", p.error);
    (id, p.result.unwrap())
}

async fn a_good_timetable_moves_little_and_never_costs_more(backend: TestBackend) {
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let store = Store::connect(&db.url)
        .await
        .unwrap()
        .with_clock(Clock::on(date!(2026 - 09 - 16)));
    store.migrate().await.unwrap();
    store.seed_demo(1, DemoSize::SMALL).await.unwrap();
    let term = current_term(&store);
    // The demo's timetable breaks rules (pupils with two lessons on a day): the first
    // proposal repairs them, moving only what it must or what gains.
    let (id, first) = propose(&store, term, 2).await;
    println!(
        "{:?} -> {:?}: {} of {} groups move",
        first.before,
        first.after,
        first.moves.len(),
        first.groups
    );
    assert_eq!(first.after.broken_rules, 0);
    assert!(first.before.broken_rules > 0, "{:?}", first.before);
    assert!(
        first.moves.len() * 2 < first.groups,
        "{} of {} groups moved",
        first.moves.len(),
        first.groups
    );
    store.accept_proposal(&Actor::cli(), id).await.unwrap();

    // Now the timetable is good and valid: a second proposal costs no more and moves few.
    let (_, again) = propose(&store, term, 2).await;
    println!(
        "{:?} -> {:?}: {} of {} groups move",
        again.before,
        again.after,
        again.moves.len(),
        again.groups
    );
    assert_eq!(again.before.broken_rules, 0, "{:?}", again.before);
    assert_eq!(again.after.broken_rules, 0);
    assert!(
        again.after.cost <= again.before.cost,
        "{:?} -> {:?}",
        again.before,
        again.after
    );
    assert!(
        again.moves.len() * 10 <= again.groups,
        "{} of {} groups moved",
        again.moves.len(),
        again.groups
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn durham_proposal_is_ready_within_ten_seconds() {
    let db = TestDatabase::create(TestBackend::Sqlite).await.unwrap();
    let store = Store::connect(&db.url)
        .await
        .unwrap()
        .with_clock(Clock::on(date!(2026 - 09 - 16)));
    store.migrate().await.unwrap();
    let seeding = Instant::now();
    store.seed_demo(1, DemoSize::DURHAM).await.unwrap();
    println!("seeded the Durham demo in {:.1} s", seeding.elapsed().as_secs_f64());
    let term = current_term(&store);
    let id = store.request_proposal(&Actor::cli(), term, 10).await.unwrap();
    let started = Instant::now();
    store.run_proposal(id).await.unwrap();
    let elapsed = started.elapsed().as_secs_f64();
    let p = store.proposal(id).await.unwrap();
    assert_eq!(p.status, "ready", "{:?}", p.error);
    let r = p.result.unwrap();
    println!(
        "{} groups ({} pinned): ready in {elapsed:.2} s (search {:.2} s); cost {} -> {}, travel {} -> {}, \
         visits {} -> {}, idle {} -> {}, unplaced {} -> {}, broken rules {} -> {}; {} groups move",
        r.groups,
        r.pinned,
        r.solve_seconds,
        r.before.cost,
        r.after.cost,
        r.before.travel,
        r.after.travel,
        r.before.visits,
        r.after.visits,
        r.before.idle,
        r.after.idle,
        r.before.unplaced,
        r.after.unplaced,
        r.before.broken_rules,
        r.after.broken_rules,
        r.moves.len()
    );
    assert!(elapsed <= 10.0, "ready in {elapsed:.2} s");
    assert_eq!(r.after.broken_rules, 0);
    let accepting = Instant::now();
    let moved = store.accept_proposal(&Actor::cli(), id).await.unwrap();
    println!(
        "accepted ({moved} groups moved, lessons re-dated) in {:.2} s",
        accepting.elapsed().as_secs_f64()
    );
}
