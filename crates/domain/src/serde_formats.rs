//! Serde formats for dates and months in files people read: dates as "2026-09-01", months as "september".

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serializer};
use time::{Date, Month};

use crate::validate::{format_date_iso, parse_date};

/// A [`Date`] as "YYYY-MM-DD" (DD/MM/YYYY is read too).
pub mod date {
    use super::*;

    pub fn serialize<S: Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format_date_iso(*date))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_date(&text).map_err(D::Error::custom)
    }
}

/// A set of [`Date`]s as a list of "YYYY-MM-DD".
pub mod date_set {
    use super::*;
    use std::collections::BTreeSet;

    pub fn serialize<S: Serializer>(dates: &BTreeSet<Date>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(dates.iter().map(|d| format_date_iso(*d)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<BTreeSet<Date>, D::Error> {
        let texts = Vec::<String>::deserialize(deserializer)?;
        texts.iter().map(|t| parse_date(t).map_err(D::Error::custom)).collect()
    }
}

/// A [`Month`] as its lower-case English name, "september".
pub mod month {
    use super::*;

    pub fn serialize<S: Serializer>(month: &Month, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&month.to_string().to_lowercase())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Month, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_month(&text).ok_or_else(|| D::Error::custom("expected a month name like september"))
    }
}

/// Reads a month name or its first three letters, in any case.
pub fn parse_month(text: &str) -> Option<Month> {
    let t = text.trim().to_lowercase();
    let mut month = Month::January;
    for _ in 0..12 {
        let name = month.to_string().to_lowercase();
        if t == name || (t.len() >= 3 && name.starts_with(&t)) {
            return Some(month);
        }
        month = month.next();
    }
    None
}
