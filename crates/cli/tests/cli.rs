//! The `tutti` binary as a newcomer runs it: serve with the demo, restart, migrate, create the
//! first admin. Each test runs on SQLite, and on PostgreSQL when TUTTI_TEST_POSTGRES_URL is set.
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use tutti_store::testing::{TestBackend, TestDatabase};

const BIN: &str = env!("CARGO_BIN_EXE_tutti");

/// A running `tutti serve`, killed when dropped.
struct Server {
    child: Child,
    base: String,
    output: Vec<String>,
    /// What it prints after its address.
    rest: mpsc::Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `tutti serve` with `args` on a free port and waits until it says where it runs.
// The child is waited for when the `Server` holding it drops; clippy cannot see that far.
#[allow(clippy::zombie_processes)]
fn serve(db_args: &[String], extra: &[&str]) -> Server {
    let mut child = Command::new(BIN)
        .arg("serve")
        .args(db_args)
        .args(["--bind", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start tutti serve");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut output = Vec::new();
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(300))
            .expect("tutti serve printed its address in time");
        output.push(line.clone());
        if let Some(rest) = line.strip_prefix("Tutti is running at ") {
            let base = rest.trim_end_matches('/').to_owned();
            // The demo accounts follow the address when --demo is given.
            if extra.contains(&"--demo") {
                for _ in 0..7 {
                    output.push(rx.recv_timeout(Duration::from_secs(10)).expect("demo accounts"));
                }
            }
            return Server {
                child,
                base,
                output,
                rest: rx,
            };
        }
    }
}

fn db_args(db: &Option<(TestDatabase, tempdir::Dir)>, backend: TestBackend) -> Vec<String> {
    let (db, dir) = db.as_ref().unwrap();
    match backend {
        TestBackend::Sqlite => vec!["--data-dir".into(), dir.path().display().to_string()],
        TestBackend::Postgres => vec!["--database-url".into(), db.url.clone()],
    }
}

mod tempdir {
    /// A temporary folder removed on drop.
    pub struct Dir(std::path::PathBuf);
    impl Dir {
        pub fn new() -> Dir {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos();
            let p = std::env::temp_dir().join(format!("tutti-cli-{}-{nanos}", std::process::id()));
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }
        pub fn path(&self) -> &std::path::Path {
            &self.0
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

async fn fresh(backend: TestBackend) -> Option<(TestDatabase, tempdir::Dir)> {
    Some((TestDatabase::create(backend).await?, tempdir::Dir::new()))
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn login(base: &str, email: &str, password: &str) -> reqwest::StatusCode {
    let c = client();
    let html = c
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).unwrap() + marker.len();
    let token = &html[start..start + html[start..].find('"').unwrap()];
    c.post(format!("{base}/login"))
        .form(&[("csrf_token", token), ("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
        .status()
}

use tutti_store::on_both_backends;

on_both_backends!(
    demo_starts_and_survives_a_restart,
    demo_refuses_a_database_with_real_data,
    first_admin_from_the_command_line,
    a_fresh_hub_prints_its_setup_link,
    tokens_from_the_command_line_have_a_scope_and_an_expiry
);

async fn demo_starts_and_survives_a_restart(backend: TestBackend) {
    let db = fresh(backend).await;
    if db.is_none() {
        return;
    }
    let args = db_args(&db, backend);
    let first = serve(&args, &["--demo"]);
    let printed = first.output.join("\n");
    assert!(printed.contains("Seeded the demo hub"), "{printed}");
    assert!(
        printed.contains("350 schools, 150 teachers, 10000 pupils"),
        "Durham-sized by default: {printed}"
    );
    for account in [
        "admin@demo.test",
        "manager@demo.test",
        "teacher@demo.test",
        "parent@demo.test",
        "school@demo.test",
        "pupil@demo.test",
    ] {
        assert!(printed.contains(account), "prints {account}");
    }
    assert!(printed.contains("demo-password"));
    let health = reqwest::get(format!("{}/healthz", first.base)).await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(login(&first.base, "parent@demo.test", "demo-password").await, 303);
    // Something a person did in the first run.
    let store = tutti_store::Store::connect(&match backend {
        TestBackend::Sqlite => format!("sqlite://{}", db.as_ref().unwrap().1.path().join("tutti.db").display()),
        TestBackend::Postgres => db.as_ref().unwrap().0.url.clone(),
    })
    .await
    .unwrap();
    let admin = store.user_by_email("admin@demo.test").await.unwrap().unwrap();
    store.set_password(admin.id, "changed in the first run").await.unwrap();
    let counts = store.hub_counts().await.unwrap();
    drop(first);

    let second = serve(&args, &["--demo"]);
    let printed = second.output.join("\n");
    assert!(!printed.contains("Seeded"), "a second start seeds nothing: {printed}");
    assert_eq!(store.hub_counts().await.unwrap().pupils, counts.pupils);
    assert_eq!(store.hub_counts().await.unwrap().users, counts.users);
    assert_eq!(
        login(&second.base, "admin@demo.test", "changed in the first run").await,
        303,
        "data survived the restart"
    );
    store.close().await;
}

async fn demo_refuses_a_database_with_real_data(backend: TestBackend) {
    let db = fresh(backend).await;
    if db.is_none() {
        return;
    }
    let args = db_args(&db, backend);
    let mut create = Command::new(BIN)
        .args(["users", "create", "--email", "head@hub.example", "--role", "admin"])
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    create
        .stdin
        .take()
        .unwrap()
        .write_all(b"a real hub's passphrase\n")
        .unwrap();
    assert!(create.wait_with_output().unwrap().status.success());

    let out = Command::new(BIN)
        .arg("serve")
        .args(&args)
        .args(["--bind", "127.0.0.1:0", "--demo"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "serve --demo must refuse a real database");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("holds real data"), "{err}");
    assert!(err.contains("1 accounts"), "{err}");
}

async fn first_admin_from_the_command_line(backend: TestBackend) {
    let db = fresh(backend).await;
    if db.is_none() {
        return;
    }
    let args = db_args(&db, backend);
    let migrate = Command::new(BIN).arg("migrate").args(&args).output().unwrap();
    assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));
    assert!(String::from_utf8_lossy(&migrate.stdout).contains("up to date"));

    let run = |role: &str, password: &[u8]| {
        let mut c = Command::new(BIN)
            .args(["users", "create", "--email", "Head@Hub.Example", "--role", role])
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        c.stdin.take().unwrap().write_all(password).unwrap();
        c.wait_with_output().unwrap()
    };
    let bad_role = run("emperor", b"a fine passphrase\n");
    assert!(!bad_role.status.success());
    assert!(String::from_utf8_lossy(&bad_role.stderr).contains("--role must be one of"));
    let weak = run("admin", b"password\n");
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("password"));
    let ok = run("admin", b"a fine passphrase\n");
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let again = run("admin", b"a fine passphrase\n");
    assert!(!again.status.success(), "the email is taken");

    let server = serve(&args, &[]);
    assert_eq!(login(&server.base, "head@hub.example", "a fine passphrase").await, 303);
}

/// The setup link a server printed after its address, if it printed one within a few seconds.
fn setup_link(server: &Server) -> Option<String> {
    while let Ok(line) = server.rest.recv_timeout(Duration::from_secs(5)) {
        if let Some(at) = line.find("/setup?code=") {
            let start = line[..at].rfind(' ').map_or(0, |s| s + 1);
            return Some(line[start..].trim().to_owned());
        }
    }
    None
}

async fn a_fresh_hub_prints_its_setup_link(backend: TestBackend) {
    let db = fresh(backend).await;
    if db.is_none() {
        return;
    }
    let args = db_args(&db, backend);
    let server = serve(&args, &[]);
    let first = setup_link(&server).expect("a hub with no admin prints a setup link");
    assert!(first.starts_with(&format!("{}/setup?code=", server.base)), "{first}");
    let c = client();
    assert_eq!(c.get(&first).send().await.unwrap().status(), 200);
    drop(server);

    // A restart before setup prints a new link; the old one stops working.
    let server = serve(&args, &[]);
    let link = setup_link(&server).expect("a new link at the restart");
    let old = first.replacen(&first[..first.find("/setup").unwrap()], &server.base, 1);
    assert_ne!(old, link);
    assert_eq!(c.get(&old).send().await.unwrap().status(), 403);
    let html = c.get(&link).send().await.unwrap().text().await.unwrap();
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).unwrap() + marker.len();
    let token = &html[start..start + html[start..].find('"').unwrap()];
    let code = &link[link.find("code=").unwrap() + 5..];
    let r = c
        .post(format!("{}/setup", server.base))
        .form(&[
            ("csrf_token", token),
            ("code", code),
            ("hub_name", "Upper Vale Music Hub"),
            ("name", "Ada Office"),
            ("email", "ada@upper-vale.example"),
            ("password", "a fine passphrase"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(c.get(&link).send().await.unwrap().status(), 404, "gone once set up");
    assert_eq!(
        login(&server.base, "ada@upper-vale.example", "a fine passphrase").await,
        303
    );
    drop(server);

    // Set up, the hub prints no link; the pages name it.
    let server = serve(&args, &[]);
    assert_eq!(setup_link(&server), None);
    let home = c.get(&server.base).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("Upper Vale Music Hub"));
}

async fn tokens_from_the_command_line_have_a_scope_and_an_expiry(backend: TestBackend) {
    let db = fresh(backend).await;
    if db.is_none() {
        return;
    }
    let args = db_args(&db, backend);
    let mut c = Command::new(BIN)
        .args(["users", "create", "--email", "script@hub.example", "--role", "admin"])
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    c.stdin.take().unwrap().write_all(b"a fine passphrase\n").unwrap();
    assert!(c.wait().unwrap().success());
    let token = |extra: &[&str]| {
        Command::new(BIN)
            .args(["users", "token", "--email", "script@hub.example"])
            .args(extra)
            .args(&args)
            .output()
            .unwrap()
    };
    let bad = token(&["--scope", "everything"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--scope must be read or read-write"));
    let bad = token(&["--days", "400"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--days must be from 1 to 366"));
    let read = token(&["--scope", "read", "--days", "7"]);
    assert!(read.status.success(), "{}", String::from_utf8_lossy(&read.stderr));
    assert!(String::from_utf8_lossy(&read.stderr).contains("read only, for 7 days"));
    let read = String::from_utf8(read.stdout).unwrap().trim().to_owned();
    let write = token(&[]);
    assert!(String::from_utf8_lossy(&write.stderr).contains("read and write, for 90 days"));
    let write = String::from_utf8(write.stdout).unwrap().trim().to_owned();

    // An admin with no second factor: the pages wait for one, the tokens do not.
    let server = serve(&args, &[]);
    let call = |method: reqwest::Method, secret: String| {
        let url = format!("{}/api/v1/schools", server.base);
        async move {
            reqwest::Client::new()
                .request(method, url)
                .bearer_auth(secret)
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(call(reqwest::Method::GET, read.clone()).await, 200);
    assert_eq!(call(reqwest::Method::POST, read).await, 403);
    let written = call(reqwest::Method::POST, write).await;
    assert!(
        written != 403 && written != 401,
        "a read-write token may write: {written}"
    );

    // An operator removes an account's second factors for someone who lost them.
    let reset = Command::new(BIN)
        .args(["users", "reset-second-factor", "--email", "script@hub.example"])
        .args(&args)
        .output()
        .unwrap();
    assert!(reset.status.success(), "{}", String::from_utf8_lossy(&reset.stderr));
}
