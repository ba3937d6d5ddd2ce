//! Proposed timetables: the office asks for one for a term, the solver runs in the
//! background for the chosen time with pinned groups fixed, and the office sees each group
//! that would move and the cost before and after (the solver's checker scores both), then
//! accepts it in one transaction that moves the groups and re-dates their lessons.
use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
pub use tutti_domain::allocation::ProposalStatus;
use tutti_domain::allocation::{AllocationRefusal, check_proposal_seconds, day_code};
use tutti_domain::calendar::{TermId, default_dates_of};
use tutti_domain::lessons::LessonStatus;
use tutti_solver::{Report, SolveOptions};

use crate::error::{Result, StoreError, stored};
use crate::platform::audit::{self, Action, Actor};
use crate::query::{one_of, stmt};
use crate::teaching::allocation::{Facts, Slot, group_slots, to_instance};
use crate::teaching::lessons::generate_for_teachers;
use crate::{Store, now};

/// The longest a proposal may run, in seconds.
pub const MAX_SECONDS: u32 = 120;

/// The share of the chosen time the search gets: loading the hub and saving the result take
/// the rest, so that the proposal is ready within the time the office chose.
const SEARCH_SHARE: f64 = 0.8;

/// What moving one group costs the search (never the cost shown): a proposal starts from
/// the current timetable and moves a group only when that saves at least this much of the
/// cost (minutes) per group moved (decision 0057).
const MOVE_PENALTY: i64 = 5;

/// What a timetable costs, in TIMETABLING.md's terms.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostParts {
    pub cost: i64,
    pub travel: i64,
    pub idle: i64,
    pub visits: i64,
    pub unplaced: i64,
    /// Broken hard rules (the current timetable may have some; a proposal never does).
    pub broken_rules: i64,
}

impl From<&Report> for CostParts {
    fn from(r: &Report) -> Self {
        CostParts {
            cost: r.cost,
            travel: r.travel,
            idle: r.idle,
            visits: r.visits,
            unplaced: r.unscheduled,
            broken_rules: r.violations.len() as i64,
        }
    }
}

/// One group that a proposal moves (or could not place: `after` is None, and it keeps its
/// current time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMove {
    pub group_id: i64,
    pub label: String,
    pub teacher: String,
    pub school: String,
    pub before: (u8, u16),
    pub after: Option<(u8, u16)>,
}

/// A finished proposal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProposalResult {
    pub before: CostParts,
    pub after: CostParts,
    pub groups: usize,
    pub pinned: usize,
    pub moves: Vec<GroupMove>,
    pub solve_seconds: f64,
}

/// A proposal as the office sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposal {
    pub id: i64,
    pub term: String,
    pub seconds: i32,
    pub status: ProposalStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub result: Option<ProposalResult>,
    pub error: Option<String>,
}

impl Proposal {
    /// The share of the chosen time gone, 0 to 1 (1 once it is no longer running).
    pub fn progress(&self) -> f64 {
        if self.status != ProposalStatus::Running {
            return 1.0;
        }
        let elapsed = (now() - self.created_at).as_seconds_f64();
        (elapsed / self.seconds.max(1) as f64).clamp(0.0, 0.99)
    }
}

#[derive(FromQueryResult)]
struct ProposalRow {
    id: i64,
    term: String,
    seconds: i32,
    status: String,
    created_at: OffsetDateTime,
    result: Option<String>,
    error: Option<String>,
}

/// Past its chosen time by this much, a proposal still running was lost (its process
/// stopped): it is shown as failed, so that its page stops refreshing.
const LOST_AFTER_SECONDS: f64 = 120.0;

