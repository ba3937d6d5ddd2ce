//! `tutti serve`: the web server, with the demo hub when asked.
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use tutti_store::demo::DemoSize;
use tutti_web::WebConfig;
use tutti_web::config::{CardPayments, StripeConfig};

use crate::db::{self, DbArgs};

#[derive(Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The address and port to listen on.
    #[arg(long, env = "TUTTI_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Seed a Durham-sized demo hub into a new database (a second start seeds nothing).
    #[arg(long, env = "TUTTI_DEMO")]
    pub demo: bool,
    /// The seed of the demo hub.
    #[arg(long, env = "TUTTI_DEMO_SEED", default_value_t = 1)]
    pub demo_seed: u64,
    /// The address people use to reach the hub, for links in emails (default: from --bind).
    #[arg(long, env = "TUTTI_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The hub's name until it is set up; after setup, the name saved in its settings.
    #[arg(long, env = "TUTTI_HUB_NAME", default_value = "Tutti Music Hub")]
    pub hub_name: String,
    /// Send mail over SMTP as well as keeping it in the outbox: smtp://[user:pass@]host[:port].
    #[arg(long, env = "TUTTI_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// The sender of outgoing mail.
    #[arg(
        long,
        env = "TUTTI_MAIL_FROM",
        default_value = "Tutti Music Hub <office@tutti.invalid>"
    )]
    pub mail_from: String,
    /// Trust X-Forwarded-For and X-Forwarded-Proto from a reverse proxy in front.
    #[arg(long, env = "TUTTI_TRUST_PROXY")]
    pub trust_proxy: bool,
    /// Card payments: "stripe", "test" (an offline page that takes no money) or "off".
    /// Default: stripe when a Stripe key is given, test with --demo, else off.
    #[arg(long, env = "TUTTI_CARD_PAYMENTS")]
    pub card_payments: Option<String>,
    /// Stripe's secret API key (sk_live_... or sk_test_...).
    #[arg(long, env = "TUTTI_STRIPE_SECRET_KEY", hide_env_values = true)]
    pub stripe_secret_key: Option<String>,
    /// The signing secret of the Stripe webhook endpoint for /payments/webhook (whsec_...).
    #[arg(long, env = "TUTTI_STRIPE_WEBHOOK_SECRET", hide_env_values = true)]
    pub stripe_webhook_secret: Option<String>,
    /// Where Stripe's API is reached: a plain-HTTP egress proxy to https://api.stripe.com
    /// (docs/operations.md, "Card payments").
    #[arg(long, env = "TUTTI_STRIPE_API_BASE", default_value = "http://127.0.0.1:8089")]
    pub stripe_api_base: String,
    /// Seconds a signed webhook stays acceptable.
    #[arg(long, env = "TUTTI_STRIPE_WEBHOOK_TOLERANCE", default_value_t = 300)]
    pub stripe_webhook_tolerance: i64,

    // Observing the server, and several app servers on one database (issue 16).
    /// The access log on standard output, a line per request: "plain", "json" or "off".
    #[arg(long, env = "TUTTI_LOG_FORMAT", default_value = "plain")]
    pub log_format: String,
    /// A bearer token that opens /metrics from anywhere (without it, from this machine only).
    #[arg(long, env = "TUTTI_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Seconds an app server may be silent while holding a job (a billing run, a timetable
    /// proposal) before another takes the job over.
    #[arg(long, env = "TUTTI_JOB_STALE_AFTER", default_value_t = tutti_store::platform::jobs::STALE_AFTER_SECS)]
    pub job_stale_after: i64,
    /// Seconds a stopping server gives the jobs it holds to finish before another takes them.
    #[arg(long, env = "TUTTI_SHUTDOWN_GRACE", default_value_t = 20)]
    pub shutdown_grace: u64,
}

/// The access log's format from the flag.
fn access_log(args: &ServeArgs) -> anyhow::Result<Option<tutti_web::access_log::LogFormat>> {
    if args.log_format.trim().eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    match tutti_web::access_log::LogFormat::parse(&args.log_format) {
        Some(f) => Ok(Some(f)),
        None => anyhow::bail!("--log-format must be plain, json or off (got {:?})", args.log_format),
    }
}

