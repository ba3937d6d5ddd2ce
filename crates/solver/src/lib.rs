//! The timetable problem of TIMETABLING.md: instances, solutions, the checker, the
//! generator, the solver and rotation.
pub mod check;
pub mod generate;
pub mod instance;
mod model;
pub mod rng;
pub mod rotation;
mod schedule;
mod search;
pub mod solution;
mod start;

pub use check::{Report, Violation, check};
pub use generate::generate;
pub use instance::{Instance, InstanceError};
pub use rotation::rotate;
pub use solution::{Assignment, Solution};

use std::time::{Duration, Instant};

/// Work units (`Timer::work`: lessons and visits timed) one thread does per second on
/// the reference machine (2 cores, the benchmark's) for a tiny instance, less a margin
/// for a machine that is busy with other work. Larger instances do fewer (their state no
/// longer fits in cache): see `work_rate`.
pub const WORK_PER_SECOND: f64 = 64_000_000.0;

/// The share of the budget the planned work is meant to take, so that it ends before
/// the wall-clock deadline and the result stays deterministic.
const PLANNED_SHARE: f64 = 0.85;

/// Planned work per thread per second for an instance of `lessons` lessons, a fixed
/// function of the instance. Measured on the reference machine with nothing else
/// running (decision 0059): 96M at 100 lessons, 52M at 3,000, 33M at 12,000, where
/// reading the 1,000-school instance and building the first timetable also take about
/// 1.5 s of the budget. The plan is about 55 % of that at 100 and 3,000 lessons and
/// 40 % at 12,000, so that a machine half as fast still ends on plan.
pub fn work_rate(lessons: usize) -> f64 {
    PLANNED_SHARE * WORK_PER_SECOND / (1.0 + lessons as f64 / 4_000.0)
}

#[derive(Debug, Clone)]
pub struct SolveOptions {
    /// Wall-time budget in seconds, counted from `started`.
    pub seconds: f64,
    pub seed: u64,
    /// Search threads; `None` uses every core.
    pub threads: Option<usize>,
    /// Work per thread in place of `seconds × work_rate(lessons)`: tests use it to get
    /// the same work whatever the clock says.
    pub work: Option<u64>,
    /// When the budget started (the program's start, so parsing counts); `None` is now.
    pub started: Option<Instant>,
    /// A timetable to start from (a warm start): its lessons stay where they are unless
    /// that breaks a hard rule, and the result never costs more than it when it is valid.
    pub start: Option<Solution>,
    /// With `start`: cost added to the search's objective for each lesson placed other
    /// than where `start` has it, so that lessons move only for a gain at least this
    /// big. It never counts in the reported cost.
    pub move_penalty: i64,
}

impl SolveOptions {
    pub fn new(seconds: f64, seed: u64) -> SolveOptions {
        SolveOptions {
            seconds,
            seed,
            threads: None,
            work: None,
            started: None,
            start: None,
            move_penalty: 0,
        }
    }
}

/// What a solve produced, with the figures a progress display or benchmark wants.
#[derive(Debug, Clone)]
pub struct Solved {
    pub solution: Solution,
    pub cost: i64,
    pub constructed_cost: i64,
    /// With a warm start: the lessons placed other than where the start had them.
    pub moved: usize,
    /// Work done by all threads, in the units of `WORK_PER_SECOND`.
    pub work: u64,
}

/// Solves `instance` within the options' budget. The result always satisfies every
/// hard rule; lessons that could not be placed are listed as unscheduled.
pub fn solve(instance: &Instance, options: &SolveOptions) -> Result<Solved, InstanceError> {
    let started = options.started.unwrap_or_else(Instant::now);
    instance.validate()?;
    let mut model = model::Model::new(instance);
    if let Some(start) = &options.start {
        model.origin = start::origins(&model, instance, start);
        model.move_penalty = options.move_penalty.max(0);
    }
    let threads = options
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    let seconds = options.seconds.max(0.0);
    // Leave a little of the budget for writing the solution out.
    let deadline = started + Duration::from_secs_f64(seconds * 0.97);
    // Every lesson placed afresh, pinned lessons first.
    let construct = || {
        let mut builder = search::Worker::new(
            &model,
            schedule::Schedule::empty(&model),
            rng::Rng::derived(options.seed, 0),
        );
        builder.construct();
        builder.state
    };
    let constructed = if options.start.is_some() {
        // Repair: what the start could not keep goes back in at its cheapest place.
        let mut builder = search::Worker::new(&model, start::install(&model), rng::Rng::derived(options.seed, 0));
        builder.repair();
        // A start so broken that its repair leaves out lessons a fresh construction places
        // is given up for that construction: a warm start never places fewer lessons.
        let fresh = construct();
        if fresh.unscheduled < builder.state.unscheduled {
            fresh
        } else {
            builder.state
        }
    } else {
        construct()
    };
    let constructed_cost = constructed.real_cost(&model);
    let rate = work_rate(instance.lessons.len());
    let work = options.work.unwrap_or((seconds * rate) as u64);
    // Epochs of about half a second: often enough to share good states, rarely enough
    // that copying states costs nothing.
    let epochs = ((work as f64 / rate) * 2.0).round().clamp(2.0, 400.0) as u64;
    let budget = search::Budget {
        work,
        epochs,
        deadline,
        threads,
        seed: options.seed,
    };
    let (best, work_done) = if model.lessons.is_empty() || model.days == 0 {
        (constructed, 0)
    } else {
        search::anneal(&model, constructed, &budget)
    };
    Ok(Solved {
        solution: best.to_solution(&model, instance),
        cost: best.real_cost(&model),
        constructed_cost,
        moved: best.moved(&model),
        work: work_done,
    })
}
