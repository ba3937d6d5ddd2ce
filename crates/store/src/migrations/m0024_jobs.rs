//! Long jobs as rows any app server may hold (billing runs, timetable proposals), and claims
//! on the mail outbox, so that several app servers on one database run each job once and
//! send each mail once. See docs/decisions/0082-jobs-in-the-database.md.
use sea_orm::ConnectionTrait as _;

use super::index;
use super::prelude::*;

pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("jobs")
                .col(big_pk_auto("id"))
                // What the job does ("billing_run", "timetable_proposal").
                .col(string("kind"))
                // Jobs with one key take turns: at most one of them runs at a time.
                .col(string("key"))
                // The words of `tutti_domain::jobs::JobStatus`.
                .col(string("status"))
                .col(text("input"))
                .col(text_null("progress"))
                .col(text_null("result"))
                .col(text_null("error"))
                // The app server working on it, and when it last said it was alive.
                .col(string_null("holder"))
                .col(timestamp_with_time_zone_null("heartbeat_at"))
                .col(integer("attempts").default(1))
                .col(big_integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("finished_at"))
                .to_owned(),
        )
        .await?;
        // The recovery sweep's question: running jobs by their last heartbeat.
        m.create_index(index("jobs", &["status", "heartbeat_at"], false))
            .await?;
        // One running job per key, whichever app server started it: the second insert fails.
        // Partial unique indexes are written alike on SQLite and PostgreSQL.
        m.get_connection()
            .execute_unprepared("CREATE UNIQUE INDEX ux_jobs_running_key ON jobs (key) WHERE status = 'running'")
            .await?;
        // A sender's claim on a message: no other sender takes it until the claim lapses.
        for column in [
            string_null("claimed_by"),
            timestamp_with_time_zone_null("claimed_until"),
        ] {
            m.alter_table(Table::alter().table("outbox").add_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
