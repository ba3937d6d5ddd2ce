//! Erasure: every personal field about a person removed or anonymised everywhere the schema
//! says it is, financial records kept six years with the person pseudonymised, their logins
//! ended, and the audit log told that an erasure happened (never what was erased). Shown
//! first as a plan: what goes, what is kept, and why (decision 0088).
use std::collections::BTreeSet;

use sea_orm::{ConnectionTrait, DbBackend, Value};
use serde::Serialize;
use serde_json::Map;
use time::{Date, Month};
use tutti_domain::privacy::ErasureReason;

use super::find::{self, Found};
use super::requests::RequestKind;
use super::schema::{self, Column, ColumnKind, Personal, Schema, Table};
use super::subject::{Subject, SubjectKind};
use crate::Store;
use crate::error::Result;
use crate::platform::audit::{self, Action, Actor};
use crate::query::stmt;

/// What erasure does to one table's rows about the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Treatment {
    /// Removed: a way to sign in as them, a message to them, a link to them.
    Removed,
    /// Kept for the hub's statistics, every personal field emptied.
    Anonymised,
    /// Kept six years because the law requires it, the person named only by a pseudonym.
    KeptPseudonymised,
}

/// One line of the plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlanLine {
    pub table: String,
    pub rows: usize,
    pub treatment: Treatment,
    /// The personal fields emptied or replaced.
    pub fields: Vec<String>,
    pub why: &'static str,
}

/// What an erasure will do, or did.
#[derive(Debug, Clone, Serialize)]
pub struct ErasurePlan {
    pub subject: Subject,
    pub lines: Vec<PlanLine>,
    /// Rows elsewhere whose text named them, and was rewritten.
    pub mentions: usize,
    pub done: bool,
}

impl ErasurePlan {
    pub fn removed(&self) -> impl Iterator<Item = &PlanLine> {
        self.lines
            .iter()
            .filter(|l| l.treatment != Treatment::KeptPseudonymised)
    }
    pub fn kept(&self) -> impl Iterator<Item = &PlanLine> {
        self.lines
            .iter()
            .filter(|l| l.treatment == Treatment::KeptPseudonymised)
    }
}

/// The words put where a name was.
const ERASED: &str = "Erased";

fn treatment(table: &Table, found: &Found) -> (Treatment, ErasureReason) {
    let identity = found.identities.contains_key(&table.name);
    if schema::financial(&table.name) {
        (Treatment::KeptPseudonymised, ErasureReason::Financial)
    } else if identity {
        (Treatment::Anonymised, ErasureReason::OwnRecord)
    } else if table.name == "search_entries" {
        (Treatment::Anonymised, ErasureReason::SearchIndex)
    } else if table.columns.iter().any(|c| schema::secret(&c.name)) {
        (Treatment::Removed, ErasureReason::WayIn)
    } else if !table.has_id() && table.columns.iter().all(|c| c.refers_to.is_some()) {
        (Treatment::Removed, ErasureReason::Link)
    } else {
        (Treatment::Anonymised, ErasureReason::Statistics)
    }
}

fn personal_fields(table: &Table) -> Vec<&Column> {
    table
        .columns
        .iter()
        .filter(|c| schema::personal(&c.name).is_some() && matches!(c.kind, ColumnKind::Text | ColumnKind::Date))
        .collect()
}

/// The start of the school year a birthday falls in: keeps the year group, not the day.
fn school_year_start(born: Date) -> Date {
    let year = if born.month() as u8 >= 9 {
        born.year()
    } else {
        born.year() - 1
    };
    Date::from_calendar_date(year, Month::September, 1).unwrap_or(born)
}

/// The value a personal field takes in place of what it held.
fn replacement(table: &Table, c: &Column, row: &Map<String, serde_json::Value>, pseudonym: &str) -> Value {
    let id = row.get("id").and_then(|v| v.as_i64()).unwrap_or(0);
    match (schema::personal(&c.name), c.kind) {
        (Some(Personal::DateOfBirth), ColumnKind::Date) if !c.nullable => {
            let born = row
                .get(&c.name)
                .and_then(|v| v.as_str())
                .and_then(|s| Date::parse(s, &time::format_description::well_known::Iso8601::DATE).ok());
            Value::from(born.map(school_year_start).unwrap_or(Date::MIN))
        }
        (_, ColumnKind::Date) => Value::TimeDate(None),
        _ if c.nullable => Value::String(None),
        (Some(Personal::Email), _) => format!("erased-{}-{id}@erased.invalid", table.name).into(),
        // A first and last name read together as the pseudonym: "Erased" "pupil 12".
        (Some(Personal::Name), _) if c.name == "first_name" => ERASED.to_owned().into(),
        (Some(Personal::Name), _) if c.name == "last_name" => {
            pseudonym.trim_start_matches(ERASED).trim().to_owned().into()
        }
        (Some(Personal::Name), _) => pseudonym.to_owned().into(),
        _ => String::new().into(),
    }
}

