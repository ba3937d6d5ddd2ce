//! Online lessons (webcam teaching): a teaching group taught over a video call, with the
//! call's joining link. The solver treats such a group's lessons as needing no room, no
//! school hours and no travel (docs/solver.md).
use super::prelude::*;

pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [boolean("online").default(false).to_owned(), string_null("joining_link")] {
            m.alter_table(Table::alter().table("teaching_groups").add_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
