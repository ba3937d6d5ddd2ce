//! `tutti report data-return --year 2025-26 --format json|csv|xlsx [--output FILE]` and
//! `tutti report definition import FILE` (decision 0090).
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use tutti_domain::calendar::AcademicYear;
use tutti_domain::data_return::{to_csv, to_xlsx};
use tutti_store::platform::audit::Actor;

use crate::db::DbArgs;

#[derive(Subcommand, Debug)]
pub enum ReportCommand {
    /// The annual data return of an academic year (the year in progress: to date).
    DataReturn(DataReturnArgs),
    /// The data return's definition file.
    #[command(subcommand)]
    Definition(DefinitionCommand),
}

#[derive(Subcommand, Debug)]
pub enum DefinitionCommand {
    /// Check FILE and keep it as the definition of the year it names; a file with any problem
    /// changes nothing.
    Import(DefinitionArgs),
    /// Print the definition of a year (the shipped one until one is imported) as JSON.
    Show(ShowArgs),
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum Format {
    Json,
    Csv,
    Xlsx,
}

#[derive(Args, Debug)]
pub struct DataReturnArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The academic year, like 2025-26.
    #[arg(long)]
    year: String,
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
    /// Write to FILE rather than standard output.
    #[arg(long)]
    output: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct DefinitionArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The definition file.
    file: PathBuf,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The academic year, like 2025-26.
    #[arg(long)]
    year: String,
}

pub async fn run(cmd: ReportCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ReportCommand::DataReturn(args) => data_return(args).await,
        ReportCommand::Definition(DefinitionCommand::Import(args)) => import(args).await,
        ReportCommand::Definition(DefinitionCommand::Show(args)) => show(args).await,
    }
}

fn year(text: &str) -> anyhow::Result<AcademicYear> {
    AcademicYear::parse(text)
        .map_err(|_| anyhow::anyhow!("--year must be an academic year like 2025-26 (got {text:?})"))
}

async fn data_return(args: DataReturnArgs) -> anyhow::Result<ExitCode> {
    let year = year(&args.year)?;
    let store = args.db.open().await?;
    let started = std::time::Instant::now();
    let report = store.data_return(year).await?;
    let elapsed = started.elapsed();
    store.close().await;
    let bytes = match args.format {
        Format::Json => format!("{}\n", serde_json::to_string_pretty(&report)?).into_bytes(),
        Format::Csv => to_csv(&report).into_bytes(),
        Format::Xlsx => to_xlsx(&report),
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, &bytes).with_context(|| format!("could not write {}", path.display()))?;
            eprintln!(
                "Wrote the {year} data return{} to {} ({} ms).",
                if report.in_progress { " to date" } else { "" },
                path.display(),
                elapsed.as_millis()
            );
        }
        None => {
            let _ = std::io::stdout().write_all(&bytes);
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn import(args: DefinitionArgs) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("could not read {} as UTF-8 text", args.file.display()))?;
    let store = args.db.open().await?;
    let outcome = store.import_data_return_definition(&Actor::cli(), &text).await?;
    store.close().await;
    match outcome {
        Ok(year) => {
            eprintln!("Kept {} as the {year} data return's definition.", args.file.display());
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            for e in &errors {
                eprintln!("{}: {e}", args.file.display());
            }
            eprintln!(
                "The definition was not imported: {} problem{} found. Nothing was changed.",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

async fn show(args: ShowArgs) -> anyhow::Result<ExitCode> {
    let year = year(&args.year)?;
    let store = args.db.open().await?;
    let definition = store.data_return_definition(year).await?;
    store.close().await;
    say!("{}", serde_json::to_string_pretty(&definition)?);
    Ok(ExitCode::SUCCESS)
}
