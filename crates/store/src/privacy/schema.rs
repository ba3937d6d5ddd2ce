//! The schema as the database describes it: every table, its columns and what each column
//! refers to, by declared foreign key or by naming convention (`pupil_id`, `*_by`). Subject
//! access and erasure walk this, never a hand-kept list, so a table added by any feature is
//! covered the day it is migrated (decision 0088).
use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult};

use crate::error::Result;
use crate::query::all_of;

/// What a column holds, as far as privacy cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    Date,
    Binary,
    Other,
}

/// One column of a table.
#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub kind: ColumnKind,
    pub nullable: bool,
    /// The table this column's value is the id of, if any.
    pub refers_to: Option<String>,
}

/// One table.
#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn has_id(&self) -> bool {
        self.column("id").is_some()
    }

    /// The columns that refer to `target`'s ids.
    pub fn references_to<'a>(&'a self, target: &'a str) -> impl Iterator<Item = &'a Column> + 'a {
        self.columns
            .iter()
            .filter(move |c| c.refers_to.as_deref() == Some(target))
    }
}

/// Every table of the hub's schema, by name.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    pub tables: BTreeMap<String, Table>,
}

/// Tables that are the machinery's, not the hub's records: the migrations' list and the
/// full-text index's own storage (its entries are kept by triggers from the records).
fn is_machinery(table: &str) -> bool {
    // The guarantee's tallies are counts the database keeps of register marks (decision 0096):
    // the marks themselves are the record.
    table == "seaql_migrations"
        || table == "register_tallies"
        || table.starts_with("sqlite_")
        || table.starts_with("search_fts")
}

fn kind_of(declared: &str) -> ColumnKind {
    let t = declared.to_ascii_lowercase();
    // SQLite's dates are declared `date_text` (sea-query's name for a date kept as text): a
    // date all the same, which must be written as one, never as an empty string.
    if t == "date" || t == "date_text" {
        ColumnKind::Date
    } else if t.contains("char") || t.contains("text") || t.contains("clob") || t == "json" || t == "jsonb" {
        ColumnKind::Text
    } else if t.contains("blob") || t.contains("bytea") || t.contains("binary") {
        ColumnKind::Binary
    } else {
        ColumnKind::Other
    }
}

/// The table a column refers to by the naming convention, when no key is declared:
/// `pupil_id` is a pupil's id, `guardian_id` a guardian's, `staff_id` and `teacher_id` a
/// member of staff's, `user_id` and a number called `*_by` (who recorded, accepted, ran) an
/// account's.
fn by_convention(column: &str, kind: ColumnKind, tables: &BTreeMap<String, Vec<Column>>) -> Option<String> {
    if kind != ColumnKind::Other {
        return None;
    }
    if column.ends_with("_by") {
        return Some("users".to_owned());
    }
    let stem = column.strip_suffix("_id")?;
    let stem = if stem == "teacher" { "staff" } else { stem };
    // The last word names the kind: `payer_user_id` is a user's.
    let word = stem.rsplit('_').next().unwrap_or(stem);
    [
        word.to_owned(),
        format!("{word}s"),
        format!("{}ies", word.trim_end_matches('y')),
    ]
    .into_iter()
    .find(|t| tables.contains_key(t))
}

#[derive(FromQueryResult)]
struct ColumnRow {
    table_name: String,
    column_name: String,
    data_type: String,
    nullable: bool,
}

#[derive(FromQueryResult)]
struct KeyRow {
    table_name: String,
    column_name: String,
    target: String,
}

