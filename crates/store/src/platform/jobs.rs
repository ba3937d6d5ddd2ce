//! Long jobs as rows of the `jobs` table (migration 0024), so that any number of app servers
//! on one database behave as one hub: a job is started by inserting it as running, held by
//! this process (`Changes::me`); at most one job of a key runs at a time (a unique index, so
//! a second start on any server is refused); the holder beats every `HEARTBEAT` with its
//! progress; a job whose holder falls silent for the hub's stale limit is taken over by
//! another server (claimed with `FOR UPDATE SKIP LOCKED` on PostgreSQL, in one `BEGIN
//! IMMEDIATE` transaction on SQLite) and started again, or failed after `MAX_ATTEMPTS`.
//!
//! The kinds: billing runs (one transaction each, so a run whose holder died wrote nothing
//! and is safe to start again) and timetable proposals (which save only at the end). The mail
//! sender is not a job but claims outbox rows (`platform::outbox`).
//! See docs/decisions/0082-jobs-in-the-database.md.
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, SqlErr};
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;
use tutti_domain::Refusal;
use tutti_domain::calendar::TermId;
use tutti_domain::jobs::{JobRefusal, JobStatus, Recovery, recovery};

use crate::error::{Result, StoreError, stored};
use crate::money::billing::runs::RunReport;
use crate::platform::audit::Actor;
use crate::query::{all_of, one_of, stmt};
use crate::{Store, now};

/// How often a held job tells the others it is alive (and how far it has got).
pub const HEARTBEAT: Duration = Duration::from_secs(1);

/// How long a holder may be silent before its job is taken over, unless the operator says.
pub const STALE_AFTER_SECS: i64 = 30;

/// What a job does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    BillingRun,
    TimetableProposal,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::BillingRun => "billing_run",
            JobKind::TimetableProposal => "timetable_proposal",
        }
    }

    fn parse(word: &str) -> Option<JobKind> {
        match word {
            "billing_run" => Some(JobKind::BillingRun),
            "timetable_proposal" => Some(JobKind::TimetableProposal),
            _ => None,
        }
    }

    /// The job in words, for a refusal.
    pub fn what(self) -> &'static str {
        match self {
            JobKind::BillingRun => "billing run",
            JobKind::TimetableProposal => "timetable proposal",
        }
    }
}

/// A job as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Job {
    pub id: i64,
    pub kind: JobKind,
    #[serde(serialize_with = "status_word")]
    pub status: JobStatus,
    /// What it was asked to do (a billing run's term, a proposal's id).
    pub input: Value,
    /// How far it has got, as its kind reports it.
    pub progress: Option<Value>,
    /// What it did, once done.
    pub result: Option<Value>,
    /// Why it failed.
    pub error: Option<String>,
    /// How many times it has been started (again after a holder died).
    pub attempts: i32,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
}

/// A status as its word.
fn status_word<S: serde::Serializer>(status: &JobStatus, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(status.as_str())
}

#[derive(FromQueryResult)]
struct JobRow {
    id: i64,
    kind: String,
    status: String,
    input: String,
    progress: Option<String>,
    result: Option<String>,
    error: Option<String>,
    attempts: i32,
    created_at: OffsetDateTime,
    finished_at: Option<OffsetDateTime>,
}

const COLUMNS: &str = "id, kind, status, input, progress, result, error, attempts, created_at, finished_at";

impl JobRow {
    fn into_job(self) -> Result<Job> {
        let json = |text: Option<String>| text.and_then(|t| serde_json::from_str(&t).ok());
        Ok(Job {
            id: self.id,
            kind: stored(&self.kind, JobKind::parse)?,
            status: stored(&self.status, JobStatus::parse)?,
            input: serde_json::from_str(&self.input).unwrap_or(Value::Null),
            progress: json(self.progress),
            result: json(self.result),
            error: self.error,
            attempts: self.attempts,
            created_at: self.created_at,
            finished_at: self.finished_at,
        })
    }
}

/// A running job's latest progress, set by its work and written by its heartbeat.
#[derive(Clone, Default)]
pub struct Progress(Arc<Mutex<Option<Value>>>);

