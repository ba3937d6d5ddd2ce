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
    /// Send mail over SMTP as well as keeping it in the outbox: smtp://[user:pass@]host[:port]
    /// in the clear to a local relay, smtp://…?tls=starttls (port 587) or smtps://… (port 465);
    /// the user and password percent-encoded.
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
    /// Where Stripe's API is reached, over HTTPS (http:// only to a loopback address, for tests).
    #[arg(long, env = "TUTTI_STRIPE_API_BASE", default_value = "https://api.stripe.com")]
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
    /// A proxy for outbound HTTP (the payment provider), for networks with no direct egress:
    /// http://proxy.example:3128. Without it, HTTPS_PROXY and NO_PROXY apply as usual.
    #[arg(long, env = "TUTTI_HTTP_PROXY")]
    pub http_proxy: Option<String>,
    /// Serve HTTPS on --bind with this certificate chain (PEM); read again on SIGHUP.
    #[arg(long, env = "TUTTI_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<std::path::PathBuf>,
    /// The private key (PEM) of --tls-cert; read again on SIGHUP.
    #[arg(long, env = "TUTTI_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<std::path::PathBuf>,
    /// With --tls-cert: also listen here for plain HTTP and redirect it to the public https:// URL
    /// (for example 0.0.0.0:80).
    #[arg(long, env = "TUTTI_REDIRECT_BIND", requires = "tls_cert")]
    pub redirect_bind: Option<String>,
    /// Serve plain HTTP on a non-loopback address without an https:// public URL. People's
    /// passwords then cross the network in the clear: for a closed test network only.
    #[arg(long, env = "TUTTI_INSECURE")]
    pub insecure: bool,
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
            // Straight to the provider over HTTPS (docs/decisions/0080-tls-everywhere-with-rustls.md);
            // a network that allows no direct egress names its proxy with --http-proxy.
            if !(args.stripe_api_base.starts_with("https://") || is_loopback_http(&args.stripe_api_base)) {
                anyhow::bail!(
                    "--stripe-api-base must be an https:// address such as https://api.stripe.com (got {}); \
                     a network that needs a proxy names it with --http-proxy",
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

/// `http://127.0.0.1…`, `http://localhost…` or `http://[::1]…`: a test's fake provider.
fn is_loopback_http(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let host = rest.split(['/', '?']).next().unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    host == "localhost" || host == "[::1]" || host.parse::<std::net::Ipv4Addr>().is_ok_and(|a| a.is_loopback())
}

/// How outbound connections (payments, mail) are made, checked before serving.
fn outbound(args: &ServeArgs) -> anyhow::Result<tutti_web::outbound::Outbound> {
    let outbound = tutti_web::outbound::Outbound {
        ca_file: args.db.ca_file.clone(),
        http_proxy: args.http_proxy.clone(),
    };
    outbound
        .http_client(std::time::Duration::from_secs(20))
        .map_err(|e| anyhow::anyhow!("{e} (--ca-file, --http-proxy)"))?;
    if let Some(url) = &args.smtp_url {
        tutti_web::mail::transport(url, &outbound).map_err(|e| anyhow::anyhow!("--smtp-url: {e}"))?;
    }
    Ok(outbound)
}

/// Refuses to serve in the clear beyond this machine unless the operator said so: a real hub
/// on a network address is reached over HTTPS, its own or a proxy's.
async fn refuse_plain_http_on_the_network(args: &ServeArgs) -> anyhow::Result<()> {
    let https = args.tls_cert.is_some() || args.public_url.as_deref().is_some_and(|u| u.starts_with("https://"));
    if args.demo || args.insecure || https {
        return Ok(());
    }
    let addresses: Vec<std::net::SocketAddr> = tokio::net::lookup_host(&args.bind)
        .await
        .with_context(|| format!("--bind {} is not an address and port", args.bind))?
        .collect();
    if addresses.iter().all(|a| a.ip().is_loopback()) {
        return Ok(());
    }
    anyhow::bail!(
        "refusing to serve plain HTTP on {}, beyond this machine: passwords would cross the network in \
         the clear. Either put a TLS proxy in front and give --public-url https://… (with --trust-proxy), \
         or serve HTTPS here with --tls-cert and --tls-key, or, on a closed test network only, say --insecure.",
        args.bind
    )
}

pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let card_payments = card_payments(&args)?;
    let access_log = access_log(&args)?;
    if args.job_stale_after < 1 {
        anyhow::bail!("--job-stale-after must be at least 1 second");
    }
    let outbound = outbound(&args)?;
    refuse_plain_http_on_the_network(&args).await?;
    let server_cert = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(tutti_web::https::ServerCert::load(cert, key).map_err(|e| anyhow::anyhow!(e))?),
        _ => None,
    };
    let store = args.db.open().await?;
    if args.demo {
        db::seed(&store, args.demo_seed, DemoSize::DURHAM, Default::default()).await?;
    }
    let listener = tokio::net::TcpListener::bind(&args.bind)
        .await
        .with_context(|| format!("could not listen on {}", args.bind))?;
    let address = listener.local_addr()?;
    let scheme = if server_cert.is_some() { "https" } else { "http" };
    let config = WebConfig {
        hub_name: args.hub_name,
        public_url: args.public_url.unwrap_or_else(|| format!("{scheme}://{address}")),
        trust_proxy: args.trust_proxy,
        smtp_url: args.smtp_url.clone(),
        mail_from: args.mail_from.clone(),
        card_payments,
        access_log,
        metrics_token: args.metrics_token.clone().filter(|t| !t.trim().is_empty()),
        job_stale_after: args.job_stale_after,
        shutdown_grace: std::time::Duration::from_secs(args.shutdown_grace),
        outbound: outbound.clone(),
        ..WebConfig::default()
    };
    if let Some(url) = args.smtp_url {
        tokio::spawn(tutti_web::mail::run_sender_via(
            store.clone(),
            url,
            args.mail_from,
            outbound,
        ));
    }
    tokio::spawn(housekeeping(store.clone()));
    // A hub with no admin yet gets a new one-time setup link at every start (the last one
    // stops working); a hub with one gets none.
    let setup_code = store.issue_setup_code().await?;
    let setup_base = config.public_url.trim_end_matches('/').to_owned();
    say!("Tutti is running at {scheme}://{address}/");
    let redirect = match (&server_cert, &args.redirect_bind) {
        (Some(_), Some(bind)) => {
            let plain = tokio::net::TcpListener::bind(bind)
                .await
                .with_context(|| format!("could not listen on --redirect-bind {bind}"))?;
            say!("Redirecting http://{}/ to {}", plain.local_addr()?, config.public_url);
            Some(tokio::spawn(tutti_web::https::redirect_to_https(
                plain,
                config.public_url.clone(),
                shutdown_signal(),
            )))
        }
        _ => None,
    };
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
    match server_cert {
        Some(cert) => {
            tokio::spawn(reload_on_hangup(cert.clone()));
            tutti_web::https::serve(listener, cert, store.clone(), config, shutdown_signal()).await?
        }
        None => tutti_web::serve(listener, store.clone(), config, shutdown_signal()).await?,
    }
    if let Some(redirect) = redirect {
        redirect.abort();
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Reads the certificate and key again on each SIGHUP (after a renewal); a bad pair is
/// reported and the one in use kept.
async fn reload_on_hangup(cert: std::sync::Arc<tutti_web::https::ServerCert>) {
    #[cfg(unix)]
    {
        let Ok(mut hangups) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) else {
            return;
        };
        while hangups.recv().await.is_some() {
            match cert.reload() {
                Ok(()) => tracing::info!("reloaded the TLS certificate"),
                Err(e) => tracing::error!(error = %e, "could not reload the TLS certificate; keeping the one in use"),
            }
        }
    }
    #[cfg(not(unix))]
    let _ = cert;
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
