//! The core records: schools, pupils, guardians, staff and enrolments.
use super::prelude::*;

use super::{fk, index};

pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("schools")
                .col(big_pk_auto("id"))
                .col(integer_uniq("urn"))
                .col(string("name"))
                .col(string("phase"))
                .col(string("school_type"))
                .col(string("local_authority"))
                .col(string("area"))
                .col(string("address"))
                .col(string("postcode"))
                .col(integer("parent_charge_uplift").default(0))
                .col(string("billing"))
                .col(boolean("rotating").default(false))
                .col(timestamp_with_time_zone_null("archived_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("schools", &["name"], false)).await?;

        m.create_table(
            Table::create()
                .table("pupils")
                .col(big_pk_auto("id"))
                .col(string_uniq("pupil_ref"))
                .col(string("first_name"))
                .col(string("last_name"))
                .col(date("date_of_birth"))
                .col(big_integer("school_id"))
                .col(integer_null("year_group_override"))
                .col(boolean("fsm").default(false))
                .col(boolean("pupil_premium").default(false))
                .col(boolean("send").default(false))
                .col(boolean("looked_after").default(false))
                .col(text_null("medical_notes"))
                .col(boolean("photo_consent").default(false))
                .col(timestamp_with_time_zone_null("archived_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("pupils", "school_id", "schools", ForeignKeyAction::Restrict))
                .to_owned(),
        )
        .await?;
        m.create_index(index("pupils", &["school_id"], false)).await?;
        m.create_index(index("pupils", &["last_name", "first_name"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("guardians")
                .col(big_pk_auto("id"))
                .col(string("name"))
                .col(string("email"))
                .col(string("phone"))
                .col(string("address"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("guardians", &["email"], false)).await?;

        m.create_table(
            Table::create()
                .table("pupil_guardians")
                .col(big_integer("pupil_id"))
                .col(big_integer("guardian_id"))
                .primary_key(Index::create().col("pupil_id").col("guardian_id"))
                .foreign_key(&mut fk(
                    "pupil_guardians",
                    "pupil_id",
                    "pupils",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "pupil_guardians",
                    "guardian_id",
                    "guardians",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("pupil_guardians", &["guardian_id"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("staff")
                .col(big_pk_auto("id"))
                .col(string_uniq("email"))
                .col(string("first_name"))
                .col(string("last_name"))
                .col(string("role"))
                .col(string("instruments"))
                .col(string("employment"))
                .col(string_null("dbs_number"))
                .col(date_null("dbs_issued"))
                .col(boolean("dbs_update_service").default(false))
                .col(date_null("safeguarding_trained"))
                .col(timestamp_with_time_zone_null("archived_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("enrolments")
                .col(big_pk_auto("id"))
                .col(big_integer("pupil_id"))
                .col(string("instrument"))
                .col(string("lesson_type"))
                .col(integer("minutes"))
                .col(big_integer_null("teacher_id"))
                .col(big_integer_null("school_id"))
                .col(integer_null("weekday"))
                .col(integer_null("start_minute"))
                .col(date("start_date"))
                .col(date_null("end_date"))
                .col(string("status"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("enrolments", "pupil_id", "pupils", ForeignKeyAction::Cascade))
                .foreign_key(&mut fk("enrolments", "teacher_id", "staff", ForeignKeyAction::SetNull))
                .foreign_key(&mut fk("enrolments", "school_id", "schools", ForeignKeyAction::SetNull))
                .to_owned(),
        )
        .await?;
        m.create_index(index("enrolments", &["pupil_id"], false)).await?;
        m.create_index(index("enrolments", &["teacher_id"], false)).await?;
        m.create_index(index("enrolments", &["school_id"], false)).await?;
        Ok(())
    }
}
