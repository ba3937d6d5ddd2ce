//! Forms and query strings: arbitrary bytes decoded as axum's `Form`/`Query` do
//! (serde_urlencoded into structs shaped like the login form and a list screen's paging
//! query, and form_urlencoded pairs as the CSRF check reads them) never panic and
//! re-encode to the same values; every decoded value through the domain's form
//! validators (`tutti_domain::validate`, money, percentages, years, choices) never panics,
//! and what a validator accepts, written back out, is accepted as the same value.
#![no_main]

use std::str::FromStr;

use libfuzzer_sys::fuzz_target;
use serde::{Deserialize, Serialize};
use tutti_domain::calendar::AcademicYear;
use tutti_domain::csv::parse_school_weekday;
use tutti_domain::lessons::LessonType;
use tutti_domain::validate::{
    EmailAddress, PhoneNumber, Postcode, Urn, check_password, choice_key, format_date_iso,
    format_date_uk, parse_date, parse_yes_no,
};
use tutti_domain::{Pence, Percent};

/// The login form's shape (crates/web/src/routes/account.rs).
#[derive(Debug, PartialEq, Deserialize, Serialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// A list screen's query string (crates/web/src/routes/records/mod.rs).
#[derive(Debug, PartialEq, Deserialize, Serialize)]
struct ListParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    desc: String,
    page: Option<String>,
}

fuzz_target!(|data: &[u8]| {
    if let Ok(form) = serde_urlencoded::from_bytes::<LoginForm>(data) {
        round_trip(&form);
        validate_value(&form.email);
        let _ = check_password(&form.password);
    }
    if let Ok(query) = serde_urlencoded::from_bytes::<ListParams>(data) {
        round_trip(&query);
        // As the list screens read the page: a number from 1, else page 1.
        let _ = query.page.as_deref().and_then(|p| p.parse::<u64>().ok()).filter(|p| *p >= 1);
    }
    let pairs: Vec<(String, String)> = form_urlencoded::parse(data).into_owned().collect();
    let encoded = form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish();
    let again: Vec<(String, String)> = form_urlencoded::parse(encoded.as_bytes()).into_owned().collect();
    assert_eq!(again, pairs, "pairs changed on encoding: {encoded:?}");
    for (key, value) in &pairs {
        validate_value(key);
        validate_value(value);
    }
});

fn round_trip<T>(value: &T)
where
    T: Serialize + for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug,
{
    let text = serde_urlencoded::to_string(value).expect("a form of strings encodes");
    let back: T = serde_urlencoded::from_str(&text)
        .unwrap_or_else(|e| panic!("re-encoded form does not decode: {e}\n{text:?}"));
    assert_eq!(&back, value, "form changed on encoding: {text:?}");
}

/// One form value through every validator a form field may use.
fn validate_value(text: &str) {
    if let Ok(postcode) = Postcode::parse(text) {
        assert_eq!(Postcode::parse(postcode.as_str()).as_ref(), Ok(&postcode));
        assert!(!postcode.outward().is_empty());
    }
    if let Ok(phone) = PhoneNumber::parse(text) {
        assert_eq!(PhoneNumber::parse(&phone.national()).as_ref(), Ok(&phone), "{}", phone.national());
        assert_eq!(PhoneNumber::parse(&phone.international()).as_ref(), Ok(&phone), "{}", phone.international());
        let _ = phone.kind();
    }
    if let Ok(email) = EmailAddress::parse(text) {
        assert_eq!(EmailAddress::parse(email.as_str()).as_ref(), Ok(&email));
    }
    if let Ok(date) = parse_date(text) {
        assert_eq!(parse_date(&format_date_iso(date)), Ok(date), "{}", format_date_iso(date));
        assert_eq!(parse_date(&format_date_uk(date)), Ok(date), "{}", format_date_uk(date));
    }
    if let Ok(urn) = Urn::parse(text) {
        assert_eq!(Urn::parse(&urn.to_string()), Ok(urn));
    }
    let _ = parse_yes_no(text);
    let _ = check_password(text);
    if let Ok(pence) = Pence::parse_pounds(text) {
        assert_eq!(Pence::parse_pounds(&pence.to_string()), Ok(pence), "{pence}");
    }
    if let Ok(percent) = Percent::from_str(text) {
        assert_eq!(Percent::from_str(&percent.to_string()), Ok(percent), "{percent}");
    }
    if let Ok(year) = AcademicYear::parse(text) {
        assert_eq!(AcademicYear::parse(&year.to_string()), Ok(year), "{year}");
    }
    if let Ok(lesson_type) = LessonType::from_str(text) {
        assert_eq!(LessonType::from_str(lesson_type.as_str()), Ok(lesson_type));
    }
    let _ = choice_key(text);
    let _ = parse_school_weekday(text);
}
