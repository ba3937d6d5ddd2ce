//! iCalendar files (RFC 5545): one writer for the timetable feeds and events' calendar files,
//! so that folding, escaping, the hub's time zone and the stamp are written once.
use time::{Date, OffsetDateTime};

/// Europe/London, so that a phone in another time zone shows a lesson at the right hour
/// (the rules since 1996: last Sunday of March and of October).
const LONDON: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Europe/London",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0000",
    "TZOFFSETTO:+0100",
    "TZNAME:BST",
    "DTSTART:19700329T010000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0000",
    "TZNAME:GMT",
    "DTSTART:19701025T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// The host of the hub's public address, which qualifies entries' ids.
pub fn host_of(public_url: &str) -> String {
    public_url
        .split("://")
        .nth(1)
        .unwrap_or("tutti")
        .trim_end_matches('/')
        .to_owned()
}

/// One dated happening: a lesson, a rehearsal, an event's session.
pub struct Entry<'a> {
    /// Unique within the hub (`lesson-12`); the host is added.
    pub uid: String,
    pub date: Date,
    /// Minutes after midnight, hub time.
    pub start_minute: i32,
    pub end_minute: i32,
    pub summary: &'a str,
    pub location: &'a str,
    /// Left out when empty.
    pub description: &'a str,
    pub cancelled: bool,
}

/// A calendar being written: CRLF line endings, long lines folded, text escaped.
pub struct Calendar {
    out: String,
    stamp: String,
    host: String,
}

impl Calendar {
    /// A calendar from `product` (`Lessons`, `Events`), named in calendar apps when `name`
    /// is given, its entries' ids qualified by `host`.
    pub fn new(product: &str, name: Option<&str>, host: &str, now: OffsetDateTime) -> Calendar {
        let mut c = Calendar {
            out: String::new(),
            stamp: format!(
                "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
                now.year(),
                now.month() as u8,
                now.day(),
                now.hour(),
                now.minute(),
                now.second()
            ),
            host: host.to_owned(),
        };
        c.line("BEGIN:VCALENDAR");
        c.line("VERSION:2.0");
        c.line(&format!("PRODID:-//Tutti//{product}//EN"));
        c.line("CALSCALE:GREGORIAN");
        c.line("METHOD:PUBLISH");
        if let Some(name) = name {
            c.line(&format!("X-WR-CALNAME:{}", escape(name)));
        }
        for l in LONDON {
            c.line(l);
        }
        c
    }

    /// Adds one entry, at hub time.
    pub fn entry(&mut self, e: &Entry<'_>) {
        let at = |minute: i32| {
            format!(
                "{:04}{:02}{:02}T{:02}{:02}00",
                e.date.year(),
                e.date.month() as u8,
                e.date.day(),
                minute / 60,
                minute % 60
            )
        };
        self.line("BEGIN:VEVENT");
        self.line(&format!("UID:{}@{}", e.uid, self.host));
        self.line(&format!("DTSTAMP:{}", self.stamp));
        self.line(&format!("DTSTART;TZID=Europe/London:{}", at(e.start_minute)));
        self.line(&format!("DTEND;TZID=Europe/London:{}", at(e.end_minute)));
        self.line(&format!("SUMMARY:{}", escape(e.summary)));
        self.line(&format!("LOCATION:{}", escape(e.location)));
        if !e.description.is_empty() {
            self.line(&format!("DESCRIPTION:{}", escape(e.description)));
        }
        self.line(if e.cancelled {
            "STATUS:CANCELLED"
        } else {
            "STATUS:CONFIRMED"
        });
        self.line("END:VEVENT");
    }

    /// The whole file.
    pub fn finish(mut self) -> String {
        self.line("END:VCALENDAR");
        self.out
    }

    fn line(&mut self, text: &str) {
        fold(&mut self.out, text);
    }
}

/// RFC 5545 TEXT escaping: backslash, semicolon, comma and newlines.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line, folded so that no line exceeds 75 octets (a continuation starts
/// with a space, which counts), never inside a UTF-8 character, ended by CRLF.
fn fold(out: &mut String, line: &str) {
    let mut used = 0;
    for c in line.chars() {
        if used + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += c.len_utf8();
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_at_75_octets_without_splitting_characters() {
        let mut out = String::new();
        let long = format!("DESCRIPTION:{}", "é".repeat(60));
        fold(&mut out, &long);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets", l.len());
        }
        let unfolded = out.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, long);
    }

    #[test]
    fn escapes_text() {
        assert_eq!(
            escape("St Mary's, Durham; Hall\\1\nRoom"),
            "St Mary's\\, Durham\\; Hall\\\\1\\nRoom"
        );
    }

    #[test]
    fn an_entry_is_at_hub_time_and_says_when_it_is_cancelled() {
        let now = time::macros::datetime!(2026-12-05 09:30:00 UTC);
        let mut cal = Calendar::new("Events", None, "hub.example", now);
        cal.entry(&Entry {
            uid: "event-1-session-2".into(),
            date: time::macros::date!(2026 - 12 - 12),
            start_minute: 14 * 60,
            end_minute: 15 * 60 + 30,
            summary: "Carol concert",
            location: "Town Hall",
            description: "",
            cancelled: true,
        });
        let text = cal.finish();
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n") && text.ends_with("END:VCALENDAR\r\n"));
        for line in [
            "UID:event-1-session-2@hub.example",
            "DTSTAMP:20261205T093000Z",
            "DTSTART;TZID=Europe/London:20261212T140000",
            "DTEND;TZID=Europe/London:20261212T153000",
            "STATUS:CANCELLED",
            "TZID:Europe/London",
        ] {
            assert!(text.contains(&format!("{line}\r\n")), "{line} in {text}");
        }
        assert!(!text.contains("DESCRIPTION:") && !text.contains("X-WR-CALNAME"));
    }
}
