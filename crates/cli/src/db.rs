//! Opening the hub's database from flags, `tutti migrate` and `tutti demo`.
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use tutti_store::Store;
use tutti_store::demo::{Calendar, DemoSize, Seeded};

/// Where the hub's data lives.
#[derive(Args, Debug, Clone)]
pub struct DbArgs {
    /// Folder for the embedded SQLite database (and, later, uploads).
    #[arg(long, env = "TUTTI_DATA_DIR", default_value = "./tutti-data")]
    pub data_dir: PathBuf,
    /// A database URL (`sqlite://PATH` or `postgres://...`); overrides --data-dir.
    #[arg(long, env = "TUTTI_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Certificates (PEM) of a private CA, trusted besides the system's roots when PostgreSQL,
    /// the mail server or the payment provider is verified.
    #[arg(long, env = "TUTTI_CA_FILE")]
    pub ca_file: Option<PathBuf>,
}

impl DbArgs {
    /// The URL to connect to, creating the data folder for SQLite.
    pub fn url(&self) -> anyhow::Result<String> {
        if let Some(url) = &self.database_url {
            if !(url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                anyhow::bail!("--database-url must start with sqlite:// or postgres:// (got {url:?})");
            }
            return Ok(url.clone());
        }
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("could not create the data folder {}", self.data_dir.display()))?;
        Ok(format!("sqlite://{}", self.data_dir.join("tutti.db").display()))
    }

    /// Connects and brings the schema up to date.
    pub async fn open(&self) -> anyhow::Result<Store> {
        let store = self.connect().await?;
        store
            .migrate()
            .await
            .context("could not apply the database migrations")?;
        Ok(store)
    }

    /// Connects, leaving the schema as it is (`migrate --check`, `backup`).
    pub async fn connect(&self) -> anyhow::Result<Store> {
        let url = self.url()?;
        if let Some(ca) = &self.ca_file {
            std::fs::metadata(ca).with_context(|| format!("could not read the --ca-file {}", ca.display()))?;
        }
        let store = Store::connect_with(&url, self.ca_file.as_deref())
            .await
            .map_err(|e| anyhow::anyhow!("{}", explain_tls(&e.to_string())))
            .with_context(|| format!("could not open the database at {}", redact(&url)))?;
        Ok(store)
    }
}

/// A refused certificate, said so that an operator knows which setting to change.
fn explain_tls(error: &str) -> String {
    let lower = error.to_lowercase();
    if lower.contains("certificate") || lower.contains("unknownissuer") || lower.contains("notvalidforname") {
        format!(
            "{error}\nPostgreSQL's TLS certificate was not accepted: with sslmode=verify-ca or verify-full it must \
             be signed by a root the system trusts or one in --ca-file (or the URL's sslrootcert), and with \
             verify-full it must also name the host in the URL."
        )
    } else {
        error.to_owned()
    }
}

/// A URL fit to print: any password replaced.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[derive(Args, Debug)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Say which migrations this version would apply, and apply none; exits 1 when some would
    /// be applied or the database is newer than this version.
    #[arg(long)]
    pub check: bool,
}

pub async fn migrate(MigrateArgs { db: args, check }: MigrateArgs) -> anyhow::Result<ExitCode> {
    if check {
        let store = args.connect().await?;
        let pending = store.pending_migrations().await;
        store.close().await;
        let url = redact(&args.url()?);
        return match pending {
            Ok(p) if p.is_empty() => {
                say!("The database at {url} is up to date; nothing to apply.");
                Ok(ExitCode::SUCCESS)
            }
            Ok(p) => {
                say!("{} migration(s) to apply to the database at {url}:", p.len());
                for name in p {
                    say!("  {name}");
                }
                say!("Back it up first (tutti backup, or pg_dump), then run tutti migrate or start tutti serve.");
                Ok(ExitCode::FAILURE)
            }
            Err(e) => {
                say!("The database at {url} cannot be migrated by this version: {e}");
                Ok(ExitCode::FAILURE)
            }
        };
    }
    let store = args.open().await?;
    say!("The database at {} is up to date.", redact(&args.url()?));
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

#[derive(Args, Debug)]
pub struct BackupArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The file to write; it must not exist yet.
    #[arg(long)]
    pub to: PathBuf,
}

