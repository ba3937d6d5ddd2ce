//! The hub's identity: who the hub says it is on every page, letter, invoice and second-factor
//! app (its name and short name, how to reach it, its charity number, the local authorities it
//! serves, the home page's words, its logo), a fresh hub's neutral words, and what a change to
//! it must be. Nothing here names any real hub: a fresh hub names itself at setup.
use serde::{Deserialize, Serialize};

use crate::validate::{EmailAddress, PhoneNumber};

/// The longest name or short name, in characters: it heads every page and invoice.
pub const NAME_MAX: usize = 100;
/// The longest short name, in characters: it fits a phone's header and an authenticator app.
pub const SHORT_NAME_MAX: usize = 40;
/// The longest postal address, in characters.
pub const ADDRESS_MAX: usize = 300;
/// The most local authorities one hub serves (a county hub serves one to a handful).
pub const AUTHORITIES_MAX: usize = 20;
/// The longest name of a local authority, in characters.
pub const AUTHORITY_MAX: usize = 100;
/// The longest home page heading, in characters.
pub const HEADING_MAX: usize = 120;
/// The longest home page introduction, in characters.
pub const INTRO_MAX: usize = 1000;
/// The largest logo accepted: a logo is a small picture in the header, not a photograph.
pub const LOGO_MAX_BYTES: usize = 256 * 1024;

/// Who the hub is. Empty text means "not given" (the page leaves it out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HubIdentity {
    /// The hub's full name: "Riverside Music Hub".
    pub name: String,
    /// A shorter name for tight places (the header on a phone, an authenticator app);
    /// empty for the full name.
    pub short_name: String,
    pub contact_email: String,
    /// As typed, checked as a UK phone number.
    pub phone: String,
    /// Lines separated by newlines.
    pub postal_address: String,
    /// The Charity Commission's registered number, if the hub is a charity.
    pub charity_number: String,
    /// The local authorities whose schools the hub serves, in the order given.
    pub local_authorities: Vec<String>,
    /// The home page's heading; empty for one made from the name.
    pub home_heading: String,
    /// The home page's first paragraph; empty for the neutral words.
    pub home_intro: String,
}

/// What a hub that has said nothing more about itself is called.
pub const UNNAMED: &str = "Tutti Music Hub";

/// The home page's first paragraph until the hub writes its own.
pub const NEUTRAL_INTRO: &str = "We teach instruments and singing in schools, run ensembles and help every child, \
whatever their background, to make music.";

impl Default for HubIdentity {
    fn default() -> Self {
        HubIdentity::named(UNNAMED)
    }
}

impl HubIdentity {
    /// A fresh hub's identity: its name, and nothing else said yet.
    pub fn named(name: &str) -> HubIdentity {
        HubIdentity {
            name: name.trim().to_owned(),
            short_name: String::new(),
            contact_email: String::new(),
            phone: String::new(),
            postal_address: String::new(),
            charity_number: String::new(),
            local_authorities: Vec::new(),
            home_heading: String::new(),
            home_intro: String::new(),
        }
    }

    /// The short name, or the name when none is given.
    pub fn short(&self) -> &str {
        if self.short_name.trim().is_empty() {
            &self.name
        } else {
            &self.short_name
        }
    }

    /// The home page's heading: the hub's own, or one made from its name.
    pub fn heading(&self) -> String {
        if self.home_heading.trim().is_empty() {
            format!("Music for every child, with {}", self.name)
        } else {
            self.home_heading.clone()
        }
    }

    /// The home page's first paragraph: the hub's own, or the neutral words.
    pub fn intro(&self) -> &str {
        if self.home_intro.trim().is_empty() {
            NEUTRAL_INTRO
        } else {
            &self.home_intro
        }
    }

    /// The postal address's lines, blank ones left out.
    pub fn address_lines(&self) -> Vec<&str> {
        self.postal_address
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    }

