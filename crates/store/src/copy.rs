//! Moving a hub from one database into an empty PostgreSQL one (`tutti copy`): every table
//! copied in one transaction, then proved by row counts and a checksum per table, read back
//! from both sides, before it is committed.
//!
//! The copy is generic over the schema: PostgreSQL's catalogue (after the target is migrated
//! to the same version as the source) names the tables, their columns and types, their keys
//! and the order foreign keys need. A column type the copy does not know stops it before
//! anything is written, so a future migration cannot be copied wrongly in silence.
use std::collections::{BTreeMap, BTreeSet};

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, FromQueryResult, QueryResult, TransactionTrait, Value};
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, UtcOffset};

use crate::error::{Result, StoreError};
use crate::query::{Count, all_of, stmt};
use crate::{Backend, Store};

/// Tables the migrations themselves fill (a new hub's starting offer and public pages): a
/// freshly migrated database holds rows there and is still empty of a hub's data. The copy
/// replaces them with the source's. (The copy's test migrates a target first, so a migration
/// that starts filling another table shows there.)
pub const SEEDED_BY_MIGRATIONS: &[&str] = &["tuition_offer", "content_items"];

/// The migration runner's own log: the target writes its own.
const MIGRATION_LOG: &str = "seaql_migrations";

/// Tables the database fills itself from other tables (the search index's entries, written by
/// triggers as the copied rows arrive, decision 0078; the guarantee's tallies of register
/// marks, decision 0096): not copied, and no sign of a hub.
pub const DERIVED: &[&str] = &["search_entries", "register_tallies"];

/// Rows read and written at a time.
const BATCH: usize = 2_000;

/// What the copy proved of one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCopied {
    pub table: String,
    pub rows: u64,
    /// SHA-256 of the table's rows in key order, the same read from both databases.
    pub checksum: String,
}

/// Why a copy did not happen; nothing was written to the target.
#[derive(Debug)]
pub enum CopyError {
    /// The target is not PostgreSQL.
    TargetNotPostgres,
    /// The source and the target are the same database.
    SameDatabase,
    /// The target already holds a hub's data (this table has rows).
    TargetHoldsData {
        table: String,
        rows: u64,
    },
    /// A column of a type the copy does not know.
    UnknownColumnType {
        table: String,
        column: String,
        data_type: String,
    },
    /// A table the target has and the source lacks (the source is from another version).
    MissingInSource {
        table: String,
    },
    /// Read back, a table differs: the copy was rolled back.
    Mismatch {
        table: String,
        source_rows: u64,
        target_rows: u64,
        source_checksum: String,
        target_checksum: String,
    },
    Store(StoreError),
}

impl From<StoreError> for CopyError {
    fn from(e: StoreError) -> Self {
        CopyError::Store(e)
    }
}

impl From<sea_orm::DbErr> for CopyError {
    fn from(e: sea_orm::DbErr) -> Self {
        CopyError::Store(e.into())
    }
}

/// How a column's values are read, written and written down for the checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    SmallInt,
    Int,
    BigInt,
    Bool,
    Text,
    Date,
    Stamp,
    Bytes,
    Double,
}

