//! Lessons: term dates and closures, teaching groups and their placement, the dated lessons of
//! a term at their real (rotated) times, and the timetable queries every role reads.
use std::collections::{BTreeMap, HashMap, HashSet};
use tutti_domain::validate::format_day_long;

use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Value};
use serde::Serialize;
use time::{Date, Weekday};
use tutti_domain::admissions::EnrolmentStatus;
use tutti_domain::calendar::{AcademicYear, DateRange, SchoolCalendar, TermDates, TermId, default_term_dates};
pub use tutti_domain::lessons::LessonStatus;
use tutti_domain::lessons::{LessonRefusal, LessonType, check_new_group};
use tutti_domain::rotation::{TimedLesson, group_into_visits};

use crate::error::{Result, StoreError};
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, one_of, stmt};
use crate::{Store, now};

/// Rows go in a few hundred at a time: SQLite caps the parameters of one statement.
const BATCH: usize = 400;

/// A teaching group's weekly place: teacher, school, weekday (1 Monday to 5 Friday) and start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub group_id: i64,
    pub teacher_id: i64,
    pub school_id: i64,
    pub weekday: u8,
    pub start: u16,
    pub minutes: u16,
}

/// One lesson of a term on its date, at its real time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PlannedLesson {
    pub group_id: i64,
    pub day: Date,
    pub start: u16,
    pub end: u16,
}

/// The weekday a stored weekday number (1 Monday to 5 Friday) means.
pub fn weekday(number: u8) -> Option<Weekday> {
    match number {
        1 => Some(Weekday::Monday),
        2 => Some(Weekday::Tuesday),
        3 => Some(Weekday::Wednesday),
        4 => Some(Weekday::Thursday),
        5 => Some(Weekday::Friday),
        _ => None,
    }
}

/// Every dated lesson of `term` for these placements, from each school's calendar.
///
/// A teacher's groups on one weekday form visits (TIMETABLING.md: a maximal run of
/// consecutive lessons at one school). At a rotating school, week k of the term for that
/// weekday teaches the visit's lessons shifted by k − 1 places, packed from the visit's start;
/// week 1 is the school's first teaching day of that weekday in the term (see
/// docs/decisions/rotation-weeks.md). Elsewhere the placed time holds every week.
pub fn plan_term(
    placements: &[Placement],
    calendar: impl Fn(i64) -> Option<SchoolCalendar>,
    rotating: impl Fn(i64) -> bool,
    term: TermId,
) -> Vec<PlannedLesson> {
    let mut days: BTreeMap<(i64, u8), Vec<TimedLesson<i64, i64>>> = BTreeMap::new();
    for p in placements {
        days.entry((p.teacher_id, p.weekday)).or_default().push(TimedLesson {
            lesson: p.group_id,
            school: p.school_id,
            start: p.start,
            minutes: p.minutes,
        });
    }
    let mut calendars: HashMap<i64, Option<SchoolCalendar>> = HashMap::new();
    let mut out = Vec::new();
    for ((_, day_number), lessons) in days {
        let Some(wd) = weekday(day_number) else { continue };
        for visit in group_into_visits(&lessons) {
            let cal = calendars.entry(visit.school).or_insert_with(|| calendar(visit.school));
            let Some(cal) = cal.as_ref() else { continue };
            let rotates = rotating(visit.school) && visit.lessons.len() > 1;
            for (i, day) in cal.weekday_dates(term, wd).into_iter().enumerate() {
                let taught = if rotates {
                    visit.in_week(i as u32 + 1)
                } else {
                    visit.lessons.clone()
                };
                out.extend(taught.into_iter().map(|l| PlannedLesson {
                    group_id: l.lesson,
                    day,
                    start: l.start,
                    end: l.end(),
                }));
            }
        }
    }
    out.sort();
    out
}

/// A new teaching group: enrolments taught together, placed with a teacher, school, day and time.
#[derive(Debug, Clone)]
pub struct NewGroup {
    pub teacher_id: i64,
    pub school_id: i64,
    pub weekday: u8,
    pub start_minute: u16,
    pub minutes: u16,
    pub lesson_type: LessonType,
    pub instrument: String,
    pub enrolment_ids: Vec<i64>,
}

/// A lesson on the timetable, as the teacher's day, the API and the calendars show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TimetableLesson {
    pub id: i64,
    pub date: Date,
    pub start_minute: i32,
    pub end_minute: i32,
    pub status: LessonStatus,
    pub owed_by_hub: bool,
    /// The teacher's note: empty for a family or school reader unless the teacher shared it.
    pub note: String,
    /// The teacher chose to share the note with the family (and the school).
    pub note_shared: bool,
    pub group_id: i64,
    pub instrument: String,
    pub lesson_type: String,
    pub school_id: i64,
    pub school_name: String,
    pub teacher_id: i64,
    pub teacher_name: String,
    pub pupils: Vec<LessonPupil>,
    /// Taught over a video call (the group is online).
    pub online: bool,
    /// The call's address: the teacher's always, a family's only while joining is open
    /// (`tutti_domain::online::joining_open`), which the page decides. Never serialised:
    /// a lesson written out whole (the offline register, exports) does not carry it.
    #[serde(skip)]
    pub joining_link: Option<String>,
}

