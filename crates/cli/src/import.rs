//! `tutti import KIND FILE.csv [--dry-run]` and `tutti export KIND [FILE]`: records in and
//! out as CSV, all or nothing on the way in.
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use tutti_store::platform::audit::Actor;
use tutti_store::records::imports::RecordKind;

use crate::db::DbArgs;

#[derive(Args, Debug)]
pub struct ImportArgs {
    #[command(flatten)]
    db: DbArgs,
    /// schools, pupils, staff, instruments, enrolments or loans.
    kind: String,
    /// The CSV file; its first line names the columns (any case, any order).
    file: PathBuf,
    /// Check the file and report what would change, writing nothing.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    db: DbArgs,
    /// schools, pupils, staff or instruments.
    kind: String,
    /// Where to write the CSV; standard output when left out.
    file: Option<PathBuf>,
}

fn kind(text: &str) -> anyhow::Result<RecordKind> {
    match RecordKind::parse(text) {
        Some(k) => Ok(k),
        None => bail!(
            "the kind of record must be schools, pupils, staff or instruments (or enrolments or loans, to import) (got {text:?})"
        ),
    }
}

/// Enrolments and loans are imported but not exported, so they are not a `RecordKind`.
const ENROLMENTS: &str = "enrolments";
const LOANS: &str = "loans";

pub async fn import(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let only_imported = [ENROLMENTS, LOANS]
        .into_iter()
        .find(|k| args.kind.trim().eq_ignore_ascii_case(k));
    let kind = match only_imported {
        Some(_) => None,
        None => Some(kind(&args.kind)?),
    };
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("could not read {} as UTF-8 text", args.file.display()))?;
    let store = args.db.open().await?;
    let started = std::time::Instant::now();
    let outcome = match (kind, only_imported) {
        (Some(kind), _) => store.import_csv(&Actor::cli(), kind, &text, args.dry_run).await?,
        (None, Some(LOANS)) => store.import_loans_csv(&Actor::cli(), &text, args.dry_run).await?,
        (None, _) => store.import_enrolments_csv(&Actor::cli(), &text, args.dry_run).await?,
    };
    store.close().await;
    for w in &outcome.warnings {
        eprintln!("warning: {w}");
    }
    if !outcome.report.is_ok() {
        for e in &outcome.report.errors {
            eprintln!("{e}");
        }
        eprintln!(
            "The file was not imported: {} problem{} found. Nothing was changed; correct the file and try again.",
            outcome.report.errors.len(),
            if outcome.report.errors.len() == 1 { "" } else { "s" }
        );
        return Ok(ExitCode::FAILURE);
    }
    let verb = if args.dry_run {
        "Dry run, nothing written"
    } else {
        "Imported"
    };
    println!(
        "{verb}: {} {} rows: {} ({:.2} s).",
        outcome.rows,
        kind.map_or(only_imported.unwrap_or(ENROLMENTS), |k| k.as_str()),
        outcome.report.summary(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let kind = kind(&args.kind)?;
    let store = args.db.open().await?;
    let n = match &args.file {
        Some(path) => {
            let file = std::fs::File::create(path).with_context(|| format!("could not create {}", path.display()))?;
            let mut out = std::io::BufWriter::new(file);
            let n = store.export_csv(kind, &mut out).await?;
            std::io::Write::flush(&mut out)?;
            eprintln!("Exported {n} {} to {}.", kind.as_str(), path.display());
            n
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let n = store.export_csv(kind, &mut out).await?;
            std::io::Write::flush(&mut out)?;
            n
        }
    };
    store
        .audit(
            &Actor::cli(),
            tutti_store::platform::audit::Action::Export,
            kind.as_str().trim_end_matches('s'),
            None,
            &format!("{n} {} exported", kind.as_str()),
        )
        .await?;
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
