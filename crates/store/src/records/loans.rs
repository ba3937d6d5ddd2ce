//! Instrument loans: lending an instrument to a pupil, its return (with its condition), a
//! move to another pupil, loss and damage, the family's acceptance of the loan agreement, the
//! lists (current, due back, overdue) and `tutti import loans`. Each operation is one audited
//! transaction that runs the domain's rules (`tutti_domain::loans`); the instrument's status
//! follows its loans. Billing only reads loans (`money::billing::facts`): a loan is charged for
//! each term it overlaps.
use std::collections::HashMap;

use sea_orm::{DatabaseTransaction, FromQueryResult, Value};
use time::{Date, OffsetDateTime};
use tutti_domain::Pence;
use tutti_domain::calendar::AcademicYear;
use tutti_domain::csv::LoanRow;
use tutti_domain::instruments::{InstrumentCondition, InstrumentStatus};
use tutti_domain::loans::{
    Borrower, Lendable, LoanRefusal, LoanStatus, check_lend, default_due, instrument_status_after, is_overdue,
};
use tutti_domain::records::ImportRowProblem;

use crate::error::{Result, StoreError};
use crate::listing::Page;
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, exec, insert_id, one_of};
use crate::records::imports::{Change, CsvImport, ids_by_key, issue_at, pupil_ids_by_ref, read_csv};
use crate::records::pupils::PupilScope;
use crate::{Store, now};

/// A loan as screens and the API show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loan {
    pub id: i64,
    pub instrument_id: i64,
    pub serial: String,
    pub instrument_type: String,
    pub pupil_id: i64,
    pub pupil_ref: String,
    pub pupil_name: String,
    pub start_date: Date,
    pub due_date: Option<Date>,
    pub end_date: Option<Date>,
    pub status: LoanStatus,
    pub return_condition: Option<InstrumentCondition>,
    pub agreement_accepted_at: Option<OffsetDateTime>,
    pub agreement_accepted_name: Option<String>,
    pub agreement_on_paper: bool,
    /// Still out after the day it was due back (as of the store's today).
    pub overdue: bool,
}

#[derive(FromQueryResult)]
struct LoanRecord {
    id: i64,
    instrument_id: i64,
    serial: String,
    instrument_type: String,
    pupil_id: i64,
    pupil_ref: String,
    first_name: String,
    last_name: String,
    start_date: Date,
    due_date: Option<Date>,
    end_date: Option<Date>,
    status: String,
    return_condition: Option<String>,
    agreement_accepted_at: Option<OffsetDateTime>,
    agreement_accepted_name: Option<String>,
    agreement_on_paper: bool,
}

const SELECT: &str = "SELECT l.id, l.instrument_id, i.serial, i.instrument_type, l.pupil_id, p.pupil_ref, \
     p.first_name, p.last_name, l.start_date, l.due_date, l.end_date, l.status, l.return_condition, \
     l.agreement_accepted_at, l.agreement_accepted_name, l.agreement_on_paper \
     FROM instrument_loans l JOIN instruments i ON i.id = l.instrument_id JOIN pupils p ON p.id = l.pupil_id";

impl LoanRecord {
    fn into_loan(self, today: Date) -> Result<Loan> {
        let status = LoanStatus::parse(&self.status)
            .ok_or_else(|| StoreError::Corrupt(format!("loan {} has the status {:?}", self.id, self.status)))?;
        Ok(Loan {
            id: self.id,
            instrument_id: self.instrument_id,
            serial: self.serial,
            instrument_type: self.instrument_type,
            pupil_id: self.pupil_id,
            pupil_ref: self.pupil_ref,
            pupil_name: format!("{} {}", self.first_name, self.last_name),
            start_date: self.start_date,
            due_date: self.due_date,
            end_date: self.end_date,
            status,
            return_condition: self.return_condition.as_deref().and_then(|c| c.parse().ok()),
            agreement_accepted_at: self.agreement_accepted_at,
            agreement_accepted_name: self.agreement_accepted_name,
            agreement_on_paper: self.agreement_on_paper,
            overdue: is_overdue(status, self.due_date, today),
        })
    }
}