/// `tutti backup --to FILE`: a consistent copy of a SQLite hub, safe while it serves.
pub async fn backup(args: BackupArgs) -> anyhow::Result<ExitCode> {
    let url = args.db.url()?;
    if !url.starts_with("sqlite:") {
        anyhow::bail!("tutti backup copies a SQLite hub; back up PostgreSQL with pg_dump (or the host's snapshots)");
    }
    if args.to.exists() {
        anyhow::bail!("{} exists already; a backup never overwrites a file", args.to.display());
    }
    let store = args.db.connect().await?;
    let started = std::time::Instant::now();
    let done = store.backup_to(&args.to).await;
    store.close().await;
    done.with_context(|| format!("could not back up into {}", args.to.display()))?;
    let size = std::fs::metadata(&args.to).map(|m| m.len()).unwrap_or(0);
    say!(
        "Backed up the hub at {} into {} ({:.1} MB) in {:.1?}.",
        redact(&url),
        args.to.display(),
        size as f64 / 1e6,
        started.elapsed()
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The same seed always builds the same hub.
    #[arg(long, env = "TUTTI_DEMO_SEED", default_value_t = 1)]
    pub seed: u64,
    #[arg(long, default_value_t = DemoSize::DURHAM.schools)]
    pub schools: usize,
    #[arg(long, default_value_t = DemoSize::DURHAM.teachers)]
    pub teachers: usize,
    #[arg(long, default_value_t = DemoSize::DURHAM.pupils)]
    pub pupils: usize,
    /// Leave out the year's dated lessons and registers (a million pupils' calendar is some 33
    /// million lessons): for timing what does not read them, such as the data return.
    #[arg(long)]
    pub without_calendar: bool,
}

pub async fn demo(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let store = args.db.open().await?;
    let size = DemoSize {
        schools: args.schools,
        teachers: args.teachers,
        pupils: args.pupils,
    };
    let calendar = if args.without_calendar {
        Calendar::Without
    } else {
        Calendar::With
    };
    let outcome = seed(&store, args.seed, size, calendar).await?;
    store.close().await;
    if outcome == Seeded::AlreadyPresent {
        say!("The demo hub is already in this database; nothing was added.");
    }
    print_demo_accounts();
    Ok(ExitCode::SUCCESS)
}

/// Seeds the demo hub and says what happened.
pub async fn seed(store: &Store, seed: u64, size: DemoSize, calendar: Calendar) -> anyhow::Result<Seeded> {
    let started = std::time::Instant::now();
    let outcome = store.seed_demo_with(seed, size, calendar).await?;
    if let Seeded::Created {
        schools,
        teachers,
        pupils,
        guardians,
    } = &outcome
    {
        say!(
            "Seeded the demo hub (seed {seed}): {schools} schools, {teachers} teachers, {pupils} pupils, {guardians} families in {:.1?}.",
            started.elapsed()
        );
    }
    Ok(outcome)
}

pub fn print_demo_accounts() {
    say!("Demo accounts (password: {}):", tutti_store::demo::DEMO_PASSWORD);
    for (email, role) in tutti_store::demo::DEMO_ACCOUNTS {
        say!("  {:<20} {}", email, role.label());
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_in_urls_are_not_printed() {
        assert_eq!(
            redact("postgres://tutti:secret@db:5432/hub"),
            "postgres://tutti:***@db:5432/hub"
        );
        assert_eq!(redact("postgres://db/hub"), "postgres://db/hub");
        assert_eq!(
            redact("sqlite://./tutti-data/tutti.db"),
            "sqlite://./tutti-data/tutti.db"
        );
    }
}
