//! Ensembles: the ensembles themselves (kind, level, entry, area, venue or online, day and
//! times, ages and grade, termly fee), their leaders, the instrumentation they want, the
//! applications to join them (their status the words of
//! `tutti_domain::ensembles::MembershipStatus`), members by instrument and part, audition
//! slots, dated rehearsals and the register marks taken at them. Rehearsal ids are given by the
//! store from 1,000,000,001 so that they never equal a lesson's. See
//! docs/decisions/0084-ensembles.md.
use super::prelude::*;

use super::{fk, index};

pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("ensembles")
                .col(big_pk_auto("id"))
                .col(string("name"))
                .col(string_uniq("slug"))
                .col(string("kind"))
                .col(string("level"))
                .col(string("entry"))
                .col(string("area"))
                .col(string("venue"))
                .col(boolean("online"))
                .col(string_null("joining_link"))
                // 1 Monday to 7 Sunday: ensembles meet at weekends too.
                .col(integer("weekday"))
                .col(integer("start_minute"))
                .col(integer("end_minute"))
                .col(integer_null("min_age"))
                .col(integer_null("max_age"))
                .col(integer_null("min_grade"))
                .col(big_integer("termly_fee"))
                .col(text("description"))
                .col(timestamp_with_time_zone_null("archived_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("ensemble_leaders")
                .col(big_pk_auto("id"))
                .col(big_integer("ensemble_id"))
                .col(big_integer("staff_id"))
                .foreign_key(&mut fk(
                    "ensemble_leaders",
                    "ensemble_id",
                    "ensembles",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "ensemble_leaders",
                    "staff_id",
                    "staff",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ensemble_leaders", &["ensemble_id", "staff_id"], true))
            .await?;
        m.create_index(index("ensemble_leaders", &["staff_id"], false)).await?;
        m.create_table(
            Table::create()
                .table("ensemble_instrumentation")
                .col(big_pk_auto("id"))
                .col(big_integer("ensemble_id"))
                .col(string("instrument"))
                .col(integer("places"))
                .foreign_key(&mut fk(
                    "ensemble_instrumentation",
                    "ensemble_id",
                    "ensembles",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ensemble_instrumentation", &["ensemble_id", "instrument"], true))
            .await?;
        m.create_table(
            Table::create()
                .table("ensemble_applications")
                .col(big_pk_auto("id"))
                .col(big_integer("ensemble_id"))
                .col(big_integer("pupil_id"))
                .col(string("instrument"))
                .col(integer("grade"))
                .col(string("status"))
                .col(big_integer_null("applied_by"))
                .col(timestamp_with_time_zone("applied_at"))
                .col(timestamp_with_time_zone_null("decided_at"))
                .col(string_null("note"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "ensemble_applications",
                    "ensemble_id",
                    "ensembles",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "ensemble_applications",
                    "pupil_id",
                    "pupils",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "ensemble_applications",
                    "applied_by",
                    "users",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        // The waiting list of an instrument, oldest first; a pupil's applications.
        m.create_index(index(
            "ensemble_applications",
            &["ensemble_id", "instrument", "status"],
            false,
        ))
        .await?;
        m.create_index(index("ensemble_applications", &["pupil_id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("ensemble_members")
                .col(big_pk_auto("id"))
                .col(big_integer("ensemble_id"))
                .col(big_integer("pupil_id"))
                .col(big_integer("application_id"))
                .col(string("instrument"))
                .col(string("part"))
                .col(date("joined_on"))
                .col(date_null("left_on"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "ensemble_members",
                    "ensemble_id",
                    "ensembles",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "ensemble_members",
                    "pupil_id",
                    "pupils",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "ensemble_members",
                    "application_id",
                    "ensemble_applications",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ensemble_members", &["ensemble_id", "left_on"], false))
            .await?;
        m.create_index(index("ensemble_members", &["pupil_id"], false)).await?;
        m.create_table(
            Table::create()
                .table("ensemble_audition_slots")
                .col(big_pk_auto("id"))
                .col(big_integer("ensemble_id"))
                .col(date("day"))
                .col(integer("start_minute"))
                .col(big_integer_null("application_id"))
                .col(string_null("outcome"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "ensemble_audition_slots",
                    "ensemble_id",
                    "ensembles",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "ensemble_audition_slots",
                    "application_id",
                    "ensemble_applications",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ensemble_audition_slots", &["ensemble_id", "day"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("rehearsals")
                .col(big_pk_auto("id"))
                .col(big_integer("ensemble_id"))
                .col(date("day"))
                .col(integer("start_minute"))
                .col(integer("end_minute"))
                .col(string("status"))
                // An extra rehearsal (before a concert, say), not one of the weekly dates.
                .col(boolean("extra"))
                // The weekly date it was moved from, if it was moved.
                .col(date_null("moved_from"))
                .col(string("note"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "rehearsals",
                    "ensemble_id",
                    "ensembles",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("rehearsals", &["ensemble_id", "day"], false))
            .await?;
        m.create_index(index("rehearsals", &["day"], false)).await?;
        m.create_table(
            Table::create()
                .table("rehearsal_marks")
                .col(big_pk_auto("id"))
                .col(big_integer("rehearsal_id"))
                .col(big_integer("pupil_id"))
                .col(string("mark"))
                .col(timestamp_with_time_zone("marked_at"))
                .foreign_key(&mut fk(
                    "rehearsal_marks",
                    "rehearsal_id",
                    "rehearsals",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "rehearsal_marks",
                    "pupil_id",
                    "pupils",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("rehearsal_marks", &["rehearsal_id", "pupil_id"], true))
            .await?;
        Ok(())
    }
}