/// Who reads a timetable's notes: the hub's own staff see every note, families, pupils and
/// schools only those the teacher shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteReader {
    Staff,
    Family,
}

/// A pupil on a lesson's register, with their mark if taken.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LessonPupil {
    pub id: i64,
    pub name: String,
    pub mark: Option<String>,
    /// Their year group on the lesson's day, so a school knows which children to release.
    pub year_group: String,
    /// The school they attend (a school's timetable shows only its own pupils).
    pub school_id: i64,
}

/// Whose lessons a timetable query is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimetableOf {
    Teacher(i64),
    School(i64),
    /// One pupil's lessons; other pupils of a group are left off, as a parent must not see them.
    Pupil(i64),
}

#[derive(FromQueryResult)]
struct LessonRow {
    id: i64,
    day: Date,
    start_minute: i32,
    end_minute: i32,
    status: String,
    owed_by_hub: bool,
    note: String,
    note_shared: bool,
    group_id: i64,
    instrument: String,
    lesson_type: String,
    school_id: i64,
    school_name: String,
    teacher_id: i64,
    teacher_name: String,
    online: bool,
    joining_link: Option<String>,
}

/// A lesson with one of its pupils (none: a lesson nobody is enrolled on that day).
#[derive(FromQueryResult)]
struct LessonPupilRow {
    #[sea_orm(nested)]
    lesson: LessonRow,
    pupil_id: Option<i64>,
    first_name: Option<String>,
    last_name: Option<String>,
    mark: Option<String>,
    date_of_birth: Option<Date>,
    year_group_override: Option<i32>,
    pupil_school_id: Option<i64>,
}

#[derive(FromQueryResult)]
struct PlacementRow {
    id: i64,
    teacher_id: i64,
    school_id: i64,
    weekday: i32,
    start_minute: i32,
    minutes: i32,
    first_start: Option<Date>,
}

#[derive(FromQueryResult)]
struct TermRow {
    local_authority: String,
    school_id: Option<i64>,
    term: String,
    first_day: Date,
    last_day: Date,
    half_term_first: Date,
    half_term_last: Date,
}

#[derive(FromQueryResult)]
struct ClosureRow {
    local_authority: String,
    school_id: Option<i64>,
    day: Date,
    kind: String,
}

#[derive(FromQueryResult)]
struct SchoolRow {
    id: i64,
    local_authority: String,
    rotating: bool,
}

#[derive(FromQueryResult)]
struct ExistingRow {
    group_id: i64,
    day: Date,
}

/// Inserts rows of `columns` into `table`, a batch at a time.
pub(crate) async fn insert_rows(
    conn: &impl ConnectionTrait,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
) -> Result<()> {
    let backend = conn.get_database_backend();
    let one = format!("({})", vec!["?"; columns.len()].join(", "));
    for chunk in rows.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {}",
            columns.join(", "),
            vec![one.as_str(); chunk.len()].join(", ")
        );
        conn.execute_raw(stmt(backend, &sql, chunk.iter().flatten().cloned()))
            .await?;
    }
    Ok(())
}

/// The columns every dated lesson is written with, whether laid out with its term or made up.
pub(crate) const DATED_LESSON_COLUMNS: [&str; 6] =
    ["group_id", "day", "start_minute", "end_minute", "status", "owed_by_hub"];

/// The columns of a term's saved dates, in the order `term_date_values` gives them.
const TERM_DATE_COLUMNS: [&str; 7] = [
    "local_authority",
    "school_id",
    "term",
    "first_day",
    "last_day",
    "half_term_first",
    "half_term_last",
];

/// One term's dates as a row of `term_dates`, for an authority or one of its schools.
pub(crate) fn term_date_values(authority: &str, school_id: Option<i64>, dates: &TermDates) -> Vec<Value> {
    vec![
        authority.into(),
        school_id.into(),
        dates.term.to_string().into(),
        dates.dates.first.into(),
        dates.dates.last.into(),
        dates.half_term.first.into(),
        dates.half_term.last.into(),
    ]
}

/// Whose dates, for the audit log: the authority, or the school by id.
pub(crate) fn whose_named(authority: &str, school_id: Option<i64>) -> String {
    school_id.map_or(authority.to_owned(), |id| format!("school {id}"))
}

/// Saves term dates, each row made by `term_date_values`.
pub(crate) async fn insert_term_dates(conn: &impl ConnectionTrait, rows: Vec<Vec<Value>>) -> Result<()> {
    insert_rows(conn, "term_dates", &TERM_DATE_COLUMNS, rows).await
}

