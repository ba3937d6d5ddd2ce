//! The search: ruin-and-recreate moves on one teacher's week, accepted by simulated
//! annealing, run on every core in deterministic epochs.
//!
//! Determinism: the amount of work is counted in lessons timed (`Timer::work`), never
//! in seconds. A run plans its total work from the budget and a fixed rate, splits it
//! into epochs of fixed work, and the threads synchronise only at epoch ends, choosing
//! the best state by (cost, thread number). So the same instance, seed, budget and
//! thread count give the same solution, unless the machine is so loaded that the
//! wall-clock deadline arrives before the planned work is done: then the run stops
//! early, still with a valid solution, but which one depends on timing.
use crate::check::UNSCHEDULED_COST;
use crate::model::Model;
use crate::rng::Rng;
use crate::schedule::{Schedule, Timer};
use std::time::Instant;

/// How one move picks the lessons it takes out.
#[derive(Debug, Clone, Copy)]
enum Ruin {
    One,
    Visit,
    String,
    Day,
    School,
    Scatter,
}

/// The order in which taken-out lessons go back in.
#[derive(Debug, Clone, Copy)]
enum Recreate {
    Random,
    LongestFirst,
    HardestFirst,
}

/// One thread's search state and scratch buffers.
pub struct Worker<'m> {
    model: &'m Model,
    pub rng: Rng,
    pub timer: Timer,
    pub state: Schedule,
    seqs: Vec<Vec<u32>>,
    costs: Vec<i64>,
    changed: Vec<bool>,
    /// The day of each of the current teacher's lessons during a move.
    days: Vec<i8>,
    removed: Vec<u32>,
    buffer: Vec<u32>,
    /// Probability of skipping an insertion position, so that repeated ruins of the
    /// same lessons do not always rebuild the same sequence.
    blink: f64,
}

