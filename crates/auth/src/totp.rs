//! Authenticator-app codes (TOTP, RFC 6238): the shared secret, its base32 form, the
//! `otpauth://` URI an app scans, and checking a code so that each one works only once.

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// SHA-1, six digits and 30 seconds are fixed rather than chosen: they are what every
/// authenticator app supports, and some apps ignore other values in the URI and would then
/// show codes that never match.
pub const DIGITS: u32 = 6;
pub const STEP_SECONDS: i64 = 30;

/// 160 bits: the length of a SHA-1 output, which RFC 4226 recommends for the shared secret.
pub const SECRET_BYTES: usize = 20;

/// A new random shared secret, to be shown once (as a QR code and as base32) and stored.
pub fn generate_secret() -> Vec<u8> {
    crate::random_bytes::<SECRET_BYTES>().to_vec()
}

const BASE32_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without `=` padding, the form authenticator apps expect in the URI and
/// the form a person types when they cannot scan the code.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits = 0u32;
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            text.push(char::from(BASE32_ALPHABET[((buffer >> bits) & 31) as usize]));
        }
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        text.push(char::from(BASE32_ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    text
}

/// Reads base32 back. Lower case, spaces and trailing `=` are accepted, because people copy
/// secrets by hand from apps that group or pad them. A length no encoder produces, or unused
/// final bits that are not zero, is refused, so each secret has exactly one spelling.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let unpadded = compact
        .iter()
        .rposition(|&b| b != b'=')
        .map_or(&compact[..0], |last| &compact[..=last]);
    let mut bytes = Vec::with_capacity(unpadded.len() * 5 / 8);
    let mut buffer: u32 = 0;
    let mut bits = 0u32;
    for &symbol in unpadded {
        let value = BASE32_ALPHABET.iter().position(|&a| a == symbol.to_ascii_uppercase())?;
        buffer = (buffer << 5) | value as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            bytes.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    (bits < 5 && buffer == 0).then_some(bytes)
}

/// The URI authenticator apps read from the QR code (Google's "Key Uri Format"). The issuer
/// appears twice, in the label and as a parameter, because older apps read only one of them.
pub fn otpauth_uri(secret: &[u8], issuer: &str, account: &str) -> String {
    format!(
        "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        issuer = percent_encode(issuer),
        account = percent_encode(account),
        secret = base32_encode(secret),
    )
}

/// Percent-encodes everything except RFC 3986's unreserved characters, so a `:`, `&`, `?`,
/// space or accented letter in a hub's or person's name cannot change the URI's structure.
fn percent_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// The time step a moment falls in. Euclidean division keeps steps whole before 1970 too.
pub fn step_at(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The six-digit code an authenticator app shows at `unix_seconds`. Moments before 1970,
/// which no clock the hub trusts reports, are given the code of the first step.
pub fn code_at(secret: &[u8], unix_seconds: i64) -> String {
    totp(secret, unix_seconds, DIGITS)
}

/// Checks a code typed at `unix_seconds` and returns the step it belongs to, which the
/// caller stores and passes back as `last_used_step` next time.
///
/// The step before and after the current one are accepted too, because phones' clocks drift
/// and people take a few seconds to type. A step at or before `last_used_step` is refused,
/// so a code seen over someone's shoulder cannot be used again, nor can an older one.
/// Spaces in the code ("123 456", as apps show it) are ignored.
pub fn verify(secret: &[u8], code: &str, unix_seconds: i64, last_used_step: Option<i64>) -> Option<i64> {
    let typed: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != DIGITS as usize || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_at(unix_seconds);
    let mut matched = None;
    // All three candidates are computed, whichever matches, so the time taken does not say
    // which step a guess was close to. The earliest matching step is kept: it refuses this
    // code's replay just as well and leaves the most room for the next code.
    for step in [now - 1, now, now + 1] {
        let Ok(counter) = u64::try_from(step) else { continue };
        if last_used_step.is_some_and(|last| step <= last) {
            continue;
        }
        if crate::same_bytes(hotp(secret, counter, DIGITS).as_bytes(), typed.as_bytes()) && matched.is_none() {
            matched = Some(step);
        }
    }
    matched
}

fn totp(secret: &[u8], unix_seconds: i64, digits: u32) -> String {
    hotp(secret, u64::try_from(step_at(unix_seconds)).unwrap_or(0), digits)
}

/// RFC 4226 HOTP: HMAC-SHA-1 of the counter, dynamically truncated to `digits` decimal
/// digits (at most 9, since the truncated value has 31 bits).
fn hotp(secret: &[u8], counter: u64, digits: u32) -> String {
    debug_assert!((1..=9).contains(&digits));
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).expect("HMAC accepts a key of any length");
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[19] & 0x0f);
    let truncated =
        u32::from_be_bytes([hash[offset], hash[offset + 1], hash[offset + 2], hash[offset + 3]]) & 0x7fff_ffff;
    format!("{:0width$}", truncated % 10u32.pow(digits), width = digits as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc_4226_appendix_d_hotp_values() {
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489",
        ];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(hotp(RFC_SECRET, counter as u64, 6), *code, "counter {counter}");
        }
    }

    #[test]
    fn rfc_6238_appendix_b_sha1_values() {
        let expected: [(i64, &str); 6] = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        for (time, code) in expected {
            assert_eq!(totp(RFC_SECRET, time, 8), code, "at {time}");
            // Six digits are the last six of eight, since 10^6 divides 10^8.
            assert_eq!(code_at(RFC_SECRET, time), code[2..], "at {time}");
        }
    }

    #[test]
    fn codes_keep_leading_zeros() {
        assert_eq!(totp(RFC_SECRET, 1_111_111_109, 8), "07081804");
        assert!((0..2000).map(|t| code_at(RFC_SECRET, t * 30)).all(|c| c.len() == 6));
    }

    #[test]
    fn base32_rfc_4648_vectors() {
        let vectors = [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(base32_encode(plain.as_bytes()), encoded);
            assert_eq!(base32_decode(encoded).as_deref(), Some(plain.as_bytes()), "{encoded}");
        }
        assert_eq!(base32_encode(RFC_SECRET), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }

    #[test]
    fn base32_accepts_what_people_copy() {
        assert_eq!(base32_decode("mzxw 6ytb oi").as_deref(), Some(&b"foobar"[..]));
        assert_eq!(base32_decode("MZXW6YQ=").as_deref(), Some(&b"foob"[..]));
        assert_eq!(base32_decode("MZXW6===").as_deref(), Some(&b"foo"[..]));
    }

    #[test]
    fn base32_refuses_what_no_encoder_writes() {
        for bad in ["M", "MZX", "MZXW6Y", "MZ", "MZ1Q", "MZ0Q", "MZ=Q", "MZXQ!", "ÄÄ"] {
            assert_eq!(base32_decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn base32_round_trips_random_secrets() {
        for _ in 0..200 {
            let secret = generate_secret();
            let length = (secret[0] % 21) as usize;
            let text = base32_encode(&secret[..length]);
            assert_eq!(base32_decode(&text).as_deref(), Some(&secret[..length]));
        }
    }

    #[test]
    fn secrets_are_160_bits_and_fresh() {
        let a = generate_secret();
        assert_eq!(a.len(), 20);
        assert_eq!(base32_encode(&a).len(), 32);
        assert_ne!(a, generate_secret());
    }

    #[test]
    fn otpauth_uri_encodes_names() {
        assert_eq!(
            otpauth_uri(RFC_SECRET, "Tutti Music Hub", "anne@example.org"),
            "otpauth://totp/Tutti%20Music%20Hub:anne%40example.org?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
             &issuer=Tutti%20Music%20Hub&algorithm=SHA1&digits=6&period=30"
        );
        let uri = otpauth_uri(b"k", "A:B&C?D", "Zoë O'Neil/x#1");
        assert!(
            uri.starts_with("otpauth://totp/A%3AB%26C%3FD:Zo%C3%AB%20O%27Neil%2Fx%231?secret=NM&issuer=A%3AB%26C%3FD&")
        );
        assert_eq!(percent_encode("a-b.c_d~e"), "a-b.c_d~e");
    }

    #[test]
    fn verify_accepts_the_current_step_and_one_either_side() {
        let t = 1_111_111_111; // step 37037037
        let now = step_at(t);
        assert_eq!(now, 37_037_037);
        assert_eq!(verify(RFC_SECRET, &code_at(RFC_SECRET, t), t, None), Some(now));
        assert_eq!(verify(RFC_SECRET, &code_at(RFC_SECRET, t - 30), t, None), Some(now - 1));
        assert_eq!(verify(RFC_SECRET, &code_at(RFC_SECRET, t + 30), t, None), Some(now + 1));
        assert_eq!(verify(RFC_SECRET, &code_at(RFC_SECRET, t - 60), t, None), None);
        assert_eq!(verify(RFC_SECRET, &code_at(RFC_SECRET, t + 60), t, None), None);
    }

    #[test]
    fn verify_refuses_replays_and_older_codes() {
        let t = 2_000_000_000;
        let code = code_at(RFC_SECRET, t);
        let used = verify(RFC_SECRET, &code, t, None).unwrap();
        assert_eq!(verify(RFC_SECRET, &code, t, Some(used)), None);
        assert_eq!(verify(RFC_SECRET, &code, t + 29, Some(used)), None);
        // A code from the step before the last used one is refused even though it is in
        // the window.
        assert_eq!(verify(RFC_SECRET, &code_at(RFC_SECRET, t - 30), t, Some(used)), None);
        // The next step's code is still accepted.
        assert_eq!(
            verify(RFC_SECRET, &code_at(RFC_SECRET, t + 30), t + 30, Some(used)),
            Some(used + 1)
        );
    }

    #[test]
    fn verify_reads_codes_as_apps_show_them() {
        let t = 1_234_567_890;
        let code = code_at(RFC_SECRET, t);
        assert_eq!(code, "005924");
        for typed in ["005 924", " 005924 ", "00 59 24", "005\u{a0}924"] {
            assert_eq!(verify(RFC_SECRET, typed, t, None), Some(step_at(t)), "{typed:?}");
        }
        for typed in ["", "5924", "0059244", "005-924", "OO5924", "٠٠٥٩٢٤", "00592４"] {
            assert_eq!(verify(RFC_SECRET, typed, t, None), None, "{typed:?}");
        }
    }

    #[test]
    fn verify_refuses_other_secrets() {
        let t = 1_700_000_000;
        let other = generate_secret();
        let code = code_at(RFC_SECRET, t);
        // One chance in a million that a random secret shares the code at some step.
        if ![-1, 0, 1].iter().any(|d| code_at(&other, t + d * 30) == code) {
            assert_eq!(verify(&other, &code, t, None), None);
        }
    }

    #[test]
    fn times_before_1970_never_verify() {
        assert_eq!(step_at(-1), -1);
        assert_eq!(code_at(RFC_SECRET, -100), code_at(RFC_SECRET, 0));
        assert_eq!(verify(RFC_SECRET, &code_at(RFC_SECRET, 0), -45, None), None);
        assert_eq!(verify(RFC_SECRET, &code_at(RFC_SECRET, 0), -15, None), Some(0));
    }
}