/// Every school's calendar and rotation, built from the stored term dates and closures; a
/// local authority with no stored dates for a term gets [`default_term_dates`].
pub(crate) struct Calendars {
    schools: HashMap<i64, (String, bool)>,
    authority_terms: HashMap<String, Vec<TermDates>>,
    school_terms: HashMap<i64, Vec<TermDates>>,
    authority_closures: HashMap<String, Vec<(Date, bool)>>,
    school_closures: HashMap<i64, Vec<(Date, bool)>>,
}

impl Calendars {
    pub(crate) async fn load(conn: &impl ConnectionTrait) -> Result<Calendars> {
        let backend = conn.get_database_backend();
        let all = |sql: &str| stmt(backend, sql, Vec::<Value>::new());
        let schools = SchoolRow::find_by_statement(all("SELECT id, local_authority, rotating FROM schools"))
            .all(conn)
            .await?;
        let terms = TermRow::find_by_statement(all(
            "SELECT local_authority, school_id, term, first_day, last_day, half_term_first, half_term_last FROM term_dates",
        ))
        .all(conn)
        .await?;
        let closures = ClosureRow::find_by_statement(all("SELECT local_authority, school_id, day, kind FROM closures"))
            .all(conn)
            .await?;
        let mut out = Calendars {
            schools: schools
                .into_iter()
                .map(|s| (s.id, (s.local_authority, s.rotating)))
                .collect(),
            authority_terms: HashMap::new(),
            school_terms: HashMap::new(),
            authority_closures: HashMap::new(),
            school_closures: HashMap::new(),
        };
        for t in terms {
            let Ok(term) = TermId::parse(&t.term) else { continue };
            let dates = TermDates {
                term,
                dates: DateRange {
                    first: t.first_day,
                    last: t.last_day,
                },
                half_term: DateRange {
                    first: t.half_term_first,
                    last: t.half_term_last,
                },
            };
            match t.school_id {
                Some(id) => out.school_terms.entry(id).or_default().push(dates),
                None => out.authority_terms.entry(t.local_authority).or_default().push(dates),
            }
        }
        for c in closures {
            let entry = (c.day, c.kind == "inset");
            match c.school_id {
                Some(id) => out.school_closures.entry(id).or_default().push(entry),
                None => out.authority_closures.entry(c.local_authority).or_default().push(entry),
            }
        }
        Ok(out)
    }

    pub(crate) fn rotating(&self, school_id: i64) -> bool {
        self.schools.get(&school_id).is_some_and(|s| s.1)
    }

    /// The school's calendar for `term`: its own dates, else its authority's, else the default.
    pub(crate) fn calendar(&self, school_id: i64, term: TermId) -> Option<SchoolCalendar> {
        let (authority, _) = self.schools.get(&school_id)?;
        let find = |list: Option<&Vec<TermDates>>| list.and_then(|l| l.iter().find(|t| t.term == term).copied());
        let dates = find(self.school_terms.get(&school_id))
            .or_else(|| find(self.authority_terms.get(authority)))
            .or_else(|| default_term_dates(term.year).into_iter().find(|t| t.term == term))?;
        let mut cal = SchoolCalendar::new(vec![dates]);
        let own = self.school_closures.get(&school_id).into_iter().flatten();
        for &(day, inset) in self.authority_closures.get(authority).into_iter().flatten().chain(own) {
            if inset {
                cal.add_inset_day(day);
            } else {
                cal.add_closure(day);
            }
        }
        Some(cal)
    }
}

/// Each lesson with each pupil on its register that day: enrolments count only while they run
/// (`{only}` narrows to one pupil). A lesson with nobody on it still comes, once; a member not
/// on the register that day comes as a row without a pupil. Flat left joins, not a nested
/// join: SQLite materialises a nested one over every group membership (13 ms, not 0.2 ms).
const LESSON_PUPIL_SELECT: &str = "SELECT d.id, d.day, d.start_minute, d.end_minute, d.status, d.owed_by_hub, d.note, d.note_shared, \
     g.id AS group_id, g.instrument, g.lesson_type, s.id AS school_id, s.name AS school_name, \
     t.id AS teacher_id, t.first_name || ' ' || t.last_name AS teacher_name, g.online, g.joining_link, \
     p.id AS pupil_id, p.first_name, p.last_name, r.mark, p.date_of_birth, p.year_group_override, \
     p.school_id AS pupil_school_id \
     FROM dated_lessons d JOIN teaching_groups g ON g.id = d.group_id JOIN schools s ON s.id = g.school_id \
     JOIN staff t ON t.id = g.teacher_id \
     LEFT JOIN group_members gm ON gm.group_id = d.group_id \
     LEFT JOIN enrolments e ON e.id = gm.enrolment_id \
       AND e.start_date <= d.day AND (e.end_date IS NULL OR e.end_date >= d.day){only} \
     LEFT JOIN pupils p ON p.id = e.pupil_id \
     LEFT JOIN register_marks r ON r.dated_lesson_id = d.id AND r.pupil_id = p.id";

