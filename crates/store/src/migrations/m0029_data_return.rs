//! The annual data return: pupils' gender and ethnicity (optional; NULL is "not recorded",
//! which the return counts), and the return's definition file of each academic year, stored
//! as its text when the hub imports a newer one than Tutti ships. See decision 0090.
use super::prelude::*;

pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [string_null("gender"), string_null("ethnicity")] {
            m.alter_table(Table::alter().table("pupils").add_column(column).to_owned())
                .await?;
        }
        m.create_table(
            Table::create()
                .table("data_return_definitions")
                .col(big_pk_auto("id"))
                .col(string_uniq("academic_year"))
                .col(text("document"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
