//! `tutti copy`: a SQLite hub moved into PostgreSQL, proved, served from there, and a
//! target holding data refused. Needs PostgreSQL (TUTTI_TEST_POSTGRES_URL); skipped without.
use std::process::{Command, Output};

use tutti_store::Store;
use tutti_store::listing::Page;
use tutti_store::platform::accounts::LoginOutcome;
use tutti_store::platform::audit::{AuditEvent, AuditFilter};
use tutti_store::testing::{TestBackend, TestDatabase};

const BIN: &str = env!("CARGO_BIN_EXE_tutti");

fn tutti(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run tutti")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A folder under the system's temporary one, removed when dropped.
struct Folder(std::path::PathBuf);

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn a_sqlite_hub_moves_to_postgresql_with_nothing_lost() {
    let Some(target) = TestDatabase::create(TestBackend::Postgres).await else {
        return;
    };
    let dir = Folder(std::env::temp_dir().join(format!("tutti-copy-{}", std::process::id())));
    let data_dir = dir.0.display().to_string();
    let seeded = tutti(&[
        "demo",
        "--data-dir",
        &data_dir,
        "--schools",
        "6",
        "--teachers",
        "4",
        "--pupils",
        "120",
    ]);
    assert!(seeded.status.success(), "{}", text(&seeded));

    // A target that is migrated but empty (the migrations' own starting rows aside) is taken.
    let migrated = tutti(&["migrate", "--database-url", &target.url]);
    assert!(migrated.status.success(), "{}", text(&migrated));

    let not_pg = tutti(&["copy", "--data-dir", &data_dir, "--to", "sqlite://elsewhere.db"]);
    assert!(!not_pg.status.success());
    assert!(
        text(&not_pg).contains("--to must be a PostgreSQL URL"),
        "{}",
        text(&not_pg)
    );

    let copied = tutti(&["copy", "--data-dir", &data_dir, "--to", &target.url]);
    let said = text(&copied);
    assert!(copied.status.success(), "{said}");
    assert!(said.contains("every table's row count and checksum match"), "{said}");
    assert!(said.contains("pupils"), "names each table: {said}");

    // Read independently of the copy's own proof: the same hub on both sides.
    let source = Store::connect(&format!("sqlite://{}/tutti.db", data_dir))
        .await
        .unwrap();
    let moved = Store::connect(&target.url).await.unwrap();
    let counts = |s: tutti_store::records::summaries::HubCounts| format!("{s:?}");
    assert_eq!(
        counts(source.hub_counts().await.unwrap()),
        counts(moved.hub_counts().await.unwrap())
    );
    assert!(source.hub_counts().await.unwrap().pupils >= 120);
    let signed_in = moved
        .authenticate("admin@demo.test", tutti_store::demo::DEMO_PASSWORD)
        .await
        .unwrap();
    assert!(
        matches!(signed_in, LoginOutcome::Ok(_)),
        "accounts and their password hashes moved as they were"
    );
    // Instants compare as instants: PostgreSQL answers in UTC what SQLite kept with its offset.
    let first_page = AuditFilter {
        page: 1,
        per_page: 50,
        ..Default::default()
    };
    let events = |page: Page<AuditEvent>| (page.total, page.rows);
    assert_eq!(
        events(source.audit_events(&first_page).await.unwrap()),
        events(moved.audit_events(&first_page).await.unwrap())
    );
    let users_before = moved.hub_counts().await.unwrap().users;

    // New rows number on from the copied ones: a new account does not collide.
    let created = Command::new(BIN)
        .args([
            "users",
            "create",
            "--database-url",
            &target.url,
            "--email",
            "new.admin@example.org",
            "--role",
            "admin",
        ])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(b"a long enough password\n")?;
            child.wait_with_output()
        })
        .unwrap();
    assert!(created.status.success(), "{}", text(&created));

    // Now the target holds a hub: a second copy is refused and changes nothing.
    let again = tutti(&["copy", "--data-dir", &data_dir, "--to", &target.url]);
    assert!(!again.status.success());
    assert!(text(&again).contains("already holds data"), "{}", text(&again));
    assert_eq!(
        moved.hub_counts().await.unwrap().users,
        users_before + 1,
        "only the new account was added"
    );
    source.close().await;
    moved.close().await;
}
