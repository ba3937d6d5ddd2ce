//! Moving many rows at once as one text. Reading: the database folds a query's rows into one
//! JSON array, parsed here straight into typed tuples. Writing: rows are written here into one
//! JSON array per statement, which the database unfolds into an INSERT; or, on PostgreSQL in
//! a [`PgTransaction`], into the text rows of a COPY (decision 0062).
//!
//! Why (decision 0060): sqlx hands SQLite rows one at a time from its worker thread to the
//! async task, about 4 µs a row, which was most of a billing run's reading; and a value bound
//! as a parameter is allocated and copied three times on its way (sea-query value, its clone,
//! sqlx's argument), which with the binding itself was most of the writing. One text crosses
//! once and is written without an allocation per value.
use crate::error::Result;
use crate::pg_run::PgTransaction;
use crate::query::stmt;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};
use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, Error as _};
use std::fmt::Write as _;
use time::{Date, Month};

/// Reads `SELECT columns FROM from` as one tuple per row, in column order, in no particular
/// order (sorting a million JSON values took PostgreSQL longer than building them; callers
/// sort the tuples). `from` is everything after FROM (joins and WHERE, with `?` for `values`).
pub(crate) async fn json_rows<T: DeserializeOwned>(
    conn: &impl ConnectionTrait,
    columns: &[&str],
    from: &str,
    values: Vec<Value>,
) -> Result<Vec<T>> {
    let backend = conn.get_database_backend();
    let list = columns.join(", ");
    let sql = match backend {
        DbBackend::Postgres => format!("SELECT COALESCE(json_agg(json_build_array({list})), '[]')::text FROM {from}"),
        _ => format!("SELECT json_group_array(json_array({list})) FROM {from}"),
    };
    let row = conn.query_one_raw(stmt(backend, &sql, values)).await?;
    let text: String = match row {
        Some(row) => row.try_get_by_index(0)?,
        None => return Ok(Vec::new()),
    };
    serde_json::from_str(&text).map_err(|e| DbErr::Type(format!("reading rows as JSON: {e}")).into())
}

/// Where an inserted column's value comes from.
pub(crate) enum Column {
    /// The next field of each row, with its PostgreSQL type ("int8", "text", "date").
    Field(&'static str, &'static str),
    /// One value for every row, bound once.
    Same(&'static str, Value),
}

/// Many rows inserted `per_statement` at a time. Written as JSON into
/// `INSERT INTO table (…) SELECT value->>0, ?, … FROM json_each(?)` on SQLite, the same with
/// `jsonb_array_elements` and casts on PostgreSQL; or, given a [`PgTransaction`], as the
/// text rows of `COPY table (…) FROM STDIN`, which PostgreSQL takes for less work (decision
/// 0062). Rows go in with `int`, `text` and `date` in the order of the `Field` columns, each
/// closed by `end_row`, which sends a full batch; `finish` sends the rest.
pub(crate) struct BulkInsert<'a, C> {
    conn: &'a C,
    /// By COPY: the transaction, and the `Same` values as text, each after a tab, that close
    /// every row.
    copy: Option<(&'a PgTransaction, String)>,
    sql: String,
    same: Vec<Value>,
    buf: String,
    rows: usize,
    per_statement: usize,
    first_field: bool,
}

/// A value common to every row, as COPY text. The values are the run's own (ids, terms,
/// dates, times); another kind is a mistake in the caller.
fn copy_value(value: &Value) -> String {
    let mut text = String::new();
    match value {
        Value::BigInt(Some(n)) => text = n.to_string(),
        Value::Int(Some(n)) => text = n.to_string(),
        Value::String(Some(s)) => copy_escape(&mut text, s),
        Value::TimeDate(Some(d)) => text = iso_date(*d),
        Value::TimeDateTimeWithTimeZone(Some(t)) => {
            let t = t.to_offset(time::UtcOffset::UTC);
            text = format!(
                "{} {:02}:{:02}:{:02}.{:06}+00",
                iso_date(t.date()),
                t.hour(),
                t.minute(),
                t.second(),
                t.microsecond()
            );
        }
        other => panic!("a COPY column has no text form for {other:?}"),
    }
    text
}

fn iso_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

/// COPY's text format: a backslash, tab, newline or carriage return is escaped.
fn copy_escape(buf: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '\\' => buf.push_str("\\\\"),
            '\t' => buf.push_str("\\t"),
            '\n' => buf.push_str("\\n"),
            '\r' => buf.push_str("\\r"),
            c => buf.push(c),
        }
    }
}

