//! `--config tutti.toml`: every flag a key (`stripe_secret_key = "…"`), below flags and the
//! environment; and `tutti config check`, which prints the settings in force with secrets
//! masked and says what is unsafe.
//!
//! The file's keys become the `TUTTI_…` environment variables the flags already read, for
//! each variable not set already, before the command line is parsed: so a flag beats the
//! environment, the environment beats the file, and the file beats the default, with one
//! parser for all three. The file is the flat part of TOML this needs: `key = "string"`,
//! `key = 'literal'`, `key = 123`, `key = true`, and comments.
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{Args, CommandFactory, Subcommand};

use crate::serve::ServeArgs;

/// The keys the file set, so that `config check` can say where a value came from.
static FROM_FILE: std::sync::OnceLock<BTreeSet<String>> = std::sync::OnceLock::new();

/// Finds `--config FILE` (or TUTTI_CONFIG) before the command line is parsed and moves its
/// keys into the environment. Runs before any other thread exists.
pub fn load_before_parsing() -> anyhow::Result<()> {
    let mut args = std::env::args_os().skip(1);
    let mut path = std::env::var_os("TUTTI_CONFIG").map(PathBuf::from);
    while let Some(arg) = args.next() {
        let arg = arg.to_string_lossy().into_owned();
        if arg == "--" {
            break;
        } else if arg == "--config" {
            path = args.next().map(PathBuf::from);
        } else if let Some(p) = arg.strip_prefix("--config=") {
            path = Some(PathBuf::from(p));
        }
    }
    let Some(path) = path else {
        return Ok(());
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| anyhow::anyhow!("could not read the configuration file {}: {e}", path.display()))?;
    let pairs = parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let known = known_variables();
    let mut from_file = BTreeSet::new();
    for (key, value) in pairs {
        let variable = format!("TUTTI_{}", key.to_ascii_uppercase());
        if !known.contains(&variable) || key.contains('-') {
            anyhow::bail!(
                "{}: {key:?} is not a setting; keys are the flags' names with underscores, such as stripe_secret_key",
                path.display()
            );
        }
        if std::env::var_os(&variable).is_none() {
            // SAFETY: called from main before the runtime or any other thread starts.
            unsafe { std::env::set_var(&variable, value) };
            from_file.insert(key);
        }
    }
    let _ = FROM_FILE.set(from_file);
    Ok(())
}

/// Every environment variable some flag of some command reads.
fn known_variables() -> BTreeSet<String> {
    fn walk(command: &clap::Command, into: &mut BTreeSet<String>) {
        for arg in command.get_arguments() {
            if let Some(env) = arg.get_env() {
                into.insert(env.to_string_lossy().into_owned());
            }
        }
        for sub in command.get_subcommands() {
            walk(sub, into);
        }
    }
    let mut known = BTreeSet::new();
    walk(&crate::Cli::command(), &mut known);
    known.remove("TUTTI_CONFIG");
    known
}

/// The flat TOML this file takes: `key = value` lines, `#` comments.
fn parse(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let at = |what: &str| format!("line {}: {what}", n + 1);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') {
            return Err(at("tables are not used: every key stands at the top of the file"));
        }
        let (key, value) = line.split_once('=').ok_or_else(|| at("expected key = value"))?;
        let key = key.trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Err(at(&format!("{key:?} is not a key")));
        }
        let value = value.trim();
        let parsed = if let Some(rest) = value.strip_prefix('"') {
            let mut out = String::new();
            let mut chars = rest.chars();
            let mut closed = None;
            while let Some(c) = chars.next() {
                match c {
                    '"' => {
                        closed = Some(chars.as_str());
                        break;
                    }
                    '\\' => match chars.next() {
                        Some('"') => out.push('"'),
                        Some('\\') => out.push('\\'),
                        Some('n') => out.push('\n'),
                        Some('t') => out.push('\t'),
                        _ => return Err(at("unknown escape in a string")),
                    },
                    c => out.push(c),
                }
            }
            let rest = closed.ok_or_else(|| at("the string is not closed"))?;
            trailing(rest).map_err(at)?;
            out
        } else if let Some(rest) = value.strip_prefix('\'') {
            let (inner, rest) = rest.split_once('\'').ok_or_else(|| at("the string is not closed"))?;
            trailing(rest).map_err(at)?;
            inner.to_owned()
        } else {
            let bare = value.split('#').next().unwrap_or("").trim();
            if bare == "true" || bare == "false" || (!bare.is_empty() && bare.parse::<i64>().is_ok()) {
                bare.to_owned()
            } else {
                return Err(at("a value is a \"string\", a number, true or false"));
            }
        };
        if pairs.iter().any(|(k, _): &(String, String)| k == key) {
            return Err(at(&format!("{key} is set twice")));
        }
        pairs.push((key.to_owned(), parsed));
    }
    Ok(pairs)
}

