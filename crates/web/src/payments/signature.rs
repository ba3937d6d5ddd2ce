//! Stripe's webhook signatures: the `Stripe-Signature` header `t=<unix time>,v1=<hex>`, where
//! v1 is HMAC-SHA256 of "<t>.<raw body>" under the endpoint's secret, accepted only within a
//! tolerance of the current time (Stripe's default is five minutes).
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use tutti_store::money::payments::provider::WebhookError;

/// Stripe's default tolerance between the signed time and now.
pub const DEFAULT_TOLERANCE_SECS: i64 = 300;

const BLOCK: usize = 64;

/// HMAC-SHA256 (RFC 2104) over the sha2 crate we already build.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| -> [u8; BLOCK] { block.map(|b| b ^ byte) };
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(message).finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The header value Stripe would send for `body` signed at `timestamp`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut signed = format!("{timestamp}.").into_bytes();
    signed.extend_from_slice(body);
    format!("t={timestamp},v1={}", hex(&hmac_sha256(secret.as_bytes(), &signed)))
}

/// Checks a `Stripe-Signature` header against the raw body. Any one `v1` entry may match
/// (Stripe sends several while a secret is being rolled); other schemes are ignored.
pub fn verify(
    secret: &str,
    header: &str,
    body: &[u8],
    now: OffsetDateTime,
    tolerance_secs: i64,
) -> Result<(), WebhookError> {
    let mut timestamp: Option<i64> = None;
    let mut candidates: Vec<&str> = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse().ok(),
            Some(("v1", sig)) => candidates.push(sig),
            _ => {}
        }
    }
    let Some(timestamp) = timestamp else {
        return Err(WebhookError::MissingSignature);
    };
    if candidates.is_empty() {
        return Err(WebhookError::MissingSignature);
    }
    let expected = sign(secret, timestamp, body);
    let expected = expected.rsplit_once("v1=").map(|(_, s)| s).unwrap_or_default();
    if !candidates
        .iter()
        .any(|c| constant_time_eq(c.as_bytes(), expected.as_bytes()))
    {
        return Err(WebhookError::BadSignature);
    }
    if (now.unix_timestamp() - timestamp).abs() > tolerance_secs {
        return Err(WebhookError::OutsideTolerance);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2: key "Jefe".
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block is hashed first.
        assert_eq!(
            hex(&hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn signatures_are_checked_for_secret_body_and_time() {
        let now = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let body = br#"{"id":"evt_1"}"#;
        let header = sign("whsec_test", now.unix_timestamp(), body);
        assert_eq!(verify("whsec_test", &header, body, now, 300), Ok(()));
        assert_eq!(
            verify("whsec_other", &header, body, now, 300),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            verify("whsec_test", &header, br#"{"id":"evt_2"}"#, now, 300),
            Err(WebhookError::BadSignature)
        );
        let later = now + time::Duration::seconds(301);
        assert_eq!(
            verify("whsec_test", &header, body, later, 300),
            Err(WebhookError::OutsideTolerance)
        );
        assert_eq!(
            verify("whsec_test", "v1=abc", body, now, 300),
            Err(WebhookError::MissingSignature)
        );
        // A rolled secret: one of several v1 entries matching is enough.
        let both = format!("{header},v1=00ff,v0=ignored");
        assert_eq!(verify("whsec_test", &both, body, now, 300), Ok(()));
    }
}
