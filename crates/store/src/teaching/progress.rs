//! Progress: graded exam entries per pupil, entered by their teacher or the office, and the
//! termly report a teacher writes, a draft until published to the parents.
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;
use time::{Date, OffsetDateTime};
use tutti_domain::calendar::TermId;
use tutti_domain::progress::{ExamResult, Grade, ReportStatus, check_exam_entry, check_report};

use crate::admissions::{insert_id, pupil_in_scope};
use crate::error::{Result, StoreError};
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, one_of, stmt};
use crate::records::pupils::PupilScope;
use crate::{Store, now};

/// A graded exam entry.
#[derive(Debug, Clone, Serialize, FromQueryResult, PartialEq, Eq)]
pub struct ExamEntry {
    pub id: i64,
    pub pupil_id: i64,
    pub instrument: String,
    pub board: String,
    /// 0 is Initial.
    pub grade: i32,
    pub exam_date: Date,
    /// distinction, merit, pass or not-passed; none until the result is in.
    pub result: Option<String>,
}

/// A new exam entry.
#[derive(Debug, Clone)]
pub struct NewExamEntry {
    pub pupil_id: i64,
    pub instrument: String,
    pub board: String,
    pub grade: Grade,
    pub exam_date: Date,
    pub result: Option<ExamResult>,
}

/// A termly report.
#[derive(Debug, Clone, Serialize, FromQueryResult, PartialEq, Eq)]
pub struct PupilReport {
    pub id: i64,
    pub pupil_id: i64,
    pub teacher_id: i64,
    pub teacher_name: String,
    pub term: String,
    pub body: String,
    pub status: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub published_at: Option<OffsetDateTime>,
}

/// Exam entries and reports are written by the pupil's teacher or the office; a teacher's
/// scope holds only the pupils they teach.
fn may_write(scope: &PupilScope) -> bool {
    matches!(scope, PupilScope::All | PupilScope::Teacher(_))
}

