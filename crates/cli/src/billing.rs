//! `tutti billing run --term 2026-autumn [--dry-run] [--json]` and
//! `tutti billing policy export|import --year 2026-27 FILE`.
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use tutti_domain::Pence;
use tutti_domain::billing::{export_policy, import_policy};
use tutti_domain::calendar::{AcademicYear, TermId};
use tutti_store::money::billing::RunProgress;
use tutti_store::platform::audit::Actor;

use crate::db::DbArgs;

#[derive(Subcommand, Debug)]
pub enum BillingCommand {
    /// Bill a term: one invoice per payer, all or nothing; a second run adds only new charges.
    Run(RunArgs),
    /// Export or import an academic year's charging policy as a file.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Email instalment reminders (once per instalment) and apply the missed-instalment rule.
    Reminders(crate::payments::RemindersArgs),
    /// Credit lessons the hub did not give in a term (once per lesson and pupil).
    Credits(crate::payments::CreditsArgs),
}

#[derive(Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The term, like 2026-autumn, 2027-spring or 2027-summer.
    #[arg(long)]
    term: String,
    /// Work out every invoice and print it, writing nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print every invoice as JSON on standard output.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// Write the year's policy (the default figures, named for the hub, until one is saved) to FILE, or standard output for "-".
    Export(PolicyArgs),
    /// Check FILE and save it as the year's policy; a file with any problem changes nothing.
    Import(PolicyArgs),
}

#[derive(Args, Debug)]
pub struct PolicyArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The academic year, like 2026-27.
    #[arg(long)]
    year: String,
    /// The policy file (JSON).
    file: PathBuf,
}

pub async fn run(cmd: BillingCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        BillingCommand::Run(args) => billing_run(args).await,
        BillingCommand::Policy(PolicyCommand::Export(args)) => export(args).await,
        BillingCommand::Policy(PolicyCommand::Import(args)) => import(args).await,
        BillingCommand::Reminders(args) => crate::payments::reminders(args).await,
        BillingCommand::Credits(args) => crate::payments::credits(args).await,
    }
}

fn year(text: &str) -> anyhow::Result<AcademicYear> {
    AcademicYear::parse(text)
        .map_err(|_| anyhow::anyhow!("--year must be an academic year like 2026-27 (got {text:?})"))
}

/// Progress on standard error: one line a stage, and the writing as it goes, with the time
/// since the run began.
fn show_progress(p: RunProgress) {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    let ms = START.get_or_init(Instant::now).elapsed().as_millis();
    let mut err = std::io::stderr();
    let _ = match p {
        RunProgress::Reading => writeln!(err, "[{ms:>6} ms] Reading pupils, enrolments and loans..."),
        RunProgress::Pricing { pupils } => writeln!(err, "[{ms:>6} ms] Pricing {pupils} pupils..."),
        RunProgress::Writing { done, total } => writeln!(err, "[{ms:>6} ms] Writing rows: {done} of {total}"),
        RunProgress::Done => writeln!(err, "[{ms:>6} ms] Committed."),
    };
}

async fn billing_run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let Ok(term) = TermId::parse(&args.term) else {
        bail!(
            "--term must be a term like 2026-autumn, 2027-spring or 2027-summer (got {:?})",
            args.term
        );
    };
    let store = args.db.open().await?;
    let started = Instant::now();
    let report = store
        .run_billing(&Actor::cli(), term, args.dry_run, &show_progress)
        .await
        .context("the billing run failed; nothing was written")?;
    let elapsed = started.elapsed();
    store.close().await;
    if args.json {
        say!("{}", serde_json::to_string_pretty(&report.to_json())?);
    } else {
        for invoice in report.plan.invoices.iter().take(20) {
            say!(
                "{:<8} {:<40} {:>3} lines {:>12}",
                invoice.payer.kind(),
                invoice.payer_name,
                invoice.lines.len(),
                invoice.total_pence.to_string()
            );
        }
        if report.invoice_count > 20 {
            say!("... and {} more invoices", report.invoice_count - 20);
        }
    }
    for skipped in &report.plan.skipped {
        eprintln!("not billed: {}: {}", skipped.pupil_ref, skipped.reason);
    }
    let verb = if args.dry_run { "Would issue" } else { "Issued" };
    eprintln!(
        "{verb} {} invoices with {} lines for {term}, {} in all ({} ms){}.",
        report.invoice_count,
        report.line_count,
        Pence(report.total_pence),
        elapsed.as_millis(),
        match report.run_id {
            Some(id) => format!(", billing run {id}"),
            None if args.dry_run => ", nothing written".to_string(),
            None => ", nothing new to bill".to_string(),
        }
    );
    Ok(ExitCode::SUCCESS)
}

async fn export(args: PolicyArgs) -> anyhow::Result<ExitCode> {
    let year = year(&args.year)?;
    let store = args.db.open().await?;
    let record = store.charging_policy(year).await?;
    store.close().await;
    let text = export_policy(year, &record.policy);
    if args.file.as_os_str() == "-" {
        say!("{text}");
    } else {
        std::fs::write(&args.file, format!("{text}\n"))
            .with_context(|| format!("could not write {}", args.file.display()))?;
        eprintln!(
            "Wrote the {year} policy \"{}\" (revision {}) to {}.",
            record.policy.name,
            record.revision,
            args.file.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn import(args: PolicyArgs) -> anyhow::Result<ExitCode> {
    let year = year(&args.year)?;
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("could not read {} as UTF-8 text", args.file.display()))?;
    let policy = match import_policy(&text, year) {
        Ok(p) => p,
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            eprintln!(
                "The policy was not imported: {} problem{} found. Nothing was changed.",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            );
            return Ok(ExitCode::FAILURE);
        }
    };
    let store = args.db.open().await?;
    let revision = store.save_charging_policy(&Actor::cli(), year, &policy).await?;
    store.close().await;
    eprintln!("Saved \"{}\" as the {year} policy (revision {revision}).", policy.name);
    Ok(ExitCode::SUCCESS)
}
