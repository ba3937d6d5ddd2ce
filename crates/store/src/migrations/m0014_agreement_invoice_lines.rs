//! Invoice lines for schools' services agreements (WCET and other programmes) billed by
//! invoice: one line per agreement per term, in a table of its own because a programme has
//! no pupil. See docs/decisions/0054-agreement-invoice-lines.md.
use super::prelude::*;

use super::{fk, index};

pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One term's charge for one agreement on a school's invoice. The unique key on
        // (agreement_id, term) is what makes an agreement impossible to invoice twice for a
        // term, whichever run writes it.
        m.create_table(
            Table::create()
                .table("agreement_invoice_lines")
                .col(big_pk_auto("id"))
                .col(big_integer("invoice_id"))
                .col(big_integer("agreement_id"))
                .col(string("term"))
                .col(string("description"))
                .col(text("rule"))
                .col(big_integer("amount_pence"))
                .foreign_key(&mut fk(
                    "agreement_invoice_lines",
                    "invoice_id",
                    "invoices",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "agreement_invoice_lines",
                    "agreement_id",
                    "service_agreements",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("agreement_invoice_lines", &["agreement_id", "term"], true))
            .await?;
        m.create_index(index("agreement_invoice_lines", &["invoice_id"], false))
            .await?;
        m.create_index(index("agreement_invoice_lines", &["term"], false))
            .await?;
        Ok(())
    }
}
