//! Charging policies by academic year: the stored revision, or the default figures named for
//! the hub, saved only when it passes the domain's checks, and read from a policy file.

use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use serde::Serialize;
use time::OffsetDateTime;
use tutti_domain::billing::{POLICY_FORMAT_VERSION, check_policy, export_policy, import_policy};
use tutti_domain::calendar::AcademicYear;
use tutti_domain::charging::ChargingPolicy;

use crate::error::{Result, StoreError};
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, one_of, stmt};
use crate::{Store, now};

/// A year's policy as stored (or the default figures, named for the hub, when none is stored yet).
#[derive(Debug, Clone, Serialize)]
pub struct PolicyRecord {
    pub academic_year: String,
    pub policy: ChargingPolicy,
    /// 0 while the year has no stored policy (the default applies).
    pub revision: i32,
    #[serde(with = "time::serde::rfc3339::option")]
    pub updated_at: Option<OffsetDateTime>,
}

#[derive(FromQueryResult)]
struct PolicyRow {
    academic_year: String,
    revision: i32,
    document: String,
    updated_at: OffsetDateTime,
}

#[tutti_boxed::boxed]
impl Store {
    /// The policy of `year`: the stored one, else the default figures named for the hub
    /// (revision 0).
    pub async fn charging_policy(&self, year: AcademicYear) -> Result<PolicyRecord> {
        policy_in(self.conn(), year).await
    }

    /// Every year with a stored policy, newest first.
    pub async fn charging_policy_years(&self) -> Result<Vec<PolicyRecord>> {
        let _backend = self.conn().get_database_backend();
        let rows = all_of::<PolicyRow>(
            self.conn(),
            "SELECT academic_year, revision, document, updated_at FROM charging_policies ORDER BY academic_year DESC",
            [],
        )
        .await?;
        rows.into_iter().map(record_from_row).collect()
    }

    /// Saves `year`'s policy (a new revision), refusing one that fails a check.
    pub async fn save_charging_policy(
        &self,
        actor: &Actor,
        year: AcademicYear,
        policy: &ChargingPolicy,
    ) -> Result<i32> {
        check_policy(policy)?;
        let txn = self.write().await?;
        let backend = txn.get_database_backend();
        let key = year.to_string();
        let document = export_policy(year, policy);
        let current = policy_in(&txn, year).await?.revision;
        let revision = current + 1;
        let values: Vec<Value> = vec![
            POLICY_FORMAT_VERSION.into(),
            revision.into(),
            document.into(),
            actor.user_id.into(),
            now().into(),
            key.clone().into(),
        ];
        let sql = if current == 0 {
            "INSERT INTO charging_policies (format_version, revision, document, updated_by, updated_at, academic_year) \
             VALUES (?, ?, ?, ?, ?, ?)"
        } else {
            "UPDATE charging_policies SET format_version = ?, revision = ?, document = ?, updated_by = ?, updated_at = ? \
             WHERE academic_year = ?"
        };
        txn.execute_raw(stmt(backend, sql, values)).await?;
        let summary = format!("charging policy {key} saved as revision {revision} ({})", policy.name);
        audit::commit(
            txn,
            actor,
            if current == 0 { Action::Create } else { Action::Update },
            "charging_policy",
            None,
            summary,
        )
        .await?;
        Ok(revision)
    }
}

/// Reads and checks a policy file for `year` (see `tutti_domain::billing::import_policy`).
pub fn read_policy_file(
    text: &str,
    year: AcademicYear,
) -> Result<ChargingPolicy, Vec<tutti_domain::billing::FieldError>> {
    import_policy(text, year)
}

fn record_from_row(row: PolicyRow) -> Result<PolicyRecord> {
    let year = AcademicYear::parse(&row.academic_year)
        .map_err(|_| StoreError::Corrupt(format!("charging_policies.academic_year {:?}", row.academic_year)))?;
    let policy = import_policy(&row.document, year).map_err(|errors| {
        StoreError::Corrupt(format!(
            "charging_policies.document for {year}: {}",
            errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ")
        ))
    })?;
    Ok(PolicyRecord {
        academic_year: row.academic_year,
        policy,
        revision: row.revision,
        updated_at: Some(row.updated_at),
    })
}

/// The hub's name for a policy that has none yet: as saved, or none before setup.
async fn hub_name(conn: &impl ConnectionTrait) -> Result<String> {
    Ok(crate::platform::identity::read(conn)
        .await?
        .map(|r| r.identity.name)
        .unwrap_or_default())
}

pub(crate) async fn policy_in(conn: &impl ConnectionTrait, year: AcademicYear) -> Result<PolicyRecord> {
    let _backend = conn.get_database_backend();
    let row = one_of::<PolicyRow>(
        conn,
        "SELECT academic_year, revision, document, updated_at FROM charging_policies WHERE academic_year = ?",
        [year.to_string().into()],
    )
    .await?;
    match row {
        Some(row) => record_from_row(row),
        None => Ok(PolicyRecord {
            academic_year: year.to_string(),
            policy: ChargingPolicy::starting(&hub_name(conn).await?, year),
            revision: 0,
            updated_at: None,
        }),
    }
}
