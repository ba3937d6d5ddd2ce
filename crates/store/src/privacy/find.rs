//! Finding every row about one person, by the schema: their own record and their logins
//! (their identities), every row whose columns refer to one of those by key or by naming
//! convention, and every row whose text names them (their full name or email address:
//! the outbox, an invoice's payer, the search index). Export and erasure both start here.
use std::collections::{BTreeMap, BTreeSet};

use sea_orm::{ConnectionTrait, DbBackend, Value};
use serde_json::Map;

use super::schema::{self, ColumnKind, Personal, Schema, Table};
use super::subject::{Subject, SubjectKind};
use crate::error::{Result, StoreError};
use crate::query::stmt;

/// The shortest text worth looking for: a shorter one would match strangers.
const SHORTEST_NEEDLE: usize = 5;

/// A person's records across the schema.
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// Their own records (the subject's row, their logins, a login's linked record) by table.
    pub identities: BTreeMap<String, BTreeSet<i64>>,
    /// What names them in text: full names and email addresses, lower-cased.
    pub needles: Vec<String>,
    /// Every row about them, table by table (the audit log apart), as JSON objects.
    pub rows: BTreeMap<String, Vec<Map<String, serde_json::Value>>>,
    /// How each table's rows were found: "their record", "refers to them by pupil_id", …
    pub how: BTreeMap<String, String>,
}

impl Found {
    pub fn ids(&self, table: &str) -> Vec<i64> {
        self.identities
            .get(table)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    }
    pub fn row_count(&self) -> usize {
        self.rows.values().map(Vec::len).sum()
    }
}

/// One row's column values as JSON text, the same on both backends: SQLite's json_object
/// (binary columns as hex), PostgreSQL's row_to_json.
fn row_json_sql(backend: DbBackend, table: &Table, where_sql: &str) -> String {
    match backend {
        DbBackend::Postgres => format!(
            "SELECT row_to_json(t)::text AS j FROM \"{}\" t WHERE {where_sql}",
            table.name
        ),
        _ => {
            let pairs: Vec<String> = table
                .columns
                .iter()
                .map(|c| match c.kind {
                    ColumnKind::Binary => format!("'{0}', hex(\"{0}\")", c.name),
                    _ => format!("'{0}', \"{0}\"", c.name),
                })
                .collect();
            format!(
                "SELECT json_object({}) AS j FROM \"{}\" WHERE {where_sql}",
                pairs.join(", "),
                table.name
            )
        }
    }
}

/// Rows of `table` matching `where_sql`, as JSON objects.
pub(crate) async fn rows_where(
    conn: &impl ConnectionTrait,
    table: &Table,
    where_sql: &str,
    values: Vec<Value>,
) -> Result<Vec<Map<String, serde_json::Value>>> {
    let backend = conn.get_database_backend();
    let rows = conn
        .query_all_raw(stmt(backend, &row_json_sql(backend, table, where_sql), values))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let text: String = r.try_get("", "j")?;
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| StoreError::Db(sea_orm::DbErr::Type(e.to_string())))?;
        if let serde_json::Value::Object(m) = value {
            out.push(m);
        }
    }
    Ok(out)
}

fn ids_list(ids: &BTreeSet<i64>) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
}

fn text(m: &Map<String, serde_json::Value>, column: &str) -> Option<String> {
    m.get(column).and_then(|v| v.as_str()).map(str::to_owned)
}

/// The needles a person's record gives: their full name and email address.
fn needles_of(table: &Table, m: &Map<String, serde_json::Value>) -> Vec<String> {
    let mut out = Vec::new();
    if let (Some(first), Some(last)) = (text(m, "first_name"), text(m, "last_name")) {
        out.push(format!("{first} {last}"));
    }
    for c in &table.columns {
        // A first or last name alone would match strangers (a teacher who shares a surname):
        // only whole names and addresses are looked for.
        let part = c.name == "first_name" || c.name == "last_name";
        if !part
            && matches!(schema::personal(&c.name), Some(Personal::Email | Personal::Name))
            && c.kind == ColumnKind::Text
            && let Some(v) = text(m, &c.name)
        {
            out.push(v);
        }
    }
    out.into_iter()
        .map(|s| s.trim().to_lowercase())
        .filter(|s| s.chars().count() >= SHORTEST_NEEDLE)
        .collect()
}

