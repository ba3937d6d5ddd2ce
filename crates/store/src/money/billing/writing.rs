//! What a billing run writes: its invoices, lines and instalments, in batches.

use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult};
use time::Date;
use tutti_domain::billing::{RunPlan, charge_kind_str};
use tutti_domain::calendar::TermId;
use tutti_domain::charging::ChargeKind;

use super::RunProgress;
use crate::error::Result;
use crate::json_rows::{BulkInsert, Column};
use crate::now;
use crate::pg_run::PgTransaction;
use crate::query::one_of;

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
pub(super) async fn write_plan(
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
    let first_id = one_of::<Max>(conn, "SELECT MAX(id) AS max_id FROM invoices", [])
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
