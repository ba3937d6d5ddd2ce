//! Registers: marks for each pupil at each dated lesson, whole lessons the hub missed, notes,
//! and the lesson guarantee counted from them.
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use serde::Serialize;
use time::Date;
use tutti_domain::calendar::AcademicYear;
use tutti_domain::guarantee::{
    GuaranteeCount, GuaranteeOutlook, GuaranteePolicy, RegisterEntry, RegisterMark, count_guarantee, guarantee_outlook,
};

pub use tutti_domain::lessons::LessonOutcome;
use tutti_domain::lessons::{LessonStatus, check_note, check_pupil_mark};

use crate::error::{Result, StoreError, stored};
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, one_of, stmt};
use crate::{Store, now};

/// Who is marking: a teacher may mark only their own lessons; the office any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkScope {
    Teacher(i64),
    Office,
}

/// A pupil's lessons this year against the guarantee, for one enrolment (instrument).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct GuaranteeLine {
    pub pupil_id: i64,
    pub pupil_name: String,
    pub instrument: String,
    pub school_name: String,
    pub count: GuaranteeCount,
    /// Lessons still on the calendar, from today to the end of the year, not yet marked.
    pub remaining: u32,
    pub outlook: GuaranteeOutlook,
}

#[derive(FromQueryResult)]
struct LessonOwner {
    teacher_id: i64,
    status: String,
}

#[derive(FromQueryResult)]
struct Member {
    pupil_id: i64,
}

#[derive(FromQueryResult)]
struct TallyRow {
    pupil_id: i64,
    first_name: String,
    last_name: String,
    instrument: String,
    school_name: String,
    mark: Option<String>,
    make_up_of: Option<i64>,
    status: String,
    day: Date,
}

/// The lesson, if `scope` may mark it; someone else's lesson is not found.
async fn owned_lesson(conn: &impl ConnectionTrait, scope: MarkScope, lesson_id: i64) -> Result<LessonOwner> {
    let lesson = one_of::<LessonOwner>(
        conn,
        "SELECT g.teacher_id, d.status FROM dated_lessons d JOIN teaching_groups g ON g.id = d.group_id WHERE d.id = ?",
        [lesson_id.into()],
    )
    .await?
    .ok_or(StoreError::NotFound)?;
    match scope {
        MarkScope::Teacher(staff) if staff != lesson.teacher_id => Err(StoreError::NotFound),
        _ => Ok(lesson),
    }
}

/// The pupils on a lesson's register that day.
pub(crate) async fn members(conn: &impl ConnectionTrait, lesson_id: i64) -> Result<Vec<i64>> {
    Ok(all_of::<Member>(
        conn,
        "SELECT e.pupil_id FROM dated_lessons d JOIN group_members gm ON gm.group_id = d.group_id \
         JOIN enrolments e ON e.id = gm.enrolment_id WHERE d.id = ? \
         AND e.start_date <= d.day AND (e.end_date IS NULL OR e.end_date >= d.day)",
        [lesson_id.into()],
    )
    .await?
    .into_iter()
    .map(|m| m.pupil_id)
    .collect())
}

/// Writes or replaces one mark: the same statement on both backends.
pub(crate) async fn upsert_mark(
    conn: &impl ConnectionTrait,
    lesson_id: i64,
    pupil_id: i64,
    mark: RegisterMark,
) -> Result<()> {
    conn.execute_raw(stmt(
        conn.get_database_backend(),
        "INSERT INTO register_marks (dated_lesson_id, pupil_id, mark, marked_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (dated_lesson_id, pupil_id) DO UPDATE SET mark = excluded.mark, marked_at = excluded.marked_at",
        [lesson_id.into(), pupil_id.into(), mark.as_str().into(), now().into()],
    ))
    .await?;
    Ok(())
}

