//! Jobs and mail claims shared by several app servers, on both backends: each app server is
//! a `Store` connected on its own to one database (its own name as a holder). A job of a key
//! runs once across them; one whose holder falls silent is taken over by one other server
//! (started again, then failed when started too often), and the silent one's late word is
//! not recorded; each unsent mail is claimed by one sender only.
use std::collections::HashSet;

use serde_json::json;
use time::macros::date;
use tutti_domain::Refusal;
use tutti_domain::calendar::TermId;
use tutti_domain::clock::Clock;
use tutti_domain::jobs::{JobRefusal, JobStatus, MAX_ATTEMPTS};
use tutti_store::platform::audit::Actor;
use tutti_store::platform::jobs::{JobKind, Progress};
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, StoreError, on_both_backends};

on_both_backends!(
    a_job_of_a_key_runs_once_across_app_servers,
    a_silent_holder_s_job_is_taken_over_once_then_failed,
    each_mail_is_claimed_by_one_sender,
    a_billing_job_records_its_summary,
);

const DAY: time::Date = date!(2026 - 09 - 16);

/// Two app servers on one new database.
async fn two_servers(backend: TestBackend) -> Option<(Store, Store, TestDatabase)> {
    let db = TestDatabase::create(backend).await?;
    let a = Store::connect(&db.url).await.unwrap().with_clock(Clock::on(DAY));
    a.migrate().await.unwrap();
    let b = Store::connect(&db.url).await.unwrap().with_clock(Clock::on(DAY));
    b.migrate().await.unwrap();
    assert_ne!(a.changes().me(), b.changes().me());
    Some((a, b, db))
}

fn already_running(e: StoreError) -> bool {
    matches!(e, StoreError::Refused(Refusal::Jobs(JobRefusal::AlreadyRunning { .. })))
}

async fn a_job_of_a_key_runs_once_across_app_servers(backend: TestBackend) {
    let Some((a, b, _db)) = two_servers(backend).await else {
        return;
    };
    let term = TermId::parse("2026-autumn").unwrap();
    let job = a.start_billing_job(&Actor::cli(), term).await.unwrap();
    assert_eq!(job.status, JobStatus::Running);
    // The other server sees it running and may not start a second.
    assert_eq!(
        b.running_job(JobKind::BillingRun).await.unwrap().map(|j| j.id),
        Some(job.id)
    );
    assert!(already_running(
        b.start_billing_job(&Actor::cli(), term).await.unwrap_err()
    ));
    assert!(already_running(
        a.start_billing_job(&Actor::cli(), term).await.unwrap_err()
    ));
    // Proposals have a key each: two run side by side.
    a.start_job(JobKind::TimetableProposal, json!({"proposal": 1}), None)
        .await
        .unwrap();
    b.start_job(JobKind::TimetableProposal, json!({"proposal": 2}), None)
        .await
        .unwrap();
    // Once it has ended, the next may start.
    a.hold_job(job.id, Progress::default(), async {
        Ok(((), json!({"invoice_count": 0})))
    })
    .await
    .unwrap();
    assert_eq!(b.job(job.id).await.unwrap().status, JobStatus::Done);
    b.start_billing_job(&Actor::cli(), term).await.unwrap();
}

async fn a_silent_holder_s_job_is_taken_over_once_then_failed(backend: TestBackend) {
    let Some((a, b, _db)) = two_servers(backend).await else {
        return;
    };
    let job = a
        .start_job(JobKind::TimetableProposal, json!({"proposal": 7}), None)
        .await
        .unwrap();
    // Fresh: nobody takes it.
    assert!(b.recover_jobs(30).await.unwrap().is_empty());
    // `a` falls silent (its heartbeat older than the limit of 0 seconds): `b` takes it over,
    // and only `b` does.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let taken = b.recover_jobs(0).await.unwrap();
    assert_eq!(taken.iter().map(|j| j.id).collect::<Vec<_>>(), vec![job.id]);
    assert_eq!(b.job(job.id).await.unwrap().attempts, 2);
    // `a` wakes and says it finished: not recorded, the job is `b`'s now.
    a.hold_job(job.id, Progress::default(), async { Ok(((), json!({"from": "a"}))) })
        .await
        .unwrap();
    let now = b.job(job.id).await.unwrap();
    assert_eq!(now.status, JobStatus::Running);
    assert_eq!(b.jobs_held_here().await.unwrap(), 1);
    assert_eq!(a.jobs_held_here().await.unwrap(), 0);
    // `b` stops in turn, letting go (as on SIGTERM); `a` takes it at once, and after
    // MAX_ATTEMPTS starts it is failed instead, with the reason.
    assert_eq!(b.release_jobs().await.unwrap(), 1);
    let taken = a.recover_jobs(30).await.unwrap();
    assert_eq!(taken.len(), 1);
    assert_eq!(a.job(job.id).await.unwrap().attempts, MAX_ATTEMPTS);
    a.release_jobs().await.unwrap();
    assert!(b.recover_jobs(30).await.unwrap().is_empty());
    let failed = b.job(job.id).await.unwrap();
    assert_eq!(failed.status, JobStatus::Failed);
    assert!(failed.error.unwrap().contains("stopped 3 times"), "the reason is kept");
    // A failed job's key is free again.
    a.start_job(JobKind::TimetableProposal, json!({"proposal": 7}), None)
        .await
        .unwrap();
}

async fn each_mail_is_claimed_by_one_sender(backend: TestBackend) {
    let Some((a, b, _db)) = two_servers(backend).await else {
        return;
    };
    for i in 0..40 {
        a.send_mail(&format!("p{i}@example.org"), "Hello", "Body")
            .await
            .unwrap();
    }
    assert_eq!(a.mail_backlog().await.unwrap(), 40);
    // Both senders claim at once, in rounds, until nothing is left.
    let mut seen: HashSet<i64> = HashSet::new();
    loop {
        let (x, y) = tokio::join!(a.claim_unsent_mail(7), b.claim_unsent_mail(7));
        let (x, y) = (x.unwrap(), y.unwrap());
        if x.is_empty() && y.is_empty() {
            break;
        }
        for m in x.iter().chain(&y) {
            assert!(seen.insert(m.id), "message {} was claimed twice", m.id);
        }
    }
    assert_eq!(seen.len(), 40);
    // A failed send frees its message for the next round; a sent one is gone.
    let first = *seen.iter().min().unwrap();
    a.mark_mail_failed(first, "refused by the relay").await.unwrap();
    let again = b.claim_unsent_mail(50).await.unwrap();
    assert_eq!(again.iter().map(|m| m.id).collect::<Vec<_>>(), vec![first]);
    b.mark_mail_sent(first).await.unwrap();
    assert_eq!(a.mail_backlog().await.unwrap(), 39);
}

async fn a_billing_job_records_its_summary(backend: TestBackend) {
    let Some((a, b, _db)) = two_servers(backend).await else {
        return;
    };
    let term = TermId::parse("2026-autumn").unwrap();
    let job = a.start_billing_job(&Actor::cli(), term).await.unwrap();
    let report = a.run_billing_job(&job).await.unwrap();
    assert_eq!(report.invoice_count, 0, "an empty hub bills nothing");
    let done = b.job(job.id).await.unwrap();
    assert_eq!(done.status, JobStatus::Done);
    assert_eq!(done.result.unwrap()["invoice_count"], 0);
    assert!(done.finished_at.is_some());
    assert!(b.ready().await, "both servers know every migration applied");
}