    /// The same identity with every text trimmed, the email lower-cased, the phone spaced as
    /// people read it, and empty authorities dropped: what is stored after `validate` passes.
    pub fn tidied(&self) -> HubIdentity {
        let email = EmailAddress::parse(&self.contact_email)
            .map(|e| e.to_string())
            .unwrap_or_else(|_| self.contact_email.trim().to_owned());
        let phone = PhoneNumber::parse(&self.phone)
            .map(|p| p.national())
            .unwrap_or_else(|_| self.phone.trim().to_owned());
        HubIdentity {
            name: self.name.trim().to_owned(),
            short_name: self.short_name.trim().to_owned(),
            contact_email: email,
            phone,
            postal_address: self.address_lines().join("\n"),
            charity_number: self.charity_number.trim().to_owned(),
            local_authorities: self
                .local_authorities
                .iter()
                .map(|a| a.trim().to_owned())
                .filter(|a| !a.is_empty())
                .collect(),
            home_heading: self.home_heading.trim().to_owned(),
            home_intro: self.home_intro.trim().to_owned(),
        }
    }
}

/// One problem with an identity or its logo, naming its form and API field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IdentityProblem {
    #[error("Enter the hub's name")]
    NoName,
    #[error("Use a name of {NAME_MAX} characters or fewer")]
    NameTooLong,
    #[error("Use a short name of {SHORT_NAME_MAX} characters or fewer")]
    ShortNameTooLong,
    #[error("Enter the contact email address like office@example.org, or leave it empty")]
    ContactEmail,
    #[error("Enter a UK phone number like 01632 960 123, or leave it empty")]
    Phone,
    #[error("Use a postal address of {ADDRESS_MAX} characters or fewer")]
    AddressTooLong,
    #[error("Enter the charity number as registered: digits, perhaps with a hyphen, like 1234567 or SC012345")]
    CharityNumber,
    #[error("List at most {AUTHORITIES_MAX} local authorities")]
    TooManyAuthorities,
    #[error("Use local authority names of {AUTHORITY_MAX} characters or fewer")]
    AuthorityTooLong,
    #[error("Each local authority is listed once")]
    AuthorityTwice,
    #[error("Use a home page heading of {HEADING_MAX} characters or fewer")]
    HeadingTooLong,
    #[error("Use a home page introduction of {INTRO_MAX} characters or fewer")]
    IntroTooLong,
    #[error("Choose a logo file to upload")]
    LogoEmpty,
    #[error("The logo is {} KB; the largest allowed is {} KB", size.div_ceil(1024), LOGO_MAX_BYTES / 1024)]
    LogoTooLarge { size: usize },
    #[error("The logo must be an SVG or PNG image")]
    LogoType,
    #[error("The SVG logo contains scripts, event handlers or links to other files; save it as a plain SVG or a PNG")]
    LogoUnsafe,
}

impl IdentityProblem {
    /// The form and API field at fault.
    pub fn field(&self) -> &'static str {
        match self {
            IdentityProblem::NoName | IdentityProblem::NameTooLong => "name",
            IdentityProblem::ShortNameTooLong => "short_name",
            IdentityProblem::ContactEmail => "contact_email",
            IdentityProblem::Phone => "phone",
            IdentityProblem::AddressTooLong => "postal_address",
            IdentityProblem::CharityNumber => "charity_number",
            IdentityProblem::TooManyAuthorities
            | IdentityProblem::AuthorityTooLong
            | IdentityProblem::AuthorityTwice => "local_authorities",
            IdentityProblem::HeadingTooLong => "home_heading",
            IdentityProblem::IntroTooLong => "home_intro",
            IdentityProblem::LogoEmpty
            | IdentityProblem::LogoTooLarge { .. }
            | IdentityProblem::LogoType
            | IdentityProblem::LogoUnsafe => "logo",
        }
    }
}

fn longer(text: &str, max: usize) -> bool {
    text.trim().chars().count() > max
}

