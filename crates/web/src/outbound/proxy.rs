//! Which outbound requests go through an HTTP proxy (`--http-proxy`, or HTTPS_PROXY and
//! NO_PROXY), and the CONNECT tunnel through it, so TLS still runs end to end to the peer.
use base64::Engine as _;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// An `http://` proxy and the hosts it is not used for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proxy {
    /// `host:port` of the proxy.
    authority: String,
    /// `Basic …` credentials from the proxy URL's `user:password@`.
    authorization: Option<String>,
    /// NO_PROXY's entries, lower-cased: `*`, a host, or a domain (`.example.com`).
    bypass: Vec<String>,
}

/// The longest answer head a proxy may send to a CONNECT.
const MAX_HEAD: usize = 8 * 1024;

impl Proxy {
    /// Reads `http://[user:password@]host[:port][/]`; the port defaults to 80.
    pub fn parse(url: &str) -> Result<Proxy, String> {
        let rest = url
            .trim()
            .strip_prefix("http://")
            .ok_or("a proxy is named by an http:// address, such as http://proxy:3128")?;
        let rest = rest.trim_end_matches('/');
        if rest.contains('/') {
            return Err("a proxy address has no path".into());
        }
        let (userinfo, hostport) = match rest.rsplit_once('@') {
            Some((userinfo, hostport)) => (Some(userinfo), hostport),
            None => (None, rest),
        };
        let (host, port) = split_port(hostport, 80)?;
        if host.is_empty() {
            return Err("the proxy address has no host".into());
        }
        Ok(Proxy {
            authority: format!("{host}:{port}"),
            authorization: userinfo.map(|u| format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(u))),
            bypass: Vec::new(),
        })
    }

    /// HTTPS_PROXY (or https_proxy) with NO_PROXY (or no_proxy), as other programs read them;
    /// one that cannot be read is ignored with a warning rather than stopping the hub.
    pub fn from_env() -> Option<Proxy> {
        Proxy::from_vars(|name| std::env::var(name).ok())
    }

    /// [`Proxy::from_env`] over any source of variables.
    fn from_vars(get: impl Fn(&str) -> Option<String>) -> Option<Proxy> {
        let var = |upper: &str, lower: &str| get(upper).or_else(|| get(lower)).filter(|v| !v.trim().is_empty());
        let url = var("HTTPS_PROXY", "https_proxy")?;
        let mut proxy = match Proxy::parse(&url) {
            Ok(proxy) => proxy,
            Err(e) => {
                tracing::warn!(error = %e, "HTTPS_PROXY is not usable; connecting directly");
                return None;
            }
        };
        proxy.bypass = var("NO_PROXY", "no_proxy")
            .unwrap_or_default()
            .split(',')
            .map(|entry| entry.trim().to_ascii_lowercase())
            .filter(|entry| !entry.is_empty())
            .collect();
        Some(proxy)
    }

    /// Whether a request to `host` goes through this proxy: always, unless NO_PROXY names the
    /// host or a domain it lies under.
    pub fn applies_to(&self, host: &str) -> bool {
        let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
        !self.bypass.iter().any(|entry| {
            let domain = entry.trim_start_matches('.');
            entry == "*" || host == domain || host.ends_with(&format!(".{domain}"))
        })
    }

    /// A connection to `target` (`host:port`) through the proxy, once the proxy has agreed.
    pub async fn tunnel(&self, target: &str) -> Result<TcpStream, String> {
        let mut stream = TcpStream::connect(&self.authority)
            .await
            .map_err(|e| format!("could not reach the proxy {}: {e}", self.authority))?;
        let mut head = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
        if let Some(authorization) = &self.authorization {
            head.push_str(&format!("Proxy-Authorization: {authorization}\r\n"));
        }
        head.push_str("\r\n");
        stream
            .write_all(head.as_bytes())
            .await
            .map_err(|e| format!("the proxy {} closed the connection: {e}", self.authority))?;
        // Read the answer's head byte by byte, so nothing of the tunnel after it is consumed.
        let mut answer = Vec::new();
        while !answer.ends_with(b"\r\n\r\n") {
            if answer.len() >= MAX_HEAD {
                return Err(format!("the proxy {} sent an answer too long to read", self.authority));
            }
            let byte = stream
                .read_u8()
                .await
                .map_err(|e| format!("the proxy {} closed the connection: {e}", self.authority))?;
            answer.push(byte);
        }
        let status_line = String::from_utf8_lossy(&answer);
        let status_line = status_line.lines().next().unwrap_or_default();
        match status_line.split_whitespace().nth(1) {
            Some(code) if code.starts_with('2') => Ok(stream),
            _ => Err(format!(
                "the proxy {} refused the tunnel to {target}: {status_line}",
                self.authority
            )),
        }
    }
}

