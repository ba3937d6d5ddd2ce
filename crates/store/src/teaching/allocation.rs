//! Allocation: placing enrolments in teaching groups under TIMETABLING.md's hard rules. The
//! rules are never re-implemented here: the hub's data around the change is turned into a
//! `tutti_solver` instance and solution and the solver's own checker judges it; what it
//! finds is named as the domain's placement problems, which put it into words.
use std::collections::{BTreeMap, BTreeSet, HashMap};

use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use serde::Serialize;
use time::Date;
pub use tutti_domain::allocation::SLOT_MINUTES;
use tutti_domain::allocation::{
    AllocationRefusal, DEFAULT_AVAILABLE_FROM, DEFAULT_AVAILABLE_TO, PlacementProblem, PupilClash, Span, Unnamed, When,
    check_group_room, day_code, lesson_label, refuse_problems, travel_minutes,
};
use tutti_domain::lessons::{LessonRefusal, LessonType};
use tutti_solver::instance::{DayIntervals, Fixed, Lesson, School, Teacher};
use tutti_solver::{Assignment, Instance, Solution, Violation};

use crate::Store;
use crate::error::{Result, StoreError};
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, marks, stmt, update_one};
use crate::teaching::lessons::{NewGroup, generate_for_teachers, weekday};

/// A school as the rules see it.
#[derive(Debug, Clone, FromQueryResult)]
pub struct SchoolFacts {
    pub id: i64,
    pub name: String,
    pub area: String,
    pub rooms: i32,
    pub opens_minute: i32,
    pub closes_minute: i32,
}

/// A teacher as the rules see it: when they can teach, per weekday (1 to 5).
#[derive(Debug, Clone)]
pub struct TeacherFacts {
    pub id: i64,
    pub name: String,
    pub available: BTreeMap<u8, Vec<(i64, i64)>>,
}

/// One weekly lesson (a teaching group) or one dated lesson, as the rules see it.
#[derive(Debug, Clone)]
pub struct Slot {
    /// The lesson's id in the solver's instance.
    pub key: String,
    pub group_id: i64,
    pub teacher_id: i64,
    pub school_id: i64,
    pub weekday: u8,
    pub start: i64,
    pub minutes: i64,
    pub pupils: Vec<i64>,
    pub label: String,
    pub pinned: bool,
    /// Taught over a video call: no room, no school hours, no travel (docs/solver.md).
    pub online: bool,
}

impl Slot {
    fn end(&self) -> i64 {
        self.start + self.minutes
    }
}

/// The schools, teachers and pupil names a check talks about.
#[derive(Debug, Default)]
pub struct Facts {
    pub schools: HashMap<i64, SchoolFacts>,
    pub teachers: HashMap<i64, TeacherFacts>,
    pub pupil_names: HashMap<i64, String>,
}

#[derive(FromQueryResult)]
struct TeacherRow {
    id: i64,
    first_name: String,
    last_name: String,
}

#[derive(FromQueryResult)]
struct AvailabilityRow {
    staff_id: i64,
    weekday: i32,
    from_minute: i32,
    to_minute: i32,
}

#[derive(FromQueryResult)]
struct PupilNameRow {
    id: i64,
    first_name: String,
    last_name: String,
}

#[derive(FromQueryResult)]
struct GroupRow {
    id: i64,
    teacher_id: i64,
    school_id: i64,
    weekday: i32,
    start_minute: i32,
    minutes: i32,
    instrument: String,
    lesson_type: String,
    pinned: bool,
    online: bool,
}

#[derive(FromQueryResult)]
struct MemberRow {
    group_id: i64,
    pupil_id: i64,
}

fn ids(list: &[i64]) -> Vec<Value> {
    if list.is_empty() {
        vec![Value::from(-1i64)]
    } else {
        list.iter().map(|&i| i.into()).collect()
    }
}

