//! Admissions: the tuition offer, applications and their waiting lists in fair order, offers
//! with an expiry date, acceptance into an enrolment awaiting allocation, the enrolment list
//! every role reads, and a parent's notice. A file per step; the statuses and the small
//! helpers every step shares are here.
pub mod applications;
pub mod enrolments;
pub mod notice;
pub mod offers;
pub mod tuition_offer;

use sea_orm::{ConnectionTrait, DbErr, Value};
/// Where an application and an enrolment are: the domain's lifecycles, stored as their words.
pub use tutti_domain::admissions::{ApplicationStatus, EnrolmentStatus};

use crate::error::{Result, StoreError};
use crate::query::{Count, Id, one_of};
use crate::records::pupils::PupilScope;

/// The hub setting that holds the waiting-list priority.
pub const PRIORITY_SETTING: &str = "waiting_list_priority";

fn per_page(n: u64) -> u64 {
    if n == 0 { 50 } else { n.clamp(1, 200) }
}

pub(crate) async fn pupil_in_scope(conn: &impl ConnectionTrait, scope: &PupilScope, pupil_id: i64) -> Result<bool> {
    let (cond, mut params) = scope.condition();
    params.insert(0, pupil_id.into());
    let sql = format!("SELECT COUNT(*) AS n FROM pupils p WHERE p.id = ? AND p.archived_at IS NULL AND {cond}");
    let n = one_of::<Count>(conn, &sql, params).await?.map_or(0, |c| c.n);
    Ok(n > 0)
}

async fn count(conn: &impl ConnectionTrait, sql: &str, params: Vec<Value>) -> Result<u64> {
    Ok(one_of::<Count>(conn, sql, params)
        .await?
        .map_or(0, |c| c.n.max(0) as u64))
}

/// Inserts one row and returns its id (RETURNING: SQLite 3.35 and later, and PostgreSQL).
pub(crate) async fn insert_id(
    conn: &impl ConnectionTrait,
    table: &str,
    columns: &[&str],
    values: Vec<Value>,
) -> Result<i64> {
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({}) RETURNING id",
        columns.join(", "),
        vec!["?"; columns.len()].join(", ")
    );
    one_of::<Id>(conn, &sql, values)
        .await?
        .map(|r| r.id)
        .ok_or(StoreError::Db(DbErr::RecordNotInserted))
}
