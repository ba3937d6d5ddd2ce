//! What the web server is told at start-up.
use time::Duration;
use tutti_store::platform::sessions::SessionPolicy;

pub use crate::payments::CardPayments;
pub use crate::payments::stripe::StripeConfig;

/// Settings for the web server; `Default` suits a local install.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The hub's name until it is set up: after setup, pages, letters and invoices name the
    /// hub as its stored identity does (`/admin/settings`).
    pub hub_name: String,
    /// The address people reach the hub at, used in emailed links.
    pub public_url: String,
    /// Trust `X-Forwarded-For` and `X-Forwarded-Proto` from a reverse proxy.
    pub trust_proxy: bool,
    pub sessions: SessionPolicy,
    /// Failed logins allowed per account within `login_window` before it is locked.
    pub login_failures_per_account: u64,
    /// Failed logins allowed per address within `login_window`.
    pub login_failures_per_address: u64,
    pub login_window: Duration,
    /// Account mails (reset, confirmation) allowed to one recipient within `mail_window`.
    pub mail_per_recipient: u64,
    /// Account mails allowed to be asked for from one address within `mail_window`.
    pub mail_per_address: u64,
    pub mail_window: Duration,
    /// Where outgoing mail is sent (`smtp://host:port`), besides the outbox.
    pub smtp_url: Option<String>,
    /// The sender of outgoing mail.
    pub mail_from: String,
    /// Card payments through a provider's hosted page, or none.
    pub card_payments: CardPayments,

    // Observing the server and sharing one database with other app servers (issue 16).
    /// One line per request on standard output, in this format; none when `None`.
    pub access_log: Option<LogFormat>,
    /// A bearer token that opens `/metrics` from anywhere (without it, loopback only).
    pub metrics_token: Option<String>,
    /// Seconds a job's holder may be silent before another app server takes the job over.
    pub job_stale_after: i64,
    /// How long a stopping server waits for the jobs it holds before letting them go.
    pub shutdown_grace: std::time::Duration,
    /// How long a request that starts a job (a billing run) waits for it to end before
    /// answering with the job to follow (202 in the API, the progress page on screen); zero
    /// answers so at once.
    pub job_answer_wait: std::time::Duration,
    /// Whom outbound connections trust, and the HTTP proxy they go through (if any).
    pub outbound: crate::outbound::Outbound,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            hub_name: "Tutti Music Hub".into(),
            public_url: "http://127.0.0.1:8080".into(),
            trust_proxy: false,
            sessions: SessionPolicy::default(),
            login_failures_per_account: 5,
            login_failures_per_address: 30,
            login_window: Duration::minutes(15),
            mail_per_recipient: 3,
            mail_per_address: 10,
            mail_window: Duration::minutes(15),
            smtp_url: None,
            mail_from: "Tutti Music Hub <office@tutti.invalid>".into(),
            card_payments: CardPayments::Off,
            access_log: None,
            metrics_token: None,
            job_stale_after: tutti_store::platform::jobs::STALE_AFTER_SECS,
            shutdown_grace: std::time::Duration::from_secs(20),
            job_answer_wait: std::time::Duration::from_secs(2),
            outbound: Default::default(),
        }
    }
}

impl WebConfig {
    /// Cookies get the Secure flag when people reach the hub over HTTPS.
    pub fn public_url_is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// How access lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Plain,
    Json,
}

impl LogFormat {
    pub fn parse(text: &str) -> Option<LogFormat> {
        match text.trim().to_ascii_lowercase().as_str() {
            "plain" | "text" => Some(LogFormat::Plain),
            "json" => Some(LogFormat::Json),
            _ => None,
        }
    }
}
