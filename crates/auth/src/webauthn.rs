//! Passkeys (WebAuthn Level 2): the options a page passes to `navigator.credentials.create()`
//! and `.get()`, and checking the registration and the sign-in that come back.
//!
//! Written here rather than with webauthn-rs, which needs OpenSSL; Tutti builds without it
//! (decision 63). Only what the hub needs is supported:
//! - ES256 keys (ECDSA on P-256 with SHA-256, COSE algorithm -7), which Chromium's, Apple's,
//!   Google's and Microsoft's platform authenticators and current security keys all offer.
//! - Attestation "none", and "packed" accepted without checking its statement. The hub asks
//!   for no attestation: it does not restrict which makes of device people may use, so a
//!   statement proving the make would only be data to keep. Browsers usually send "none"
//!   when asked for none; some security keys' "packed" statements come through anyway.
//!
//! Binary values cross to and from the page as base64url without padding, the encoding
//! WebAuthn's own JSON forms use.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, VerifyingKey};
use serde_json::json;
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::cbor::{self, CborError, Value};

/// COSE's number for ECDSA with SHA-256, the one algorithm accepted.
pub const ES256: i64 = -7;

/// How long the browser waits for the person, in milliseconds.
pub const TIMEOUT_MS: u32 = 60_000;

/// WebAuthn asks for at least 16 random bytes; 32 is what most servers send.
const CHALLENGE_BYTES: usize = 32;

/// Level 2 caps credential IDs at 1023 bytes.
const MAX_CREDENTIAL_ID_BYTES: usize = 1023;

/// Authenticator data: SHA-256 of the RP ID, one byte of flags, a four-byte sign count.
const AUTH_DATA_HEADER_BYTES: usize = 37;
const FLAG_USER_PRESENT: u8 = 0x01;
const FLAG_ATTESTED_CREDENTIAL: u8 = 0x40;
const FLAG_EXTENSIONS: u8 = 0x80;

/// What a registration leaves to be stored with the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPasskey {
    pub credential_id: Vec<u8>,
    /// The public key as an uncompressed SEC1 point: 0x04, then x and y, 65 bytes.
    pub public_key: Vec<u8>,
    pub sign_count: u32,
}

/// Why a passkey was refused, in words that can be shown to the person or logged.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WebauthnError {
    #[error("The passkey's data was not in base64url form")]
    Base64Url,
    #[error("The browser's description of the request could not be read")]
    ClientData,
    #[error("The browser answered a different kind of request than {expected}")]
    WrongType { expected: &'static str },
    #[error("The passkey answered a different or expired request; please try again")]
    WrongChallenge,
    #[error("The passkey was used on {origin}, not on this site")]
    WrongOrigin { origin: String },
    #[error("The passkey was used from inside another site's page")]
    CrossOrigin,
    #[error("The authenticator's data could not be read: {0}")]
    Cbor(#[from] CborError),
    #[error("The authenticator's data could not be read: {0}")]
    Malformed(&'static str),
    #[error("The authenticator sent an attestation of type \"{0}\"; only \"none\" and \"packed\" are accepted")]
    UnsupportedAttestation(String),
    #[error("The passkey belongs to a different site")]
    WrongRelyingParty,
    #[error("The authenticator did not confirm that someone was there; touch or unlock it when asked")]
    UserNotPresent,
    #[error("The authenticator did not send a new passkey")]
    NoCredential,
    #[error("The passkey uses a kind of key this site does not accept; only ES256 (P-256) keys are")]
    UnsupportedAlgorithm,
    #[error("The passkey's public key is not a valid P-256 key")]
    InvalidPublicKey,
    #[error("The passkey's signature does not match")]
    BadSignature,
    #[error(
        "The authenticator's use counter went back from {stored} to {received}, so it may have been copied; \
         this sign-in is refused"
    )]
    PossibleClone { stored: u32, received: u32 },
}

/// A fresh challenge for one ceremony, to be kept in the session and compared afterwards.
pub fn challenge() -> String {
    base64url_encode(&crate::random_bytes::<CHALLENGE_BYTES>())
}

pub fn base64url_encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Strict: padding, the standard alphabet's `+` and `/`, and stray bits are refused, since
/// browsers never send them and accepting them would give one value several spellings.
pub fn base64url_decode(text: &str) -> Result<Vec<u8>, WebauthnError> {
    URL_SAFE_NO_PAD.decode(text).map_err(|_| WebauthnError::Base64Url)
}

/// The options for `navigator.credentials.create()`, in the JSON form
/// `PublicKeyCredential.parseCreationOptionsFromJSON()` reads (binary fields as base64url).
///
/// `user_handle` must be random and not the person's email or name: authenticators keep it
/// and may show it to anyone holding the device. `exclude` lists the person's existing
/// credential IDs so the same authenticator is not registered twice.
pub fn creation_options(
    rp_id: &str,
    rp_name: &str,
    user_handle: &[u8],
    user_name: &str,
    display_name: &str,
    challenge: &str,
    exclude: &[Vec<u8>],
) -> serde_json::Value {
    json!({
        "rp": { "id": rp_id, "name": rp_name },
        "user": { "id": base64url_encode(user_handle), "name": user_name, "displayName": display_name },
        "challenge": challenge,
        "pubKeyCredParams": [{ "type": "public-key", "alg": ES256 }],
        "timeout": TIMEOUT_MS,
        "excludeCredentials": descriptors(exclude),
        // A discoverable passkey lets someone sign in without typing their email first; a
        // security key with no room for one still works, so it is preferred, not required.
        // Likewise user verification (PIN or biometric) is welcome but not demanded: the
        // password already stands as the first factor.
        "authenticatorSelection": {
            "residentKey": "preferred",
            "requireResidentKey": false,
            "userVerification": "preferred"
        },
        "attestation": "none"
    })
}

