//! Events' refunds and holds (decision 0093): how long a booking awaiting card payment holds
//! its places (`bookings.held_until`), the hash of the token in a guest's cancellation link
//! (`bookings.cancel_token_hash`), and each booking's refund through the payment provider,
//! one row a booking (`booking_refunds`), paid back once under its own reference.
use super::prelude::*;

use super::index;

pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            timestamp_with_time_zone_null("held_until"),
            string_null("cancel_token_hash"),
        ] {
            m.alter_table(Table::alter().table("bookings").add_column(column).to_owned())
                .await?;
        }
        // status: "pending" (owed, not yet accepted by the provider) or "refunded". reference:
        // ours, sent to the provider as the idempotency key, so a retried refund is one refund.
        m.create_table(
            Table::create()
                .table("booking_refunds")
                .col(big_pk_auto("id"))
                .col(big_integer("booking_id"))
                .col(big_integer("checkout_id"))
                .col(string("provider"))
                .col(string_uniq("reference"))
                .col(big_integer("amount_pence"))
                .col(string("status"))
                .col(string_null("provider_refund"))
                .col(integer("attempts"))
                .col(text("last_error"))
                .col(timestamp_with_time_zone_null("claimed_at"))
                .col(timestamp_with_time_zone_null("refunded_at"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        // One refund a booking, however often a cancellation is asked for.
        m.create_index(index("booking_refunds", &["booking_id"], true)).await?;
        m.create_index(index("booking_refunds", &["status"], false)).await?;
        m.create_index(index("bookings", &["status", "held_until"], false))
            .await?;
        Ok(())
    }
}
