//! A CBOR (RFC 8949) reader for the subset passkeys use: integers, byte and text strings,
//! arrays, maps, booleans and null, all of definite length.
//!
//! Written here rather than taken from a general CBOR crate because the subset is small and
//! every byte it reads comes from a stranger's browser: it returns an error, never panics, on
//! any input; it nests at most [`MAX_DEPTH`] deep so recursion cannot exhaust the stack; and
//! it checks a length against the bytes actually left before reserving memory for it.

use thiserror::Error;

/// How deep arrays and maps may nest. A COSE key inside an attestation object is three deep.
pub const MAX_DEPTH: usize = 16;

/// How many entries a map may have. The largest map passkeys send (an attestation statement
/// or a COSE key) has five; the limit keeps the duplicate-key check cheap.
pub const MAX_MAP_ENTRIES: u64 = 64;

/// One decoded CBOR item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Major types 0 and 1: every CBOR integer, from -2^64 to 2^64 - 1, fits an i128.
    Integer(i128),
    Bytes(Vec<u8>),
    Text(String),
    Array(Vec<Value>),
    /// Entries in the order they were sent; keys are unique.
    Map(Vec<(Value, Value)>),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum CborError {
    #[error("the data ends in the middle of an item")]
    Truncated,
    #[error("the data uses CBOR that passkeys do not need (floats, tags or indefinite lengths)")]
    Unsupported,
    #[error("items are nested more than {MAX_DEPTH} deep")]
    TooDeep,
    #[error("a map has more than {MAX_MAP_ENTRIES} entries")]
    TooManyEntries,
    #[error("a map has the same key twice")]
    DuplicateKey,
    #[error("a text string is not valid UTF-8")]
    InvalidText,
    #[error("there are bytes after the end of the item")]
    TrailingBytes,
}

/// Decodes exactly one item that must fill `bytes`.
pub fn decode(bytes: &[u8]) -> Result<Value, CborError> {
    let (value, used) = decode_prefix(bytes)?;
    if used == bytes.len() {
        Ok(value)
    } else {
        Err(CborError::TrailingBytes)
    }
}

/// Decodes one item from the start of `bytes` and says how many bytes it took. Authenticator
/// data puts a COSE key with no length in front of it, followed by optional extensions, so
/// the caller needs to know where the key ended.
pub fn decode_prefix(bytes: &[u8]) -> Result<(Value, usize), CborError> {
    let mut reader = Reader { bytes, position: 0 };
    let value = reader.item(0)?;
    Ok((value, reader.position))
}

