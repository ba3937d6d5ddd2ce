//! Teaching over a video call (webcam lessons and the Virtual Music Centre): what a joining
//! link may be, and when the people in a session see it.
use time::Date;

/// How long before an online session starts its members see the joining link.
pub const JOIN_EARLY_MINUTES: u16 = 30;

/// The longest joining link kept: video services' links are far shorter.
pub const MAX_LINK_LENGTH: usize = 500;

/// Is an online session on `day` from `start` to `end` (minutes after midnight) open to join
/// at `now_minute` on `today`: from a short time before it starts until it ends. The link is
/// not shown earlier so that it is not passed around before the session.
pub fn joining_open(day: Date, start: u16, end: u16, today: Date, now_minute: u16) -> bool {
    day == today && now_minute + JOIN_EARLY_MINUTES >= start && now_minute < end
}

/// Why a joining link was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LinkRefusal {
    #[error("An online lesson needs its joining link (the video call's address).")]
    Missing,
    #[error("Enter the joining link as a full web address starting with https://.")]
    NotHttps,
    #[error("Keep the joining link to 500 characters or fewer.")]
    TooLong,
}

/// The joining link of an online session, trimmed: any video service's `https://` address.
/// Required when the session is online; an offline session keeps none.
pub fn joining_link(online: bool, link: &str) -> Result<Option<String>, LinkRefusal> {
    let link = link.trim();
    if !online {
        return Ok(None);
    }
    if link.is_empty() {
        return Err(LinkRefusal::Missing);
    }
    if link.len() > MAX_LINK_LENGTH {
        return Err(LinkRefusal::TooLong);
    }
    let host = link
        .strip_prefix("https://")
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or(""))
        .unwrap_or("");
    let valid_host = !host.is_empty()
        && host.contains('.')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    if !valid_host || link.chars().any(char::is_whitespace) {
        return Err(LinkRefusal::NotHttps);
    }
    Ok(Some(link.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_joining_link_opens_a_short_time_before() {
        let day = date!(2026 - 09 - 16);
        assert!(!joining_open(day, 18 * 60, 19 * 60, day, 17 * 60 + 29));
        assert!(joining_open(day, 18 * 60, 19 * 60, day, 17 * 60 + 30));
        assert!(joining_open(day, 18 * 60, 19 * 60, day, 18 * 60 + 59));
        assert!(!joining_open(day, 18 * 60, 19 * 60, day, 19 * 60));
        assert!(!joining_open(day, 18 * 60, 19 * 60, date!(2026 - 09 - 15), 18 * 60));
    }

    #[test]
    fn a_joining_link_is_an_https_address() {
        assert_eq!(
            joining_link(true, "  https://meet.example.org/abc-def?pwd=1 "),
            Ok(Some("https://meet.example.org/abc-def?pwd=1".into()))
        );
        assert_eq!(joining_link(true, ""), Err(LinkRefusal::Missing));
        assert_eq!(
            joining_link(true, "http://meet.example.org/x"),
            Err(LinkRefusal::NotHttps)
        );
        assert_eq!(joining_link(true, "https:///x"), Err(LinkRefusal::NotHttps));
        assert_eq!(joining_link(true, "https://localhost/x"), Err(LinkRefusal::NotHttps));
        assert_eq!(joining_link(true, "javascript:alert(1)"), Err(LinkRefusal::NotHttps));
        assert_eq!(joining_link(true, "https://a.b/c d"), Err(LinkRefusal::NotHttps));
        let long = format!("https://meet.example.org/{}", "x".repeat(500));
        assert_eq!(joining_link(true, &long), Err(LinkRefusal::TooLong));
        // Offline: whatever was typed is not kept.
        assert_eq!(joining_link(false, "https://meet.example.org/x"), Ok(None));
    }
}
