//! Billing: charging policies by academic year, billing runs (one transaction each, rows
//! written in batches), and invoices with their lines and instalments for screens and the API.
//!
//! The rules live in `tutti_domain::billing` and `tutti_domain::charging`; this module reads
//! the facts they need and writes what they decide.
use std::collections::{HashMap, HashSet};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, FromQueryResult, Value};
use serde::Serialize;
use time::{Date, OffsetDateTime};
use tutti_domain::Pence;
use tutti_domain::billing::{
    BillableAgreement, BillableEnrolment, BillableLoan, BillablePupil, POLICY_FORMAT_VERSION, PayerKey, RunInput,
    RunPlan, charge_kind_str, check_policy, export_policy, import_policy, plan_run,
};
use tutti_domain::calendar::{AcademicYear, TermDates, TermId, default_term_dates};
use tutti_domain::charging::{ChargeKind, ChargingPolicy, Payer, PupilFacts};
use tutti_domain::lessons::LessonType;
use tutti_domain::money::Percent;

use crate::audit::{self, Action, Actor};
use crate::error::{Result, StoreError};
use crate::json_rows::{BulkInsert, Column, Day, Flag, json_rows};
use crate::lessons::Calendars;
use crate::listing::{ListQuery, Page};
use crate::pg_run::PgTransaction;
use crate::query::stmt;
use crate::{Store, now};

/// A year's policy as stored (or Durham's default when none is stored yet).
#[derive(Debug, Clone, Serialize)]
pub struct PolicyRecord {
    pub academic_year: String,
    pub policy: ChargingPolicy,
    /// 0 while the year has no stored policy (the default applies).
    pub revision: i32,
    #[serde(with = "time::serde::rfc3339::option")]
    pub updated_at: Option<OffsetDateTime>,
}

#[derive(FromQueryResult)]
struct PolicyRow {
    academic_year: String,
    revision: i32,
    document: String,
    updated_at: OffsetDateTime,
}

/// How far a billing run has got, for the command line and the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum RunProgress {
    /// Reading pupils, enrolments, loans and what is already billed.
    Reading,
    /// Working out every line.
    Pricing { pupils: usize },
    /// Writing rows: `done` of `total`.
    Writing { done: usize, total: usize },
    /// Committed.
    Done,
}

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

/// An invoice in a list.
#[derive(Debug, Clone, Serialize, FromQueryResult, PartialEq, Eq)]
pub struct InvoiceSummary {
    pub id: i64,
    pub number: String,
    pub payer_kind: String,
    pub payer_id: i64,
    pub payer_name: String,
    pub term: String,
    pub kind: String,
    #[serde(with = "crate::billing::date_format")]
    pub issued_on: Date,
    pub total_pence: i64,
    pub status: String,
}

/// One line of an invoice.
#[derive(Debug, Clone, Serialize, FromQueryResult, PartialEq, Eq)]
pub struct InvoiceLine {
    pub pupil_id: i64,
    pub pupil_ref: String,
    pub pupil_name: String,
    pub charge_kind: String,
    pub description: String,
    pub rule: String,
    pub amount_pence: i64,
}

/// One instalment of an invoice.
#[derive(Debug, Clone, Serialize, FromQueryResult, PartialEq, Eq)]
pub struct InvoiceInstalment {
    pub number: i32,
    #[serde(with = "crate::billing::date_format")]
    pub due_on: Date,
    pub amount_pence: i64,
    pub status: String,
}

/// An invoice with everything printed on it.
#[derive(Debug, Clone, Serialize)]
pub struct Invoice {
    #[serde(flatten)]
    pub summary: InvoiceSummary,
    /// The payer's postal address as held today.
    pub payer_address: String,
    pub lines: Vec<InvoiceLine>,
    pub instalments: Vec<InvoiceInstalment>,
}

/// Which invoices a list shows.
#[derive(Debug, Clone, Default)]
pub struct InvoiceFilter {
    /// Only this payer's.
    pub payer: Option<PayerKey>,
    /// Only these guardians' (a parent's account may be the guardian of several records).
    pub guardians: Option<Vec<i64>>,
    /// Only this term's ("2026-autumn").
    pub term: Option<String>,
}

