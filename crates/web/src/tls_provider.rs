//! The cryptography every rustls configuration of ours uses, served (`https`) and outbound
//! (`outbound`): ring rather than aws-lc-rs, for no C toolchain beyond cc and a much shorter
//! build, at the price of no post-quantum key exchange (docs/decisions/0080).
use std::sync::Arc;

use rustls::crypto::CryptoProvider;

#[allow(deprecated)]
pub(crate) fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}
