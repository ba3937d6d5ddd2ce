//! The dashboard's two reads of a year's dated lessons answered from indexes alone (decision
//! 0092): lessons by day and status, and each group's lessons by day with their status for the
//! guarantee's outlook. Each new index leads with the columns of the one it replaces, so every
//! query that used the old ones uses these, and a lesson's write still touches two indexes.
use super::prelude::*;

use super::index;

pub struct Migration;

/// (the index replaced, the index that replaces it), both on `dated_lessons`.
const WIDENED: [(&[&str], &[&str]); 2] = [
    (&["day"], &["day", "status", "group_id"]),
    (&["group_id", "day"], &["group_id", "day", "status"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (old, new) in WIDENED {
            m.create_index(index("dated_lessons", new, false)).await?;
            m.drop_index(
                Index::drop()
                    .name(format!("ix_dated_lessons_{}", old.join("_")))
                    .table("dated_lessons")
                    .if_exists()
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
