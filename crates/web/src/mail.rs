//! Sending the outbox over SMTP, when a server is configured: in the clear to a local relay,
//! with STARTTLS, or over TLS from the start (SMTPS).
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tutti_store::Store;

use crate::outbound::Outbound;

/// How often the sender looks for new mail.
const POLL: Duration = Duration::from_secs(2);

/// Sends unsent outbox messages over SMTP until the process ends. Each message is marked
/// sent or failed; failures are retried on later rounds a few times.
pub async fn run_sender(store: Store, smtp_url: String, from: String) {
    run_sender_via(store, smtp_url, from, Outbound::default()).await
}

/// [`run_sender`], trusting `outbound`'s CA file besides the system's roots.
pub async fn run_sender_via(store: Store, smtp_url: String, from: String, outbound: Outbound) {
    let transport = match transport(&smtp_url, &outbound) {
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

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// In the clear: a relay on the host or the local network (`smtp://`).
    Plain,
    /// Upgraded with STARTTLS before anything else is said (`smtp://…?tls=starttls`, port 587).
    StartTls,
    /// TLS from the first byte (`smtps://`, port 465).
    Tls,
}

/// An SMTP URL taken apart: `smtp://[user:password@]host[:port][?tls=starttls]` or
/// `smtps://[user:password@]host[:port]`, the user and password percent-encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpUrl {
    pub security: SmtpSecurity,
    pub host: String,
    pub port: u16,
    pub credentials: Option<(String, String)>,
}

impl SmtpUrl {
    pub fn parse(url: &str) -> Result<SmtpUrl, String> {
        let (mut security, rest) = if let Some(rest) = url.strip_prefix("smtp://") {
            (SmtpSecurity::Plain, rest)
        } else if let Some(rest) = url.strip_prefix("smtps://") {
            (SmtpSecurity::Tls, rest)
        } else {
            return Err("the SMTP URL must start with smtp:// or smtps://".into());
        };
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=').unwrap_or((pair, "")) {
                ("tls", "starttls" | "required") if security == SmtpSecurity::Plain => {
                    security = SmtpSecurity::StartTls
                }
                ("tls", "none" | "off") if security == SmtpSecurity::Plain => {}
                ("tls", other) => {
                    return Err(format!(
                        "the SMTP URL's tls={other} is not understood: use smtp://…?tls=starttls or smtps://"
                    ));
                }
                (key, _) => return Err(format!("the SMTP URL's parameter {key:?} is not understood")),
            }
        }
        let rest = rest.trim_end_matches('/');
        let (credentials, address) = match rest.rsplit_once('@') {
            Some((c, a)) => {
                let (user, password) = c.split_once(':').unwrap_or((c, ""));
                (Some((percent_decode(user)?, percent_decode(password)?)), a)
            }
            None => (None, rest),
        };
        let default_port = match security {
            SmtpSecurity::Plain => 25,
            SmtpSecurity::StartTls => 587,
            SmtpSecurity::Tls => 465,
        };
        let (host, port) = match address.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || !p.is_empty() => (
                h,
                p.parse::<u16>()
                    .map_err(|_| format!("the SMTP port {p:?} is not a number"))?,
            ),
            _ => (address, default_port),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return Err("the SMTP URL has no host".into());
        }
        Ok(SmtpUrl {
            security,
            host: host.to_owned(),
            port,
            credentials,
        })
    }
}

/// `%XX` escapes decoded (a password may hold `@`, `:` or `/`).
fn percent_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .ok_or("a % in the SMTP URL is not followed by two hex digits")?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| "a % in the SMTP URL is not followed by two hex digits")?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "the SMTP URL's credentials are not UTF-8".into())
}

/// The SMTP transport an URL asks for, TLS with rustls checked against the system's roots
/// and `outbound`'s CA file.
pub fn transport(url: &str, outbound: &Outbound) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let url = SmtpUrl::parse(url)?;
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&url.host)
        .port(url.port)
        .timeout(Some(Duration::from_secs(20)));
    if url.security != SmtpSecurity::Plain {
        let mut params = TlsParameters::builder(url.host.clone());
        if let Some(pem) = outbound.ca_pem()? {
            let cert = Certificate::from_pem(&pem).map_err(|e| format!("the CA file is not PEM: {e}"))?;
            params = params.add_root_certificate(cert);
        }
        let params = params.build_rustls().map_err(|e| format!("TLS for mail: {e}"))?;
        builder = builder.tls(match url.security {
            SmtpSecurity::StartTls => Tls::Required(params),
            _ => Tls::Wrapper(params),
        });
    }
    if let Some((user, password)) = url.credentials {
        builder = builder.credentials(lettre::transport::smtp::authentication::Credentials::new(
            user, password,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls() {
        let plain = SmtpUrl::parse("smtp://relay").unwrap();
        assert_eq!(
            (plain.security, plain.port, plain.credentials),
            (SmtpSecurity::Plain, 25, None)
        );
        let starttls =
            SmtpUrl::parse("smtp://hub%40council.gov.uk:p%40ss%3Aw%2Fd@smtp.office365.com?tls=starttls").unwrap();
        assert_eq!(starttls.security, SmtpSecurity::StartTls);
        assert_eq!(starttls.port, 587);
        assert_eq!(starttls.host, "smtp.office365.com");
        assert_eq!(
            starttls.credentials,
            Some(("hub@council.gov.uk".into(), "p@ss:w/d".into()))
        );
        let smtps = SmtpUrl::parse("smtps://u:p@mail.example:2465/").unwrap();
        assert_eq!((smtps.security, smtps.port), (SmtpSecurity::Tls, 2465));
        assert!(SmtpUrl::parse("smtps://mail.example?tls=none").is_err());
        assert!(SmtpUrl::parse("smtp://mail.example?tls=maybe").is_err());
        assert!(SmtpUrl::parse("smtp://u:%zz@mail.example").is_err());
        assert!(SmtpUrl::parse("http://mail.example").is_err());
        assert!(SmtpUrl::parse("smtp://:25").is_err());
    }
}