/// Reads the schema: `pragma_table_info` and `pragma_foreign_key_list` on SQLite,
/// `information_schema` on PostgreSQL.
pub async fn read(conn: &impl ConnectionTrait) -> Result<Schema> {
    let backend = conn.get_database_backend();
    let (columns_sql, keys_sql) = match backend {
        DbBackend::Postgres => (
            "SELECT c.table_name::text AS table_name, c.column_name::text AS column_name, \
             c.data_type::text AS data_type, (c.is_nullable = 'YES') AS nullable \
             FROM information_schema.columns c JOIN information_schema.tables t \
             ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
             WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
             ORDER BY c.table_name, c.ordinal_position",
            "SELECT kcu.table_name::text AS table_name, kcu.column_name::text AS column_name, \
             ccu.table_name::text AS target FROM information_schema.table_constraints tc \
             JOIN information_schema.key_column_usage kcu \
             ON tc.constraint_name = kcu.constraint_name AND tc.table_schema = kcu.table_schema \
             JOIN information_schema.constraint_column_usage ccu \
             ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema \
             WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()",
        ),
        _ => (
            "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type, \
             (p.\"notnull\" = 0 AND p.pk = 0) AS nullable \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY m.name, p.cid",
            "SELECT m.name AS table_name, f.\"from\" AS column_name, f.\"table\" AS target \
             FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table'",
        ),
    };
    let rows = all_of::<ColumnRow>(conn, columns_sql, []).await?;
    let keys = all_of::<KeyRow>(conn, keys_sql, []).await?;
    let mut columns: BTreeMap<String, Vec<Column>> = BTreeMap::new();
    for r in rows {
        if is_machinery(&r.table_name) {
            continue;
        }
        columns.entry(r.table_name).or_default().push(Column {
            name: r.column_name,
            kind: kind_of(&r.data_type),
            nullable: r.nullable,
            refers_to: None,
        });
    }
    let declared: BTreeMap<(String, String), String> = keys
        .into_iter()
        .map(|k| ((k.table_name, k.column_name), k.target))
        .collect();
    let mut schema = Schema::default();
    for (name, cols) in &columns {
        let cols = cols
            .iter()
            .map(|c| Column {
                refers_to: declared
                    .get(&(name.clone(), c.name.clone()))
                    .cloned()
                    .or_else(|| by_convention(&c.name, c.kind, &columns)),
                ..c.clone()
            })
            .collect();
        schema.tables.insert(
            name.clone(),
            Table {
                name: name.clone(),
                columns: cols,
            },
        );
    }
    Ok(schema)
}

/// What a column holds about a person, recognised by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Personal {
    Name,
    Email,
    Phone,
    Address,
    Postcode,
    DateOfBirth,
    /// Free text about them: medical notes, a note, a report's body.
    Notes,
    /// Bank details, certificate numbers.
    Identifier,
}

/// Whether `column` holds personal data, by the words of its name.
pub fn personal(column: &str) -> Option<Personal> {
    let c = column.to_ascii_lowercase();
    let ends = |w: &str| c == w || c.ends_with(&format!("_{w}"));
    if ends("email") || c == "to_address" {
        Some(Personal::Email)
    } else if ends("name") && !matches!(c.as_str(), "menu_name" | "table_name") {
        Some(Personal::Name)
    } else if ends("phone") || ends("mobile") {
        Some(Personal::Phone)
    } else if ends("address") {
        Some(Personal::Address)
    } else if ends("postcode") {
        Some(Personal::Postcode)
    } else if c == "date_of_birth" || c == "dob" || c == "born_on" {
        Some(Personal::DateOfBirth)
    } else if ends("notes") || ends("note") || c == "body" {
        Some(Personal::Notes)
    } else if matches!(c.as_str(), "sort_code" | "account_number" | "dbs_number") {
        Some(Personal::Identifier)
    } else {
        None
    }
}

/// Whether a column holds a secret (a password's hash, a token, an authenticator's key):
/// never exported, and a row holding one for a person is a way in that erasure removes.
pub fn secret(column: &str) -> bool {
    let c = column.to_ascii_lowercase();
    [
        "hash",
        "secret",
        "token",
        "password",
        "challenge",
        "public_key",
        "credential",
    ]
    .iter()
    .any(|w| c.contains(w))
        && !c.ends_with("_at")
}

/// Whether a table holds financial records, which the law says are kept six years
/// (pseudonymised once the person is erased), recognised by the words of its name.
pub fn financial(table: &str) -> bool {
    [
        "invoice",
        "payment",
        "instalment",
        "credit",
        "donation",
        "mandate",
        "checkout",
        "billing",
        "agreement",
    ]
    .iter()
    .any(|w| table.contains(w))
}