/// The lessons matching `filter` (SQL over d, g) with their pupils, in date and time order:
/// one query whatever the number of lessons (the teacher's day page is the hub's busiest).
pub(crate) async fn lessons_where(
    conn: &impl ConnectionTrait,
    filter: &str,
    params: Vec<Value>,
    pupil_filter: Option<i64>,
) -> Result<Vec<TimetableLesson>> {
    let _backend: DbBackend = conn.get_database_backend();
    // The pupil's parameter stands in the join, before the filter's.
    let (only, mut values) = match pupil_filter {
        Some(id) => (" AND e.pupil_id = ?", vec![id.into()]),
        None => ("", Vec::new()),
    };
    values.extend(params);
    let sql = format!(
        "{} WHERE {filter} ORDER BY d.day, d.start_minute, d.id, p.first_name, p.last_name, p.id",
        LESSON_PUPIL_SELECT.replace("{only}", only)
    );
    let rows = all_of::<LessonPupilRow>(conn, &sql, values).await?;
    let mut lessons: Vec<TimetableLesson> = Vec::new();
    for row in rows {
        let r = row.lesson;
        if lessons.last().is_none_or(|l| l.id != r.id) {
            lessons.push(TimetableLesson {
                pupils: Vec::new(),
                id: r.id,
                date: r.day,
                start_minute: r.start_minute,
                end_minute: r.end_minute,
                status: crate::error::stored(&r.status, LessonStatus::parse)?,
                owed_by_hub: r.owed_by_hub,
                note: r.note,
                note_shared: r.note_shared,
                group_id: r.group_id,
                instrument: r.instrument,
                lesson_type: r.lesson_type,
                school_id: r.school_id,
                school_name: r.school_name,
                teacher_id: r.teacher_id,
                teacher_name: r.teacher_name,
                online: r.online,
                joining_link: r.joining_link,
            });
        }
        if let (Some(id), Some(first), Some(last), Some(born), Some(school_id), Some(lesson)) = (
            row.pupil_id,
            row.first_name,
            row.last_name,
            row.date_of_birth,
            row.pupil_school_id,
            lessons.last_mut(),
        ) {
            lesson.pupils.push(LessonPupil {
                id,
                name: format!("{first} {last}"),
                mark: row.mark,
                year_group: crate::records::pupils::year_group_text(born, row.year_group_override, lesson.date),
                school_id,
            });
        }
    }
    Ok(lessons)
}

#[tutti_boxed::boxed]
impl Store {
    /// Sets the dates of one term for a local authority (`school_id` None) or for one school,
    /// replacing what was there.
    pub async fn set_term_dates(
        &self,
        actor: &Actor,
        local_authority: &str,
        school_id: Option<i64>,
        dates: &TermDates,
    ) -> Result<()> {
        let txn = self.write().await?;
        let backend = txn.get_database_backend();
        let term = dates.term.to_string();
        let (scope_sql, scope): (&str, Value) = match school_id {
            Some(id) => ("school_id = ?", id.into()),
            None => ("school_id IS NULL AND local_authority = ?", local_authority.into()),
        };
        txn.execute_raw(stmt(
            backend,
            &format!("DELETE FROM term_dates WHERE term = ? AND {scope_sql}"),
            [term.clone().into(), scope],
        ))
        .await?;
        insert_term_dates(&txn, vec![term_date_values(local_authority, school_id, dates)]).await?;
        let whose = whose_named(local_authority, school_id);
        audit::commit(
            txn,
            actor,
            Action::Update,
            "term_dates",
            school_id,
            format!("{term} dates for {whose}"),
        )
        .await?;
        Ok(())
    }

    /// Marks a day without lessons for a local authority or one school: an INSET day
    /// (`inset` true) or another closure.
    pub async fn add_closure(
        &self,
        actor: &Actor,
        local_authority: &str,
        school_id: Option<i64>,
        day: Date,
        inset: bool,
        reason: &str,
    ) -> Result<()> {
        let txn = self.write().await?;
        insert_rows(
            &txn,
            "closures",
            &["local_authority", "school_id", "day", "kind", "reason"],
            vec![vec![
                local_authority.into(),
                school_id.into(),
                day.into(),
                if inset { "inset" } else { "closure" }.into(),
                reason.into(),
            ]],
        )
        .await?;
        let summary = format!("{}: {reason}", format_day_long(day));
        audit::commit(txn, actor, Action::Create, "closure", school_id, summary).await?;
        Ok(())
    }

    /// Places enrolments in a new teaching group and returns its id. The enrolments must be
    /// ones not already in a group, and no more than the lesson type holds.
    pub async fn create_group(&self, actor: &Actor, group: &NewGroup) -> Result<i64> {
        check_new_group(group.weekday, group.lesson_type, group.enrolment_ids.len())?;
        let txn = self.write().await?;
        let id = create_group_in(&txn, actor, group).await?;
        txn.commit().await?;
        Ok(id)
    }

