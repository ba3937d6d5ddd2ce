//! The allocation facts an office keeps by hand: a teacher's week of availability and a
//! school's rooms and lesson hours, read for their screens and saved whole, with the teaching
//! groups that the new facts leave outside them named so the office can move them.
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use serde::Serialize;
use tutti_domain::allocation::{
    DEFAULT_AVAILABLE_FROM, DEFAULT_AVAILABLE_TO, OutsideOf, Span, check_school_hours, check_week, day_name,
    day_times_text,
};
pub use tutti_domain::allocation::{GroupOutside, Week};

use crate::Store;
use crate::error::{Result, StoreError};
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, one_of, stmt, update_one};

/// A teacher's availability as the screen shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Availability {
    /// False when nothing is recorded and the default week applies (docs/decisions/0036).
    pub recorded: bool,
    /// Every weekday 1 to 5, each with its intervals (empty: not available).
    pub week: Week,
}

/// A school's rooms for visiting teachers and its lesson hours.
#[derive(Debug, Clone, PartialEq, Serialize, FromQueryResult)]
pub struct SchoolHours {
    pub rooms: i32,
    pub opens_minute: i32,
    pub closes_minute: i32,
}

#[derive(FromQueryResult)]
struct IntervalRow {
    weekday: i32,
    from_minute: i32,
    to_minute: i32,
}

#[derive(FromQueryResult)]
struct GroupTimes {
    weekday: i32,
    start_minute: i32,
    minutes: i32,
    instrument: String,
    other_name: String,
}

/// The week every unrecorded teacher has: each school day 08:30 to 17:00.
pub fn default_week() -> Week {
    (1..=5)
        .map(|d| (d, vec![(DEFAULT_AVAILABLE_FROM as u16, DEFAULT_AVAILABLE_TO as u16)]))
        .collect()
}