impl Facts {
    /// The facts about these schools and teachers (`None`: every one) and these pupils.
    pub(crate) async fn load(
        conn: &impl ConnectionTrait,
        schools: Option<&[i64]>,
        teachers: Option<&[i64]>,
        pupils: &[i64],
    ) -> Result<Facts> {
        let _backend = conn.get_database_backend();
        let base = "SELECT id, name, area, rooms, opens_minute, closes_minute FROM schools";
        let school_rows = match schools {
            Some(list) => {
                all_of::<SchoolFacts>(conn, &format!("{base} WHERE id IN ({})", marks(list.len())), ids(list)).await?
            }
            None => all_of::<SchoolFacts>(conn, base, Vec::<Value>::new()).await?,
        };
        let (teacher_sql, avail_sql, params) = match teachers {
            Some(list) => (
                format!(
                    "SELECT id, first_name, last_name FROM staff WHERE id IN ({})",
                    marks(list.len())
                ),
                format!(
                    "SELECT staff_id, weekday, from_minute, to_minute FROM teacher_availability WHERE staff_id IN ({})",
                    marks(list.len())
                ),
                ids(list),
            ),
            None => (
                "SELECT id, first_name, last_name FROM staff".to_owned(),
                "SELECT staff_id, weekday, from_minute, to_minute FROM teacher_availability".to_owned(),
                Vec::new(),
            ),
        };
        let teacher_rows = all_of::<TeacherRow>(conn, &teacher_sql, params.clone()).await?;
        let mut recorded: HashMap<i64, BTreeMap<u8, Vec<(i64, i64)>>> = HashMap::new();
        for a in all_of::<AvailabilityRow>(conn, &avail_sql, params).await? {
            recorded
                .entry(a.staff_id)
                .or_default()
                .entry(a.weekday as u8)
                .or_default()
                .push((a.from_minute as i64, a.to_minute as i64));
        }
        let pupil_names = if pupils.is_empty() {
            HashMap::new()
        } else {
            all_of::<PupilNameRow>(
                conn,
                &format!(
                    "SELECT id, first_name, last_name FROM pupils WHERE id IN ({})",
                    marks(pupils.len())
                ),
                ids(pupils),
            )
            .await?
            .into_iter()
            .map(|p| (p.id, format!("{} {}", p.first_name, p.last_name)))
            .collect()
        };
        Ok(Facts {
            schools: school_rows.into_iter().map(|s| (s.id, s)).collect(),
            teachers: teacher_rows
                .into_iter()
                .map(|t| {
                    let available = recorded.remove(&t.id).unwrap_or_else(|| {
                        (1..=5)
                            .map(|d| (d, vec![(DEFAULT_AVAILABLE_FROM, DEFAULT_AVAILABLE_TO)]))
                            .collect()
                    });
                    (
                        t.id,
                        TeacherFacts {
                            id: t.id,
                            name: format!("{} {}", t.first_name, t.last_name),
                            available,
                        },
                    )
                })
                .collect(),
            pupil_names,
        })
    }

    fn teacher_name(&self, id: i64) -> String {
        self.teachers
            .get(&id)
            .map_or_else(|| Unnamed::Teacher.label(id), |t| t.name.clone())
    }

    fn school_name(&self, id: i64) -> String {
        self.schools
            .get(&id)
            .map_or_else(|| Unnamed::School.label(id), |s| s.name.clone())
    }
}

/// The teaching groups matching `filter` (SQL over g) with their current pupils.
/// The groups matching `filter`, with the pupils still enrolled on `today`.
pub(crate) async fn group_slots(
    conn: &impl ConnectionTrait,
    filter: &str,
    params: Vec<Value>,
    today: Date,
) -> Result<Vec<Slot>> {
    let _backend = conn.get_database_backend();
    let groups = all_of::<GroupRow>(
        conn,
        &format!(
            "SELECT g.id, g.teacher_id, g.school_id, g.weekday, g.start_minute, g.minutes, g.instrument, \
             g.lesson_type, g.pinned, g.online FROM teaching_groups g WHERE {filter} ORDER BY g.id"
        ),
        params.clone(),
    )
    .await?;
    let mut members: HashMap<i64, Vec<i64>> = HashMap::new();
    for m in all_of::<MemberRow>(
        conn,
        &format!(
            "SELECT gm.group_id, e.pupil_id FROM group_members gm JOIN enrolments e ON e.id = gm.enrolment_id \
             JOIN teaching_groups g ON g.id = gm.group_id WHERE ({filter}) AND (e.end_date IS NULL OR e.end_date >= ?)"
        ),
        params.into_iter().chain([today.into()]),
    )
    .await?
    {
        members.entry(m.group_id).or_default().push(m.pupil_id);
    }
    Ok(groups
        .into_iter()
        .map(|g| Slot {
            key: format!("G{}", g.id),
            group_id: g.id,
            teacher_id: g.teacher_id,
            school_id: g.school_id,
            weekday: g.weekday as u8,
            start: g.start_minute as i64,
            minutes: g.minutes as i64,
            pupils: members.remove(&g.id).unwrap_or_default(),
            label: lesson_label(&g.instrument, &g.lesson_type),
            pinned: g.pinned,
            online: g.online,
        })
        .collect())
}

