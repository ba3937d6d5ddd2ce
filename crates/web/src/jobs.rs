//! The app server's side of long jobs (`tutti_store::platform::jobs`): running the jobs it
//! starts or takes over in the background, timed for the metrics; the sweep that takes over
//! jobs whose app server stopped; hearing the other servers' changes; the bookings' sweep
//! (unpaid holds that ran out, refunds owed through the card provider); and, on shutdown,
//! waiting for the jobs held here and then letting them go.
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;
use tutti_store::StoreError;
use tutti_store::money::billing::runs::RunReport;
use tutti_store::platform::jobs::{Job, JobKind};

use crate::state::AppState;

fn timed<T>(state: &AppState, kind: JobKind, started: Instant, outcome: &Result<T, StoreError>) {
    let word = if outcome.is_ok() { "done" } else { "failed" };
    state.metrics.observe_job(kind.as_str(), word, started.elapsed());
}

/// Waits for a job a request started, for `job_answer_wait` at most (none when it is zero):
/// its outcome if it ended in time, else `None`, the job going on in the background. The
/// billing screen and the API both answer from this, so the setting means one thing.
pub async fn within_wait<T>(state: &AppState, task: JoinHandle<T>) -> Option<Result<T, tokio::task::JoinError>> {
    let wait = state.config.job_answer_wait;
    if wait.is_zero() {
        return None;
    }
    tokio::time::timeout(wait, task).await.ok()
}

/// Runs a billing job held here in the background; its handle gives the run's report.
pub fn run_billing(state: &AppState, job: Job) -> JoinHandle<Result<RunReport, StoreError>> {
    let state = state.clone();
    tokio::spawn(async move {
        let started = Instant::now();
        let outcome = state.store.run_billing_job(&job).await;
        timed(&state, JobKind::BillingRun, started, &outcome);
        if let Err(e) = &outcome {
            tracing::warn!(error = %e, job = job.id, "a billing run failed");
        }
        outcome
    })
}

/// Runs a proposal job held here in the background (the proposal saves its own result).
pub fn run_proposal(state: &AppState, job: Job) -> JoinHandle<Result<(), StoreError>> {
    let state = state.clone();
    tokio::spawn(async move {
        let started = Instant::now();
        let outcome = state.store.run_proposal_job(&job).await;
        timed(&state, JobKind::TimetableProposal, started, &outcome);
        if let Err(e) = &outcome {
            tracing::error!(error = %e, job = job.id, "a timetable proposal failed");
        }
        outcome
    })
}

/// The background work of a serving app server; the caller aborts it on shutdown.
pub fn background(state: &AppState) -> Vec<JoinHandle<()>> {
    let listener = {
        let state = state.clone();
        tokio::spawn(async move { state.store.listen_for_changes().await })
    };
    let sweep = {
        let state = state.clone();
        tokio::spawn(async move {
            let stale_after = state.config.job_stale_after.max(1);
            // Looked for a few times within the stale limit, so a job waits little longer.
            let every = Duration::from_millis((stale_after as u64 * 1000 / 3).max(500));
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                match state.store.recover_jobs(stale_after).await {
                    Ok(jobs) => {
                        for job in jobs {
                            match job.kind {
                                JobKind::BillingRun => drop(run_billing(&state, job)),
                                JobKind::TimetableProposal => drop(run_proposal(&state, job)),
                            }
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "could not look for jobs whose app server stopped"),
                }
            }
        })
    };
    let bookings = {
        let state = state.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(BOOKINGS_SWEEP);
            loop {
                tick.tick().await;
                sweep_bookings(&state).await;
            }
        })
    };
    vec![listener, sweep, bookings]
}

/// How often the bookings' sweep runs: holds last 30 minutes, so a minute late is little.
const BOOKINGS_SWEEP: Duration = Duration::from_secs(60);

/// Expires the holds that ran out (their places go to the waiting lists) and pays the refunds
/// still owed through the card provider. Both change nothing when run again, on any server.
pub async fn sweep_bookings(state: &AppState) {
    if let Err(e) = state.store.expire_holds().await {
        tracing::warn!(error = %e, "could not expire unpaid holds");
    }
    if let Some(provider) = state.payments.clone()
        && let Err(e) = state.store.pay_refunds(provider.as_ref(), None).await
    {
        tracing::warn!(error = %e, "could not pay the refunds owed");
    }
}

/// After the last request: the jobs this server holds get the grace period to finish, then
/// those still running are let go for another server to take over at once (each kind
/// writes all or nothing, so what this process had done of one is lost, not half-kept).
pub async fn wind_down(state: &AppState) {
    let deadline = Instant::now() + state.config.shutdown_grace;
    loop {
        match state.store.jobs_held_here().await {
            Ok(0) => return,
            Ok(n) if Instant::now() >= deadline => {
                tracing::warn!(
                    jobs = n,
                    "stopping with jobs unfinished: another app server will take them over"
                );
                break;
            }
            Ok(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the jobs this server holds");
                break;
            }
        }
    }
    if let Err(e) = state.store.release_jobs().await {
        tracing::warn!(error = %e, "could not let go of this server's jobs");
    }
}
