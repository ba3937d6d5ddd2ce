//! The solver's working timetable: each teacher-day as an ordered sequence of lessons,
//! the start times that sequence gets, the rooms its visits hold, and its cost.
//!
//! A teacher-day's cost depends only on its own sequence, so moves re-time just the
//! days they touch. Rooms couple teachers at a school: timing a day checks the visits
//! of every other teacher already holding rooms there. Every visit is timed as one
//! back-to-back block inside one window, so rotating its lessons (TIMETABLING.md's
//! rotation) can never leave the window.
//!
//! Pinned lessons (`Lesson::fixed`) anchor their visit: the visit's lessons before the
//! first pinned one pack back to back up to it, each pinned lesson starts at its pinned
//! minute, and the others pack after the lesson before them. Such a visit may have gaps;
//! it holds its room for its whole span, as the checker counts it.
use crate::check::{UNSCHEDULED_COST, VISIT_COST};
use crate::instance::Instance;
use crate::model::Model;
use crate::solution::{Assignment, Solution};

/// A visit holding a room: `[from, to)` at one school on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occupancy {
    pub from: i32,
    pub to: i32,
    pub teacher: u32,
}

#[derive(Debug, Clone)]
pub struct Schedule {
    /// Row `teacher * days + day`: the lessons in teaching order.
    pub seqs: Vec<Vec<u32>>,
    pub day_cost: Vec<i64>,
    pub start: Vec<i32>,
    /// The lesson's day, or -1 while it is unscheduled.
    pub day: Vec<i8>,
    /// Row `school * days + day`: the visits holding rooms there.
    pub occupancy: Vec<Vec<Occupancy>>,
    pub unscheduled: usize,
    pub cost: i64,
}

/// Where the timing of one visit put it.
#[derive(Debug, Clone, Copy)]
struct VisitSlot {
    first: usize,
    last: usize,
    school: u32,
    window_to: i32,
    start: i32,
    end: i32,
    pinned: bool,
    /// Placed at its first lesson's starting minute: a warm start leaves it there.
    at_origin: bool,
}

/// Times teacher-day sequences. Holds scratch buffers so that timing allocates nothing.
#[derive(Debug, Default, Clone)]
pub struct Timer {
    visits: Vec<VisitSlot>,
    /// The start of each lesson of the last sequence timed successfully.
    pub starts: Vec<i32>,
    /// The starts of the other timing tried for a warm start.
    kept: Vec<i32>,
    /// A deterministic measure of the work done: lessons and visits timed.
    pub work: u64,
}

/// The earliest minute at or after which a visit `[a, b)` might fit, when it does not
/// fit now: the first end among the visits it collides with. `None` when it fits.
#[inline]
pub(crate) fn room_clash(list: &[Occupancy], rooms: u32, teacher: u32, a: i32, b: i32) -> Option<i32> {
    let mut overlapping = 0u32;
    let mut first_end = i32::MAX;
    for o in list {
        if o.teacher != teacher && o.from < b && o.to > a {
            overlapping += 1;
            first_end = first_end.min(o.to);
        }
    }
    if overlapping < rooms {
        return None;
    }
    if rooms > 1 {
        // Enough overlapping visits, but they may not all be in progress at once.
        let points = std::iter::once(a).chain(
            list.iter()
                .filter(|o| o.teacher != teacher && o.from > a && o.from < b)
                .map(|o| o.from),
        );
        let peak = points
            .map(|p| {
                list.iter()
                    .filter(|o| o.teacher != teacher && o.from <= p && p < o.to)
                    .count() as u32
            })
            .max()
            .unwrap_or(0);
        if peak < rooms {
            return None;
        }
    }
    Some(first_end)
}

impl Timer {
    /// Times `seq` as teacher `teacher`'s lessons on `day`, in that order, against the
    /// rooms other teachers hold. Returns the day's cost, with the starts in
    /// `self.starts`, or `None` when no timing was found.
    pub fn time(
        &mut self,
        model: &Model,
        occupancy: &[Vec<Occupancy>],
        teacher: u32,
        day: usize,
        seq: &[u32],
    ) -> Option<i64> {
        let packed = self.time_as(model, occupancy, teacher, day, seq, false);
        // A warm start also tries leaving visits where they started, so that touching a
        // day does not shift its other lessons for nothing; the cheaper timing (moves
        // included) wins.
        if !model.warm() || !seq.iter().any(|&l| model.origin[l as usize].0 == day as i8) {
            return packed;
        }
        std::mem::swap(&mut self.starts, &mut self.kept);
        let near = self.time_as(model, occupancy, teacher, day, seq, true);
        match (packed, near) {
            (Some(a), Some(b)) if b < a => Some(b),
            (None, b) => b,
            (a, _) => {
                std::mem::swap(&mut self.starts, &mut self.kept);
                a
            }
        }
    }