/// The solver's instance and solution for `slots` on `days`: schools, teachers and travel
/// from `facts`. Pinned slots are fixed when `pin` is set.
pub fn to_instance(facts: &Facts, slots: &[Slot], days: &[u8], pin: bool) -> Result<(Instance, Solution)> {
    let school_ids: BTreeSet<i64> = slots.iter().map(|s| s.school_id).collect();
    let teacher_ids: BTreeSet<i64> = slots.iter().map(|s| s.teacher_id).collect();
    let codes: Vec<&str> = days.iter().filter_map(|&d| day_code(d)).collect();
    let mut schools = Vec::new();
    for id in &school_ids {
        let s = facts.schools.get(id).ok_or(StoreError::NotFound)?;
        let mut open = DayIntervals::new();
        if s.opens_minute < s.closes_minute {
            for code in &codes {
                open.insert(code.to_string(), vec![[s.opens_minute as i64, s.closes_minute as i64]]);
            }
        }
        schools.push(School {
            id: format!("S{id}"),
            rooms: (s.rooms as i64).max(1),
            open,
        });
    }
    let mut travel = BTreeMap::new();
    for a in &school_ids {
        let sa = &facts.schools[a];
        let row: BTreeMap<String, i64> = school_ids
            .iter()
            .map(|b| {
                let sb = &facts.schools[b];
                (format!("S{b}"), travel_minutes((*a, &sa.area), (*b, &sb.area)))
            })
            .collect();
        travel.insert(format!("S{a}"), row);
    }
    let mut teachers = Vec::new();
    for id in &teacher_ids {
        let t = facts.teachers.get(id).ok_or(StoreError::NotFound)?;
        let mut available = DayIntervals::new();
        for &d in days {
            let list: Vec<[i64; 2]> = t
                .available
                .get(&d)
                .into_iter()
                .flatten()
                .filter(|(a, b)| a < b)
                .map(|&(a, b)| [a, b])
                .collect();
            if let (Some(code), false) = (day_code(d), list.is_empty()) {
                available.insert(code.to_owned(), list);
            }
        }
        teachers.push(Teacher {
            id: format!("T{id}"),
            available,
        });
    }
    let mut lessons = Vec::new();
    let mut assignments = Vec::new();
    let mut unscheduled = Vec::new();
    for s in slots {
        let code = day_code(s.weekday);
        lessons.push(Lesson {
            id: s.key.clone(),
            teacher: format!("T{}", s.teacher_id),
            school: format!("S{}", s.school_id),
            minutes: s.minutes,
            pupils: s.pupils.iter().map(|p| format!("P{p}")).collect(),
            fixed: match (pin && s.pinned, code) {
                (true, Some(code)) => Some(Fixed {
                    day: code.to_owned(),
                    start: s.start,
                }),
                _ => None,
            },
            online: s.online,
        });
        match code.filter(|c| codes.contains(c)) {
            Some(code) => assignments.push(Assignment {
                lesson: s.key.clone(),
                day: code.to_owned(),
                start: s.start,
            }),
            None => unscheduled.push(s.key.clone()),
        }
    }
    let instance = Instance {
        version: 1,
        slot_minutes: SLOT_MINUTES,
        days: codes.iter().map(|c| c.to_string()).collect(),
        schools,
        travel_minutes: travel,
        teachers,
        lessons,
    };
    Ok((
        instance,
        Solution {
            assignments,
            unscheduled,
        },
    ))
}