#[tutti_boxed::boxed]
impl Store {
    /// Marks one pupil present or absent (with a reason) at a lesson; the lesson is then given.
    /// The hub's own misses are marked for the whole lesson with [`Store::mark_lesson`].
    pub async fn mark_pupil(
        &self,
        actor: &Actor,
        scope: MarkScope,
        lesson_id: i64,
        pupil_id: i64,
        mark: RegisterMark,
    ) -> Result<()> {
        check_pupil_mark(mark)?;
        let txn = self.write().await?;
        let lesson = owned_lesson(&txn, scope, lesson_id).await?;
        if !members(&txn, lesson_id).await?.contains(&pupil_id) {
            return Err(StoreError::NotFound);
        }
        let was = stored(&lesson.status, LessonStatus::parse)?;
        let now_is = was.mark_pupil()?;
        upsert_mark(&txn, lesson_id, pupil_id, mark).await?;
        if now_is != was {
            txn.execute_raw(stmt(
                txn.get_database_backend(),
                "UPDATE dated_lessons SET status = ?, updated_at = ? WHERE id = ? AND status = ?",
                [
                    now_is.as_str().into(),
                    now().into(),
                    lesson_id.into(),
                    was.as_str().into(),
                ],
            ))
            .await?;
        }
        let summary = format!("pupil {pupil_id}: {mark}");
        audit::commit(txn, actor, Action::Update, "register", Some(lesson_id), summary).await?;
        Ok(())
    }

    /// Records what happened to a whole lesson. A hub miss marks every pupil with it and the
    /// lesson owed; marking it given again clears those marks.
    pub async fn mark_lesson(
        &self,
        actor: &Actor,
        scope: MarkScope,
        lesson_id: i64,
        outcome: LessonOutcome,
    ) -> Result<()> {
        let txn = self.write().await?;
        owned_lesson(&txn, scope, lesson_id).await?;
        let backend = txn.get_database_backend();
        txn.execute_raw(stmt(
            backend,
            "UPDATE dated_lessons SET status = ?, owed_by_hub = ?, updated_at = ? WHERE id = ?",
            [
                outcome.status().as_str().into(),
                outcome.mark().is_some().into(),
                now().into(),
                lesson_id.into(),
            ],
        ))
        .await?;
        match outcome.mark() {
            Some(mark) => {
                for pupil in members(&txn, lesson_id).await? {
                    upsert_mark(&txn, lesson_id, pupil, mark).await?;
                }
            }
            None => {
                txn.execute_raw(stmt(
                    backend,
                    "DELETE FROM register_marks WHERE dated_lesson_id = ? AND mark IN (?, ?)",
                    [
                        lesson_id.into(),
                        RegisterMark::TeacherAbsent.as_str().into(),
                        RegisterMark::SchoolClosed.as_str().into(),
                    ],
                ))
                .await?;
            }
        }
        audit::commit(
            txn,
            actor,
            Action::Update,
            "dated_lesson",
            Some(lesson_id),
            outcome.status().as_str(),
        )
        .await?;
        Ok(())
    }

    /// Sets the teacher's note on a lesson, for the office only or shared with the family.
    pub async fn set_lesson_note(
        &self,
        actor: &Actor,
        scope: MarkScope,
        lesson_id: i64,
        note: &str,
        shared: bool,
    ) -> Result<()> {
        let note = note.trim();
        check_note(note)?;
        let txn = self.write().await?;
        owned_lesson(&txn, scope, lesson_id).await?;
        txn.execute_raw(stmt(
            txn.get_database_backend(),
            "UPDATE dated_lessons SET note = ?, note_shared = ?, updated_at = ? WHERE id = ?",
            [note.into(), shared.into(), now().into(), lesson_id.into()],
        ))
        .await?;
        let what = if shared {
            "note, shared with the family"
        } else {
            "note, for the office only"
        };
        audit::commit(txn, actor, Action::Update, "dated_lesson", Some(lesson_id), what).await?;
        Ok(())
    }

