//! Audition slots say where (`place`), and an application holds at most one slot: a unique
//! index on `application_id` (many free slots' NULLs are allowed on both backends), so two
//! bookings for one application can never both stand. See decision 0095.
use super::prelude::*;

use super::index;

pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("ensemble_audition_slots")
                .add_column(ColumnDef::new("place").string().not_null().default(""))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ensemble_audition_slots", &["application_id"], true))
            .await?;
        Ok(())
    }
}
