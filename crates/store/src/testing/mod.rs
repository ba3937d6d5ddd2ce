//! Fresh databases for tests: a temporary SQLite file always, and a new PostgreSQL database
//! when `TUTTI_TEST_POSTGRES_URL` names a server. Each is removed when its guard drops.
use std::sync::atomic::{AtomicU32, Ordering};

use sea_orm::ConnectionTrait;

use crate::Store;

/// Runs an async test body `fn name(backend: TestBackend)` as two tests, `name::sqlite` and
/// `name::postgres`; the PostgreSQL one says it was skipped when no server is configured.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::testing::TestBackend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::testing::TestBackend::Postgres).await
                }
            }
        )*
    };
}

/// The environment variable naming a PostgreSQL server for tests.
pub const POSTGRES_ENV: &str = "TUTTI_TEST_POSTGRES_URL";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    Sqlite,
    Postgres,
}

/// A database that exists for as long as this guard.
pub struct TestDatabase {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(std::path::PathBuf),
    Postgres { server_url: String, name: String },
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique_suffix() -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{}_{n}_{nanos}", std::process::id())
}

impl TestDatabase {
    /// A new empty database on the backend, or `None` (with a line saying so on stderr)
    /// when the backend is PostgreSQL and no server is configured.
    pub async fn create(backend: TestBackend) -> Option<TestDatabase> {
        match backend {
            TestBackend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("tutti-test-{}", unique_suffix()));
                std::fs::create_dir_all(&dir).expect("create a temporary folder");
                Some(TestDatabase {
                    url: format!("sqlite://{}", dir.join("tutti.db").display()),
                    cleanup: Cleanup::Dir(dir),
                })
            }
            TestBackend::Postgres => {
                let Ok(server_url) = std::env::var(POSTGRES_ENV) else {
                    eprintln!(
                        "SKIPPED on PostgreSQL: set {POSTGRES_ENV} (for example postgres://postgres@127.0.0.1:5432/test) to run it"
                    );
                    return None;
                };
                let name = format!("tutti_t_{}", unique_suffix());
                let admin = Store::connect(&server_url)
                    .await
                    .expect("connect to the PostgreSQL test server");
                admin
                    .conn()
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create a test database");
                admin.close().await;
                Some(TestDatabase {
                    url: with_database(&server_url, &name),
                    cleanup: Cleanup::Postgres { server_url, name },
                })
            }
        }
    }
}

/// The same server URL with another database name in its path.
fn with_database(server_url: &str, name: &str) -> String {
    let (base, query) = match server_url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (server_url, None),
    };
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[after_scheme..].find('/') {
        Some(slash) => &base[..after_scheme + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { server_url, name } => {
                let (server_url, name) = (server_url.clone(), name.clone());
                // Drop runs inside the test's runtime, which must not block; a thread with
                // its own runtime does the work and is waited for.
                let worker = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("runtime");
                    rt.block_on(async {
                        if let Ok(admin) = Store::connect(&server_url).await {
                            let _ = admin
                                .conn()
                                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .await;
                            admin.close().await;
                        }
                    });
                });
                let _ = worker.join();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn swaps_the_database_name() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u:p@h/test?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h:5432", "x"), "postgres://h:5432/x");
    }
}

pub mod world;