impl ProposalRow {
    fn into_proposal(self) -> Result<Proposal> {
        let status = stored(&self.status, ProposalStatus::parse)?;
        let lost = status == ProposalStatus::Running
            && (now() - self.created_at).as_seconds_f64() > self.seconds as f64 + LOST_AFTER_SECONDS;
        Ok(Proposal {
            id: self.id,
            term: self.term,
            seconds: self.seconds,
            status: if lost { ProposalStatus::Failed } else { status },
            created_at: self.created_at,
            result: self.result.and_then(|r| serde_json::from_str(&r).ok()),
            error: if lost {
                Some(AllocationRefusal::SearchLost.to_string())
            } else {
                self.error
            },
        })
    }
}

/// The first day of a term (the default calendar's: schools' own dates differ by days).
fn term_start(term: TermId) -> Date {
    default_dates_of(term).dates.first
}

fn term_last(term: TermId) -> Date {
    default_dates_of(term).dates.last
}

/// The groups taught in `term`: those with a pupil enrolled during it, and the whole-class
/// programmes schools bought for its year (decision 0094).
async fn term_slots(conn: &impl ConnectionTrait, term: TermId, today: Date) -> Result<Vec<Slot>> {
    group_slots(
        conn,
        "(EXISTS (SELECT 1 FROM group_members gm3 JOIN enrolments e3 ON e3.id = gm3.enrolment_id \
         WHERE gm3.group_id = g.id AND e3.start_date <= ? AND (e3.end_date IS NULL OR e3.end_date >= ?)) \
         OR EXISTS (SELECT 1 FROM service_orders o3 WHERE o3.teaching_group_id = g.id \
         AND o3.status = 'confirmed' AND o3.academic_year = ?))",
        vec![
            term_last(term).into(),
            term_start(term).into(),
            term.year.to_string().into(),
        ],
        today,
    )
    .await
}

fn parse_day(code: &str) -> Option<u8> {
    (1..=5u8).find(|&d| day_code(d) == Some(code))
}

/// The solve itself, off the async runtime: builds the instance, scores the current
/// timetable, solves with pinned groups fixed and scores the result with the checker.
fn solve_term(facts: &Facts, slots: &[Slot], seconds: f64, started: Instant) -> Result<ProposalResult> {
    let (instance, current) = to_instance(facts, slots, &[1, 2, 3, 4, 5], true)?;
    let invalid = |e: tutti_solver::InstanceError| AllocationRefusal::ProposalRecordsIncomplete(e.to_string());
    let before = tutti_solver::check(&instance, &current).map_err(invalid)?;
    let mut options = SolveOptions::new(seconds * SEARCH_SHARE, 1);
    options.started = Some(started);
    options.start = Some(current);
    options.move_penalty = MOVE_PENALTY;
    let solving = Instant::now();
    let solved = tutti_solver::solve(&instance, &options).map_err(invalid)?;
    let solve_seconds = solving.elapsed().as_secs_f64();
    let after = tutti_solver::check(&instance, &solved.solution).map_err(invalid)?;
    if !after.valid {
        let rule = after.violations.first().map(|v| v.message.clone()).unwrap_or_default();
        return Err(AllocationRefusal::SolverBrokeRule(rule).into());
    }
    let placed: HashMap<&str, (u8, u16)> = solved
        .solution
        .assignments
        .iter()
        .filter_map(|a| Some((a.lesson.as_str(), (parse_day(&a.day)?, a.start as u16))))
        .collect();
    let mut moves = Vec::new();
    for s in slots {
        let before = (s.weekday, s.start as u16);
        let after = placed.get(s.key.as_str()).copied();
        if after != Some(before) {
            moves.push(GroupMove {
                group_id: s.group_id,
                label: s.label.clone(),
                teacher: facts
                    .teachers
                    .get(&s.teacher_id)
                    .map(|t| t.name.clone())
                    .unwrap_or_default(),
                school: facts
                    .schools
                    .get(&s.school_id)
                    .map(|t| t.name.clone())
                    .unwrap_or_default(),
                before,
                after,
            });
        }
    }
    moves.sort_by(|a, b| (&a.teacher, a.before, a.group_id).cmp(&(&b.teacher, b.before, b.group_id)));
    Ok(ProposalResult {
        before: CostParts::from(&before),
        after: CostParts::from(&after),
        groups: slots.len(),
        pinned: slots.iter().filter(|s| s.pinned).count(),
        moves,
        solve_seconds,
    })
}