/// The card payment provider the flags ask for.
fn card_payments(args: &ServeArgs) -> anyhow::Result<CardPayments> {
    let choice = match args.card_payments.as_deref() {
        Some(c) => c.trim().to_lowercase(),
        None if args.stripe_secret_key.is_some() => "stripe".into(),
        None if args.demo => "test".into(),
        None => "off".into(),
    };
    Ok(match choice.as_str() {
        "off" | "none" => CardPayments::Off,
        "test" => CardPayments::test_mode(),
        "stripe" => {
            let (Some(secret_key), Some(webhook_secret)) = (&args.stripe_secret_key, &args.stripe_webhook_secret)
            else {
                anyhow::bail!("card payments by Stripe need --stripe-secret-key and --stripe-webhook-secret");
            };
            // This build speaks plain HTTP only (docs/decisions/0046-payments-http-client.md).
            if !args.stripe_api_base.starts_with("http://") {
                anyhow::bail!(
                    "--stripe-api-base must be an http:// address of the egress proxy that forwards to \
                     https://api.stripe.com (got {}); see docs/operations.md",
                    args.stripe_api_base
                );
            }
            CardPayments::Stripe(StripeConfig {
                api_base: args.stripe_api_base.clone(),
                secret_key: secret_key.clone(),
                webhook_secret: webhook_secret.clone(),
                tolerance_secs: args.stripe_webhook_tolerance,
            })
        }
        other => anyhow::bail!("--card-payments must be stripe, test or off (got {other:?})"),
    })
}

pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let card_payments = card_payments(&args)?;
    let access_log = access_log(&args)?;
    if args.job_stale_after < 1 {
        anyhow::bail!("--job-stale-after must be at least 1 second");
    }
    let store = args.db.open().await?;
    if args.demo {
        db::seed(&store, args.demo_seed, DemoSize::DURHAM).await?;
    }
    let listener = tokio::net::TcpListener::bind(&args.bind)
        .await
        .with_context(|| format!("could not listen on {}", args.bind))?;
    let address = listener.local_addr()?;
    let config = WebConfig {
        hub_name: args.hub_name,
        public_url: args.public_url.unwrap_or_else(|| format!("http://{address}")),
        trust_proxy: args.trust_proxy,
        smtp_url: args.smtp_url.clone(),
        mail_from: args.mail_from.clone(),
        card_payments,
        access_log,
        metrics_token: args.metrics_token.clone().filter(|t| !t.trim().is_empty()),
        job_stale_after: args.job_stale_after,
        shutdown_grace: std::time::Duration::from_secs(args.shutdown_grace),
        ..WebConfig::default()
    };
    if let Some(url) = args.smtp_url {
        tokio::spawn(tutti_web::mail::run_sender(store.clone(), url, args.mail_from));
    }
    tokio::spawn(housekeeping(store.clone()));
    // A hub with no admin yet gets a new one-time setup link at every start (the last one
    // stops working); a hub with one gets none.
    let setup_code = store.issue_setup_code().await?;
    let setup_base = config.public_url.trim_end_matches('/').to_owned();
    say!("Tutti is running at http://{address}/");
    if args.demo {
        db::print_demo_accounts();
    }
    if let Some(code) = setup_code {
        say!(
            "This hub has no admin yet. Open this one-time link to set it up (it works until the hub \
             is set up or Tutti restarts):\n  {setup_base}/setup?code={code}\n\
             Or make the first admin at the command line: tutti users create --role admin --email ADDRESS"
        );
    }
    tutti_web::serve(listener, store.clone(), config, shutdown_signal()).await?;
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Hourly clean-up of ended sessions.
async fn housekeeping(store: tutti_store::Store) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        if let Err(e) = store.purge_expired_sessions().await {
            tracing::warn!(error = %e, "could not purge expired sessions");
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