/// The person's identities: their record, the logins linked to it (by a column referring to
/// it, or by the same email address), and a login's own linked person records.
async fn identities(conn: &impl ConnectionTrait, schema: &Schema, subject: Subject) -> Result<Found> {
    let mut found = Found::default();
    let person_tables: Vec<&str> = SubjectKind::ALL.iter().map(|k| k.table()).collect();
    let seed_table = schema.tables.get(subject.kind.table()).ok_or(StoreError::NotFound)?;
    let seed = rows_where(conn, seed_table, &format!("id = {}", subject.id), vec![]).await?;
    let Some(seed_row) = seed.first() else {
        return Err(StoreError::NotFound);
    };
    found
        .identities
        .entry(seed_table.name.clone())
        .or_default()
        .insert(subject.id);
    let emails: Vec<String> = seed_table
        .columns
        .iter()
        .filter(|c| schema::personal(&c.name) == Some(Personal::Email))
        .filter_map(|c| text(seed_row, &c.name))
        .map(|e| e.trim().to_lowercase())
        .filter(|e| e.contains('@'))
        .collect();
    // Other person records that are the same person: a login for a pupil or a member of
    // staff (by its reference), and any person record with the same address.
    for table in person_tables.iter().filter_map(|t| schema.tables.get(*t)) {
        let mut conds = Vec::new();
        for c in table.references_to(subject.kind.table()) {
            conds.push(format!("\"{}\" = {}", c.name, subject.id));
        }
        let mut values: Vec<Value> = Vec::new();
        if let Some(c) = table.column("email") {
            for e in &emails {
                conds.push(format!("LOWER(\"{}\") = ?", c.name));
                values.push(e.clone().into());
            }
        }
        if table.name == subject.kind.table() {
            conds.retain(|c| !c.starts_with("LOWER"));
            values.clear();
        }
        if conds.is_empty() {
            continue;
        }
        for m in rows_where(conn, table, &conds.join(" OR "), values).await? {
            if let Some(id) = m.get("id").and_then(|v| v.as_i64()) {
                found.identities.entry(table.name.clone()).or_default().insert(id);
            }
        }
    }
    // A login's own links (an account asked about is also the pupil or staff it is for).
    if subject.kind == SubjectKind::User {
        for c in seed_table.columns.iter() {
            if let (Some(target), Some(id)) = (&c.refers_to, seed_row.get(&c.name).and_then(|v| v.as_i64()))
                && person_tables.contains(&target.as_str())
            {
                found.identities.entry(target.clone()).or_default().insert(id);
            }
        }
    }
    // Everything the identities say about who they are.
    for (table, ids) in found.identities.clone() {
        let t = &schema.tables[&table];
        for m in rows_where(conn, t, &format!("id IN ({})", ids_list(&ids)), vec![]).await? {
            for n in needles_of(t, &m) {
                if !found.needles.contains(&n) {
                    found.needles.push(n);
                }
            }
        }
    }
    Ok(found)
}

/// Every row about `subject`, found by the schema. The audit log is left to the history.
pub async fn about(conn: &impl ConnectionTrait, schema: &Schema, subject: Subject) -> Result<Found> {
    let mut found = identities(conn, schema, subject).await?;
    for table in schema.tables.values() {
        if table.name == "audit_events" {
            continue;
        }
        let mut conds = Vec::new();
        let mut how = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        if let Some(ids) = found.identities.get(&table.name)
            && table.has_id()
        {
            conds.push(format!("id IN ({})", ids_list(ids)));
            how.push("their own record".to_owned());
        }
        for c in &table.columns {
            let Some(target) = &c.refers_to else { continue };
            if let Some(ids) = found.identities.get(target) {
                conds.push(format!("\"{}\" IN ({})", c.name, ids_list(ids)));
                how.push(format!("refers to them by {}", c.name));
            }
        }
        let texts: Vec<&str> = table
            .columns
            .iter()
            .filter(|c| c.kind == ColumnKind::Text && !schema::secret(&c.name))
            .map(|c| c.name.as_str())
            .collect();
        if !texts.is_empty() && !found.needles.is_empty() {
            for n in &found.needles {
                for c in &texts {
                    conds.push(format!("LOWER(\"{c}\") LIKE ?"));
                    values.push(format!("%{}%", crate::records::search::escape_like(n)).into());
                }
            }
            how.push("names them".to_owned());
        }
        if conds.is_empty() {
            continue;
        }
        let escaped = match conn.get_database_backend() {
            // LIKE's escape character: the search module escapes with a backslash.
            DbBackend::Sqlite => conds
                .iter()
                .map(|c| {
                    if c.ends_with("LIKE ?") {
                        format!("{c} ESCAPE '\\'")
                    } else {
                        c.clone()
                    }
                })
                .collect::<Vec<_>>(),
            _ => conds,
        };
        let all = rows_where(conn, table, &escaped.join(" OR "), values).await?;
        // LIKE finds "Ann Lee" inside "Ann Leeson": a row found only by its text must name
        // them as whole words.
        let rows: Vec<_> = all
            .into_iter()
            .filter(|r| {
                refers(table, r, &found.identities)
                    || texts.iter().any(|c| {
                        r.get(*c)
                            .and_then(|v| v.as_str())
                            .is_some_and(|t| found.needles.iter().any(|n| names(t, n)))
                    })
            })
            .collect();
        if !rows.is_empty() {
            found.how.insert(table.name.clone(), how.join("; "));
            found.rows.insert(table.name.clone(), rows);
        }
    }
    belongings(conn, schema, &mut found).await?;
    Ok(found)
}

