//! Hand-written SQL for both backends: written once with `?` placeholders, numbered for PostgreSQL.
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, PrimaryKeyTrait, Statement, Value};

use crate::error::{Result, StoreError};

/// A row of one count (`SELECT COUNT(*) AS n`), as many queries read it.
#[derive(FromQueryResult)]
pub(crate) struct Count {
    pub n: i64,
}

/// A row of one id (`SELECT id`), as many queries read it.
#[derive(FromQueryResult)]
pub(crate) struct Id {
    pub id: i64,
}

/// The rows a hand-written query returns.
pub(crate) async fn all_of<R: FromQueryResult>(
    conn: &impl ConnectionTrait,
    sql: &str,
    values: impl IntoIterator<Item = Value>,
) -> Result<Vec<R>> {
    Ok(R::find_by_statement(stmt(conn.get_database_backend(), sql, values))
        .all(conn)
        .await?)
}

/// The first row a hand-written query returns, if any.
pub(crate) async fn one_of<R: FromQueryResult>(
    conn: &impl ConnectionTrait,
    sql: &str,
    values: impl IntoIterator<Item = Value>,
) -> Result<Option<R>> {
    Ok(R::find_by_statement(stmt(conn.get_database_backend(), sql, values))
        .one(conn)
        .await?)
}

/// Record `id` of entity `E`, else `NotFound`.
pub(crate) async fn found<E>(conn: &impl ConnectionTrait, id: i64) -> Result<E::Model>
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i64>,
{
    E::find_by_id(id).one(conn).await?.ok_or(StoreError::NotFound)
}

/// Runs an UPDATE of one record; `NotFound` when no row matched.
pub(crate) async fn update_one(
    conn: &impl ConnectionTrait,
    sql: &str,
    values: impl IntoIterator<Item = Value>,
) -> Result<()> {
    let done = conn.execute_raw(stmt(conn.get_database_backend(), sql, values)).await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Inserts one row and returns its id (RETURNING works on both backends).
pub(crate) async fn insert_id(conn: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Result<i64> {
    let row = conn
        .query_one_raw(stmt(conn.get_database_backend(), sql, values))
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(row.try_get("", "id")?)
}

/// Runs a statement and returns how many rows it touched.
pub(crate) async fn exec(conn: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Result<u64> {
    Ok(conn
        .execute_raw(stmt(conn.get_database_backend(), sql, values))
        .await?
        .rows_affected())
}

/// `?, ?, ?` for `n` values (at least one, so that `IN ()` never happens). Every
/// feature that filters by a list of ids uses it, so it lives with the other SQL helpers.
pub(crate) fn marks(n: usize) -> String {
    vec!["?"; n.max(1)].join(", ")
}

/// Builds a statement from SQL written with `?` placeholders. Our SQL never contains a
/// literal question mark, so every `?` is a parameter.
pub(crate) fn stmt(backend: DbBackend, sql: &str, values: impl IntoIterator<Item = Value>) -> Statement {
    let sql = match backend {
        DbBackend::Postgres => {
            let mut out = String::with_capacity(sql.len() + 16);
            let mut n = 0;
            for c in sql.chars() {
                if c == '?' {
                    n += 1;
                    out.push('$');
                    out.push_str(&n.to_string());
                } else {
                    out.push(c);
                }
            }
            out
        }
        _ => sql.to_owned(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_placeholders_for_postgres_only() {
        let pg = stmt(DbBackend::Postgres, "a = ? AND b = ?", [1.into(), 2.into()]);
        assert_eq!(pg.sql, "a = $1 AND b = $2");
        let lite = stmt(DbBackend::Sqlite, "a = ? AND b = ?", [1.into(), 2.into()]);
        assert_eq!(lite.sql, "a = ? AND b = ?");
    }
}
