//! Money against invoices: payments by every method, refunds and credits, each moving the
//! invoice's balance and status. An invoice's total never changes; its balance is the total
//! less payments and credits plus refunds.
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;
use time::Date;
use tutti_domain::Pence;
use tutti_domain::payments::{
    InvoiceStatus, PaymentMethod, PaymentRefusal, check_amount, check_card_payment, check_payable, check_payment,
    check_refund, invoice_description,
};

use super::{Checkout, exec, insert_id};
use crate::error::{Result, StoreError};
use crate::platform::accounts::User;
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, one_of};
use crate::{Store, now};

/// An invoice with what has been paid against it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, FromQueryResult)]
pub struct InvoiceAccount {
    pub id: i64,
    pub number: String,
    pub payer_kind: String,
    pub payer_id: i64,
    pub payer_name: String,
    pub term: String,
    pub issued_on: Date,
    pub total_pence: i64,
    pub status: String,
    /// Payments and credits less refunds.
    pub settled_pence: i64,
}

impl InvoiceAccount {
    pub fn balance(&self) -> Pence {
        Pence(self.total_pence - self.settled_pence)
    }

    pub fn is_cancelled(&self) -> bool {
        self.status == InvoiceStatus::Cancelled.as_str()
    }
}

/// One movement of money on an invoice.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, FromQueryResult)]
pub struct PaymentRecord {
    pub id: i64,
    pub invoice_id: i64,
    pub kind: String,
    pub method: String,
    pub amount_pence: i64,
    pub reference: String,
    pub received_on: Date,
}

/// A payment an admin records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentInput {
    pub method: PaymentMethod,
    pub amount: Pence,
    pub reference: String,
    pub received_on: Date,
}

const ACCOUNT_SQL: &str = "SELECT i.id, i.number, i.payer_kind, i.payer_id, i.payer_name, i.term, i.issued_on, \
     i.total_pence, i.status, CAST(COALESCE((SELECT SUM(p.amount_pence) FROM payments p WHERE p.invoice_id = i.id), 0) AS BIGINT) \
     AS settled_pence FROM invoices i";

pub(crate) async fn account(conn: &impl ConnectionTrait, invoice_id: i64) -> Result<InvoiceAccount> {
    one_of::<InvoiceAccount>(conn, &format!("{ACCOUNT_SQL} WHERE i.id = ?"), [invoice_id.into()])
        .await?
        .ok_or(StoreError::NotFound)
}

/// Moves the invoice's status to follow its balance (a cancelled invoice stays cancelled),
/// and marks its instalments paid when nothing is left to pay.
pub(crate) async fn refresh_status(conn: &impl ConnectionTrait, invoice_id: i64) -> Result<InvoiceAccount> {
    let mut acc = account(conn, invoice_id).await?;
    let Some(was) = InvoiceStatus::parse(&acc.status) else {
        return Err(StoreError::Corrupt(format!("invoices.status {:?}", acc.status)));
    };
    if was == InvoiceStatus::Cancelled {
        return Ok(acc);
    }
    let status = was.following(acc.balance(), Pence(acc.settled_pence));
    if status != was {
        exec(
            conn,
            "UPDATE invoices SET status = ? WHERE id = ?",
            vec![status.as_str().into(), invoice_id.into()],
        )
        .await?;
        acc.status = status.as_str().into();
    }
    if status == InvoiceStatus::Paid {
        exec(
            conn,
            "UPDATE instalments SET status = 'paid' WHERE invoice_id = ? AND status = 'due'",
            vec![invoice_id.into()],
        )
        .await?;
    }
    Ok(acc)
}

/// One row of `payments`: money in (a payment), back out (a refund, negative) or a credit.
pub(crate) struct PaymentRow<'a> {
    pub invoice_id: i64,
    /// payment, refund or credit.
    pub kind: &'a str,
    pub method: &'a str,
    pub amount: Pence,
    pub reference: &'a str,
    pub received_on: Date,
    pub checkout_id: Option<i64>,
    pub recorded_by: Option<i64>,
}

impl<'a> PaymentRow<'a> {
    /// What the office records by hand on an invoice: `kind` with `amount` as given.
    fn by_hand(invoice_id: i64, kind: &'a str, amount: Pence, input: &'a PaymentInput, actor: &Actor) -> Self {
        PaymentRow {
            invoice_id,
            kind,
            method: input.method.as_str(),
            amount,
            reference: input.reference.trim(),
            received_on: input.received_on,
            checkout_id: None,
            recorded_by: actor.user_id,
        }
    }
}

pub(crate) async fn insert_payment(conn: &impl ConnectionTrait, row: &PaymentRow<'_>) -> Result<i64> {
    insert_id(
        conn,
        "INSERT INTO payments (invoice_id, kind, method, amount_pence, reference, received_on, checkout_id, \
         recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vec![
            row.invoice_id.into(),
            row.kind.into(),
            row.method.into(),
            row.amount.0.into(),
            row.reference.into(),
            row.received_on.into(),
            row.checkout_id.into(),
            row.recorded_by.into(),
            now().into(),
        ],
    )
    .await
}

