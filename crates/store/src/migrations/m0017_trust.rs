//! The trust layer: secret mail kept off screens, API tokens with a scope and an expiry,
//! lesson notes shared with families only when the teacher says so, browsers known to an
//! account (so that guessing its password cannot lock its owner out), and second factors:
//! TOTP, passkeys and recovery codes, with the session remembering that one was given.
use super::prelude::*;

use super::{fk, index};

pub struct Migration;

/// Columns added to existing tables: (table, column definition).
fn added_columns() -> Vec<(&'static str, ColumnDef)> {
    vec![
        ("outbox", boolean("secret").default(false).to_owned()),
        ("api_tokens", string("scope").default("read_write").to_owned()),
        ("api_tokens", timestamp_with_time_zone_null("expires_at").to_owned()),
        ("dated_lessons", boolean("note_shared").default(false).to_owned()),
        ("users", text_null("totp_secret").to_owned()),
        ("users", big_integer_null("totp_last_step").to_owned()),
        ("users", boolean("second_factor").default(false).to_owned()),
        ("sessions", boolean("second_factor_done").default(false).to_owned()),
        ("sessions", text_null("challenge").to_owned()),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in added_columns() {
            m.alter_table(Table::alter().table(table).add_column(column).to_owned())
                .await?;
        }

        m.create_table(
            Table::create()
                .table("known_devices")
                .col(big_pk_auto("id"))
                .col(big_integer("user_id"))
                .col(string_uniq("token_hash"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("last_used_at"))
                .foreign_key(&mut fk("known_devices", "user_id", "users", ForeignKeyAction::Cascade))
                .to_owned(),
        )
        .await?;
        m.create_index(index("known_devices", &["user_id"], false)).await?;

        m.create_table(
            Table::create()
                .table("passkeys")
                .col(big_pk_auto("id"))
                .col(big_integer("user_id"))
                .col(string_uniq("credential_id"))
                .col(text("public_key"))
                .col(big_integer("sign_count"))
                .col(string("name"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("last_used_at"))
                .foreign_key(&mut fk("passkeys", "user_id", "users", ForeignKeyAction::Cascade))
                .to_owned(),
        )
        .await?;
        m.create_index(index("passkeys", &["user_id"], false)).await?;

        m.create_table(
            Table::create()
                .table("recovery_codes")
                .col(big_pk_auto("id"))
                .col(big_integer("user_id"))
                .col(string("code_hash"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .foreign_key(&mut fk("recovery_codes", "user_id", "users", ForeignKeyAction::Cascade))
                .to_owned(),
        )
        .await?;
        m.create_index(index("recovery_codes", &["user_id"], false)).await?;
        m.create_index(index("one_time_tokens", &["user_id"], false)).await?;
        Ok(())
    }
}
