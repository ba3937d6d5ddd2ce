//! Validation of UK formats for forms and imports: postcodes, phone numbers, email, dates, yes/no, URNs, passwords.
//!
//! Each reader turns text into a checked value ("parse, don't validate"), normalising what a
//! person typed. Every error's message is written for a parent to read next to a field.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// Why a value typed into a form or a file was not accepted. The `Display` text is the
/// message to show beside the field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    /// Not a UK postcode.
    #[error("Enter a postcode like SW1A 1AA")]
    Postcode,
    /// Not a UK phone number.
    #[error("Enter a UK phone number like 01632 960 123 or 07700 900123")]
    Phone,
    /// Not an email address.
    #[error("Enter an email address like name@example.com")]
    Email,
    /// Not a date in either accepted format, or not a real date.
    #[error("Enter a real date like 31/08/2019 or 2019-08-31")]
    Date,
    /// Not one of the yes/no words.
    #[error("Enter yes or no")]
    YesNo,
    /// Not a DfE school URN.
    #[error("Enter the school's URN: 6 digits, like 114250")]
    Urn,
    /// A password under 8 characters.
    #[error("Your password must be at least 8 characters long")]
    PasswordTooShort,
    /// A password over 128 characters.
    #[error("Your password must be 128 characters or fewer")]
    PasswordTooLong,
    /// A password on the list of commonly used passwords.
    #[error("This password is too common and easy to guess. Choose a different one")]
    PasswordTooCommon,
}

/// A value that is not one of a fixed list of words. Says which words are allowed:
/// "Enter one of: nursery, primary, secondary, special or all-through".
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("Enter one of: {}", list_words(self.allowed))]
pub struct ChoiceError {
    /// The words that are accepted.
    pub allowed: &'static [&'static str],
}

fn list_words(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// How a typed choice is compared: lower case, with spaces, `_` and `-` ignored.
#[doc(hidden)]
pub fn choice_key(text: &str) -> String {
    text.trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Postcodes

/// A UK postcode in its standard written form: upper case, one space before the last three
/// characters ("DH1 3LE"). Serialised as that text.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Postcode(String);

impl Postcode {
    /// Reads a postcode however it was typed ("dh1 3le", "DH13LE", " dh1  3le ") and checks
    /// its shape: an outward code A9, A99, AA9, AA99, A9A or AA9A, then an inward code 9AA.
    /// "GIR 0AA" (Girobank) is accepted too. This checks the shape, not that the postcode exists.
    pub fn parse(text: &str) -> Result<Postcode, ValidationError> {
        let compact: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if !compact.is_ascii() || compact.len() < 5 || compact.len() > 7 {
            return Err(ValidationError::Postcode);
        }
        let (outward, inward) = compact.split_at(compact.len() - 3);
        if compact == "GIR0AA" || (outward_shape_ok(outward) && inward_shape_ok(inward)) {
            Ok(Postcode(format!("{outward} {inward}")))
        } else {
            Err(ValidationError::Postcode)
        }
    }

    /// The postcode as written: "DH1 3LE".
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The outward code (area and district), "DH1" of "DH1 3LE".
    pub fn outward(&self) -> &str {
        self.0.split(' ').next().unwrap_or("")
    }
}

fn outward_shape_ok(outward: &str) -> bool {
    // A = letter, 9 = digit.
    let shape: String = outward
        .chars()
        .map(|c| if c.is_ascii_digit() { '9' } else { 'A' })
        .collect();
    let letters_ok = outward.chars().all(|c| c.is_ascii_alphanumeric());
    letters_ok && matches!(shape.as_str(), "A9" | "A99" | "AA9" | "AA99" | "A9A" | "AA9A")
}

fn inward_shape_ok(inward: &str) -> bool {
    let b = inward.as_bytes();
    // The inward letters never use C, I, K, M, O or V.
    let unit_letter = |c: u8| c.is_ascii_uppercase() && !b"CIKMOV".contains(&c);
    b.len() == 3 && b[0].is_ascii_digit() && unit_letter(b[1]) && unit_letter(b[2])
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Postcode {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Postcode::parse(s)
    }
}

impl TryFrom<String> for Postcode {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Postcode::parse(&value)
    }
}

impl From<Postcode> for String {
    fn from(value: Postcode) -> String {
        value.0
    }
}

// ---------------------------------------------------------------------------------------------
// Phone numbers

/// What sort of UK number a [`PhoneNumber`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneKind {
    /// 07 numbers (mobiles; 070 personal and 076 pagers are not accepted).
    Mobile,
    /// 01 and 02 geographic numbers.
    Landline,
    /// 03 and 08 non-geographic numbers (for example a council's 03 line).
    NonGeographic,
}

