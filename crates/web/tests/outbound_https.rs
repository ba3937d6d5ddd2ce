//! Outbound HTTP (the payment provider's API) over HTTPS: peers checked against the system's
//! roots plus the CA file, and through a proxy when one is set. The "provider" is an HTTPS
//! server on loopback with a certificate from a CA this test makes; the proxy is a small
//! CONNECT proxy the test runs.
#[path = "../../cli/tests/support/certs.rs"]
mod certs;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tutti_web::https::{ServerCert, TlsListener};
use tutti_web::outbound::Outbound;

/// An HTTPS server answering every request with "provider here".
async fn provider(certs: &certs::TestCerts) -> String {
    let cert = ServerCert::load(&certs.cert(), &certs.key()).unwrap();
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = tcp.local_addr().unwrap().port();
    let listener = TlsListener::new(tcp, cert.server_config()).unwrap();
    let app = axum::Router::new().fallback(|| async { "provider here" });
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("https://localhost:{port}")
}

/// A request's head, up to the blank line that ends it.
async fn read_head(client: &mut BufReader<TcpStream>) -> String {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if client.read_line(&mut line).await.unwrap() == 0 || line == "\r\n" {
            return head;
        }
        head.push_str(&line);
    }
}

/// A CONNECT proxy that records the targets it was asked for.
async fn connect_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let mut client = BufReader::new(socket);
                let head = read_head(&mut client).await;
                let target = head.split_whitespace().nth(1).unwrap_or("").to_owned();
                log.lock()
                    .unwrap()
                    .push(format!("{} {target}", head.split_whitespace().next().unwrap_or("")));
                let mut upstream = TcpStream::connect(&target).await.unwrap();
                let mut client = client.into_inner();
                client
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await
                    .unwrap();
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            });
        }
    });
    (format!("http://127.0.0.1:{port}"), seen)
}

async fn fetch(outbound: &Outbound, url: &str) -> Result<String, String> {
    let client = outbound.http_client(Duration::from_secs(10))?;
    Ok(client.get(url).await?.text())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_provider_over_https_with_a_private_ca() {
    let certs = certs::TestCerts::new("provider");
    let base = provider(&certs).await;
    let trusting = Outbound {
        ca_file: Some(certs.ca()),
        http_proxy: None,
    };
    assert_eq!(
        fetch(&trusting, &format!("{base}/v1/checkout/sessions")).await.unwrap(),
        "provider here"
    );
    // Without the CA file, the system's roots do not know the test's CA.
    let err = fetch(&Outbound::default(), &base).await.unwrap_err();
    assert!(
        err.to_lowercase().contains("certificate") || err.contains("UnknownIssuer"),
        "{err}"
    );
    // A CA file that is no certificate is refused when the client is built (serve refuses to start).
    let junk = certs.dir().join("junk.pem");
    std::fs::write(&junk, "not a certificate").unwrap();
    assert!(
        Outbound {
            ca_file: Some(junk),
            http_proxy: None
        }
        .http_client(Duration::from_secs(1))
        .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_a_proxy_when_one_is_set() {
    let certs = certs::TestCerts::new("proxied");
    let base = provider(&certs).await;
    let (proxy, seen) = connect_proxy().await;
    let outbound = Outbound {
        ca_file: Some(certs.ca()),
        http_proxy: Some(proxy),
    };
    assert_eq!(fetch(&outbound, &base).await.unwrap(), "provider here");
    let port = base.rsplit(':').next().unwrap();
    assert_eq!(
        seen.lock().unwrap().as_slice(),
        [format!("CONNECT localhost:{port}")],
        "the request went through the proxy, TLS end to end"
    );
}

/// A proxy that wants a login it was not given refuses the tunnel, and the error says so; with
/// the login in the proxy's address, the request carries it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_that_refuses_is_named_in_the_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let heads = Arc::new(Mutex::new(Vec::new()));
    let log = heads.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let mut client = BufReader::new(socket);
            let head = read_head(&mut client).await;
            log.lock().unwrap().push(head);
            let _ = client
                .into_inner()
                .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
                .await;
        }
    });
    let refused = Outbound {
        ca_file: None,
        http_proxy: Some(format!("http://127.0.0.1:{port}")),
    };
    let err = fetch(&refused, "https://pay.example.org/v1/refunds").await.unwrap_err();
    assert!(err.contains("refused the tunnel to pay.example.org:443"), "{err}");
    assert!(err.contains("407"), "{err}");
    let with_login = Outbound {
        ca_file: None,
        http_proxy: Some(format!("http://hub:s3cret@127.0.0.1:{port}")),
    };
    fetch(&with_login, "https://pay.example.org/").await.unwrap_err();
    let heads = heads.lock().unwrap();
    assert!(
        heads[0].starts_with("CONNECT pay.example.org:443 HTTP/1.1"),
        "{}",
        heads[0]
    );
    assert!(!heads[0].contains("Proxy-Authorization"), "{}", heads[0]);
    // "hub:s3cret" in base64.
    assert!(
        heads[1].contains("Proxy-Authorization: Basic aHViOnMzY3JldA=="),
        "{}",
        heads[1]
    );
}

/// Plain HTTP is for a test's server on this machine; a peer that never answers runs into the
/// client's time limit, and the error says how long it waited.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_peer_runs_into_the_time_limit() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let client = Outbound::default().http_client(Duration::from_secs(1)).unwrap();
    let err = client.get(&format!("http://127.0.0.1:{port}/")).await.unwrap_err();
    assert!(err.contains("within 1 s"), "{err}");
    let err = client.get("ftp://127.0.0.1/").await.unwrap_err();
    assert!(err.contains("neither an https:// nor an http://"), "{err}");
}
