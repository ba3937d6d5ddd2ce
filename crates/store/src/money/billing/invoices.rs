//! The invoices billing issued, for screens and the API: a page of them, one with its lines
//! and instalments, and the payers a parent's account is.

use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use serde::Serialize;
use time::Date;
use tutti_domain::billing::PayerKey;
use tutti_domain::charging::ChargeKind;

use crate::Store;
use crate::error::{Result, StoreError};
use crate::listing::{ListQuery, Page};
use crate::query::{all_of, one_of};

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
    #[serde(with = "crate::money::billing::date_format")]
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
    #[serde(with = "crate::money::billing::date_format")]
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

#[tutti_boxed::boxed]
impl Store {
    /// One page of invoices, newest first, matching `list.q` against the number or payer's
    /// name.
    pub async fn invoices(&self, filter: &InvoiceFilter, list: &ListQuery) -> Result<Page<InvoiceSummary>> {
        let _backend = self.conn().get_database_backend();
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
        let total = one_of::<Count>(
            self.conn(),
            &format!("SELECT COUNT(*) AS n FROM invoices {where_sql}"),
            values.clone(),
        )
        .await?
        .map_or(0, |c| c.n) as u64;
        let mut page_values = values;
        page_values.push((list.per_page() as i64).into());
        page_values.push((list.offset() as i64).into());
        let rows = all_of::<InvoiceSummary>(
            self.conn(),
            &format!(
                "SELECT id, number, payer_kind, payer_id, payer_name, term, kind, issued_on, total_pence, status \
                 FROM invoices {where_sql} ORDER BY id DESC LIMIT ? OFFSET ?"
            ),
            page_values,
        )
        .await?;
        Ok(Page::counted(rows, total, list.page(), list.per_page()))
    }

    /// One invoice with its lines and instalments.
    pub async fn invoice(&self, id: i64) -> Result<Invoice> {
        let _backend = self.conn().get_database_backend();
        let summary = one_of::<InvoiceSummary>(
            self.conn(),
            "SELECT id, number, payer_kind, payer_id, payer_name, term, kind, issued_on, total_pence, status \
             FROM invoices WHERE id = ?",
            [id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        let lines = all_of::<InvoiceLine>(
            self.conn(),
            "SELECT l.pupil_id, p.pupil_ref, p.first_name || ' ' || p.last_name AS pupil_name, l.charge_kind, \
             l.description, l.rule, l.amount_pence FROM invoice_lines l JOIN pupils p ON p.id = l.pupil_id \
             WHERE l.invoice_id = ? ORDER BY l.id",
            [id.into()],
        )
        .await?;
        let mut lines = lines;
        lines.extend(agreement_lines(self.conn(), id).await?);
        let instalments = all_of::<InvoiceInstalment>(
            self.conn(),
            "SELECT number, due_on, amount_pence, status FROM instalments WHERE invoice_id = ? ORDER BY number",
            [id.into()],
        )
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
        let payer_address = one_of::<Address>(self.conn(), address_sql, [summary.payer_id.into()])
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
        let _backend = self.conn().get_database_backend();
        let rows = all_of::<Id>(
            self.conn(),
            "SELECT id FROM guardians WHERE email = ? ORDER BY id",
            [email.to_lowercase().into()],
        )
        .await?;
        Ok(rows.into_iter().map(|r| r.id).collect())
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
    let rows = all_of::<Row>(
        conn,
        "SELECT description, rule, amount_pence FROM agreement_invoice_lines WHERE invoice_id = ? ORDER BY id",
        [invoice_id.into()],
    )
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
