//! Names for the audit log's records that no picker finds: an application, an enrolment, an
//! instrument loan, a teaching group, an invoice, an account. Each is named by what the office
//! knows it by (the pupil and instrument, the invoice's number, the account's email), with the
//! pupil or invoice whose page shows it. Schools, pupils, guardians, staff and instruments are
//! named by `records::lookup`.
use std::collections::HashMap;

use sea_orm::FromQueryResult;

use crate::Store;
use crate::error::Result;
use crate::query::{all_of, marks};

/// A record the audit log names: who it concerns, what it is, and the page that shows it.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct AuditName {
    pub id: i64,
    /// The person it concerns: a pupil, a teacher, a payer, an account's email.
    pub who: String,
    /// What it is: an instrument, an instrument and its serial, an invoice's number.
    pub what: String,
    /// The pupil whose record shows it.
    pub pupil_id: Option<i64>,
}

/// The audit log's words for the records named here, and the query naming each.
const NAMED: [(&str, &str); 6] = [
    (
        "application",
        "SELECT a.id, p.first_name || ' ' || p.last_name AS who, a.instrument AS what, p.id AS pupil_id \
         FROM applications a JOIN pupils p ON p.id = a.pupil_id WHERE a.id IN",
    ),
    (
        "enrolment",
        "SELECT e.id, p.first_name || ' ' || p.last_name AS who, e.instrument AS what, p.id AS pupil_id \
         FROM enrolments e JOIN pupils p ON p.id = e.pupil_id WHERE e.id IN",
    ),
    (
        "instrument_loan",
        "SELECT l.id, p.first_name || ' ' || p.last_name AS who, i.instrument_type || ' ' || i.serial AS what, \
         p.id AS pupil_id FROM instrument_loans l JOIN pupils p ON p.id = l.pupil_id \
         JOIN instruments i ON i.id = l.instrument_id WHERE l.id IN",
    ),
    (
        "teaching_group",
        "SELECT g.id, s.first_name || ' ' || s.last_name AS who, g.instrument AS what, \
         CAST(NULL AS BIGINT) AS pupil_id FROM teaching_groups g JOIN staff s ON s.id = g.teacher_id WHERE g.id IN",
    ),
    (
        "invoice",
        "SELECT id, payer_name AS who, number AS what, CAST(NULL AS BIGINT) AS pupil_id FROM invoices WHERE id IN",
    ),
    (
        "user",
        "SELECT id, email AS who, '' AS what, CAST(NULL AS BIGINT) AS pupil_id FROM users WHERE id IN",
    ),
];

/// Whether the audit log's records of `entity` are named here.
pub fn is_named(entity: &str) -> bool {
    NAMED.iter().any(|(e, _)| *e == entity)
}

#[tutti_boxed::boxed]
impl Store {
    /// The names of the records in `wanted` (entity word and number) that are named here,
    /// keyed the same; a record since deleted has none. One query per kind.
    pub async fn audit_names(&self, wanted: &[(String, i64)]) -> Result<HashMap<(String, i64), AuditName>> {
        let mut names = HashMap::new();
        for (entity, sql) in NAMED {
            let mut ids: Vec<i64> = wanted.iter().filter(|(e, _)| e == entity).map(|(_, id)| *id).collect();
            ids.sort_unstable();
            ids.dedup();
            if ids.is_empty() {
                continue;
            }
            let conn = self.conn();
            let rows = all_of::<AuditName>(
                conn,
                &format!("{sql} ({})", marks(ids.len())),
                ids.iter().map(|id| (*id).into()).collect::<Vec<_>>(),
            )
            .await?;
            for row in rows {
                names.insert((entity.to_owned(), row.id), row);
            }
        }
        Ok(names)
    }
}