pub(crate) mod date_format {
    /// A date as "2026-09-15".
    pub fn serialize<S: serde::Serializer>(date: &time::Date, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(date)
    }
}

impl Store {
    /// The policy of `year`: the stored one, else Durham's (revision 0).
    pub async fn charging_policy(&self, year: AcademicYear) -> Result<PolicyRecord> {
        policy_in(self.conn(), year).await
    }

    /// Every year with a stored policy, newest first.
    pub async fn charging_policy_years(&self) -> Result<Vec<PolicyRecord>> {
        let backend = self.conn().get_database_backend();
        let rows = PolicyRow::find_by_statement(stmt(
            backend,
            "SELECT academic_year, revision, document, updated_at FROM charging_policies ORDER BY academic_year DESC",
            [],
        ))
        .all(self.conn())
        .await?;
        rows.into_iter().map(record_from_row).collect()
    }

    /// Saves `year`'s policy (a new revision), refusing one that fails a check.
    pub async fn save_charging_policy(
        &self,
        actor: &Actor,
        year: AcademicYear,
        policy: &ChargingPolicy,
    ) -> Result<i32> {
        check_policy(policy)?;
        let txn = self.write().await?;
        let backend = txn.get_database_backend();
        let key = year.to_string();
        let document = export_policy(year, policy);
        let current = policy_in(&txn, year).await?.revision;
        let revision = current + 1;
        let values: Vec<Value> = vec![
            POLICY_FORMAT_VERSION.into(),
            revision.into(),
            document.into(),
            actor.user_id.into(),
            now().into(),
            key.clone().into(),
        ];
        let sql = if current == 0 {
            "INSERT INTO charging_policies (format_version, revision, document, updated_by, updated_at, academic_year) \
             VALUES (?, ?, ?, ?, ?, ?)"
        } else {
            "UPDATE charging_policies SET format_version = ?, revision = ?, document = ?, updated_by = ?, updated_at = ? \
             WHERE academic_year = ?"
        };
        txn.execute_raw(stmt(backend, sql, values)).await?;
        audit::record(
            &txn,
            actor,
            if current == 0 { Action::Create } else { Action::Update },
            "charging_policy",
            None,
            format!("charging policy {key} saved as revision {revision} ({})", policy.name),
        )
        .await?;
        txn.commit().await?;
        Ok(revision)
    }

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
        audit::record(
            txn,
            actor,
            Action::Create,
            "billing_run",
            Some(run_id),
            format!(
                "billing run for {term}: {} invoices, {} lines, {}",
                plan.invoices.len(),
                plan.line_count(),
                plan.total()
            ),
        )
        .await?;
        Ok((Some(run_id), numbers, plan))
    }

    /// Committed runs, newest first.
    pub async fn billing_runs(&self, limit: u64) -> Result<Vec<BillingRun>> {
        let backend = self.conn().get_database_backend();
        Ok(BillingRun::find_by_statement(stmt(
            backend,
            "SELECT id, term, started_at, finished_at, invoices_created, lines_created, total_pence \
             FROM billing_runs ORDER BY id DESC LIMIT ?",
            [(limit as i64).into()],
        ))
        .all(self.conn())
        .await?)
    }

    /// One page of invoices, newest first, matching `list.q` against the number or payer's
    /// name.
    pub async fn invoices(&self, filter: &InvoiceFilter, list: &ListQuery) -> Result<Page<InvoiceSummary>> {
        let backend = self.conn().get_database_backend();
        let mut conditions = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        if let Some(payer) = filter.payer {
            conditions.push("payer_kind = ? AND payer_id = ?".to_string());
            values.push(payer.kind().into());
            values.push(payer.id().into());
        }
        if let Some(guardians) = &filter.guardians {
            if guardians.is_empty() {
                conditions.push("1 = 0".to_string());
            } else {
                conditions.push(format!(
                    "payer_kind = 'parent' AND payer_id IN ({})",
                    vec!["?"; guardians.len()].join(", ")
                ));
                values.extend(guardians.iter().map(|&g| Value::from(g)));
            }
        }
        if let Some(term) = &filter.term {
            conditions.push("term = ?".to_string());
            values.push(term.clone().into());
        }
        let q = list.q.trim().to_lowercase();
        if !q.is_empty() {
            conditions.push("(LOWER(number) LIKE ? OR LOWER(payer_name) LIKE ?)".to_string());
            let pattern = format!("%{}%", q.replace(['%', '_'], ""));
            values.push(pattern.clone().into());
            values.push(pattern.into());
        }
        let where_sql = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        #[derive(FromQueryResult)]
        struct Count {
            n: i64,
        }
        let total = Count::find_by_statement(stmt(
            backend,
            &format!("SELECT COUNT(*) AS n FROM invoices {where_sql}"),
            values.clone(),
        ))
        .one(self.conn())
        .await?
        .map_or(0, |c| c.n) as u64;
        let mut page_values = values;
        page_values.push((list.per_page() as i64).into());
        page_values.push((list.offset() as i64).into());
        let rows = InvoiceSummary::find_by_statement(stmt(
            backend,
            &format!(
                "SELECT id, number, payer_kind, payer_id, payer_name, term, kind, issued_on, total_pence, status \
                 FROM invoices {where_sql} ORDER BY id DESC LIMIT ? OFFSET ?"
            ),
            page_values,
        ))
        .all(self.conn())
        .await?;
        Ok(Page {
            rows,
            total,
            capped: false,
            page: list.page(),
            per_page: list.per_page(),
        })
    }

    /// One invoice with its lines and instalments.
    pub async fn invoice(&self, id: i64) -> Result<Invoice> {
        let backend = self.conn().get_database_backend();
        let summary = InvoiceSummary::find_by_statement(stmt(
            backend,
            "SELECT id, number, payer_kind, payer_id, payer_name, term, kind, issued_on, total_pence, status \
             FROM invoices WHERE id = ?",
            [id.into()],
        ))
        .one(self.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
        let lines = InvoiceLine::find_by_statement(stmt(
            backend,
            "SELECT l.pupil_id, p.pupil_ref, p.first_name || ' ' || p.last_name AS pupil_name, l.charge_kind, \
             l.description, l.rule, l.amount_pence FROM invoice_lines l JOIN pupils p ON p.id = l.pupil_id \
             WHERE l.invoice_id = ? ORDER BY l.id",
            [id.into()],
        ))
        .all(self.conn())
        .await?;
        let mut lines = lines;
        lines.extend(agreement_lines(self.conn(), id).await?);
        let instalments = InvoiceInstalment::find_by_statement(stmt(
            backend,
            "SELECT number, due_on, amount_pence, status FROM instalments WHERE invoice_id = ? ORDER BY number",
            [id.into()],
        ))
        .all(self.conn())
        .await?;
        #[derive(FromQueryResult)]
        struct Address {
            address: String,
        }
        let address_sql = if summary.payer_kind == "school" {
            "SELECT address || ', ' || postcode AS address FROM schools WHERE id = ?"
        } else {
            "SELECT address FROM guardians WHERE id = ?"
        };
        let payer_address = Address::find_by_statement(stmt(backend, address_sql, [summary.payer_id.into()]))
            .one(self.conn())
            .await?
            .map(|a| a.address)
            .unwrap_or_default();
        Ok(Invoice {
            summary,
            payer_address,
            lines,
            instalments,
        })
    }

    /// The guardian records carrying a parent account's email: the payers that account is.
    pub async fn guardian_ids_for_email(&self, email: &str) -> Result<Vec<i64>> {
        #[derive(FromQueryResult)]
        struct Id {
            id: i64,
        }
        let backend = self.conn().get_database_backend();
        let rows = Id::find_by_statement(stmt(
            backend,
            "SELECT id FROM guardians WHERE email = ? ORDER BY id",
            [email.to_lowercase().into()],
        ))
        .all(self.conn())
        .await?;
        Ok(rows.into_iter().map(|r| r.id).collect())
    }

    /// Lends an instrument to a pupil from `start_date` (each term the loan overlaps is one
    /// hire charge).
    pub async fn lend_instrument(
        &self,
        actor: &Actor,
        instrument_id: i64,
        pupil_id: i64,
        start_date: Date,
    ) -> Result<i64> {
        let txn = self.write().await?;
        let backend = txn.get_database_backend();
        #[derive(FromQueryResult)]
        struct Id {
            id: i64,
        }
        let id = Id::find_by_statement(stmt(
            backend,
            "INSERT INTO instrument_loans (instrument_id, pupil_id, start_date, created_at) VALUES (?, ?, ?, ?) RETURNING id",
            [instrument_id.into(), pupil_id.into(), start_date.into(), now().into()],
        ))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?
        .id;
        audit::record(
            &txn,
            actor,
            Action::Create,
            "instrument_loan",
            Some(id),
            format!("instrument {instrument_id} lent to pupil {pupil_id} from {start_date}"),
        )
        .await?;
        txn.commit().await?;
        Ok(id)
    }
}

