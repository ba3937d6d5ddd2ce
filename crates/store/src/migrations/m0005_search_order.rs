//! Pupil order indexes: the lower-cased name and reference keys in byte order, which answer
//! both a search prefix and the list's sort from one index (decision 0010). They replace
//! m0003's prefix-only indexes.
use super::prelude::*;

pub struct Migration;

/// (name, key expressions): on PostgreSQL each key is collated "C" so that it orders by bytes
/// like SQLite and a `LIKE 'abc%'` on it is an index range.
const ORDER_INDEXES: &[(&str, &[&str])] = &[
    ("ix_pupils_order_name", &["last_name", "first_name"]),
    ("ix_pupils_order_first", &["first_name", "last_name"]),
    ("ix_pupils_order_ref", &["pupil_ref"]),
];

const PREFIX_INDEXES: &[(&str, &str)] = &[
    ("ix_pupils_lower_last_name", "lower(last_name)"),
    ("ix_pupils_lower_first_name", "lower(first_name)"),
    ("ix_pupils_lower_pupil_ref", "lower(pupil_ref)"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let pg = m.get_database_backend() == sea_orm::DbBackend::Postgres;
        let conn = m.get_connection();
        for (name, columns) in ORDER_INDEXES {
            let keys: Vec<String> = columns
                .iter()
                .map(|c| {
                    if pg {
                        format!("(lower({c}) COLLATE \"C\")")
                    } else {
                        format!("lower({c})")
                    }
                })
                .collect();
            conn.execute_unprepared(&format!("CREATE INDEX {name} ON pupils ({}, id)", keys.join(", ")))
                .await?;
        }
        for (name, _) in PREFIX_INDEXES {
            conn.execute_unprepared(&format!("DROP INDEX IF EXISTS {name}")).await?;
        }
        Ok(())
    }
}