    /// Creates the dated lessons of `term` for every teaching group, from each school's
    /// calendar, at their real times. Idempotent: a lesson already dated is not made again.
    /// Returns how many were created.
    pub async fn generate_dated_lessons(&self, actor: &Actor, term: TermId) -> Result<usize> {
        let txn = self.write().await?;
        let created = generate_in(&txn, term).await?;
        let summary = format!("{created} dated lessons for {term}");
        audit::commit(txn, actor, Action::Create, "dated_lessons", None, summary).await?;
        Ok(created)
    }

    /// A teacher's lessons on one day, in time order, with their pupils and marks.
    pub async fn teacher_day(&self, staff_id: i64, day: Date) -> Result<Vec<TimetableLesson>> {
        lessons_where(
            self.conn(),
            "g.teacher_id = ? AND d.day = ?",
            vec![staff_id.into(), day.into()],
            None,
        )
        .await
    }

    /// The teacher's teaching days either side of `day`: the last day before it and the first
    /// day after it on which they have a lesson. Lessons are laid out by the terms and closures
    /// the hub keeps (`plan_term`), so weekends, holidays and closed days have none and are
    /// stepped over. `None` where no lesson lies that way.
    pub async fn teaching_days_around(&self, staff_id: i64, day: Date) -> Result<(Option<Date>, Option<Date>)> {
        #[derive(FromQueryResult)]
        struct Day {
            day: Date,
        }
        let backend = self.conn().get_database_backend();
        let one = |sql: &str| {
            stmt(
                backend,
                &format!(
                    "SELECT d.day FROM dated_lessons d JOIN teaching_groups g ON g.id = d.group_id \
                     WHERE g.teacher_id = ? AND {sql} LIMIT 1"
                ),
                [staff_id.into(), day.into()],
            )
        };
        let before = Day::find_by_statement(one("d.day < ? ORDER BY d.day DESC"))
            .one(self.conn())
            .await?
            .map(|d| d.day);
        let after = Day::find_by_statement(one("d.day > ? ORDER BY d.day"))
            .one(self.conn())
            .await?
            .map(|d| d.day);
        Ok((before, after))
    }

    /// The lessons of a teacher, a school or a pupil from `from` to `to` (both included), with
    /// the notes `reader` may see.
    pub async fn timetable(
        &self,
        of: TimetableOf,
        from: Date,
        to: Date,
        reader: NoteReader,
    ) -> Result<Vec<TimetableLesson>> {
        let range = "d.day >= ? AND d.day <= ?";
        let (filter, id, pupil) = match of {
            TimetableOf::Teacher(id) => (format!("g.teacher_id = ? AND {range}"), id, None),
            TimetableOf::School(id) => (format!("g.school_id = ? AND {range}"), id, None),
            TimetableOf::Pupil(id) => (
                format!(
                    "d.group_id IN (SELECT gm2.group_id FROM group_members gm2 JOIN enrolments e2 \
                     ON e2.id = gm2.enrolment_id WHERE e2.pupil_id = ?) AND {range}"
                ),
                id,
                Some(id),
            ),
        };
        let mut lessons = lessons_where(self.conn(), &filter, vec![id.into(), from.into(), to.into()], pupil).await?;
        if pupil.is_some() {
            // A group lesson before the pupil joined or after they left is not theirs.
            lessons.retain(|l| !l.pupils.is_empty());
        }
        if let TimetableOf::School(school) = of {
            // A school sees only its own pupils, even in a group it hosts for others.
            for l in &mut lessons {
                l.pupils.retain(|p| p.school_id == school);
            }
        }
        if reader == NoteReader::Family {
            for l in lessons.iter_mut().filter(|l| !l.note_shared) {
                l.note.clear();
            }
        }
        Ok(lessons)
    }

    /// The private calendar address's secret for a user, made on first use.
    pub async fn calendar_feed_token(&self, user_id: i64) -> Result<String> {
        let backend = self.conn().get_database_backend();
        #[derive(FromQueryResult)]
        struct Row {
            token: String,
        }
        let find = stmt(
            backend,
            "SELECT token FROM calendar_feeds WHERE user_id = ?",
            [user_id.into()],
        );
        if let Some(r) = Row::find_by_statement(find.clone()).one(self.conn()).await? {
            return Ok(r.token);
        }
        let txn = self.write().await?;
        if let Some(r) = Row::find_by_statement(find).one(&txn).await? {
            return Ok(r.token);
        }
        let token = crate::platform::tokens::random_token();
        insert_rows(
            &txn,
            "calendar_feeds",
            &["user_id", "token", "created_at"],
            vec![vec![user_id.into(), token.clone().into(), now().into()]],
        )
        .await?;
        txn.commit().await?;
        Ok(token)
    }