/// The options for `navigator.credentials.get()`. An empty `allow` lets the browser offer
/// any passkey it holds for this site, for signing in before the account is known.
pub fn request_options(rp_id: &str, challenge: &str, allow: &[Vec<u8>]) -> serde_json::Value {
    json!({
        "challenge": challenge,
        "rpId": rp_id,
        "timeout": TIMEOUT_MS,
        "userVerification": "preferred",
        "allowCredentials": descriptors(allow)
    })
}

fn descriptors(credential_ids: &[Vec<u8>]) -> serde_json::Value {
    credential_ids
        .iter()
        .map(|id| json!({ "type": "public-key", "id": base64url_encode(id) }))
        .collect()
}

/// Checks a new passkey (WebAuthn Level 2 §7.1) and returns what to store.
///
/// `client_data_json` and `attestation_object` are the bytes from the browser's
/// `AuthenticatorAttestationResponse`, already decoded from base64url.
pub fn verify_registration(
    rp_id: &str,
    expected_origin: &str,
    expected_challenge: &str,
    client_data_json: &[u8],
    attestation_object: &[u8],
) -> Result<NewPasskey, WebauthnError> {
    check_client_data(client_data_json, "webauthn.create", expected_challenge, expected_origin)?;

    let object = cbor::decode(attestation_object)?;
    let format = object
        .get_text("fmt")
        .and_then(Value::as_text)
        .ok_or(WebauthnError::Malformed("no format"))?;
    let statement = object
        .get_text("attStmt")
        .filter(|statement| statement.is_map())
        .ok_or(WebauthnError::Malformed("no attestation statement"))?;
    match format {
        "none" if *statement != Value::Map(Vec::new()) => {
            return Err(WebauthnError::Malformed("a \"none\" attestation carries a statement"));
        }
        // "packed" is taken on trust, as the module's comment explains.
        "none" | "packed" => {}
        other => return Err(WebauthnError::UnsupportedAttestation(other.to_owned())),
    }
    let auth_data = object
        .get_text("authData")
        .and_then(Value::as_bytes)
        .ok_or(WebauthnError::Malformed("no authenticator data"))?;

    let (flags, sign_count, attested) = read_authenticator_data(auth_data, rp_id)?;
    if flags & FLAG_ATTESTED_CREDENTIAL == 0 {
        return Err(WebauthnError::NoCredential);
    }
    // Attested credential data: a 16-byte AAGUID (the make of authenticator, unused here),
    // the credential ID's length and the ID, then the COSE public key.
    let too_short = WebauthnError::Malformed("the new credential's data is cut short");
    let id_length = match attested.get(16..18) {
        Some(&[high, low]) => usize::from(u16::from_be_bytes([high, low])),
        _ => return Err(too_short),
    };
    if id_length > MAX_CREDENTIAL_ID_BYTES {
        return Err(WebauthnError::Malformed("the credential ID is longer than 1023 bytes"));
    }
    let credential_id = attested.get(18..18 + id_length).ok_or(too_short)?;
    let after_id = &attested[18 + id_length..];
    let (cose_key, key_length) = cbor::decode_prefix(after_id)?;
    let after_key = &after_id[key_length..];
    if flags & FLAG_EXTENSIONS != 0 {
        if !cbor::decode(after_key)?.is_map() {
            return Err(WebauthnError::Malformed("the extensions are not a map"));
        }
    } else if !after_key.is_empty() {
        return Err(WebauthnError::Malformed("there are bytes after the public key"));
    }

    Ok(NewPasskey {
        credential_id: credential_id.to_vec(),
        public_key: es256_public_key(&cose_key)?,
        sign_count,
    })
}

/// Checks a sign-in (WebAuthn Level 2 §7.2) with a stored passkey and returns the sign
/// count to store in place of `stored_sign_count`.
///
/// The byte arguments are from the browser's `AuthenticatorAssertionResponse`, already
/// decoded from base64url. Which stored passkey to use is the caller's choice, by the
/// credential ID the browser sends.
#[allow(clippy::too_many_arguments)] // the parameters are WebAuthn's own list of inputs
pub fn verify_assertion(
    rp_id: &str,
    expected_origin: &str,
    expected_challenge: &str,
    public_key_sec1: &[u8],
    stored_sign_count: u32,
    client_data_json: &[u8],
    authenticator_data: &[u8],
    signature_der: &[u8],
) -> Result<u32, WebauthnError> {
    check_client_data(client_data_json, "webauthn.get", expected_challenge, expected_origin)?;
    let (_, sign_count, _) = read_authenticator_data(authenticator_data, rp_id)?;

    let key = VerifyingKey::from_sec1_bytes(public_key_sec1).map_err(|_| WebauthnError::InvalidPublicKey)?;
    let signature = Signature::from_der(signature_der).map_err(|_| WebauthnError::BadSignature)?;
    let mut signed = Vec::with_capacity(authenticator_data.len() + 32);
    signed.extend_from_slice(authenticator_data);
    signed.extend_from_slice(&Sha256::digest(client_data_json));
    key.verify(&signed, &signature)
        .map_err(|_| WebauthnError::BadSignature)?;

    // Authenticators that count (most security keys) must count up; one that does not
    // (synced passkeys send 0 every time) is left alone. A count that stands still or goes
    // back means two devices hold the same key, one of them perhaps a copy, so the sign-in
    // is refused. This follows §7.2 step 21, which also refuses a count that drops back to
    // 0 after being non-zero. It is checked after the signature so that only the genuine
    // authenticator's count can trigger it.
    if (sign_count != 0 || stored_sign_count != 0) && sign_count <= stored_sign_count {
        return Err(WebauthnError::PossibleClone {
            stored: stored_sign_count,
            received: sign_count,
        });
    }
    Ok(sign_count)
}