/// Which loans a list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LoanFilter {
    /// Every loan, ended or not.
    All,
    /// Loans still out.
    #[default]
    Current,
    /// Loans still out and due back within four weeks (overdue ones included).
    DueBack,
    /// Loans still out after the day they were due back.
    Overdue,
}

impl LoanFilter {
    pub const WORDS: &'static [&'static str] = &["current", "due", "overdue", "all"];

    pub fn parse(word: &str) -> Option<LoanFilter> {
        match word {
            "current" | "" => Some(LoanFilter::Current),
            "due" => Some(LoanFilter::DueBack),
            "overdue" => Some(LoanFilter::Overdue),
            "all" => Some(LoanFilter::All),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LoanFilter::Current => "current",
            LoanFilter::DueBack => "due",
            LoanFilter::Overdue => "overdue",
            LoanFilter::All => "all",
        }
    }
}

/// Days ahead the "due back" list looks.
pub const DUE_BACK_WITHIN_DAYS: i64 = 28;

/// What a list of loans asks for.
#[derive(Debug, Clone, Default)]
pub struct LoanQuery {
    pub filter: LoanFilter,
    /// Words to find in the serial, instrument type, pupil's name or reference.
    pub q: String,
    pub pupil_id: Option<i64>,
    pub instrument_id: Option<i64>,
    pub page: u64,
    pub per_page: u64,
}

/// A loan to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLoan {
    pub instrument_id: i64,
    pub pupil_id: i64,
    pub from: Date,
    /// When it is due back; a year on when not given (`loans::default_due`).
    pub due: Option<Date>,
    /// The family signed the loan agreement on paper (recorded by whoever lends).
    pub agreement_on_paper: bool,
}

#[derive(FromQueryResult)]
struct InstrumentState {
    serial: String,
    status: String,
    archived: bool,
}

#[derive(FromQueryResult)]
struct PupilState {
    first_name: String,
    last_name: String,
    archived: bool,
}

#[derive(FromQueryResult)]
struct OpenLoan {
    instrument_id: i64,
    pupil_id: i64,
    start_date: Date,
    status: String,
}

fn parse_status(stored: &str) -> Result<LoanStatus> {
    LoanStatus::parse(stored).ok_or_else(|| StoreError::Corrupt(format!("a loan has the status {stored:?}")))
}

async fn instrument_state(txn: &DatabaseTransaction, id: i64) -> Result<InstrumentState> {
    one_of::<InstrumentState>(
        txn,
        "SELECT serial, status, archived_at IS NOT NULL AS archived FROM instruments WHERE id = ?",
        [id.into()],
    )
    .await?
    .ok_or_else(|| LoanRefusal::NoInstrument.into())
}

async fn set_instrument_status(
    txn: &DatabaseTransaction,
    id: i64,
    status: InstrumentStatus,
    condition: Option<InstrumentCondition>,
) -> Result<()> {
    let t = now();
    match condition {
        Some(c) => {
            exec(
                txn,
                "UPDATE instruments SET status = ?, condition = ?, updated_at = ? WHERE id = ?",
                vec![status.as_str().into(), c.as_str().into(), t.into(), id.into()],
            )
            .await?
        }
        None => {
            exec(
                txn,
                "UPDATE instruments SET status = ?, updated_at = ? WHERE id = ?",
                vec![status.as_str().into(), t.into(), id.into()],
            )
            .await?
        }
    };
    Ok(())
}

