//! Billing runs: a plan that writes nothing, and a run in one transaction that reads the
//! facts, prices them and writes every invoice, or nothing; the list of committed runs.

use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult};
use serde::Serialize;
use time::{Date, OffsetDateTime};
use tutti_domain::billing::{RunPlan, charge_kind_str, plan_run};
use tutti_domain::calendar::TermId;
use tutti_domain::charging::ChargeKind;

use super::RunProgress;
use super::facts::run_input;
use super::writing::write_plan;
use crate::error::{Result, StoreError};
use crate::pg_run::PgTransaction;
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, one_of, stmt};
use crate::{Store, now};

/// What a run did (or, for a dry run, would do).
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub term: String,
    pub dry_run: bool,
    /// The committed run's id; `None` for a dry run or a run that found nothing to bill.
    pub run_id: Option<i64>,
    pub invoice_count: usize,
    pub line_count: usize,
    pub total_pence: i64,
    /// Invoice numbers, in the order of `plan.invoices` (empty for a dry run).
    pub numbers: Vec<String>,
    pub plan: RunPlan,
}

/// A billing run as its list shows it.
#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct BillingRun {
    pub id: i64,
    pub term: String,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub finished_at: OffsetDateTime,
    pub invoices_created: i32,
    pub lines_created: i32,
    pub total_pence: i64,
}

#[tutti_boxed::boxed]
impl Store {
    /// Works out what a billing run for `term` would issue, writing nothing.
    pub async fn plan_billing(&self, term: TermId, issued_on: Date) -> Result<RunPlan> {
        let input = run_input(self.conn(), self.side(), term, issued_on, &|_| {}).await?;
        Ok(plan_run(&input))
    }

    /// Runs billing for `term`: one transaction that reads the facts, prices them and writes
    /// every invoice, line and instalment, or (on any failure, or if the process dies)
    /// nothing. A dry run writes nothing. A second run over the same facts finds every line
    /// already billed and creates nothing.
    pub async fn run_billing(
        &self,
        actor: &Actor,
        term: TermId,
        dry_run: bool,
        progress: &(dyn Fn(RunProgress) + Send + Sync),
    ) -> Result<RunReport> {
        let issued_on = self.today();
        if dry_run {
            progress(RunProgress::Reading);
            let input = run_input(self.conn(), self.side(), term, issued_on, progress).await?;
            let plan = plan_run(&input);
            return Ok(report(term, true, None, Vec::new(), plan));
        }
        let started_at = now();
        let (run_id, numbers, plan) = if self.conn().get_database_backend() == DbBackend::Postgres {
            // A transaction of Tutti's own on PostgreSQL, so the rows can go in by COPY.
            let txn = PgTransaction::begin(self.conn()).await?;
            // Runs for any term take turns, so "already billed" is read with nothing in flight.
            txn.execute_unprepared("LOCK TABLE invoices IN SHARE ROW EXCLUSIVE MODE")
                .await?;
            // The reference checks (decision 0061) keep each statement's new rows in memory:
            // a batch of lines is about 8 MB, which at the default 4 MB would go to disk.
            txn.execute_unprepared("SET LOCAL work_mem = '64MB'").await?;
            let done = self
                .run_in(&txn, Some(&txn), actor, term, issued_on, started_at, progress)
                .await?;
            txn.commit().await?;
            done
        } else {
            let txn = self.write().await?;
            let done = self
                .run_in(&txn, None, actor, term, issued_on, started_at, progress)
                .await?;
            txn.commit().await?;
            done
        };
        progress(RunProgress::Done);
        Ok(report(term, false, run_id, numbers, plan))
    }