/// A card payment from a paid checkout. The money has been taken, so it is recorded even if
/// the invoice was settled another way meanwhile (the office then refunds the difference).
pub(crate) async fn insert_card_payment(
    conn: &impl ConnectionTrait,
    invoice_id: i64,
    amount: Pence,
    checkout: &Checkout,
    paid_on: Date,
) -> Result<()> {
    let row = PaymentRow {
        invoice_id,
        kind: "payment",
        method: PaymentMethod::Card.as_str(),
        amount,
        reference: &checkout.reference,
        received_on: paid_on,
        checkout_id: Some(checkout.id),
        recorded_by: None,
    };
    insert_payment(conn, &row).await?;
    refresh_status(conn, invoice_id).await?;
    Ok(())
}

/// Whether `user` pays this invoice: a parent by a guardian record with their email, a
/// school contact for their school. Binds [`payer_values`].
pub(crate) fn payer_condition() -> &'static str {
    "((i.payer_kind = 'parent' AND i.payer_id IN \
       (SELECT g.id FROM guardians g WHERE g.email <> '' AND LOWER(g.email) = ?)) \
     OR (i.payer_kind = 'school' AND i.payer_id = ?))"
}

/// The values [`payer_condition`] binds. A parent's email counts only once confirmed, as for
/// their children: anyone can sign up with any address.
fn payer_values(user: &User) -> [sea_orm::Value; 2] {
    let email = if user.email_verified {
        user.email.to_lowercase()
    } else {
        String::new()
    };
    [email.into(), user.school_id.unwrap_or(-1).into()]
}

/// The invoice `user` pays, with its balance; not found for anyone else's.
async fn own_account(conn: &impl ConnectionTrait, user: &User, invoice_id: i64) -> Result<InvoiceAccount> {
    one_of::<InvoiceAccount>(
        conn,
        &format!("{ACCOUNT_SQL} WHERE i.id = ? AND {}", payer_condition()),
        std::iter::once(invoice_id.into()).chain(payer_values(user)),
    )
    .await?
    .ok_or(StoreError::NotFound)
}

/// Sets the invoice's line in `user`'s basket to `amount` (checked by
/// [`check_card_payment`]), detached from any checkout opened before, and returns the line's
/// id. A line already there is changed rather than doubled: one invoice, one line.
pub(crate) async fn put_invoice_amount(
    conn: &impl ConnectionTrait,
    user: &User,
    invoice_id: i64,
    amount: Pence,
) -> Result<i64> {
    let acc = own_account(conn, user, invoice_id).await?;
    check_card_payment(amount, acc.balance(), acc.is_cancelled(), &acc.number)?;
    exec(
        conn,
        "DELETE FROM basket_items WHERE user_id = ? AND invoice_id = ?",
        vec![user.id.into(), invoice_id.into()],
    )
    .await?;
    insert_id(
        conn,
        "INSERT INTO basket_items (user_id, kind, invoice_id, donation_id, description, amount_pence, \
         checkout_id, created_at) VALUES (?, 'invoice', ?, NULL, ?, ?, NULL, ?) RETURNING id",
        vec![
            user.id.into(),
            invoice_id.into(),
            invoice_description(&acc.number, &acc.term).into(),
            amount.0.into(),
            now().into(),
        ],
    )
    .await
}

#[tutti_boxed::boxed]
impl Store {
    /// An invoice with its balance.
    pub async fn invoice_account(&self, invoice_id: i64) -> Result<InvoiceAccount> {
        account(self.conn(), invoice_id).await
    }

    /// The payments, refunds and credits on an invoice, oldest first.
    pub async fn invoice_payments(&self, invoice_id: i64) -> Result<Vec<PaymentRecord>> {
        all_of::<PaymentRecord>(
            self.conn(),
            "SELECT id, invoice_id, kind, method, amount_pence, reference, received_on FROM payments \
             WHERE invoice_id = ? ORDER BY id",
            [invoice_id.into()],
        )
        .await
    }

    /// Invoices an admin looks for: by number or payer name, newest first, at most 50.
    pub async fn find_invoice_accounts(&self, q: &str) -> Result<Vec<InvoiceAccount>> {
        let like = format!("%{}%", q.trim().to_lowercase());
        all_of::<InvoiceAccount>(
            self.conn(),
            &format!(
                "{ACCOUNT_SQL} WHERE LOWER(i.number) LIKE ? OR LOWER(i.payer_name) LIKE ? ORDER BY i.id DESC LIMIT 50"
            ),
            [like.clone().into(), like.into()],
        )
        .await
    }

    /// One invoice `user` pays, with its balance; not found for anyone else's.
    pub async fn own_invoice_account(&self, user: &User, invoice_id: i64) -> Result<InvoiceAccount> {
        own_account(self.conn(), user, invoice_id).await
    }

    /// The invoices `user` pays (a parent's family, a school's own), newest first.
    pub async fn invoices_of_user(&self, user: &User) -> Result<Vec<InvoiceAccount>> {
        all_of::<InvoiceAccount>(
            self.conn(),
            &format!("{ACCOUNT_SQL} WHERE {} ORDER BY i.id DESC", payer_condition()),
            payer_values(user),
        )
        .await
    }

