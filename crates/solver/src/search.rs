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

    /// Puts each teacher-day's pinned lessons at their pins, in time order. A day whose
    /// pins cannot all hold (they break a rule among themselves) is left to `construct`,
    /// which places what it can and leaves the rest unscheduled.
    fn place_pinned(&mut self) {
        let model = self.model;
        for t in 0..model.teachers {
            for d in 0..model.days {
                let mut seq: Vec<u32> = model.teacher_lessons[t]
                    .iter()
                    .copied()
                    .filter(|&l| model.lessons[l as usize].fixed_day == d as i8)
                    .collect();
                if seq.is_empty() {
                    continue;
                }
                seq.sort_by_key(|&l| (model.lessons[l as usize].fixed_start, l));
                let pupils_clash = seq.iter().any(|&l| {
                    model
                        .conflicts(l)
                        .iter()
                        .any(|&c| self.state.day[c as usize] == d as i8 || seq.contains(&c))
                });
                if pupils_clash {
                    continue;
                }
                if let Some(cost) = self.timer.time(model, &self.state.occupancy, t as u32, d, &seq) {
                    let starts = std::mem::take(&mut self.timer.starts);
                    self.state.set_day(model, t as u32, d, &seq, &starts, cost);
                    self.timer.starts = starts;
                    self.state.unscheduled -= seq.len();
                    self.state.cost -= UNSCHEDULED_COST * seq.len() as i64;
                }
            }
        }
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
