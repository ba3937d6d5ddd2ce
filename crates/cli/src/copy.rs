//! `tutti copy --to postgres://…`: a hub that outgrows SQLite moves to PostgreSQL with one
//! command, and is told table by table that nothing was lost.
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use tutti_store::Store;
use tutti_store::copy::CopyError;

use crate::db::{DbArgs, redact};

#[derive(Args, Debug)]
pub struct CopyArgs {
    /// The hub to copy (its SQLite database by default).
    #[command(flatten)]
    pub db: DbArgs,
    /// An empty PostgreSQL database to copy the hub into (`postgres://user@host/name`).
    #[arg(long)]
    pub to: String,
}

pub async fn run(args: CopyArgs) -> anyhow::Result<ExitCode> {
    if !(args.to.starts_with("postgres://") || args.to.starts_with("postgresql://")) {
        bail!(
            "--to must be a PostgreSQL URL, starting postgres:// (got {})",
            redact(&args.to)
        );
    }
    let source = args.db.open().await?;
    let target = Store::connect_with(&args.to, args.db.ca_file.as_deref())
        .await
        .with_context(|| format!("could not connect to {}", redact(&args.to)))?;
    let from = redact(&args.db.url()?);
    let to = redact(&args.to);
    say!("Copying the hub at {from} into {to}…");
    let copied = match source.copy_into(&target).await {
        Ok(copied) => copied,
        Err(e) => bail!("{}", words(e, &to)),
    };
    let width = copied.iter().map(|t| t.table.len()).max().unwrap_or(5);
    let mut rows = 0;
    for t in &copied {
        say!("  {:width$}  {:>9} rows  sha256 {}", t.table, t.rows, &t.checksum[..16]);
        rows += t.rows;
    }
    say!(
        "Copied {} tables, {rows} rows; read back from PostgreSQL, every table's row count and checksum match.",
        copied.len()
    );
    say!("Serve from PostgreSQL with: tutti serve --database-url '{to}'");
    source.close().await;
    target.close().await;
    Ok(ExitCode::SUCCESS)
}

/// What went wrong, for the person at the terminal; nothing was written in any case.
fn words(e: CopyError, to: &str) -> String {
    match e {
        CopyError::TargetNotPostgres => format!("{to} is not a PostgreSQL database"),
        CopyError::SameDatabase => "the source and the target are the same database".into(),
        CopyError::TargetHoldsData { table, rows } => format!(
            "{to} already holds data ({rows} rows in {table}); copy into an empty database. Nothing was copied."
        ),
        CopyError::UnknownColumnType {
            table,
            column,
            data_type,
        } => format!(
            "the column {table}.{column} has a type this version cannot copy ({data_type}). Nothing was copied."
        ),
        CopyError::MissingInSource { table } => format!(
            "the source has no table {table}: migrate it with this version first (tutti migrate). Nothing was copied."
        ),
        CopyError::Mismatch {
            table,
            source_rows,
            target_rows,
            source_checksum,
            target_checksum,
        } => format!(
            "read back, {table} differs ({source_rows} rows, checksum {source_checksum} in the source; \
             {target_rows} rows, checksum {target_checksum} in the target). The copy was rolled back; nothing was kept."
        ),
        CopyError::Store(e) => format!("the copy stopped and was rolled back: {e}"),
    }
}
