//! Sending the outbox over SMTP, when a server is configured.
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tutti_store::Store;

/// How often the sender looks for new mail.
const POLL: Duration = Duration::from_secs(2);

/// Sends unsent outbox messages over SMTP until the process ends. Each message is marked
/// sent or failed; failures are retried on later rounds a few times.
pub async fn run_sender(store: Store, smtp_url: String, from: String) {
    let transport = match transport(&smtp_url) {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "the SMTP URL is not valid; mail stays in the outbox");
            return;
        }
    };
    let from: Mailbox = match from.parse() {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(error = %e, "the mail sender address is not valid; mail stays in the outbox");
            return;
        }
    };
    loop {
        // Claimed, so that each message goes once whichever app servers run a sender.
        match store.claim_unsent_mail(50).await {
            Ok(batch) => {
                for msg in batch {
                    let result: Result<(), String> = match build(&from, &msg.to_address, &msg.subject, &msg.body) {
                        Ok(email) => transport.send(email).await.map(|_| ()).map_err(|e| e.to_string()),
                        Err(e) => Err(e),
                    };
                    let marked = match result {
                        Ok(()) => store.mark_mail_sent(msg.id).await,
                        Err(e) => {
                            tracing::warn!(id = msg.id, error = %e, "sending mail failed");
                            store.mark_mail_failed(msg.id, &e).await
                        }
                    };
                    if let Err(e) = marked {
                        tracing::error!(error = %e, "could not record the outcome of sending mail");
                    }
                }
            }
            Err(e) => tracing::error!(error = %e, "could not read the outbox"),
        }
        tokio::time::sleep(POLL).await;
    }
}

/// A plain SMTP transport from `smtp://[user:password@]host[:port]`. TLS is not built in:
/// send through a relay on the host or the local network (docs/operations.md).
fn transport(url: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let rest = url
        .strip_prefix("smtp://")
        .ok_or("the SMTP URL must start with smtp://")?;
    let rest = rest.trim_end_matches('/');
    let (credentials, address) = match rest.rsplit_once('@') {
        Some((c, a)) => (Some(c), a),
        None => (None, rest),
    };
    let (host, port) = match address.rsplit_once(':') {
        Some((h, p)) => (
            h,
            p.parse::<u16>()
                .map_err(|_| format!("the SMTP port {p:?} is not a number"))?,
        ),
        None => (address, 25),
    };
    if host.is_empty() {
        return Err("the SMTP URL has no host".into());
    }
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(port)
        .timeout(Some(Duration::from_secs(20)));
    if let Some(c) = credentials {
        let (user, password) = c.split_once(':').unwrap_or((c, ""));
        builder = builder.credentials(lettre::transport::smtp::authentication::Credentials::new(
            user.to_owned(),
            password.to_owned(),
        ));
    }
    Ok(builder.build())
}

fn build(from: &Mailbox, to: &str, subject: &str, body: &str) -> Result<Message, String> {
    let to: Mailbox = to.parse().map_err(|e| format!("bad recipient: {e}"))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject)
        .body(body.to_owned())
        .map_err(|e| e.to_string())
}
