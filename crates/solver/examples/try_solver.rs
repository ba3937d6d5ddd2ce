//! Development driver: generate an instance, solve it and check the result, printing
//! the figures. `cargo run --release -p tutti-solver --example try_solver -- SEED
//! TEACHERS SCHOOLS LESSONS SECONDS [THREADS]`.
use std::time::Instant;
use tutti_solver::{SolveOptions, check, generate, solve};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize, default: f64| {
        args.get(i)
            .map(|a| a.parse::<f64>().expect("a number"))
            .unwrap_or(default)
    };
    let (seed, teachers, schools, lessons, seconds) = (
        num(0, 1.0) as u64,
        num(1, 5.0) as usize,
        num(2, 15.0) as usize,
        num(3, 100.0) as usize,
        num(4, 2.0),
    );
    let t0 = Instant::now();
    let instance = generate(seed, teachers, schools, lessons);
    eprintln!("generated in {:.2}s", t0.elapsed().as_secs_f64());
    let mut options = SolveOptions::new(seconds, seed);
    if let Some(threads) = args.get(5) {
        options.threads = Some(threads.parse().expect("a thread count"));
    }
    let t1 = Instant::now();
    let solved = solve(&instance, &options).expect("a valid instance");
    let elapsed = t1.elapsed().as_secs_f64();
    let report = check(&instance, &solved.solution).expect("a valid instance");
    println!(
        "lessons {lessons} seconds {seconds} elapsed {elapsed:.2} constructed {} cost {} checked {} valid {} unscheduled {} travel {} idle {} visits {} violations {} work/s/thread {:.0}",
        solved.constructed_cost,
        solved.cost,
        report.cost,
        report.valid,
        report.unscheduled,
        report.travel,
        report.idle,
        report.visits,
        report.violations.len(),
        solved.work as f64 / elapsed / options.threads.unwrap_or(2) as f64
    );
    explain(&instance, &solved.solution);
    for v in report.violations.iter().take(5) {
        println!("  {v:?}");
    }
}

/// Prints why unscheduled lessons might be unplaceable (development aid).
#[allow(dead_code)]
fn explain(instance: &tutti_solver::Instance, solution: &tutti_solver::Solution) {
    for id in solution.unscheduled.iter().take(8) {
        let l = instance.lessons.iter().find(|l| &l.id == id).unwrap();
        let t = instance.teachers.iter().find(|t| t.id == l.teacher).unwrap();
        let s = instance.schools.iter().find(|s| s.id == l.school).unwrap();
        let minutes: i64 = instance
            .lessons
            .iter()
            .filter(|x| x.teacher == l.teacher)
            .map(|x| x.minutes)
            .sum();
        let same_school: i64 = instance
            .lessons
            .iter()
            .filter(|x| x.teacher == l.teacher && x.school == l.school)
            .map(|x| x.minutes)
            .sum();
        let shared: Vec<&String> = instance
            .lessons
            .iter()
            .filter(|x| x.id != l.id && x.pupils.iter().any(|p| l.pupils.contains(p)))
            .map(|x| &x.id)
            .collect();
        println!(
            "{id} {}min teacher {} avail {:?} total {minutes} at-school {same_school}; school {} rooms {} open {:?}; shares {shared:?}",
            l.minutes, t.id, t.available, s.id, s.rooms, s.open
        );
    }
}