/// Checks the browser's `clientDataJSON`: the ceremony, the challenge and the page's origin.
/// Other members (such as `tokenBinding`, which no current browser sends) are ignored.
fn check_client_data(
    client_data_json: &[u8],
    expected_type: &'static str,
    expected_challenge: &str,
    expected_origin: &str,
) -> Result<(), WebauthnError> {
    let data: serde_json::Value = serde_json::from_slice(client_data_json).map_err(|_| WebauthnError::ClientData)?;
    let text = |name: &str| {
        data.get(name)
            .and_then(serde_json::Value::as_str)
            .ok_or(WebauthnError::ClientData)
    };
    if text("type")? != expected_type {
        return Err(WebauthnError::WrongType {
            expected: expected_type,
        });
    }
    if !crate::same_bytes(text("challenge")?.as_bytes(), expected_challenge.as_bytes()) {
        return Err(WebauthnError::WrongChallenge);
    }
    let origin = text("origin")?;
    if origin != expected_origin {
        return Err(WebauthnError::WrongOrigin {
            origin: origin.to_owned(),
        });
    }
    // The hub's pages are never meant to run inside another site's frame.
    if data.get("crossOrigin").and_then(serde_json::Value::as_bool) == Some(true) {
        return Err(WebauthnError::CrossOrigin);
    }
    Ok(())
}

/// Checks authenticator data's fixed header: the RP ID hash and the user-present flag.
/// Returns the flags, the sign count and the bytes after the header.
fn read_authenticator_data<'a>(auth_data: &'a [u8], rp_id: &str) -> Result<(u8, u32, &'a [u8]), WebauthnError> {
    let Some((header, rest)) = auth_data.split_first_chunk::<AUTH_DATA_HEADER_BYTES>() else {
        return Err(WebauthnError::Malformed(
            "the authenticator data is shorter than 37 bytes",
        ));
    };
    if !crate::same_bytes(&header[..32], &Sha256::digest(rp_id.as_bytes())) {
        return Err(WebauthnError::WrongRelyingParty);
    }
    let flags = header[32];
    if flags & FLAG_USER_PRESENT == 0 {
        return Err(WebauthnError::UserNotPresent);
    }
    let sign_count = u32::from_be_bytes([header[33], header[34], header[35], header[36]]);
    Ok((flags, sign_count, rest))
}

