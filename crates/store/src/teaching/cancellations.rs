//! Cancelling a day (a teacher absent, a school closed): its lessons become owed by the hub
//! and do not count against pupils' guarantee; make-ups for owed lessons, placed under the
//! same rules as any lesson (the solver's checker, on that date's real times).
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use time::Date;
use tutti_domain::allocation::{When, lesson_label, refuse_problems};
use tutti_domain::calendar::AcademicYear;
use tutti_domain::guarantee::RegisterMark;
use tutti_domain::lessons::{LessonRefusal, LessonStatus, check_make_up};
use tutti_domain::validate::format_day_long;

use crate::error::{Result, StoreError};
use crate::platform::audit::{self, Action, Actor};
use crate::query::stmt;
use crate::query::{all_of, marks, one_of};
use crate::teaching::allocation::{Facts, Slot, rule_problems};
use crate::teaching::lessons::{Calendars, DATED_LESSON_COLUMNS, TimetableLesson, insert_rows, lessons_where};
use crate::teaching::registers::{members, upsert_mark};
use crate::{Store, now};

/// Whose day is cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayOff {
    /// The teacher is absent: every lesson they teach that day.
    Teacher(i64),
    /// The school is closed: every lesson taught there that day.
    School(i64),
}

#[derive(FromQueryResult)]
struct IdRow {
    id: i64,
}

#[derive(FromQueryResult)]
struct DatedRow {
    id: i64,
    group_id: i64,
    teacher_id: i64,
    school_id: i64,
    start_minute: i32,
    end_minute: i32,
    instrument: String,
    lesson_type: String,
    owed_by_hub: bool,
    made_up: i64,
    online: bool,
}

#[derive(FromQueryResult)]
struct MemberRow {
    lesson_id: i64,
    pupil_id: i64,
}

/// The weekday number (1 Monday to 7 Sunday) of a date.
fn weekday_number(day: Date) -> u8 {
    day.weekday().number_from_monday()
}

/// The dated lessons matching `filter` (SQL over d and g) as rule slots, with the pupils
/// enrolled on their day. Missed and cancelled lessons hold no one's time.
async fn dated_slots(conn: &impl ConnectionTrait, filter: &str, params: Vec<Value>) -> Result<Vec<(DatedRow, Slot)>> {
    let _backend = conn.get_database_backend();
    let rows = all_of::<DatedRow>(conn, &format!(
            "SELECT d.id, d.group_id, g.teacher_id, g.school_id, d.start_minute, d.end_minute, g.instrument, \
             g.lesson_type, d.owed_by_hub, g.online, (SELECT COUNT(*) FROM dated_lessons m WHERE m.make_up_of = d.id) AS made_up \
             FROM dated_lessons d JOIN teaching_groups g ON g.id = d.group_id WHERE {filter}"
        ), params.clone()).await?;
    let mut pupils: std::collections::HashMap<i64, Vec<i64>> = std::collections::HashMap::new();
    for m in all_of::<MemberRow>(
        conn,
        &format!(
            "SELECT d.id AS lesson_id, e.pupil_id FROM dated_lessons d JOIN teaching_groups g ON g.id = d.group_id \
             JOIN group_members gm ON gm.group_id = d.group_id JOIN enrolments e ON e.id = gm.enrolment_id \
             WHERE ({filter}) AND e.start_date <= d.day AND (e.end_date IS NULL OR e.end_date >= d.day)"
        ),
        params,
    )
    .await?
    {
        pupils.entry(m.lesson_id).or_default().push(m.pupil_id);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let slot = Slot {
                key: format!("D{}", r.id),
                group_id: r.group_id,
                teacher_id: r.teacher_id,
                school_id: r.school_id,
                weekday: 0,
                start: r.start_minute as i64,
                minutes: (r.end_minute - r.start_minute) as i64,
                pupils: pupils.remove(&r.id).unwrap_or_default(),
                label: lesson_label(&r.instrument, &r.lesson_type),
                pinned: false,
                online: r.online,
            };
            (r, slot)
        })
        .collect())
}

#[tutti_boxed::boxed]
impl Store {
    /// Cancels a teacher's or a school's lessons on `day`: each lesson not yet given is
    /// marked teacher absent or school closed and owed by the hub, and every pupil on it is
    /// marked the same, so the guarantee does not count it. Returns how many were cancelled.
    pub async fn cancel_day(&self, actor: &Actor, whose: DayOff, day: Date, reason: &str) -> Result<usize> {
        let (filter, id, outcome, mark) = match whose {
            DayOff::Teacher(id) => (
                "g.teacher_id = ?",
                id,
                LessonStatus::TeacherAbsent,
                RegisterMark::TeacherAbsent,
            ),
            DayOff::School(id) => (
                "g.school_id = ?",
                id,
                LessonStatus::SchoolClosed,
                RegisterMark::SchoolClosed,
            ),
        };
        let scheduled = LessonStatus::Scheduled;
        let txn = self.write().await?;
        let backend = txn.get_database_backend();
        let lessons = all_of::<IdRow>(
            &txn,
            &format!(
                "SELECT d.id FROM dated_lessons d JOIN teaching_groups g ON g.id = d.group_id \
                 WHERE {filter} AND d.day = ? AND d.status = ?"
            ),
            [id.into(), day.into(), scheduled.as_str().into()],
        )
        .await?;
        if lessons.is_empty() {
            return Err(LessonRefusal::NothingToCancel { day }.into());
        }
        let list: Vec<Value> = lessons.iter().map(|l| l.id.into()).collect();
        txn.execute_raw(stmt(
            backend,
            &format!(
                "UPDATE dated_lessons SET status = ?, owed_by_hub = ?, updated_at = ? WHERE id IN ({})",
                marks(list.len())
            ),
            [outcome.as_str().into(), true.into(), now().into()]
                .into_iter()
                .chain(list),
        ))
        .await?;
        for lesson in &lessons {
            for pupil in members(&txn, lesson.id).await? {
                upsert_mark(&txn, lesson.id, pupil, mark).await?;
            }
        }
        let (entity, summary) = match whose {
            DayOff::Teacher(id) => (
                "staff",
                format!("teacher {id} absent on {}: {reason}", format_day_long(day)),
            ),
            DayOff::School(id) => (
                "school",
                format!("school {id} closed on {}: {reason}", format_day_long(day)),
            ),
        };
        let what = format!("{summary}; {} lessons owed", lessons.len());
        audit::commit(txn, actor, Action::Update, entity, Some(id), what).await?;
        Ok(lessons.len())
    }