fn trailing(rest: &str) -> Result<(), &'static str> {
    let rest = rest.trim();
    if rest.is_empty() || rest.starts_with('#') {
        Ok(())
    } else {
        Err("unexpected text after the value")
    }
}

#[derive(Subcommand)]
pub enum ConfigCommand {
    /// Print the settings `tutti serve` would run with (flag > environment > file > default),
    /// secrets masked, and say what is unsafe. Exits 1 when something is.
    Check(CheckArgs),
}

#[derive(Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// Settings whose values are never printed.
const SECRETS: [&str; 3] = ["stripe_secret_key", "stripe_webhook_secret", "metrics_token"];

pub async fn run(cmd: ConfigCommand) -> anyhow::Result<ExitCode> {
    let ConfigCommand::Check(args) = cmd;
    let matches = crate::Cli::command().get_matches();
    let check = matches
        .subcommand_matches("config")
        .and_then(|m| m.subcommand_matches("check"))
        .expect("config check was parsed");
    let from_file = FROM_FILE.get().cloned().unwrap_or_default();
    let command = crate::Cli::command();
    let definition = command
        .find_subcommand("config")
        .and_then(|c| c.find_subcommand("check"))
        .expect("config check is defined");
    say!("Settings in force (flag > environment > file > default):");
    for arg in definition.get_arguments() {
        let id = arg.get_id().as_str();
        if id == "config" || id == "help" || id == "version" {
            continue;
        }
        let Some(source) = check.value_source(id) else {
            say!("  {id:<26} (not set)");
            continue;
        };
        let raw: Vec<String> = check
            .get_raw(id)
            .map(|v| v.map(|s| s.to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        let value = raw.join(",");
        let shown = if SECRETS.contains(&id) {
            "******".to_owned()
        } else {
            crate::db::redact(&value)
        };
        let from = match source {
            ValueSource::CommandLine => "flag",
            ValueSource::EnvVariable if from_file.contains(id) => "file",
            ValueSource::EnvVariable => "environment",
            _ => "default",
        };
        say!("  {id:<26} {shown}  ({from})");
    }
    let problems = unsafe_settings(&args.serve).await;
    if problems.is_empty() {
        say!("Nothing unsafe found.");
        Ok(ExitCode::SUCCESS)
    } else {
        say!("Unsafe:");
        for p in &problems {
            say!("  - {p}");
        }
        Ok(ExitCode::FAILURE)
    }
}

/// What an operator should change before real people use the hub.
pub async fn unsafe_settings(args: &ServeArgs) -> Vec<String> {
    let mut problems = Vec::new();
    let https = args.tls_cert.is_some() || args.public_url.as_deref().is_some_and(|u| u.starts_with("https://"));
    let loopback = match tokio::net::lookup_host(&args.bind).await {
        Ok(mut addresses) => addresses.all(|a| a.ip().is_loopback()),
        Err(_) => {
            problems.push(format!("bind = {:?} is not an address and port", args.bind));
            true
        }
    };
    if !https && !loopback {
        problems.push(format!(
            "plain HTTP on {} beyond this machine: give public_url = \"https://…\" behind a TLS proxy, or tls_cert and tls_key{}",
            args.bind,
            if args.insecure { " (insecure = true lets it start)" } else { " (serve refuses to start)" }
        ));
    }
    if args.insecure {
        problems.push("insecure = true: plain HTTP is allowed on the network".into());
    }
    if args.trust_proxy && !loopback {
        problems.push(format!(
            "trust_proxy with bind = {:?}: anyone who reaches the port can forge X-Forwarded-For; bind to \
             127.0.0.1 behind the proxy",
            args.bind
        ));
    }
    if !args.demo && args.public_url.is_none() && !loopback {
        problems.push("no public_url: links in mail would point at the bind address, not the hub's name".into());
    }
    if args.demo {
        problems.push("demo = true: the demo hub's accounts share one published password".into());
    }
    if let Some(url) = &args.db.database_url
        && url.starts_with("postgres")
    {
        let tls = tutti_store::pg_tls::PgTls::from_url(url, args.db.ca_file.as_deref());
        use tutti_store::sea_orm::sqlx::postgres::PgSslMode;
        let host = url
            .split_once("://")
            .map(|(_, r)| r.rsplit_once('@').map_or(r, |(_, h)| h))
            .unwrap_or("")
            .split(['/', ':', '?'])
            .next()
            .unwrap_or("");
        let local = host.is_empty() || host == "localhost" || host.starts_with("127.") || host == "[::1]";
        if !local && !matches!(tls.effective_mode(), PgSslMode::VerifyFull) {
            problems.push(format!(
                "database_url to {host} does not verify the server (add sslmode=verify-full, and ca_file for a \
                 private CA)"
            ));
        }
    }
    if let Some(url) = &args.smtp_url {
        match tutti_web::mail::SmtpUrl::parse(url) {
            Ok(smtp) => {
                let local = smtp.host == "localhost" || smtp.host.starts_with("127.") || smtp.host == "::1";
                if smtp.security == tutti_web::mail::SmtpSecurity::Plain && !local {
                    problems.push(format!(
                        "smtp_url to {} in the clear{}: use smtp://…?tls=starttls or smtps://",
                        smtp.host,
                        if smtp.credentials.is_some() {
                            " with a password"
                        } else {
                            ""
                        }
                    ));
                }
            }
            Err(e) => problems.push(format!("smtp_url: {e}")),
        }
    }
    if !(args.stripe_api_base.starts_with("https://")) {
        problems.push(format!("stripe_api_base {} is not https://", args.stripe_api_base));
    }
    if let Some(path) = config_path()
        && let Ok(meta) = std::fs::metadata(&path)
    {
        use std::os::unix::fs::PermissionsExt as _;
        let secrets_inside = FROM_FILE.get().is_some_and(|keys| {
            keys.iter()
                .any(|k| SECRETS.contains(&k.as_str()) || k == "database_url" || k == "smtp_url")
        });
        if secrets_inside && meta.permissions().mode() & 0o077 != 0 {
            problems.push(format!(
                "{} holds secrets and others may read it: chmod 600 (owned by the service's user)",
                path.display()
            ));
        }
    }
    for (flag, given) in [
        ("--stripe-secret-key", args.stripe_secret_key.is_some()),
        ("--stripe-webhook-secret", args.stripe_webhook_secret.is_some()),
    ] {
        if given && std::env::args().any(|a| a == flag || a.starts_with(&format!("{flag}="))) {
            problems.push(format!(
                "{flag} on the command line is visible to every user in the process list: put it in the file or the environment"
            ));
        }
    }
    problems
}

fn config_path() -> Option<PathBuf> {
    let mut args = std::env::args().skip(1);
    let mut path = std::env::var_os("TUTTI_CONFIG").map(PathBuf::from);
    while let Some(a) = args.next() {
        if a == "--config" {
            path = args.next().map(PathBuf::from);
        } else if let Some(p) = a.strip_prefix("--config=") {
            path = Some(Path::new(p).to_path_buf());
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn the_flat_toml_a_config_file_holds() {
        let pairs = parse(
            "# a hub\nbind = \"0.0.0.0:8443\"  # all interfaces\npublic_url='https://hub.example'\n\
             stripe_webhook_tolerance = 600\ntrust_proxy = true\nmail_from = \"Hub \\\"Office\\\" <o@h.example>\"\n",
        )
        .unwrap();
        assert_eq!(
            pairs,
            vec![
                ("bind".into(), "0.0.0.0:8443".into()),
                ("public_url".into(), "https://hub.example".into()),
                ("stripe_webhook_tolerance".into(), "600".into()),
                ("trust_proxy".into(), "true".into()),
                ("mail_from".into(), "Hub \"Office\" <o@h.example>".into()),
            ]
        );
        assert!(parse("[serve]\nbind = \"x\"").unwrap_err().contains("line 1"));
        assert!(parse("bind = 0.0.0.0").is_err());
        assert!(parse("bind = \"x").is_err());
        assert!(parse("bind = \"x\" y").is_err());
        assert!(parse("bind = \"a\"\nbind = \"b\"").unwrap_err().contains("twice"));
    }
}
