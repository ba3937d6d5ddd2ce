//! A proposed timetable for the Durham-sized demo hub (150 teachers, 350 schools) is ready
//! within the time the office chose. Ignored by default (seeding takes a while); run with
//! `cargo test --release -p tutti-store --test proposals -- --ignored --nocapture`.
use std::time::Instant;

use tutti_domain::calendar::{AcademicYear, default_term_dates};
use tutti_store::audit::Actor;
use tutti_store::demo::DemoSize;
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, today};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn durham_proposal_is_ready_within_ten_seconds() {
    let db = TestDatabase::create(TestBackend::Sqlite).await.unwrap();
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    let seeding = Instant::now();
    store.seed_demo(1, DemoSize::DURHAM).await.unwrap();
    println!("seeded the Durham demo in {:.1} s", seeding.elapsed().as_secs_f64());
    let year = AcademicYear::containing(today());
    let term = default_term_dates(year)
        .into_iter()
        .find(|t| t.dates.last >= today())
        .unwrap_or(default_term_dates(year)[0])
        .term;
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