/// Every problem with an identity, in the order of the form.
pub fn validate(identity: &HubIdentity) -> Vec<IdentityProblem> {
    let mut problems = Vec::new();
    if identity.name.trim().is_empty() {
        problems.push(IdentityProblem::NoName);
    } else if longer(&identity.name, NAME_MAX) {
        problems.push(IdentityProblem::NameTooLong);
    }
    if longer(&identity.short_name, SHORT_NAME_MAX) {
        problems.push(IdentityProblem::ShortNameTooLong);
    }
    if !identity.contact_email.trim().is_empty() && EmailAddress::parse(&identity.contact_email).is_err() {
        problems.push(IdentityProblem::ContactEmail);
    }
    if !identity.phone.trim().is_empty() && PhoneNumber::parse(&identity.phone).is_err() {
        problems.push(IdentityProblem::Phone);
    }
    if longer(&identity.postal_address, ADDRESS_MAX) {
        problems.push(IdentityProblem::AddressTooLong);
    }
    if !charity_number_ok(identity.charity_number.trim()) {
        problems.push(IdentityProblem::CharityNumber);
    }
    let authorities: Vec<String> = identity
        .local_authorities
        .iter()
        .map(|a| a.trim().to_lowercase())
        .filter(|a| !a.is_empty())
        .collect();
    if authorities.len() > AUTHORITIES_MAX {
        problems.push(IdentityProblem::TooManyAuthorities);
    } else if authorities.iter().any(|a| a.chars().count() > AUTHORITY_MAX) {
        problems.push(IdentityProblem::AuthorityTooLong);
    } else if authorities
        .iter()
        .enumerate()
        .any(|(i, a)| authorities[..i].contains(a))
    {
        problems.push(IdentityProblem::AuthorityTwice);
    }
    if longer(&identity.home_heading, HEADING_MAX) {
        problems.push(IdentityProblem::HeadingTooLong);
    }
    if longer(&identity.home_intro, INTRO_MAX) {
        problems.push(IdentityProblem::IntroTooLong);
    }
    problems
}

/// A charity number as the registers write them: England and Wales 6 or 7 digits (perhaps
/// with a "-1" subsidiary), Scotland "SC" and 6 digits, Northern Ireland "NIC" or plain
/// digits; empty for a hub that is not a charity.
fn charity_number_ok(text: &str) -> bool {
    if text.is_empty() {
        return true;
    }
    let upper = text.to_ascii_uppercase();
    let digits = upper
        .strip_prefix("SC")
        .or_else(|| upper.strip_prefix("NIC"))
        .unwrap_or(&upper);
    let (main, sub) = match digits.split_once('-') {
        Some((m, s)) => (m, Some(s)),
        None => (digits, None),
    };
    (5..=7).contains(&main.len())
        && main.bytes().all(|b| b.is_ascii_digit())
        && sub.is_none_or(|s| (1..=2).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()))
}

/// A logo's type, from its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogoType {
    Png,
    Svg,
}

impl LogoType {
    pub fn content_type(self) -> &'static str {
        match self {
            LogoType::Png => "image/png",
            LogoType::Svg => "image/svg+xml",
        }
    }

    /// The file name it is served and stored under.
    pub fn file_name(self) -> &'static str {
        match self {
            LogoType::Png => "logo.png",
            LogoType::Svg => "logo.svg",
        }
    }

    pub fn parse(content_type: &str) -> Option<LogoType> {
        match content_type {
            "image/png" => Some(LogoType::Png),
            "image/svg+xml" => Some(LogoType::Svg),
            _ => None,
        }
    }
}

/// Checks an uploaded logo: not empty, not too large, a PNG or an SVG by its bytes, and an
/// SVG that is a picture only. An SVG is a document that can run scripts and fetch other
/// files; one that tries to is refused rather than cleaned, so that what is stored is exactly
/// what the office chose (and it is served under a policy that would block them anyway).
pub fn check_logo(bytes: &[u8]) -> Result<LogoType, IdentityProblem> {
    if bytes.is_empty() {
        return Err(IdentityProblem::LogoEmpty);
    }
    if bytes.len() > LOGO_MAX_BYTES {
        return Err(IdentityProblem::LogoTooLarge { size: bytes.len() });
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(LogoType::Png);
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(IdentityProblem::LogoType);
    };
    let lower = text.trim_start_matches('\u{feff}').to_ascii_lowercase();
    if !lower.contains("<svg") {
        return Err(IdentityProblem::LogoType);
    }
    if svg_is_unsafe(&lower) {
        return Err(IdentityProblem::LogoUnsafe);
    }
    Ok(LogoType::Svg)
}

