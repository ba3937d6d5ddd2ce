//! Instrument loans as a lifecycle: a status (on loan, returned, lost, damaged, the words of
//! `tutti_domain::loans::LoanStatus`), the day it is due back, the condition it came back in,
//! and the family's acceptance of the loan agreement (who, when, online or on paper).
//! See docs/decisions/0072-instrument-loans.md.
use sea_orm::ConnectionTrait as _;

use super::index;
use super::prelude::*;

pub struct Migration;

/// Columns added to `instrument_loans`; every existing row is a loan still out unless it has
/// an end date (set below).
fn added_columns() -> Vec<ColumnDef> {
    vec![
        string("status").default("on-loan").to_owned(),
        date_null("due_date"),
        string_null("return_condition"),
        timestamp_with_time_zone_null("agreement_accepted_at"),
        // The account that accepted (no foreign key: SQLite cannot add one to a table, and the
        // name below keeps who it was if the account goes).
        big_integer_null("agreement_accepted_by"),
        string_null("agreement_accepted_name"),
        boolean("agreement_on_paper").default(false).to_owned(),
        timestamp_with_time_zone_null("updated_at"),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in added_columns() {
            m.alter_table(Table::alter().table("instrument_loans").add_column(column).to_owned())
                .await?;
        }
        m.get_connection()
            .execute_unprepared("UPDATE instrument_loans SET status = 'returned' WHERE end_date IS NOT NULL")
            .await?;
        // The office's lists: loans still out, by the day they are due back.
        m.create_index(index("instrument_loans", &["status", "due_date"], false))
            .await?;
        Ok(())
    }
}