    /// The user whose private calendar address carries `token`, if it is live.
    pub async fn user_for_calendar_feed(&self, token: &str) -> Result<Option<crate::platform::accounts::User>> {
        #[derive(FromQueryResult)]
        struct Row {
            user_id: i64,
        }
        let _backend = self.conn().get_database_backend();
        let Some(row) = one_of::<Row>(
            self.conn(),
            "SELECT user_id FROM calendar_feeds WHERE token = ?",
            [token.into()],
        )
        .await?
        else {
            return Ok(None);
        };
        Ok(self.user_by_id(row.user_id).await?.filter(|u| !u.disabled))
    }
}

/// The insert of [`Store::create_group`] inside a caller's transaction (no rule checks: the
/// office's placement runs them first, `Store::place_enrolments`).
pub(crate) async fn create_group_in(txn: &impl ConnectionTrait, actor: &Actor, group: &NewGroup) -> Result<i64> {
    let backend = txn.get_database_backend();
    // RETURNING works on both backends (SQLite since 3.35).
    let sql = "INSERT INTO teaching_groups (teacher_id, school_id, weekday, start_minute, minutes, lesson_type, \
                   instrument, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
    let row = txn
        .query_one_raw(stmt(
            backend,
            sql,
            [
                group.teacher_id.into(),
                group.school_id.into(),
                (group.weekday as i32).into(),
                (group.start_minute as i32).into(),
                (group.minutes as i32).into(),
                group.lesson_type.as_str().into(),
                group.instrument.clone().into(),
                now().into(),
            ],
        ))
        .await?
        .ok_or(StoreError::NotFound)?;
    let id: i64 = row.try_get("", "id")?;
    let members = group
        .enrolment_ids
        .iter()
        .map(|e| vec![id.into(), (*e).into()])
        .collect();
    insert_rows(txn, "group_members", &["group_id", "enrolment_id"], members)
        .await
        .map_err(|e| match e {
            StoreError::Db(_) => LessonRefusal::AlreadyInGroup.into(),
            other => other,
        })?;
    sync_enrolments_with_groups(txn, &[id]).await?;
    audit::record(
        txn,
        actor,
        Action::Create,
        "teaching_group",
        Some(id),
        format!(
            "{} pupils, weekday {} at minute {}",
            group.enrolment_ids.len(),
            group.weekday,
            group.start_minute
        ),
    )
    .await?;
    Ok(id)
}

/// Copies each group's teacher, school, day and time onto its enrolments, and makes an
/// enrolment that was waiting for allocation active: the enrolment is what the teacher's pupil
/// list, billing and the register read, so it must say where the pupil is taught now.
pub(crate) async fn sync_enrolments_with_groups(txn: &impl ConnectionTrait, group_ids: &[i64]) -> Result<()> {
    let of_group = |column: &str| {
        format!(
            "(SELECT g.{column} FROM group_members gm JOIN teaching_groups g ON g.id = gm.group_id \
             WHERE gm.enrolment_id = enrolments.id)"
        )
    };
    // A few hundred groups a statement: a proposal can move thousands.
    for chunk in group_ids.chunks(300) {
        let sql = format!(
            "UPDATE enrolments SET teacher_id = {}, school_id = {}, weekday = {}, start_minute = {}, \
             status = CASE WHEN status = '{awaiting}' THEN '{active}' ELSE status END \
             WHERE id IN (SELECT gm.enrolment_id FROM group_members gm WHERE gm.group_id IN ({}))",
            of_group("teacher_id"),
            of_group("school_id"),
            of_group("weekday"),
            of_group("start_minute"),
            vec!["?"; chunk.len()].join(", "),
            awaiting = EnrolmentStatus::Awaiting,
            active = EnrolmentStatus::Awaiting.place(),
        );
        let params: Vec<Value> = chunk.iter().map(|&g| g.into()).collect();
        txn.execute_raw(stmt(txn.get_database_backend(), &sql, params)).await?;
    }
    Ok(())
}

/// The work of [`Store::generate_dated_lessons`] inside a caller's transaction (the demo's too).
pub(crate) async fn generate_in(conn: &impl ConnectionTrait, term: TermId) -> Result<usize> {
    generate_filtered(conn, term, None, None).await
}

/// Makes the missing dated lessons of the groups of `teachers` from `from` to the end of
/// that academic year: after a placement or a new timetable. Whole teacher-days, because
/// a visit's rotation depends on every group in it.
pub(crate) async fn generate_for_teachers(conn: &impl ConnectionTrait, teachers: &[i64], from: Date) -> Result<usize> {
    let mut created = 0;
    for term in tutti_domain::calendar::AcademicYear::containing(from).terms() {
        created += generate_filtered(conn, term, Some(teachers), Some(from)).await?;
    }
    Ok(created)
}

#[derive(FromQueryResult)]
struct TeacherIdRow {
    teacher_id: i64,
}

#[derive(FromQueryResult)]
struct LatestRow {
    day: Option<Date>,
}

