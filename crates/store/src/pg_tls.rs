//! PostgreSQL's TLS settings from the URL, as libpq reads them, plus the operator's CA file.
//!
//! sqlx already parses `sslmode` (`disable`, `allow`, `prefer`, `require`, `verify-ca`,
//! `verify-full`; `prefer` when absent) and `sslrootcert`. Two of libpq's rules it lacks are
//! kept here: `require` with a root certificate file verifies the chain as `verify-ca` does,
//! and `sslrootcert=system` means the system's roots with `verify-full`. The certificates of
//! `--ca-file` are trusted beside the system's roots when the URL names no root file of its own.
use std::path::{Path, PathBuf};

use sea_orm::sqlx::postgres::{PgConnectOptions, PgSslMode};

/// What the URL and the operator ask of the connection's TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgTls {
    /// The mode the URL gives, when it gives one.
    mode: Option<String>,
    /// The URL's `sslrootcert`, when it gives one.
    root_cert: Option<String>,
    /// `--ca-file`.
    ca_file: Option<PathBuf>,
}

impl PgTls {
    pub fn from_url(url: &str, ca_file: Option<&Path>) -> PgTls {
        let mut tls = PgTls {
            mode: None,
            root_cert: None,
            ca_file: ca_file.map(Path::to_path_buf),
        };
        let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
        for pair in query.split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "sslmode" | "ssl-mode" => tls.mode = Some(value.to_ascii_lowercase()),
                "sslrootcert" | "ssl-root-cert" | "ssl-ca" => tls.root_cert = Some(value.to_owned()),
                _ => {}
            }
        }
        tls
    }

    /// The mode the connection runs in, after libpq's rules.
    pub fn effective_mode(&self) -> PgSslMode {
        let system_roots = self.root_cert.as_deref() == Some("system");
        match self.mode.as_deref() {
            Some("disable") => PgSslMode::Disable,
            Some("allow") => PgSslMode::Allow,
            Some("require") if self.root_cert.is_some() && !system_roots => PgSslMode::VerifyCa,
            Some("require") => PgSslMode::Require,
            Some("verify-ca") => PgSslMode::VerifyCa,
            Some("verify-full") => PgSslMode::VerifyFull,
            _ if system_roots => PgSslMode::VerifyFull,
            _ => PgSslMode::Prefer,
        }
    }

    /// The extra root certificates trusted besides the system's: the URL's file, else `--ca-file`.
    pub fn extra_roots(&self) -> Option<PathBuf> {
        match self.root_cert.as_deref() {
            Some("system") => None,
            Some(file) => Some(PathBuf::from(file)),
            None => self.ca_file.clone(),
        }
    }

    /// The options sqlx parsed from the URL, with these rules applied.
    pub fn apply(&self, options: PgConnectOptions) -> PgConnectOptions {
        // sqlx reads PGSSLMODE when the URL has no mode; an explicit mode in the URL wins.
        let options = if self.mode.is_some() || self.root_cert.is_some() {
            options.ssl_mode(self.effective_mode())
        } else {
            options
        };
        match self.extra_roots() {
            Some(file) => options.ssl_root_cert(file),
            None if self.root_cert.as_deref() == Some("system") => {
                // sqlx would read a file named "system"; the system's roots are always trusted.
                options.ssl_root_cert_from_pem(Vec::new())
            }
            None => options,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(url: &str) -> PgSslMode {
        PgTls::from_url(url, None).effective_mode()
    }

    #[test]
    fn modes_follow_libpq() {
        assert!(matches!(mode("postgres://db/hub"), PgSslMode::Prefer));
        assert!(matches!(mode("postgres://db/hub?sslmode=disable"), PgSslMode::Disable));
        assert!(matches!(mode("postgres://db/hub?sslmode=prefer"), PgSslMode::Prefer));
        assert!(matches!(mode("postgres://db/hub?sslmode=require"), PgSslMode::Require));
        assert!(matches!(
            mode("postgres://db/hub?sslmode=verify-ca"),
            PgSslMode::VerifyCa
        ));
        assert!(matches!(
            mode("postgres://db/hub?application_name=x&sslmode=verify-full"),
            PgSslMode::VerifyFull
        ));
        // libpq: a root certificate file turns `require` into `verify-ca`.
        assert!(matches!(
            mode("postgres://db/hub?sslmode=require&sslrootcert=/etc/ca.pem"),
            PgSslMode::VerifyCa
        ));
        // libpq 16: `sslrootcert=system` defaults to verify-full.
        assert!(matches!(
            mode("postgres://db/hub?sslrootcert=system"),
            PgSslMode::VerifyFull
        ));
    }

    #[test]
    fn the_urls_root_file_wins_over_the_ca_file() {
        let ca = Path::new("/etc/tutti/ca.pem");
        assert_eq!(
            PgTls::from_url("postgres://db/hub?sslmode=verify-full", Some(ca)).extra_roots(),
            Some(ca.to_path_buf())
        );
        assert_eq!(
            PgTls::from_url("postgres://db/hub?sslrootcert=/x.pem", Some(ca)).extra_roots(),
            Some(PathBuf::from("/x.pem"))
        );
        assert_eq!(
            PgTls::from_url("postgres://db/hub?sslrootcert=system", Some(ca)).extra_roots(),
            None
        );
    }
}