impl<'m> Worker<'m> {
    pub fn new(model: &'m Model, state: Schedule, rng: Rng) -> Worker<'m> {
        Worker {
            model,
            rng,
            timer: Timer::default(),
            state,
            seqs: vec![Vec::new(); model.days],
            costs: vec![0; model.days],
            changed: vec![false; model.days],
            days: vec![-1; model.lessons.len()],
            removed: Vec::new(),
            buffer: Vec::new(),
            blink: 0.05,
        }
    }

    fn day_of(&self, lesson: u32, teacher: u32) -> i8 {
        if self.model.lessons[lesson as usize].teacher == teacher {
            self.days[lesson as usize]
        } else {
            self.state.day[lesson as usize]
        }
    }

    fn pupils_free(&self, lesson: u32, teacher: u32, day: usize) -> bool {
        self.model
            .conflicts(lesson)
            .iter()
            .all(|&c| self.day_of(c, teacher) != day as i8)
    }

    /// Takes `removed` (plus every unscheduled lesson of `teacher`) out of the
    /// teacher's week, puts them back one by one at their cheapest place, and keeps
    /// the result when the annealing rule at `temperature` accepts it.
    fn ruin_and_recreate(&mut self, teacher: u32, recreate: Recreate, temperature: f64) -> bool {
        let model = self.model;
        let days = model.days;
        let base = teacher as usize * days;
        // A pinned lesson in place stays there; one not yet placed may go in (at its pin).
        let state = &self.state;
        self.removed
            .retain(|&l| model.lessons[l as usize].fixed_day < 0 || state.day[l as usize] < 0);
        for d in 0..days {
            self.seqs[d].clear();
            self.seqs[d].extend_from_slice(&self.state.seqs[base + d]);
            self.costs[d] = self.state.day_cost[base + d];
            self.changed[d] = false;
        }
        for &l in &model.teacher_lessons[teacher as usize] {
            self.days[l as usize] = self.state.day[l as usize];
            if self.state.day[l as usize] < 0 && !self.removed.contains(&l) {
                self.removed.push(l);
            }
        }
        let mut before = 0i64;
        for &l in &self.removed {
            let d = self.days[l as usize];
            if d < 0 {
                before += UNSCHEDULED_COST;
                continue;
            }
            let d = d as usize;
            self.seqs[d].retain(|&x| x != l);
            self.days[l as usize] = -1;
            self.changed[d] = true;
        }
        for d in 0..days {
            if self.changed[d] {
                before += self.costs[d];
                match self.timer.time(model, &self.state.occupancy, teacher, d, &self.seqs[d]) {
                    Some(cost) => self.costs[d] = cost,
                    None => return false,
                }
            }
        }

        let mut order = std::mem::take(&mut self.removed);
        match recreate {
            Recreate::Random => self.rng.shuffle(&mut order),
            Recreate::LongestFirst => {
                self.rng.shuffle(&mut order);
                order.sort_by_key(|&l| std::cmp::Reverse(model.lessons[l as usize].minutes));
            }
            Recreate::HardestFirst => {
                self.rng.shuffle(&mut order);
                order.sort_by_key(|&l| {
                    (
                        model.lesson_days[l as usize].count_ones(),
                        std::cmp::Reverse(model.conflicts(l).len()),
                        std::cmp::Reverse(model.lessons[l as usize].minutes),
                    )
                });
            }
        }
        let mut unplaced = 0usize;
        for &l in &order {
            let mut best: Option<(i64, usize, usize)> = None;
            for d in 0..days {
                if model.lesson_days[l as usize] & (1 << d) == 0 || !self.pupils_free(l, teacher, d) {
                    continue;
                }
                let n = self.seqs[d].len();
                for p in 0..=n {
                    let boundary = p == 0
                        || p == n
                        || model.lessons[self.seqs[d][p - 1] as usize].school
                            != model.lessons[self.seqs[d][p] as usize].school;
                    if !boundary || (self.blink > 0.0 && self.rng.chance(self.blink)) {
                        continue;
                    }
                    self.buffer.clear();
                    self.buffer.extend_from_slice(&self.seqs[d][..p]);
                    self.buffer.push(l);
                    self.buffer.extend_from_slice(&self.seqs[d][p..]);
                    if let Some(cost) = self.timer.time(model, &self.state.occupancy, teacher, d, &self.buffer) {
                        let delta = cost - self.costs[d];
                        if best.is_none_or(|(b, _, _)| delta < b) {
                            best = Some((delta, d, p));
                        }
                    }
                }
            }
            match best {
                Some((delta, d, p)) => {
                    self.seqs[d].insert(p, l);
                    self.costs[d] += delta;
                    self.changed[d] = true;
                    self.days[l as usize] = d as i8;
                }
                None => unplaced += 1,
            }
        }
        let unplaced_before = order.iter().filter(|&&l| self.state.day[l as usize] < 0).count();
        order.clear();
        self.removed = order;

        let mut after = UNSCHEDULED_COST * unplaced as i64;
        for d in 0..days {
            if self.changed[d] {
                after += self.costs[d];
            }
        }
        let delta = after - before;
        let accept = delta <= 0 || (temperature > 0.0 && self.rng.unit() < (-(delta as f64) / temperature).exp());
        if !accept {
            return false;
        }
        for d in 0..days {
            if !self.changed[d] {
                continue;
            }
            let cost = self
                .timer
                .time(model, &self.state.occupancy, teacher, d, &self.seqs[d])
                .expect("a sequence that was timed once times again");
            let starts = std::mem::take(&mut self.timer.starts);
            self.state.set_day(model, teacher, d, &self.seqs[d], &starts, cost);
            self.timer.starts = starts;
        }
        self.state.unscheduled = self.state.unscheduled + unplaced - unplaced_before;
        self.state.cost += UNSCHEDULED_COST * (unplaced as i64 - unplaced_before as i64);
        true
    }

    /// Saves the weeks of `teachers` so that a compound move can be undone.
    fn snapshot(&self, teachers: &[u32]) -> Snapshot {
        let days = self.model.days;
        let mut rows = Vec::new();
        for &t in teachers {
            for d in 0..days {
                let row = t as usize * days + d;
                let seq = self.state.seqs[row].clone();
                let starts = seq.iter().map(|&l| self.state.start[l as usize]).collect();
                rows.push((t, d, seq, starts, self.state.day_cost[row]));
            }
        }
        Snapshot {
            rows,
            cost: self.state.cost,
            unscheduled: self.state.unscheduled,
        }
    }

    fn restore(&mut self, snapshot: Snapshot) {
        for (t, d, seq, starts, cost) in &snapshot.rows {
            self.state.set_day(self.model, *t, *d, seq, starts, *cost);
        }
        self.state.cost = snapshot.cost;
        self.state.unscheduled = snapshot.unscheduled;
    }

    /// Makes room for an unscheduled lesson: another teacher's visits at its school on
    /// one day are taken out, the lesson is placed, then the other teacher's lessons go
    /// back wherever they fit best. Rooms couple teachers only through such moves.
    fn eject(&mut self, lesson: u32, temperature: f64) -> bool {
        let model = self.model;
        let info = model.lessons[lesson as usize];
        let days: Vec<usize> = (0..model.days)
            .filter(|&d| model.lesson_days[lesson as usize] & (1 << d) != 0)
            .collect();
        if days.is_empty() {
            return false;
        }
        let day = days[self.rng.below(days.len())];
        let held = &self.state.occupancy[info.school as usize * model.days + day];
        let others: Vec<u32> = held.iter().map(|o| o.teacher).filter(|&u| u != info.teacher).collect();
        if others.is_empty() {
            return false;
        }
        let other = others[self.rng.below(others.len())];
        let snapshot = self.snapshot(&[info.teacher, other]);
        let row = other as usize * model.days + day;
        self.buffer.clear();
        self.buffer.extend(
            self.state.seqs[row].iter().copied().filter(|&l| {
                model.lessons[l as usize].school != info.school || model.lessons[l as usize].fixed_day >= 0
            }),
        );
        let taken = self.state.seqs[row].len() - self.buffer.len();
        let seq = std::mem::take(&mut self.buffer);
        let Some(cost) = self.timer.time(model, &self.state.occupancy, other, day, &seq) else {
            self.buffer = seq;
            return false;
        };
        let starts = std::mem::take(&mut self.timer.starts);
        self.state.set_day(model, other, day, &seq, &starts, cost);
        self.timer.starts = starts;
        self.buffer = seq;
        self.state.unscheduled += taken;
        self.state.cost += UNSCHEDULED_COST * taken as i64;

        self.removed.clear();
        self.removed.push(lesson);
        self.ruin_and_recreate(info.teacher, Recreate::HardestFirst, f64::INFINITY);
        self.removed.clear();
        self.ruin_and_recreate(other, Recreate::HardestFirst, f64::INFINITY);
        let delta = self.state.cost - snapshot.cost;
        let accept = delta <= 0 || (temperature > 0.0 && self.rng.unit() < (-(delta as f64) / temperature).exp());
        if !accept {
            self.restore(snapshot);
        }
        accept
    }

    /// Places every lesson of every teacher, hardest teachers first, after every pinned
    /// lesson is in its place (so that no one else's visit takes its room first).
    pub fn construct(&mut self) {
        self.place_pinned();
        self.place_unscheduled();
    }

    /// Places every unscheduled lesson it can, teacher by teacher, hardest teachers
    /// first, at its cheapest place; placed lessons stay. After `place_pinned` this is
    /// the construction; after a warm start's install it is the repair.
    pub fn place_unscheduled(&mut self) {
        let model = self.model;
        let mut teachers: Vec<u32> = (0..model.teachers as u32).collect();
        // Teachers with the most work per available day go first, while rooms are free.
        teachers.sort_by_key(|&t| {
            let lessons = &model.teacher_lessons[t as usize];
            let minutes: i64 = lessons.iter().map(|&l| model.lessons[l as usize].minutes as i64).sum();
            let mask = lessons.iter().fold(0u8, |m, &l| m | model.lesson_days[l as usize]);
            (std::cmp::Reverse(minutes / (mask.count_ones() as i64).max(1)), t)
        });
        let blink = self.blink;
        self.blink = 0.0;
        for t in teachers {
            self.removed.clear();
            self.ruin_and_recreate(t, Recreate::HardestFirst, 0.0);
        }
        self.blink = blink;
    }

    /// A warm start's repair, after `start::install` left unscheduled the lessons whose
    /// place broke a rule: they go in at their cheapest place, and a teacher still left
    /// with unscheduled lessons has their whole week rebuilt, kept when it costs no more.
    pub fn repair(&mut self) {
        let model = self.model;
        self.place_unscheduled();
        let blink = self.blink;
        self.blink = 0.0;
        for t in 0..model.teachers as u32 {
            let own = &model.teacher_lessons[t as usize];
            if own.iter().all(|&l| self.state.day[l as usize] >= 0) {
                continue;
            }
            self.removed.clear();
            self.removed.extend_from_slice(own);
            self.ruin_and_recreate(t, Recreate::HardestFirst, 0.0);
        }
        self.blink = blink;
    }

    /// Puts each teacher-day's pinned lessons at their pins, in time order: first the days
    /// whose pins time on their own, then the days that need a lesson elsewhere between two
    /// pins (so that such a separating lesson cannot take a room another day's pin needs),
    /// then gives the pins left out because another teacher's pinned visit held their room
    /// a second chance. Pins that still cannot hold are left to `construct`, which places
    /// what it can.
    fn place_pinned(&mut self) {
        let model = self.model;
        // Row `school * days + day`: the pinned lessons there (from, to, lesson).
        let mut reserved: Vec<Vec<(i32, i32, u32)>> = vec![Vec::new(); model.schools * model.days];
        for (l, info) in model.lessons.iter().enumerate() {
            if info.fixed_day >= 0 {
                reserved[info.school as usize * model.days + info.fixed_day as usize].push((
                    info.fixed_start,
                    info.fixed_start + info.minutes,
                    l as u32,
                ));
            }
        }
        let reserved = &reserved[..];
        for separate in [false, true] {
            for t in 0..model.teachers as u32 {
                for d in 0..model.days {
                    if self.state.seqs[t as usize * model.days + d].is_empty() {
                        self.pin_day(t, d, separate, None, reserved);
                    }
                }
            }
        }
        // Pins from two visits to one school with a visit elsewhere between them time as
        // one visit, holding the room in between; another teacher's pin may need it then.
        // That visit is split (a lesson elsewhere between its pins) when it places more pins.
        let left: Vec<u32> = (0..model.lessons.len() as u32)
            .filter(|&l| model.lessons[l as usize].fixed_day >= 0 && self.state.day[l as usize] < 0)
            .collect();
        for l in left {
            let info = model.lessons[l as usize];
            if self.state.day[l as usize] >= 0 {
                continue;
            }
            let day = info.fixed_day as usize;
            let span = (info.school, info.fixed_start, info.fixed_start + info.minutes);
            let mut holders: Vec<u32> = self.state.occupancy[info.school as usize * model.days + day]
                .iter()
                .filter(|o| o.teacher != info.teacher && o.from < span.2 && o.to > span.1)
                .map(|o| o.teacher)
                .collect();
            holders.sort_unstable();
            holders.dedup();
            // An earlier split may have freed the room already, so the day is tried again
            // on its own first; then with each holder split, then with all of them (with
            // several rooms, splitting one holder frees nothing while the others hold theirs).
            let mut splits: Vec<Vec<u32>> = vec![Vec::new()];
            splits.extend(holders.iter().map(|&h| vec![h]));
            if holders.len() > 1 {
                splits.push(holders);
            }
            for split in &splits {
                if self.state.day[l as usize] >= 0 {
                    break;
                }
                let mut teachers = split.to_vec();
                teachers.push(info.teacher);
                let pinned_in = |state: &Schedule| {
                    teachers
                        .iter()
                        .flat_map(|&t| &model.teacher_lessons[t as usize])
                        .filter(|&&x| model.lessons[x as usize].fixed_day >= 0 && state.day[x as usize] >= 0)
                        .count()
                };
                let before = pinned_in(&self.state);
                let snapshot = self.snapshot(&teachers);
                for &holder in split {
                    self.clear_day(holder, day);
                }
                for &holder in split {
                    self.pin_day(holder, day, true, Some(span), reserved);
                }
                self.clear_day(info.teacher, day);
                self.pin_day(info.teacher, day, true, None, reserved);
                if pinned_in(&self.state) <= before {
                    self.restore(snapshot);
                }
            }
        }
    }

    /// Leaves teacher `teacher`'s lessons on `day` unscheduled.
    fn clear_day(&mut self, teacher: u32, day: usize) {
        let taken = self.state.seqs[teacher as usize * self.model.days + day].len();
        self.state.set_day(self.model, teacher, day, &[], &[], 0);
        self.state.unscheduled += taken;
        self.state.cost += UNSCHEDULED_COST * taken as i64;
    }

    /// Puts teacher `teacher`'s pinned lessons on `day` at their pins, the day holding nothing
    /// yet: all of them on their own, or else with `separate` as `separated` builds them.
    /// `avoid` is a room (school, from, to) the day must not hold; `reserved` holds every
    /// pin's room (see `separated`). Pins whose pupils clash leave the day to `construct`.
    fn pin_day(
        &mut self,
        teacher: u32,
        day: usize,
        separate: bool,
        avoid: Option<(u32, i32, i32)>,
        reserved: &[Vec<(i32, i32, u32)>],
    ) {
        let model = self.model;
        let mut pins: Vec<u32> = model.teacher_lessons[teacher as usize]
            .iter()
            .copied()
            .filter(|&l| model.lessons[l as usize].fixed_day == day as i8)
            .collect();
        if pins.is_empty() {
            return;
        }
        pins.sort_by_key(|&l| (model.lessons[l as usize].fixed_start, l));
        let clashes = |l: u32, state: &Schedule| {
            model
                .conflicts(l)
                .iter()
                .any(|&c| state.day[c as usize] == day as i8 || pins.contains(&c))
        };
        if pins.iter().any(|&l| clashes(l, &self.state)) {
            return;
        }
        let whole = avoid.is_none()
            && self
                .timer
                .time(model, &self.state.occupancy, teacher, day, &pins)
                .is_some();
        let seq = if whole {
            pins.clone()
        } else if separate {
            self.separated(teacher, day, &pins, avoid, reserved, &clashes)
        } else {
            return;
        };
        if seq.is_empty() {
            return;
        }
        let cost = self
            .timer
            .time(model, &self.state.occupancy, teacher, day, &seq)
            .expect("a sequence that was timed once times again");
        let starts = std::mem::take(&mut self.timer.starts);
        self.state.set_day(model, teacher, day, &seq, &starts, cost);
        self.timer.starts = starts;
        self.state.unscheduled -= seq.len();
        self.state.cost -= UNSCHEDULED_COST * seq.len() as i64;
    }

    /// Teacher `teacher`'s `pins` on `day` (in time order) as a sequence that times: each
    /// pin follows the ones before it, with a separating lesson before it when it cannot
    /// otherwise, or when it and the pin before it are at `avoid`'s school with a gap
    /// between them that overlaps `avoid`. Separators are unscheduled, unpinned lessons of the teacher at another
    /// school (not `avoid`'s) that may be on `day`, whose pupils are free then (`clashes`
    /// says when they are not), and that leaves a room for every other teacher's pin not yet
    /// placed at its school (`reserved`, by school and day); the one that times cheapest is
    /// taken. Pins that fit nowhere are left out.
    fn separated(
        &mut self,
        teacher: u32,
        day: usize,
        pins: &[u32],
        avoid: Option<(u32, i32, i32)>,
        reserved: &[Vec<(i32, i32, u32)>],
        clashes: &dyn Fn(u32, &Schedule) -> bool,
    ) -> Vec<u32> {
        let model = self.model;
        let mut seq: Vec<u32> = Vec::with_capacity(pins.len() * 2);
        for &pin in pins {
            let info = model.lessons[pin as usize];
            let split = seq.last().is_some_and(|&last| {
                let before = model.lessons[last as usize];
                avoid.is_some_and(|(school, from, to)| {
                    before.school == school
                        && info.school == school
                        && before.fixed_start + before.minutes < to
                        && from < info.fixed_start
                })
            });
            if !split && self.time_with(teacher, day, &seq, &[pin]).is_some() {
                seq.push(pin);
                continue;
            }
            let mut best: Option<(i64, u32)> = None;
            for &s in &model.teacher_lessons[teacher as usize] {
                let other = model.lessons[s as usize];
                if other.fixed_day >= 0
                    || other.school == info.school
                    || avoid.is_some_and(|(school, _, _)| other.school == school)
                    || self.state.day[s as usize] >= 0
                    || seq.contains(&s)
                    || model.lesson_days[s as usize] & (1 << day) == 0
                    || clashes(s, &self.state)
                    || model.conflicts(s).iter().any(|c| seq.contains(c))
                {
                    continue;
                }
                let Some(cost) = self.time_with(teacher, day, &seq, &[s, pin]) else {
                    continue;
                };
                let from = self.timer.starts[seq.len()];
                let to = from + other.minutes;
                // Rooms in use then, counting other teachers' pins not yet placed.
                let row = other.school as usize * model.days + day;
                let held = self.state.occupancy[row]
                    .iter()
                    .filter(|o| o.teacher != teacher && o.from < to && from < o.to)
                    .count()
                    + reserved[row]
                        .iter()
                        .filter(|&&(a, b, x)| {
                            model.lessons[x as usize].teacher != teacher
                                && self.state.day[x as usize] < 0
                                && a < to
                                && from < b
                        })
                        .count();
                let taken = held >= model.rooms[other.school as usize] as usize;
                if !taken && best.is_none_or(|(b, _)| cost < b) {
                    best = Some((cost, s));
                }
            }
            if let Some((_, s)) = best {
                seq.extend([s, pin]);
            } else if split && self.time_with(teacher, day, &seq, &[pin]).is_some() {
                // A split that finds no lesson to put between keeps the pin in one visit.
                seq.push(pin);
            }
        }
        seq
    }

    /// Times teacher `teacher`'s `seq` followed by `more` on `day` (in the scratch buffer):
    /// the day's cost, with the starts in `self.timer.starts`.
    fn time_with(&mut self, teacher: u32, day: usize, seq: &[u32], more: &[u32]) -> Option<i64> {
        self.buffer.clear();
        self.buffer.extend_from_slice(seq);
        self.buffer.extend_from_slice(more);
        self.timer
            .time(self.model, &self.state.occupancy, teacher, day, &self.buffer)
    }

    /// One move: picks a teacher through a random lesson, ruins part of their week and
    /// recreates it.
    pub fn step(&mut self, temperature: f64) -> bool {
        let model = self.model;
        let n = model.lessons.len();
        if n == 0 {
            return false;
        }
        let mut lesson = self.rng.below(n) as u32;
        if self.state.unscheduled > 0 && self.rng.chance(0.02) {
            let unscheduled: Vec<u32> = (0..n as u32).filter(|&l| self.state.day[l as usize] < 0).collect();
            lesson = unscheduled[self.rng.below(unscheduled.len())];
            if self.rng.chance(0.5) {
                return self.eject(lesson, temperature);
            }
        }
        let teacher = model.lessons[lesson as usize].teacher;
        let ruin = match self.rng.weighted(&[30, 20, 20, 10, 10, 10]) {
            0 => Ruin::One,
            1 => Ruin::Visit,
            2 => Ruin::String,
            3 => Ruin::Day,
            4 => Ruin::School,
            _ => Ruin::Scatter,
        };
        self.removed.clear();
        self.removed.push(lesson);
        let day = self.state.day[lesson as usize];
        if day >= 0 {
            let seq = &self.state.seqs[teacher as usize * model.days + day as usize];
            let at = seq.iter().position(|&x| x == lesson).unwrap_or(0);
            let school = model.lessons[lesson as usize].school;
            match ruin {
                Ruin::One => {}
                Ruin::Visit => {
                    let mut a = at;
                    while a > 0 && model.lessons[seq[a - 1] as usize].school == school {
                        a -= 1;
                    }
                    let mut b = at + 1;
                    while b < seq.len() && model.lessons[seq[b] as usize].school == school {
                        b += 1;
                    }
                    self.removed.clear();
                    self.removed.extend_from_slice(&seq[a..b]);
                }
                Ruin::String => {
                    let len = 2 + self.rng.below(3);
                    let a = at.saturating_sub(self.rng.below(len));
                    let b = (a + len).min(seq.len());
                    self.removed.clear();
                    self.removed.extend_from_slice(&seq[a..b]);
                }
                Ruin::Day => {
                    self.removed.clear();
                    self.removed.extend_from_slice(seq);
                }
                Ruin::School => {
                    self.removed.clear();
                    self.removed.extend(
                        model.teacher_lessons[teacher as usize]
                            .iter()
                            .copied()
                            .filter(|&l| model.lessons[l as usize].school == school),
                    );
                }
                Ruin::Scatter => {
                    let own = &model.teacher_lessons[teacher as usize];
                    for _ in 0..1 + self.rng.below(3) {
                        let l = own[self.rng.below(own.len())];
                        if !self.removed.contains(&l) {
                            self.removed.push(l);
                        }
                    }
                }
            }
        }
        let recreate = match self.rng.below(3) {
            0 => Recreate::Random,
            1 => Recreate::LongestFirst,
            _ => Recreate::HardestFirst,
        };
        self.ruin_and_recreate(teacher, recreate, temperature)
    }
}

/// One teacher-day as it was: teacher, day, sequence, starts, cost.
type SavedDay = (u32, usize, Vec<u32>, Vec<i32>, i64);

/// A copy of some teachers' weeks, to undo a compound move.
struct Snapshot {
    rows: Vec<SavedDay>,
    cost: i64,
    unscheduled: usize,
}

/// What a solve may spend.
#[derive(Debug, Clone)]
pub struct Budget {
    /// Work per thread, in `Timer::work` units.
    pub work: u64,
    pub epochs: u64,
    pub deadline: Instant,
    pub threads: usize,
    pub seed: u64,
}

/// Annealing temperatures (minutes of cost) at the start and end of the run.
const T_START: f64 = 12.0;
const T_END: f64 = 0.3;

/// Runs the annealing from `start` and returns the best state seen at an epoch end.
pub fn anneal(model: &Model, start: Schedule, budget: &Budget) -> (Schedule, u64) {
    let threads = budget.threads.max(1);
    let epochs = budget.epochs.max(1);
    let per_epoch = (budget.work / epochs).max(1);
    let mut workers: Vec<Worker> = (0..threads)
        .map(|i| Worker::new(model, start.clone(), Rng::derived(budget.seed, 1 + i as u64)))
        .collect();
    let mut best = start;
    for epoch in 0..epochs {
        let mut stopped = false;
        std::thread::scope(|scope| {
            let handles: Vec<_> = workers
                .iter_mut()
                .map(|w| {
                    scope.spawn(move || {
                        let begin = w.timer.work;
                        let mut steps = 0u64;
                        loop {
                            let done = w.timer.work - begin;
                            if done >= per_epoch {
                                return false;
                            }
                            steps += 1;
                            if steps.is_multiple_of(128) && Instant::now() >= budget.deadline {
                                return true;
                            }
                            let progress = (epoch * per_epoch + done) as f64 / (epochs * per_epoch) as f64;
                            let temperature = T_START * (T_END / T_START).powf(progress);
                            // A move that times nothing still counts, so that an
                            // instance without lessons or days cannot spin forever.
                            w.timer.work += 1;
                            w.step(temperature);
                        }
                    })
                })
                .collect();
            for h in handles {
                stopped |= h.join().expect("a search thread panicked");
            }
        });
        // The best state so far, by (cost, thread number): deterministic.
        let mut winner: Option<usize> = None;
        for (i, w) in workers.iter().enumerate() {
            if w.state.cost < best.cost && winner.is_none_or(|b| w.state.cost < workers[b].state.cost) {
                winner = Some(i);
            }
        }
        if let Some(i) = winner {
            best = workers[i].state.clone();
        }
        if stopped || Instant::now() >= budget.deadline {
            break;
        }
        for w in workers.iter_mut() {
            if w.state.cost > best.cost {
                w.state.clone_from(&best);
            }
        }
    }
    let work = workers.iter().map(|w| w.timer.work).sum();
    (best, work)
}