    /// Records a payment an admin received. Paying more than the balance is refused, so an
    /// overpayment never sits on an account unexplained.
    pub async fn record_payment(&self, actor: &Actor, invoice_id: i64, input: &PaymentInput) -> Result<InvoiceAccount> {
        check_amount(input.amount)?;
        let txn = self.write().await?;
        let acc = account(&txn, invoice_id).await?;
        check_payment(input.amount, acc.is_cancelled(), acc.balance(), &acc.number)?;
        let row = PaymentRow::by_hand(invoice_id, "payment", input.amount, input, actor);
        let id = insert_payment(&txn, &row).await?;
        let acc = refresh_status(&txn, invoice_id).await?;
        let summary = format!(
            "{} payment of {} on invoice {}",
            input.method.label(),
            input.amount,
            acc.number
        );
        audit::commit(txn, actor, Action::Create, "payment", Some(id), summary).await?;
        Ok(acc)
    }

    /// Refunds money paid on an invoice; no more than has been paid.
    pub async fn record_refund(&self, actor: &Actor, invoice_id: i64, input: &PaymentInput) -> Result<InvoiceAccount> {
        check_amount(input.amount)?;
        let txn = self.write().await?;
        let acc = account(&txn, invoice_id).await?;
        check_refund(input.amount, Pence(acc.settled_pence), &acc.number)?;
        let row = PaymentRow::by_hand(invoice_id, "refund", -input.amount, input, actor);
        let id = insert_payment(&txn, &row).await?;
        let acc = refresh_status(&txn, invoice_id).await?;
        let summary = format!(
            "refund of {} by {} on invoice {}",
            input.amount,
            input.method.label(),
            acc.number
        );
        audit::commit(txn, actor, Action::Create, "payment", Some(id), summary).await?;
        Ok(acc)
    }

    /// Puts an invoice the user pays in their basket, for its current balance.
    pub async fn add_invoice_to_basket(&self, user: &User, invoice_id: i64) -> Result<()> {
        let txn = self.write().await?;
        let acc = own_account(&txn, user, invoice_id).await?;
        check_payable(acc.balance(), acc.is_cancelled(), &acc.number)?;
        let inserted = exec(
            &txn,
            "INSERT INTO basket_items (user_id, kind, invoice_id, donation_id, description, amount_pence, \
             checkout_id, created_at) VALUES (?, 'invoice', ?, NULL, ?, ?, NULL, ?) \
             ON CONFLICT (user_id, invoice_id) DO NOTHING",
            vec![
                user.id.into(),
                invoice_id.into(),
                invoice_description(&acc.number, &acc.term).into(),
                acc.balance().0.into(),
                now().into(),
            ],
        )
        .await?;
        if inserted == 0 {
            return Err(PaymentRefusal::AlreadyInBasket { number: acc.number }.into());
        }
        txn.commit().await?;
        Ok(())
    }
}

/// One line of an invoice, with the pupil's name.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, FromQueryResult)]
pub struct DocumentLine {
    pub pupil_name: String,
    pub description: String,
    pub rule: String,
    pub amount_pence: i64,
}

/// An instalment as the invoice shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, FromQueryResult)]
pub struct DocumentInstalment {
    pub number: i32,
    pub due_on: Date,
    pub amount_pence: i64,
    pub status: String,
}

/// Everything a printed invoice shows.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct InvoiceDocument {
    pub account: InvoiceAccount,
    pub lines: Vec<DocumentLine>,
    pub instalments: Vec<DocumentInstalment>,
    pub payments: Vec<PaymentRecord>,
}

#[tutti_boxed::boxed]
impl Store {
    /// An invoice with its lines, instalments and payments, for printing.
    pub async fn invoice_document(&self, invoice_id: i64) -> Result<InvoiceDocument> {
        let account = account(self.conn(), invoice_id).await?;
        let _backend = self.conn().get_database_backend();
        let lines = all_of::<DocumentLine>(
            self.conn(),
            "SELECT p.first_name || ' ' || p.last_name AS pupil_name, l.description, l.rule, l.amount_pence \
             FROM invoice_lines l JOIN pupils p ON p.id = l.pupil_id WHERE l.invoice_id = ? ORDER BY l.id",
            [invoice_id.into()],
        )
        .await?;
        let mut lines = lines;
        // Schools' programme lines (services agreements) name no pupil.
        lines.extend(
            crate::money::billing::invoices::agreement_lines(self.conn(), invoice_id)
                .await?
                .into_iter()
                .map(|l| DocumentLine {
                    pupil_name: String::new(),
                    description: l.description,
                    rule: l.rule,
                    amount_pence: l.amount_pence,
                }),
        );
        let instalments = all_of::<DocumentInstalment>(
            self.conn(),
            "SELECT number, due_on, amount_pence, status FROM instalments WHERE invoice_id = ? ORDER BY number",
            [invoice_id.into()],
        )
        .await?;
        Ok(InvoiceDocument {
            account,
            lines,
            instalments,
            payments: self.invoice_payments(invoice_id).await?,
        })
    }
}