/// Lays the lessons at `schools` out again from `from` to the end of that academic year,
/// after their calendar or rotation changed (term dates, a closure, a school that now
/// rotates): the lessons still only scheduled (no mark, no note, not owed, not a make-up) of
/// every teacher who teaches there are dropped and made again from the calendars as they
/// are now, whole teacher-days at a time since a visit's rotation depends on every group in
/// it. Lessons already marked, cancelled or noted stay as they are (decision 0071).
pub(crate) async fn replan_schools(conn: &impl ConnectionTrait, schools: &[i64], from: Date) -> Result<usize> {
    if schools.is_empty() {
        return Ok(0);
    }
    let backend = conn.get_database_backend();
    let mut teachers: Vec<i64> = Vec::new();
    for chunk in schools.chunks(BATCH) {
        let params: Vec<Value> = chunk.iter().map(|&s| s.into()).collect();
        teachers.extend(
            all_of::<TeacherIdRow>(
                conn,
                &format!(
                    "SELECT DISTINCT teacher_id FROM teaching_groups WHERE school_id IN ({})",
                    crate::query::marks(chunk.len())
                ),
                params,
            )
            .await?
            .into_iter()
            .map(|r| r.teacher_id),
        );
    }
    teachers.sort_unstable();
    teachers.dedup();
    if teachers.is_empty() {
        return Ok(0);
    }
    // The academic years those lessons reach: the one `from` is in, and any later year whose
    // lessons were already made (in the summer holidays, the coming year's).
    let mut last_year = AcademicYear::containing(from);
    for chunk in teachers.chunks(BATCH) {
        let mut params: Vec<Value> = vec![from.into()];
        params.extend(chunk.iter().map(|&t| Value::from(t)));
        let latest = one_of::<LatestRow>(
            conn,
            &format!(
                "SELECT MAX(d.day) AS day FROM dated_lessons d JOIN teaching_groups g ON g.id = d.group_id \
                 WHERE d.day >= ? AND g.teacher_id IN ({})",
                crate::query::marks(chunk.len())
            ),
            params,
        )
        .await?
        .and_then(|r| r.day);
        if let Some(day) = latest {
            last_year = last_year.max(AcademicYear::containing(day));
        }
    }
    for chunk in teachers.chunks(BATCH) {
        let mut params: Vec<Value> = vec![from.into(), LessonStatus::Scheduled.as_str().into(), false.into()];
        params.extend(chunk.iter().map(|&t| Value::from(t)));
        conn.execute_raw(stmt(
            backend,
            &format!(
                "DELETE FROM dated_lessons WHERE day >= ? AND status = ? AND owed_by_hub = ? \
                 AND make_up_of IS NULL AND note = '' \
                 AND NOT EXISTS (SELECT 1 FROM register_marks r WHERE r.dated_lesson_id = dated_lessons.id) \
                 AND NOT EXISTS (SELECT 1 FROM dated_lessons m WHERE m.make_up_of = dated_lessons.id) \
                 AND group_id IN (SELECT id FROM teaching_groups WHERE teacher_id IN ({}))",
                crate::query::marks(chunk.len())
            ),
            params,
        ))
        .await?;
    }
    let mut created = 0;
    let mut year = AcademicYear::containing(from);
    while year <= last_year {
        for term in year.terms() {
            created += generate_filtered(conn, term, Some(&teachers), Some(from)).await?;
        }
        year = year.next();
    }
    Ok(created)
}

