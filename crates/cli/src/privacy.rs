//! `tutti privacy export --pupil REF` (a pupil's subject access export, the same ZIP the
//! office downloads) and `tutti privacy retention [--dry-run]` (the nightly job: reports
//! what has passed its retention period, then removes it). Decision 0088.
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use tutti_store::platform::audit::Actor;
use tutti_store::privacy::requests::RequestKind;

use crate::db::DbArgs;

#[derive(Subcommand, Debug)]
pub enum PrivacyCommand {
    /// Write a pupil's subject access export (JSON and a readable document in one ZIP).
    Export(ExportArgs),
    /// Report the records past their retention period, then remove them.
    Retention(RetentionArgs),
    /// Erase a pupil (or, with --dry-run, say what erasing them would remove and keep).
    Erase(EraseArgs),
}

#[derive(Args, Debug)]
pub struct EraseArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The pupil's reference, as on their record.
    #[arg(long)]
    pupil: String,
    /// Say what would be removed and kept; change nothing.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The pupil's reference, as on their record.
    #[arg(long)]
    pupil: String,
    /// Where to write the ZIP (default: subject-access-pupil-ID.zip here).
    #[arg(long)]
    out: Option<PathBuf>,
    /// The hub's name for the document, until it is set up (then the name it saved).
    #[arg(long, env = "TUTTI_HUB_NAME", default_value = "Tutti Music Hub")]
    hub_name: String,
}

#[derive(Args, Debug)]
pub struct RetentionArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Report only: change nothing.
    #[arg(long)]
    dry_run: bool,
}

pub async fn run(cmd: PrivacyCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        PrivacyCommand::Export(args) => export(args).await,
        PrivacyCommand::Retention(args) => retention(args).await,
        PrivacyCommand::Erase(args) => erase(args).await,
    }
}

async fn erase(args: EraseArgs) -> anyhow::Result<ExitCode> {
    let store = args.db.open().await?;
    let subject = match store.pupil_subject(&args.pupil).await {
        Ok(s) => s,
        Err(tutti_store::StoreError::NotFound) => anyhow::bail!("no pupil has the reference {:?}", args.pupil),
        Err(e) => return Err(e.into()),
    };
    let plan = if args.dry_run {
        store.erasure_plan(subject).await?
    } else {
        store.erase(&Actor::cli(), subject).await?
    };
    store.close().await;
    for l in &plan.lines {
        say!("{:<24} {:>6}  {:?}: {}", l.table, l.rows, l.treatment, l.why);
    }
    say!(
        "{}",
        if plan.done {
            format!("erased; {} other rows that named them rewritten", plan.mentions)
        } else {
            "dry run: nothing changed".to_owned()
        }
    );
    Ok(ExitCode::SUCCESS)
}

async fn export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let store = args.db.open().await?;
    let subject = match store.pupil_subject(&args.pupil).await {
        Ok(s) => s,
        Err(tutti_store::StoreError::NotFound) => anyhow::bail!("no pupil has the reference {:?}", args.pupil),
        Err(e) => return Err(e.into()),
    };
    let export = store.subject_export(subject).await?;
    let hub = match store.hub_identity().await? {
        Some(record) => record.identity.name,
        None => args.hub_name.clone(),
    };
    let bytes = tutti_web::privacy_export_zip(&export, &hub).map_err(anyhow::Error::msg)?;
    let path = args
        .out
        .unwrap_or_else(|| PathBuf::from(format!("subject-access-pupil-{}.zip", subject.id)));
    std::fs::write(&path, &bytes).with_context(|| format!("could not write {}", path.display()))?;
    store.audit_export(&Actor::cli(), subject).await?;
    store.answer_privacy_requests(RequestKind::Access, subject).await?;
    store.close().await;
    say!(
        "{} records in {} tables and {} audit events written to {}",
        export.row_count(),
        export.tables.len(),
        export.history.len(),
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}

async fn retention(args: RetentionArgs) -> anyhow::Result<ExitCode> {
    let store = args.db.open().await?;
    let report = store.retention(&Actor::cli(), args.dry_run).await?;
    store.close().await;
    for l in &report.lines {
        say!(
            "{:<26} {:>4} months  before {}  {:>7} {}",
            l.label,
            l.months,
            l.cutoff,
            l.due,
            if report.dry_run { "due" } else { "removed" }
        );
    }
    say!(
        "{} records {}",
        report.total(),
        if report.dry_run {
            "are past their period (dry run: nothing changed)"
        } else {
            "past their period removed"
        }
    );
    Ok(ExitCode::SUCCESS)
}