/// A UK phone number, held as the national digits starting with 0 ("01913834000").
/// Serialised as that digit string; [`PhoneNumber::national`] spaces it for people and
/// [`PhoneNumber::international`] gives "+44…" for SMS gateways.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Reads a UK number typed with a `0`, `+44`, `0044` or `+44 (0)` prefix, with spaces,
    /// hyphens, dots or brackets anywhere: "0191 383 4000", "+44 7700 900123", "07700-900-123".
    pub fn parse(text: &str) -> Result<PhoneNumber, ValidationError> {
        let trimmed = text.trim();
        let mut digits = String::with_capacity(trimmed.len());
        for (i, c) in trimmed.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if i == 0 => digits.push('+'),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return Err(ValidationError::Phone),
            }
        }
        let national_rest = if let Some(rest) = digits.strip_prefix("+44") {
            rest.strip_prefix('0').unwrap_or(rest) // "+44 (0)191 ..."
        } else if let Some(rest) = digits.strip_prefix("0044") {
            rest.strip_prefix('0').unwrap_or(rest)
        } else if let Some(rest) = digits.strip_prefix('0') {
            rest
        } else {
            return Err(ValidationError::Phone);
        };
        let national = format!("0{national_rest}");
        if phone_kind(&national).is_some() {
            Ok(PhoneNumber(national))
        } else {
            Err(ValidationError::Phone)
        }
    }

    /// The digits starting with 0: "01913834000".
    pub fn digits(&self) -> &str {
        &self.0
    }

    /// Mobile, landline or non-geographic.
    pub fn kind(&self) -> PhoneKind {
        phone_kind(&self.0).unwrap_or(PhoneKind::Landline)
    }

    /// Written the way UK numbers are usually printed: "0191 383 4000", "020 7946 0000",
    /// "07700 900123", "01388 123456", "0300 123 4567".
    pub fn national(&self) -> String {
        let d = &self.0;
        let groups: &[usize] = if d.len() != 11 {
            &[5, 4] // ten-digit numbers like 01xxx xxxxx (short areas)
        } else if d.starts_with("02") {
            &[3, 4, 4]
        } else if d.starts_with("011")
            || (d.starts_with("01") && d.as_bytes()[3] == b'1')
            || d.starts_with("03")
            || d.starts_with("08")
        {
            // 0191 xxx xxxx, 0114 xxx xxxx, 0300 xxx xxxx, 0800 xxx xxxx
            &[4, 3, 4]
        } else {
            &[5, 6]
        };
        let mut out = String::with_capacity(d.len() + 2);
        let mut start = 0;
        for &len in groups {
            if start >= d.len() {
                break;
            }
            if start > 0 {
                out.push(' ');
            }
            let end = (start + len).min(d.len());
            out.push_str(&d[start..end]);
            start = end;
        }
        if start < d.len() {
            out.push_str(&d[start..]);
        }
        out
    }

    /// E.164 form without spaces: "+441913834000".
    pub fn international(&self) -> String {
        format!("+44{}", &self.0[1..])
    }
}