impl<'a, C: ConnectionTrait> BulkInsert<'a, C> {
    pub(crate) fn new(
        conn: &'a C,
        copy: Option<&'a PgTransaction>,
        table: &str,
        columns: Vec<Column>,
        per_statement: usize,
    ) -> BulkInsert<'a, C> {
        if let Some(copy) = copy {
            let mut names: Vec<&str> = Vec::with_capacity(columns.len());
            let mut same_names = Vec::new();
            let mut suffix = String::new();
            for column in &columns {
                match column {
                    Column::Field(name, _) => names.push(name),
                    Column::Same(name, value) => {
                        same_names.push(*name);
                        suffix.push('\t');
                        suffix.push_str(&copy_value(value));
                    }
                }
            }
            names.extend(same_names);
            suffix.push('\n');
            return BulkInsert {
                conn,
                copy: Some((copy, suffix)),
                sql: format!("COPY {table} ({}) FROM STDIN", names.join(", ")),
                same: Vec::new(),
                buf: String::new(),
                rows: 0,
                per_statement: per_statement.max(1),
                first_field: true,
            };
        }
        let backend = conn.get_database_backend();
        let mut names = Vec::with_capacity(columns.len());
        let mut select = Vec::with_capacity(columns.len());
        let mut same = Vec::new();
        let mut field = 0;
        for column in columns {
            match column {
                Column::Field(name, pg_type) => {
                    names.push(name);
                    select.push(match backend {
                        DbBackend::Postgres => format!("(r->>{field})::{pg_type}"),
                        _ => format!("value->>{field}"),
                    });
                    field += 1;
                }
                Column::Same(name, value) => {
                    names.push(name);
                    select.push("?".to_owned());
                    same.push(value);
                }
            }
        }
        let from = match backend {
            DbBackend::Postgres => "jsonb_array_elements(?::jsonb) AS r",
            _ => "json_each(?)",
        };
        let sql = format!(
            "INSERT INTO {table} ({}) SELECT {} FROM {from}",
            names.join(", "),
            select.join(", ")
        );
        BulkInsert {
            conn,
            copy: None,
            sql: crate::query::stmt(backend, &sql, []).sql,
            same,
            buf: String::new(),
            rows: 0,
            per_statement: per_statement.max(1),
            first_field: true,
        }
    }

    fn field(&mut self) {
        if self.copy.is_some() {
            if !std::mem::replace(&mut self.first_field, false) {
                self.buf.push('\t');
            }
        } else if self.first_field {
            self.buf.push_str(if self.rows == 0 { "[[" } else { ",[" });
            self.first_field = false;
        } else {
            self.buf.push(',');
        }
    }

    pub(crate) fn int(&mut self, value: i64) {
        self.field();
        let _ = write!(self.buf, "{value}");
    }

    pub(crate) fn text(&mut self, value: &str) {
        self.field();
        if self.copy.is_some() {
            copy_escape(&mut self.buf, value);
            return;
        }
        self.buf.push('"');
        for c in value.chars() {
            match c {
                '"' => self.buf.push_str("\\\""),
                '\\' => self.buf.push_str("\\\\"),
                c if (c as u32) < 0x20 => {
                    let _ = write!(self.buf, "\\u{:04x}", c as u32);
                }
                c => self.buf.push(c),
            }
        }
        self.buf.push('"');
    }

    /// A date as "YYYY-MM-DD", as sqlx writes one to SQLite.
    pub(crate) fn date(&mut self, value: Date) {
        self.field();
        if self.copy.is_some() {
            self.buf.push_str(&iso_date(value));
            return;
        }
        let _ = write!(
            self.buf,
            "\"{:04}-{:02}-{:02}\"",
            value.year(),
            value.month() as u8,
            value.day()
        );
    }

    /// Closes a row, and sends the batch when it is full; returns how many rows were sent.
    pub(crate) async fn end_row(&mut self) -> Result<usize> {
        match &self.copy {
            Some((_, suffix)) => self.buf.push_str(suffix),
            None => self.buf.push(']'),
        }
        self.first_field = true;
        self.rows += 1;
        if self.rows < self.per_statement {
            return Ok(0);
        }
        self.finish().await
    }

    /// Sends the rows closed so far, if any, and returns how many there were.
    pub(crate) async fn finish(&mut self) -> Result<usize> {
        if self.rows == 0 {
            return Ok(0);
        }
        if let Some((copy, _)) = self.copy {
            copy.copy_in(&self.sql, self.buf.as_bytes()).await?;
            self.buf.clear();
            return Ok(std::mem::take(&mut self.rows));
        }
        self.buf.push(']');
        let mut values = self.same.clone();
        values.push(std::mem::take(&mut self.buf).into());
        self.conn
            .execute_raw(Statement::from_sql_and_values(
                self.conn.get_database_backend(),
                self.sql.clone(),
                values,
            ))
            .await?;
        Ok(std::mem::take(&mut self.rows))
    }
}

/// A boolean column: `true`/`false` from PostgreSQL, 0/1 from SQLite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Flag(pub bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Flag, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Bool(bool),
            Int(i64),
        }
        Ok(Flag(match Either::deserialize(d)? {
            Either::Bool(b) => b,
            Either::Int(i) => i != 0,
        }))
    }
}

/// A date column, written "YYYY-MM-DD" by both backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Day(pub Date);

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Day, D::Error> {
        let text = <&str>::deserialize(d)?;
        parse_day(text)
            .map(Day)
            .ok_or_else(|| D::Error::custom(format!("not a date: {text:?}")))
    }
}

fn parse_day(text: &str) -> Option<Date> {
    let mut parts = text.get(..10)?.splitn(3, '-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_days_from_either_backend() {
        let rows: Vec<(Flag, Flag, Day, Option<Day>)> =
            serde_json::from_str(r#"[[true, 0, "2026-09-03", null], [false, 1, "2026-12-31T00:00:00", "2027-01-05"]]"#)
                .unwrap();
        assert_eq!(rows[0].0, Flag(true));
        assert_eq!(rows[0].1, Flag(false));
        assert_eq!(
            rows[0].2.0,
            Date::from_calendar_date(2026, Month::September, 3).unwrap()
        );
        assert_eq!(rows[0].3, None);
        assert_eq!(rows[1].1, Flag(true));
        assert_eq!(
            rows[1].2.0,
            Date::from_calendar_date(2026, Month::December, 31).unwrap()
        );
        assert!(serde_json::from_str::<Vec<(Day,)>>(r#"[["2026-02-30"]]"#).is_err());
    }
}