impl Kind {
    fn of(data_type: &str) -> Option<Kind> {
        Some(match data_type {
            "smallint" => Kind::SmallInt,
            "integer" => Kind::Int,
            "bigint" => Kind::BigInt,
            "boolean" => Kind::Bool,
            "text" | "character varying" | "character" => Kind::Text,
            "date" => Kind::Date,
            "timestamp with time zone" => Kind::Stamp,
            "bytea" => Kind::Bytes,
            "double precision" | "real" => Kind::Double,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone)]
struct Table {
    name: String,
    columns: Vec<(String, Kind)>,
    /// The primary key's columns; empty when the table has none.
    key: Vec<String>,
}

impl Table {
    /// Whether the table can be read in batches after the last `id` seen.
    fn keyed_by_id(&self) -> bool {
        self.key.len() == 1 && self.key[0] == "id" && self.columns.iter().any(|(c, k)| c == "id" && *k == Kind::BigInt)
    }

    fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|(c, _)| quote(c))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn order(&self) -> String {
        let cols: Vec<String> = if self.key.is_empty() {
            self.columns.iter().map(|(c, _)| quote(c)).collect()
        } else {
            self.key.iter().map(|c| quote(c)).collect()
        };
        cols.join(", ")
    }
}

/// Names come from PostgreSQL's catalogue, never from a person; quoted all the same.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn read(row: &QueryResult, i: usize, kind: Kind) -> Result<Value> {
    let v = match kind {
        Kind::SmallInt => Value::SmallInt(row.try_get_by_index(i)?),
        Kind::Int => Value::Int(row.try_get_by_index(i)?),
        Kind::BigInt => Value::BigInt(row.try_get_by_index(i)?),
        Kind::Bool => Value::Bool(row.try_get_by_index(i)?),
        Kind::Text => Value::String(row.try_get_by_index(i)?),
        Kind::Date => Value::TimeDate(row.try_get_by_index::<Option<Date>>(i)?),
        Kind::Stamp => Value::TimeDateTimeWithTimeZone(row.try_get_by_index::<Option<OffsetDateTime>>(i)?),
        Kind::Bytes => Value::Bytes(row.try_get_by_index(i)?),
        Kind::Double => Value::Double(row.try_get_by_index(i)?),
    };
    Ok(v)
}

/// One value as the checksum sees it. Instants are written in UTC to the microsecond, what
/// PostgreSQL keeps; SQLite keeps the offset and nanoseconds it was given.
fn write_down(v: &Value, out: &mut Vec<u8>) {
    let text = match v {
        Value::SmallInt(Some(n)) => n.to_string(),
        Value::Int(Some(n)) => n.to_string(),
        Value::BigInt(Some(n)) => n.to_string(),
        Value::Bool(Some(b)) => b.to_string(),
        Value::String(Some(s)) => s.clone(),
        Value::TimeDate(Some(d)) => d.to_string(),
        Value::TimeDateTimeWithTimeZone(Some(t)) => {
            let t = t.to_offset(UtcOffset::UTC);
            let t = t.replace_nanosecond(t.nanosecond() / 1_000 * 1_000).unwrap_or(t);
            t.format(&Rfc3339).unwrap_or_default()
        }
        Value::Bytes(Some(b)) => b.iter().map(|x| format!("{x:02x}")).collect(),
        Value::Double(Some(x)) => format!("{:016x}", x.to_bits()),
        _ => {
            // NULL: a byte no text holds, so NULL and "" differ.
            out.push(0);
            out.push(0x1f);
            return;
        }
    };
    out.extend_from_slice(text.as_bytes());
    out.push(0x1f);
}

/// Reads `table` from `conn` in key order, a batch at a time, handing each batch on.
async fn each_batch<C: ConnectionTrait>(conn: &C, table: &Table, mut take: impl AsyncBatch) -> Result<()> {
    let backend = conn.get_database_backend();
    let cols = table.column_list();
    let name = quote(&table.name);
    if table.keyed_by_id() {
        let id_at = table.columns.iter().position(|(c, _)| c == "id").expect("keyed by id");
        let mut after = i64::MIN;
        loop {
            let sql = format!("SELECT {cols} FROM {name} WHERE \"id\" > ? ORDER BY \"id\" LIMIT {BATCH}");
            let rows = conn.query_all_raw(stmt(backend, &sql, [after.into()])).await?;
            let batch = decode(table, &rows)?;
            let Some(last) = batch.last() else { break };
            if let Value::BigInt(Some(id)) = last[id_at] {
                after = id;
            }
            let full = batch.len() == BATCH;
            take.take(batch).await?;
            if !full {
                break;
            }
        }
    } else {
        let sql = format!("SELECT {cols} FROM {name} ORDER BY {}", table.order());
        let rows = conn.query_all_raw(stmt(backend, &sql, [])).await?;
        for chunk in decode(table, &rows)?.chunks(BATCH) {
            take.take(chunk.to_vec()).await?;
        }
    }
    Ok(())
}

fn decode(table: &Table, rows: &[QueryResult]) -> Result<Vec<Vec<Value>>> {
    rows.iter()
        .map(|row| {
            table
                .columns
                .iter()
                .enumerate()
                .map(|(i, (_, kind))| read(row, i, *kind))
                .collect()
        })
        .collect()
}