/// Replaces every needle in `text`, whatever its case.
fn scrub(text: &str, needles: &[String]) -> Option<String> {
    let mut out = text.to_owned();
    let mut changed = false;
    for n in needles {
        // What erasure writes is never looked for (it would be found again at once).
        if n.starts_with("erased") {
            continue;
        }
        loop {
            let lower = out.to_lowercase();
            // Lower-casing keeps byte offsets for the ASCII and Latin text of names and
            // addresses; a text where it does not is emptied rather than half-scrubbed.
            if lower.len() != out.len() {
                if lower.contains(n.as_str()) {
                    return Some(String::new());
                }
                break;
            }
            match find::find_whole(&lower, n.as_str()) {
                Some(at) => {
                    out.replace_range(at..at + n.len(), ERASED);
                    changed = true;
                }
                None => break,
            }
        }
    }
    changed.then_some(out)
}

async fn update_row(
    conn: &impl ConnectionTrait,
    table: &Table,
    key: &Map<String, serde_json::Value>,
    set: Vec<(String, Value)>,
) -> Result<()> {
    if set.is_empty() {
        return Ok(());
    }
    let (where_sql, mut where_values) = row_key(table, key);
    let assignments: Vec<String> = set.iter().map(|(c, _)| format!("\"{c}\" = ?")).collect();
    let mut values: Vec<Value> = set.into_iter().map(|(_, v)| v).collect();
    values.append(&mut where_values);
    conn.execute_raw(stmt(
        conn.get_database_backend(),
        &format!(
            "UPDATE \"{}\" SET {} WHERE {where_sql}",
            table.name,
            assignments.join(", ")
        ),
        values,
    ))
    .await?;
    Ok(())
}

/// How to find one row again: its id, or every column that refers to something.
fn row_key(table: &Table, row: &Map<String, serde_json::Value>) -> (String, Vec<Value>) {
    if let Some(id) = row.get("id").and_then(|v| v.as_i64()) {
        return ("id = ?".into(), vec![id.into()]);
    }
    let mut conds = Vec::new();
    let mut values = Vec::new();
    for c in table.columns.iter().filter(|c| c.refers_to.is_some()) {
        if let Some(v) = row.get(&c.name).and_then(|v| v.as_i64()) {
            conds.push(format!("\"{}\" = ?", c.name));
            values.push(v.into());
        }
    }
    if conds.is_empty() {
        return ("1 = 0".into(), vec![]);
    }
    (conds.join(" AND "), values)
}

#[tutti_boxed::boxed]
impl Store {
    /// What erasing `subject` would do, changing nothing.
    pub async fn erasure_plan(&self, subject: Subject) -> Result<ErasurePlan> {
        let conn = self.conn();
        let schema = schema::read(conn).await?;
        let found = find::about(conn, &schema, subject).await?;
        Ok(plan(&schema, &found, subject))
    }

    /// Erases `subject` in one transaction and returns what was done.
    pub async fn erase(&self, actor: &Actor, subject: Subject) -> Result<ErasurePlan> {
        let txn = self.write().await?;
        let schema = schema::read(&txn).await?;
        let found = find::about(&txn, &schema, subject).await?;
        let mut plan = plan(&schema, &found, subject);
        let pseudonym = format!("Erased {} {}", subject.kind.as_str(), subject.id);
        // Removals first, then each record emptied, then any text elsewhere that named them.
        for line in &plan.lines {
            let table = &schema.tables[&line.table];
            let rows = &found.rows[&line.table];
            match line.treatment {
                Treatment::Removed => {
                    for r in rows {
                        let (where_sql, values) = row_key(table, r);
                        txn.execute_raw(stmt(
                            txn.get_database_backend(),
                            &format!("DELETE FROM \"{}\" WHERE {where_sql}", table.name),
                            values,
                        ))
                        .await?;
                    }
                }
                Treatment::Anonymised | Treatment::KeptPseudonymised => {
                    let identity_ids: BTreeSet<i64> = found.identities.get(&table.name).cloned().unwrap_or_default();
                    for r in rows {
                        let id = r.get("id").and_then(|v| v.as_i64());
                        let own = id.is_some_and(|id| identity_ids.contains(&id));
                        let mut set: Vec<(String, Value)> = Vec::new();
                        // A record that only refers to them keeps the names of others
                        // (a register's teacher); their own record and money records lose all.
                        // The search index is rebuilt from the records by triggers; only
                        // the sweep below touches what still names them there.
                        let index = table.name == "search_entries";
                        if !index && (own || line.treatment == Treatment::KeptPseudonymised || !is_about_others(table))
                        {
                            for c in personal_fields(table) {
                                if !r.get(&c.name).is_none_or(|v| v.is_null()) {
                                    set.push((c.name.clone(), replacement(table, c, r, &pseudonym)));
                                }
                            }
                        }
                        if own {
                            set.extend(end_login(table, r));
                        }
                        update_row(&txn, table, r, set).await?;
                    }
                }
            }
        }
        plan.mentions = sweep(&txn, &schema, &found.needles).await?;
        // Their logins' sessions are gone with the rows above; the cache must forget them too.
        audit::record(
            &txn,
            actor,
            Action::Update,
            subject.kind.as_str(),
            Some(subject.id),
            "personal data erased on request",
        )
        .await?;
        Store::answer_privacy_requests_in(&txn, RequestKind::Erasure, subject, self.now()).await?;
        txn.commit().await?;
        self.session_cache.clear();
        plan.done = true;
        Ok(plan)
    }
}

