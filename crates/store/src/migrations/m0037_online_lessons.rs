//! Online lessons (webcam teaching): a teaching group taught over a video call, with the
//! call's joining link. The solver treats such a group's lessons as needing no room, no
//! school hours and no travel (docs/solver.md).
use super::prelude::*;

pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("teaching_groups")
                .add_column(boolean("online").default(false))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("teaching_groups")
                .add_column(string_null("joining_link"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
