//! Whom the hub trusts when it connects out (payment provider, mail server): the system's
//! roots plus the PEM certificates of `--ca-file`, and, for HTTP, an optional proxy.
use std::path::PathBuf;
use std::time::Duration;

/// How outbound connections are made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outbound {
    /// A private CA's certificates (PEM), trusted besides the system's roots.
    pub ca_file: Option<PathBuf>,
    /// An HTTP(S) proxy every outbound HTTP request goes through (`http://proxy:3128`), for
    /// networks that allow no direct egress. Without it, HTTPS_PROXY and NO_PROXY still apply.
    pub http_proxy: Option<String>,
}

impl Outbound {
    /// The CA file's contents, when one is given.
    pub fn ca_pem(&self) -> Result<Option<Vec<u8>>, String> {
        match &self.ca_file {
            None => Ok(None),
            Some(path) => std::fs::read(path)
                .map(Some)
                .map_err(|e| format!("could not read the CA file {}: {e}", path.display())),
        }
    }

    /// An HTTP client that speaks HTTPS with rustls, trusting the system's roots and the CA file.
    pub fn http_client(&self, timeout: Duration) -> Result<reqwest::Client, String> {
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(10))
            .https_only(false)
            .tls_built_in_native_certs(true);
        if let Some(pem) = self.ca_pem()? {
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| format!("the CA file holds no usable PEM certificate: {e}"))?;
            if certs.is_empty() {
                return Err("the CA file holds no PEM certificate".into());
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        if let Some(proxy) = &self.http_proxy {
            let proxy =
                reqwest::Proxy::all(proxy).map_err(|e| format!("the HTTP proxy {proxy:?} is not valid: {e}"))?;
            builder = builder.proxy(proxy);
        }
        builder
            .build()
            .map_err(|e| format!("could not build the HTTP client: {e}"))
    }
}
