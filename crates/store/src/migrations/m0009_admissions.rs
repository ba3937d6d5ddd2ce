//! Admissions and progress: the tuition the hub offers, applications with their waiting-list
//! place and offer, graded exam entries and termly reports.
use super::prelude::*;
use tutti_domain::admissions::default_offer;

use super::{fk, index};

pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One row per combination the hub teaches; admins add and withdraw them.
        m.create_table(
            Table::create()
                .table("tuition_offer")
                .col(big_pk_auto("id"))
                .col(string("instrument"))
                .col(string("lesson_type"))
                .col(integer("minutes"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("tuition_offer", &["instrument", "lesson_type", "minutes"], true))
            .await?;
        // A new hub starts with a sensible offer (tutti_domain::admissions::default_offer).
        let now = time::OffsetDateTime::now_utc();
        let mut insert = Query::insert();
        insert
            .into_table("tuition_offer")
            .columns(["instrument", "lesson_type", "minutes", "created_at"]);
        for choice in default_offer() {
            insert.values_panic([
                choice.instrument.into(),
                choice.lesson_type.as_str().into(),
                i32::from(choice.minutes).into(),
                now.into(),
            ]);
        }
        m.exec_stmt(insert).await?;

        // An application, its place on the waiting list (school and instrument) and, once
        // made, its offer: the offer's dates live on the application, as there is one at a time.
        m.create_table(
            Table::create()
                .table("applications")
                .col(big_pk_auto("id"))
                .col(big_integer("pupil_id"))
                .col(big_integer("school_id"))
                .col(string("instrument"))
                .col(string("lesson_type"))
                .col(integer("minutes"))
                .col(string("source"))
                .col(boolean("school_paid").default(false))
                .col(big_integer_null("applied_by"))
                .col(timestamp_with_time_zone("applied_at"))
                .col(string("status"))
                .col(date_null("offer_start_date"))
                .col(date_null("offer_expires_on"))
                .col(timestamp_with_time_zone_null("offered_at"))
                .col(timestamp_with_time_zone_null("answered_at"))
                .col(big_integer_null("enrolment_id"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("applications", "pupil_id", "pupils", ForeignKeyAction::Cascade))
                .foreign_key(&mut fk(
                    "applications",
                    "school_id",
                    "schools",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "applications",
                    "applied_by",
                    "users",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    "applications",
                    "enrolment_id",
                    "enrolments",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("applications", &["school_id", "instrument", "status"], false))
            .await?;
        m.create_index(index("applications", &["pupil_id"], false)).await?;

        m.create_table(
            Table::create()
                .table("exam_entries")
                .col(big_pk_auto("id"))
                .col(big_integer("pupil_id"))
                .col(string("instrument"))
                .col(string("board"))
                .col(integer("grade"))
                .col(date("exam_date"))
                .col(string_null("result"))
                .col(big_integer_null("entered_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("exam_entries", "pupil_id", "pupils", ForeignKeyAction::Cascade))
                .foreign_key(&mut fk(
                    "exam_entries",
                    "entered_by",
                    "users",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("exam_entries", &["pupil_id"], false)).await?;

        // One report per pupil, term and teacher: a draft until the teacher publishes it.
        m.create_table(
            Table::create()
                .table("pupil_reports")
                .col(big_pk_auto("id"))
                .col(big_integer("pupil_id"))
                .col(big_integer("teacher_id"))
                .col(string("term"))
                .col(text("body"))
                .col(string("status"))
                .col(timestamp_with_time_zone_null("published_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "pupil_reports",
                    "pupil_id",
                    "pupils",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "pupil_reports",
                    "teacher_id",
                    "staff",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("pupil_reports", &["pupil_id", "term", "teacher_id"], true))
            .await?;
        Ok(())
    }
}