    /// A committed run's work inside its transaction `txn` (which is `copy` too on
    /// PostgreSQL): the run's id (None when there is nothing new), its invoice numbers, and
    /// its plan. The caller commits.
    #[allow(clippy::too_many_arguments)]
    async fn run_in(
        &self,
        txn: &impl ConnectionTrait,
        copy: Option<&PgTransaction>,
        actor: &Actor,
        term: TermId,
        issued_on: Date,
        started_at: OffsetDateTime,
        progress: &(dyn Fn(RunProgress) + Send + Sync),
    ) -> Result<(Option<i64>, Vec<String>, RunPlan)> {
        let backend = txn.get_database_backend();
        progress(RunProgress::Reading);
        let input = run_input(txn, self.side(), term, issued_on, progress).await?;
        let plan = plan_run(&input);
        if plan.invoices.is_empty() {
            return Ok((None, Vec::new(), plan));
        }
        let run_id = insert_run(txn, actor, term, started_at).await?;
        let numbers = write_plan(txn, copy, run_id, term, issued_on, &plan, progress).await?;
        let finished = now();
        txn.execute_raw(stmt(
            backend,
            "UPDATE billing_runs SET finished_at = ?, invoices_created = ?, lines_created = ?, total_pence = ? WHERE id = ?",
            [
                finished.into(),
                (plan.invoices.len() as i32).into(),
                (plan.line_count() as i32).into(),
                plan.total().0.into(),
                run_id.into(),
            ],
        ))
        .await?;
        let what = format!(
            "billing run for {term}: {} invoices, {} lines, {}",
            plan.invoices.len(),
            plan.line_count(),
            plan.total()
        );
        audit::record(txn, actor, Action::Create, "billing_run", Some(run_id), what).await?;
        Ok((Some(run_id), numbers, plan))
    }

    /// Committed runs, newest first.
    pub async fn billing_runs(&self, limit: u64) -> Result<Vec<BillingRun>> {
        let _backend = self.conn().get_database_backend();
        all_of::<BillingRun>(
            self.conn(),
            "SELECT id, term, started_at, finished_at, invoices_created, lines_created, total_pence \
             FROM billing_runs ORDER BY id DESC LIMIT ?",
            [(limit as i64).into()],
        )
        .await
    }
}

fn report(term: TermId, dry_run: bool, run_id: Option<i64>, numbers: Vec<String>, plan: RunPlan) -> RunReport {
    RunReport {
        term: term.to_string(),
        dry_run,
        run_id,
        invoice_count: plan.invoices.len(),
        line_count: plan.line_count(),
        total_pence: plan.total().0,
        numbers,
        plan,
    }
}

async fn insert_run(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    term: TermId,
    started_at: OffsetDateTime,
) -> Result<i64> {
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    let _backend = conn.get_database_backend();
    Ok(one_of::<Id>(conn, "INSERT INTO billing_runs (term, run_by, started_at, finished_at, invoices_created, lines_created, total_pence) \
         VALUES (?, ?, ?, ?, 0, 0, 0) RETURNING id", [
            term.to_string().into(),
            actor.user_id.into(),
            started_at.into(),
            started_at.into(),
        ]).await?
    .ok_or(StoreError::NotFound)?
    .id)
}

impl RunReport {
    /// The report as the command line's `--json` and the API print it: every invoice with
    /// its payer, lines (pupil_ref, description, rule, amount_pence), instalments and total.
    pub fn to_json(&self) -> serde_json::Value {
        let invoices: Vec<serde_json::Value> = self
            .plan
            .invoices
            .iter()
            .enumerate()
            .map(|(i, invoice)| {
                serde_json::json!({
                    "number": self.numbers.get(i),
                    "payer": {
                        "kind": invoice.payer.kind(),
                        "id": invoice.payer.id(),
                        "name": invoice.payer_name,
                    },
                    "kind": invoice.kind.as_str(),
                    "lines": invoice.lines.iter().map(|l| serde_json::json!({
                        // A school's programme line is for no one pupil.
                        "pupil_ref": (l.kind != ChargeKind::Wcet).then_some(&l.pupil_ref),
                        "charge": charge_kind_str(l.kind),
                        "description": l.description,
                        "rule": l.rule,
                        "amount_pence": l.amount_pence.0,
                    })).collect::<Vec<_>>(),
                    "instalments": invoice.instalments.iter().map(|n| serde_json::json!({
                        "number": n.number,
                        "due": n.due.to_string(),
                        "amount_pence": n.amount.0,
                    })).collect::<Vec<_>>(),
                    "total_pence": invoice.total_pence.0,
                })
            })
            .collect();
        serde_json::json!({
            "term": self.term,
            "dry_run": self.dry_run,
            "run_id": self.run_id,
            "invoice_count": self.invoice_count,
            "line_count": self.line_count,
            "total_pence": self.total_pence,
            "invoices": invoices,
            "skipped": self.plan.skipped,
        })
    }
}
