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
    /// schools, pupils, staff, instruments, enrolments, loans, terms, closures, ensembles or
    /// ensemble-members.
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
            "the kind of record must be schools, pupils, staff or instruments (or enrolments, loans, terms, closures, ensembles or ensemble-members, to import) (got {text:?})"
        ),
    }
}

/// What can be imported besides the records that are also exported.
#[derive(Clone, Copy)]
enum Other {
    /// Enrolments (matched on pupil and instrument).
    Enrolments,
    /// Instrument loans (`store/src/records/loans.rs`).
    Loans,
    /// Term dates of local authorities (`store/src/teaching/term_imports.rs`).
    Terms,
    /// Closures and INSET days.
    Closures,
    /// Ensembles (`store/src/teaching/ensembles/records.rs`).
    Ensembles,
    /// Ensembles' members (`store/src/teaching/ensembles/members.rs`).
    EnsembleMembers,
}

impl Other {
    const ALL: [(Other, &'static str); 6] = [
        (Other::Enrolments, "enrolments"),
        (Other::Loans, "loans"),
        (Other::Terms, "terms"),
        (Other::Closures, "closures"),
        (Other::Ensembles, "ensembles"),
        (Other::EnsembleMembers, "ensemble-members"),
    ];

    fn parse(text: &str) -> Option<(Other, &'static str)> {
        Other::ALL
            .into_iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(text.trim()))
    }
}

pub async fn import(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let other = Other::parse(&args.kind);
    let kind = if other.is_some() { None } else { Some(kind(&args.kind)?) };
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("could not read {} as UTF-8 text", args.file.display()))?;
    let store = args.db.open().await?;
    let started = std::time::Instant::now();
    let actor = Actor::cli();
    let outcome = match (kind, other) {
        (Some(kind), _) => store.import_csv(&actor, kind, &text, args.dry_run).await?,
        (None, Some((Other::Enrolments, _))) => store.import_enrolments_csv(&actor, &text, args.dry_run).await?,
        (None, Some((Other::Loans, _))) => store.import_loans_csv(&actor, &text, args.dry_run).await?,
        (None, Some((Other::Terms, _))) => store.import_terms_csv(&actor, &text, args.dry_run).await?,
        (None, Some((Other::Closures, _))) => store.import_closures_csv(&actor, &text, args.dry_run).await?,
        (None, Some((Other::Ensembles, _))) => store.import_ensembles_csv(&actor, &text, args.dry_run).await?,
        (None, Some((Other::EnsembleMembers, _))) => {
            store.import_ensemble_members_csv(&actor, &text, args.dry_run).await?
        }
        (None, None) => unreachable!("the kind was read above"),
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
        kind.map_or_else(|| other.map_or("", |(_, name)| name), |k| k.as_str()),
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
            // Stdout itself, not its lock: the export's future must be Send, and a lock is not.
            let mut out = std::io::BufWriter::new(std::io::stdout());
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