/// Something done with each batch of a table's rows.
trait AsyncBatch {
    async fn take(&mut self, rows: Vec<Vec<Value>>) -> Result<()>;
}

/// Counts rows and folds them into a checksum.
#[derive(Default)]
struct Proof {
    rows: u64,
    hash: Sha256,
}

impl Proof {
    fn add(&mut self, rows: &[Vec<Value>]) {
        let mut buf = Vec::new();
        for row in rows {
            buf.clear();
            for v in row {
                write_down(v, &mut buf);
            }
            buf.push(0x1e);
            self.hash.update(&buf);
            self.rows += 1;
        }
    }

    fn finish(self) -> (u64, String) {
        let digest = self.hash.finalize();
        (self.rows, digest.iter().map(|b| format!("{b:02x}")).collect())
    }
}

impl AsyncBatch for &mut Proof {
    async fn take(&mut self, rows: Vec<Vec<Value>>) -> Result<()> {
        self.add(&rows);
        Ok(())
    }
}

/// Writes each batch into the target and proves what it wrote from the source's side.
struct Writer<'a> {
    txn: &'a DatabaseTransaction,
    table: &'a Table,
    proof: Proof,
}

impl AsyncBatch for &mut Writer<'_> {
    async fn take(&mut self, rows: Vec<Vec<Value>>) -> Result<()> {
        self.proof.add(&rows);
        let width = self.table.columns.len().max(1);
        // PostgreSQL takes at most 65,535 parameters in a statement.
        let per_statement = (60_000 / width).max(1);
        for chunk in rows.chunks(per_statement) {
            let one = format!("({})", vec!["?"; width].join(", "));
            let sql = format!(
                "INSERT INTO {} ({}) VALUES {}",
                quote(&self.table.name),
                self.table.column_list(),
                vec![one; chunk.len()].join(", ")
            );
            let values = chunk.iter().flat_map(|r| r.iter().cloned()).collect::<Vec<_>>();
            self.txn.execute_raw(stmt(DbBackend::Postgres, &sql, values)).await?;
        }
        Ok(())
    }
}

#[derive(FromQueryResult)]
struct ColumnRow {
    table_name: String,
    column_name: String,
    data_type: String,
}

#[derive(FromQueryResult)]
struct KeyRow {
    table_name: String,
    column_name: String,
}

#[derive(FromQueryResult)]
struct EdgeRow {
    child: String,
    parent: String,
}

/// The target's tables (the migration log aside) in an order where every table comes after
/// the tables its foreign keys name.
async fn tables_of(conn: &impl ConnectionTrait) -> std::result::Result<Vec<Table>, CopyError> {
    let columns = all_of::<ColumnRow>(
        conn,
        "SELECT c.table_name::text AS table_name, c.column_name::text AS column_name, c.data_type::text AS data_type \
         FROM information_schema.columns c JOIN information_schema.tables t \
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
         WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
         ORDER BY c.table_name, c.ordinal_position",
        [],
    )
    .await?;
    let keys = all_of::<KeyRow>(
        conn,
        "SELECT tc.table_name::text AS table_name, k.column_name::text AS column_name \
         FROM information_schema.table_constraints tc JOIN information_schema.key_column_usage k \
           ON k.constraint_name = tc.constraint_name AND k.table_schema = tc.table_schema \
         WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = current_schema() \
         ORDER BY tc.table_name, k.ordinal_position",
        [],
    )
    .await?;
    let edges = all_of::<EdgeRow>(
        conn,
        "SELECT child.relname::text AS child, parent.relname::text AS parent \
         FROM pg_constraint c JOIN pg_class child ON child.oid = c.conrelid \
           JOIN pg_class parent ON parent.oid = c.confrelid \
         WHERE c.contype = 'f' AND child.relnamespace = current_schema()::regnamespace",
        [],
    )
    .await?;

    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    for c in columns {
        if c.table_name == MIGRATION_LOG || DERIVED.contains(&c.table_name.as_str()) {
            continue;
        }
        let Some(kind) = Kind::of(&c.data_type) else {
            return Err(CopyError::UnknownColumnType {
                table: c.table_name,
                column: c.column_name,
                data_type: c.data_type,
            });
        };
        tables
            .entry(c.table_name.clone())
            .or_insert_with(|| Table {
                name: c.table_name.clone(),
                columns: Vec::new(),
                key: Vec::new(),
            })
            .columns
            .push((c.column_name, kind));
    }
    for k in keys {
        if let Some(t) = tables.get_mut(&k.table_name) {
            t.key.push(k.column_name);
        }
    }
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for e in edges {
        if e.child != e.parent {
            parents.entry(e.child).or_default().insert(e.parent);
        }
    }
    // Kahn's order, by name among equals so two runs agree.
    let mut ordered = Vec::with_capacity(tables.len());
    let mut placed = BTreeSet::new();
    while placed.len() < tables.len() {
        let ready: Vec<String> = tables
            .keys()
            .filter(|t| !placed.contains(*t))
            .filter(|t| {
                parents
                    .get(*t)
                    .is_none_or(|ps| ps.iter().all(|p| placed.contains(p) || !tables.contains_key(p)))
            })
            .cloned()
            .collect();
        if ready.is_empty() {
            // A cycle of foreign keys: the schema has none today; take the rest by name.
            ordered.extend(tables.keys().filter(|t| !placed.contains(*t)).cloned());
            break;
        }
        for t in ready {
            placed.insert(t.clone());
            ordered.push(t);
        }
    }
    Ok(ordered.into_iter().filter_map(|t| tables.remove(&t)).collect())
}