    /// One timing of `seq`: every visit at its earliest, or with `near_origin` each visit
    /// no earlier than its first lesson's starting minute when that is on this day.
    fn time_as(
        &mut self,
        model: &Model,
        occupancy: &[Vec<Occupancy>],
        teacher: u32,
        day: usize,
        seq: &[u32],
        near_origin: bool,
    ) -> Option<i64> {
        self.visits.clear();
        self.starts.clear();
        let n = seq.len();
        self.work += n as u64 + 1;
        if n == 0 {
            self.starts.clear();
            return Some(0);
        }
        let mut i = 0;
        let mut ready = 0;
        let mut previous: Option<u32> = None;
        while i < n {
            let first = model.lessons[seq[i] as usize];
            let school = first.school;
            let mut length = first.minutes;
            let mut j = i + 1;
            while j < n && model.lessons[seq[j] as usize].school == school {
                length += model.lessons[seq[j] as usize].minutes;
                j += 1;
            }
            let earliest = ready + model.travel_after(previous, school);
            let windows = model.windows(first.pair, day);
            let rooms = model.rooms[school as usize];
            let held = &occupancy[school as usize * model.days + day];
            let block = &seq[i..j];
            let anchor = block.iter().position(|&l| model.lessons[l as usize].fixed_day >= 0);
            let (start, end, window_to) = match anchor {
                Some(k) => {
                    let before: i32 = block[..k].iter().map(|&l| model.lessons[l as usize].minutes).sum();
                    let start = model.lessons[block[k] as usize].fixed_start - before;
                    let mut at = start;
                    for &l in block {
                        let info = model.lessons[l as usize];
                        if info.fixed_day >= 0 {
                            if info.fixed_day as usize != day || info.fixed_start < at {
                                return None;
                            }
                            at = info.fixed_start;
                        }
                        self.starts.push(at);
                        at += info.minutes;
                    }
                    let window = windows.iter().find(|w| w.from <= start && at <= w.to)?;
                    self.work += 1;
                    if start < earliest || room_clash(held, rooms, teacher, start, at).is_some() {
                        return None;
                    }
                    (start, at, window.to)
                }
                None => {
                    let mut earliest = earliest;
                    if near_origin {
                        let (d, at) = model.origin[block[0] as usize];
                        if d == day as i8 {
                            earliest = earliest.max(at);
                        }
                    }
                    let placed = 'search: loop {
                        let at = model.align_up(earliest);
                        let mut fit = None;
                        for w in windows {
                            let start = at.max(w.from);
                            if start + length <= w.to {
                                fit = Some((start, w.to));
                                break;
                            }
                        }
                        let (start, window_to) = fit?;
                        self.work += 1;
                        match room_clash(held, rooms, teacher, start, start + length) {
                            None => break 'search (start, window_to),
                            Some(next) => earliest = next,
                        }
                    };
                    let mut at = placed.0;
                    for &l in block {
                        self.starts.push(at);
                        at += model.lessons[l as usize].minutes;
                    }
                    (placed.0, placed.0 + length, placed.1)
                }
            };
            self.visits.push(VisitSlot {
                first: i,
                last: j,
                school,
                window_to,
                start,
                end,
                pinned: anchor.is_some(),
                at_origin: near_origin && model.origin[block[0] as usize] == (day as i8, start),
            });
            ready = end;
            if school != model.online {
                previous = Some(school);
            }
            i = j;
        }

