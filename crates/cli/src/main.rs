//! The `tutti` binary: one program to serve the hub and to run its jobs.
/// Prints a line to standard output, ignoring a closed pipe (`tutti demo | head` must not
/// panic when `head` stops reading).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

mod audit;
mod billing;
mod config;
mod copy;
mod db;
mod import;
mod payments;
mod privacy;
mod report;
mod serve;
mod timetable;
mod users;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "tutti", version, about = "Tutti runs a music education hub end to end.")]
struct Cli {
    /// A configuration file: every flag a key with underscores (stripe_secret_key = "…"), below
    /// flags and environment variables.
    #[arg(long, global = true, env = "TUTTI_CONFIG")]
    config: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the hub over HTTP.
    Serve(serve::ServeArgs),
    /// Apply database migrations and exit (--check: only say which would be applied).
    Migrate(db::MigrateArgs),
    /// Seed a demo hub into an empty database.
    Demo(db::DemoArgs),
    /// Manage accounts.
    #[command(subcommand)]
    Users(users::UsersCommand),
    /// Import schools, pupils, staff, instruments, enrolments, term dates (terms) or closures from
    /// a CSV file, all or nothing.
    Import(import::ImportArgs),
    /// Export schools, pupils, staff or instruments as CSV.
    Export(import::ExportArgs),
    /// Billing runs and charging policies.
    #[command(subcommand)]
    Billing(billing::BillingCommand),
    /// Copy this hub into an empty PostgreSQL database and prove the copy, table by table.
    Copy(copy::CopyArgs),
    /// Solve, check and generate weekly timetables (TIMETABLING.md).
    #[command(subcommand)]
    Timetable(timetable::TimetableCommand),
    /// Payments: the Gift Aid claim.
    #[command(subcommand)]
    Payments(payments::PaymentsCommand),
    /// The audit log: check its hash chain.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Privacy by law: subject access exports and the retention schedule.
    #[command(subcommand)]
    Privacy(privacy::PrivacyCommand),
    /// Check a configuration: the settings in force, secrets masked, and what is unsafe.
    #[command(subcommand)]
    Config(config::ConfigCommand),
    /// Copy a SQLite hub, while it serves, into a file that opens as a hub.
    Backup(db::BackupArgs),
    /// Reports: the annual data return and its definition.
    #[command(subcommand)]
    Report(report::ReportCommand),
}

fn main() -> ExitCode {
    return_large_allocations_to_the_system();
    init_logging();
    if let Err(e) = config::load_before_parsing() {
        eprintln!("error: {e:#}");
        return ExitCode::FAILURE;
    }
    let cli = Cli::parse();
    if let Command::Timetable(cmd) = cli.command {
        // The solver manages its own threads; it needs no async runtime.
        return report(timetable::run(cmd));
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: could not start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    report(runtime.block_on(async move {
        match cli.command {
            Command::Serve(args) => serve::run(args).await,
            Command::Migrate(args) => db::migrate(args).await,
            Command::Demo(args) => db::demo(args).await,
            Command::Users(cmd) => users::run(cmd).await,
            Command::Import(args) => import::import(args).await,
            Command::Export(args) => import::export(args).await,
            Command::Billing(cmd) => billing::run(cmd).await,
            Command::Copy(args) => copy::run(args).await,
            Command::Payments(cmd) => payments::run(cmd).await,
            Command::Config(cmd) => config::run(cmd).await,
            Command::Backup(args) => db::backup(args).await,
            Command::Timetable(_) => unreachable!("handled above"),
            Command::Audit(cmd) => audit::run(cmd).await,
            Command::Privacy(cmd) => privacy::run(cmd).await,
            Command::Report(cmd) => report::run(cmd).await,
        }
    }))
}

fn report(result: anyhow::Result<ExitCode>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// glibc raises its mmap threshold after a large block is freed, so that later blocks of that
/// size come from (and stay in) the heap. Each argon2 hash allocates 19 MiB: after a few
/// logins on different threads the server held over 100 MB it no longer used. A fixed
/// threshold keeps such blocks mmapped and returned on free (docs/decisions/0006).
fn return_large_allocations_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator tuning and is called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

/// Log lines at or above a level, by target: `TUTTI_LOG=debug` or `info,sqlx=warn`. A filter by
/// target and level (not tracing's `EnvFilter`, which would build a regular-expression engine
/// into the release binary for span filters nobody here uses); a value it cannot read falls
/// back to the default, with a line saying so.
fn init_logging() {
    use tracing_subscriber::filter::Targets;
    use tracing_subscriber::prelude::*;
    const DEFAULT: &str = "info,sqlx=warn,sea_orm=warn";
    let asked = std::env::var("TUTTI_LOG").ok();
    let (filter, refused) = match asked.as_deref().map(str::parse::<Targets>) {
        Some(Ok(filter)) => (filter, None),
        Some(Err(e)) => (DEFAULT.parse().expect("the default filter reads"), Some(e)),
        None => (DEFAULT.parse().expect("the default filter reads"), None),
    };
    let _ = tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(filter)
        .try_init();
    if let Some(e) = refused {
        tracing::warn!("TUTTI_LOG could not be read ({e}); logging at {DEFAULT}");
    }
}
