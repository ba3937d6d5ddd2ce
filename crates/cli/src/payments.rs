//! `tutti billing reminders` (instalment reminders and the missed-instalment rule, once per
//! instalment), `tutti billing credits` (lessons the hub did not give, credited once) and
//! `tutti payments gift-aid` (the Gift Aid claim schedule, each donation claimed once).
use std::process::ExitCode;

use anyhow::bail;
use clap::Args;
use tutti_domain::Pence;
use tutti_domain::calendar::TermId;
use tutti_domain::validate::parse_date;
use tutti_store::platform::audit::Actor;

use crate::db::DbArgs;

#[derive(Args, Debug)]
pub struct RemindersArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The day to act as of, like 2026-10-10 (default: today in London).
    #[arg(long)]
    date: Option<String>,
    /// The hub's name to sign the emails with, until it is set up (then the name it saved).
    #[arg(long, env = "TUTTI_HUB_NAME", default_value = "Tutti Music Hub")]
    hub_name: String,
}

#[derive(Args, Debug)]
pub struct CreditsArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The term, like 2026-autumn.
    #[arg(long)]
    term: String,
}

pub async fn reminders(args: RemindersArgs) -> anyhow::Result<ExitCode> {
    let store = args.db.open().await?;
    let today = match &args.date {
        Some(d) => match parse_date(d) {
            Ok(d) => d,
            Err(e) => bail!("--date: {e}"),
        },
        None => store.today(),
    };
    let hub_name = match store.hub_identity().await? {
        Some(record) => record.identity.name,
        None => args.hub_name.clone(),
    };
    let report = store.send_instalment_reminders(&Actor::cli(), today, &hub_name).await?;
    store.close().await;
    say!(
        "{} reminders queued; {} instalment plans collapsed by a missed instalment (whole balance due); \
         {} payers have no email address",
        report.reminders,
        report.collapsed,
        report.no_address
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn credits(args: CreditsArgs) -> anyhow::Result<ExitCode> {
    let Ok(term) = TermId::parse(&args.term) else {
        bail!("--term must be a term like 2026-autumn (got {:?})", args.term);
    };
    let store = args.db.open().await?;
    let report = store.credit_missed_lessons(&Actor::cli(), term).await?;
    store.close().await;
    say!(
        "{} lessons credited for {term}, {} in all",
        report.credits,
        Pence(report.total_pence)
    );
    Ok(ExitCode::SUCCESS)
}

/// Payments: the Gift Aid claim.
#[derive(clap::Subcommand, Debug)]
pub enum PaymentsCommand {
    /// The Gift Aid claim schedule (HMRC's Charities Online layout) as CSV, for paid donations
    /// with a declaration not yet claimed; making it marks them claimed.
    GiftAid(GiftAidArgs),
}

#[derive(Args, Debug)]
pub struct GiftAidArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The first day donations were paid on, like 2026-04-06.
    #[arg(long)]
    from: String,
    /// The last day donations were paid on, like 2027-04-05.
    #[arg(long)]
    to: String,
    /// Show the schedule without marking its donations claimed.
    #[arg(long)]
    dry_run: bool,
    /// Write the CSV to this file rather than standard output.
    #[arg(long)]
    output: Option<std::path::PathBuf>,
}

pub async fn run(cmd: PaymentsCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        PaymentsCommand::GiftAid(args) => gift_aid(args).await,
    }
}

async fn gift_aid(args: GiftAidArgs) -> anyhow::Result<ExitCode> {
    let from = parse_date(&args.from).map_err(|e| anyhow::anyhow!("--from: {e}"))?;
    let to = parse_date(&args.to).map_err(|e| anyhow::anyhow!("--to: {e}"))?;
    if to < from {
        bail!("--to must be on or after --from");
    }
    let store = args.db.open().await?;
    let claim = store.gift_aid_claim(&Actor::cli(), from, to, args.dry_run).await?;
    store.close().await;
    let csv = tutti_domain::gift_aid::schedule_csv(&claim.lines);
    match &args.output {
        Some(path) => std::fs::write(path, csv.as_bytes())?,
        None => {
            use std::io::Write as _;
            let _ = std::io::stdout().write_all(csv.as_bytes());
        }
    }
    let what = if args.dry_run {
        "previewed (nothing marked claimed)"
    } else {
        "claimed"
    };
    eprintln!(
        "{} donations, {} in {} lines, {what}",
        claim.donations,
        claim.total,
        claim.lines.len()
    );
    Ok(ExitCode::SUCCESS)
}