/// Lends inside `txn`, after the domain's rules: the loan's id.
async fn lend_in(txn: &DatabaseTransaction, actor: &Actor, loan: &NewLoan) -> Result<i64> {
    let instrument = instrument_state(txn, loan.instrument_id).await?;
    let pupil = one_of::<PupilState>(
        txn,
        "SELECT first_name, last_name, archived_at IS NOT NULL AS archived FROM pupils WHERE id = ?",
        [loan.pupil_id.into()],
    )
    .await?
    .ok_or(StoreError::from(LoanRefusal::NoPupil))?;
    let status: InstrumentStatus = instrument.status.parse().map_err(|_| {
        StoreError::Corrupt(format!(
            "instrument {} has the status {:?}",
            instrument.serial, instrument.status
        ))
    })?;
    let name = format!("{} {}", pupil.first_name, pupil.last_name);
    check_lend(
        &Lendable {
            serial: &instrument.serial,
            status,
            archived: instrument.archived,
        },
        &Borrower {
            name: &name,
            archived: pupil.archived,
        },
        loan.from,
        loan.due,
    )?;
    let t = now();
    let (accepted_at, accepted_by, accepted_name) = if loan.agreement_on_paper {
        (Some(t), actor.user_id, Some(actor.name.clone()))
    } else {
        (None, None, None)
    };
    let id = insert_id(
        txn,
        "INSERT INTO instrument_loans (instrument_id, pupil_id, start_date, due_date, status, created_at, updated_at, \
         agreement_accepted_at, agreement_accepted_by, agreement_accepted_name, agreement_on_paper) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vec![
            loan.instrument_id.into(),
            loan.pupil_id.into(),
            loan.from.into(),
            loan.due.unwrap_or_else(|| default_due(loan.from)).into(),
            LoanStatus::OnLoan.as_str().into(),
            t.into(),
            t.into(),
            accepted_at.into(),
            accepted_by.into(),
            accepted_name.into(),
            loan.agreement_on_paper.into(),
        ],
    )
    .await?;
    set_instrument_status(txn, loan.instrument_id, InstrumentStatus::OnLoan, None).await?;
    let what = format!(
        "instrument {} lent to pupil {} from {}{}",
        instrument.serial,
        loan.pupil_id,
        loan.from,
        if loan.agreement_on_paper {
            " (agreement signed on paper)"
        } else {
            ""
        }
    );
    audit::record(txn, actor, Action::Create, "instrument_loan", Some(id), what).await?;
    Ok(id)
}

/// Ends an open loan inside `txn`: the loan as it was.
async fn end_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: i64,
    how: LoanStatus,
    on: Date,
    condition: Option<InstrumentCondition>,
) -> Result<OpenLoan> {
    let loan = one_of::<OpenLoan>(
        txn,
        "SELECT instrument_id, pupil_id, start_date, status FROM instrument_loans WHERE id = ?",
        [id.into()],
    )
    .await?
    .ok_or(StoreError::NotFound)?;
    let ended = parse_status(&loan.status)?.end(how, loan.start_date, on)?;
    exec(
        txn,
        "UPDATE instrument_loans SET status = ?, end_date = ?, return_condition = ?, updated_at = ? WHERE id = ?",
        vec![
            ended.as_str().into(),
            on.into(),
            condition.map(|c| c.as_str().to_owned()).into(),
            now().into(),
            id.into(),
        ],
    )
    .await?;
    set_instrument_status(
        txn,
        loan.instrument_id,
        instrument_status_after(ended, condition),
        condition,
    )
    .await?;
    let what = format!(
        "loan {id} ended on {on}: {}{}",
        ended.as_str(),
        condition.map(|c| format!(", condition {c}")).unwrap_or_default()
    );
    audit::record(txn, actor, Action::Update, "instrument_loan", Some(id), what).await?;
    Ok(loan)
}

#[tutti_boxed::boxed]
impl Store {
    /// Lends an instrument to a pupil: refused for an instrument on loan, lost, in repair,
    /// retired or archived, or a pupil archived. The instrument is then on loan.
    pub async fn lend_instrument(&self, actor: &Actor, loan: &NewLoan) -> Result<i64> {
        let txn = self.write().await?;
        let id = lend_in(&txn, actor, loan).await?;
        txn.commit().await?;
        Ok(id)
    }