    /// Every enrolment's lessons this academic year against the guarantee: one pupil's when
    /// `pupil_id` is given, else everyone's. `today` splits the past from what remains.
    pub async fn guarantee(
        &self,
        year: AcademicYear,
        today: Date,
        pupil_id: Option<i64>,
        policy: &GuaranteePolicy,
    ) -> Result<Vec<GuaranteeLine>> {
        let mut params: Vec<Value> = vec![year.first_day().into(), year.last_day().into()];
        let only = match pupil_id {
            Some(id) => {
                params.push(id.into());
                " AND e.pupil_id = ?"
            }
            None => "",
        };
        // One row per pupil per lesson: grouped here rather than in SQL so that the domain's
        // own counting rule is the only one.
        let sql = format!(
            "SELECT e.id AS enrolment_id, e.pupil_id, p.first_name, p.last_name, e.instrument, s.name AS school_name, \
             r.mark, d.make_up_of, d.status, d.day \
             FROM dated_lessons d JOIN group_members gm ON gm.group_id = d.group_id \
             JOIN enrolments e ON e.id = gm.enrolment_id JOIN pupils p ON p.id = e.pupil_id \
             JOIN schools s ON s.id = p.school_id \
             LEFT JOIN register_marks r ON r.dated_lesson_id = d.id AND r.pupil_id = e.pupil_id \
             WHERE d.day >= ? AND d.day <= ?{only} \
             AND e.start_date <= d.day AND (e.end_date IS NULL OR e.end_date >= d.day) \
             ORDER BY e.id"
        );
        #[derive(FromQueryResult)]
        struct Keyed {
            enrolment_id: i64,
        }
        let st = stmt(self.conn().get_database_backend(), &sql, params);
        let rows = self.conn().query_all_raw(st).await?;
        let mut out: Vec<GuaranteeLine> = Vec::new();
        let mut entries: Vec<RegisterEntry> = Vec::new();
        let mut remaining = 0u32;
        let mut current: Option<(i64, TallyRow)> = None;
        let finish = |current: Option<(i64, TallyRow)>,
                      entries: &mut Vec<RegisterEntry>,
                      remaining: &mut u32,
                      out: &mut Vec<GuaranteeLine>| {
            if let Some((_, r)) = current {
                let count = count_guarantee(entries);
                out.push(GuaranteeLine {
                    pupil_id: r.pupil_id,
                    pupil_name: format!("{} {}", r.first_name, r.last_name),
                    instrument: r.instrument,
                    school_name: r.school_name,
                    outlook: guarantee_outlook(&count, *remaining, policy),
                    count,
                    remaining: *remaining,
                });
            }
            entries.clear();
            *remaining = 0;
        };
        for row in rows {
            let key = Keyed::from_query_result(&row, "")?.enrolment_id;
            let r = TallyRow::from_query_result(&row, "")?;
            if current.as_ref().is_none_or(|(k, _)| *k != key) {
                finish(current.take(), &mut entries, &mut remaining, &mut out);
            }
            match r.mark.as_deref().and_then(|m| m.parse::<RegisterMark>().ok()) {
                Some(mark) => entries.push(RegisterEntry {
                    mark,
                    make_up: r.make_up_of.is_some(),
                }),
                None if r.status == LessonStatus::Scheduled.as_str() && r.day >= today => remaining += 1,
                None => {}
            }
            if current.is_none() {
                current = Some((key, r));
            }
        }
        finish(current, &mut entries, &mut remaining, &mut out);
        Ok(out)
    }

    /// The enrolments that will fall short of the guarantee's minimum even if every remaining
    /// lesson happens, worst first.
    pub async fn pupils_at_risk(
        &self,
        year: AcademicYear,
        today: Date,
        policy: &GuaranteePolicy,
    ) -> Result<Vec<GuaranteeLine>> {
        let mut lines: Vec<GuaranteeLine> = self
            .guarantee(year, today, None, policy)
            .await?
            .into_iter()
            .filter(|l| l.outlook.is_at_risk())
            .collect();
        lines.sort_by_key(|l| (l.count.counted + l.remaining, l.pupil_name.clone()));
        Ok(lines)
    }
}