async fn count(conn: &impl ConnectionTrait, table: &str) -> Result<u64> {
    let sql = format!("SELECT COUNT(*) AS n FROM {}", quote(table));
    let n = Count::find_by_statement(stmt(conn.get_database_backend(), &sql, []))
        .one(conn)
        .await?
        .map(|c| c.n)
        .unwrap_or(0);
    Ok(n.max(0) as u64)
}

/// The first table of the target that holds a hub's data, if any.
async fn first_with_data(conn: &impl ConnectionTrait) -> std::result::Result<Option<(String, u64)>, CopyError> {
    for t in tables_of(conn).await? {
        if SEEDED_BY_MIGRATIONS.contains(&t.name.as_str()) {
            continue;
        }
        let n = count(conn, &t.name).await?;
        if n > 0 {
            return Ok(Some((t.name, n)));
        }
    }
    Ok(None)
}

#[tutti_boxed::boxed]
impl Store {
    /// Whether a PostgreSQL database holds none of a hub's data (it may be migrated).
    pub async fn holds_no_hub(&self) -> std::result::Result<bool, CopyError> {
        Ok(first_with_data(self.conn()).await?.is_none())
    }

    /// Copies this hub into `target`, an empty PostgreSQL database, and proves the copy: each
    /// table's rows counted and checksummed as read from this database and as read back from
    /// the target, inside the target's transaction, which commits only when every table
    /// agrees. Both databases are migrated to this version first.
    pub async fn copy_into(&self, target: &Store) -> std::result::Result<Vec<TableCopied>, CopyError> {
        if target.backend() != Backend::Postgres {
            return Err(CopyError::TargetNotPostgres);
        }
        if self.backend() == Backend::Postgres && self.same_database(target).await? {
            return Err(CopyError::SameDatabase);
        }
        if let Some((table, rows)) = first_with_data(target.conn()).await? {
            return Err(CopyError::TargetHoldsData { table, rows });
        }
        self.migrate().await?;
        target.migrate().await?;
        let tables = tables_of(target.conn()).await?;

        // One snapshot of the source for the whole copy.
        let source = self.conn().begin().await?;
        let txn = target.conn().begin().await?;
        for t in tables.iter().rev() {
            txn.execute_unprepared(&format!("DELETE FROM {}", quote(&t.name)))
                .await?;
        }
        let mut copied = Vec::with_capacity(tables.len());
        for t in &tables {
            let present = source_has(&source, &t.name).await?;
            if !present {
                return Err(CopyError::MissingInSource { table: t.name.clone() });
            }
            let mut writer = Writer {
                txn: &txn,
                table: t,
                proof: Proof::default(),
            };
            each_batch(&source, t, &mut writer).await?;
            let (source_rows, source_checksum) = writer.proof.finish();
            if t.keyed_by_id() {
                // New rows must number on from the copied ones.
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence('{0}', 'id'), COALESCE((SELECT MAX(\"id\") FROM {1}), 0) + 1, false)",
                    t.name.replace('\'', "''"),
                    quote(&t.name)
                );
                txn.execute_unprepared(&sql).await?;
            }
            let mut back = Proof::default();
            each_batch(&txn, t, &mut back).await?;
            let (target_rows, target_checksum) = back.finish();
            if source_rows != target_rows || source_checksum != target_checksum {
                return Err(CopyError::Mismatch {
                    table: t.name.clone(),
                    source_rows,
                    target_rows,
                    source_checksum,
                    target_checksum,
                });
            }
            copied.push(TableCopied {
                table: t.name.clone(),
                rows: source_rows,
                checksum: source_checksum,
            });
        }
        txn.commit().await?;
        source.rollback().await?;
        Ok(copied)
    }

    /// Whether two PostgreSQL stores are one database (the same server's same database).
    async fn same_database(&self, other: &Store) -> Result<bool> {
        #[derive(FromQueryResult)]
        struct Who {
            id: String,
        }
        let sql = "SELECT current_database()::text || '@' || COALESCE(inet_server_addr()::text, '') || ':' || COALESCE(inet_server_port()::text, '') || '/' || (SELECT system_identifier::text FROM pg_control_system()) AS id";
        let mine = Who::find_by_statement(stmt(DbBackend::Postgres, sql, []))
            .one(self.conn())
            .await?;
        let theirs = Who::find_by_statement(stmt(DbBackend::Postgres, sql, []))
            .one(other.conn())
            .await?;
        Ok(matches!((mine, theirs), (Some(a), Some(b)) if a.id == b.id))
    }
}

/// Whether the source has the table (it may predate a table only the target's version has).
async fn source_has(conn: &DatabaseTransaction, table: &str) -> Result<bool> {
    let backend = conn.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?"
        }
        _ => "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?",
    };
    let n = Count::find_by_statement(stmt(backend, sql, [table.into()]))
        .one(conn)
        .await?
        .map(|c| c.n)
        .unwrap_or(0);
    Ok(n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proof(rows: &[Vec<Value>]) -> (u64, String) {
        let mut p = Proof::default();
        p.add(rows);
        p.finish()
    }

    #[test]
    fn the_checksum_sees_every_difference_that_matters_and_no_other() {
        let at = time::macros::datetime!(2026-09-01 09:00:00.123456789 +01:00);
        let row = |s: Option<&str>, t: OffsetDateTime| {
            vec![
                Value::BigInt(Some(1)),
                Value::String(s.map(str::to_owned)),
                Value::TimeDateTimeWithTimeZone(Some(t)),
            ]
        };
        let base = proof(&[row(Some(""), at)]);
        assert_eq!(base.0, 1);
        // NULL is not the empty string, and a changed letter changes the sum.
        assert_ne!(base, proof(&[row(None, at)]));
        assert_ne!(base, proof(&[row(Some("a"), at)]));
        // The same instant in UTC to the microsecond, as PostgreSQL answers it, is the same row.
        let utc = time::macros::datetime!(2026-09-01 08:00:00.123456 UTC);
        assert_eq!(base, proof(&[row(Some(""), utc)]));
        // Values may not slide between columns or rows.
        let split = vec![Value::String(Some("ab".into())), Value::String(Some("c".into()))];
        let slid = vec![Value::String(Some("a".into())), Value::String(Some("bc".into()))];
        assert_ne!(proof(&[split]), proof(&[slid]));
        assert_ne!(
            proof(&[row(Some("x"), at), row(Some("y"), at)]),
            proof(&[row(Some("xy"), at)])
        );
    }

    #[test]
    fn every_column_type_the_migrations_write_is_known() {
        for t in [
            "smallint",
            "integer",
            "bigint",
            "boolean",
            "text",
            "character varying",
            "date",
            "timestamp with time zone",
            "bytea",
        ] {
            assert!(Kind::of(t).is_some(), "{t}");
        }
        assert_eq!(Kind::of("jsonb"), None, "an unknown type stops the copy");
    }
}