/// Runs the solver's checker on `existing` with and without `candidate`, all on one day,
/// and names what the candidate breaks (what was already broken is not its fault), each
/// with the facts its sentence needs. `when` is the day the messages name.
pub fn rule_problems(facts: &Facts, existing: &[Slot], candidate: &Slot, when: When) -> Result<Vec<PlacementProblem>> {
    if candidate.minutes <= 0 || candidate.minutes % SLOT_MINUTES != 0 {
        return Ok(vec![PlacementProblem::Length]);
    }
    let days = [candidate.weekday];
    let check = |slots: &[Slot]| -> Result<Vec<Violation>> {
        let (instance, solution) = to_instance(facts, slots, &days, false)?;
        let report = tutti_solver::check(&instance, &solution)
            .map_err(|e| AllocationRefusal::RecordsIncomplete(e.to_string()))?;
        Ok(report.violations)
    };
    let before = check(existing)?;
    let mut all: Vec<Slot> = existing.to_vec();
    all.push(candidate.clone());
    let after = check(&all)?;
    let teacher = facts.teacher_name(candidate.teacher_id);
    let school = facts.school_name(candidate.school_id);
    let span = |s: &Slot| Span::new(s.start, s.end());
    let mut problems = Vec::new();
    for v in after.iter().filter(|v| !before.contains(v)) {
        let problem = match v.rule {
            1 if v.message.contains("availability") => {
                let hours: Vec<Span> = facts
                    .teachers
                    .get(&candidate.teacher_id)
                    .and_then(|t| t.available.get(&candidate.weekday))
                    .into_iter()
                    .flatten()
                    .map(|&(a, b)| Span::new(a, b))
                    .collect();
                if hours.is_empty() {
                    PlacementProblem::TeacherNotTeaching {
                        teacher: teacher.clone(),
                        when,
                    }
                } else {
                    PlacementProblem::TeacherUnavailable {
                        teacher: teacher.clone(),
                        lesson: span(candidate),
                        hours,
                        when,
                    }
                }
            }
            1 if v.message.contains("opening hours") => {
                let s = &facts.schools[&candidate.school_id];
                PlacementProblem::OutsideOpeningHours {
                    school: school.clone(),
                    opens: s.opens_minute as u16,
                    closes: s.closes_minute as u16,
                    lesson: span(candidate),
                }
            }
            1 => PlacementProblem::Step,
            2 => {
                // The checker names the later of two lessons in a row; find the pair.
                let mut day: Vec<&Slot> = all.iter().filter(|s| s.teacher_id == candidate.teacher_id).collect();
                day.sort_by(|a, b| (a.start, a.end(), &a.key).cmp(&(b.start, b.end(), &b.key)));
                let at = day.iter().position(|s| Some(s.key.as_str()) == v.lesson.as_deref());
                match at.filter(|&i| i > 0).map(|i| (day[i - 1], day[i])) {
                    Some((first, second)) if first.key == candidate.key || second.key == candidate.key => {
                        let other = if first.key == candidate.key { second } else { first };
                        if second.start < first.end() {
                            PlacementProblem::DoubleBooked {
                                teacher: teacher.clone(),
                                other: other.label.clone(),
                                other_school: facts.school_name(other.school_id),
                                other_span: span(other),
                                when,
                            }
                        } else {
                            let (a, b) = (&facts.schools[&first.school_id], &facts.schools[&second.school_id]);
                            PlacementProblem::TravelTime {
                                teacher: teacher.clone(),
                                needs: travel_minutes((a.id, &a.area), (b.id, &b.area)),
                                from: a.name.clone(),
                                to: b.name.clone(),
                                left: second.start - first.end(),
                                first: first.label.clone(),
                                first_ends: first.end() as u16,
                                second: second.label.clone(),
                                second_starts: second.start as u16,
                                when,
                            }
                        }
                    }
                    _ => PlacementProblem::Other(v.message.clone()),
                }
            }
            3 => PlacementProblem::RoomsFull {
                school: school.clone(),
                rooms: facts.schools[&candidate.school_id].rooms,
                lesson: span(candidate),
                when,
            },
            4 => {
                let mut clashes = Vec::new();
                for p in &candidate.pupils {
                    for other in all.iter().filter(|s| s.key != candidate.key && s.pupils.contains(p)) {
                        clashes.push(PupilClash {
                            pupil: facts
                                .pupil_names
                                .get(p)
                                .cloned()
                                .unwrap_or_else(|| Unnamed::Pupil.label(*p)),
                            lesson: other.label.clone(),
                            teacher: facts.teacher_name(other.teacher_id),
                            span: span(other),
                        });
                    }
                }
                PlacementProblem::PupilBusy { clashes, when }
            }
            _ => PlacementProblem::Other(v.message.clone()),
        };
        let says_nothing = match &problem {
            PlacementProblem::PupilBusy { clashes, .. } => clashes.is_empty(),
            PlacementProblem::Other(words) => words.is_empty(),
            _ => false,
        };
        if !says_nothing && !problems.contains(&problem) {
            problems.push(problem);
        }
    }
    Ok(problems)
}

/// An enrolment with no teaching group yet.
#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct AwaitingEnrolment {
    pub id: i64,
    pub pupil_id: i64,
    pub pupil_name: String,
    pub school_id: i64,
    pub school_name: String,
    pub instrument: String,
    pub lesson_type: String,
    pub minutes: i32,
    pub start_date: Date,
}

