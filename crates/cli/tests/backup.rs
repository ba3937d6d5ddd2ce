//! `tutti backup --to FILE` copies a running SQLite hub, and a server started on the copy
//! finds every row; `tutti migrate --check` says what an upgrade would apply, applying none.
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use tutti_store::Store;
use tutti_store::on_both_backends;
use tutti_store::sea_orm::ConnectionTrait;
use tutti_store::testing::{TestBackend, TestDatabase};

const BIN: &str = env!("CARGO_BIN_EXE_tutti");

struct Serving(Child, String);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

// The child is waited for when `Serving` drops.
#[allow(clippy::zombie_processes)]
fn serve(db: &[&str]) -> Serving {
    let mut child = Command::new(BIN)
        .arg("serve")
        .args(db)
        .args(["--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("tutti serve printed its address").unwrap();
        if let Some(rest) = line.strip_prefix("Tutti is running at ") {
            break rest.trim_end_matches('/').to_owned();
        }
    };
    // Keep reading so that the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Serving(child, base)
}

fn tutti(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn login(base: &str, email: &str, password: &str) -> u16 {
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
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).unwrap() + marker.len();
    let token = &html[start..start + html[start..].find('"').unwrap()];
    c.post(format!("{base}/login"))
        .form(&[("csrf_token", token), ("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_of_a_running_hub_serves_every_row() {
    let Some(db) = TestDatabase::create(TestBackend::Sqlite).await else {
        return;
    };
    let dir = db
        .url
        .trim_start_matches("sqlite://")
        .trim_end_matches("tutti.db")
        .to_owned();
    let (ok, _, err) = tutti(&[
        "demo",
        "--data-dir",
        &dir,
        "--schools",
        "6",
        "--teachers",
        "5",
        "--pupils",
        "80",
    ]);
    assert!(ok, "{err}");
    let running = serve(&["--data-dir", &dir]);
    // Someone uses the hub while it is copied.
    assert_eq!(login(&running.1, "parent@demo.test", "demo-password").await, 303);
    let copy = format!("{dir}backup/hub-copy.db");
    std::fs::create_dir_all(format!("{dir}backup")).unwrap();
    let (ok, out, err) = tutti(&["backup", "--data-dir", &dir, "--to", &copy]);
    assert!(ok, "{err}");
    assert!(out.contains("Backed up the hub"), "{out}");
    let original = Store::connect(&db.url).await.unwrap();
    let before = original.row_counts().await.unwrap();
    original.close().await;
    drop(running);
    let copied = Store::connect(&format!("sqlite://{copy}")).await.unwrap();
    let after = copied.row_counts().await.unwrap();
    copied.close().await;
    assert!(before.len() > 20, "every table is compared: {before:?}");
    assert!(before.iter().any(|(t, n)| t == "pupils" && *n == 80), "{before:?}");
    assert_eq!(before, after, "the copy holds every row of every table");

    // The copy is a hub of its own: a server starts on it and finds its people.
    let restored = serve(&["--database-url", &format!("sqlite://{copy}")]);
    assert_eq!(
        reqwest::get(format!("{}/healthz", restored.1)).await.unwrap().status(),
        200
    );
    assert_eq!(login(&restored.1, "admin@demo.test", "demo-password").await, 303);
    assert_eq!(login(&restored.1, "parent@demo.test", "demo-password").await, 303);
    drop(restored);

    // A backup never overwrites, and PostgreSQL has its own tools.
    let (ok, _, err) = tutti(&["backup", "--data-dir", &dir, "--to", &copy]);
    assert!(!ok && err.contains("exists already"), "{err}");
    let (ok, _, err) = tutti(&[
        "backup",
        "--database-url",
        "postgres://nobody@127.0.0.1:1/x",
        "--to",
        "/tmp/x.db",
    ]);
    assert!(!ok && err.contains("pg_dump"), "{err}");
}

on_both_backends!(migrate_check_says_what_an_upgrade_would_apply);

async fn migrate_check_says_what_an_upgrade_would_apply(backend: TestBackend) {
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let (ok, out, _) = tutti(&["migrate", "--check", "--database-url", &db.url]);
    assert!(!ok, "an empty database has migrations to apply");
    assert!(
        out.contains("m0001_platform") && out.contains("Back it up first"),
        "{out}"
    );
    let store = Store::connect(&db.url).await.unwrap();
    assert!(
        store.row_counts().await.unwrap().iter().all(|(t, _)| t != "users"),
        "--check applies nothing"
    );
    let (ok, _, err) = tutti(&["migrate", "--database-url", &db.url]);
    assert!(ok, "{err}");
    let (ok, out, _) = tutti(&["migrate", "--check", "--database-url", &db.url]);
    assert!(ok, "{out}");
    assert!(out.contains("up to date"), "{out}");
    // A database written by a newer version: say so, rather than run on it.
    store
        .conn()
        .execute_unprepared("INSERT INTO seaql_migrations (version, applied_at) VALUES ('m9999_future', 0)")
        .await
        .unwrap();
    let (ok, out, _) = tutti(&["migrate", "--check", "--database-url", &db.url]);
    assert!(!ok);
    assert!(out.contains("m9999_future") && out.contains("newer version"), "{out}");
    store.close().await;
}
