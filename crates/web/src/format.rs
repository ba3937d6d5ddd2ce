//! Values as people read them on a page, in one place: dates and times in London's time (the
//! hub's), whatever the server's clock zone; times of day; machine-readable stamps stay
//! RFC 3339 in UTC. Money reads through `tutti_domain::money::Pence`'s own Display.
use time::macros::format_description;
use time::{Date, OffsetDateTime};
use tutti_domain::clock::in_london;
use tutti_domain::rotation::ClockTime;

/// "3 March 2026", the day in London.
pub fn long_date(t: OffsetDateTime) -> String {
    in_london(t)
        .format(format_description!("[day padding:none] [month repr:long] [year]"))
        .unwrap_or_default()
}

/// "Tuesday, 3 March 2026".
pub fn long_day(d: Date) -> String {
    d.format(format_description!(
        "[weekday], [day padding:none] [month repr:long] [year]"
    ))
    .unwrap_or_default()
}

/// "03/03/2026 14:05", London's wall clock (BST in summer).
pub fn when(t: OffsetDateTime) -> String {
    in_london(t)
        .format(format_description!("[day]/[month]/[year] [hour]:[minute]"))
        .unwrap_or_default()
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
    use time::macros::datetime;

    #[test]
    fn people_see_london_time() {
        // 23:30 UTC on 30 June is already 1 July in London.
        assert_eq!(long_date(datetime!(2026-06-30 23:30 UTC)), "1 July 2026");
        assert_eq!(when(datetime!(2026-06-30 23:30 UTC)), "01/07/2026 00:30");
        assert_eq!(when(datetime!(2026-12-01 09:05 UTC)), "01/12/2026 09:05");
        assert_eq!(iso(datetime!(2026-06-30 23:30 UTC)), "2026-06-30T23:30:00Z");
        assert_eq!(
            long_day(time::macros::date!(2026 - 11 - 26)),
            "Thursday, 26 November 2026"
        );
        assert_eq!(clock(545), "09:05");
        assert_eq!(clock(-3), "00:00");
    }
}