/// A teaching group as the allocation screen lists it.
#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct GroupSummary {
    pub id: i64,
    pub teacher_id: i64,
    pub teacher_name: String,
    pub school_id: i64,
    pub school_name: String,
    pub weekday: i32,
    pub start_minute: i32,
    pub minutes: i32,
    pub instrument: String,
    pub lesson_type: String,
    pub pinned: bool,
    pub online: bool,
    pub joining_link: Option<String>,
    pub pupils: i64,
}

/// A teacher the allocation screen offers.
#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct TeacherChoice {
    pub id: i64,
    pub name: String,
}

/// The problems found with the slots of one weekday around a candidate placement (a whole
/// class has no pupils of its own on record).
pub(crate) async fn placement_problems(
    conn: &impl ConnectionTrait,
    candidate: &Slot,
    today: Date,
) -> Result<Vec<PlacementProblem>> {
    let pupils = marks(candidate.pupils.len());
    let filter = format!(
        "g.weekday = ? AND g.id <> ? AND (g.teacher_id = ? OR g.school_id = ? OR g.id IN (SELECT gm2.group_id \
         FROM group_members gm2 JOIN enrolments e2 ON e2.id = gm2.enrolment_id WHERE e2.pupil_id IN ({pupils})))"
    );
    let mut params: Vec<Value> = vec![
        (candidate.weekday as i32).into(),
        candidate.group_id.into(),
        candidate.teacher_id.into(),
        candidate.school_id.into(),
    ];
    params.extend(ids(&candidate.pupils));
    let existing = group_slots(conn, &filter, params, today).await?;
    let mut schools: Vec<i64> = existing.iter().map(|s| s.school_id).collect();
    schools.push(candidate.school_id);
    let mut teachers: Vec<i64> = existing.iter().map(|s| s.teacher_id).collect();
    teachers.push(candidate.teacher_id);
    let facts = Facts::load(conn, Some(&schools), Some(&teachers), &candidate.pupils).await?;
    if !facts.schools.contains_key(&candidate.school_id) || !facts.teachers.contains_key(&candidate.teacher_id) {
        return Err(AllocationRefusal::UnknownTeacherOrSchool.into());
    }
    rule_problems(&facts, &existing, candidate, When::Weekly(candidate.weekday))
}

#[derive(FromQueryResult)]
struct EnrolmentFacts {
    pupil_id: i64,
    grouped: i64,
}

async fn enrolment_facts(conn: &impl ConnectionTrait, enrolments: &[i64]) -> Result<Vec<EnrolmentFacts>> {
    let rows = all_of::<EnrolmentFacts>(
        conn,
        &format!(
            "SELECT e.pupil_id, \
             (SELECT COUNT(*) FROM group_members gm WHERE gm.enrolment_id = e.id) AS grouped \
             FROM enrolments e WHERE e.id IN ({})",
            marks(enrolments.len())
        ),
        ids(enrolments),
    )
    .await?;
    if rows.len() != enrolments.iter().collect::<BTreeSet<_>>().len() {
        return Err(AllocationRefusal::NoSuchEnrolment.into());
    }
    if rows.iter().any(|r| r.grouped > 0) {
        return Err(LessonRefusal::AlreadyInGroup.into());
    }
    Ok(rows)
}

/// One text column (`instrument`, `lesson_type`) of teaching group `id`, if there is one.
async fn group_text(conn: &impl ConnectionTrait, id: i64, column: &str) -> Result<Option<String>> {
    let sql = format!("SELECT {column} FROM teaching_groups WHERE id = ?");
    let row = conn
        .query_one_raw(stmt(conn.get_database_backend(), &sql, [id.into()]))
        .await?;
    Ok(row.map(|r| r.try_get::<String>("", column)).transpose()?)
}

/// Narrows a list to one school and one instrument (either may be absent, a blank
/// instrument too): `school` is the alias of the table with the `school_id`, `instrument`
/// that of the table with the instrument.
fn narrow(
    sql: &mut String,
    params: &mut Vec<Value>,
    (school, instrument_of): (&str, &str),
    school_id: Option<i64>,
    instrument: Option<&str>,
) {
    if let Some(s) = school_id {
        sql.push_str(&format!(" AND {school}.school_id = ?"));
        params.push(s.into());
    }
    if let Some(i) = instrument.filter(|i| !i.trim().is_empty()) {
        sql.push_str(&format!(" AND LOWER({instrument_of}.instrument) = LOWER(?)"));
        params.push(i.trim().into());
    }
}

