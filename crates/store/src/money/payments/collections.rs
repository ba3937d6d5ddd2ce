//! Collecting instalments: reminder emails once per instalment, the missed-instalment rule
//! (the whole balance falls due), Direct Debit mandates and the collection file for the bank.
use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;
use time::{Date, Duration};
use tutti_domain::Pence;
use tutti_domain::charging::{Instalment, InstalmentStatus, instalment_status};
use tutti_domain::payments::{AccountNumber, InstalmentLetter, PaymentRefusal, SortCode, check_mandate};

use super::{exec, insert_id};
use crate::error::{Result, StoreError};
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, one_of};
use crate::{Store, now};

/// Reminders go out this many days before an instalment is due.
pub const REMINDER_DAYS: i64 = 7;

#[derive(FromQueryResult)]
struct PlanRow {
    instalment_id: i64,
    invoice_id: i64,
    number: i32,
    due_on: Date,
    amount_pence: i64,
    instalment_status: String,
    invoice_number: String,
    payer_kind: String,
    payer_id: i64,
    payer_name: String,
    settled_pence: i64,
}

/// One invoice's plan with what has been paid.
struct Plan {
    rows: Vec<PlanRow>,
}

impl Plan {
    fn schedule(&self) -> Vec<Instalment> {
        self.rows
            .iter()
            .map(|r| Instalment {
                number: r.number.clamp(1, 255) as u8,
                due: r.due_on,
                amount: Pence(r.amount_pence),
            })
            .collect()
    }

    fn first(&self) -> &PlanRow {
        &self.rows[0]
    }

    fn row(&self, number: u8) -> Option<&PlanRow> {
        self.rows.iter().find(|r| r.number == number as i32)
    }
}

/// Plans of invoices still to be paid, with instalments not cancelled.
async fn open_plans(conn: &impl ConnectionTrait) -> Result<Vec<Plan>> {
    let rows = all_of::<PlanRow>(conn, "SELECT n.id AS instalment_id, n.invoice_id, n.number, n.due_on, n.amount_pence, \
         n.status AS instalment_status, i.number AS invoice_number, i.payer_kind, i.payer_id, i.payer_name, \
         CAST(COALESCE((SELECT SUM(p.amount_pence) FROM payments p WHERE p.invoice_id = i.id), 0) AS BIGINT) AS settled_pence \
         FROM instalments n JOIN invoices i ON i.id = n.invoice_id \
         WHERE i.status IN ('issued', 'part_paid') \
         AND NOT EXISTS (SELECT 1 FROM instalments c WHERE c.invoice_id = i.id AND c.status = 'cancelled') \
         ORDER BY n.invoice_id, n.number", []).await?;
    let mut plans: BTreeMap<i64, Vec<PlanRow>> = BTreeMap::new();
    for r in rows {
        plans.entry(r.invoice_id).or_default().push(r);
    }
    Ok(plans.into_values().map(|rows| Plan { rows }).collect())
}

#[derive(FromQueryResult)]
struct Address {
    email: String,
}

/// Where mail about an invoice goes: a parent payer's guardian email, a school's contacts.
async fn payer_email(conn: &impl ConnectionTrait, payer_kind: &str, payer_id: i64) -> Result<Option<String>> {
    let sql = match payer_kind {
        "parent" => "SELECT email FROM guardians WHERE id = ? AND email <> ''",
        _ => "SELECT email FROM users WHERE school_id = ? AND disabled = false ORDER BY id",
    };
    Ok(one_of::<Address>(conn, sql, [payer_id.into()]).await?.map(|a| a.email))
}

/// What a reminder run did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ReminderReport {
    /// Reminders of an instalment coming due.
    pub reminders: u32,
    /// Plans collapsed by a missed instalment (all instalments cancelled, balance due).
    pub collapsed: u32,
    /// Payers with no email address on record, left for the office.
    pub no_address: u32,
}

