//! Values as people read them on a page, in one place (decision 77): dates in one UK style
//! ("Monday 7 December 2026" in prose and headings, "07/12/2026" in dense tables), in
//! London's time (the hub's) whatever the server's clock zone; times of day ("09:05"); counts
//! with thousands separators ("1,234"); money as "£1,234.50". Machine-readable values stay
//! machine-readable: stamps for `datetime` attributes are RFC 3339 in UTC, and form inputs of
//! type date keep ISO dates (`input_date`), which is what browsers need.
use std::borrow::Borrow;

use time::{Date, OffsetDateTime};
use tutti_domain::calendar::TermId;
use tutti_domain::clock::in_london;
use tutti_domain::money::Pence;
use tutti_domain::rotation::ClockTime;
use tutti_domain::validate::{format_date_iso, format_date_uk, format_day_long};

/// "Monday 7 December 2026": a day in prose and headings (no comma after the weekday).
pub fn long_day(d: impl Borrow<Date>) -> String {
    format_day_long(*d.borrow())
}

/// "07/12/2026": a day in a dense table.
pub fn short_day(d: impl Borrow<Date>) -> String {
    format_date_uk(*d.borrow())
}

/// "2026-12-07": the value of an `<input type="date">` or a `datetime` attribute, never text
/// for people to read.
pub fn input_date(d: Date) -> String {
    format_date_iso(d)
}

/// "Monday 7 December 2026", the day in London of a moment (a page's published date).
pub fn long_date(t: OffsetDateTime) -> String {
    long_day(in_london(t).date())
}

/// "07/12/2026 14:05", London's wall clock (BST in summer), for tables.
pub fn when(t: impl Borrow<OffsetDateTime>) -> String {
    let local = in_london(*t.borrow());
    format!(
        "{} {}",
        short_day(local.date()),
        time_of_day(local.hour(), local.minute())
    )
}

/// "Autumn 2026": a term from its key ("2026-autumn", as links and forms carry it); text
/// that is not a term's key is shown as it is.
pub fn term(key: &str) -> String {
    TermId::parse(key).map_or_else(|_| key.to_owned(), TermId::title)
}

/// RFC 3339 in UTC, for `datetime` attributes and feeds.
pub fn iso(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// "09:05", a time of day from minutes after midnight (kept within the day).
pub fn clock(minute: i32) -> String {
    ClockTime(minute.clamp(0, 24 * 60 - 1) as u16).to_string()
}

fn time_of_day(hour: u8, minute: u8) -> String {
    format!("{hour:02}:{minute:02}")
}

/// A whole number a page counts with: any integer, or a reference to one (templates pass
/// either).
pub trait Count {
    fn as_i128(&self) -> i128;
}

macro_rules! count_for {
    ($($t:ty),*) => {
        $(impl Count for $t {
            fn as_i128(&self) -> i128 {
                i128::try_from(*self).unwrap_or(i128::MAX)
            }
        })*
    };
}
count_for!(i8, i16, i32, i64, i128, u8, u16, u32, u64, usize, isize);

impl<T: Count + ?Sized> Count for &T {
    fn as_i128(&self) -> i128 {
        (**self).as_i128()
    }
}

/// "1,234": a count with thousands separators (negative counts keep their sign).
pub fn count(n: impl Count) -> String {
    let n = n.as_i128();
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", tutti_domain::money::grouped(n.unsigned_abs()))
}

/// "£1,234.50": money as people read it (the one style is `Pence`'s own Display).
pub fn money(p: Pence) -> String {
    p.to_string()
}

/// A search snippet as safe HTML: its text escaped, and the words the search matched between
/// `<mark>` tags (the store marks them with private-use characters, decision 0078).
pub fn marked(snippet: &str) -> String {
    use tutti_store::search::{MARK_END, MARK_START};
    let mut out = String::with_capacity(snippet.len() + 32);
    let mut open = false;
    for c in snippet.chars() {
        match c {
            MARK_START if !open => {
                out.push_str("<mark>");
                open = true;
            }
            MARK_END if open => {
                out.push_str("</mark>");
                open = false;
            }
            MARK_START | MARK_END => {}
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    if open {
        out.push_str("</mark>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn people_see_london_time() {
        // 23:30 UTC on 30 June is already 1 July in London.
        assert_eq!(long_date(datetime!(2026-06-30 23:30 UTC)), "Wednesday 1 July 2026");
        assert_eq!(when(datetime!(2026-06-30 23:30 UTC)), "01/07/2026 00:30");
        assert_eq!(when(datetime!(2026-12-01 09:05 UTC)), "01/12/2026 09:05");
        assert_eq!(iso(datetime!(2026-06-30 23:30 UTC)), "2026-06-30T23:30:00Z");
        assert_eq!(clock(545), "09:05");
        assert_eq!(clock(-3), "00:00");
    }

    #[test]
    fn one_date_style() {
        let d = date!(2026 - 12 - 07);
        assert_eq!(long_day(d), "Monday 7 December 2026");
        assert_eq!(long_day(date!(2026 - 11 - 26)), "Thursday 26 November 2026");
        assert_eq!(short_day(d), "07/12/2026");
        assert_eq!(short_day(date!(2027 - 01 - 01)), "01/01/2027");
        assert_eq!(input_date(d), "2026-12-07");
        assert_eq!(term("2026-autumn"), "Autumn 2026");
        assert_eq!(term("2027-spring"), "Spring 2027");
        assert_eq!(term("2026-27-summer"), "Summer 2027");
        assert_eq!(term("next year"), "next year");
    }

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(7), "7");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_000), "1,000");
        assert_eq!(count(1_234), "1,234");
        assert_eq!(count(12_345), "12,345");
        assert_eq!(count(123_456), "123,456");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(-1_234), "-1,234");
        assert_eq!(count(u64::MAX), "18,446,744,073,709,551,615");
        let counted: Vec<String> = [12_000usize].iter().map(count).collect();
        assert_eq!(counted, ["12,000"]);
    }

    #[test]
    fn money_in_pounds() {
        assert_eq!(money(Pence(123_450)), "£1,234.50");
        assert_eq!(money(Pence(5)), "£0.05");
        assert_eq!(money(Pence(-120)), "-£1.20");
        assert_eq!(money(Pence(100_000_000)), "£1,000,000.00");
    }
}