async fn generate_filtered(
    conn: &impl ConnectionTrait,
    term: TermId,
    teachers: Option<&[i64]>,
    from: Option<Date>,
) -> Result<usize> {
    let backend = conn.get_database_backend();
    let (only, params): (String, Vec<Value>) = match teachers {
        Some(list) => (
            format!(" WHERE g.teacher_id IN ({})", crate::query::marks(list.len())),
            if list.is_empty() {
                vec![(-1i64).into()]
            } else {
                list.iter().map(|&t| t.into()).collect()
            },
        ),
        None => (String::new(), Vec::new()),
    };
    let placements = PlacementRow::find_by_statement(stmt(
        backend,
        // One grouped join rather than a subquery per group: on a national demo, fresh
        // tables without statistics made PostgreSQL scan group_members once per group.
        &format!(
            "SELECT g.id, g.teacher_id, g.school_id, g.weekday, g.start_minute, g.minutes, \
             MIN(e.start_date) AS first_start FROM teaching_groups g \
             LEFT JOIN group_members gm ON gm.group_id = g.id LEFT JOIN enrolments e ON e.id = gm.enrolment_id{only} \
             GROUP BY g.id, g.teacher_id, g.school_id, g.weekday, g.start_minute, g.minutes"
        ),
        params,
    ))
    .all(conn)
    .await?;
    let mut first_start: HashMap<i64, Option<Date>> = placements.iter().map(|p| (p.id, p.first_start)).collect();
    // A whole-class programme a school bought has no pupils on record: its lessons start on
    // the day it was placed (decision 0094).
    #[derive(FromQueryResult)]
    struct Programme {
        id: i64,
        placed_on: Option<Date>,
    }
    for p in all_of::<Programme>(
        conn,
        "SELECT teaching_group_id AS id, placed_on FROM service_orders \
         WHERE teaching_group_id IS NOT NULL AND status = 'confirmed'",
        [],
    )
    .await?
    {
        if let Some(start) = first_start.get_mut(&p.id)
            && start.is_none()
        {
            *start = p.placed_on;
        }
    }
    let placements: Vec<Placement> = placements
        .into_iter()
        .map(|p| Placement {
            group_id: p.id,
            teacher_id: p.teacher_id,
            school_id: p.school_id,
            weekday: p.weekday as u8,
            start: p.start_minute as u16,
            minutes: p.minutes as u16,
        })
        .collect();
    let calendars = Calendars::load(conn).await?;
    let planned = plan_term(
        &placements,
        |s| calendars.calendar(s, term),
        |s| calendars.rotating(s),
        term,
    );
    let Some((first, last)) = planned
        .iter()
        .map(|p| p.day)
        .min()
        .zip(planned.iter().map(|p| p.day).max())
    else {
        return Ok(0);
    };
    let existing: HashSet<(i64, Date)> = all_of::<ExistingRow>(
        conn,
        "SELECT group_id, day FROM dated_lessons WHERE make_up_of IS NULL AND day >= ? AND day <= ?",
        [first.into(), last.into()],
    )
    .await?
    .into_iter()
    .map(|r| (r.group_id, r.day))
    .collect();
    let t = now();
    let rows: Vec<Vec<Value>> = planned
        .into_iter()
        // A group with no pupils yet, or before its first pupil starts, has no lessons.
        .filter(|p| {
            first_start
                .get(&p.group_id)
                .copied()
                .flatten()
                .is_some_and(|s| s <= p.day)
        })
        .filter(|p| !existing.contains(&(p.group_id, p.day)))
        .filter(|p| from.is_none_or(|f| p.day >= f))
        .map(|p| {
            vec![
                p.group_id.into(),
                p.day.into(),
                (p.start as i32).into(),
                (p.end as i32).into(),
                LessonStatus::Scheduled.as_str().into(),
                false.into(),
                "".into(),
                t.into(),
            ]
        })
        .collect();
    let created = rows.len();
    insert_rows(
        conn,
        "dated_lessons",
        &[&DATED_LESSON_COLUMNS[..], &["note", "updated_at"]].concat(),
        rows,
    )
    .await?;
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;
    use tutti_domain::calendar::AcademicYear;

    fn place(group_id: i64, school_id: i64, start: u16, minutes: u16) -> Placement {
        Placement {
            group_id,
            teacher_id: 1,
            school_id,
            weekday: 1,
            start,
            minutes,
        }
    }

    #[test]
    fn rotation_shifts_each_week_and_fixed_schools_keep_their_time() {
        let term = TermId::parse("2026-autumn").unwrap();
        let cal = SchoolCalendar::local_authority_default(AcademicYear::starting(2026));
        // A 3-lesson visit at rotating school 1 from 09:00 (30, 20, 30 minutes), then school 2.
        let placements = [
            place(1, 1, 540, 30),
            place(2, 1, 570, 20),
            place(3, 1, 590, 30),
            place(4, 2, 660, 30),
        ];
        let planned = plan_term(&placements, |_| Some(cal.clone()), |s| s == 1, term);
        let on = |day: Date| -> Vec<(i64, u16, u16)> {
            planned
                .iter()
                .filter(|p| p.day == day)
                .map(|p| (p.group_id, p.start, p.end))
                .collect()
        };
        // Autumn 2026 starts Tuesday 1 September, so Monday 7 September is week 1.
        // By hand, TIMETABLING.md: week k teaches the visit's order shifted by k - 1 places.
        // Week 1: A B C = 09:00, 09:30, 09:50. Week 2: B C A = B 09:00, C 09:20, A 09:50.
        // Week 3: C A B = C 09:00, A 09:30, B 10:00. Week 4 is week 1 again.
        assert_eq!(
            on(date!(2026 - 09 - 07)),
            [(1, 540, 570), (2, 570, 590), (3, 590, 620), (4, 660, 690)]
        );
        assert_eq!(
            on(date!(2026 - 09 - 14)),
            [(1, 590, 620), (2, 540, 560), (3, 560, 590), (4, 660, 690)]
        );
        assert_eq!(
            on(date!(2026 - 09 - 21)),
            [(1, 570, 600), (2, 600, 620), (3, 540, 570), (4, 660, 690)]
        );
        assert_eq!(on(date!(2026 - 09 - 28)), on(date!(2026 - 09 - 07)));
        // Half-term (26 October) has no lessons, and every Monday of term has all four.
        assert!(on(date!(2026 - 10 - 26)).is_empty());
        let mondays = cal.weekday_dates(term, Weekday::Monday);
        assert_eq!(planned.len(), mondays.len() * 4);
    }
}
