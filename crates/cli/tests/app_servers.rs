//! Three `tutti serve` processes on one PostgreSQL database behave as one hub: a billing run
//! started on one is shown running on the others and cannot be started twice; each mail is
//! sent once, whichever processes run a sender; the hub's identity edited on one is fresh on
//! the others' pages within a second, and a logout on one ends the session on the others
//! within a second; and when the process running a job is killed, another
//! takes the job over and finishes it. PostgreSQL only (SQLite is one process's database):
//! without TUTTI_TEST_POSTGRES_URL it says so and passes.
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tutti_store::Store;
use tutti_store::platform::audit::Actor;
use tutti_store::testing::world::{PASSWORD, a_family, a_school, an_admin};
use tutti_store::testing::{TestBackend, TestDatabase};

const BIN: &str = env!("CARGO_BIN_EXE_tutti");

/// A running `tutti serve`, killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts an app server on `url`, sending mail to `smtp`; every job it starts waits a few
/// seconds before its work (`TUTTI_TEST_JOB_DELAY_MS`), so that a test can see it running
/// and stop the process holding it.
// The child is waited for when the `Server` holding it drops.
#[allow(clippy::zombie_processes)]
fn serve(url: &str, smtp: u16) -> Server {
    let mut child = Command::new(BIN)
        .args(["serve", "--database-url", url, "--bind", "127.0.0.1:0"])
        .args(["--smtp-url", &format!("smtp://127.0.0.1:{smtp}")])
        .args(["--job-stale-after", "2", "--log-format", "json"])
        .env("TUTTI_TEST_JOB_DELAY_MS", "4000")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start tutti serve");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                // Nobody reads any more; keep draining so the server never blocks on a pipe.
                continue;
            }
        }
    });
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(120))
            .expect("tutti serve printed its address in time");
        if let Some(rest) = line.strip_prefix("Tutti is running at ") {
            return Server {
                child,
                base: rest.trim_end_matches('/').to_owned(),
            };
        }
    }
}

/// A mail relay that accepts everything and keeps each message's subject, as many senders
/// as connect at once.
fn relay() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let subjects = Arc::new(Mutex::new(Vec::new()));
    let kept = subjects.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            let kept = kept.clone();
            std::thread::spawn(move || {
                let mut out = stream.try_clone().unwrap();
                let mut lines = BufReader::new(stream);
                let _ = out.write_all(b"220 relay.test ESMTP\r\n");
                let mut line = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let verb = line.trim().to_ascii_uppercase();
                    let answer: &[u8] = if verb.starts_with("DATA") {
                        let _ = out.write_all(b"354 go on\r\n");
                        let mut subject = String::new();
                        loop {
                            line.clear();
                            if lines.read_line(&mut line).unwrap_or(0) == 0 {
                                return;
                            }
                            if line == ".\r\n" || line == ".\n" {
                                break;
                            }
                            if let Some(s) = line.strip_prefix("Subject: ") {
                                subject = s.trim().to_owned();
                            }
                        }
                        kept.lock().unwrap().push(subject);
                        b"250 kept\r\n"
                    } else if verb.starts_with("QUIT") {
                        let _ = out.write_all(b"221 bye\r\n");
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    let _ = out.write_all(answer);
                }
            });
        }
    });
    (port, subjects)
}

