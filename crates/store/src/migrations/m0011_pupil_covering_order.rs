//! Pupil order indexes that also hold `archived_at`, so that a search's counts and walks are
//! answered from the index alone (decision 0010). They replace m0005's order indexes: the same
//! keys in the same order, one column longer.
use super::prelude::*;

pub struct Migration;

/// (new name, old name, key columns). The names are used by `pupil_search` on SQLite.
const INDEXES: &[(&str, &str, &[&str])] = &[
    (
        "ix_pupils_live_name",
        "ix_pupils_order_name",
        &["last_name", "first_name"],
    ),
    (
        "ix_pupils_live_first",
        "ix_pupils_order_first",
        &["first_name", "last_name"],
    ),
    ("ix_pupils_live_ref", "ix_pupils_order_ref", &["pupil_ref"]),
];

fn keys(pg: bool, columns: &[&str]) -> String {
    columns
        .iter()
        .map(|c| {
            if pg {
                format!("(lower({c}) COLLATE \"C\")")
            } else {
                format!("lower({c})")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let pg = m.get_database_backend() == sea_orm::DbBackend::Postgres;
        let conn = m.get_connection();
        for (name, old, columns) in INDEXES {
            conn.execute_unprepared(&format!(
                "CREATE INDEX {name} ON pupils ({}, id, archived_at)",
                keys(pg, columns)
            ))
            .await?;
            conn.execute_unprepared(&format!("DROP INDEX IF EXISTS {old}")).await?;
        }
        Ok(())
    }
}