#[tutti_boxed::boxed]
impl Store {
    /// Enrolments not yet in a teaching group and still running, optionally for one school
    /// (the pupil's) and one instrument.
    pub async fn awaiting_allocation(
        &self,
        school_id: Option<i64>,
        instrument: Option<&str>,
    ) -> Result<Vec<AwaitingEnrolment>> {
        let mut sql = "SELECT e.id, e.pupil_id, p.first_name || ' ' || p.last_name AS pupil_name, p.school_id, \
                       s.name AS school_name, e.instrument, e.lesson_type, e.minutes, e.start_date \
                       FROM enrolments e JOIN pupils p ON p.id = e.pupil_id JOIN schools s ON s.id = p.school_id \
                       WHERE NOT EXISTS (SELECT 1 FROM group_members gm WHERE gm.enrolment_id = e.id) \
                       AND (e.end_date IS NULL OR e.end_date >= ?)"
            .to_owned();
        let mut params: Vec<Value> = vec![self.today().into()];
        narrow(&mut sql, &mut params, ("p", "e"), school_id, instrument);
        sql.push_str(" ORDER BY s.name, e.instrument, e.start_date, e.id LIMIT 500");
        all_of(self.conn(), &sql, params).await
    }

    /// Teaching groups at one school (or all), for adding pupils to or pinning.
    pub async fn group_summaries(&self, school_id: Option<i64>, instrument: Option<&str>) -> Result<Vec<GroupSummary>> {
        let mut sql = "SELECT g.id, g.teacher_id, t.first_name || ' ' || t.last_name AS teacher_name, g.school_id, \
                       s.name AS school_name, g.weekday, g.start_minute, g.minutes, g.instrument, g.lesson_type, \
                       g.pinned, g.online, g.joining_link, \
                       (SELECT COUNT(*) FROM group_members gm WHERE gm.group_id = g.id) AS pupils \
                       FROM teaching_groups g JOIN staff t ON t.id = g.teacher_id JOIN schools s ON s.id = g.school_id \
                       WHERE 1 = 1"
            .to_owned();
        let mut params: Vec<Value> = Vec::new();
        narrow(&mut sql, &mut params, ("g", "g"), school_id, instrument);
        sql.push_str(" ORDER BY g.weekday, g.start_minute, g.id LIMIT 300");
        all_of(self.conn(), &sql, params).await
    }

    /// The teachers the office can place pupils with.
    pub async fn teacher_choices(&self) -> Result<Vec<TeacherChoice>> {
        all_of::<TeacherChoice>(
            self.conn(),
            "SELECT id, first_name || ' ' || last_name AS name FROM staff WHERE archived_at IS NULL \
             ORDER BY last_name, first_name, id",
            Vec::<Value>::new(),
        )
        .await
    }

    /// Places enrolments in a new teaching group after checking every hard rule around it;
    /// a placement that breaks one is refused with the reasons. The group's dated lessons
    /// are made from today to the end of the year. Returns the group's id.
    pub async fn place_enrolments(&self, actor: &Actor, group: &NewGroup) -> Result<i64> {
        if weekday(group.weekday).is_none() {
            return Err(LessonRefusal::Weekday.into());
        }
        if group.enrolment_ids.is_empty() {
            return Err(AllocationRefusal::NoEnrolments.into());
        }
        let txn = self.write().await?;
        let facts = enrolment_facts(&txn, &group.enrolment_ids).await?;
        let candidate = Slot {
            key: "NEW".into(),
            group_id: -1,
            teacher_id: group.teacher_id,
            school_id: group.school_id,
            weekday: group.weekday,
            start: group.start_minute as i64,
            minutes: group.minutes as i64,
            pupils: facts.iter().map(|f| f.pupil_id).collect(),
            label: lesson_label(&group.instrument, group.lesson_type.as_str()),
            pinned: false,
            online: false,
        };
        refuse_problems(placement_problems(&txn, &candidate, self.today()).await?)?;
        let id = crate::teaching::lessons::create_group_in(&txn, actor, group).await?;
        generate_for_teachers(&txn, &[group.teacher_id], self.today()).await?;
        txn.commit().await?;
        Ok(id)
    }

