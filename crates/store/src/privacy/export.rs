//! Subject access: everything the hub holds about one person, found by the schema
//! (`find`), with who viewed or changed their records and when (the audit log), ready to be
//! written as JSON and as a readable document. Secrets (password hashes, tokens) are named
//! but never given.
use std::collections::{BTreeMap, BTreeSet, HashMap};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::find::{self, Found};
use super::schema;
use super::subject::Subject;
use crate::Store;
use crate::entities::{audit_event, user};
use crate::error::Result;
use crate::platform::audit::{Action, Actor};

/// What a withheld secret reads as in an export.
pub const WITHHELD: &str = "(withheld: a security secret)";

/// One table's rows about the person.
#[derive(Debug, Clone, Serialize)]
pub struct ExportTable {
    pub table: String,
    /// How they were found: their record, a column referring to them, their name in text.
    pub how: String,
    pub columns: Vec<String>,
    pub rows: Vec<Map<String, Value>>,
}

/// One event of the audit log about the person's records, or done by their logins.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryLine {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub who: String,
    pub action: String,
    pub record: String,
    pub summary: String,
}

/// Everything about one person.
#[derive(Debug, Clone, Serialize)]
pub struct SubjectExport {
    pub subject: Subject,
    /// How the document names them: their name as the hub holds it.
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub generated_at: OffsetDateTime,
    pub tables: Vec<ExportTable>,
    pub history: Vec<HistoryLine>,
}

impl SubjectExport {
    pub fn row_count(&self) -> usize {
        self.tables.iter().map(|t| t.rows.len()).sum()
    }
}

/// The audit log's word for a record in `table` ("pupils" → "pupil", "exam_entries" →
/// "exam_entry"), the way the writers name them.
fn entity_word(table: &str) -> String {
    if let Some(stem) = table.strip_suffix("ies") {
        format!("{stem}y")
    } else if let Some(stem) = table.strip_suffix('s') {
        stem.to_owned()
    } else {
        table.to_owned()
    }
}

#[tutti_boxed::boxed]
impl Store {
    /// Everything the hub holds about `subject`, and the history of their records.
    pub async fn subject_export(&self, subject: Subject) -> Result<SubjectExport> {
        let conn = self.conn();
        let schema = schema::read(conn).await?;
        let found = find::about(conn, &schema, subject).await?;
        let history = self.history(&found).await?;
        let mut tables = Vec::new();
        for (table, rows) in &found.rows {
            let columns: Vec<String> = schema.tables[table].columns.iter().map(|c| c.name.clone()).collect();
            let rows = rows
                .iter()
                .map(|r| {
                    let mut r = r.clone();
                    for (k, v) in r.iter_mut() {
                        if schema::secret(k) && !v.is_null() && !v.is_boolean() {
                            *v = Value::String(WITHHELD.to_owned());
                        }
                    }
                    r
                })
                .collect();
            tables.push(ExportTable {
                table: table.clone(),
                how: found.how.get(table).cloned().unwrap_or_default(),
                columns,
                rows,
            });
        }
        Ok(SubjectExport {
            subject,
            name: self.subject_label(subject).await?,
            generated_at: self.now(),
            tables,
            history,
        })
    }

    /// Records that an export was given, in the audit log (by id).
    pub async fn audit_export(&self, actor: &Actor, subject: Subject) -> Result<()> {
        self.audit(
            actor,
            Action::Export,
            subject.kind.as_str(),
            Some(subject.id),
            "subject access export",
        )
        .await
    }

    /// The audit events about any row found, or done by one of their logins, oldest first.
    async fn history(&self, found: &Found) -> Result<Vec<HistoryLine>> {
        let mut wanted: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
        for (table, rows) in &found.rows {
            for r in rows {
                if let Some(id) = r.get("id").and_then(Value::as_i64) {
                    wanted.entry(entity_word(table)).or_default().insert(id);
                }
            }
        }
        let mut events = Vec::new();
        for (entity, ids) in &wanted {
            let ids: Vec<i64> = ids.iter().copied().collect();
            for chunk in ids.chunks(500) {
                events.extend(
                    audit_event::Entity::find()
                        .filter(audit_event::Column::Entity.eq(entity.as_str()))
                        .filter(audit_event::Column::EntityId.is_in(chunk.to_vec()))
                        .all(self.conn())
                        .await?,
                );
            }
        }
        let logins = found.ids("users");
        if !logins.is_empty() {
            events.extend(
                audit_event::Entity::find()
                    .filter(audit_event::Column::UserId.is_in(logins))
                    .order_by_asc(audit_event::Column::Id)
                    .all(self.conn())
                    .await?,
            );
        }
        events.sort_by_key(|e| e.id);
        events.dedup_by_key(|e| e.id);
        let users: Vec<i64> = events.iter().filter_map(|e| e.user_id).collect();
        let names: HashMap<i64, String> = if users.is_empty() {
            HashMap::new()
        } else {
            user::Entity::find()
                .select_only()
                .column(user::Column::Id)
                .column(user::Column::Email)
                .filter(user::Column::Id.is_in(users))
                .into_tuple::<(i64, String)>()
                .all(self.conn())
                .await?
                .into_iter()
                .collect()
        };
        Ok(events
            .into_iter()
            .map(|e| HistoryLine {
                at: e.at,
                who: e.user_id.and_then(|id| names.get(&id).cloned()).unwrap_or(e.actor),
                action: e.action,
                record: match e.entity_id {
                    Some(id) => format!("{} {id}", e.entity),
                    None => e.entity,
                },
                summary: e.summary,
            })
            .collect())
    }
}

#[tutti_boxed::boxed]
impl Store {
    /// How the office's pages name a person: their name as their record holds it, or their
    /// kind and number once erased or when their record has no name. `NotFound` when there
    /// is no such record.
    pub async fn subject_label(&self, subject: Subject) -> Result<String> {
        let conn = self.conn();
        let schema = schema::read(conn).await?;
        let table = schema
            .tables
            .get(subject.kind.table())
            .ok_or(crate::error::StoreError::NotFound)?;
        let row = find::rows_where(conn, table, &format!("id = {}", subject.id), vec![])
            .await?
            .pop()
            .ok_or(crate::error::StoreError::NotFound)?;
        let text = |c: &str| row.get(c).and_then(Value::as_str).unwrap_or("").trim().to_owned();
        let name = match (text("first_name"), text("last_name"), text("name"), text("email")) {
            (f, l, _, _) if !f.is_empty() || !l.is_empty() => format!("{f} {l}").trim().to_owned(),
            (_, _, n, _) if !n.is_empty() => n,
            (_, _, _, e) if !e.is_empty() => e,
            _ => format!("{} {}", subject.kind.as_str(), subject.id),
        };
        Ok(name)
    }
}