#[tutti_boxed::boxed]
impl Store {
    /// Records a request for a proposed timetable for `term`, to run for `seconds`; the
    /// caller starts [`Store::run_proposal`] in the background. Returns its id.
    pub async fn request_proposal(&self, actor: &Actor, term: TermId, seconds: u32) -> Result<i64> {
        check_proposal_seconds(seconds, MAX_SECONDS)?;
        let txn = self.write().await?;
        let row = txn
            .query_one_raw(stmt(
                txn.get_database_backend(),
                "INSERT INTO timetable_proposals (term, seconds, status, requested_by, created_at) \
                 VALUES (?, ?, ?, ?, ?) RETURNING id",
                [
                    term.to_string().into(),
                    (seconds as i32).into(),
                    ProposalStatus::Running.as_str().into(),
                    actor.user_id.into(),
                    now().into(),
                ],
            ))
            .await?
            .ok_or(StoreError::NotFound)?;
        let id: i64 = row.try_get("", "id")?;
        let summary = format!("{term}, {seconds} s");
        audit::commit(txn, actor, Action::Create, "timetable_proposal", Some(id), summary).await?;
        Ok(id)
    }

    /// Runs a requested proposal to the end and saves what it found (or why it failed).
    pub async fn run_proposal(&self, id: i64) -> Result<()> {
        let started = Instant::now();
        let outcome = self.solve_proposal(id, started).await;
        let (status, result, error) = match outcome {
            Ok(r) => (
                ProposalStatus::Ready,
                Some(serde_json::to_string(&r).unwrap_or_default()),
                None,
            ),
            Err(e) => (ProposalStatus::Failed, None, Some(e.to_string())),
        };
        let txn = self.write().await?;
        txn.execute_raw(stmt(
            txn.get_database_backend(),
            "UPDATE timetable_proposals SET status = ?, finished_at = ?, result = ?, error = ? WHERE id = ?",
            [
                status.as_str().into(),
                now().into(),
                result.into(),
                error.into(),
                id.into(),
            ],
        ))
        .await?;
        txn.commit().await?;
        Ok(())
    }

    async fn solve_proposal(&self, id: i64, started: Instant) -> Result<ProposalResult> {
        let p = self.proposal(id).await?;
        let term = TermId::parse(&p.term).map_err(|_| AllocationRefusal::UnknownTerm)?;
        let slots = term_slots(self.conn(), term, self.today()).await?;
        let facts = Facts::load(self.conn(), None, None, &[]).await?;
        let seconds = p.seconds as f64;
        tokio::task::spawn_blocking(move || solve_term(&facts, &slots, seconds, started))
            .await
            .map_err(|e| AllocationRefusal::SolverStopped(e.to_string()))?
    }

