//! Whether a record's natural key (a school's URN, a pupil's reference, a teacher's email, an
//! instrument's serial) is already held by another record of its kind, before one is saved.
use std::str::FromStr;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Value};

use crate::error::Result;

/// Whether a record of `E` other than record `except` holds `value` in column `key`.
pub(crate) async fn taken<E>(
    conn: &impl ConnectionTrait,
    key: E::Column,
    value: impl Into<Value>,
    except: Option<i64>,
) -> Result<bool>
where
    E: EntityTrait,
    E::Model: Sync,
{
    let mut q = E::find().filter(key.eq(value));
    if let Some(id) = except {
        let id_column = E::Column::from_str("id").unwrap_or_else(|_| panic!("every record kind has an id"));
        q = q.filter(id_column.ne(id));
    }
    Ok(q.count(conn).await? > 0)
}