/// Whether a lower-cased SVG could do more than draw: scripts, event handlers, embedded
/// documents, entities (which can pull in files), or references to anything outside it
/// (a `href` to anything but one of its own `#fragments` or an embedded raster image).
fn svg_is_unsafe(svg: &str) -> bool {
    const FORBIDDEN: &[&str] = &[
        "<script",
        "<!entity",
        "<!doctype",
        "<foreignobject",
        "<iframe",
        "<embed",
        "<object",
        "<animate",
        "<set",
        "<handler",
        "<listener",
        "javascript:",
        "vbscript:",
        "data:text",
        "data:image/svg",
        "@import",
    ];
    if FORBIDDEN.iter().any(|f| svg.contains(f)) {
        return true;
    }
    // A CSS url() that points anywhere but inside the document (a gradient's `url(#g)`).
    let mut rest = svg;
    while let Some(at) = rest.find("url(") {
        let value = rest[at + 4..].trim_start().trim_start_matches(['"', '\'']);
        if !value.starts_with('#') {
            return true;
        }
        rest = &rest[at + 4..];
    }
    // An attribute starting with "on" (onload=, onclick=, ...), after a space or a newline.
    let bytes = svg.as_bytes();
    for (i, w) in bytes.windows(2).enumerate() {
        if w == b"on" && i > 0 && bytes[i - 1].is_ascii_whitespace() {
            let rest = &svg[i + 2..];
            let name_end = rest
                .find(|c: char| !c.is_ascii_alphanumeric() && c != '-')
                .unwrap_or(rest.len());
            if name_end > 0 && rest[name_end..].trim_start().starts_with('=') {
                return true;
            }
        }
    }
    // Every href (and xlink:href) points inside the document or is an embedded raster image.
    let mut rest = svg;
    while let Some(at) = rest.find("href") {
        let after = rest[at + 4..].trim_start();
        if let Some(value) = after.strip_prefix('=') {
            let value = value.trim_start().trim_start_matches(['"', '\'']);
            if !(value.starts_with('#') || value.starts_with("data:image/png") || value.starts_with("data:image/jpeg"))
            {
                return true;
            }
        }
        rest = &rest[at + 4..];
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled() -> HubIdentity {
        HubIdentity {
            name: "Riverside Music Hub".into(),
            short_name: "Riverside".into(),
            contact_email: " Office@Riverside.example ".into(),
            phone: "0191 383 4000".into(),
            postal_address: "1 High Street\n\nRiverside\nRV1 1AA".into(),
            charity_number: "1234567".into(),
            local_authorities: vec!["Riverside".into(), " ".into(), "Upton".into()],
            home_heading: String::new(),
            home_intro: String::new(),
        }
    }

    #[test]
    fn a_filled_identity_passes_and_is_tidied() {
        let id = filled();
        assert_eq!(validate(&id), vec![]);
        let tidy = id.tidied();
        assert_eq!(tidy.contact_email, "office@riverside.example");
        assert_eq!(tidy.postal_address, "1 High Street\nRiverside\nRV1 1AA");
        assert_eq!(tidy.local_authorities, vec!["Riverside", "Upton"]);
        assert_eq!(tidy.short(), "Riverside");
        assert_eq!(tidy.heading(), "Music for every child, with Riverside Music Hub");
        assert_eq!(tidy.intro(), NEUTRAL_INTRO);
    }

    #[test]
    fn each_problem_names_its_field() {
        type Case = (fn(&mut HubIdentity), IdentityProblem);
        let cases: Vec<Case> = vec![
            (|i| i.name = "  ".into(), IdentityProblem::NoName),
            (|i| i.name = "x".repeat(NAME_MAX + 1), IdentityProblem::NameTooLong),
            (
                |i| i.short_name = "x".repeat(SHORT_NAME_MAX + 1),
                IdentityProblem::ShortNameTooLong,
            ),
            (
                |i| i.contact_email = "office at hub".into(),
                IdentityProblem::ContactEmail,
            ),
            (|i| i.phone = "call us".into(), IdentityProblem::Phone),
            (
                |i| i.postal_address = "x".repeat(ADDRESS_MAX + 1),
                IdentityProblem::AddressTooLong,
            ),
            (|i| i.charity_number = "12ab".into(), IdentityProblem::CharityNumber),
            (
                |i| i.local_authorities = vec!["A".into(); 21],
                IdentityProblem::TooManyAuthorities,
            ),
            (
                |i| i.local_authorities = vec!["x".repeat(AUTHORITY_MAX + 1)],
                IdentityProblem::AuthorityTooLong,
            ),
            (
                |i| i.local_authorities = vec!["Upton".into(), "upton ".into()],
                IdentityProblem::AuthorityTwice,
            ),
            (
                |i| i.home_heading = "x".repeat(HEADING_MAX + 1),
                IdentityProblem::HeadingTooLong,
            ),
            (
                |i| i.home_intro = "x".repeat(INTRO_MAX + 1),
                IdentityProblem::IntroTooLong,
            ),
        ];
        for (change, want) in cases {
            let mut id = filled();
            change(&mut id);
            assert_eq!(validate(&id), vec![want.clone()], "{want:?}");
        }
        assert_eq!(IdentityProblem::Phone.field(), "phone");
        assert_eq!(IdentityProblem::AuthorityTwice.field(), "local_authorities");
        assert_eq!(IdentityProblem::NoName.to_string(), "Enter the hub's name");
    }

    #[test]
    fn empty_optional_fields_pass() {
        assert_eq!(validate(&HubIdentity::named("Upton Hub")), vec![]);
        for ok in ["", "1234567", "123456-1", "SC012345", "NIC100001"] {
            assert!(charity_number_ok(ok), "{ok}");
        }
        for bad in ["12", "abcdefg", "1234567-123", "SC"] {
            assert!(!charity_number_ok(bad), "{bad}");
        }
    }

    #[test]
    fn logos_are_png_or_plain_svg() {
        assert_eq!(check_logo(b"\x89PNG\r\n\x1a\n...."), Ok(LogoType::Png));
        let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="#036"/></svg>"##;
        assert_eq!(check_logo(svg), Ok(LogoType::Svg));
        assert_eq!(check_logo(b""), Err(IdentityProblem::LogoEmpty));
        assert_eq!(check_logo(b"GIF89a...."), Err(IdentityProblem::LogoType));
        assert_eq!(
            check_logo(&vec![b' '; LOGO_MAX_BYTES + 1]),
            Err(IdentityProblem::LogoTooLarge {
                size: LOGO_MAX_BYTES + 1
            })
        );
        for unsafe_svg in [
            r#"<svg><script>alert(1)</script></svg>"#,
            r#"<svg onload="alert(1)"></svg>"#,
            "<svg>\n<rect\nonclick = 'x()'/></svg>",
            r#"<svg><a href="javascript:alert(1)"><rect/></a></svg>"#,
            r#"<svg><image href="https://tracker.example/x.png"/></svg>"#,
            r#"<svg><foreignObject><p>hi</p></foreignObject></svg>"#,
            r#"<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>"#,
            r#"<svg><rect style="fill:url(https://x.example/a)"/></svg>"#,
            r#"<svg><use href="https://x.example/sprite.svg#a"/></svg>"#,
        ] {
            assert_eq!(
                check_logo(unsafe_svg.as_bytes()),
                Err(IdentityProblem::LogoUnsafe),
                "{unsafe_svg}"
            );
        }
        // A word that merely starts with "on" is not an event handler.
        assert_eq!(
            check_logo(br#"<svg><text font-family="x"> one two</text></svg>"#),
            Ok(LogoType::Svg)
        );
        assert_eq!(
            check_logo(br##"<svg><linearGradient id="g"/><rect fill="url(#g)"/><use xlink:href="#g"/></svg>"##),
            Ok(LogoType::Svg)
        );
    }
}
