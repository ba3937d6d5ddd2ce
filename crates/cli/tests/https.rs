//! `tutti serve` on the network: HTTPS served from --tls-cert and --tls-key (read again on
//! SIGHUP), plain HTTP redirected, HSTS sent; and plain HTTP beyond loopback refused unless
//! the operator says --insecure. The certificates come from a private CA the test makes.
#[path = "support/certs.rs"]
mod certs;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_tutti");

/// A running `tutti serve`, killed when dropped.
struct Server {
    child: Child,
    lines: Vec<String>,
    _data: certs::TestCerts,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn line_after(&self, prefix: &str) -> String {
        self.lines
            .iter()
            .find_map(|l| l.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("printed {prefix:?}: {:?}", self.lines))
            .to_owned()
    }
}

/// Starts `tutti serve` on a fresh SQLite hub and waits for `lines` lines of output.
// The child is waited for when the `Server` holding it drops.
#[allow(clippy::zombie_processes)]
fn serve(args: &[&str], lines: usize) -> Server {
    let data = certs::TestCerts::new("data");
    let mut child = Command::new(BIN)
        .arg("serve")
        .arg("--data-dir")
        .arg(data.dir().join("hub"))
        .args(args)
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
    let mut printed = Vec::new();
    while printed.len() < lines {
        printed.push(
            rx.recv_timeout(Duration::from_secs(120))
                .expect("tutti serve printed in time"),
        );
    }
    Server {
        child,
        lines: printed,
        _data: data,
    }
}

fn client_trusting(ca: &std::path::Path) -> reqwest::Client {
    let pem = std::fs::read(ca).unwrap();
    reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_https_redirects_http_and_reloads_its_certificate_on_sighup() {
    let first = certs::TestCerts::new("first");
    let live = certs::TestCerts::new("live");
    std::fs::copy(first.cert(), live.cert()).unwrap();
    std::fs::copy(first.key(), live.key()).unwrap();
    let (cert, key) = (live.cert().display().to_string(), live.key().display().to_string());
    let server = serve(
        &[
            "--bind",
            "127.0.0.1:0",
            "--tls-cert",
            &cert,
            "--tls-key",
            &key,
            "--redirect-bind",
            "127.0.0.1:0",
        ],
        3,
    );
    let base = server
        .line_after("Tutti is running at ")
        .trim_end_matches('/')
        .to_owned();
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    let redirect = server.line_after("Redirecting ");
    let plain = redirect.split_once(' ').unwrap().0.trim_end_matches('/').to_owned();

    let client = client_trusting(&first.ca());
    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let hsts = health.headers()["strict-transport-security"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(hsts.starts_with("max-age="), "{hsts}");
    let login = client.get(format!("{base}/login")).send().await.unwrap();
    assert_eq!(login.status(), 200);
    let cookie = login.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("Secure"), "cookies are Secure over HTTPS: {cookie}");

    // Plain HTTP is sent, path and query kept, to the HTTPS address.
    let moved = client
        .get(format!("{plain}/login?next=%2Fbasket"))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 308);
    assert_eq!(
        moved.headers()["location"],
        format!("{base}/login?next=%2Fbasket").as_str()
    );
    // Nobody speaks plain HTTP to the HTTPS port.
    assert!(
        reqwest::get(format!("{}/healthz", base.replace("https", "http")))
            .await
            .is_err()
    );
    // A client that does not trust the CA is refused.
    let stranger = certs::TestCerts::new("stranger");
    assert!(
        client_trusting(&stranger.ca())
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_err()
    );

    // A renewed certificate (here from another CA) is taken on SIGHUP.
    let second = certs::TestCerts::new("second");
    std::fs::copy(second.cert(), live.cert()).unwrap();
    std::fs::copy(second.key(), live.key()).unwrap();
    // SAFETY: kill only sends a signal to the child this test started.
    unsafe {
        libc::kill(server.child.id() as i32, libc::SIGHUP);
    }
    let renewed = client_trusting(&second.ca());
    let mut served = false;
    for _ in 0..50 {
        if renewed.get(format!("{base}/healthz")).send().await.is_ok() {
            served = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(served, "the renewed certificate is served after SIGHUP");
    assert!(
        client_trusting(&first.ca())
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_err(),
        "the old certificate is no longer served"
    );
    // A broken renewal keeps the certificate in use.
    std::fs::write(live.key(), "not a key").unwrap();
    unsafe {
        libc::kill(server.child.id() as i32, libc::SIGHUP);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        renewed.get(format!("{base}/healthz")).send().await.unwrap().status(),
        200
    );
}

fn refused(args: &[&str]) -> String {
    let data = certs::TestCerts::new("refused");
    let out = Command::new(BIN)
        .arg("serve")
        .arg("--data-dir")
        .arg(data.dir().join("hub"))
        .args(args)
        .env_remove("TUTTI_INSECURE")
        .output()
        .unwrap();
    assert!(!out.status.success(), "refused: {args:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn plain_http_beyond_loopback_needs_insecure() {
    let err = refused(&["--bind", "0.0.0.0:0"]);
    assert!(err.contains("refusing to serve plain HTTP on 0.0.0.0:0"), "{err}");
    for flag in ["--public-url https://", "--tls-cert", "--tls-key", "--insecure"] {
        assert!(err.contains(flag), "names {flag}: {err}");
    }
    let err = refused(&["--bind", "0.0.0.0:0", "--public-url", "http://hub.example"]);
    assert!(err.contains("refusing"), "{err}");
    // Said explicitly, or behind a TLS proxy, or the demo: it serves.
    for ok in [
        &["--bind", "0.0.0.0:0", "--insecure"][..],
        &[
            "--bind",
            "0.0.0.0:0",
            "--public-url",
            "https://hub.example",
            "--trust-proxy",
        ][..],
        &["--bind", "127.0.0.1:0"][..],
    ] {
        let server = serve(ok, 1);
        assert!(
            server.lines[0].starts_with("Tutti is running at http://"),
            "{ok:?}: {:?}",
            server.lines
        );
    }
}