/// An invoice's lines for schools' programmes (services agreements), as invoice lines for no
/// one pupil (`pupil_id` 0, charge kind "wcet").
pub(crate) async fn agreement_lines(conn: &impl ConnectionTrait, invoice_id: i64) -> Result<Vec<InvoiceLine>> {
    #[derive(FromQueryResult)]
    struct Row {
        description: String,
        rule: String,
        amount_pence: i64,
    }
    let rows = Row::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT description, rule, amount_pence FROM agreement_invoice_lines WHERE invoice_id = ? ORDER BY id",
        [invoice_id.into()],
    ))
    .all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| InvoiceLine {
            pupil_id: 0,
            pupil_ref: String::new(),
            pupil_name: String::new(),
            charge_kind: tutti_domain::billing::charge_kind_str(ChargeKind::Wcet).into(),
            description: r.description,
            rule: r.rule,
            amount_pence: r.amount_pence,
        })
        .collect())
}

/// Reads and checks a policy file for `year` (see `tutti_domain::billing::import_policy`).
pub fn read_policy_file(
    text: &str,
    year: AcademicYear,
) -> Result<ChargingPolicy, Vec<tutti_domain::billing::FieldError>> {
    import_policy(text, year)
}

fn record_from_row(row: PolicyRow) -> Result<PolicyRecord> {
    let year = AcademicYear::parse(&row.academic_year)
        .map_err(|_| StoreError::Corrupt(format!("charging_policies.academic_year {:?}", row.academic_year)))?;
    let policy = import_policy(&row.document, year).map_err(|errors| {
        StoreError::Corrupt(format!(
            "charging_policies.document for {year}: {}",
            errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ")
        ))
    })?;
    Ok(PolicyRecord {
        academic_year: row.academic_year,
        policy,
        revision: row.revision,
        updated_at: Some(row.updated_at),
    })
}

