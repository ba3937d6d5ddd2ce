//! `tutti timetable`: solve, check and generate timetable instances (TIMETABLING.md).
use anyhow::Context;
use clap::Subcommand;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;
use tutti_solver::{Instance, Solution, SolveOptions};

#[derive(Debug, Subcommand)]
pub enum TimetableCommand {
    /// Solve an instance and write the solution JSON to stdout.
    Solve {
        /// The instance JSON file.
        instance: PathBuf,
        /// Wall-time budget in seconds.
        #[arg(long)]
        seconds: f64,
        /// The same seed on the same machine gives the same solution.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Search threads; every core by default.
        #[arg(long)]
        threads: Option<usize>,
        /// A solution JSON file to start from (a warm start): its lessons stay where they
        /// are unless that breaks a rule, and the result never costs more when it is valid.
        #[arg(long)]
        start: Option<PathBuf>,
        /// With --start: what moving one lesson costs the search (never the reported
        /// cost), so that lessons move only for at least that gain each.
        #[arg(long, default_value_t = 0, requires = "start")]
        move_penalty: i64,
    },
    /// Check a solution: print its cost, the parts of the cost and every broken rule as
    /// JSON, and exit non-zero when a rule is broken.
    Check {
        /// The instance JSON file.
        instance: PathBuf,
        /// The solution JSON file.
        solution: PathBuf,
    },
    /// Generate a realistic instance and write it to stdout.
    Generate {
        #[arg(long)]
        seed: u64,
        #[arg(long)]
        teachers: usize,
        #[arg(long)]
        schools: usize,
        #[arg(long)]
        lessons: usize,
    },
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path, what: &str) -> anyhow::Result<T> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {what} file {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{what} file {} is not a valid {what}", path.display()))
}

fn read_instance(path: &Path) -> anyhow::Result<Instance> {
    let instance: Instance = read_json(path, "instance")?;
    instance
        .validate()
        .with_context(|| format!("instance file {}", path.display()))?;
    Ok(instance)
}

fn write_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    serde_json::to_writer(&mut out, value).context("cannot write to stdout")?;
    out.write_all(b"\n").context("cannot write to stdout")?;
    out.flush().context("cannot write to stdout")?;
    Ok(())
}

pub fn run(command: TimetableCommand) -> anyhow::Result<ExitCode> {
    match command {
        TimetableCommand::Solve {
            instance,
            seconds,
            seed,
            threads,
            start,
            move_penalty,
        } => {
            let started = Instant::now();
            if !(seconds.is_finite() && seconds >= 0.0) {
                anyhow::bail!("--seconds must be a non-negative number, not {seconds}");
            }
            if move_penalty < 0 {
                anyhow::bail!("--move-penalty must be 0 or more, not {move_penalty}");
            }
            let parsed = read_instance(&instance)?;
            let mut options = SolveOptions::new(seconds, seed);
            options.threads = threads;
            options.start = start.map(|path| read_json(&path, "solution")).transpose()?;
            options.move_penalty = move_penalty;
            options.started = Some(started);
            let solved = tutti_solver::solve(&parsed, &options)
                .with_context(|| format!("instance file {}", instance.display()))?;
            write_json(&solved.solution)?;
            Ok(ExitCode::SUCCESS)
        }
        TimetableCommand::Check { instance, solution } => {
            let parsed = read_instance(&instance)?;
            let answer: Solution = read_json(&solution, "solution")?;
            let report = tutti_solver::check(&parsed, &answer)
                .with_context(|| format!("instance file {}", instance.display()))?;
            write_json(&report)?;
            Ok(if report.valid {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        TimetableCommand::Generate {
            seed,
            teachers,
            schools,
            lessons,
        } => {
            if teachers == 0 || schools == 0 {
                anyhow::bail!("--teachers and --schools must be at least 1");
            }
            write_json(&tutti_solver::generate(seed, teachers, schools, lessons))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
