//! TLS to PostgreSQL as `tutti` makes it: `sslmode` in the URL as libpq reads it, peers checked
//! against the system's roots plus `--ca-file`. PostgreSQL only (SQLite has no network); skipped
//! without TUTTI_TEST_POSTGRES_URL. The local server serves TLS with a self-signed certificate
//! for `localhost`, which `verify-full` accepts when given as the root.
#[path = "support/certs.rs"]
mod certs;

use std::process::Command;

use tutti_store::Store;
use tutti_store::sea_orm::{ConnectionTrait, DbBackend, Statement};
use tutti_store::testing::{TestBackend, TestDatabase};

const BIN: &str = env!("CARGO_BIN_EXE_tutti");

fn with_query(url: &str, query: &str) -> String {
    format!("{url}{}{query}", if url.contains('?') { '&' } else { '?' })
}

/// Whether this connection's session runs over TLS, as the server sees it.
async fn session_uses_tls(store: &Store) -> bool {
    let row = store
        .conn()
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<bool>("", "ssl").unwrap()
}

async fn scalar(store: &Store, sql: &str) -> String {
    let row = store
        .conn()
        .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<String>("", "x").unwrap()
}

/// `tutti migrate` with `system_roots` (a PEM file) as the system's trusted roots: Debian's
/// /etc/ssl/certs holds the local server's self-signed certificate, which would make every
/// verification here pass.
fn migrate_trusting(system_roots: &std::path::Path, url: &str, extra: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(["migrate", "--database-url", url])
        .args(extra)
        .env("SSL_CERT_FILE", system_roots)
        .env_remove("SSL_CERT_DIR")
        .output()
        .expect("run tutti migrate")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sslmode_require_and_disable_do_what_they_say() {
    let Some(db) = TestDatabase::create(TestBackend::Postgres).await else {
        return;
    };
    let tls = Store::connect(&with_query(&db.url, "sslmode=require")).await.unwrap();
    assert!(session_uses_tls(&tls).await, "sslmode=require runs over TLS");
    tls.close().await;
    let plain = Store::connect(&with_query(&db.url, "sslmode=disable")).await.unwrap();
    assert!(!session_uses_tls(&plain).await, "sslmode=disable runs in the clear");
    plain.close().await;
    // As libpq does, no mode means prefer: TLS when the server offers it.
    let preferred = Store::connect(&db.url).await.unwrap();
    assert!(
        session_uses_tls(&preferred).await,
        "sslmode=prefer takes TLS when offered"
    );
    preferred.close().await;

    let unrelated = certs::TestCerts::new("unrelated");
    let out = migrate_trusting(&unrelated.ca(), &with_query(&db.url, "sslmode=require"), &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("up to date"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_full_refuses_a_server_the_ca_did_not_sign() {
    let Some(db) = TestDatabase::create(TestBackend::Postgres).await else {
        return;
    };
    let other = certs::TestCerts::new("not-the-servers");
    let url = with_query(&db.url.replace("@127.0.0.1:", "@localhost:"), "sslmode=verify-full");
    let ca = other.ca().display().to_string();
    let out = migrate_trusting(&other.ca(), &url, &["--ca-file", &ca]);
    assert!(!out.status.success(), "a server the CA did not sign is refused");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("certificate was not accepted"), "{err}");
    assert!(err.contains("--ca-file"), "names the setting to change: {err}");
    // libpq's rule: `require` with a root file checks the chain (verify-ca).
    let out = migrate_trusting(
        &other.ca(),
        &with_query(&db.url, &format!("sslmode=require&sslrootcert={ca}")),
        &[],
    );
    assert!(!out.status.success(), "require with a root file verifies the chain");
    // A missing CA file is named as such.
    let out = migrate_trusting(&other.ca(), &url, &["--ca-file", "/nonexistent/ca.pem"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--ca-file"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_full_accepts_the_servers_own_certificate_as_root() {
    let Some(db) = TestDatabase::create(TestBackend::Postgres).await else {
        return;
    };
    let admin = Store::connect(&db.url).await.unwrap();
    let cert_file = scalar(&admin, "SELECT current_setting('ssl_cert_file') AS x").await;
    admin.close().await;
    let Ok(pem) = std::fs::read_to_string(&cert_file) else {
        eprintln!("SKIPPED: the server's certificate {cert_file} is not readable here");
        return;
    };
    // The server's certificate names `localhost`; as the root it trusts itself (self-signed).
    let dir = certs::TestCerts::new("root-copy");
    let root = dir.dir().join("server-root.pem");
    std::fs::write(&root, pem).unwrap();
    let root_path = root.clone();
    let root = root.display().to_string();
    let url = with_query(&db.url.replace("@127.0.0.1:", "@localhost:"), "sslmode=verify-full");
    let unrelated = dir.ca();
    // Not trusted by the system's roots alone...
    let out = migrate_trusting(&unrelated, &url, &[]);
    assert!(
        !out.status.success(),
        "verify-full with no root that signed the server's certificate"
    );
    // ...trusted with --ca-file,
    let out = migrate_trusting(&unrelated, &url, &["--ca-file", &root]);
    if !out.status.success() && String::from_utf8_lossy(&out.stderr).contains("CaUsedAsEndEntity") {
        eprintln!("SKIPPED: the server's certificate is a CA certificate, not usable as its own root");
        return;
    }
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // ...and trusted when the system trusts it.
    let out = migrate_trusting(&root_path, &url, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let store = Store::connect_with(&url, Some(std::path::Path::new(&root)))
        .await
        .unwrap();
    assert!(session_uses_tls(&store).await);
    store.close().await;
    // The same certificate does not name 127.0.0.1: verify-full refuses, verify-ca accepts.
    let by_address = with_query(&db.url, "sslmode=verify-full");
    let out = migrate_trusting(&unrelated, &by_address, &["--ca-file", &root]);
    assert!(!out.status.success(), "verify-full checks the host name");
    let out = migrate_trusting(
        &unrelated,
        &with_query(&db.url, "sslmode=verify-ca"),
        &["--ca-file", &root],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
