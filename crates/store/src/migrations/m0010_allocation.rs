//! Allocation: what the rule checks and the timetable solver need from the hub (a school's
//! rooms and opening hours, a teacher's weekly availability), pinned teaching groups, and
//! the office's timetable proposals.
use super::prelude::*;

use super::{fk, index};

pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Rooms free for visiting teachers at once, and the hours lessons may be taught
        // (minutes after midnight, every school day). Defaults: docs/decisions/0036.
        for (column, default) in [("rooms", 2), ("opens_minute", 8 * 60 + 30), ("closes_minute", 16 * 60)] {
            m.alter_table(
                Table::alter()
                    .table("schools")
                    .add_column(integer(column).default(default))
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table("teaching_groups")
                .add_column(boolean("pinned").default(false))
                .to_owned(),
        )
        .await?;

        // Owed lessons are found by the absence of a make-up pointing at them.
        m.create_index(index("dated_lessons", &["make_up_of"], false)).await?;

        // When a teacher can teach: intervals per weekday (1 Monday to 5 Friday). A teacher
        // with no rows is available on every school day from 08:30 to 17:00.
        m.create_table(
            Table::create()
                .table("teacher_availability")
                .col(big_pk_auto("id"))
                .col(big_integer("staff_id"))
                .col(integer("weekday"))
                .col(integer("from_minute"))
                .col(integer("to_minute"))
                .foreign_key(&mut fk(
                    "teacher_availability",
                    "staff_id",
                    "staff",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("teacher_availability", &["staff_id"], false))
            .await?;

        // A proposed timetable for one term: asked for, solved in the background, then
        // accepted or left. `result` is the proposal as JSON once it is ready.
        m.create_table(
            Table::create()
                .table("timetable_proposals")
                .col(big_pk_auto("id"))
                .col(string("term"))
                .col(integer("seconds"))
                .col(string("status"))
                .col(big_integer_null("requested_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("finished_at"))
                .col(text_null("result"))
                .col(text_null("error"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