fn phone_kind(national: &str) -> Option<PhoneKind> {
    let len = national.len();
    if !national.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match national.get(..2)? {
        // 07 mobiles: 075xx, 077xx, 078xx, 079xx and 07[1-4]; 070 and 076 are not mobiles.
        "07" if len == 11 && !national.starts_with("070") && !national.starts_with("076") => Some(PhoneKind::Mobile),
        // Most geographic numbers have 11 digits; a few areas still have 10.
        "01" if len == 11 || len == 10 => Some(PhoneKind::Landline),
        "02" if len == 11 => Some(PhoneKind::Landline),
        "03" if len == 11 => Some(PhoneKind::NonGeographic),
        "08" if len == 11 || len == 10 => Some(PhoneKind::NonGeographic),
        _ => None,
    }
}

impl fmt::Display for PhoneNumber {
    /// The spaced national form, as [`PhoneNumber::national`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.national())
    }
}

impl FromStr for PhoneNumber {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PhoneNumber::parse(s)
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        PhoneNumber::parse(&value)
    }
}

impl From<PhoneNumber> for String {
    fn from(value: PhoneNumber) -> String {
        value.0
    }
}

// ---------------------------------------------------------------------------------------------
// Email

/// An email address, trimmed and lower-cased so that the same person always matches
/// (accounts and guardians are linked by email). Serialised as that text.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    /// A sane check, not the full RFC 5322 grammar: one `@`; a local part of 1 to 64
    /// characters with no spaces; a domain of dot-separated labels of letters, digits and
    /// hyphens (not starting or ending with a hyphen), with at least one dot; 254 characters
    /// at most.
    pub fn parse(text: &str) -> Result<EmailAddress, ValidationError> {
        let address = text.trim().to_lowercase();
        let (local, domain) = address.split_once('@').ok_or(ValidationError::Email)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
            && labels
                .last()
                .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
        if local_ok && domain_ok && address.len() <= 254 {
            Ok(EmailAddress(address))
        } else {
            Err(ValidationError::Email)
        }
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for EmailAddress {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EmailAddress::parse(s)
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        EmailAddress::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> String {
        value.0
    }
}

// ---------------------------------------------------------------------------------------------
// Dates

/// Reads a date written as DD/MM/YYYY (the UK way; "1/9/2026" is fine too) or YYYY-MM-DD.
/// A date that does not exist (31/02/2026) is an error.
pub fn parse_date(text: &str) -> Result<Date, ValidationError> {
    let t = text.trim();
    let (year, month, day) = if let Some((d, rest)) = t.split_once('/') {
        let (m, y) = rest.split_once('/').ok_or(ValidationError::Date)?;
        if y.len() != 4 || d.is_empty() || d.len() > 2 || m.is_empty() || m.len() > 2 {
            return Err(ValidationError::Date);
        }
        (y, m, d)
    } else {
        let mut parts = t.splitn(3, '-');
        let (y, m, d) = match (parts.next(), parts.next(), parts.next()) {
            (Some(y), Some(m), Some(d)) => (y, m, d),
            _ => return Err(ValidationError::Date),
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(ValidationError::Date);
        }
        (y, m, d)
    };
    let number = |s: &str| -> Result<u32, ValidationError> {
        if s.chars().all(|c| c.is_ascii_digit()) {
            s.parse().map_err(|_| ValidationError::Date)
        } else {
            Err(ValidationError::Date)
        }
    };
    let year = number(year)? as i32;
    let month = Month::try_from(number(month)? as u8).map_err(|_| ValidationError::Date)?;
    let day = number(day)? as u8;
    Date::from_calendar_date(year, month, day).map_err(|_| ValidationError::Date)
}

/// Writes a date the UK way, DD/MM/YYYY, as forms show it.
pub fn format_date_uk(date: Date) -> String {
    format!("{:02}/{:02}/{:04}", date.day(), u8::from(date.month()), date.year())
}

/// Writes a date with its weekday, in words: "Monday 7 December 2026".
pub fn format_day_long(date: Date) -> String {
    format!("{} {} {} {}", date.weekday(), date.day(), date.month(), date.year())
}

/// Writes a date as YYYY-MM-DD, as files and the API use.
pub fn format_date_iso(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

// ---------------------------------------------------------------------------------------------
// Yes / no

/// Reads yes/no, y/n, true/false or 1/0, in any case, with spaces around ignored.
pub fn parse_yes_no(text: &str) -> Result<bool, ValidationError> {
    match text.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "1" => Ok(true),
        "no" | "n" | "false" | "0" => Ok(false),
        _ => Err(ValidationError::YesNo),
    }
}

/// Writes a flag as "yes" or "no", as exports do.
pub fn format_yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

// ---------------------------------------------------------------------------------------------
// School URN

/// A school's Unique Reference Number from the DfE (Get Information about Schools):
/// six digits, 100000 to 999999. Serialised as an integer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Urn(u32);

impl Urn {
    /// Reads a URN from text ("114250"; spaces around are ignored).
    pub fn parse(text: &str) -> Result<Urn, ValidationError> {
        let t = text.trim();
        if t.len() != 6 || !t.chars().all(|c| c.is_ascii_digit()) {
            return Err(ValidationError::Urn);
        }
        Urn::new(t.parse().map_err(|_| ValidationError::Urn)?)
    }

    /// Checks a URN given as a number.
    pub fn new(value: u32) -> Result<Urn, ValidationError> {
        if (100_000..=999_999).contains(&value) {
            Ok(Urn(value))
        } else {
            Err(ValidationError::Urn)
        }
    }

    /// The URN as a number.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Urn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Urn {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Urn::parse(s)
    }
}

