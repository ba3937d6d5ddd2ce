//! Privacy by law (decision 0088): the audit log chained by hash, the log of subject access
//! and erasure requests with their deadlines, consents with their history, and the hub's
//! retention periods per kind of record.
use super::prelude::*;
use super::{fk, index};

pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [string_null("prev_hash"), string_null("hash")] {
            m.alter_table(Table::alter().table("audit_events").add_column(column).to_owned())
                .await?;
        }
        // The events written before this migration are chained now, in their order.
        crate::platform::audit_chain::seal_unsealed(m.get_connection())
            .await
            .map_err(|e| DbErr::Custom(e.to_string()))?;

        // A subject access or erasure request: the person by kind and id (never by name),
        // when it came, the day the law's month ends, and when it was answered.
        m.create_table(
            Table::create()
                .table("privacy_requests")
                .col(big_pk_auto("id"))
                .col(string("kind"))
                .col(string("subject_kind"))
                .col(big_integer("subject_id"))
                .col(timestamp_with_time_zone("received_at"))
                .col(date("due_on"))
                .col(timestamp_with_time_zone_null("answered_at"))
                .col(big_integer_null("recorded_by"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("privacy_requests", &["answered_at", "due_on"], false))
            .await?;

        // Every consent given or withdrawn, newest last: the current answer is the latest row.
        m.create_table(
            Table::create()
                .table("consents")
                .col(big_pk_auto("id"))
                .col(big_integer("pupil_id"))
                .col(string("kind"))
                .col(boolean("given"))
                .col(timestamp_with_time_zone("at"))
                .col(string("how"))
                .col(big_integer_null("by_user_id"))
                .foreign_key(&mut fk("consents", "pupil_id", "pupils", ForeignKeyAction::Cascade))
                .to_owned(),
        )
        .await?;
        m.create_index(index("consents", &["pupil_id", "kind"], false)).await?;

        // The hub's own retention periods; a kind with no row keeps the default from guidance.
        m.create_table(
            Table::create()
                .table("retention_periods")
                .col(string("kind").primary_key().to_owned())
                .col(integer("months"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
