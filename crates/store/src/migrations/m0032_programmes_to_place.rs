//! A confirmed whole-class ensemble teaching order waits to be placed on the timetable until
//! the office gives it a teaching group (`service_orders.teaching_group_id`), whose lessons
//! start on the day it was placed (`placed_on`). See decision 0094.
use super::prelude::*;

pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [big_integer_null("teaching_group_id"), date_null("placed_on")] {
            m.alter_table(Table::alter().table("service_orders").add_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