impl TryFrom<u32> for Urn {
    type Error = ValidationError;
    fn try_from(value: u32) -> Result<Self, Self::Error> {
        Urn::new(value)
    }
}

impl From<Urn> for u32 {
    fn from(value: Urn) -> u32 {
        value.0
    }
}

// ---------------------------------------------------------------------------------------------
// Passwords

/// Shortest password accepted, in characters.
pub const PASSWORD_MIN_CHARS: usize = 8;
/// Longest password accepted, in characters (long passphrases are welcome; this only stops
/// absurd inputs reaching the hasher).
pub const PASSWORD_MAX_CHARS: usize = 128;

/// A list of a few hundred of the most commonly used passwords, one a line, lower case.
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// Checks a new password: 8 to 128 characters (counted as characters, not bytes) and not one
/// of the commonly used passwords (compared in lower case, with spaces around ignored), as
/// NCSC and NIST advise instead of rules about symbols.
pub fn check_password(password: &str) -> Result<(), ValidationError> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(ValidationError::PasswordTooShort);
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(ValidationError::PasswordTooLong);
    }
    if is_common_password(password) {
        return Err(ValidationError::PasswordTooCommon);
    }
    Ok(())
}

/// True if the password is on the common-passwords list (in any case).
pub fn is_common_password(password: &str) -> bool {
    let candidate = password.trim().to_lowercase();
    COMMON_PASSWORDS.lines().any(|common| common.trim() == candidate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn postcodes_normalise() {
        let cases = [
            ("dh1 3le", "DH1 3LE"),
            ("DH13LE", "DH1 3LE"),
            ("  dh1   3le ", "DH1 3LE"),
            ("dl1 5qe", "DL1 5QE"),
            ("sw1a 1aa", "SW1A 1AA"),
            ("w1a 0ax", "W1A 0AX"),
            ("m1 1ae", "M1 1AE"),
            ("b33 8th", "B33 8TH"),
            ("cr2 6xh", "CR2 6XH"),
            ("gir 0aa", "GIR 0AA"),
            ("ec1a1bb", "EC1A 1BB"),
        ];
        for (typed, written) in cases {
            let postcode = Postcode::parse(typed).unwrap_or_else(|e| panic!("{typed}: {e}"));
            assert_eq!(postcode.as_str(), written);
        }
        assert_eq!(Postcode::parse("DH1 3LE").unwrap().outward(), "DH1");
    }

    #[test]
    fn bad_postcodes_are_refused_in_plain_words() {
        for bad in [
            "", "DH1", "12345", "DH1 3L", "DH1 3LEE", "DH1 CLE", "DH1 3CI", "D-1 3LE", "ÅH1 3LE", "1H1 3LE", "DHH1 3LE",
        ] {
            assert_eq!(Postcode::parse(bad), Err(ValidationError::Postcode), "{bad}");
        }
        assert_eq!(ValidationError::Postcode.to_string(), "Enter a postcode like SW1A 1AA");
    }

    #[test]
    fn phone_numbers_normalise() {
        let cases = [
            ("0191 383 4000", "01913834000", "0191 383 4000", PhoneKind::Landline),
            ("+44 191 383 4000", "01913834000", "0191 383 4000", PhoneKind::Landline),
            (
                "+44 (0)191 383 4000",
                "01913834000",
                "0191 383 4000",
                PhoneKind::Landline,
            ),
            ("07700 900123", "07700900123", "07700 900123", PhoneKind::Mobile),
            ("+447700900123", "07700900123", "07700 900123", PhoneKind::Mobile),
            ("0044 7700 900 123", "07700900123", "07700 900123", PhoneKind::Mobile),
            ("07700-900-123", "07700900123", "07700 900123", PhoneKind::Mobile),
            ("020 7946 0000", "02079460000", "020 7946 0000", PhoneKind::Landline),
            ("01388 123456", "01388123456", "01388 123456", PhoneKind::Landline),
            ("03000 260000", "03000260000", "0300 026 0000", PhoneKind::NonGeographic),
            ("016977 3456", "0169773456", "01697 73456", PhoneKind::Landline),
        ];
        for (typed, digits, national, kind) in cases {
            let phone = PhoneNumber::parse(typed).unwrap_or_else(|e| panic!("{typed}: {e}"));
            assert_eq!(phone.digits(), digits, "{typed}");
            assert_eq!(phone.national(), national, "{typed}");
            assert_eq!(phone.kind(), kind, "{typed}");
        }
        assert_eq!(
            PhoneNumber::parse("07700 900123").unwrap().international(),
            "+447700900123"
        );
    }

    #[test]
    fn bad_phone_numbers_are_refused() {
        for bad in [
            "",
            "12345",
            "0770090012",
            "077009001234",
            "+1 202 555 0143",
            "0900 123 4567",
            "07700 9OO123",
            "phone me",
            "0191+3834000",
            "07000 123456",
        ] {
            assert_eq!(PhoneNumber::parse(bad), Err(ValidationError::Phone), "{bad}");
        }
    }

    #[test]
    fn emails() {
        assert_eq!(
            EmailAddress::parse("  Jo.Bloggs+music@Example.CO.UK ")
                .unwrap()
                .as_str(),
            "jo.bloggs+music@example.co.uk"
        );
        for bad in [
            "",
            "jo",
            "jo@",
            "@example.com",
            "jo@example",
            "jo bloggs@example.com",
            "jo@@example.com",
            "jo@exa mple.com",
            "jo@-example.com",
            "jo@example.c",
            "jo..b@example.com",
            "jo@example..com",
        ] {
            assert_eq!(EmailAddress::parse(bad), Err(ValidationError::Email), "{bad}");
        }
    }

    #[test]
    fn dates_in_both_formats() {
        assert_eq!(parse_date("31/08/2019"), Ok(date!(2019 - 08 - 31)));
        assert_eq!(parse_date("1/9/2026"), Ok(date!(2026 - 09 - 01)));
        assert_eq!(parse_date("2019-03-10"), Ok(date!(2019 - 03 - 10)));
        assert_eq!(parse_date(" 29/02/2024 "), Ok(date!(2024 - 02 - 29)));
        for bad in [
            "",
            "31/02/2026",
            "29/02/2025",
            "2026-9-1",
            "10/03/19",
            "2019/03/10",
            "tomorrow",
            "32/01/2026",
            "01/13/2026",
            "2026-02-30",
            "1/9/2026/1",
            "+1/09/2026",
        ] {
            assert_eq!(parse_date(bad), Err(ValidationError::Date), "{bad}");
        }
        assert_eq!(format_date_uk(date!(2026 - 09 - 01)), "01/09/2026");
        assert_eq!(format_day_long(date!(2026 - 12 - 07)), "Monday 7 December 2026");
        assert_eq!(format_date_iso(date!(2026 - 09 - 01)), "2026-09-01");
    }

    #[test]
    fn yes_no_words() {
        for yes in ["yes", "Y", "TRUE", " 1 ", "Yes"] {
            assert_eq!(parse_yes_no(yes), Ok(true), "{yes}");
        }
        for no in ["no", "N", "false", "0", "No "] {
            assert_eq!(parse_yes_no(no), Ok(false), "{no}");
        }
        for bad in ["", "maybe", "2", "yess"] {
            assert_eq!(parse_yes_no(bad), Err(ValidationError::YesNo), "{bad}");
        }
    }

    #[test]
    fn urns() {
        assert_eq!(Urn::parse("114250").map(Urn::get), Ok(114_250));
        assert_eq!(Urn::parse(" 100000 ").map(Urn::get), Ok(100_000));
        assert_eq!(Urn::parse("999999").map(Urn::get), Ok(999_999));
        for bad in ["", "99999", "099999", "1000000", "11425O", "-114250"] {
            assert_eq!(Urn::parse(bad), Err(ValidationError::Urn), "{bad}");
        }
        assert_eq!(Urn::new(42), Err(ValidationError::Urn));
    }

    #[test]
    fn passwords() {
        assert_eq!(check_password("correct horse battery staple"), Ok(()));
        assert_eq!(check_password("Tr0mb0ne-Tuesday"), Ok(()));
        assert_eq!(check_password("short"), Err(ValidationError::PasswordTooShort));
        assert_eq!(check_password("ééééééé"), Err(ValidationError::PasswordTooShort));
        assert_eq!(check_password("éééééééé"), Ok(()));
        assert_eq!(check_password(&"a".repeat(129)), Err(ValidationError::PasswordTooLong));
        assert_eq!(check_password(&"ab".repeat(64)), Ok(()));
        for common in ["password", "PASSWORD1", "Passw0rd", "12345678", "iloveyou", "Qwerty123"] {
            assert_eq!(
                check_password(common),
                Err(ValidationError::PasswordTooCommon),
                "{common}"
            );
        }
        assert!(COMMON_PASSWORDS.lines().count() >= 300);
        assert!(
            COMMON_PASSWORDS
                .lines()
                .all(|p| p == p.to_lowercase() && p == p.trim() && !p.is_empty())
        );
    }

    #[test]
    fn serde_round_trips() {
        let postcode: Postcode = serde_json::from_str("\"dh1 3le\"").unwrap();
        assert_eq!(serde_json::to_string(&postcode).unwrap(), "\"DH1 3LE\"");
        assert!(serde_json::from_str::<Postcode>("\"nope\"").is_err());
        let urn: Urn = serde_json::from_str("114250").unwrap();
        assert_eq!(serde_json::to_string(&urn).unwrap(), "114250");
        assert!(serde_json::from_str::<Urn>("12").is_err());
        let phone: PhoneNumber = serde_json::from_str("\"+44 7700 900123\"").unwrap();
        assert_eq!(serde_json::to_string(&phone).unwrap(), "\"07700900123\"");
    }
}
