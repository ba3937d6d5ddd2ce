//! Tutti's second factors and their secrets, pure: no IO, no async, no database.
//!
//! The store keeps what these modules produce; the web crate shows it and passes back what
//! the browser sends. Each module owns one factor:
//! - [`totp`]: authenticator-app codes (RFC 6238), their secret, its base32 form and the
//!   `otpauth://` URI, and checking a code without letting it be used twice.
//! - [`qr`]: that URI drawn as an inline, labelled SVG QR code.
//! - [`recovery`]: ten single-use recovery codes and the hash the store keeps of each.
//! - [`webauthn`]: passkeys (WebAuthn Level 2, ES256 only): the options the browser needs,
//!   and checking a registration and a sign-in.
//! - [`cbor`]: the small CBOR reader passkeys need; it reads untrusted bytes, so it never
//!   panics and never allocates more than its input justifies.
//!
//! See docs/decisions/0063-second-factors-crate.md for why this is a crate of its own and why
//! passkeys are checked here rather than by webauthn-rs.

pub mod cbor;
pub mod qr;
pub mod recovery;
pub mod totp;
pub mod webauthn;

/// Fills an array from the operating system's random source.
///
/// A machine that cannot produce random bytes cannot issue secrets safely, and there is no
/// sensible fallback, so this panics rather than asking every caller to handle it (as the
/// store's tokens already do).
fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    bytes
}

/// Compares two byte strings in time that depends only on their lengths, so that how long a
/// comparison takes says nothing about how much of a guessed code was right.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_bytes_differ_between_calls() {
        let a: [u8; 32] = random_bytes();
        let b: [u8; 32] = random_bytes();
        assert_ne!(a, b);
    }

    #[test]
    fn same_bytes_compares_whole_strings() {
        assert!(same_bytes(b"123456", b"123456"));
        assert!(!same_bytes(b"123456", b"123457"));
        assert!(!same_bytes(b"123456", b"12345"));
        assert!(same_bytes(b"", b""));
    }
}