/// `host:port` or `[v6]:port` split, with the port given when none is written.
pub fn split_port(hostport: &str, default: u16) -> Result<(&str, u16), String> {
    let (host, port) = match hostport.rsplit_once(':') {
        // An IPv6 address without a port has colons only inside its brackets.
        Some((host, port)) if !port.ends_with(']') => (host, Some(port)),
        _ => (hostport, None),
    };
    let port = match port {
        Some(p) => p.parse().map_err(|_| format!("{p:?} is not a port"))?,
        None => default,
    };
    Ok((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proxy_address_is_read_with_its_port_and_credentials() {
        let proxy = Proxy::parse("http://user:secret@proxy.internal:3128/").unwrap();
        assert_eq!(proxy.authority, "proxy.internal:3128");
        assert_eq!(proxy.authorization.as_deref(), Some("Basic dXNlcjpzZWNyZXQ="));
        assert_eq!(Proxy::parse("http://proxy").unwrap().authority, "proxy:80");
        assert!(Proxy::parse("https://proxy:3128").unwrap_err().contains("http://"));
        assert!(Proxy::parse("http://proxy:port").unwrap_err().contains("not a port"));
        assert!(Proxy::parse("http://:3128").unwrap_err().contains("no host"));
        assert!(Proxy::parse("http://proxy:3128/path").unwrap_err().contains("no path"));
    }

    #[test]
    fn no_proxy_hosts_go_direct() {
        let mut proxy = Proxy::parse("http://proxy:3128").unwrap();
        assert!(proxy.applies_to("api.stripe.com"));
        assert!(proxy.applies_to("localhost"));
        proxy.bypass = vec![".internal".into(), "mail.example.org".into(), "::1".into()];
        assert!(!proxy.applies_to("[::1]"));
        assert!(!proxy.applies_to("pay.internal"));
        assert!(!proxy.applies_to("internal"));
        assert!(!proxy.applies_to("MAIL.example.org"));
        assert!(proxy.applies_to("example.org"));
        assert!(proxy.applies_to("notinternal"));
        proxy.bypass = vec!["*".into()];
        assert!(!proxy.applies_to("api.stripe.com"));
    }

    #[test]
    fn the_environment_names_the_proxy_and_its_exceptions() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
        };
        assert_eq!(Proxy::from_vars(vars(&[])), None);
        assert_eq!(Proxy::from_vars(vars(&[("HTTPS_PROXY", " ")])), None);
        assert_eq!(Proxy::from_vars(vars(&[("HTTPS_PROXY", "socks5://proxy:1080")])), None);
        let proxy = Proxy::from_vars(vars(&[
            ("https_proxy", "http://proxy:3128"),
            ("NO_PROXY", " .Internal, ,pay.example.org"),
        ]))
        .unwrap();
        assert_eq!(proxy.authority, "proxy:3128");
        assert_eq!(proxy.bypass, [".internal", "pay.example.org"]);
        assert!(!proxy.applies_to("db.internal"));
        assert!(proxy.applies_to("api.stripe.com"));
    }

    #[test]
    fn ports_are_split_from_hosts_of_both_kinds() {
        assert_eq!(split_port("host:8443", 443).unwrap(), ("host", 8443));
        assert_eq!(split_port("host", 443).unwrap(), ("host", 443));
        assert_eq!(split_port("[::1]:8080", 80).unwrap(), ("[::1]", 8080));
        assert_eq!(split_port("[::1]", 80).unwrap(), ("[::1]", 80));
    }
}