/// A table whose rows name other people beside the person (none do today by schema; a row
/// found by reference keeps what is not theirs only when the table has no personal fields).
fn is_about_others(_table: &Table) -> bool {
    false
}

/// What ends a login: disabled, no password, no authenticator, archived.
fn end_login(table: &Table, r: &Map<String, serde_json::Value>) -> Vec<(String, Value)> {
    let mut set = Vec::new();
    let _ = r;
    if SubjectKind::of_table(&table.name) == Some(SubjectKind::User) {
        for c in &table.columns {
            match c.name.as_str() {
                "disabled" => set.push((c.name.clone(), true.into())),
                _ if schema::secret(&c.name) => set.push((
                    c.name.clone(),
                    if c.nullable {
                        Value::String(None)
                    } else {
                        "!erased".to_owned().into()
                    },
                )),
                _ => {}
            }
        }
    }
    if table.column("archived_at").is_some() && r.get("archived_at").is_none_or(|v| v.is_null()) {
        set.push(("archived_at".into(), crate::now().into()));
    }
    set
}

fn plan(schema: &Schema, found: &Found, subject: Subject) -> ErasurePlan {
    let mut lines = Vec::new();
    for (table, rows) in &found.rows {
        let t = &schema.tables[table];
        let (treatment, reason) = treatment(t, found);
        let fields = match treatment {
            Treatment::Removed => Vec::new(),
            _ => personal_fields(t).iter().map(|c| c.name.clone()).collect(),
        };
        lines.push(PlanLine {
            table: table.clone(),
            rows: rows.len(),
            treatment,
            fields,
            why: reason.words(),
        });
    }
    ErasurePlan {
        subject,
        lines,
        mentions: 0,
        done: false,
    }
}

/// Rewrites every text, in every table but the audit log, that still names them. Returns
/// how many rows it changed.
async fn sweep(conn: &impl ConnectionTrait, schema: &Schema, needles: &[String]) -> Result<usize> {
    if needles.is_empty() {
        return Ok(0);
    }
    let mut changed = 0;
    for table in schema.tables.values() {
        if table.name == "audit_events" || !table.has_id() {
            continue;
        }
        let texts: Vec<&Column> = table
            .columns
            .iter()
            .filter(|c| c.kind == ColumnKind::Text && !schema::secret(&c.name))
            .collect();
        if texts.is_empty() {
            continue;
        }
        let mut conds = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        for n in needles {
            for c in &texts {
                conds.push(match conn.get_database_backend() {
                    DbBackend::Sqlite => format!("LOWER(\"{}\") LIKE ? ESCAPE '\\'", c.name),
                    _ => format!("LOWER(\"{}\") LIKE ?", c.name),
                });
                values.push(format!("%{}%", crate::records::search::escape_like(n)).into());
            }
        }
        let rows = find::rows_where(conn, table, &conds.join(" OR "), values).await?;
        for r in &rows {
            let mut set = Vec::new();
            for c in &texts {
                if let Some(text) = r.get(&c.name).and_then(|v| v.as_str())
                    && let Some(clean) = scrub(text, needles)
                {
                    set.push((c.name.clone(), Value::from(clean)));
                }
            }
            if !set.is_empty() {
                changed += 1;
                update_row(conn, table, r, set).await?;
            }
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_scrubbed_whatever_its_case() {
        let needles = vec!["amelia brown".to_owned()];
        assert_eq!(
            scrub("Lesson note for Amelia Brown and AMELIA BROWN", &needles).as_deref(),
            Some("Lesson note for Erased and Erased")
        );
        assert_eq!(scrub("Nothing here", &needles), None);
        // A longer name that starts with theirs is someone else's.
        assert_eq!(scrub("Amelia Browning", &needles), None);
    }

    #[test]
    fn a_birthday_keeps_only_its_school_year() {
        use time::macros::date;
        assert_eq!(school_year_start(date!(2017 - 05 - 20)), date!(2016 - 09 - 01));
        assert_eq!(school_year_start(date!(2017 - 10 - 02)), date!(2017 - 09 - 01));
    }
}
