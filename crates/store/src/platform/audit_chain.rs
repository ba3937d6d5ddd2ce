//! The audit log's hash chain: each event carries the hash of the one before it and a hash
//! over its own canonical fields, so an event changed or removed in the database is found by
//! `tutti audit verify` (decision 0088).
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::entities::audit_event;
use crate::error::Result;
use crate::{Store, query::stmt};

/// The setting that records where the audit chain starts once its oldest events are gone
/// (retention removes them): "id prev_hash".
pub(crate) const AUDIT_ANCHOR: &str = "audit_chain_anchor";

/// The `prev_hash` of the first event of a log.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The advisory lock audit writers take on PostgreSQL ("tutti-au"), so that two
/// transactions never chain onto the same event.
const CHAIN_LOCK: i64 = 0x7475_7474_692d_6175;

/// The fields a hash covers, in a fixed order. The id is left out so that a batch can be
/// sealed before the database numbers it; order is kept by `prev_hash`.
pub(crate) struct Canonical<'a> {
    pub at: OffsetDateTime,
    pub user_id: Option<i64>,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub summary: &'a str,
    pub ip: &'a str,
}

/// The hash of an event chained onto `prev`: SHA-256 over a JSON array of the fields (JSON,
/// so that no field's text can pass for another's boundary).
pub(crate) fn seal(prev: &str, e: &Canonical<'_>) -> String {
    // Microseconds: what both backends keep of a timestamp.
    let at = (e.at.unix_timestamp_nanos() / 1000) as i64;
    let fields = serde_json::json!([
        prev,
        at,
        e.user_id,
        e.actor,
        e.action,
        e.entity,
        e.entity_id,
        e.summary,
        e.ip
    ]);
    Sha256::digest(fields.to_string().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn canonical(m: &audit_event::Model) -> Canonical<'_> {
    Canonical {
        at: m.at,
        user_id: m.user_id,
        actor: &m.actor,
        action: &m.action,
        entity: &m.entity,
        entity_id: m.entity_id,
        summary: &m.summary,
        ip: &m.ip,
    }
}

/// Takes the chain's lock (PostgreSQL; a SQLite write transaction already excludes other
/// writers) and returns the hash of the last event, to chain the next one onto.
pub(crate) async fn head(conn: &impl ConnectionTrait) -> Result<String> {
    if conn.get_database_backend() == DbBackend::Postgres {
        conn.execute_raw(stmt(
            DbBackend::Postgres,
            &format!("SELECT pg_advisory_xact_lock({CHAIN_LOCK})"),
            [],
        ))
        .await?;
    }
    let last = audit_event::Entity::find()
        .select_only()
        .column(audit_event::Column::Hash)
        .order_by_desc(audit_event::Column::Id)
        .limit(1)
        .into_tuple::<Option<String>>()
        .one(conn)
        .await?;
    Ok(last.flatten().unwrap_or_else(|| GENESIS.to_owned()))
}

/// Seals the events not yet sealed, in id order (events written before migration 0027, or
/// by a tool that bypassed the writer). Returns how many it sealed.
pub(crate) async fn seal_unsealed(conn: &impl ConnectionTrait) -> Result<u64> {
    let mut prev = GENESIS.to_owned();
    let mut after = 0i64;
    let mut sealed = 0;
    loop {
        let batch = audit_event::Entity::find()
            .filter(audit_event::Column::Id.gt(after))
            .order_by_asc(audit_event::Column::Id)
            .limit(2000)
            .all(conn)
            .await?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        for m in &batch {
            match &m.hash {
                Some(h) => prev = h.clone(),
                None => {
                    let h = seal(&prev, &canonical(m));
                    conn.execute_raw(stmt(
                        conn.get_database_backend(),
                        "UPDATE audit_events SET prev_hash = ?, hash = ? WHERE id = ?",
                        [prev.clone().into(), h.clone().into(), m.id.into()],
                    ))
                    .await?;
                    prev = h;
                    sealed += 1;
                }
            }
        }
    }
    Ok(sealed)
}

/// What is wrong with one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fault {
    /// Its fields no longer give its hash: it was changed.
    Changed,
    /// It does not chain onto the event before it: one was removed (or inserted) there.
    Broken,
    /// It has no hash: written around the audit writer.
    Unsealed,
}

impl Fault {
    pub fn words(self) -> &'static str {
        match self {
            Fault::Changed => "changed after it was written",
            Fault::Broken => "an event before it is missing or was inserted",
            Fault::Unsealed => "written without a hash",
        }
    }
}

/// One event found at fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub id: i64,
    pub fault: Fault,
}

/// What `verify_audit` found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub checked: u64,
    pub findings: Vec<Finding>,
}

impl Verification {
    pub fn intact(&self) -> bool {
        self.findings.is_empty()
    }
}

#[tutti_boxed::boxed]
impl Store {
    /// Walks the whole audit log in order and checks every event's hash and link.
    pub async fn verify_audit(&self) -> Result<Verification> {
        let conn = self.conn();
        let mut out = Verification::default();
        let mut prev = GENESIS.to_owned();
        // Once retention has removed the oldest events, the chain starts where it recorded.
        let anchor: Option<(i64, String)> = crate::platform::settings::get(conn, AUDIT_ANCHOR).await?.and_then(|a| {
            let (id, hash) = a.split_once(' ')?;
            Some((id.parse().ok()?, hash.to_owned()))
        });
        let mut first = true;
        let mut after = 0i64;
        loop {
            let batch = audit_event::Entity::find()
                .filter(audit_event::Column::Id.gt(after))
                .order_by_asc(audit_event::Column::Id)
                .limit(5000)
                .all(conn)
                .await?;
            let Some(last) = batch.last() else { break };
            after = last.id;
            for m in &batch {
                if first {
                    first = false;
                    if let Some((id, hash)) = &anchor
                        && *id == m.id
                    {
                        prev = hash.clone();
                    }
                }
                out.checked += 1;
                let Some(hash) = &m.hash else {
                    out.findings.push(Finding {
                        id: m.id,
                        fault: Fault::Unsealed,
                    });
                    continue;
                };
                let own = m.prev_hash.as_deref().unwrap_or("");
                if seal(own, &canonical(m)) != *hash {
                    out.findings.push(Finding {
                        id: m.id,
                        fault: Fault::Changed,
                    });
                } else if own != prev {
                    out.findings.push(Finding {
                        id: m.id,
                        fault: Fault::Broken,
                    });
                }
                prev = hash.clone();
            }
        }
        Ok(out)
    }
}