impl Progress {
    pub fn set(&self, value: impl Serialize) {
        if let (Ok(mut p), Ok(v)) = (self.0.lock(), serde_json::to_value(value)) {
            *p = Some(v);
        }
    }

    fn take(&self) -> Option<Value> {
        self.0.lock().ok().and_then(|mut p| p.take())
    }
}

/// A background task stopped when this is dropped.
struct StopOnDrop(tokio::task::JoinHandle<()>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The key jobs of a kind take turns on: one billing run at a time for the whole hub (runs
/// for any term read what is already billed), each proposal on its own.
fn key_of(kind: JobKind, input: &Value) -> String {
    match kind {
        JobKind::BillingRun => "billing_run".into(),
        JobKind::TimetableProposal => format!("timetable_proposal:{}", input["proposal"]),
    }
}

/// A delay before a job's work starts, for tests that stop an app server while it holds a
/// job (`TUTTI_TEST_JOB_DELAY_MS`); unset, there is none.
fn test_delay() -> Option<Duration> {
    std::env::var("TUTTI_TEST_JOB_DELAY_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_millis)
}

#[tutti_boxed::boxed]
impl Store {
    /// Starts a job held by this process, refused when one of its key is running already,
    /// on this app server or another.
    pub async fn start_job(&self, kind: JobKind, input: Value, created_by: Option<i64>) -> Result<Job> {
        let txn = self.write().await?;
        let backend = txn.get_database_backend();
        let t = now();
        let inserted = JobRow::find_by_statement(stmt(
            backend,
            &format!(
                "INSERT INTO jobs (kind, key, status, input, holder, heartbeat_at, attempts, created_by, created_at) \
                 VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING {COLUMNS}"
            ),
            [
                kind.as_str().into(),
                key_of(kind, &input).into(),
                JobStatus::Running.as_str().into(),
                input.to_string().into(),
                self.changes().me().into(),
                t.into(),
                created_by.into(),
                t.into(),
            ],
        ))
        .one(&txn)
        .await;
        let row = match inserted {
            Ok(row) => row.ok_or(StoreError::NotFound)?,
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                return Err(StoreError::Refused(Refusal::from(JobRefusal::AlreadyRunning {
                    what: kind.what(),
                })));
            }
            Err(e) => return Err(e.into()),
        };
        txn.commit().await?;
        row.into_job()
    }

    /// One job.
    pub async fn job(&self, id: i64) -> Result<Job> {
        one_of::<JobRow>(
            self.conn(),
            &format!("SELECT {COLUMNS} FROM jobs WHERE id = ?"),
            [id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?
        .into_job()
    }

    /// The running job of a kind's key, if one runs (on any app server).
    pub async fn running_job(&self, kind: JobKind) -> Result<Option<Job>> {
        let key = key_of(kind, &Value::Null);
        one_of::<JobRow>(
            self.conn(),
            &format!("SELECT {COLUMNS} FROM jobs WHERE key = ? AND status = 'running'"),
            [key.into()],
        )
        .await?
        .map(JobRow::into_job)
        .transpose()
    }

    /// Running jobs on every app server.
    pub async fn running_jobs(&self) -> Result<i64> {
        #[derive(FromQueryResult)]
        struct Count {
            n: i64,
        }
        Ok(one_of::<Count>(
            self.conn(),
            "SELECT COUNT(*) AS n FROM jobs WHERE status = 'running'",
            [],
        )
        .await?
        .map_or(0, |c| c.n))
    }

    /// Runs `work` as job `id`, held by this process: beats every `HEARTBEAT` with the
    /// latest `progress` while it runs, then records its result (the summary `work` gives
    /// beside its outcome) or its error. A job taken over by another server meanwhile (this
    /// one was silent too long) is left to that server: nothing is recorded here.
    pub async fn hold_job<T, F>(&self, id: i64, progress: Progress, work: F) -> Result<T>
    where
        F: Future<Output = Result<(T, Value)>>,
    {
        // Stopped however the work ends, a panic or a drop included: a heartbeat left going
        // would keep a job nobody runs from ever being taken over.
        let beating = StopOnDrop({
            let store = self.clone();
            let progress = progress.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(HEARTBEAT);
                loop {
                    tick.tick().await;
                    if let Err(e) = store.beat(id, progress.take()).await {
                        tracing::warn!(error = %e, job = id, "could not record a job's heartbeat");
                    }
                }
            })
        });
        if let Some(delay) = test_delay() {
            tokio::time::sleep(delay).await;
        }
        let outcome = work.await;
        drop(beating);
        match &outcome {
            Ok((_, summary)) => self.end_job(id, JobStatus::Done, Some(summary), None).await?,
            Err(e) => self.end_job(id, JobStatus::Failed, None, Some(&e.to_string())).await?,
        }
        outcome.map(|(t, _)| t)
    }

    async fn beat(&self, id: i64, progress: Option<Value>) -> Result<()> {
        let backend = self.conn().get_database_backend();
        let sql = match progress {
            Some(_) => {
                "UPDATE jobs SET heartbeat_at = ?, progress = ? WHERE id = ? AND holder = ? AND status = 'running'"
            }
            None => "UPDATE jobs SET heartbeat_at = ? WHERE id = ? AND holder = ? AND status = 'running'",
        };
        let mut values: Vec<sea_orm::Value> = vec![now().into()];
        if let Some(p) = progress {
            values.push(p.to_string().into());
        }
        values.extend([id.into(), self.changes().me().into()]);
        self.conn().execute_raw(stmt(backend, sql, values)).await?;
        Ok(())
    }

    async fn end_job(&self, id: i64, status: JobStatus, result: Option<&Value>, error: Option<&str>) -> Result<()> {
        let backend = self.conn().get_database_backend();
        self.conn()
            .execute_raw(stmt(
                backend,
                "UPDATE jobs SET status = ?, result = ?, error = ?, finished_at = ?, heartbeat_at = ? \
                 WHERE id = ? AND holder = ? AND status = 'running'",
                [
                    status.as_str().into(),
                    result.map(|r| r.to_string()).into(),
                    error.map(str::to_owned).into(),
                    now().into(),
                    now().into(),
                    id.into(),
                    self.changes().me().into(),
                ],
            ))
            .await?;
        Ok(())
    }

    /// Starts a billing run for `term` as a job, refused if a run is under way anywhere.
    pub async fn start_billing_job(&self, actor: &Actor, term: TermId) -> Result<Job> {
        let input = serde_json::json!({
            "term": term.to_string(),
            "user_id": actor.user_id,
            "name": actor.name,
            "ip": actor.ip,
        });
        self.start_job(JobKind::BillingRun, input, actor.user_id).await
    }

    /// Runs a billing job held by this process to the end; its result records the run's
    /// summary (the report itself is returned).
    pub async fn run_billing_job(&self, job: &Job) -> Result<RunReport> {
        let term = TermId::parse(job.input["term"].as_str().unwrap_or_default())
            .map_err(|_| StoreError::Corrupt(format!("the term of job {}", job.id)))?;
        let actor = Actor {
            user_id: job.input["user_id"].as_i64(),
            name: job.input["name"].as_str().unwrap_or("a billing job").to_owned(),
            ip: job.input["ip"].as_str().unwrap_or("local").to_owned(),
        };
        let progress = Progress::default();
        let update = {
            let progress = progress.clone();
            move |p: crate::money::billing::RunProgress| progress.set(p)
        };
        self.hold_job(job.id, progress, async {
            let report = self.run_billing(&actor, term, false, &update).await?;
            let summary = serde_json::json!({
                "term": report.term,
                "run_id": report.run_id,
                "invoice_count": report.invoice_count,
                "line_count": report.line_count,
                "total_pence": report.total_pence,
            });
            Ok((report, summary))
        })
        .await
    }

    /// Starts the solver for a recorded proposal request as a job.
    pub async fn start_proposal_job(&self, proposal: i64, created_by: Option<i64>) -> Result<Job> {
        self.start_job(
            JobKind::TimetableProposal,
            serde_json::json!({ "proposal": proposal }),
            created_by,
        )
        .await
    }

    /// Runs a proposal job held by this process to the end (the proposal saves its result).
    pub async fn run_proposal_job(&self, job: &Job) -> Result<()> {
        let proposal = job.input["proposal"].as_i64().unwrap_or_default();
        self.hold_job(job.id, Progress::default(), async {
            self.run_proposal(proposal).await?;
            Ok(((), serde_json::json!({ "proposal": proposal })))
        })
        .await
    }

    /// Takes over the running jobs whose holders have been silent for `stale_after` seconds
    /// (each claimed by one server only), failing those started too often. Returns the jobs
    /// now held here, for the caller to run again (`run_billing_job`, `run_proposal_job`).
    pub async fn recover_jobs(&self, stale_after: i64) -> Result<Vec<Job>> {
        let txn = self.write().await?;
        let backend = txn.get_database_backend();
        let cutoff = now() - time::Duration::seconds(stale_after);
        let lock = if backend == DbBackend::Postgres {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let stale: Vec<Job> = all_of::<JobRow>(
            &txn,
            &format!(
                "SELECT {COLUMNS} FROM jobs WHERE status = 'running' AND heartbeat_at < ? ORDER BY id LIMIT 10{lock}"
            ),
            [cutoff.into()],
        )
        .await?
        .into_iter()
        .map(JobRow::into_job)
        .collect::<Result<_>>()?;
        let mut restart = Vec::new();
        for job in &stale {
            match recovery(job.attempts) {
                Recovery::Restart => {
                    txn.execute_raw(stmt(
                        backend,
                        "UPDATE jobs SET holder = ?, heartbeat_at = ?, attempts = attempts + 1 WHERE id = ?",
                        [self.changes().me().into(), now().into(), job.id.into()],
                    ))
                    .await?;
                    restart.push(job.clone());
                }
                Recovery::Fail => {
                    let why = format!(
                        "The app server running this {} stopped {} times; it was not started again.",
                        job.kind.what(),
                        job.attempts
                    );
                    txn.execute_raw(stmt(
                        backend,
                        "UPDATE jobs SET status = 'failed', error = ?, finished_at = ? WHERE id = ?",
                        [why.clone().into(), now().into(), job.id.into()],
                    ))
                    .await?;
                    if job.kind == JobKind::TimetableProposal {
                        txn.execute_raw(stmt(
                            backend,
                            "UPDATE timetable_proposals SET status = 'failed', error = ?, finished_at = ? WHERE id = ?",
                            [
                                why.into(),
                                now().into(),
                                job.input["proposal"].as_i64().unwrap_or_default().into(),
                            ],
                        ))
                        .await?;
                    }
                }
            }
        }
        txn.commit().await?;
        for job in &restart {
            tracing::warn!(
                job = job.id,
                kind = job.kind.as_str(),
                "taking over a job whose app server stopped"
            );
        }
        Ok(restart)
    }

    /// Jobs this process holds that are still running.
    pub async fn jobs_held_here(&self) -> Result<i64> {
        #[derive(FromQueryResult)]
        struct Count {
            n: i64,
        }
        Ok(one_of::<Count>(
            self.conn(),
            "SELECT COUNT(*) AS n FROM jobs WHERE holder = ? AND status = 'running'",
            [self.changes().me().into()],
        )
        .await?
        .map_or(0, |c| c.n))
    }

    /// On shutting down: the jobs this process still holds are let go at once, as if it had
    /// been silent for ever, so that another app server takes them over on its next sweep
    /// rather than after the stale limit. (Their work here ends with the process; each kind
    /// writes all or nothing.)
    pub async fn release_jobs(&self) -> Result<u64> {
        let backend = self.conn().get_database_backend();
        let r = self
            .conn()
            .execute_raw(stmt(
                backend,
                "UPDATE jobs SET heartbeat_at = ? WHERE holder = ? AND status = 'running'",
                [OffsetDateTime::UNIX_EPOCH.into(), self.changes().me().into()],
            ))
            .await?;
        Ok(r.rows_affected())
    }
}
