//! Whom the hub trusts when it connects out (payment provider, mail server): the system's
//! roots plus the PEM certificates of `--ca-file`, and, for HTTP, an optional proxy.
mod client;
mod proxy;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

pub use client::{HttpClient, Response};
use proxy::Proxy;

/// How outbound connections are made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outbound {
    /// A private CA's certificates (PEM), trusted besides the system's roots.
    pub ca_file: Option<PathBuf>,
    /// An HTTP(S) proxy every outbound HTTPS request goes through (`http://proxy:3128`), for
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

    /// An HTTP client that speaks HTTPS with rustls, trusting the system's roots and the CA
    /// file, through the proxy when one is set. Each call may take at most `timeout`.
    pub fn http_client(&self, timeout: Duration) -> Result<HttpClient, String> {
        let mut roots = rustls::RootCertStore::empty();
        // A system store with a certificate rustls cannot read still leaves the others usable.
        let native = rustls_native_certs::load_native_certs();
        roots.add_parsable_certificates(native.certs);
        if let Some(pem) = self.ca_pem()? {
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
                .collect::<Result<_, _>>()
                .map_err(|e| format!("the CA file holds no usable PEM certificate: {e}"))?;
            if certs.is_empty() {
                return Err("the CA file holds no PEM certificate".into());
            }
            for cert in certs {
                roots
                    .add(cert)
                    .map_err(|e| format!("the CA file holds a certificate that cannot be used: {e}"))?;
            }
        }
        let tls = rustls::ClientConfig::builder_with_provider(crate::tls_provider::provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS: {e}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        // `--http-proxy` wins over the environment's.
        let proxy = match &self.http_proxy {
            Some(url) => Some(Proxy::parse(url).map_err(|e| format!("the HTTP proxy {url:?} is not valid: {e}"))?),
            None => Proxy::from_env(),
        };
        Ok(HttpClient::new(Arc::new(tls), proxy, timeout))
    }
}