async fn check_pupil(conn: &impl ConnectionTrait, scope: &PupilScope, pupil_id: i64) -> Result<()> {
    if pupil_in_scope(conn, scope, pupil_id).await? {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

#[tutti_boxed::boxed]
impl Store {
    /// A pupil's exam entries, newest first, for anyone whose scope holds the pupil.
    pub async fn exam_entries(&self, scope: &PupilScope, pupil_id: i64) -> Result<Vec<ExamEntry>> {
        check_pupil(self.conn(), scope, pupil_id).await?;
        let sql = "SELECT id, pupil_id, instrument, board, grade, exam_date, result FROM exam_entries \
                   WHERE pupil_id = ? ORDER BY exam_date DESC, id DESC";
        all_of::<ExamEntry>(self.conn(), sql, [pupil_id.into()]).await
    }

    /// Enters a pupil for a graded exam (or records one already taken, with its result).
    pub async fn add_exam_entry(&self, actor: &Actor, scope: &PupilScope, entry: &NewExamEntry) -> Result<i64> {
        if !may_write(scope) {
            return Err(StoreError::NotFound);
        }
        check_exam_entry(&entry.board, &entry.instrument)?;
        let board = entry.board.trim();
        let txn = self.write().await?;
        check_pupil(&txn, scope, entry.pupil_id).await?;
        let t = now();
        let id = insert_id(
            &txn,
            "exam_entries",
            &[
                "pupil_id",
                "instrument",
                "board",
                "grade",
                "exam_date",
                "result",
                "entered_by",
                "created_at",
                "updated_at",
            ],
            vec![
                entry.pupil_id.into(),
                entry.instrument.trim().into(),
                board.into(),
                i32::from(entry.grade.get()).into(),
                entry.exam_date.into(),
                entry.result.map(|r| r.as_str().to_owned()).into(),
                actor.user_id.into(),
                t.into(),
                t.into(),
            ],
        )
        .await?;
        let summary = format!(
            "pupil {}: {board} {} {} on {}",
            entry.pupil_id,
            entry.instrument.trim(),
            entry.grade,
            entry.exam_date
        );
        audit::commit(txn, actor, Action::Create, "exam_entry", Some(id), summary).await?;
        Ok(id)
    }

    /// Records the result of an exam entry.
    pub async fn set_exam_result(
        &self,
        actor: &Actor,
        scope: &PupilScope,
        entry_id: i64,
        result: Option<ExamResult>,
    ) -> Result<()> {
        if !may_write(scope) {
            return Err(StoreError::NotFound);
        }
        let txn = self.write().await?;
        let backend = txn.get_database_backend();
        #[derive(FromQueryResult)]
        struct Of {
            pupil_id: i64,
        }
        let pupil_id = one_of::<Of>(
            &txn,
            "SELECT pupil_id FROM exam_entries WHERE id = ?",
            [entry_id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?
        .pupil_id;
        check_pupil(&txn, scope, pupil_id).await?;
        txn.execute_raw(stmt(
            backend,
            "UPDATE exam_entries SET result = ?, updated_at = ? WHERE id = ?",
            [
                result.map(|r| r.as_str().to_owned()).into(),
                now().into(),
                entry_id.into(),
            ],
        ))
        .await?;
        let summary = format!("result: {}", result.map_or("not in yet".to_owned(), |r| r.to_string()));
        audit::commit(txn, actor, Action::Update, "exam_entry", Some(entry_id), summary).await?;
        Ok(())
    }

    /// A pupil's reports, newest term first. Parents (and the pupil) see only published ones.
    pub async fn pupil_reports(&self, scope: &PupilScope, pupil_id: i64) -> Result<Vec<PupilReport>> {
        check_pupil(self.conn(), scope, pupil_id).await?;
        let published_only = !may_write(scope);
        let sql = format!(
            "SELECT r.id, r.pupil_id, r.teacher_id, t.first_name || ' ' || t.last_name AS teacher_name, r.term, r.body, \
             r.status, r.published_at FROM pupil_reports r JOIN staff t ON t.id = r.teacher_id WHERE r.pupil_id = ?{} \
             ORDER BY r.term DESC, r.id DESC",
            if published_only {
                " AND r.status = 'published'"
            } else {
                ""
            }
        );
        all_of::<PupilReport>(self.conn(), &sql, [pupil_id.into()]).await
    }

    /// Saves a teacher's report on a pupil they teach for a term, as a draft or published.
    /// Saving again replaces the text; a published report stays published.
    pub async fn save_report(
        &self,
        actor: &Actor,
        teacher_id: i64,
        pupil_id: i64,
        term: TermId,
        body: &str,
        publish: bool,
    ) -> Result<i64> {
        let body = body.trim();
        check_report(body)?;
        let txn = self.write().await?;
        let backend = txn.get_database_backend();
        check_pupil(&txn, &PupilScope::Teacher(teacher_id), pupil_id).await?;
        #[derive(FromQueryResult)]
        struct Existing {
            id: i64,
            status: String,
        }
        let existing = one_of::<Existing>(
            &txn,
            "SELECT id, status FROM pupil_reports WHERE pupil_id = ? AND term = ? AND teacher_id = ?",
            [pupil_id.into(), term.to_string().into(), teacher_id.into()],
        )
        .await?;
        let t = now();
        let was_published = existing
            .as_ref()
            .is_some_and(|e| e.status == ReportStatus::Published.as_str());
        let status = if publish || was_published {
            ReportStatus::Published
        } else {
            ReportStatus::Draft
        };
        let published_at = (status == ReportStatus::Published && !was_published).then_some(t);
        let id = match existing {
            Some(e) => {
                txn.execute_raw(stmt(
                    backend,
                    "UPDATE pupil_reports SET body = ?, status = ?, published_at = COALESCE(published_at, ?), \
                     updated_at = ? WHERE id = ?",
                    [
                        body.into(),
                        status.as_str().into(),
                        published_at.into(),
                        t.into(),
                        e.id.into(),
                    ],
                ))
                .await?;
                e.id
            }
            None => {
                insert_id(
                    &txn,
                    "pupil_reports",
                    &[
                        "pupil_id",
                        "teacher_id",
                        "term",
                        "body",
                        "status",
                        "published_at",
                        "updated_at",
                    ],
                    vec![
                        pupil_id.into(),
                        teacher_id.into(),
                        term.to_string().into(),
                        body.into(),
                        status.as_str().into(),
                        published_at.into(),
                        t.into(),
                    ],
                )
                .await?
            }
        };
        let summary = format!("pupil {pupil_id}, {term}: {status}");
        audit::commit(txn, actor, Action::Update, "pupil_report", Some(id), summary).await?;
        Ok(id)
    }
}