    /// Lessons the hub owes (missed by the hub) with no make-up scheduled yet, oldest first.
    pub async fn owed_lessons(&self) -> Result<Vec<TimetableLesson>> {
        lessons_where(
            self.conn(),
            "d.owed_by_hub = ? AND NOT EXISTS (SELECT 1 FROM dated_lessons m WHERE m.make_up_of = d.id)",
            vec![true.into()],
            None,
        )
        .await
    }

    /// Schedules a make-up for an owed lesson: the same group, teacher and school on `day` at
    /// `start`, checked against that day's real lessons by the same rules as a placement.
    /// Returns the new dated lesson's id.
    pub async fn schedule_make_up(&self, actor: &Actor, owed_id: i64, day: Date, start: u16) -> Result<i64> {
        let txn = self.write().await?;
        let (owed, mut candidate) = dated_slots(&txn, "d.id = ?", vec![owed_id.into()])
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        check_make_up(owed.owed_by_hub, owed.made_up > 0)?;
        let calendars = Calendars::load(&txn).await?;
        let teaching = AcademicYear::containing(day).terms().into_iter().any(|term| {
            calendars
                .calendar(owed.school_id, term)
                .is_some_and(|c| c.is_teaching_day(day))
        });
        if !teaching {
            return Err(LessonRefusal::NotTeachingDay { day }.into());
        }
        // The pupils of the group on the make-up's day.
        let on_day = dated_slots_pupils(&txn, owed.group_id, day).await?;
        candidate.key = "NEW".into();
        candidate.start = start as i64;
        candidate.weekday = weekday_number(day);
        candidate.pupils = on_day;
        let pupil_marks = marks(candidate.pupils.len());
        let mut params: Vec<Value> = vec![day.into(), candidate.teacher_id.into(), candidate.school_id.into()];
        params.extend(candidate.pupils.iter().map(|&p| Value::from(p)));
        if candidate.pupils.is_empty() {
            params.push((-1i64).into());
        }
        let mut existing: Vec<Slot> = dated_slots(
            &txn,
            &format!(
                "d.day = ? AND d.status IN ('{}', '{}') AND (g.teacher_id = ? OR g.school_id = ? OR d.group_id IN \
                 (SELECT gm2.group_id FROM group_members gm2 JOIN enrolments e2 ON e2.id = gm2.enrolment_id \
                 WHERE e2.pupil_id IN ({pupil_marks})))",
                LessonStatus::Scheduled,
                LessonStatus::Given
            ),
            params,
        )
        .await?
        .into_iter()
        .map(|(_, s)| s)
        .collect();
        for s in &mut existing {
            s.weekday = candidate.weekday;
        }
        let mut schools: Vec<i64> = existing.iter().map(|s| s.school_id).collect();
        schools.push(candidate.school_id);
        let mut teachers: Vec<i64> = existing.iter().map(|s| s.teacher_id).collect();
        teachers.push(candidate.teacher_id);
        let facts = Facts::load(&txn, Some(&schools), Some(&teachers), &candidate.pupils).await?;
        refuse_problems(rule_problems(&facts, &existing, &candidate, When::On(day))?)?;
        let end = start as i32 + candidate.minutes as i32;
        insert_rows(
            &txn,
            "dated_lessons",
            &[&DATED_LESSON_COLUMNS[..], &["make_up_of", "note", "updated_at"]].concat(),
            vec![vec![
                owed.group_id.into(),
                day.into(),
                (start as i32).into(),
                end.into(),
                LessonStatus::Scheduled.as_str().into(),
                false.into(),
                owed_id.into(),
                "".into(),
                now().into(),
            ]],
        )
        .await?;
        let id = one_of::<IdRow>(
            &txn,
            "SELECT id FROM dated_lessons WHERE make_up_of = ?",
            [owed_id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?
        .id;
        let summary = format!("make-up of lesson {owed_id} on {}", format_day_long(day));
        audit::commit(txn, actor, Action::Create, "dated_lesson", Some(id), summary).await?;
        Ok(id)
    }
}

/// The pupils of a group enrolled on `day`.
async fn dated_slots_pupils(conn: &impl ConnectionTrait, group_id: i64, day: Date) -> Result<Vec<i64>> {
    #[derive(FromQueryResult)]
    struct P {
        pupil_id: i64,
    }
    Ok(all_of::<P>(
        conn,
        "SELECT e.pupil_id FROM group_members gm JOIN enrolments e ON e.id = gm.enrolment_id \
         WHERE gm.group_id = ? AND e.start_date <= ? AND (e.end_date IS NULL OR e.end_date >= ?)",
        [group_id.into(), day.into(), day.into()],
    )
    .await?
    .into_iter()
    .map(|p| p.pupil_id)
    .collect())
}