    /// Adds enrolments to an existing group, within its lesson type's size and the rules (a
    /// pupil's two lessons on one day).
    pub async fn add_to_group(&self, actor: &Actor, group_id: i64, enrolment_ids: &[i64]) -> Result<()> {
        if enrolment_ids.is_empty() {
            return Err(AllocationRefusal::NoEnrolments.into());
        }
        let txn = self.write().await?;
        let mut slot = group_slots(&txn, "g.id = ?", vec![group_id.into()], self.today())
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        let facts = enrolment_facts(&txn, enrolment_ids).await?;
        let kind_text = group_text(&txn, group_id, "lesson_type").await?.unwrap_or_default();
        let kind: LessonType = kind_text.parse().unwrap_or(LessonType::Group);
        check_group_room(kind, slot.pupils.len(), facts.len())?;
        slot.pupils.extend(facts.iter().map(|f| f.pupil_id));
        refuse_problems(placement_problems(&txn, &slot, self.today()).await?)?;
        let rows = enrolment_ids
            .iter()
            .map(|e| vec![group_id.into(), (*e).into()])
            .collect();
        crate::teaching::lessons::insert_rows(&txn, "group_members", &["group_id", "enrolment_id"], rows).await?;
        crate::teaching::lessons::sync_enrolments_with_groups(&txn, &[group_id]).await?;
        audit::record(
            &txn,
            actor,
            Action::Update,
            "teaching_group",
            Some(group_id),
            format!("added enrolments {enrolment_ids:?}"),
        )
        .await?;
        generate_for_teachers(&txn, &[slot.teacher_id], self.today()).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Pins a group where it is (a proposed timetable leaves it alone), or unpins it.
    pub async fn set_group_pinned(&self, actor: &Actor, group_id: i64, pinned: bool) -> Result<()> {
        let txn = self.write().await?;
        let detail = if pinned { "pinned" } else { "unpinned" };
        update_group(txn, actor, group_id, "pinned = ?", vec![pinned.into()], detail).await
    }

    /// Makes a group taught online (over a video call at `joining_link`) or at its school
    /// again. Online relaxes the timetable's rules (no room, hours or travel); coming back
    /// to the school is checked against them as a new placement would be, and refused with
    /// the reasons when it breaks one.
    pub async fn set_group_online(&self, actor: &Actor, group_id: i64, online: bool, joining_link: &str) -> Result<()> {
        let link = tutti_domain::online::joining_link(online, joining_link).map_err(LessonRefusal::from)?;
        let txn = self.write().await?;
        let mut slot = group_slots(&txn, "g.id = ?", vec![group_id.into()], self.today())
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        if slot.online && !online {
            slot.online = false;
            refuse_problems(placement_problems(&txn, &slot, self.today()).await?)?;
        }
        let detail = if online { "taught online" } else { "taught at school" };
        let values = vec![online.into(), link.into()];
        update_group(txn, actor, group_id, "online = ?, joining_link = ?", values, detail).await
    }

    /// Records when a teacher can teach on one weekday, replacing what was there. The first
    /// recorded day replaces the default for the whole week: the other days keep the default,
    /// so that recording Monday does not take Tuesday away. The week is saved as
    /// `set_week_availability` saves it, with its checks and its audit.
    pub async fn set_availability(
        &self,
        actor: &Actor,
        staff_id: i64,
        weekday_number: u8,
        intervals: &[(u16, u16)],
    ) -> Result<()> {
        if weekday(weekday_number).is_none() {
            return Err(AllocationRefusal::Weekday.into());
        }
        let mut week = self.availability(staff_id).await?.ok_or(StoreError::NotFound)?.week;
        week.insert(weekday_number, intervals.to_vec());
        self.set_week_availability(actor, staff_id, &week).await?;
        Ok(())
    }
}

#[derive(FromQueryResult)]
struct MovingPupil {
    name: String,
    enrolment_id: Option<i64>,
}

#[derive(FromQueryResult)]
struct OldGroup {
    group_id: i64,
    teacher_id: i64,
}

#[tutti_boxed::boxed]
impl Store {
    /// Moves pupils into a group, and so to its teacher, day and time: each pupil's current
    /// enrolment on the group's instrument leaves the group it was in and joins this one,
    /// within the group's size and the rules. All or none (decision 75): a pupil not learning
    /// the instrument, or a rule the move would break, refuses the whole move, naming them.
    /// Returns how many moved (pupils already in the group stay, and are not counted).
    pub async fn move_pupils_to_group(&self, actor: &Actor, group_id: i64, pupil_ids: &[i64]) -> Result<usize> {
        use tutti_domain::records::RecordRefusal;
        let pupil_ids: Vec<i64> = pupil_ids.iter().copied().collect::<BTreeSet<_>>().into_iter().collect();
        if pupil_ids.is_empty() {
            return Err(RecordRefusal::NoPupilsChosen.into());
        }
        let txn = self.write().await?;
        let backend = txn.get_database_backend();
        let instrument = group_text(&txn, group_id, "instrument")
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut values: Vec<Value> = vec![instrument.clone().into()];
        values.extend(ids(&pupil_ids));
        let pupils = all_of::<MovingPupil>(
            &txn,
            &format!(
                "SELECT p.first_name || ' ' || p.last_name AS name, \
                 (SELECT MIN(e.id) FROM enrolments e WHERE e.pupil_id = p.id AND LOWER(e.instrument) = LOWER(?) \
                  AND e.status IN ('active', 'leaving', 'awaiting')) AS enrolment_id \
                 FROM pupils p WHERE p.id IN ({}) ORDER BY p.last_name, p.first_name, p.id",
                marks(pupil_ids.len())
            ),
            values,
        )
        .await?;
        if pupils.len() != pupil_ids.len() {
            return Err(StoreError::NotFound);
        }
        let mut enrolments = Vec::new();
        for p in &pupils {
            match p.enrolment_id {
                Some(e) => enrolments.push(e),
                None => {
                    return Err(RecordRefusal::NotLearning {
                        pupil: p.name.clone(),
                        instrument: instrument.clone(),
                    }
                    .into());
                }
            }
        }
        let mut params = ids(&enrolments);
        params.push(group_id.into());
        let old = all_of::<OldGroup>(&txn, &format!(
                "SELECT DISTINCT gm.group_id, g.teacher_id FROM group_members gm JOIN teaching_groups g ON g.id = gm.group_id \
                 WHERE gm.enrolment_id IN ({}) AND gm.group_id <> ?",
                marks(enrolments.len())
            ), params.clone()).await?;
        txn.execute_raw(stmt(
            backend,
            &format!(
                "DELETE FROM group_members WHERE enrolment_id IN ({}) AND group_id <> ?",
                marks(enrolments.len())
            ),
            params,
        ))
        .await?;
        // Those already in the group stay where they are.
        let already: BTreeSet<i64> = txn
            .query_all_raw(stmt(
                backend,
                "SELECT enrolment_id FROM group_members WHERE group_id = ?",
                [group_id.into()],
            ))
            .await?
            .iter()
            .map(|r| r.try_get::<i64>("", "enrolment_id"))
            .collect::<std::result::Result<_, _>>()?;
        let moving: Vec<i64> = enrolments.into_iter().filter(|e| !already.contains(e)).collect();
        if moving.is_empty() {
            txn.commit().await?;
            return Ok(0);
        }
        let mut slot = group_slots(&txn, "g.id = ?", vec![group_id.into()], self.today())
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        let facts = enrolment_facts(&txn, &moving).await?;
        let kind_text = group_text(&txn, group_id, "lesson_type")
            .await?
            .ok_or(StoreError::NotFound)?;
        let kind: LessonType = kind_text.parse().unwrap_or(LessonType::Group);
        check_group_room(kind, slot.pupils.len(), facts.len())?;
        slot.pupils.extend(facts.iter().map(|f| f.pupil_id));
        refuse_problems(placement_problems(&txn, &slot, self.today()).await?)?;
        let rows = moving.iter().map(|e| vec![group_id.into(), (*e).into()]).collect();
        crate::teaching::lessons::insert_rows(&txn, "group_members", &["group_id", "enrolment_id"], rows).await?;
        let mut groups: Vec<i64> = old.iter().map(|o| o.group_id).collect();
        groups.push(group_id);
        crate::teaching::lessons::sync_enrolments_with_groups(&txn, &groups).await?;
        let what = format!(
            "moved in enrolments {moving:?} (from groups {:?})",
            groups[..groups.len() - 1].to_vec()
        );
        audit::record(&txn, actor, Action::Update, "teaching_group", Some(group_id), what).await?;
        let mut teachers: Vec<i64> = old.iter().map(|o| o.teacher_id).collect();
        teachers.push(slot.teacher_id);
        teachers.sort_unstable();
        teachers.dedup();
        generate_for_teachers(&txn, &teachers, self.today()).await?;
        txn.commit().await?;
        Ok(moving.len())
    }
}

/// Sets `assignments` (SQL with a `?` per value of `values`) on one teaching group, audits
/// it with `detail` and commits.
async fn update_group(
    txn: sea_orm::DatabaseTransaction,
    actor: &Actor,
    group_id: i64,
    assignments: &str,
    mut values: Vec<Value>,
    detail: &str,
) -> Result<()> {
    values.push(group_id.into());
    update_one(
        &txn,
        &format!("UPDATE teaching_groups SET {assignments} WHERE id = ?"),
        values,
    )
    .await?;
    audit::commit(txn, actor, Action::Update, "teaching_group", Some(group_id), detail).await?;
    Ok(())
}
