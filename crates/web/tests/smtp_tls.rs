//! Mail over SMTP as a council's server takes it: in the clear to a local relay, with STARTTLS
//! (Exchange Online on 587), and over TLS from the start (SMTPS), against a small SMTP server
//! this test runs on loopback with a certificate it makes (a private CA given as `--ca-file`).
#[path = "../../cli/tests/support/certs.rs"]
mod certs;

use std::sync::Arc;

use base64::Engine as _;
use lettre::AsyncTransport;
use lettre::Message;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tutti_web::outbound::Outbound;

/// What the server saw of one delivered message.
#[derive(Debug)]
struct Delivery {
    /// Whether the message travelled over TLS.
    tls: bool,
    /// `user`, `password` from AUTH PLAIN, if the client authenticated.
    auth: Option<(String, String)>,
    data: String,
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Plain,
    StartTls,
    Smtps,
}

fn acceptor(certs: &certs::TestCerts) -> TlsAcceptor {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(certs.cert())
        .unwrap()
        .map(|c| c.unwrap())
        .collect();
    let key = PrivateKeyDer::from_pem_file(certs.key()).unwrap();
    // ring, as the server's own TLS (src/https.rs) uses.
    #[allow(deprecated)]
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    TlsAcceptor::from(Arc::new(config))
}

/// Starts the server; returns its port and the deliveries it receives.
async fn smtp_server(mode: Mode, tls: TlsAcceptor) -> (u16, mpsc::UnboundedReceiver<Delivery>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let (tls, tx) = (tls.clone(), tx.clone());
            tokio::spawn(async move {
                if mode == Mode::Smtps {
                    if let Ok(stream) = tls.accept(socket).await {
                        let _ = session(stream, true, true, None, tx).await;
                    }
                } else {
                    let offer = (mode == Mode::StartTls).then_some(tls);
                    if let Some(stream) = session(socket, true, false, offer.clone(), tx.clone()).await
                        && let Ok(stream) = offer.unwrap().accept(stream).await
                    {
                        let _ = session(stream, false, true, None, tx).await;
                    }
                }
            });
        }
    });
    (port, rx)
}

/// Speaks SMTP until QUIT; returns the stream when the client asked for STARTTLS.
async fn session<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    greet: bool,
    tls: bool,
    offer_starttls: Option<TlsAcceptor>,
    deliveries: mpsc::UnboundedSender<Delivery>,
) -> Option<S> {
    let mut stream = BufReader::new(stream);
    // After STARTTLS the client speaks first (EHLO again); otherwise the server greets.
    if greet {
        stream.get_mut().write_all(b"220 localhost ESMTP test\r\n").await.ok()?;
    }
    let mut auth = None;
    let mut line = String::new();
    loop {
        line.clear();
        if stream.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let command = line.trim_end().to_owned();
        let upper = command.to_ascii_uppercase();
        let reply: String = if upper.starts_with("EHLO") {
            let mut r = String::from("250-localhost\r\n");
            if offer_starttls.is_some() {
                r.push_str("250-STARTTLS\r\n");
            }
            r.push_str("250-AUTH PLAIN\r\n250 8BITMIME\r\n");
            r
        } else if upper == "STARTTLS" && offer_starttls.is_some() {
            stream.get_mut().write_all(b"220 go ahead\r\n").await.ok()?;
            return Some(stream.into_inner());
        } else if let Some(b64) = command.strip_prefix("AUTH PLAIN ") {
            let raw = base64::engine::general_purpose::STANDARD.decode(b64).unwrap();
            let parts: Vec<String> = raw
                .split(|b| *b == 0)
                .map(|p| String::from_utf8_lossy(p).into())
                .collect();
            auth = Some((parts[1].clone(), parts[2].clone()));
            "235 ok\r\n".into()
        } else if upper == "DATA" {
            stream.get_mut().write_all(b"354 go on\r\n").await.ok()?;
            let mut data = String::new();
            loop {
                line.clear();
                stream.read_line(&mut line).await.ok()?;
                if line == ".\r\n" || line.is_empty() {
                    break;
                }
                data.push_str(&line);
            }
            let _ = deliveries.send(Delivery {
                tls,
                auth: auth.clone(),
                data,
            });
            "250 queued\r\n".into()
        } else if upper == "QUIT" {
            let _ = stream.get_mut().write_all(b"221 bye\r\n").await;
            return None;
        } else {
            "250 ok\r\n".into()
        };
        stream.get_mut().write_all(reply.as_bytes()).await.ok()?;
    }
}

fn message(subject: &str) -> Message {
    Message::builder()
        .from("Hub Office <office@hub.example>".parse().unwrap())
        .to("parent@family.example".parse().unwrap())
        .subject(subject)
        .body("A lesson moved.".to_owned())
        .unwrap()
}

async fn deliver(
    mode: Mode,
    url_of: impl Fn(u16) -> String,
    ca: Option<&certs::TestCerts>,
) -> Result<Delivery, String> {
    let server_certs = certs::TestCerts::new("smtp");
    let (port, mut received) = smtp_server(mode, acceptor(&server_certs)).await;
    // The CA that signed the server's certificate, unless the test gives another.
    let ca_file = Some(ca.unwrap_or(&server_certs).ca());
    let outbound = Outbound {
        ca_file,
        http_proxy: None,
    };
    let transport = tutti_web::mail::transport(&url_of(port), &outbound)?;
    transport
        .send(message("Over SMTP"))
        .await
        .map_err(|e| format!("{e:?}"))?;
    Ok(received.recv().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_smtp_to_a_local_relay() {
    let got = deliver(Mode::Plain, |port| format!("smtp://127.0.0.1:{port}"), None)
        .await
        .unwrap();
    assert!(!got.tls);
    assert!(got.data.contains("Subject: Over SMTP"), "{}", got.data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_with_percent_encoded_credentials() {
    let got = deliver(
        Mode::StartTls,
        |port| format!("smtp://hub%40council.example:p%40ss%3Aw%2Fd@localhost:{port}?tls=starttls"),
        None,
    )
    .await
    .unwrap();
    assert!(got.tls, "the message went after STARTTLS");
    assert_eq!(
        got.auth,
        Some(("hub@council.example".into(), "p@ss:w/d".into())),
        "credentials are percent-decoded and sent inside TLS"
    );
    assert!(got.data.contains("Subject: Over SMTP"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtps_from_the_first_byte() {
    let got = deliver(
        Mode::Smtps,
        |port| format!("smtps://user:secret@localhost:{port}"),
        None,
    )
    .await
    .unwrap();
    assert!(got.tls);
    assert_eq!(got.auth, Some(("user".into(), "secret".into())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_signed_by_another_ca_is_refused() {
    let other = certs::TestCerts::new("other");
    let err = deliver(Mode::Smtps, |port| format!("smtps://localhost:{port}"), Some(&other))
        .await
        .unwrap_err();
    assert!(err.to_lowercase().contains("certificate"), "{err}");
    let err = deliver(
        Mode::StartTls,
        |port| format!("smtp://localhost:{port}?tls=starttls"),
        Some(&other),
    )
    .await
    .unwrap_err();
    assert!(err.to_lowercase().contains("certificate"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_is_required_when_asked_for() {
    // A server that offers no STARTTLS is refused rather than spoken to in the clear.
    let err = deliver(
        Mode::Plain,
        |port| format!("smtp://localhost:{port}?tls=starttls"),
        None,
    )
    .await
    .unwrap_err();
    assert!(!err.is_empty());
}
