//! Ensemble fees and Virtual Music Centre strands (decision 0085): an ensemble may be a
//! strand (online, signed up for and paid at once through the basket); each strand place a
//! family pays for is one row for a pupil, an ensemble and a term, which the billing run
//! counts as already charged; a basket item may be for such a place.
use super::prelude::*;

use super::{fk, index};

pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("ensembles")
                .add_column(boolean("strand").default(false))
                .to_owned(),
        )
        .await?;
        // status: "in_basket" until the checkout is paid, then "paid". One a pupil, an
        // ensemble and a term: the key a billing run reads as already charged.
        m.create_table(
            Table::create()
                .table("ensemble_strand_places")
                .col(big_pk_auto("id"))
                .col(big_integer("ensemble_id"))
                .col(big_integer("pupil_id"))
                .col(big_integer("application_id"))
                .col(string("term"))
                .col(big_integer("amount_pence"))
                .col(text("rule"))
                .col(string("status"))
                .col(big_integer_null("user_id"))
                .col(big_integer_null("checkout_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("paid_at"))
                .foreign_key(&mut fk(
                    "ensemble_strand_places",
                    "ensemble_id",
                    "ensembles",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "ensemble_strand_places",
                    "pupil_id",
                    "pupils",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "ensemble_strand_places",
                    "application_id",
                    "ensemble_applications",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "ensemble_strand_places",
                    "user_id",
                    "users",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ensemble_strand_places",
            &["ensemble_id", "pupil_id", "term"],
            true,
        ))
        .await?;
        m.create_index(index("ensemble_strand_places", &["term", "status"], false))
            .await?;
        m.create_index(index("ensemble_strand_places", &["pupil_id"], false))
            .await?;
        // SQLite cannot add a foreign key to a table, so none here (as for bookings).
        m.alter_table(
            Table::alter()
                .table("basket_items")
                .add_column(big_integer_null("strand_place_id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("basket_items", &["strand_place_id"], false))
            .await?;
        Ok(())
    }
}
