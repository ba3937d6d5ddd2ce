//! Two indexes no query reads, dropped because every billing run writes them: instalments by
//! due date (reminders and collections find instalments through their invoice) and invoices
//! by billing run (nothing lists a run's invoices; a run is never deleted). See
//! docs/decisions/0061-billing-references-per-statement.md.
use super::prelude::*;

pub struct Migration;

const DROPPED: [(&str, &[&str]); 2] = [("instalments", &["due_on"]), ("invoices", &["billing_run_id"])];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, columns) in DROPPED {
            m.drop_index(
                Index::drop()
                    .name(format!("ix_{table}_{}", columns.join("_")))
                    .table(table)
                    .if_exists()
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