/// The first CSRF token in a page.
fn csrf_in(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("a form") + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

/// Logs in on one server and returns the cookies it set, as a `Cookie` header's value.
async fn log_in(base: &str, email: &str) -> String {
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let html = c
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = c
        .post(format!("{base}/login"))
        .form(&[
            ("csrf_token", csrf_in(&html).as_str()),
            ("email", email),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "the login succeeds");
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect::<Vec<_>>()
        .join("; ")
}

async fn wait_for<F, Fut>(what: &str, within: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + within;
    while !check().await {
        assert!(Instant::now() < deadline, "{what}: not within {within:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_app_servers_on_one_database_behave_as_one_hub() {
    let Some(db) = TestDatabase::create(TestBackend::Postgres).await else {
        eprintln!(
            "skipped: several app servers share only a PostgreSQL database, and {} is not set",
            tutti_store::testing::POSTGRES_ENV
        );
        return;
    };
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    let admin = an_admin().create(&store).await;
    let token = store.create_api_token(&Actor::cli(), admin.id, "test").await.unwrap();
    let (smtp, subjects) = relay();
    let mut servers: Vec<Server> = (0..3).map(|_| serve(&db.url, smtp)).collect();
    let http = reqwest::Client::new();
    let api = |base: &str, path: &str| format!("{base}/api/v1/{path}");

    // ---- A billing run started on one is running on the others, and cannot start twice ----
    let r = http
        .post(api(&servers[0].base, "billing-runs"))
        .bearer_auth(&token)
        .json(&json!({"term": "2026-autumn"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202, "a run longer than the request is followed as a job");
    let job: Value = r.json().await.unwrap();
    let id = job["id"].as_i64().unwrap();
    let job_on = |base: String| {
        let http = http.clone();
        let token = token.clone();
        async move {
            http.get(format!("{base}/api/v1/jobs/{id}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(job_on(servers[1].base.clone()).await["status"], "running");
    let second = http
        .post(api(&servers[2].base, "billing-runs"))
        .bearer_auth(&token)
        .json(&json!({"term": "2026-autumn"}))
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), 409, "a second run is refused on another server");
    let base = servers[2].base.clone();
    wait_for("the run finishes", Duration::from_secs(30), || {
        let f = job_on(base.clone());
        async move { f.await["status"] == "done" }
    })
    .await;

    // ---- Each mail arrives once, whichever servers send ----
    for i in 0..30 {
        store
            .send_mail(&format!("family{i}@example.org"), &format!("Letter {i}"), "Hello")
            .await
            .unwrap();
    }
    wait_for("every mail is sent", Duration::from_secs(30), || {
        let n = subjects.lock().unwrap().len();
        async move { n >= 30 }
    })
    .await;
    // Three senders poll every two seconds: give a duplicate time to show.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let mut counts: HashMap<String, usize> = HashMap::new();
    for s in subjects.lock().unwrap().iter() {
        *counts.entry(s.clone()).or_default() += 1;
    }
    assert_eq!(counts.len(), 30, "{counts:?}");
    assert!(counts.values().all(|n| *n == 1), "each mail once: {counts:?}");
    assert_eq!(store.mail_backlog().await.unwrap(), 0);

    // ---- The hub's identity edited on one is fresh on the others within a second ----
    let home = |base: String| {
        let http = http.clone();
        async move { http.get(format!("{base}/")).send().await.unwrap().text().await.unwrap() }
    };
    // Every server has drawn (and keeps) its home page for anonymous visitors.
    for s in &servers {
        assert!(!home(s.base.clone()).await.contains("Riverside Music Service"));
    }
    let r = http
        .put(api(&servers[0].base, "hub"))
        .bearer_auth(&token)
        .json(&json!({"name": "Riverside Music Service"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    for s in &servers[1..] {
        let base = s.base.clone();
        wait_for("the new name on another server", Duration::from_secs(1), || {
            let f = home(base.clone());
            async move { f.await.contains("Riverside Music Service") }
        })
        .await;
    }

    // ---- A logout on one ends the session on the others within a second ----
    let school = a_school().create(&store).await;
    let family = a_family(&school).with_login(PASSWORD).create(&store).await;
    let cookie = log_in(&servers[1].base, &family.email).await;
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let account = |base: String| {
        let plain = plain.clone();
        let cookie = cookie.clone();
        async move {
            plain
                .get(format!("{base}/account"))
                .header("Cookie", cookie)
                .send()
                .await
                .unwrap()
        }
    };
    // The third server has read the session (and keeps it for a moment).
    assert_eq!(account(servers[2].base.clone()).await.status(), 200);
    let page = account(servers[1].base.clone()).await.text().await.unwrap();
    let r = plain
        .post(format!("{}/logout", servers[1].base))
        .header("Cookie", cookie.clone())
        .form(&[("csrf_token", csrf_in(&page).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let base = servers[2].base.clone();
    wait_for("the session ended on another server", Duration::from_secs(1), || {
        let f = account(base.clone());
        async move {
            let r = f.await;
            r.status() == 303 && r.headers()["location"].to_str().unwrap().starts_with("/login")
        }
    })
    .await;

    // ---- Killing the process running a job lets another finish it ----
    let r = http
        .post(api(&servers[0].base, "billing-runs"))
        .bearer_auth(&token)
        .json(&json!({"term": "2026-spring"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let mut killed = servers.remove(0);
    killed.child.kill().unwrap();
    killed.child.wait().unwrap();
    let base = servers[0].base.clone();
    let job_on = |base: String| {
        let http = http.clone();
        let token = token.clone();
        async move {
            http.get(format!("{base}/api/v1/jobs/{id}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    wait_for("another server finishes the job", Duration::from_secs(40), || {
        let f = job_on(base.clone());
        async move { f.await["status"] == "done" }
    })
    .await;
    let job = job_on(servers[1].base.clone()).await;
    assert_eq!(
        job["attempts"], 2,
        "started again once, by a server still running: {job}"
    );
    assert_eq!(job["result"]["term"], "2026-spring");
}
