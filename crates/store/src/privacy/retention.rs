//! The retention schedule: per kind of record, the hub's period (or the default from
//! guidance) and what has passed it on the store's today; `retention` reports and, unless a
//! dry run, removes it in one transaction (decision 0088). Former pupils are erased as an
//! erasure request would; the audit log's oldest events go with the chain's new start
//! recorded, so `tutti audit verify` still checks every event kept.
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;
use time::{Date, OffsetDateTime};
use tutti_domain::clock::noon_in_london;
use tutti_domain::privacy::{RetentionKind, retention_cutoff};

use super::subject::{Subject, SubjectKind};
use crate::Store;
use crate::error::Result;
use crate::platform::audit::{self, Action, Actor};
use crate::platform::audit_chain::AUDIT_ANCHOR;
use crate::platform::settings;
use crate::query::{Count, Id, all_of, exec, one_of};

/// One kind of record in the schedule, and what is due.
#[derive(Debug, Clone, Serialize)]
pub struct RetentionLine {
    pub kind: &'static str,
    pub label: &'static str,
    pub months: u32,
    pub default_months: u32,
    /// Records before this day have passed their period.
    pub cutoff: Date,
    pub due: u64,
}

/// What a retention run found, and whether it removed it.
#[derive(Debug, Clone, Serialize)]
pub struct RetentionReport {
    pub lines: Vec<RetentionLine>,
    pub dry_run: bool,
}

impl RetentionReport {
    pub fn total(&self) -> u64 {
        self.lines.iter().map(|l| l.due).sum()
    }
}

#[derive(FromQueryResult)]
struct Period {
    kind: String,
    months: i32,
}

/// The rows of a kind that have passed `cutoff` (the WHERE of its count), with the cutoff
/// as a day and as an instant for timestamp columns.
fn due_sql(kind: RetentionKind) -> &'static str {
    match kind {
        // Former pupils: archived before the cutoff, no lessons after it, not yet erased.
        RetentionKind::EndedEnrolments => {
            "FROM pupils p WHERE p.archived_at IS NOT NULL AND p.archived_at < ?2 AND p.first_name NOT LIKE 'Erased%' \
             AND NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.pupil_id = p.id AND (e.end_date IS NULL OR e.end_date >= ?1))"
        }
        RetentionKind::Registers => {
            "FROM register_marks r WHERE r.dated_lesson_id IN (SELECT d.id FROM dated_lessons d WHERE d.day < ?1)"
        }
        RetentionKind::Invoices => "FROM invoices i WHERE i.issued_on < ?1",
        RetentionKind::OutboxMessages => "FROM outbox o WHERE o.created_at < ?2 AND o.sent_at IS NOT NULL",
        RetentionKind::LoginFailures => "FROM login_failures f WHERE f.at < ?2",
        RetentionKind::AuditEvents => "FROM audit_events a WHERE a.at < ?2",
        RetentionKind::DbsCertificates => "FROM staff s WHERE s.dbs_number IS NOT NULL AND s.dbs_issued < ?1",
        RetentionKind::UnplacedApplicants => {
            "FROM applications a WHERE a.status IN ('declined', 'lapsed') \
             AND COALESCE(a.answered_at, a.offered_at, a.applied_at) < ?2"
        }
        // No photographs are uploaded to pupils' records yet: nothing is ever due.
        RetentionKind::UploadedPhotos => "FROM hub_settings h WHERE 1 = 0 AND ?1 = ?1 AND ?2 = ?2",
    }
}

/// `?1` is the cutoff day, `?2` the cutoff instant: written out as plain `?` with values.
fn bind(sql: &str, day: Date, at: OffsetDateTime) -> (String, Vec<sea_orm::Value>) {
    let mut out = String::new();
    let mut values = Vec::new();
    let mut rest = sql;
    while let Some(i) = rest.find('?') {
        out.push_str(&rest[..i]);
        out.push('?');
        match &rest[i + 1..i + 2] {
            "1" => values.push(day.into()),
            _ => values.push(at.into()),
        }
        rest = &rest[i + 2..];
    }
    out.push_str(rest);
    (out, values)
}