/// Queues a message once per (instalment, kind); false when it was queued before.
async fn remind_once(
    conn: &impl ConnectionTrait,
    instalment_id: i64,
    kind: &str,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<bool> {
    let claimed = exec(
        conn,
        "INSERT INTO instalment_reminders (instalment_id, kind, outbox_id, sent_at) VALUES (?, ?, NULL, ?) \
         ON CONFLICT (instalment_id, kind) DO NOTHING",
        vec![instalment_id.into(), kind.into(), now().into()],
    )
    .await?;
    if claimed == 0 {
        return Ok(false);
    }
    let outbox_id = crate::platform::outbox::enqueue(conn, to, subject, body).await?;
    exec(
        conn,
        "UPDATE instalment_reminders SET outbox_id = ? WHERE instalment_id = ? AND kind = ?",
        vec![outbox_id.into(), instalment_id.into(), kind.into()],
    )
    .await?;
    Ok(true)
}

/// A checked Direct Debit mandate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MandateInput {
    pub payer_kind: String,
    pub payer_id: i64,
    pub account_name: String,
    pub sort_code: SortCode,
    pub account_number: AccountNumber,
    pub reference: String,
}

/// A mandate as the office sees it (the account number masked).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, FromQueryResult)]
pub struct Mandate {
    pub id: i64,
    pub payer_kind: String,
    pub payer_id: i64,
    pub account_name: String,
    pub sort_code: String,
    pub account_number: String,
    pub reference: String,
}

/// The columns of the Direct Debit collection file, in the order of a Bacs Standard 18
/// record: destination sort code, account number, account name, reference, amount in pence,
/// transaction code (17: a regular collection), and the date it is collected.
pub const DD_HEADER: [&str; 7] = [
    "sort_code",
    "account_number",
    "account_name",
    "reference",
    "amount_pence",
    "transaction_code",
    "collection_date",
];

#[tutti_boxed::boxed]
impl Store {
    /// Sends reminders for instalments due within [`REMINDER_DAYS`] of `today` and applies the
    /// missed-instalment rule: when one was missed, every instalment on the invoice is
    /// cancelled and the payer is told the whole balance is now due. Each message goes once:
    /// running again the same day, or the next, sends nothing new.
    pub async fn send_instalment_reminders(
        &self,
        actor: &Actor,
        today: Date,
        hub_name: &str,
    ) -> Result<ReminderReport> {
        let txn = self.write().await?;
        let mut report = ReminderReport::default();
        for plan in open_plans(&txn).await? {
            let first = plan.first();
            let paid = Pence(first.settled_pence);
            let to = payer_email(&txn, &first.payer_kind, first.payer_id).await?;
            // The letter about one of the invoice's instalments.
            let letter = |i: &Instalment| InstalmentLetter {
                payer_name: &first.payer_name,
                invoice_number: &first.invoice_number,
                instalment: i.number,
                amount: i.amount,
                due: i.due,
                hub_name,
            };
            match instalment_status(&plan.schedule(), paid, today) {
                InstalmentStatus::Collapsed(missed) => {
                    exec(
                        &txn,
                        "UPDATE instalments SET status = 'cancelled' WHERE invoice_id = ? AND status = 'due'",
                        vec![first.invoice_id.into()],
                    )
                    .await?;
                    report.collapsed += 1;
                    let what = format!(
                        "invoice {}: instalment {} missed, instalments cancelled, {} due now",
                        first.invoice_number, missed.missed.number, missed.balance_due
                    );
                    audit::record(&txn, actor, Action::Update, "invoice", Some(first.invoice_id), what).await?;
                    let Some(row) = plan.row(missed.missed.number) else {
                        continue;
                    };
                    let Some(to) = to else {
                        report.no_address += 1;
                        continue;
                    };
                    let (subject, body) = letter(&missed.missed).collapsed(missed.balance_due);
                    remind_once(&txn, row.instalment_id, "collapsed", &to, &subject, &body).await?;
                }
                InstalmentStatus::OnTrack { next_due: Some(next) }
                    if next.due >= today && next.due - today <= Duration::days(REMINDER_DAYS) =>
                {
                    let Some(row) = plan.row(next.number) else { continue };
                    if row.instalment_status != "due" {
                        continue;
                    }
                    let Some(to) = to else {
                        report.no_address += 1;
                        continue;
                    };
                    let (subject, body) = letter(&next).due_soon();
                    if remind_once(&txn, row.instalment_id, "due", &to, &subject, &body).await? {
                        report.reminders += 1;
                    }
                }
                _ => {}
            }
        }
        txn.commit().await?;
        Ok(report)
    }