/// One step further: rows that belong to a row of theirs (an invoice's payments and
/// instalments, an enrolment's place in a group), by a column referring to it.
async fn belongings(conn: &impl ConnectionTrait, schema: &Schema, found: &mut Found) -> Result<()> {
    let theirs: BTreeMap<String, BTreeSet<i64>> = found
        .rows
        .iter()
        .filter(|(t, _)| !found.identities.contains_key(*t) && t.as_str() != "search_entries")
        .map(|(t, rows)| {
            let ids = rows
                .iter()
                .filter_map(|r| r.get("id").and_then(|v| v.as_i64()))
                .collect();
            (t.clone(), ids)
        })
        .filter(|(_, ids): &(String, BTreeSet<i64>)| !ids.is_empty())
        .collect();
    for table in schema.tables.values() {
        if table.name == "audit_events" {
            continue;
        }
        let conds: Vec<String> = table
            .columns
            .iter()
            .filter_map(|c| {
                let ids = theirs.get(c.refers_to.as_deref()?)?;
                Some(format!("\"{}\" IN ({})", c.name, ids_list(ids)))
            })
            .collect();
        if conds.is_empty() {
            continue;
        }
        let more = rows_where(conn, table, &conds.join(" OR "), vec![]).await?;
        if more.is_empty() {
            continue;
        }
        let list = found.rows.entry(table.name.clone()).or_default();
        let seen: BTreeSet<String> = list
            .iter()
            .map(|r| serde_json::Value::Object(r.clone()).to_string())
            .collect();
        let before = list.len();
        for r in more {
            if !seen.contains(&serde_json::Value::Object(r.clone()).to_string()) {
                list.push(r);
            }
        }
        if list.len() > before {
            let how = found.how.entry(table.name.clone()).or_default();
            if !how.is_empty() {
                how.push_str("; ");
            }
            how.push_str("belongs to a record of theirs");
        }
    }
    Ok(())
}

/// Every row, in every table but the audit log, whose text contains `needle` (any case):
/// what a DPO checks after an erasure, and what the tests check exports against.
pub async fn rows_containing(
    conn: &impl ConnectionTrait,
    needle: &str,
) -> Result<Vec<(String, Map<String, serde_json::Value>)>> {
    let schema = schema::read(conn).await?;
    let needle = needle.trim().to_lowercase();
    let mut out = Vec::new();
    for table in schema.tables.values() {
        if table.name == "audit_events" {
            continue;
        }
        let texts: Vec<String> = table
            .columns
            .iter()
            .filter(|c| matches!(c.kind, ColumnKind::Text | ColumnKind::Date))
            .map(|c| match conn.get_database_backend() {
                DbBackend::Postgres => format!("LOWER(CAST(\"{}\" AS TEXT)) LIKE ?", c.name),
                _ => format!("LOWER(\"{}\") LIKE ? ESCAPE '\\'", c.name),
            })
            .collect();
        if texts.is_empty() {
            continue;
        }
        let pattern = format!("%{}%", crate::records::search::escape_like(&needle));
        let values = texts.iter().map(|_| Value::from(pattern.clone())).collect();
        for r in rows_where(conn, table, &texts.join(" OR "), values).await? {
            out.push((table.name.clone(), r));
        }
    }
    Ok(out)
}

/// Whether `text` holds `needle` (lower-cased) as whole words, whatever its case.
pub(crate) fn names(text: &str, needle: &str) -> bool {
    find_whole(&text.to_lowercase(), needle).is_some()
}

/// Where `needle` first stands in `lower` as whole words (not inside a longer word).
pub(crate) fn find_whole(lower: &str, needle: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = lower[from..].find(needle) {
        let at = from + i;
        let end = at + needle.len();
        let before = lower[..at].chars().next_back().is_some_and(char::is_alphanumeric);
        let after = lower[end..].chars().next().is_some_and(char::is_alphanumeric);
        if !before && !after {
            return Some(at);
        }
        from = at + needle.len().max(1);
        while !lower.is_char_boundary(from) {
            from += 1;
        }
    }
    None
}

/// Whether a row refers to one of the identities by id or by a column.
fn refers(table: &Table, r: &Map<String, serde_json::Value>, identities: &BTreeMap<String, BTreeSet<i64>>) -> bool {
    let id_is = |column: &str, target: &str| {
        r.get(column)
            .and_then(|v| v.as_i64())
            .is_some_and(|id| identities.get(target).is_some_and(|ids| ids.contains(&id)))
    };
    (table.has_id() && id_is("id", &table.name))
        || table
            .columns
            .iter()
            .any(|c| c.refers_to.as_deref().is_some_and(|t| id_is(&c.name, t)))
}