async fn policy_in(conn: &impl ConnectionTrait, year: AcademicYear) -> Result<PolicyRecord> {
    let backend = conn.get_database_backend();
    let row = PolicyRow::find_by_statement(stmt(
        backend,
        "SELECT academic_year, revision, document, updated_at FROM charging_policies WHERE academic_year = ?",
        [year.to_string().into()],
    ))
    .one(conn)
    .await?;
    match row {
        Some(row) => record_from_row(row),
        None => Ok(PolicyRecord {
            academic_year: year.to_string(),
            policy: ChargingPolicy::durham(),
            revision: 0,
            updated_at: None,
        }),
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

/// A pupil with an enrolment: id, reference, free school meals, pupil premium, SEND, looked
/// after, and school.
type PupilRow = (i64, String, Flag, Flag, Flag, Flag, i64);

/// Pupils with an enrolment to bill.
async fn read_pupils(conn: &impl ConnectionTrait) -> Result<Vec<PupilRow>> {
    json_rows(
        conn,
        &[
            "p.id",
            "p.pupil_ref",
            "p.fsm",
            "p.pupil_premium",
            "p.send",
            "p.looked_after",
            "p.school_id",
        ],
        "pupils p WHERE p.archived_at IS NULL \
         AND p.id IN (SELECT pupil_id FROM enrolments WHERE status IN ('active', 'leaving'))",
        vec![],
    )
    .await
}

/// Each pupil's first guardian (the lowest id), with the name: the parent who is invoiced.
async fn read_first_guardians(conn: &impl ConnectionTrait) -> Result<Vec<(i64, i64, String)>> {
    json_rows(
        conn,
        &["f.pupil_id", "g.id", "g.name"],
        // One grouped pass over the links: a subquery per pupil took PostgreSQL four times
        // as long at a million pupils.
        "(SELECT pupil_id, MIN(guardian_id) AS guardian_id FROM pupil_guardians GROUP BY pupil_id) f \
         JOIN guardians g ON g.id = f.guardian_id",
        vec![],
    )
    .await
}

type EnrolmentRow = (i64, i64, String, String, i32, String, Day, Option<Day>);

/// Enrolments that can be charged.
async fn read_enrolments(conn: &impl ConnectionTrait) -> Result<Vec<EnrolmentRow>> {
    json_rows(
        conn,
        &[
            "id",
            "pupil_id",
            "instrument",
            "lesson_type",
            "minutes",
            "payer",
            "start_date",
            "end_date",
        ],
        "enrolments WHERE status IN ('active', 'leaving')",
        vec![],
    )
    .await
}

/// A read run on a task of its own, as the reader's own result.
fn joined<T>(outcome: std::result::Result<Result<T>, tokio::task::JoinError>) -> Result<T> {
    outcome.map_err(|e| StoreError::from(DbErr::Custom(format!("reading for the run: {e}"))))?
}

/// Reads every fact a run for `term` needs, in a handful of set queries.
async fn run_input(
    conn: &impl ConnectionTrait,
    side: Option<&DatabaseConnection>,
    term: TermId,
    issued_on: Date,
    progress: &(dyn Fn(RunProgress) + Send + Sync),
) -> Result<RunInput> {
    let policy = policy_in(conn, term.year).await?.policy;
    let calendars = Calendars::load(conn).await?;
    let fallback = default_term_dates(term.year)
        .into_iter()
        .find(|t| t.term == term)
        .expect("every term has default dates");
    let mut dates_of_school: HashMap<i64, TermDates> = HashMap::new();
    let term_text = term.to_string();

    // On PostgreSQL the three large reads run side by side, each on its own connection and
    // server process (and the side ones on their own tasks, so their rows are parsed on
    // another thread too).
    let (mut pupil_rows, mut enrolment_rows, mut guardian_rows) = match side {
        Some(side) => {
            let (first, second) = (side.clone(), side.clone());
            let enrolments = tokio::spawn(async move { read_enrolments(&first).await });
            let guardians = tokio::spawn(async move { read_first_guardians(&second).await });
            let pupils = read_pupils(conn).await?;
            (pupils, joined(enrolments.await)?, joined(guardians.await)?)
        }
        None => (
            read_pupils(conn).await?,
            read_enrolments(conn).await?,
            read_first_guardians(conn).await?,
        ),
    };
    let schools: HashMap<i64, (String, i32)> =
        json_rows::<(i64, String, i32)>(conn, &["id", "name", "parent_charge_uplift"], "schools", vec![])
            .await?
            .into_iter()
            .map(|(id, name, uplift)| (id, (name, uplift)))
            .collect();
    pupil_rows.sort_unstable_by_key(|r| r.0);
    guardian_rows.sort_unstable_by_key(|r| r.0);
    let mut guardians = guardian_rows.into_iter().peekable();
    let mut pupils = Vec::with_capacity(pupil_rows.len());
    for (id, pupil_ref, fsm, premium, send, looked_after, school_id) in pupil_rows {
        let Some((school_name, uplift)) = schools.get(&school_id) else {
            continue;
        };
        // Both lists are in pupil order: walk the guardians along with the pupils.
        while guardians.next_if(|g| g.0 < id).is_some() {}
        let guardian = guardians.next_if(|g| g.0 == id).map(|(_, g, name)| (g, name));
        let dates = *dates_of_school.entry(school_id).or_insert_with(|| {
            calendars
                .calendar(school_id, term)
                .and_then(|c| c.term(term).copied())
                .unwrap_or(fallback)
        });
        pupils.push(BillablePupil {
            id,
            pupil_ref,
            facts: PupilFacts {
                free_school_meals: fsm.0,
                pupil_premium: premium.0,
                send: send.0,
                looked_after: looked_after.0,
            },
            school_uplift: Percent::whole((*uplift).max(0) as u32),
            school: (school_id, school_name.clone()),
            guardian,
            term_dates: dates,
        });
    }
    let dates_of_pupil: HashMap<i64, TermDates> = pupils.iter().map(|p| (p.id, p.term_dates)).collect();

    let mut enrolments = Vec::new();
    enrolment_rows.sort_unstable_by_key(|r| r.0);
    for (id, pupil_id, instrument, lesson_type, minutes, payer, start, end) in enrolment_rows {
        let (Ok(lesson_type), Ok(minutes)) = (lesson_type.parse::<LessonType>(), u16::try_from(minutes)) else {
            continue;
        };
        enrolments.push(BillableEnrolment {
            id,
            pupil_id,
            instrument,
            lesson_type,
            minutes,
            payer: if payer == "school" {
                Payer::School
            } else {
                Payer::Parent
            },
            start_date: start.0,
            end_date: end.map(|d| d.0),
        });
    }

    let mut loan_rows: Vec<(i64, i64, String, String, i64, Day, Option<Day>)> = json_rows(
        conn,
        &[
            "l.id",
            "l.instrument_id",
            "i.serial",
            "i.instrument_type",
            "l.pupil_id",
            "l.start_date",
            "l.end_date",
        ],
        "instrument_loans l JOIN instruments i ON i.id = l.instrument_id",
        vec![],
    )
    .await?;
    loan_rows.sort_unstable_by_key(|r| r.0);
    let loans: Vec<BillableLoan> = loan_rows
        .into_iter()
        .filter(|(_, _, _, _, pupil_id, start, end)| {
            // A loan is charged for a term it overlaps.
            dates_of_pupil
                .get(pupil_id)
                .is_some_and(|d| start.0 <= d.dates.last && end.is_none_or(|end| end.0 >= d.dates.first))
        })
        .map(
            |(_, instrument_id, serial, instrument_type, pupil_id, _, _)| BillableLoan {
                instrument_id,
                serial,
                instrument_type,
                pupil_id,
            },
        )
        .collect();

    // Services agreements of the year with schools billed by invoice (the journal takes
    // the council-maintained schools' ones).
    let mut agreement_rows: Vec<(i64, i64, String, String, i64)> = json_rows(
        conn,
        &["a.id", "a.school_id", "s.name", "a.programme", "a.annual_pence"],
        "service_agreements a JOIN schools s ON s.id = a.school_id \
         WHERE a.academic_year = ? AND a.billing = 'invoice'",
        vec![term.year.to_string().into()],
    )
    .await?;
    agreement_rows.sort_unstable_by_key(|r| r.0);
    let agreements: Vec<BillableAgreement> = agreement_rows
        .into_iter()
        .map(|(id, school_id, school_name, programme, annual)| BillableAgreement {
            id,
            school: (school_id, school_name),
            programme,
            annual_cost: Pence(annual),
        })
        .collect();

    let mut already_billed: HashSet<(i64, ChargeKind, i64)> = HashSet::new();
    let billed: Vec<(i64, String, i64)> = json_rows(
        conn,
        &["pupil_id", "charge_kind", "subject_id"],
        "invoice_lines WHERE term = ?",
        vec![term_text.clone().into()],
    )
    .await?;
    for (pupil_id, kind, subject_id) in billed {
        if let Some(kind) = tutti_domain::billing::charge_kind_from_str(&kind) {
            already_billed.insert((pupil_id, kind, subject_id));
        }
    }
    if !agreements.is_empty() {
        let billed: Vec<(i64,)> = json_rows(
            conn,
            &["agreement_id"],
            "agreement_invoice_lines WHERE term = ?",
            vec![term_text.clone().into()],
        )
        .await?;
        already_billed.extend(billed.into_iter().map(|(id,)| (0, ChargeKind::Wcet, id)));
    }
    // Every invoice has a line, so with no line billed for the term there is no invoice yet.
    let mut invoiced_payers = HashSet::new();
    if !already_billed.is_empty() {
        let payers: Vec<(String, i64)> = json_rows(
            conn,
            &["payer_kind", "payer_id"],
            "invoices WHERE term = ?",
            vec![term_text.into()],
        )
        .await?;
        invoiced_payers.extend(payers.into_iter().map(|(kind, id)| {
            if kind == "school" {
                PayerKey::School(id)
            } else {
                PayerKey::Parent(id)
            }
        }));
    }
    progress(RunProgress::Pricing { pupils: pupils.len() });
    Ok(RunInput {
        term,
        policy,
        issued_on,
        pupils,
        enrolments,
        loans,
        agreements,
        already_billed,
        invoiced_payers,
    })
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
    let backend = conn.get_database_backend();
    Ok(Id::find_by_statement(stmt(
        backend,
        "INSERT INTO billing_runs (term, run_by, started_at, finished_at, invoices_created, lines_created, total_pence) \
         VALUES (?, ?, ?, ?, 0, 0, 0) RETURNING id",
        [
            term.to_string().into(),
            actor.user_id.into(),
            started_at.into(),
            started_at.into(),
        ],
    ))
    .one(conn)
    .await?
    .ok_or(StoreError::NotFound)?
    .id)
}

/// Rows per INSERT (each statement's rows travel as one JSON text, `BulkInsert`): enough
/// for about twenty progress reports on a Durham-sized run on SQLite, and few round trips
/// with a few megabytes each on PostgreSQL.
fn rows_per_statement(backend: DbBackend) -> usize {
    match backend {
        DbBackend::Postgres => 50_000,
        _ => 2_000,
    }
}

/// Writes a plan's invoices (with ids taken in one block), lines and instalments. Returns the
/// invoice numbers in plan order.
async fn write_plan(
    conn: &impl ConnectionTrait,
    copy: Option<&PgTransaction>,
    run_id: i64,
    term: TermId,
    issued_on: Date,
    plan: &RunPlan,
    progress: &(dyn Fn(RunProgress) + Send + Sync),
) -> Result<Vec<String>> {
    #[derive(FromQueryResult)]
    struct Max {
        max_id: Option<i64>,
    }
    let backend = conn.get_database_backend();
    // Writers of invoices are held off (BEGIN IMMEDIATE on SQLite, the table lock on
    // PostgreSQL), so the ids after the largest are ours to use.
    let first_id = Max::find_by_statement(stmt(backend, "SELECT MAX(id) AS max_id FROM invoices", []))
        .one(conn)
        .await?
        .and_then(|m| m.max_id)
        .unwrap_or(0)
        + 1;
    let term_text = term.to_string();
    let created = now();
    let total_rows =
        plan.invoices.len() + plan.line_count() + plan.invoices.iter().map(|i| i.instalments.len()).sum::<usize>();
    let mut done = 0usize;
    let mut reported = 0usize;
    let mut written = |n: usize| {
        if n == 0 {
            return;
        }
        done += n;
        // About twenty reports however small the statements are.
        if done - reported >= total_rows / 20 || done == total_rows {
            reported = done;
            progress(RunProgress::Writing {
                done,
                total: total_rows,
            });
        }
    };

    let per_statement = rows_per_statement(backend);
    let insert = |table, columns| BulkInsert::new(conn, copy, table, columns, per_statement);
    let mut numbers = Vec::with_capacity(plan.invoices.len());
    let mut invoices = insert(
        "invoices",
        vec![
            Column::Field("id", "int8"),
            Column::Field("number", "text"),
            Column::Same("billing_run_id", run_id.into()),
            Column::Field("payer_kind", "text"),
            Column::Field("payer_id", "int8"),
            Column::Field("payer_name", "text"),
            Column::Same("term", term_text.clone().into()),
            Column::Field("kind", "text"),
            Column::Same("issued_on", issued_on.into()),
            Column::Field("total_pence", "int8"),
            Column::Same("status", "issued".into()),
            Column::Same("created_at", created.into()),
        ],
    );
    for (i, invoice) in plan.invoices.iter().enumerate() {
        let id = first_id + i as i64;
        let number = format!("INV-{id:06}");
        invoices.int(id);
        invoices.text(&number);
        invoices.text(invoice.payer.kind());
        invoices.int(invoice.payer.id());
        invoices.text(&invoice.payer_name);
        invoices.text(invoice.kind.as_str());
        invoices.int(invoice.total_pence.0);
        numbers.push(number);
        written(invoices.end_row().await?);
    }
    written(invoices.finish().await?);

    let mut lines = insert(
        "invoice_lines",
        vec![
            Column::Field("invoice_id", "int8"),
            Column::Field("pupil_id", "int8"),
            Column::Same("term", term_text.clone().into()),
            Column::Field("charge_kind", "text"),
            Column::Field("subject_id", "int8"),
            Column::Field("description", "text"),
            Column::Field("rule", "text"),
            Column::Field("amount_pence", "int8"),
        ],
    );
    // A school's programme has no pupil, so its own table (decision 0054).
    let mut agreement_lines = insert(
        "agreement_invoice_lines",
        vec![
            Column::Field("invoice_id", "int8"),
            Column::Field("agreement_id", "int8"),
            Column::Same("term", term_text.clone().into()),
            Column::Field("description", "text"),
            Column::Field("rule", "text"),
            Column::Field("amount_pence", "int8"),
        ],
    );
    for (i, invoice) in plan.invoices.iter().enumerate() {
        let id = first_id + i as i64;
        for line in &invoice.lines {
            if line.kind == ChargeKind::Wcet {
                agreement_lines.int(id);
                agreement_lines.int(line.subject_id);
                agreement_lines.text(&line.description);
                agreement_lines.text(&line.rule);
                agreement_lines.int(line.amount_pence.0);
                written(agreement_lines.end_row().await?);
                continue;
            }
            lines.int(id);
            lines.int(line.pupil_id);
            lines.text(charge_kind_str(line.kind));
            lines.int(line.subject_id);
            lines.text(&line.description);
            lines.text(&line.rule);
            lines.int(line.amount_pence.0);
            written(lines.end_row().await?);
        }
    }
    written(lines.finish().await?);
    written(agreement_lines.finish().await?);

    let mut instalments = insert(
        "instalments",
        vec![
            Column::Field("invoice_id", "int8"),
            Column::Field("number", "int4"),
            Column::Field("due_on", "date"),
            Column::Field("amount_pence", "int8"),
            Column::Same("status", "due".into()),
        ],
    );
    for (i, invoice) in plan.invoices.iter().enumerate() {
        let id = first_id + i as i64;
        for instalment in &invoice.instalments {
            instalments.int(id);
            instalments.int(instalment.number as i64);
            instalments.date(instalment.due);
            instalments.int(instalment.amount.0);
            written(instalments.end_row().await?);
        }
    }
    written(instalments.finish().await?);
    if backend == DbBackend::Postgres {
        conn.execute_unprepared(
            "SELECT setval(pg_get_serial_sequence('invoices', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM invoices), false)",
        )
        .await?;
    }
    Ok(numbers)
}

/// The sum of pence, for templates.

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