fn week_text(week: &Week) -> String {
    (1..=5u8)
        .map(|d| {
            let times = week.get(&d).map(|l| day_times_text(l)).unwrap_or_default();
            format!(
                "{} {}",
                &day_name(d)[..3],
                if times.is_empty() { "none".into() } else { times }
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

async fn exists(conn: &impl ConnectionTrait, table: &str, id: i64) -> Result<bool> {
    Ok(conn
        .query_one_raw(stmt(
            conn.get_database_backend(),
            &format!("SELECT id FROM {table} WHERE id = ?"),
            [id.into()],
        ))
        .await?
        .is_some())
}

/// The placed groups (`filter` over g, with `join` naming the teacher or school they are
/// with) that `inside` says fall outside new times (the domain's [`GroupOutside`] names each
/// for the office). They stay where they are; the office moves them.
async fn outside(
    conn: &impl ConnectionTrait,
    join: &str,
    filter: &str,
    id: i64,
    of: OutsideOf,
    inside: impl Fn(u16, u16, u8) -> bool,
) -> Result<Vec<GroupOutside>> {
    let groups = all_of::<GroupTimes>(
        conn,
        &format!(
            "SELECT g.weekday, g.start_minute, g.minutes, g.instrument, {join} AS other_name \
             FROM teaching_groups g {filter} ORDER BY g.weekday, g.start_minute, g.id"
        ),
        [Value::from(id)],
    )
    .await?;
    Ok(groups
        .into_iter()
        .filter(|g| {
            let (start, end) = (g.start_minute as u16, (g.start_minute + g.minutes) as u16);
            !inside(start, end, g.weekday as u8)
        })
        .map(|g| GroupOutside {
            span: Span::new(g.start_minute.into(), (g.start_minute + g.minutes).into()),
            weekday: g.weekday as u8,
            instrument: g.instrument,
            with_name: g.other_name,
            of,
        })
        .collect())
}

#[tutti_boxed::boxed]
impl Store {
    /// A teacher's availability, or `None` when there is no such member of staff.
    pub async fn availability(&self, staff_id: i64) -> Result<Option<Availability>> {
        if !exists(self.conn(), "staff", staff_id).await? {
            return Ok(None);
        }
        let rows = all_of::<IntervalRow>(
            self.conn(),
            "SELECT weekday, from_minute, to_minute FROM teacher_availability WHERE staff_id = ? \
             ORDER BY weekday, from_minute",
            [staff_id.into()],
        )
        .await?;
        if rows.is_empty() {
            return Ok(Some(Availability {
                recorded: false,
                week: default_week(),
            }));
        }
        let mut week: Week = (1..=5).map(|d| (d, Vec::new())).collect();
        for r in rows {
            week.entry(r.weekday as u8)
                .or_default()
                .push((r.from_minute as u16, r.to_minute as u16));
        }
        Ok(Some(Availability { recorded: true, week }))
    }

    /// Replaces a teacher's whole week: a weekday missing from `week`, or with no intervals,
    /// is a day they do not teach; one day at least must have times. Intervals must end after
    /// they start and not overlap.
    /// Groups already placed outside the new times stay where they are (the office records
    /// the fact first and moves lessons after); they are returned in words, one per group.
    pub async fn set_week_availability(&self, actor: &Actor, staff_id: i64, week: &Week) -> Result<Vec<GroupOutside>> {
        let clean = check_week(week)?;
        let txn = self.write().await?;
        if !exists(&txn, "staff", staff_id).await? {
            return Err(StoreError::NotFound);
        }
        let backend = txn.get_database_backend();
        txn.execute_raw(stmt(
            backend,
            "DELETE FROM teacher_availability WHERE staff_id = ?",
            [staff_id.into()],
        ))
        .await?;
        let rows: Vec<Vec<Value>> = clean
            .iter()
            .flat_map(|(d, list)| {
                list.iter().map(move |&(a, b)| {
                    vec![
                        staff_id.into(),
                        (*d as i32).into(),
                        (a as i32).into(),
                        (b as i32).into(),
                    ]
                })
            })
            .collect();
        crate::teaching::lessons::insert_rows(
            &txn,
            "teacher_availability",
            &["staff_id", "weekday", "from_minute", "to_minute"],
            rows,
        )
        .await?;
        audit::record(
            &txn,
            actor,
            Action::Update,
            "teacher_availability",
            Some(staff_id),
            week_text(&clean),
        )
        .await?;
        let outside = outside(
            &txn,
            "o.name",
            "JOIN schools o ON o.id = g.school_id WHERE g.teacher_id = ?",
            staff_id,
            OutsideOf::Availability,
            |start, end, day| {
                clean
                    .get(&day)
                    .is_some_and(|l| l.iter().any(|&(a, b)| a <= start && end <= b))
            },
        )
        .await?;
        txn.commit().await?;
        Ok(outside)
    }

    /// A school's rooms and lesson hours, or `None` when there is no such school.
    pub async fn school_hours(&self, school_id: i64) -> Result<Option<SchoolHours>> {
        one_of::<SchoolHours>(
            self.conn(),
            "SELECT rooms, opens_minute, closes_minute FROM schools WHERE id = ?",
            [school_id.into()],
        )
        .await
    }

    /// Sets a school's rooms for visiting teachers (1 to 20) and the hours lessons may be
    /// taught, the same every school day, and names the groups the new hours leave outside
    /// (they stay where they are, as with availability).
    pub async fn set_school_hours(
        &self,
        actor: &Actor,
        school_id: i64,
        rooms: u16,
        opens: u16,
        closes: u16,
    ) -> Result<Vec<GroupOutside>> {
        check_school_hours(rooms, opens, closes)?;
        let txn = self.write().await?;
        update_one(
            &txn,
            "UPDATE schools SET rooms = ?, opens_minute = ?, closes_minute = ? WHERE id = ?",
            [
                (rooms as i32).into(),
                (opens as i32).into(),
                (closes as i32).into(),
                school_id.into(),
            ],
        )
        .await?;
        let what = format!("{rooms} rooms, lessons {opens}-{closes}");
        audit::record(&txn, actor, Action::Update, "school", Some(school_id), what).await?;
        let outside = outside(
            &txn,
            "o.first_name || ' ' || o.last_name",
            "JOIN staff o ON o.id = g.teacher_id WHERE g.school_id = ?",
            school_id,
            OutsideOf::SchoolHours,
            |start, end, _| opens <= start && end <= closes,
        )
        .await?;
        txn.commit().await?;
        Ok(outside)
    }
}
