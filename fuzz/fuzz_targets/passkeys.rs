//! Passkeys: what a browser sends for a passkey is read by code of our own (the CBOR reader,
//! authenticator data, client data), so arbitrary bytes in any of those places must never
//! panic; and a sign-in is never accepted without a signature the fuzzer cannot make.
//! (A registration with "none" attestation carries no signature, so well-formed bytes may
//! pass it; only that it never panics is checked.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use tutti_auth::{cbor, webauthn};

fuzz_target!(|data: &[u8]| {
    let _ = cbor::decode(data);
    let _ = cbor::decode_prefix(data);
    // Split the input three ways: client data, then the attestation object or authenticator
    // data, then a signature.
    let a = data.len() / 3;
    let b = 2 * data.len() / 3;
    let (client, rest) = data.split_at(a);
    let (middle, signature) = rest.split_at(b - a);
    let _ = webauthn::verify_registration("hub.example", "https://hub.example", "challenge", client, middle);
    // A fixed public key: P-256's generator point, uncompressed. Its private key is 1, which
    // the fuzzer does not know how to use: it does not compute ECDSA.
    let key = [
        4, 107, 23, 209, 242, 225, 44, 66, 71, 248, 188, 230, 229, 99, 164, 64, 242, 119, 3, 125, 129, 45, 235, 51,
        160, 244, 161, 57, 69, 216, 152, 194, 150, 79, 227, 66, 226, 254, 26, 127, 155, 142, 231, 235, 74, 124, 15,
        158, 22, 43, 206, 51, 87, 107, 49, 94, 206, 203, 182, 64, 104, 55, 191, 81, 245,
    ];
    let signed_in =
        webauthn::verify_assertion("hub.example", "https://hub.example", "challenge", &key, 0, client, middle, signature);
    assert!(signed_in.is_err(), "a sign-in made of noise was accepted");
    let _ = webauthn::base64url_decode(&String::from_utf8_lossy(data));
});