impl Value {
    /// The value stored under `key`, if this is a map holding it.
    pub fn get(&self, key: &Value) -> Option<&Value> {
        match self {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The value under an integer key, as COSE keys use.
    pub fn get_int(&self, key: i128) -> Option<&Value> {
        self.get(&Value::Integer(key))
    }

    /// The value under a text key, as attestation objects use.
    pub fn get_text(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| matches!(k, Value::Text(t) if t == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_integer(&self) -> Option<i128> {
        match self {
            Value::Integer(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self, Value::Map(_))
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.position
    }

    fn take(&mut self, count: u64) -> Result<&'a [u8], CborError> {
        let count = usize::try_from(count)
            .ok()
            .filter(|&n| n <= self.remaining())
            .ok_or(CborError::Truncated)?;
        let taken = &self.bytes[self.position..self.position + count];
        self.position += count;
        Ok(taken)
    }

    fn take_array<const N: usize>(&mut self) -> Result<[u8; N], CborError> {
        let mut array = [0u8; N];
        array.copy_from_slice(self.take(N as u64)?);
        Ok(array)
    }

    /// Reads an item's first byte and its argument: (major type, additional info, argument).
    fn head(&mut self) -> Result<(u8, u8, u64), CborError> {
        let [initial] = self.take_array::<1>()?;
        let info = initial & 0x1f;
        let argument = match info {
            0..=23 => u64::from(info),
            24 => u64::from(self.take_array::<1>()?[0]),
            25 => u64::from(u16::from_be_bytes(self.take_array()?)),
            26 => u64::from(u32::from_be_bytes(self.take_array()?)),
            27 => u64::from_be_bytes(self.take_array()?),
            // 28 to 30 are reserved; 31 starts an indefinite length, which CTAP2's canonical
            // form never uses.
            _ => return Err(CborError::Unsupported),
        };
        Ok((initial >> 5, info, argument))
    }

    /// Each item takes at least one byte, so a count greater than the bytes left cannot be
    /// honest; refusing it before `with_capacity` stops five bytes asking for gigabytes.
    fn room_for(&self, items: u64) -> Result<usize, CborError> {
        usize::try_from(items)
            .ok()
            .filter(|&n| n <= self.remaining())
            .ok_or(CborError::Truncated)
    }

    fn item(&mut self, depth: usize) -> Result<Value, CborError> {
        if depth > MAX_DEPTH {
            return Err(CborError::TooDeep);
        }
        let (major, info, argument) = self.head()?;
        match major {
            0 => Ok(Value::Integer(i128::from(argument))),
            1 => Ok(Value::Integer(-1 - i128::from(argument))),
            2 => Ok(Value::Bytes(self.take(argument)?.to_vec())),
            3 => {
                let text = std::str::from_utf8(self.take(argument)?).map_err(|_| CborError::InvalidText)?;
                Ok(Value::Text(text.to_owned()))
            }
            4 => {
                let count = self.room_for(argument)?;
                let mut items = Vec::with_capacity(count);
                for _ in 0..count {
                    items.push(self.item(depth + 1)?);
                }
                Ok(Value::Array(items))
            }
            5 => {
                if argument > MAX_MAP_ENTRIES {
                    return Err(CborError::TooManyEntries);
                }
                let count = self.room_for(argument * 2)? / 2;
                let mut entries: Vec<(Value, Value)> = Vec::with_capacity(count);
                for _ in 0..count {
                    let key = self.item(depth + 1)?;
                    // Two readers of the same map must not see different values for a key,
                    // so a repeated key is an error rather than first-wins or last-wins.
                    if entries.iter().any(|(seen, _)| *seen == key) {
                        return Err(CborError::DuplicateKey);
                    }
                    let value = self.item(depth + 1)?;
                    entries.push((key, value));
                }
                Ok(Value::Map(entries))
            }
            // Only the one-byte simple values; info 24 to 27 here are a further simple value or
            // floats, whose argument could otherwise be mistaken for 20 to 22.
            7 if info < 24 => match argument {
                20 => Ok(Value::Bool(false)),
                21 => Ok(Value::Bool(true)),
                22 => Ok(Value::Null),
                _ => Err(CborError::Unsupported),
            },
            // Tags (6), floats and other simple values.
            _ => Err(CborError::Unsupported),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    fn int(n: i128) -> Value {
        Value::Integer(n)
    }

    #[test]
    fn integers_from_rfc_8949_appendix_a() {
        let cases: [(&str, i128); 13] = [
            ("00", 0),
            ("01", 1),
            ("17", 23),
            ("1818", 24),
            ("1864", 100),
            ("1903e8", 1000),
            ("1a000f4240", 1_000_000),
            ("1b000000e8d4a51000", 1_000_000_000_000),
            ("1bffffffffffffffff", 18_446_744_073_709_551_615),
            ("3bffffffffffffffff", -18_446_744_073_709_551_616),
            ("20", -1),
            ("29", -10),
            ("3903e7", -1000),
        ];
        for (encoded, expected) in cases {
            assert_eq!(decode(&hex(encoded)), Ok(int(expected)), "{encoded}");
        }
    }

    #[test]
    fn strings_arrays_maps_and_simple_values() {
        assert_eq!(decode(&hex("40")), Ok(Value::Bytes(vec![])));
        assert_eq!(decode(&hex("4401020304")), Ok(Value::Bytes(vec![1, 2, 3, 4])));
        assert_eq!(decode(&hex("6449455446")), Ok(Value::Text("IETF".into())));
        assert_eq!(decode(&hex("62c3bc")), Ok(Value::Text("ü".into())));
        assert_eq!(decode(&hex("83010203")), Ok(Value::Array(vec![int(1), int(2), int(3)])));
        assert_eq!(
            decode(&hex("8301820203820405")),
            Ok(Value::Array(vec![
                int(1),
                Value::Array(vec![int(2), int(3)]),
                Value::Array(vec![int(4), int(5)])
            ]))
        );
        let map = decode(&hex("a201020304")).unwrap();
        assert_eq!(map, Value::Map(vec![(int(1), int(2)), (int(3), int(4))]));
        assert_eq!(map.get_int(3), Some(&int(4)));
        assert_eq!(map.get_int(5), None);
        let map = decode(&hex("a26161016162820203")).unwrap();
        assert_eq!(map.get_text("a"), Some(&int(1)));
        assert_eq!(map.get_text("b"), Some(&Value::Array(vec![int(2), int(3)])));
        assert_eq!(decode(&hex("f4")), Ok(Value::Bool(false)));
        assert_eq!(decode(&hex("f5")), Ok(Value::Bool(true)));
        assert_eq!(decode(&hex("f6")), Ok(Value::Null));
    }

    #[test]
    fn what_passkeys_never_send_is_refused() {
        // float16 1.0, float64 with an argument of 20, undefined, a tag, indefinite lengths
        for encoded in [
            "f93c00",
            "fb0000000000000014",
            "f7",
            "c11a514b67b0",
            "5f42010243030405ff",
            "9fff",
            "bfff",
        ] {
            assert_eq!(decode(&hex(encoded)), Err(CborError::Unsupported), "{encoded}");
        }
        assert_eq!(decode(&hex("62c328")), Err(CborError::InvalidText));
        assert_eq!(decode(&hex("a201020103")), Err(CborError::DuplicateKey));
        assert_eq!(decode(&hex("0000")), Err(CborError::TrailingBytes));
        assert_eq!(decode_prefix(&hex("0000")), Ok((int(0), 1)));
    }

    #[test]
    fn every_truncation_of_a_valid_item_is_an_error() {
        let whole = hex("a3636b7479026361616c674401020304636d6170a2011903e8206449455446");
        assert!(decode(&whole).is_ok());
        for end in 0..whole.len() {
            assert_eq!(decode(&whole[..end]), Err(CborError::Truncated), "cut at {end}");
        }
    }

    #[test]
    fn lengths_larger_than_the_input_allocate_nothing() {
        // An eight-byte length of 2^64 - 1 for a byte string, an array and a map.
        assert_eq!(decode(&hex("5bffffffffffffffff00")), Err(CborError::Truncated));
        assert_eq!(decode(&hex("9bffffffffffffffff00")), Err(CborError::Truncated));
        assert_eq!(decode(&hex("bbffffffffffffffff00")), Err(CborError::TooManyEntries));
        assert_eq!(decode(&hex("b8410000")), Err(CborError::TooManyEntries));
        assert_eq!(decode(&hex("9a7fffffff")), Err(CborError::Truncated));
    }

    #[test]
    fn deep_nesting_is_refused_without_exhausting_the_stack() {
        let mut nested = vec![0x81u8; 100_000];
        nested.push(0x00);
        assert_eq!(decode(&nested), Err(CborError::TooDeep));
        let mut maps = [0xa1u8, 0x00].repeat(50_000);
        maps.push(0x00);
        assert_eq!(decode(&maps), Err(CborError::TooDeep));
        let mut just_enough = vec![0x81u8; MAX_DEPTH];
        just_enough.push(0x00);
        assert!(decode(&just_enough).is_ok());
    }

    /// A fixed-seed xorshift, so a failure here can be reproduced.
    struct Noise(u64);

    impl Noise {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn bytes(&mut self, len: usize) -> Vec<u8> {
            (0..len).map(|_| self.next() as u8).collect()
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut noise = Noise(0x5eed_cafe_f00d_d00d);
        for round in 0..200_000 {
            let len = (noise.next() % 64) as usize;
            let mut input = noise.bytes(len);
            // Bias some inputs towards containers so that nesting paths are exercised too.
            if round % 3 == 0 && !input.is_empty() {
                input[0] = 0x80 | (input[0] & 0x3f);
            }
            let _ = decode(&input);
            let _ = decode_prefix(&input);
        }
    }

    #[test]
    fn mutations_of_a_valid_item_never_panic() {
        let valid = hex("a3636b7479026361616c674401020304636d6170a2011903e8206449455446");
        let mut noise = Noise(42);
        for _ in 0..100_000 {
            let mut input = valid.clone();
            for _ in 0..1 + noise.next() % 4 {
                let at = (noise.next() as usize) % input.len();
                input[at] = noise.next() as u8;
            }
            let _ = decode(&input);
        }
    }
}