/// Removes what is due of one kind, on `txn`.
async fn remove(txn: &impl ConnectionTrait, kind: RetentionKind, day: Date, at: OffsetDateTime) -> Result<()> {
    let run = |sql: &'static str| {
        let (sql, values) = bind(sql, day, at);
        async move { exec(txn, &sql, values).await.map(drop) }
    };
    match kind {
        RetentionKind::EndedEnrolments => {}
        RetentionKind::Registers => run(
            "DELETE FROM register_marks WHERE dated_lesson_id IN (SELECT d.id FROM dated_lessons d WHERE d.day < ?1)",
        )
        .await?,
        RetentionKind::Invoices => {
            // A money record goes with everything that hangs from it, leaves first.
            let old = "(SELECT i.id FROM invoices i WHERE i.issued_on < ?1)";
            for sql in [
                "DELETE FROM instalment_reminders WHERE instalment_id IN (SELECT s.id FROM instalments s WHERE s.invoice_id IN OLD)",
                "DELETE FROM instalments WHERE invoice_id IN OLD",
                "DELETE FROM invoice_lines WHERE invoice_id IN OLD",
                "DELETE FROM agreement_invoice_lines WHERE invoice_id IN OLD",
                "DELETE FROM lesson_credits WHERE payment_id IN (SELECT p.id FROM payments p WHERE p.invoice_id IN OLD)",
                "DELETE FROM payments WHERE invoice_id IN OLD",
                "DELETE FROM basket_items WHERE invoice_id IN OLD",
                "DELETE FROM invoices WHERE id IN OLD",
            ] {
                let (sql, values) = bind(&sql.replace("OLD", old), day, at);
                exec(txn, &sql, values).await?;
            }
        }
        RetentionKind::OutboxMessages => {
            run("DELETE FROM outbox WHERE created_at < ?2 AND sent_at IS NOT NULL").await?
        }
        RetentionKind::LoginFailures => run("DELETE FROM login_failures WHERE at < ?2").await?,
        RetentionKind::AuditEvents => {
            run("DELETE FROM audit_events WHERE at < ?2").await?;
            // The chain now starts at the oldest event kept.
            #[derive(FromQueryResult)]
            struct First {
                id: i64,
                prev_hash: Option<String>,
            }
            let first = one_of::<First>(txn, "SELECT id, prev_hash FROM audit_events ORDER BY id LIMIT 1", []).await?;
            if let Some(f) = first {
                settings::put(
                    txn,
                    AUDIT_ANCHOR,
                    &format!("{} {}", f.id, f.prev_hash.unwrap_or_default()),
                )
                .await?;
            }
        }
        RetentionKind::DbsCertificates => {
            run("UPDATE staff SET dbs_number = NULL WHERE dbs_number IS NOT NULL AND dbs_issued < ?1").await?
        }
        RetentionKind::UnplacedApplicants => {
            run("DELETE FROM applications WHERE status IN ('declined', 'lapsed') \
                 AND COALESCE(answered_at, offered_at, applied_at) < ?2")
            .await?
        }
        RetentionKind::UploadedPhotos => {}
    }
    Ok(())
}

#[tutti_boxed::boxed]
impl Store {
    /// The schedule: each kind's period (the hub's, else the default) and what is due today.
    pub async fn retention_schedule(&self) -> Result<Vec<RetentionLine>> {
        let conn = self.conn();
        let _backend = conn.get_database_backend();
        let saved = all_of::<Period>(conn, "SELECT kind, months FROM retention_periods", []).await?;
        let today = self.today();
        let mut lines = Vec::new();
        for kind in RetentionKind::ALL {
            let months = saved
                .iter()
                .find(|p| p.kind == kind.as_str())
                .map(|p| p.months.max(0) as u32)
                .unwrap_or(kind.default_months());
            let cutoff = retention_cutoff(today, months);
            let (sql, values) = bind(due_sql(kind), cutoff, noon_in_london(cutoff));
            let n = one_of::<Count>(conn, &format!("SELECT COUNT(*) AS n {sql}"), values)
                .await?
                .map_or(0, |c| c.n.max(0) as u64);
            lines.push(RetentionLine {
                kind: kind.as_str(),
                label: kind.label(),
                months,
                default_months: kind.default_months(),
                cutoff,
                due: n,
            });
        }
        Ok(lines)
    }

    /// Sets the hub's own period for a kind of record.
    pub async fn set_retention_period(&self, actor: &Actor, kind: RetentionKind, months: u32) -> Result<()> {
        let txn = self.write().await?;
        exec(
            &txn,
            "DELETE FROM retention_periods WHERE kind = ?",
            vec![kind.as_str().into()],
        )
        .await?;
        exec(
            &txn,
            "INSERT INTO retention_periods (kind, months, updated_at) VALUES (?, ?, ?)",
            vec![kind.as_str().into(), (months as i32).into(), self.now().into()],
        )
        .await?;
        let summary = format!("{}: {months} months", kind.as_str());
        audit::commit(txn, actor, Action::Update, "retention_period", None, summary).await?;
        Ok(())
    }

    /// Reports what has passed its period and, unless `dry_run`, removes it: one
    /// transaction for the schedule's deletions, then each former pupil erased.
    pub async fn retention(&self, actor: &Actor, dry_run: bool) -> Result<RetentionReport> {
        let lines = self.retention_schedule().await?;
        if dry_run {
            return Ok(RetentionReport { lines, dry_run });
        }
        let mut former = Vec::new();
        let txn = self.write().await?;
        for l in lines.iter().filter(|l| l.due > 0) {
            let Some(kind) = RetentionKind::parse(l.kind) else {
                continue;
            };
            let at = noon_in_london(l.cutoff);
            if kind == RetentionKind::EndedEnrolments {
                let (sql, values) = bind(due_sql(kind), l.cutoff, at);
                former = all_of::<Id>(&txn, &format!("SELECT p.id AS id {sql}"), values).await?;
                continue;
            }
            remove(&txn, kind, l.cutoff, at).await?;
        }
        let total: u64 = lines.iter().map(|l| l.due).sum();
        let summary = format!("retention: {total} records past their period removed");
        audit::commit(txn, actor, Action::Delete, "retention", None, summary).await?;
        for p in former {
            self.erase(actor, Subject::new(SubjectKind::Pupil, p.id)).await?;
        }
        Ok(RetentionReport { lines, dry_run })
    }
}
