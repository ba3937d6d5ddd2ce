//! Mail leaves the outbox over real SMTP: a small SMTP sink on loopback receives it.
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use tutti_store::testing::world::{PASSWORD, a_family, a_school};

use crate::on_both_backends;
use crate::support::{Backend, TestApp};

on_both_backends!(outbox_mail_is_sent_over_smtp);

/// A minimal SMTP server that keeps what it is sent.
async fn smtp_sink() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let mut in_data = false;
                let mut message = String::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            store.lock().unwrap().push(std::mem::take(&mut message));
                            write.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            message.push_str(&line);
                            message.push('\n');
                        }
                        continue;
                    }
                    let verb = line.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
                        "DATA" => {
                            in_data = true;
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.unwrap();
                            return;
                        }
                        _ => b"250 ok\r\n",
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, received)
}

async fn outbox_mail_is_sent_over_smtp(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, time::macros::date!(2026 - 11 - 10)).await else {
        return;
    };
    let school = a_school().create(&app.store).await;
    let parent = a_family(&school).with_login(PASSWORD).create(&app.store).await.email;
    let (port, received) = smtp_sink().await;
    tokio::spawn(tutti_web::mail::run_sender(
        app.store.clone(),
        format!("smtp://127.0.0.1:{port}"),
        "Hub Office <office@hub.example>".into(),
    ));
    let b = app.browser();
    b.submit("/forgot-password", "/forgot-password", &[("email", &parent)])
        .await;
    let mut waited = 0;
    while received.lock().unwrap().is_empty() {
        assert!(waited < 100, "the sink received the mail");
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += 1;
    }
    let message = received.lock().unwrap()[0].clone();
    assert!(message.contains(&format!("To: {parent}")), "{message}");
    assert!(message.contains("Subject: Reset your"), "{message}");
    assert!(message.contains("/reset-password?token="), "{message}");
    // The outbox records that it went.
    let mut sent = false;
    for _ in 0..50 {
        let (rows, _) = app.store.outbox_page(Some(&parent), 1, 10).await.unwrap();
        if rows[0].sent_at.is_some() {
            sent = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(sent, "the outbox row is marked sent");
}
