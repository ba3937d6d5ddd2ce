//! Credits for lessons the hub failed to give (teacher absent, school closed, not made up):
//! each pupil's share of the term's tuition for that lesson, credited once, on the term's
//! invoice while it has a balance, else on the payer's next invoice, else as a credit note.
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;
use tutti_domain::Pence;
use tutti_domain::calendar::{TermId, default_term_dates};

use super::exec;
use super::invoices::{PaymentRow, account, insert_payment, refresh_status};
use crate::Store;
use crate::error::Result;
use crate::platform::audit::{self, Action, Actor};
use crate::query::{Count, Id, all_of, one_of};
use tutti_domain::lessons::LessonStatus;
use tutti_domain::payments::missed_lesson_credit;

#[derive(FromQueryResult)]
struct Owed {
    lesson_id: i64,
    group_id: i64,
    day: time::Date,
    pupil_id: i64,
    line_amount: i64,
    invoice_id: i64,
    payer_kind: String,
    payer_id: i64,
}

/// What a credit run did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct CreditReport {
    pub credits: u32,
    pub total_pence: i64,
}

#[tutti_boxed::boxed]
impl Store {
    /// Credits every owed lesson of `term` not yet credited. Running it again credits nothing new.
    pub async fn credit_missed_lessons(&self, actor: &Actor, term: TermId) -> Result<CreditReport> {
        let dates = default_term_dates(term.year)[term.name.index()].dates;
        let txn = self.write().await?;
        let _backend = txn.get_database_backend();
        // An owed lesson with a make-up that was given is not owed any more.
        let owed = all_of::<Owed>(&txn, "SELECT d.id AS lesson_id, d.group_id, d.day, e.pupil_id, l.amount_pence AS line_amount, \
             l.invoice_id, i.payer_kind, i.payer_id \
             FROM dated_lessons d JOIN group_members gm ON gm.group_id = d.group_id \
             JOIN enrolments e ON e.id = gm.enrolment_id \
             JOIN invoice_lines l ON l.subject_id = e.id AND l.charge_kind = 'tuition' AND l.term = ? \
             JOIN invoices i ON i.id = l.invoice_id AND i.status <> 'cancelled' \
             WHERE d.owed_by_hub = ? AND d.day >= ? AND d.day <= ? \
             AND NOT EXISTS (SELECT 1 FROM dated_lessons m WHERE m.make_up_of = d.id AND m.status = ?) \
             AND NOT EXISTS (SELECT 1 FROM lesson_credits c WHERE c.dated_lesson_id = d.id AND c.pupil_id = e.pupil_id) \
             ORDER BY d.day, d.id, e.pupil_id", [
                term.to_string().into(),
                true.into(),
                dates.first.into(),
                dates.last.into(),
                LessonStatus::Given.as_str().into(),
            ]).await?;
        let mut report = CreditReport::default();
        for o in owed {
            // The lesson's share of the term's fee: the line over the group's lessons that term.
            let lessons = one_of::<Count>(
                &txn,
                "SELECT COUNT(*) AS n FROM dated_lessons WHERE group_id = ? AND day >= ? AND day <= ? \
                 AND make_up_of IS NULL AND status <> ?",
                [
                    o.group_id.into(),
                    dates.first.into(),
                    dates.last.into(),
                    LessonStatus::Cancelled.as_str().into(),
                ],
            )
            .await?
            .map(|c| c.n)
            .unwrap_or(0)
            .max(1);
            let credit = Pence(o.line_amount / lessons);
            if credit <= Pence::ZERO {
                continue;
            }
            let target = credit_target(&txn, o.invoice_id, &o.payer_kind, o.payer_id, credit).await?;
            let reference = missed_lesson_credit(o.day, lessons);
            let row = PaymentRow {
                invoice_id: target,
                kind: "credit",
                method: "credit",
                amount: credit,
                reference: &reference,
                received_on: self.today(),
                checkout_id: None,
                recorded_by: actor.user_id,
            };
            let payment_id = insert_payment(&txn, &row).await?;
            exec(
                &txn,
                "INSERT INTO lesson_credits (dated_lesson_id, pupil_id, payment_id, created_at) VALUES (?, ?, ?, ?)",
                vec![
                    o.lesson_id.into(),
                    o.pupil_id.into(),
                    payment_id.into(),
                    crate::now().into(),
                ],
            )
            .await?;
            let acc = refresh_status(&txn, target).await?;
            let what = format!("credit of {credit} on invoice {}: {reference}", acc.number);
            audit::record(&txn, actor, Action::Create, "payment", Some(payment_id), what).await?;
            report.credits += 1;
            report.total_pence += credit.0;
        }
        txn.commit().await?;
        Ok(report)
    }
}

/// The invoice a credit goes on: the lesson's own while its balance covers it, else the
/// payer's next invoice that does, else the lesson's own (leaving it in credit: a credit note).
async fn credit_target(
    conn: &impl ConnectionTrait,
    invoice_id: i64,
    payer_kind: &str,
    payer_id: i64,
    credit: Pence,
) -> Result<i64> {
    if account(conn, invoice_id).await?.balance() >= credit {
        return Ok(invoice_id);
    }
    let later = all_of::<Id>(conn, "SELECT id FROM invoices WHERE payer_kind = ? AND payer_id = ? AND id > ? AND status IN ('issued', 'part_paid') \
         ORDER BY id", [payer_kind.into(), payer_id.into(), invoice_id.into()]).await?;
    for candidate in later {
        if account(conn, candidate.id).await?.balance() >= credit {
            return Ok(candidate.id);
        }
    }
    Ok(invoice_id)
}

/// The term `today` falls in (by the default term dates), or the next one in a holiday.
pub fn term_of(today: time::Date) -> Option<TermId> {
    let year = tutti_domain::calendar::AcademicYear::containing(today);
    default_term_dates(year)
        .into_iter()
        .find(|t| t.dates.last >= today)
        .map(|t| t.term)
}