    /// One proposal.
    pub async fn proposal(&self, id: i64) -> Result<Proposal> {
        one_of::<ProposalRow>(
            self.conn(),
            "SELECT id, term, seconds, status, created_at, result, error FROM timetable_proposals WHERE id = ?",
            [id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?
        .into_proposal()
    }

    /// Accepts a ready proposal in one transaction: each moved group gets its new day and
    /// time, and the future dated lessons of the teachers concerned in and after the term
    /// are made again at their real (rotated) times. Lessons already marked, missed or
    /// made up stay as they are. Refused if a moved group changed since the proposal.
    pub async fn accept_proposal(&self, actor: &Actor, id: i64) -> Result<usize> {
        let txn = self.write().await?;
        let backend = txn.get_database_backend();
        let row = one_of::<ProposalRow>(
            &txn,
            "SELECT id, term, seconds, status, created_at, result, error FROM timetable_proposals WHERE id = ?",
            [id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?
        .into_proposal()?;
        let Some(result) = row.result.filter(|_| row.status == ProposalStatus::Ready) else {
            return Err(AllocationRefusal::ProposalNotReady.into());
        };
        let term = TermId::parse(&row.term).map_err(|_| AllocationRefusal::UnknownTerm)?;
        let moves: Vec<&GroupMove> = result.moves.iter().filter(|m| m.after.is_some()).collect();
        let groups: Vec<i64> = moves.iter().map(|m| m.group_id).collect();
        let current: HashMap<i64, Slot> = group_slots(
            &txn,
            &format!("g.id IN ({})", crate::query::marks(groups.len())),
            if groups.is_empty() {
                vec![(-1i64).into()]
            } else {
                groups.iter().map(|&g| g.into()).collect()
            },
            self.today(),
        )
        .await?
        .into_iter()
        .map(|s| (s.group_id, s))
        .collect();
        let mut teachers = BTreeSet::new();
        for m in &moves {
            let Some(now_at) = current.get(&m.group_id) else {
                return Err(AllocationRefusal::ProposalGroupGone.into());
            };
            if (now_at.weekday, now_at.start as u16) != m.before {
                return Err(AllocationRefusal::TimetableChanged.into());
            }
            teachers.insert(now_at.teacher_id);
        }
        // A few hundred groups per statement: a Durham-sized proposal moves thousands.
        for chunk in moves.chunks(300) {
            let mut params: Vec<Value> = Vec::new();
            let mut days = String::new();
            let mut starts = String::new();
            for m in chunk {
                let (day, _) = m.after.expect("filtered");
                days.push_str(" WHEN ? THEN ?");
                params.push(m.group_id.into());
                params.push((day as i32).into());
            }
            for m in chunk {
                let (_, start) = m.after.expect("filtered");
                starts.push_str(" WHEN ? THEN ?");
                params.push(m.group_id.into());
                params.push((start as i32).into());
            }
            params.extend(chunk.iter().map(|m| Value::from(m.group_id)));
            txn.execute_raw(stmt(
                backend,
                &format!(
                    "UPDATE teaching_groups SET weekday = CASE id{days} END, start_minute = CASE id{starts} END \
                     WHERE id IN ({})",
                    crate::query::marks(chunk.len())
                ),
                params,
            ))
            .await?;
        }
        let moved: Vec<i64> = moves.iter().map(|m| m.group_id).collect();
        crate::teaching::lessons::sync_enrolments_with_groups(&txn, &moved).await?;
        let teachers: Vec<i64> = teachers.into_iter().collect();
        let from = self.today().max(term_start(term));
        if !teachers.is_empty() {
            // Lessons still to come and untouched are re-dated; marked ones are history.
            let list = crate::query::marks(teachers.len());
            let mut params: Vec<Value> = vec![from.into(), LessonStatus::Scheduled.as_str().into()];
            params.extend(teachers.iter().map(|&t| Value::from(t)));
            txn.execute_raw(stmt(
                backend,
                &format!(
                    "DELETE FROM dated_lessons WHERE day >= ? AND status = ? AND make_up_of IS NULL \
                     AND NOT EXISTS (SELECT 1 FROM register_marks r WHERE r.dated_lesson_id = dated_lessons.id) \
                     AND NOT EXISTS (SELECT 1 FROM dated_lessons m WHERE m.make_up_of = dated_lessons.id) \
                     AND group_id IN (SELECT id FROM teaching_groups WHERE teacher_id IN ({list}))"
                ),
                params,
            ))
            .await?;
            generate_for_teachers(&txn, &teachers, from).await?;
        }
        txn.execute_raw(stmt(
            backend,
            "UPDATE timetable_proposals SET status = ? WHERE id = ?",
            [ProposalStatus::Accepted.as_str().into(), id.into()],
        ))
        .await?;
        let summary = format!("accepted: {} groups moved", moves.len());
        audit::commit(txn, actor, Action::Update, "timetable_proposal", Some(id), summary).await?;
        Ok(moves.len())
    }
}
