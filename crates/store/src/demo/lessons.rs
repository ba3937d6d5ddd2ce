//! The demo hub's lessons: the current year's term dates, teaching groups placed from the
//! enrolments (one visit per school on a teacher's day, travel time between schools, rotation
//! at the rotating schools), the year's dated lessons, and registers marked up to today.
use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DatabaseTransaction, FromQueryResult, Value};
use time::Date;
use tutti_domain::calendar::{AcademicYear, default_term_dates};

use super::Calendar;
use crate::error::Result;
use crate::query::{all_of, one_of, stmt};
use crate::teaching::lessons::{generate_in, insert_rows, insert_term_dates, term_date_values};
use crate::{Backend, now};

/// Minutes between visits to two schools: the demo has no travel matrix, so a fixed drive.
const TRAVEL: u16 = 20;
const DAY_START: u16 = 9 * 60;

#[derive(FromQueryResult)]
struct EnrolmentRow {
    id: i64,
    pupil_id: i64,
    teacher_id: i64,
    school_id: i64,
    instrument: String,
    lesson_type: String,
    minutes: i32,
}

#[derive(FromQueryResult)]
struct Authority {
    local_authority: String,
}

#[derive(FromQueryResult)]
struct Day {
    day: Option<Date>,
}

/// Seeds the lessons inside the demo's own transaction; draws nothing from the demo's random
/// stream, so the records it made are unchanged.
pub(super) async fn seed(txn: &DatabaseTransaction, backend: Backend, today: Date, calendar: Calendar) -> Result<()> {
    let db = txn.get_database_backend();
    // Statistics for the rows just written in this transaction, so that the planner does not
    // take tables of a million rows for empty ones in the queries below.
    super::analyse(txn).await?;
    let year = AcademicYear::containing(today);
    let terms = default_term_dates(year);
    let authorities = all_of::<Authority>(
        txn,
        "SELECT DISTINCT local_authority FROM schools ORDER BY local_authority",
        Vec::<Value>::new(),
    )
    .await?;
    let mut rows = Vec::new();
    let mut closures = Vec::new();
    for a in &authorities {
        for t in &terms {
            rows.push(term_date_values(&a.local_authority, None, t));
        }
        // Schools take their first day of the year as an INSET day.
        closures.push(vec![
            a.local_authority.clone().into(),
            Option::<i64>::None.into(),
            terms[0].dates.first.into(),
            "inset".into(),
            "INSET day".into(),
        ]);
    }
    insert_term_dates(txn, rows).await?;
    insert_rows(
        txn,
        "closures",
        &["local_authority", "school_id", "day", "kind", "reason"],
        closures,
    )
    .await?;

    // Groups: individual lessons alone, pairs in twos, small groups in fours, by teacher,
    // school, instrument and length.
    let enrolments = all_of::<EnrolmentRow>(
        txn,
        "SELECT id, pupil_id, teacher_id, school_id, instrument, lesson_type, minutes FROM enrolments \
         WHERE teacher_id IS NOT NULL AND school_id IS NOT NULL AND status = 'active' ORDER BY id",
        Vec::<Value>::new(),
    )
    .await?;
    // A pupil learning twice with one teacher goes in another group, never twice in one.
    let mut pools: BTreeMap<GroupKey<usize>, Vec<i64>> = BTreeMap::new();
    let mut seen: BTreeMap<GroupKey<i64>, usize> = BTreeMap::new();
    for e in enrolments {
        let nth = seen
            .entry((
                e.teacher_id,
                e.school_id,
                e.instrument.clone(),
                e.lesson_type.clone(),
                e.minutes,
                e.pupil_id,
            ))
            .or_insert(0);
        *nth += 1;
        pools
            .entry((e.teacher_id, e.school_id, e.instrument, e.lesson_type, e.minutes, *nth))
            .or_default()
            .push(e.id);
    }
    // Each school of a teacher is one visit on the weekday with the most room left, after
    // the travel from the school before: valid under TIMETABLING.md's rules 1 and 2.
    let mut by_school: BTreeMap<(i64, i64), Vec<SchoolGroup>> = BTreeMap::new();
    for ((teacher, school, instrument, kind, minutes, _), ids) in pools {
        let size = match kind.as_str() {
            "individual" => 1,
            "paired" => 2,
            _ => 4,
        };
        for chunk in ids.chunks(size) {
            by_school.entry((teacher, school)).or_default().push((
                instrument.clone(),
                kind.clone(),
                minutes,
                chunk.to_vec(),
            ));
        }
    }
    let mut clocks: BTreeMap<(i64, u8), u16> = BTreeMap::new();
    // Each visit's span per (school, weekday), and each teacher's latest end: the demo's
    // schools and teachers get the rooms and hours their timetable uses (decision 0036).
    let mut visits: BTreeMap<(i64, u8), Vec<(u16, u16)>> = BTreeMap::new();
    let mut teacher_end: BTreeMap<i64, u16> = BTreeMap::new();
    let (mut groups, mut members) = (Vec::new(), Vec::new());
    let t = now();
    for ((teacher, school), list) in by_school {
        let weekday = (1..=5u8)
            .min_by_key(|d| (clocks.get(&(teacher, *d)).copied().unwrap_or(0), *d))
            .unwrap_or(1);
        let clock = clocks.entry((teacher, weekday)).or_insert(0);
        let mut start = if *clock == 0 { DAY_START } else { *clock + TRAVEL };
        let visit_start = start;
        for (instrument, kind, minutes, ids) in list {
            let id = groups.len() as i64 + 1;
            groups.push(vec![
                id.into(),
                teacher.into(),
                school.into(),
                (weekday as i32).into(),
                (start as i32).into(),
                minutes.into(),
                kind.into(),
                instrument.into(),
                t.into(),
            ]);
            members.extend(ids.into_iter().map(|e| vec![id.into(), e.into()]));
            start += minutes as u16;
        }
        *clock = start;
        visits.entry((school, weekday)).or_default().push((visit_start, start));
        let end = teacher_end.entry(teacher).or_insert(0);
        *end = (*end).max(start);
    }
    let group_columns = [
        "id",
        "teacher_id",
        "school_id",
        "weekday",
        "start_minute",
        "minutes",
        "lesson_type",
        "instrument",
        "created_at",
    ];
    insert_rows(txn, "teaching_groups", &group_columns, groups).await?;
    seed_rooms_and_hours(txn, &visits, &teacher_end).await?;
    insert_rows(txn, "group_members", &["group_id", "enrolment_id"], members).await?;
    if backend == Backend::Postgres {
        txn.execute_unprepared(
            "SELECT setval(pg_get_serial_sequence('teaching_groups', 'id'), \
             (SELECT COALESCE(MAX(id), 0) + 1 FROM teaching_groups), false)",
        )
        .await?;
    }
    if calendar == Calendar::Without {
        return Ok(());
    }
    for term in &terms {
        generate_in(txn, term.term).await?;
    }

    // Registers up to yesterday, in one statement: a fixed mix of marks from the ids, mostly present.
    txn.execute_raw(stmt(
        db,
        "INSERT INTO register_marks (dated_lesson_id, pupil_id, mark, marked_at) \
         SELECT d.id, e.pupil_id, CASE \
           WHEN (d.id * 31 + e.pupil_id * 17) % 100 < 88 THEN 'present' \
           WHEN (d.id * 31 + e.pupil_id * 17) % 100 < 92 THEN 'ill' \
           WHEN (d.id * 31 + e.pupil_id * 17) % 100 < 94 THEN 'school-trip' \
           WHEN (d.id * 31 + e.pupil_id * 17) % 100 < 96 THEN 'forgot-instrument' \
           WHEN (d.id * 31 + e.pupil_id * 17) % 100 < 98 THEN 'exam' \
           ELSE 'unauthorised' END, ? \
         FROM dated_lessons d JOIN group_members gm ON gm.group_id = d.group_id \
         JOIN enrolments e ON e.id = gm.enrolment_id \
         WHERE d.day < ? AND e.start_date <= d.day AND (e.end_date IS NULL OR e.end_date >= d.day)",
        [t.into(), today.into()],
    ))
    .await?;
    txn.execute_raw(stmt(
        db,
        "UPDATE dated_lessons SET status = 'given' WHERE day < ?",
        [today.into()],
    ))
    .await?;
    // One day the demo teacher was ill: their first teaching day after half-term is owed.
    let after = terms[0].half_term.last;
    let absent = one_of::<Day>(
        txn,
        "SELECT MIN(d.day) AS day FROM dated_lessons d JOIN teaching_groups g ON g.id = d.group_id \
         WHERE g.teacher_id = 1 AND d.day > ? AND d.day < ?",
        [after.into(), today.into()],
    )
    .await?
    .and_then(|d| d.day);
    if let Some(day) = absent {
        let lessons = "SELECT d.id FROM dated_lessons d JOIN teaching_groups g ON g.id = d.group_id \
                       WHERE g.teacher_id = 1 AND d.day = ?";
        txn.execute_raw(stmt(
            db,
            &format!("UPDATE register_marks SET mark = 'teacher-absent' WHERE dated_lesson_id IN ({lessons})"),
            [day.into()],
        ))
        .await?;
        txn.execute_raw(stmt(
            db,
            &format!("UPDATE dated_lessons SET status = 'teacher_absent', owed_by_hub = ? WHERE id IN ({lessons})"),
            [true.into(), day.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Rounds a minute up to the next half hour.
fn half_hour_up(minute: u16) -> u16 {
    minute.div_ceil(30) * 30
}

/// Gives each demo school the rooms and opening hours its demo visits use (at least two
/// rooms, open at least 08:30 to 16:00), and a teacher whose day ends after the default
/// availability an availability that covers it: the demo's weekly timetable then keeps the
/// rules on rooms and hours, as an office's real one would.
async fn seed_rooms_and_hours(
    txn: &DatabaseTransaction,
    visits: &BTreeMap<(i64, u8), Vec<(u16, u16)>>,
    teacher_end: &BTreeMap<i64, u16>,
) -> Result<()> {
    let db = txn.get_database_backend();
    let mut schools: BTreeMap<i64, (i64, u16)> = BTreeMap::new();
    for (&(school, _), spans) in visits {
        let peak = spans
            .iter()
            .map(|&(a, _)| spans.iter().filter(|&&(b, c)| b <= a && a < c).count() as i64)
            .max()
            .unwrap_or(0);
        let last = spans.iter().map(|s| s.1).max().unwrap_or(0);
        let entry = schools.entry(school).or_insert((2, 16 * 60));
        entry.0 = entry.0.max(peak);
        entry.1 = entry.1.max(half_hour_up(last));
    }
    for (school, (rooms, closes)) in schools {
        if (rooms, closes) != (2, 16 * 60) {
            txn.execute_raw(stmt(
                db,
                "UPDATE schools SET rooms = ?, closes_minute = ? WHERE id = ?",
                [rooms.into(), (closes as i32).into(), school.into()],
            ))
            .await?;
        }
    }
    let default_to = tutti_domain::allocation::DEFAULT_AVAILABLE_TO as u16;
    let mut rows = Vec::new();
    for (&teacher, &end) in teacher_end.iter().filter(|(_, e)| **e > default_to) {
        for day in 1..=5 {
            rows.push(vec![
                teacher.into(),
                day.into(),
                (tutti_domain::allocation::DEFAULT_AVAILABLE_FROM as i32).into(),
                (half_hour_up(end) as i32).into(),
            ]);
        }
    }
    insert_rows(
        txn,
        "teacher_availability",
        &["staff_id", "weekday", "from_minute", "to_minute"],
        rows,
    )
    .await
}
/// Teacher, school, instrument, lesson type and minutes, and what tells groups apart.
type GroupKey<T> = (i64, i64, String, String, i32, T);
/// A group at one school: instrument, lesson type, minutes and its enrolments.
type SchoolGroup = (String, String, i32, Vec<i64>);