        // Waiting before a visit is idle time: move earlier visits later, towards the
        // next one, when their window and the rooms allow.
        for v in (0..self.visits.len().saturating_sub(1)).rev() {
            let next = self.visits[v + 1];
            let cur = self.visits[v];
            let last_school = self.visits[..=v]
                .iter()
                .rev()
                .map(|visit| visit.school)
                .find(|&school| school != model.online);
            let gap = next.start - model.travel_after(last_school, next.school) - cur.end;
            let shift = model.align_down(gap.min(cur.window_to - cur.end));
            if shift > 0 && !cur.pinned && !cur.at_origin {
                let held = &occupancy[cur.school as usize * model.days + day];
                let rooms = model.rooms[cur.school as usize];
                if room_clash(held, rooms, teacher, cur.start + shift, cur.end + shift).is_none() {
                    self.visits[v].start += shift;
                    self.visits[v].end += shift;
                    for at in &mut self.starts[cur.first..cur.last] {
                        *at += shift;
                    }
                }
            }
        }

        // Travel plus idle is the span less the teaching, so travel needs no sum of its own.
        let work: i64 = seq.iter().map(|&l| model.lessons[l as usize].minutes as i64).sum();
        let span = (self.visits.last()?.end - self.visits[0].start) as i64;
        let visits = self.visits.iter().filter(|v| v.school != model.online).count() as i64;
        let moved = model.moved_penalty(day, seq, &self.starts);
        Some(span - work + VISIT_COST * visits + moved)
    }
}

impl Schedule {
    /// A timetable with every lesson unscheduled.
    pub fn empty(model: &Model) -> Schedule {
        let n = model.lessons.len();
        Schedule {
            seqs: vec![Vec::new(); model.teachers * model.days],
            day_cost: vec![0; model.teachers * model.days],
            start: vec![0; n],
            day: vec![-1; n],
            occupancy: vec![Vec::new(); model.schools * model.days],
            unscheduled: n,
            cost: UNSCHEDULED_COST * n as i64,
        }
    }

    /// Replaces teacher `teacher`'s sequence on `day` by `seq`, timed as `starts` at
    /// `cost`. Lessons leaving the day are marked unscheduled unless another day
    /// already claimed them; the caller keeps `unscheduled` right.
    pub fn set_day(&mut self, model: &Model, teacher: u32, day: usize, seq: &[u32], starts: &[i32], cost: i64) {
        let row = teacher as usize * model.days + day;
        let mut old = std::mem::take(&mut self.seqs[row]);
        let mut last_school = u32::MAX;
        for &l in &old {
            let school = model.lessons[l as usize].school;
            if school != last_school {
                self.occupancy[school as usize * model.days + day].retain(|o| o.teacher != teacher);
                last_school = school;
            }
            if self.day[l as usize] == day as i8 {
                self.day[l as usize] = -1;
            }
        }
        for (&l, &at) in seq.iter().zip(starts) {
            self.day[l as usize] = day as i8;
            self.start[l as usize] = at;
        }
        for visit in model.visits(seq) {
            let (first, last) = (visit.start, visit.end - 1);
            let school = model.lessons[seq[first] as usize].school;
            let to = starts[last] + model.lessons[seq[last] as usize].minutes;
            self.occupancy[school as usize * model.days + day].push(Occupancy {
                from: starts[first],
                to,
                teacher,
            });
        }
        old.clear();
        old.extend_from_slice(seq);
        self.seqs[row] = old;
        self.cost += cost - self.day_cost[row];
        self.day_cost[row] = cost;
    }

    /// Placed lessons not at their origin (a warm start's starting place).
    pub fn moved(&self, model: &Model) -> usize {
        if !model.warm() {
            return 0;
        }
        (0..model.lessons.len())
            .filter(|&l| self.day[l] >= 0 && model.origin[l] != (self.day[l], self.start[l]))
            .count()
    }

    /// The cost as TIMETABLING.md counts it: the objective without move penalties.
    pub fn real_cost(&self, model: &Model) -> i64 {
        self.cost - model.move_penalty * self.moved(model) as i64
    }

    pub fn to_solution(&self, model: &Model, instance: &Instance) -> Solution {
        let mut assignments = Vec::new();
        for t in 0..model.teachers {
            for d in 0..model.days {
                for &l in &self.seqs[t * model.days + d] {
                    assignments.push(Assignment {
                        lesson: instance.lessons[l as usize].id.clone(),
                        day: instance.days[d].clone(),
                        start: self.start[l as usize] as i64,
                    });
                }
            }
        }
        let unscheduled = (0..model.lessons.len())
            .filter(|&l| self.day[l] < 0)
            .map(|l| instance.lessons[l].id.clone())
            .collect();
        Solution {
            assignments,
            unscheduled,
        }
    }
}