    /// Records a payer's Direct Debit mandate (one per payer).
    pub async fn create_mandate(&self, actor: &Actor, input: &MandateInput) -> Result<i64> {
        check_mandate(&input.account_name)?;
        let txn = self.write().await?;
        let id = insert_id(
            &txn,
            "INSERT INTO dd_mandates (payer_kind, payer_id, account_name, sort_code, account_number, reference, \
             created_at, cancelled_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL) RETURNING id",
            vec![
                input.payer_kind.clone().into(),
                input.payer_id.into(),
                input.account_name.trim().into(),
                input.sort_code.digits().into(),
                input.account_number.digits().into(),
                input.reference.clone().into(),
                now().into(),
            ],
        )
        .await
        .map_err(|e| match e {
            StoreError::Db(_) => PaymentRefusal::MandateTaken.into(),
            other => other,
        })?;
        let summary = format!(
            "Direct Debit mandate {} for {} {}, account {}",
            input.reference,
            input.payer_kind,
            input.payer_id,
            input.account_number.masked()
        );
        audit::commit(txn, actor, Action::Create, "dd_mandate", Some(id), summary).await?;
        Ok(id)
    }

    /// Every mandate still in force, with the account number masked.
    pub async fn mandates(&self) -> Result<Vec<Mandate>> {
        let mut rows = all_of::<Mandate>(
            self.conn(),
            "SELECT id, payer_kind, payer_id, account_name, sort_code, account_number, reference FROM dd_mandates \
             WHERE cancelled_at IS NULL ORDER BY id",
            [],
        )
        .await?;
        for m in &mut rows {
            m.account_number = format!("****{}", &m.account_number[m.account_number.len().saturating_sub(4)..]);
        }
        Ok(rows)
    }

    /// The Direct Debit collection file for the bank: for each payer with a mandate, the
    /// instalment owing that is due by `collect_on` (what is still owing of it, after part
    /// payments). Plans collapsed by a missed instalment are left to the office.
    pub async fn dd_collection_file(&self, actor: &Actor, collect_on: Date) -> Result<String> {
        #[derive(FromQueryResult)]
        struct M {
            payer_kind: String,
            payer_id: i64,
            account_name: String,
            sort_code: String,
            account_number: String,
            reference: String,
        }
        let mandates = all_of::<M>(
            self.conn(),
            "SELECT payer_kind, payer_id, account_name, sort_code, account_number, reference FROM dd_mandates \
             WHERE cancelled_at IS NULL",
            [],
        )
        .await?;
        let by_payer: BTreeMap<(String, i64), M> = mandates
            .into_iter()
            .map(|m| ((m.payer_kind.clone(), m.payer_id), m))
            .collect();
        let mut rows: Vec<Vec<String>> = vec![DD_HEADER.iter().map(|s| (*s).to_owned()).collect()];
        let mut total = Pence::ZERO;
        for plan in open_plans(self.conn()).await? {
            let first = plan.first();
            let Some(m) = by_payer.get(&(first.payer_kind.clone(), first.payer_id)) else {
                continue;
            };
            // Judged on the day before collection, so an instalment due that day is not "missed".
            let status = instalment_status(
                &plan.schedule(),
                Pence(first.settled_pence),
                collect_on - Duration::days(1),
            );
            if let InstalmentStatus::OnTrack { next_due: Some(next) } = status
                && next.due <= collect_on
            {
                total += next.amount;
                rows.push(vec![
                    m.sort_code.clone(),
                    m.account_number.clone(),
                    // Bacs allows 18 characters of name, in capitals.
                    m.account_name.to_uppercase().chars().take(18).collect(),
                    m.reference.clone(),
                    next.amount.0.to_string(),
                    "17".into(),
                    tutti_domain::validate::format_date_iso(collect_on),
                ]);
            }
        }
        let count = rows.len() - 1;
        self.audit(
            actor,
            Action::Export,
            "dd_mandate",
            None,
            &format!("Direct Debit collection file for {collect_on}: {count} collections, {total}"),
        )
        .await?;
        Ok(tutti_domain::csv::write(rows))
    }
}