/// Reads an ES256 COSE_Key (RFC 9053: kty 2 = EC2, alg -7, crv 1 = P-256, x at -2, y at
/// -3) into a SEC1 point, and checks the point is on the curve so that a bad key is refused
/// at registration rather than at every later sign-in.
fn es256_public_key(cose_key: &Value) -> Result<Vec<u8>, WebauthnError> {
    if !cose_key.is_map() {
        return Err(WebauthnError::Malformed("the public key is not a COSE key"));
    }
    let integer = |label| cose_key.get_int(label).and_then(Value::as_integer);
    if integer(3) != Some(i128::from(ES256)) {
        return Err(WebauthnError::UnsupportedAlgorithm);
    }
    if integer(1) != Some(2) || integer(-1) != Some(1) {
        return Err(WebauthnError::InvalidPublicKey);
    }
    let coordinate = |label| {
        cose_key
            .get_int(label)
            .and_then(Value::as_bytes)
            .filter(|b| b.len() == 32)
            .ok_or(WebauthnError::InvalidPublicKey)
    };
    let mut point = Vec::with_capacity(65);
    point.push(0x04);
    point.extend_from_slice(coordinate(-2)?);
    point.extend_from_slice(coordinate(-3)?);
    VerifyingKey::from_sec1_bytes(&point).map_err(|_| WebauthnError::InvalidPublicKey)?;
    Ok(point)
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::SigningKey;
    use p256::ecdsa::signature::Signer as _;

    const RP_ID: &str = "hub.example.org";
    const ORIGIN: &str = "https://hub.example.org";

    /// Just enough of a CBOR encoder to build what authenticators send.
    #[derive(Clone)]
    enum Cbor {
        Int(i64),
        Bytes(Vec<u8>),
        Text(&'static str),
        Array(Vec<Cbor>),
        Map(Vec<(Cbor, Cbor)>),
    }

    fn head(major: u8, argument: u64, out: &mut Vec<u8>) {
        let major = major << 5;
        match argument {
            0..=23 => out.push(major | argument as u8),
            24..=0xff => out.extend([major | 24, argument as u8]),
            0x100..=0xffff => {
                out.push(major | 25);
                out.extend((argument as u16).to_be_bytes());
            }
            _ => {
                out.push(major | 26);
                out.extend((argument as u32).to_be_bytes());
            }
        }
    }

    fn encode(item: &Cbor) -> Vec<u8> {
        let mut out = Vec::new();
        encode_into(item, &mut out);
        out
    }

    fn encode_into(item: &Cbor, out: &mut Vec<u8>) {
        match item {
            Cbor::Int(n) if *n >= 0 => head(0, *n as u64, out),
            Cbor::Int(n) => head(1, (-1 - *n) as u64, out),
            Cbor::Bytes(bytes) => {
                head(2, bytes.len() as u64, out);
                out.extend(bytes);
            }
            Cbor::Text(text) => {
                head(3, text.len() as u64, out);
                out.extend(text.as_bytes());
            }
            Cbor::Array(items) => {
                head(4, items.len() as u64, out);
                items.iter().for_each(|item| encode_into(item, out));
            }
            Cbor::Map(entries) => {
                head(5, entries.len() as u64, out);
                for (key, value) in entries {
                    encode_into(key, out);
                    encode_into(value, out);
                }
            }
        }
    }

    /// A software authenticator with one credential.
    struct Authenticator {
        key: SigningKey,
        credential_id: Vec<u8>,
    }

    impl Authenticator {
        fn new() -> Self {
            // Almost every 32 random bytes are a valid scalar; the loop covers the rest.
            let key = loop {
                if let Ok(key) = SigningKey::from_slice(&crate::random_bytes::<32>()) {
                    break key;
                }
            };
            Authenticator {
                key,
                credential_id: crate::random_bytes::<16>().to_vec(),
            }
        }

        fn public_key(&self) -> Vec<u8> {
            self.key.verifying_key().to_encoded_point(false).as_bytes().to_vec()
        }

        fn cose_key(&self, alg: i64) -> Cbor {
            let point = self.key.verifying_key().to_encoded_point(false);
            Cbor::Map(vec![
                (Cbor::Int(1), Cbor::Int(2)),
                (Cbor::Int(3), Cbor::Int(alg)),
                (Cbor::Int(-1), Cbor::Int(1)),
                (Cbor::Int(-2), Cbor::Bytes(point.x().unwrap().to_vec())),
                (Cbor::Int(-3), Cbor::Bytes(point.y().unwrap().to_vec())),
            ])
        }

        fn sign(&self, auth_data: &[u8], client_data: &[u8]) -> Vec<u8> {
            let mut signed = auth_data.to_vec();
            signed.extend(Sha256::digest(client_data));
            let signature: Signature = self.key.sign(&signed);
            signature.to_der().as_bytes().to_vec()
        }
    }

    fn client_data(kind: &str, challenge: &str, origin: &str) -> Vec<u8> {
        // Browsers write the members in this order; serde_json sorts them, which is as valid.
        json!({ "type": kind, "challenge": challenge, "origin": origin, "crossOrigin": false })
            .to_string()
            .into_bytes()
    }

    fn auth_data_header(rp_id: &str, flags: u8, sign_count: u32) -> Vec<u8> {
        let mut data = Sha256::digest(rp_id.as_bytes()).to_vec();
        data.push(flags);
        data.extend(sign_count.to_be_bytes());
        data
    }

    /// One registration as an authenticator and browser would send it; each field can be
    /// spoiled in turn.
    #[derive(Clone)]
    struct Registration {
        kind: &'static str,
        challenge: String,
        origin: &'static str,
        rp_id: &'static str,
        flags: u8,
        sign_count: u32,
        cose_key: Cbor,
        format: &'static str,
        statement: Option<Cbor>,
        after_key: Vec<u8>,
    }

    impl Registration {
        fn good(authenticator: &Authenticator, challenge: &str) -> Self {
            Registration {
                kind: "webauthn.create",
                challenge: challenge.to_owned(),
                origin: ORIGIN,
                rp_id: RP_ID,
                flags: FLAG_USER_PRESENT | 0x04 | FLAG_ATTESTED_CREDENTIAL,
                sign_count: 0,
                cose_key: authenticator.cose_key(ES256),
                format: "none",
                statement: Some(Cbor::Map(vec![])),
                after_key: vec![],
            }
        }

        fn auth_data(&self, authenticator: &Authenticator) -> Vec<u8> {
            let mut data = auth_data_header(self.rp_id, self.flags, self.sign_count);
            data.extend([0xad; 16]);
            data.extend((authenticator.credential_id.len() as u16).to_be_bytes());
            data.extend(&authenticator.credential_id);
            data.extend(encode(&self.cose_key));
            data.extend(&self.after_key);
            data
        }

        /// (clientDataJSON, attestationObject)
        fn build(&self, authenticator: &Authenticator) -> (Vec<u8>, Vec<u8>) {
            let mut object = vec![(Cbor::Text("fmt"), Cbor::Text(self.format))];
            if let Some(statement) = &self.statement {
                object.push((Cbor::Text("attStmt"), statement.clone()));
            }
            object.push((Cbor::Text("authData"), Cbor::Bytes(self.auth_data(authenticator))));
            (
                client_data(self.kind, &self.challenge, self.origin),
                encode(&Cbor::Map(object)),
            )
        }

        fn verify(&self, authenticator: &Authenticator, challenge: &str) -> Result<NewPasskey, WebauthnError> {
            let (client_data, object) = self.build(authenticator);
            verify_registration(RP_ID, ORIGIN, challenge, &client_data, &object)
        }
    }

    /// One sign-in, likewise.
    struct Assertion {
        kind: &'static str,
        challenge: String,
        origin: &'static str,
        rp_id: &'static str,
        flags: u8,
        sign_count: u32,
    }

    impl Assertion {
        fn good(challenge: &str, sign_count: u32) -> Self {
            Assertion {
                kind: "webauthn.get",
                challenge: challenge.to_owned(),
                origin: ORIGIN,
                rp_id: RP_ID,
                flags: FLAG_USER_PRESENT | 0x04,
                sign_count,
            }
        }

        /// (clientDataJSON, authenticatorData, signature)
        fn build(&self, authenticator: &Authenticator) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
            let client_data = client_data(self.kind, &self.challenge, self.origin);
            let auth_data = auth_data_header(self.rp_id, self.flags, self.sign_count);
            let signature = authenticator.sign(&auth_data, &client_data);
            (client_data, auth_data, signature)
        }

        fn verify(&self, authenticator: &Authenticator, challenge: &str, stored: u32) -> Result<u32, WebauthnError> {
            let (client_data, auth_data, signature) = self.build(authenticator);
            let key = authenticator.public_key();
            verify_assertion(
                RP_ID,
                ORIGIN,
                challenge,
                &key,
                stored,
                &client_data,
                &auth_data,
                &signature,
            )
        }
    }

    #[test]
    fn challenges_are_32_random_bytes() {
        let a = challenge();
        assert_eq!(a.len(), 43);
        assert_eq!(base64url_decode(&a).unwrap().len(), 32);
        assert_ne!(a, challenge());
    }

    #[test]
    fn base64url_is_strict() {
        assert_eq!(base64url_encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(base64url_decode("-_8"), Ok(vec![0xfb, 0xff]));
        for bad in ["-_8=", "+/8", "-_9", "a", "ab c"] {
            assert_eq!(base64url_decode(bad), Err(WebauthnError::Base64Url), "{bad}");
        }
    }

    #[test]
    fn creation_options_are_what_the_browser_needs() {
        let options = creation_options(
            RP_ID,
            "Tutti",
            &[1, 2, 3],
            "anne@example.org",
            "Anne Smith",
            "Y2g",
            &[vec![0xff], vec![0]],
        );
        assert_eq!(
            options,
            json!({
                "rp": { "id": "hub.example.org", "name": "Tutti" },
                "user": { "id": "AQID", "name": "anne@example.org", "displayName": "Anne Smith" },
                "challenge": "Y2g",
                "pubKeyCredParams": [{ "type": "public-key", "alg": -7 }],
                "timeout": 60000,
                "excludeCredentials": [{ "type": "public-key", "id": "_w" }, { "type": "public-key", "id": "AA" }],
                "authenticatorSelection": {
                    "residentKey": "preferred",
                    "requireResidentKey": false,
                    "userVerification": "preferred"
                },
                "attestation": "none"
            })
        );
    }

    #[test]
    fn request_options_are_what_the_browser_needs() {
        assert_eq!(
            request_options(RP_ID, "Y2g", &[vec![0xff]]),
            json!({
                "challenge": "Y2g",
                "rpId": "hub.example.org",
                "timeout": 60000,
                "userVerification": "preferred",
                "allowCredentials": [{ "type": "public-key", "id": "_w" }]
            })
        );
        assert_eq!(request_options(RP_ID, "Y2g", &[])["allowCredentials"], json!([]));
    }

    #[test]
    fn a_registration_with_no_attestation_is_accepted() {
        let authenticator = Authenticator::new();
        let challenge = challenge();
        let mut registration = Registration::good(&authenticator, &challenge);
        registration.sign_count = 3;
        let passkey = registration.verify(&authenticator, &challenge).unwrap();
        assert_eq!(
            passkey,
            NewPasskey {
                credential_id: authenticator.credential_id.clone(),
                public_key: authenticator.public_key(),
                sign_count: 3
            }
        );
        assert_eq!(passkey.public_key.len(), 65);
    }

    #[test]
    fn packed_attestation_is_accepted_without_being_checked() {
        let authenticator = Authenticator::new();
        let challenge = challenge();
        let mut registration = Registration::good(&authenticator, &challenge);
        registration.format = "packed";
        let (client_data, _) = registration.build(&authenticator);
        let signature = authenticator.sign(&registration.auth_data(&authenticator), &client_data);
        registration.statement = Some(Cbor::Map(vec![
            (Cbor::Text("alg"), Cbor::Int(ES256)),
            (Cbor::Text("sig"), Cbor::Bytes(signature)),
        ]));
        assert!(registration.verify(&authenticator, &challenge).is_ok());
        // With a certificate chain too: it is not examined.
        registration.statement = Some(Cbor::Map(vec![
            (Cbor::Text("alg"), Cbor::Int(ES256)),
            (Cbor::Text("sig"), Cbor::Bytes(vec![0x30, 0x00])),
            (Cbor::Text("x5c"), Cbor::Array(vec![Cbor::Bytes(vec![0x30, 0x82])])),
        ]));
        assert!(registration.verify(&authenticator, &challenge).is_ok());
    }

    #[test]
    fn extensions_after_the_key_are_allowed_when_flagged() {
        let authenticator = Authenticator::new();
        let challenge = challenge();
        let mut registration = Registration::good(&authenticator, &challenge);
        registration.after_key = encode(&Cbor::Map(vec![(Cbor::Text("credProtect"), Cbor::Int(1))]));
        assert_eq!(
            registration.verify(&authenticator, &challenge),
            Err(WebauthnError::Malformed("there are bytes after the public key"))
        );
        registration.flags |= FLAG_EXTENSIONS;
        assert!(registration.verify(&authenticator, &challenge).is_ok());
        registration.after_key = encode(&Cbor::Int(1));
        assert_eq!(
            registration.verify(&authenticator, &challenge),
            Err(WebauthnError::Malformed("the extensions are not a map"))
        );
    }

    #[test]
    fn spoilt_registrations_are_refused_with_the_reason() {
        let authenticator = Authenticator::new();
        let challenge = challenge();
        let good = Registration::good(&authenticator, &challenge);
        let spoilt = |change: &dyn Fn(&mut Registration)| {
            let mut registration = good.clone();
            change(&mut registration);
            registration.verify(&authenticator, &challenge)
        };
        assert_eq!(
            spoilt(&|r| r.origin = "https://hub.example.org.evil.example"),
            Err(WebauthnError::WrongOrigin {
                origin: "https://hub.example.org.evil.example".into()
            })
        );
        assert_eq!(
            spoilt(&|r| r.origin = "http://hub.example.org")
                .unwrap_err()
                .to_string(),
            "The passkey was used on http://hub.example.org, not on this site"
        );
        assert_eq!(
            spoilt(&|r| r.challenge = super::challenge()),
            Err(WebauthnError::WrongChallenge)
        );
        assert_eq!(
            spoilt(&|r| r.kind = "webauthn.get"),
            Err(WebauthnError::WrongType {
                expected: "webauthn.create"
            })
        );
        assert_eq!(
            spoilt(&|r| r.rp_id = "example.org"),
            Err(WebauthnError::WrongRelyingParty)
        );
        assert_eq!(
            spoilt(&|r| r.flags &= !FLAG_USER_PRESENT),
            Err(WebauthnError::UserNotPresent)
        );
        assert_eq!(
            spoilt(&|r| r.flags &= !FLAG_ATTESTED_CREDENTIAL),
            Err(WebauthnError::NoCredential)
        );
        assert_eq!(
            spoilt(&|r| r.cose_key = authenticator.cose_key(-257)),
            Err(WebauthnError::UnsupportedAlgorithm)
        );
        assert_eq!(
            spoilt(&|r| r.cose_key = authenticator.cose_key(-8)),
            Err(WebauthnError::UnsupportedAlgorithm)
        );
        assert_eq!(
            spoilt(&|r| r.format = "tpm"),
            Err(WebauthnError::UnsupportedAttestation("tpm".into()))
        );
        assert_eq!(
            spoilt(&|r| r.statement = None),
            Err(WebauthnError::Malformed("no attestation statement"))
        );
        assert_eq!(
            spoilt(&|r| r.statement = Some(Cbor::Map(vec![(Cbor::Text("sig"), Cbor::Bytes(vec![]))]))),
            Err(WebauthnError::Malformed("a \"none\" attestation carries a statement"))
        );
    }

    #[test]
    fn keys_that_are_not_p256_points_are_refused() {
        let authenticator = Authenticator::new();
        let challenge = challenge();
        let good = Registration::good(&authenticator, &challenge);
        let with_key = |entries: Vec<(Cbor, Cbor)>| {
            let mut registration = good.clone();
            registration.cose_key = Cbor::Map(entries);
            registration.verify(&authenticator, &challenge)
        };
        let Cbor::Map(entries) = authenticator.cose_key(ES256) else {
            unreachable!()
        };
        let replaced = |label: i64, value: Cbor| {
            let mut entries = entries.clone();
            entries
                .iter_mut()
                .find(|(key, _)| matches!(key, Cbor::Int(n) if *n == label))
                .unwrap()
                .1 = value;
            with_key(entries)
        };
        assert_eq!(replaced(1, Cbor::Int(3)), Err(WebauthnError::InvalidPublicKey)); // RSA
        assert_eq!(replaced(-1, Cbor::Int(2)), Err(WebauthnError::InvalidPublicKey)); // P-384
        assert_eq!(
            replaced(-2, Cbor::Bytes(vec![1; 31])),
            Err(WebauthnError::InvalidPublicKey)
        );
        assert_eq!(replaced(-3, Cbor::Text("y")), Err(WebauthnError::InvalidPublicKey));
        // A point off the curve.
        assert_eq!(
            replaced(-3, Cbor::Bytes(vec![1; 32])),
            Err(WebauthnError::InvalidPublicKey)
        );
        assert_eq!(
            with_key(vec![(Cbor::Int(3), Cbor::Int(ES256))]),
            Err(WebauthnError::InvalidPublicKey)
        );
        let mut registration = good.clone();
        registration.cose_key = Cbor::Bytes(vec![4; 65]);
        assert_eq!(
            registration.verify(&authenticator, &challenge),
            Err(WebauthnError::Malformed("the public key is not a COSE key"))
        );
    }

    #[test]
    fn unreadable_registrations_are_refused() {
        let authenticator = Authenticator::new();
        let challenge = challenge();
        let (client_data, object) = Registration::good(&authenticator, &challenge).build(&authenticator);
        let check =
            |client_data: &[u8], object: &[u8]| verify_registration(RP_ID, ORIGIN, &challenge, client_data, object);
        assert_eq!(check(b"not json", &object), Err(WebauthnError::ClientData));
        assert_eq!(check(b"[]", &object), Err(WebauthnError::ClientData));
        assert_eq!(
            check(br#"{"type":"webauthn.create"}"#, &object),
            Err(WebauthnError::ClientData)
        );
        let framed = String::from_utf8(client_data.clone())
            .unwrap()
            .replace("\"crossOrigin\":false", "\"crossOrigin\":true");
        assert_eq!(check(framed.as_bytes(), &object), Err(WebauthnError::CrossOrigin));
        assert_eq!(
            check(&client_data, &object[..object.len() - 1]),
            Err(WebauthnError::Cbor(CborError::Truncated))
        );
        assert_eq!(check(&client_data, &[]), Err(WebauthnError::Cbor(CborError::Truncated)));
        let short_auth_data = encode(&Cbor::Map(vec![
            (Cbor::Text("fmt"), Cbor::Text("none")),
            (Cbor::Text("attStmt"), Cbor::Map(vec![])),
            (Cbor::Text("authData"), Cbor::Bytes(vec![0; 36])),
        ]));
        assert_eq!(
            check(&client_data, &short_auth_data),
            Err(WebauthnError::Malformed(
                "the authenticator data is shorter than 37 bytes"
            ))
        );
        let mut cut = auth_data_header(RP_ID, FLAG_USER_PRESENT | FLAG_ATTESTED_CREDENTIAL, 0);
        cut.extend([0; 17]);
        let cut_object = encode(&Cbor::Map(vec![
            (Cbor::Text("fmt"), Cbor::Text("none")),
            (Cbor::Text("attStmt"), Cbor::Map(vec![])),
            (Cbor::Text("authData"), Cbor::Bytes(cut.clone())),
        ]));
        assert_eq!(
            check(&client_data, &cut_object),
            Err(WebauthnError::Malformed("the new credential's data is cut short"))
        );
        cut.truncate(AUTH_DATA_HEADER_BYTES + 16);
        cut.extend([0x04, 0x00]); // a 1024-byte ID
        cut.extend([7; 1024]);
        let long_id = encode(&Cbor::Map(vec![
            (Cbor::Text("fmt"), Cbor::Text("none")),
            (Cbor::Text("attStmt"), Cbor::Map(vec![])),
            (Cbor::Text("authData"), Cbor::Bytes(cut)),
        ]));
        assert_eq!(
            check(&client_data, &long_id),
            Err(WebauthnError::Malformed("the credential ID is longer than 1023 bytes"))
        );
    }

    #[test]
    fn a_sign_in_is_accepted_and_returns_the_new_count() {
        let authenticator = Authenticator::new();
        let challenge = challenge();
        assert_eq!(
            Assertion::good(&challenge, 8).verify(&authenticator, &challenge, 7),
            Ok(8)
        );
        assert_eq!(
            Assertion::good(&challenge, 1000).verify(&authenticator, &challenge, 7),
            Ok(1000)
        );
        assert_eq!(
            Assertion::good(&challenge, 1).verify(&authenticator, &challenge, 0),
            Ok(1)
        );
        // Synced passkeys never count.
        assert_eq!(
            Assertion::good(&challenge, 0).verify(&authenticator, &challenge, 0),
            Ok(0)
        );
    }

    #[test]
    fn a_registered_passkey_signs_in() {
        let authenticator = Authenticator::new();
        let challenge = challenge();
        let passkey = Registration::good(&authenticator, &challenge)
            .verify(&authenticator, &challenge)
            .unwrap();
        let sign_in = self::challenge();
        let (client_data, auth_data, signature) = Assertion::good(&sign_in, 1).build(&authenticator);
        assert_eq!(
            verify_assertion(
                RP_ID,
                ORIGIN,
                &sign_in,
                &passkey.public_key,
                passkey.sign_count,
                &client_data,
                &auth_data,
                &signature
            ),
            Ok(1)
        );
    }

    #[test]
    fn spoilt_sign_ins_are_refused_with_the_reason() {
        let authenticator = Authenticator::new();
        let challenge = challenge();
        let spoilt = |change: &dyn Fn(&mut Assertion)| {
            let mut assertion = Assertion::good(&challenge, 5);
            change(&mut assertion);
            assertion.verify(&authenticator, &challenge, 4)
        };
        assert_eq!(
            spoilt(&|a| a.origin = "https://evil.example"),
            Err(WebauthnError::WrongOrigin {
                origin: "https://evil.example".into()
            })
        );
        assert_eq!(
            spoilt(&|a| a.challenge = super::challenge()),
            Err(WebauthnError::WrongChallenge)
        );
        assert_eq!(
            spoilt(&|a| a.kind = "webauthn.create"),
            Err(WebauthnError::WrongType {
                expected: "webauthn.get"
            })
        );
        assert_eq!(
            spoilt(&|a| a.rp_id = "evil.example"),
            Err(WebauthnError::WrongRelyingParty)
        );
        assert_eq!(spoilt(&|a| a.flags = 0x04), Err(WebauthnError::UserNotPresent));
        assert_eq!(
            spoilt(&|a| a.sign_count = 3),
            Err(WebauthnError::PossibleClone { stored: 4, received: 3 })
        );
        assert_eq!(
            spoilt(&|a| a.sign_count = 4),
            Err(WebauthnError::PossibleClone { stored: 4, received: 4 })
        );
        assert_eq!(
            spoilt(&|a| a.sign_count = 0),
            Err(WebauthnError::PossibleClone { stored: 4, received: 0 })
        );
    }

    #[test]
    fn signatures_must_be_the_passkeys_own_over_exactly_what_was_sent() {
        let authenticator = Authenticator::new();
        let impostor = Authenticator::new();
        let challenge = challenge();
        let key = authenticator.public_key();
        let (client_data, auth_data, signature) = Assertion::good(&challenge, 5).build(&authenticator);
        let check = |client_data: &[u8], auth_data: &[u8], signature: &[u8]| {
            verify_assertion(RP_ID, ORIGIN, &challenge, &key, 4, client_data, auth_data, signature)
        };
        assert_eq!(check(&client_data, &auth_data, &signature), Ok(5));

        let (_, _, other_signature) = Assertion::good(&challenge, 5).build(&impostor);
        assert_eq!(
            check(&client_data, &auth_data, &other_signature),
            Err(WebauthnError::BadSignature)
        );
        // The count raised after signing, as a replaying attacker would.
        let mut raised = auth_data.clone();
        raised[36] = 9;
        assert_eq!(
            check(&client_data, &raised, &signature),
            Err(WebauthnError::BadSignature)
        );
        // Client data changed after signing (still the same challenge and origin).
        let reworded = String::from_utf8(client_data.clone())
            .unwrap()
            .replace("false", "false ");
        assert_eq!(
            check(reworded.as_bytes(), &auth_data, &signature),
            Err(WebauthnError::BadSignature)
        );
        assert_eq!(
            check(&client_data, &auth_data, &signature[..signature.len() - 1]),
            Err(WebauthnError::BadSignature)
        );
        assert_eq!(check(&client_data, &auth_data, &[]), Err(WebauthnError::BadSignature));
        let mut flipped = signature.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert_eq!(
            check(&client_data, &auth_data, &flipped),
            Err(WebauthnError::BadSignature)
        );
        // A stored key that is not a point.
        let broken_key = [4u8; 65];
        assert_eq!(
            verify_assertion(
                RP_ID,
                ORIGIN,
                &challenge,
                &broken_key,
                4,
                &client_data,
                &auth_data,
                &signature
            ),
            Err(WebauthnError::InvalidPublicKey)
        );
    }

    #[test]
    fn errors_read_as_sentences() {
        let errors = [
            WebauthnError::WrongType {
                expected: "webauthn.get",
            },
            WebauthnError::Cbor(CborError::Truncated),
            WebauthnError::PossibleClone { stored: 4, received: 3 },
            WebauthnError::UserNotPresent,
        ];
        for error in errors {
            let text = error.to_string();
            assert!(text.starts_with(char::is_uppercase), "{text}");
            assert!(text.split(' ').count() >= 5, "{text}");
        }
        assert_eq!(
            WebauthnError::PossibleClone { stored: 4, received: 3 }.to_string(),
            "The authenticator's use counter went back from 4 to 3, so it may have been copied; this sign-in is refused"
        );
    }

    #[test]
    fn mangled_registrations_and_sign_ins_never_panic() {
        let authenticator = Authenticator::new();
        let challenge = challenge();
        let (client_data, object) = Registration::good(&authenticator, &challenge).build(&authenticator);
        let (_, auth_data, signature) = Assertion::good(&challenge, 5).build(&authenticator);
        let key = authenticator.public_key();
        let mut state = 0x0123_4567_89ab_cdefu64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..3000 {
            let mut mangled = object.clone();
            for _ in 0..1 + next() % 3 {
                let at = next() as usize % mangled.len();
                mangled[at] = next() as u8;
            }
            mangled.truncate(next() as usize % (object.len() + 1) + object.len() / 2);
            let _ = verify_registration(RP_ID, ORIGIN, &challenge, &client_data, &mangled);

            let mut mangled = auth_data.clone();
            let at = next() as usize % mangled.len();
            mangled[at] = next() as u8;
            mangled.truncate(next() as usize % (auth_data.len() + 1));
            let mut bad_signature = signature.clone();
            let at = next() as usize % bad_signature.len();
            bad_signature[at] = next() as u8;
            let _ = verify_assertion(
                RP_ID,
                ORIGIN,
                &challenge,
                &key,
                0,
                &client_data,
                &mangled,
                &bad_signature,
            );
        }
    }
}
