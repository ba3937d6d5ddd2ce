//! Lessons: term dates and closures, teaching groups placed with a teacher, school, day and
//! time, the dated lessons generated from them, register marks and private calendar feeds.
use super::prelude::*;

use super::{fk, index};

pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // A local authority's term dates (school_id NULL) or one school's own (an academy's),
        // which replace the authority's for that term.
        m.create_table(
            Table::create()
                .table("term_dates")
                .col(big_pk_auto("id"))
                .col(string("local_authority"))
                .col(big_integer_null("school_id"))
                .col(string("term"))
                .col(date("first_day"))
                .col(date("last_day"))
                .col(date("half_term_first"))
                .col(date("half_term_last"))
                .foreign_key(&mut fk("term_dates", "school_id", "schools", ForeignKeyAction::Cascade))
                .to_owned(),
        )
        .await?;
        m.create_index(index("term_dates", &["local_authority", "term"], false))
            .await?;
        m.create_index(index("term_dates", &["school_id"], false)).await?;

        // Days without lessons: INSET days and closures, for an authority or one school.
        m.create_table(
            Table::create()
                .table("closures")
                .col(big_pk_auto("id"))
                .col(string("local_authority"))
                .col(big_integer_null("school_id"))
                .col(date("day"))
                .col(string("kind"))
                .col(string("reason"))
                .foreign_key(&mut fk("closures", "school_id", "schools", ForeignKeyAction::Cascade))
                .to_owned(),
        )
        .await?;
        m.create_index(index("closures", &["day"], false)).await?;

        m.create_table(
            Table::create()
                .table("teaching_groups")
                .col(big_pk_auto("id"))
                .col(big_integer("teacher_id"))
                .col(big_integer("school_id"))
                .col(integer("weekday"))
                .col(integer("start_minute"))
                .col(integer("minutes"))
                .col(string("lesson_type"))
                .col(string("instrument"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "teaching_groups",
                    "teacher_id",
                    "staff",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "teaching_groups",
                    "school_id",
                    "schools",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("teaching_groups", &["teacher_id", "weekday"], false))
            .await?;
        m.create_index(index("teaching_groups", &["school_id"], false)).await?;

        m.create_table(
            Table::create()
                .table("group_members")
                .col(big_integer("group_id"))
                .col(big_integer("enrolment_id"))
                .primary_key(Index::create().col("group_id").col("enrolment_id"))
                .foreign_key(&mut fk(
                    "group_members",
                    "group_id",
                    "teaching_groups",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "group_members",
                    "enrolment_id",
                    "enrolments",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        // An enrolment is taught in one group at a time.
        m.create_index(index("group_members", &["enrolment_id"], true)).await?;

        // One lesson on one date at its real (rotated) time.
        m.create_table(
            Table::create()
                .table("dated_lessons")
                .col(big_pk_auto("id"))
                .col(big_integer("group_id"))
                .col(date("day"))
                .col(integer("start_minute"))
                .col(integer("end_minute"))
                .col(string("status"))
                .col(boolean("owed_by_hub").default(false))
                .col(big_integer_null("make_up_of"))
                .col(text("note").default(""))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "dated_lessons",
                    "group_id",
                    "teaching_groups",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "dated_lessons",
                    "make_up_of",
                    "dated_lessons",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("dated_lessons", &["group_id", "day"], false))
            .await?;
        m.create_index(index("dated_lessons", &["day"], false)).await?;

        m.create_table(
            Table::create()
                .table("register_marks")
                .col(big_integer("dated_lesson_id"))
                .col(big_integer("pupil_id"))
                .col(string("mark"))
                .col(timestamp_with_time_zone("marked_at"))
                .primary_key(Index::create().col("dated_lesson_id").col("pupil_id"))
                .foreign_key(&mut fk(
                    "register_marks",
                    "dated_lesson_id",
                    "dated_lessons",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "register_marks",
                    "pupil_id",
                    "pupils",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("register_marks", &["pupil_id"], false)).await?;

        // The secret in a user's private iCalendar address. Stored as it is, because the
        // account page shows the address again; a new one replaces a leaked one.
        m.create_table(
            Table::create()
                .table("calendar_feeds")
                .col(big_integer("user_id").primary_key())
                .col(string_uniq("token"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("calendar_feeds", "user_id", "users", ForeignKeyAction::Cascade))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
