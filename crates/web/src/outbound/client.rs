//! The few HTTP calls the hub makes out (the payment provider's API): HTTP/1.1, one connection
//! a call, TLS by rustls against the roots `Outbound` trusts, through a proxy's tunnel when one
//! applies. Plain `http://` is for a test's server on loopback; `tutti serve` refuses it elsewhere.
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderValue, Method, Request, StatusCode, Uri, header};
use http_body_util::{BodyExt as _, Full};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::proxy::{Proxy, split_port};

/// How long reaching the peer (or the proxy) may take, within the call's whole time.
const CONNECT: Duration = Duration::from_secs(10);

/// Makes outbound HTTP calls; cheap to clone.
#[derive(Clone)]
pub struct HttpClient {
    tls: TlsConnector,
    proxy: Option<Proxy>,
    timeout: Duration,
}

/// An answer: its status and its whole body.
#[derive(Debug)]
pub struct Response {
    pub status: StatusCode,
    pub body: Bytes,
}

impl Response {
    /// The body as text, any invalid UTF-8 replaced.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl HttpClient {
    /// A client over the given TLS settings and proxy.
    pub(super) fn new(tls: Arc<rustls::ClientConfig>, proxy: Option<Proxy>, timeout: Duration) -> HttpClient {
        HttpClient {
            tls: TlsConnector::from(tls),
            proxy,
            timeout,
        }
    }

    /// `GET url`.
    pub async fn get(&self, url: &str) -> Result<Response, String> {
        self.send(Method::GET, url, &[], Bytes::new()).await
    }

    /// Sends one request with its headers and body and reads the whole answer, all within the
    /// client's time limit. The error says what failed, in words an operator can act on.
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> Result<Response, String> {
        let uri: Uri = url.parse().map_err(|e| format!("{url:?} is not an address: {e}"))?;
        let body = body.into();
        tokio::time::timeout(self.timeout, self.exchange(method, &uri, headers, body))
            .await
            .map_err(|_| format!("no answer from {url} within {} s", self.timeout.as_secs()))?
    }

    async fn exchange(
        &self,
        method: Method,
        uri: &Uri,
        headers: &[(&str, &str)],
        body: Bytes,
    ) -> Result<Response, String> {
        let tls = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err(format!("{uri} is neither an https:// nor an http:// address")),
        };
        let authority = uri.authority().ok_or_else(|| format!("{uri} names no host"))?;
        let (host, port) = split_port(authority.as_str(), if tls { 443 } else { 80 })?;
        let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
        let target = format!("{host}:{port}");
        let stream = tokio::time::timeout(CONNECT, self.connect(host, &target))
            .await
            .map_err(|_| format!("could not reach {target} within {} s", CONNECT.as_secs()))??;
        let mut request = Request::builder()
            .method(method)
            .uri(uri.path_and_query().map_or("/", |p| p.as_str()))
            .header(header::HOST, authority.as_str())
            .header(header::USER_AGENT, concat!("tutti/", env!("CARGO_PKG_VERSION")));
        for (name, value) in headers {
            let value = HeaderValue::from_str(value)
                .map_err(|_| format!("the header {name} has a character HTTP cannot carry"))?;
            request = request.header(*name, value);
        }
        let request = request
            .body(Full::new(body))
            .map_err(|e| format!("the request cannot be made: {e}"))?;
        if tls {
            let name = ServerName::try_from(host.trim_start_matches('[').trim_end_matches(']').to_owned())
                .map_err(|e| format!("{host} is not a name TLS can check: {e}"))?;
            let stream = self
                .tls
                .connect(name, stream)
                .await
                .map_err(|e| format!("TLS with {target} failed: {e}"))?;
            round_trip(stream, request).await
        } else {
            round_trip(stream, request).await
        }
    }

    /// A connection to `target`, through the proxy when it applies to `host`.
    async fn connect(&self, host: &str, target: &str) -> Result<TcpStream, String> {
        match &self.proxy {
            Some(proxy) if proxy.applies_to(host) => proxy.tunnel(target).await,
            _ => TcpStream::connect(target)
                .await
                .map_err(|e| format!("could not reach {target}: {e}")),
        }
    }
}

/// One request and its whole answer over a fresh HTTP/1.1 connection.
async fn round_trip<S>(stream: S, request: Request<Full<Bytes>>) -> Result<Response, String>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("HTTP: {e}"))?;
    // The connection is driven beside the request and ends when the answer has been read.
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let response = sender.send_request(request).await.map_err(|e| format!("HTTP: {e}"))?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("HTTP: the answer broke off: {e}"))?
        .to_bytes();
    Ok(Response { status, body })
}
