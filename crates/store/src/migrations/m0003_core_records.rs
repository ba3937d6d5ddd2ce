//! Core records, part two: instruments, the audit log, personal API tokens, and the indexes
//! that keep record search fast on a national-sized hub.
use super::prelude::*;

use super::{fk, index};

pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("instruments")
                .col(big_pk_auto("id"))
                .col(string_uniq("serial"))
                .col(string("instrument_type"))
                .col(string("make"))
                .col(string("model"))
                .col(string_null("condition"))
                .col(big_integer_null("value_pence"))
                .col(string("location"))
                .col(string("status"))
                .col(timestamp_with_time_zone_null("archived_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("instruments", &["instrument_type"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("audit_events")
                .col(big_pk_auto("id"))
                .col(timestamp_with_time_zone("at"))
                .col(big_integer_null("user_id"))
                .col(string("actor"))
                .col(string("action"))
                .col(string("entity"))
                .col(big_integer_null("entity_id"))
                .col(text("summary"))
                .col(string("ip"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("audit_events", &["at"], false)).await?;
        m.create_index(index("audit_events", &["entity", "entity_id"], false))
            .await?;
        m.create_index(index("audit_events", &["user_id"], false)).await?;

        m.create_table(
            Table::create()
                .table("api_tokens")
                .col(big_pk_auto("id"))
                .col(big_integer("user_id"))
                .col(string("name"))
                .col(string_uniq("token_hash"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("last_used_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .foreign_key(&mut fk("api_tokens", "user_id", "users", ForeignKeyAction::Cascade))
                .to_owned(),
        )
        .await?;
        m.create_index(index("api_tokens", &["user_id"], false)).await?;

        m.create_index(index("staff", &["last_name", "first_name"], false))
            .await?;
        m.create_index(index("pupil_guardians", &["pupil_id"], false)).await?;

        // Pupil search is a case-insensitive prefix match on surname, first name and
        // reference (docs/decisions/0010-pupil-search-by-prefix.md). The indexes are on the
        // lower-cased columns; PostgreSQL needs text_pattern_ops for LIKE 'abc%' to use one
        // under a non-C collation, SQLite uses a plain expression index with range bounds.
        let pg = m.get_database_backend() == sea_orm::DbBackend::Postgres;
        let ops = if pg { " text_pattern_ops" } else { "" };
        let conn = m.get_connection();
        for (name, expr) in [
            ("ix_pupils_lower_last_name", "lower(last_name)"),
            ("ix_pupils_lower_first_name", "lower(first_name)"),
            ("ix_pupils_lower_pupil_ref", "lower(pupil_ref)"),
            ("ix_schools_lower_name", "lower(name)"),
        ] {
            let table = if name.starts_with("ix_schools") {
                "schools"
            } else {
                "pupils"
            };
            conn.execute_unprepared(&format!("CREATE INDEX {name} ON {table} (({expr}){ops})"))
                .await?;
        }
        Ok(())
    }
}