    /// Ends a loan on `on` as returned (with the condition it came back in), lost or damaged;
    /// the instrument becomes available, in repair or lost. A loan ends once.
    pub async fn end_loan(
        &self,
        actor: &Actor,
        id: i64,
        how: LoanStatus,
        on: Date,
        condition: Option<InstrumentCondition>,
    ) -> Result<()> {
        let txn = self.write().await?;
        end_in(&txn, actor, id, how, on, condition).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Moves a loan's instrument to another pupil on `on`, in one step: the loan is returned
    /// that day and a new one starts, due back when the old one was.
    pub async fn move_loan(&self, actor: &Actor, id: i64, to_pupil: i64, on: Date) -> Result<i64> {
        let txn = self.write().await?;
        #[derive(FromQueryResult)]
        struct Due {
            due_date: Option<Date>,
        }
        let due = one_of::<Due>(&txn, "SELECT due_date FROM instrument_loans WHERE id = ?", [id.into()])
            .await?
            .ok_or(StoreError::NotFound)?
            .due_date;
        let old = end_in(&txn, actor, id, LoanStatus::Returned, on, None).await?;
        if old.pupil_id == to_pupil {
            return Err(LoanRefusal::SamePupil.into());
        }
        let new = lend_in(
            &txn,
            actor,
            &NewLoan {
                instrument_id: old.instrument_id,
                pupil_id: to_pupil,
                from: on,
                due: due.filter(|d| *d > on),
                agreement_on_paper: false,
            },
        )
        .await?;
        txn.commit().await?;
        Ok(new)
    }

    /// Records the family's acceptance of a loan's agreement, by `actor` (a parent who may see
    /// the pupil, by `scope`); accepting again changes nothing. Another family's loan is
    /// `NotFound`.
    pub async fn accept_loan_agreement(&self, actor: &Actor, scope: &PupilScope, id: i64) -> Result<()> {
        let txn = self.write().await?;
        let (condition, mut values) = scope.condition();
        values.insert(0, id.into());
        #[derive(FromQueryResult)]
        struct Seen {
            status: String,
            accepted: bool,
        }
        let seen = one_of::<Seen>(
            &txn,
            &format!(
                "SELECT l.status, l.agreement_accepted_at IS NOT NULL AS accepted FROM instrument_loans l \
                 JOIN pupils p ON p.id = l.pupil_id WHERE l.id = ? AND {condition}"
            ),
            values,
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        let status = parse_status(&seen.status)?;
        if !status.is_open() {
            return Err(LoanRefusal::AlreadyEnded { status }.into());
        }
        if seen.accepted {
            return Ok(());
        }
        exec(
            &txn,
            "UPDATE instrument_loans SET agreement_accepted_at = ?, agreement_accepted_by = ?, \
             agreement_accepted_name = ?, agreement_on_paper = ?, updated_at = ? WHERE id = ?",
            vec![
                now().into(),
                actor.user_id.into(),
                actor.name.clone().into(),
                false.into(),
                now().into(),
                id.into(),
            ],
        )
        .await?;
        audit::record(
            &txn,
            actor,
            Action::Update,
            "instrument_loan",
            Some(id),
            // Who accepted is the event's user, kept by id (decision 0088).
            format!("loan {id}: agreement accepted online"),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// One loan, if `scope` may see its pupil.
    pub async fn loan(&self, scope: &PupilScope, id: i64) -> Result<Option<Loan>> {
        let (condition, mut values) = scope.condition();
        values.insert(0, id.into());
        let row =
            one_of::<LoanRecord>(self.conn(), &format!("{SELECT} WHERE l.id = ? AND {condition}"), values).await?;
        row.map(|r| r.into_loan(self.today())).transpose()
    }

    /// A page of loans that `scope` may see, newest first (due back first for the lists of
    /// loans still out).
    pub async fn loans(&self, scope: &PupilScope, q: &LoanQuery) -> Result<Page<Loan>> {
        let today = self.today();
        let (scope_sql, mut values) = scope.condition();
        let mut conditions = vec![scope_sql];
        match q.filter {
            LoanFilter::All => {}
            LoanFilter::Current => conditions.push("l.status = 'on-loan'".into()),
            LoanFilter::DueBack => {
                conditions.push("l.status = 'on-loan' AND l.due_date <= ?".into());
                values.push(today.saturating_add(time::Duration::days(DUE_BACK_WITHIN_DAYS)).into());
            }
            LoanFilter::Overdue => {
                conditions.push("l.status = 'on-loan' AND l.due_date < ?".into());
                values.push(today.into());
            }
        }
        if let Some(pupil) = q.pupil_id {
            conditions.push("l.pupil_id = ?".into());
            values.push(pupil.into());
        }
        if let Some(instrument) = q.instrument_id {
            conditions.push("l.instrument_id = ?".into());
            values.push(instrument.into());
        }
        let term = q.q.trim().to_lowercase();
        if !term.is_empty() {
            let pattern = format!("%{}%", crate::records::search::escape_like(&term));
            let columns = [
                "i.serial",
                "i.instrument_type",
                "p.pupil_ref",
                "p.first_name",
                "p.last_name",
            ];
            conditions.push(format!(
                "({})",
                columns
                    .iter()
                    .map(|c| format!("LOWER({c}) LIKE ? ESCAPE '\\'"))
                    .collect::<Vec<_>>()
                    .join(" OR ")
            ));
            values.extend(columns.iter().map(|_| Value::from(pattern.clone())));
        }
        let filter = conditions.join(" AND ");
        let from =
            "FROM instrument_loans l JOIN instruments i ON i.id = l.instrument_id JOIN pupils p ON p.id = l.pupil_id";
        let _backend = self.conn().get_database_backend();
        #[derive(FromQueryResult)]
        struct Count {
            n: i64,
        }
        let total = one_of::<Count>(
            self.conn(),
            &format!("SELECT COUNT(*) AS n {from} WHERE {filter}"),
            values.clone(),
        )
        .await?
        .map_or(0, |c| c.n) as u64;
        let per_page = q.per_page.clamp(1, 200);
        let page = q.page.clamp(1, crate::listing::MAX_PAGE);
        let order = match q.filter {
            LoanFilter::All => "l.start_date DESC, l.id DESC",
            _ => "l.due_date, l.id",
        };
        values.push((per_page as i64).into());
        values.push((crate::listing::offset(page, per_page) as i64).into());
        let rows = all_of::<LoanRecord>(
            self.conn(),
            &format!("{SELECT} WHERE {filter} ORDER BY {order} LIMIT ? OFFSET ?"),
            values,
        )
        .await?;
        Ok(Page::counted(
            rows.into_iter().map(|r| r.into_loan(today)).collect::<Result<_>>()?,
            total,
            page,
            per_page,
        ))
    }

    /// Every loan of an instrument, newest first: its history.
    pub async fn loans_of_instrument(&self, instrument_id: i64) -> Result<Vec<Loan>> {
        Ok(self
            .loans(
                &PupilScope::All,
                &LoanQuery {
                    filter: LoanFilter::All,
                    instrument_id: Some(instrument_id),
                    per_page: 200,
                    ..Default::default()
                },
            )
            .await?
            .rows)
    }

    /// Every loan of the pupils `scope` may see (one pupil's if `pupil_id`), newest first.
    pub async fn loans_of_pupils(&self, scope: &PupilScope, pupil_id: Option<i64>) -> Result<Vec<Loan>> {
        Ok(self
            .loans(
                scope,
                &LoanQuery {
                    filter: LoanFilter::All,
                    pupil_id,
                    per_page: 200,
                    ..Default::default()
                },
            )
            .await?
            .rows)
    }

    /// The termly hire charge the charging policy of the year containing `day` sets for an
    /// instrument of this type, before any remission.
    pub async fn hire_charge(&self, instrument_type: &str, day: Date) -> Result<Pence> {
        let policy = self.charging_policy(AcademicYear::containing(day)).await?;
        Ok(policy.policy.hire.charge_for(instrument_type))
    }

    /// `tutti import loans`: reads a CSV of `serial,pupil_ref,from` and lends each instrument
    /// whole or not at all. A row whose instrument is already on loan to that pupil from that
    /// day is unchanged, so the same file twice changes nothing; an instrument on loan to
    /// anyone else, an unknown serial or an unknown pupil names its line and column.
    pub async fn import_loans_csv(&self, actor: &Actor, text: &str, dry_run: bool) -> Result<CsvImport> {
        let (lines, warnings, mut report) = match read_csv::<LoanRow>(text, dry_run) {
            Ok(read) => read,
            Err(failed) => return Ok(failed),
        };
        let rows = lines.len();
        let txn = self.write().await?;
        let instruments = ids_by_key(&txn, "SELECT id, serial AS key FROM instruments", |k| k).await?;
        let pupils = pupil_ids_by_ref(&txn).await?;
        let open: HashMap<i64, OpenLoan> = all_of::<OpenLoan>(
            &txn,
            "SELECT instrument_id, pupil_id, start_date, status FROM instrument_loans WHERE status = 'on-loan'",
            [],
        )
        .await?
        .into_iter()
        .map(|l| (l.instrument_id, l))
        .collect();
        let mut todo = Vec::new();
        for r in &lines {
            let mut issue = |column: &str, message: String| report.errors.push(issue_at(r.line, column, message));
            let instrument = instruments.get(&r.row.serial).copied();
            let pupil = pupils.get(&r.row.pupil_ref.to_uppercase()).copied();
            if instrument.is_none() {
                let problem = ImportRowProblem::NoInstrument {
                    serial: r.row.serial.clone(),
                };
                issue(problem.column(), problem.to_string());
            }
            if pupil.is_none() {
                let problem = ImportRowProblem::NoPupil {
                    pupil_ref: r.row.pupil_ref.clone(),
                };
                issue(problem.column(), problem.to_string());
            }
            let (Some(instrument), Some(pupil)) = (instrument, pupil) else {
                continue;
            };
            match open.get(&instrument) {
                Some(l) if l.pupil_id == pupil && l.start_date == r.row.from => {
                    report.note(r.line, Change::Unchanged);
                }
                Some(_) => {
                    let refusal = LoanRefusal::InstrumentOnLoan {
                        serial: r.row.serial.clone(),
                    };
                    issue("serial", refusal.to_string());
                }
                None => todo.push((
                    r.line,
                    NewLoan {
                        instrument_id: instrument,
                        pupil_id: pupil,
                        from: r.row.from,
                        due: None,
                        agreement_on_paper: false,
                    },
                )),
            }
        }
        if report.is_ok() {
            for (line, loan) in &todo {
                match lend_in(&txn, actor, loan).await {
                    Ok(_) => report.note(*line, Change::Created),
                    // Any other rule (a lost instrument, an archived pupil) names the row too.
                    Err(StoreError::Refused(refusal)) => {
                        let column = match refusal.field() {
                            Some("pupil_id") => "pupil_ref",
                            Some("due") | Some("date") => "from",
                            _ => "serial",
                        };
                        report.errors.push(issue_at(*line, column, refusal.to_string()));
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        crate::records::imports::finish(txn, actor, ("instrument_loan", "loans"), rows, &report, Vec::new()).await?;
        Ok(CsvImport::of(report, warnings, rows))
    }
}
