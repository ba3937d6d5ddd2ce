//! The served binary's access log and its stop: one JSON object a line on standard output with
//! the path (its secrets masked), the status and the request id the caller gave; and SIGTERM
//! ends the process cleanly once the requests in flight are answered. On SQLite, and on
//! PostgreSQL when TUTTI_TEST_POSTGRES_URL is set.
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tutti_store::testing::{TestBackend, TestDatabase};

const BIN: &str = env!("CARGO_BIN_EXE_tutti");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    a_json_line_per_request_and_a_clean_stop(TestBackend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    a_json_line_per_request_and_a_clean_stop(TestBackend::Postgres).await
}

async fn a_json_line_per_request_and_a_clean_stop(backend: TestBackend) {
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("tutti-log-{}-{:?}", std::process::id(), backend));
    std::fs::create_dir_all(&dir).unwrap();
    let db_args: Vec<String> = match backend {
        TestBackend::Sqlite => vec!["--data-dir".into(), dir.display().to_string()],
        TestBackend::Postgres => vec!["--database-url".into(), db.url.clone()],
    };
    let mut child = Command::new(BIN)
        .arg("serve")
        .args(&db_args)
        .args(["--bind", "127.0.0.1:0", "--log-format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start tutti serve");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let base = loop {
        let line = rx.recv_timeout(Duration::from_secs(120)).expect("the address");
        if let Some(rest) = line.strip_prefix("Tutti is running at ") {
            break rest.trim_end_matches('/').to_owned();
        }
    };
    let r = reqwest::Client::new()
        .get(format!("{base}/setup?code=s3cret-c0de&step=1"))
        .header("X-Request-Id", "probe-42")
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    assert_eq!(r.headers()["x-request-id"], "probe-42");

    // Its line: one JSON object, the code masked, the status and id as answered.
    let deadline = Instant::now() + Duration::from_secs(10);
    let line: Value = loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("the request's access line");
        if let Ok(v) = serde_json::from_str::<Value>(&line)
            && v["request_id"] == "probe-42"
        {
            assert!(!line.contains("s3cret"), "a secret in the log: {line}");
            break v;
        }
    };
    assert_eq!(line["method"], "GET");
    assert_eq!(line["path"], "/setup?code=***&step=1");
    assert_eq!(line["route"], "/setup");
    assert_eq!(line["status"], status);
    assert!(line["duration_ms"].as_f64().is_some());

    // SIGTERM: the server stops by itself, cleanly.
    // SAFETY: kill(2) on our own child's pid, which has not been waited for yet.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "tutti serve did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
