//! Recovery codes: ten single-use codes a person keeps on paper for when their phone or
//! security key is lost, and the hash of each that the store keeps instead of the code.

use sha2::{Digest, Sha256};

/// How many codes are issued at a time.
pub const COUNT: usize = 10;

/// Characters in a code, not counting the dash it is shown with.
pub const LENGTH: usize = 10;

/// Lower-case letters and digits without 0, 1, i, l and o, which read as one another when
/// written down or printed in some fonts (0/O, 1/l/I). Codes are shown in lower case and
/// [`normalise`] lower-cases what is typed, so upper-case letters never need telling apart.
/// 31 symbols make each code worth 10 × log2(31) ≈ 49.5 bits.
pub const ALPHABET: &[u8; 31] = b"23456789abcdefghjkmnpqrstuvwxyz";

/// Ten fresh codes, shown grouped as `xxxxx-xxxxx` so they are easier to copy. Each is
/// distinct, so that using one never uses another.
pub fn generate() -> Vec<String> {
    let mut codes: Vec<String> = Vec::with_capacity(COUNT);
    while codes.len() < COUNT {
        let code = one_code();
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    codes
}

fn one_code() -> String {
    let mut symbols = Vec::with_capacity(LENGTH);
    while symbols.len() < LENGTH {
        let bytes: [u8; 16] = crate::random_bytes();
        // Bytes of 248 and above are dropped: 248 = 8 × 31, so keeping them would make the
        // first eight symbols slightly more likely than the rest.
        let limit = (256 / ALPHABET.len() * ALPHABET.len()) as u8;
        for byte in bytes.into_iter().filter(|&b| b < limit) {
            if symbols.len() < LENGTH {
                symbols.push(ALPHABET[usize::from(byte) % ALPHABET.len()]);
            }
        }
    }
    let (first, second) = symbols.split_at(LENGTH / 2);
    format!("{}-{}", String::from_utf8_lossy(first), String::from_utf8_lossy(second))
}

/// The code as typed, made comparable: spaces and dashes (however the person grouped it)
/// dropped and letters lower-cased.
pub fn normalise(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The hash the store keeps: SHA-256 of the normalised code, in lower-case hex.
///
/// A fast hash is enough here, unlike for passwords. A password is chosen by a person and
/// can be guessed from a dictionary, so it needs argon2's cost; a recovery code is 49.5
/// random bits that no dictionary holds. Someone who has the stored hashes also has the
/// TOTP secrets beside them, which must be kept readable to check codes at all, so a slow
/// hash here would not protect the account further; it would only make checking a typed
/// code slow. Guesses against the live site are limited by the web layer's rate limits.
pub fn hash(code: &str) -> String {
    let digest = Sha256::digest(normalise(code).as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte & 15)]));
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_codes_grouped_five_and_five() {
        let codes = generate();
        assert_eq!(codes.len(), COUNT);
        for code in &codes {
            assert_eq!(code.len(), 11, "{code}");
            assert_eq!(&code[5..6], "-", "{code}");
            assert!(normalise(code).bytes().all(|b| ALPHABET.contains(&b)), "{code}");
            assert_eq!(normalise(code).len(), LENGTH);
        }
    }

    #[test]
    fn codes_are_unique_within_and_across_sets() {
        let mut all: Vec<String> = (0..50).flat_map(|_| generate()).collect();
        let issued = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), issued);
    }

    #[test]
    fn alphabet_has_no_lookalikes_and_no_repeats() {
        for lookalike in b"01ilIoO" {
            assert!(!ALPHABET.contains(lookalike), "{}", char::from(*lookalike));
        }
        let mut sorted = ALPHABET.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), ALPHABET.len());
        assert!(ALPHABET.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
    }

    #[test]
    fn every_symbol_turns_up() {
        let seen: String = (0..30).flat_map(|_| generate()).collect();
        for symbol in ALPHABET {
            assert!(
                seen.as_bytes().contains(symbol),
                "{} never appeared",
                char::from(*symbol)
            );
        }
    }

    #[test]
    fn normalise_forgives_grouping_and_case() {
        assert_eq!(normalise("abcde-fghjk"), "abcdefghjk");
        assert_eq!(normalise(" ABCDE FGHJK\n"), "abcdefghjk");
        assert_eq!(normalise("ab-cd-ef gh\tjk"), "abcdefghjk");
        assert_eq!(normalise(""), "");
    }

    #[test]
    fn hash_is_sha256_of_the_normalised_code() {
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(hash("A-B C"), hash("abc"));
        let code = &generate()[0];
        assert_eq!(hash(code), hash(&code.to_uppercase().replace('-', " ")));
        assert_ne!(hash(code), hash(&generate()[0]));
        assert_eq!(hash(code).len(), 64);
    }
}
