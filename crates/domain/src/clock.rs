//! UK civil time: the hub works in Europe/London, so "today" and every time shown to a person
//! is London's, while instants are stored in UTC.
//!
//! The rule is fixed by law (Summer Time Order 2002): British Summer Time, UTC+1, runs from
//! 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October. Writing it
//! here keeps a time-zone database out of the binary.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};

/// The last Sunday of `month` in `year`.
fn last_sunday(year: i32, month: Month) -> Date {
    let next = match month.next() {
        Month::January => Date::from_calendar_date(year + 1, Month::January, 1),
        m => Date::from_calendar_date(year, m, 1),
    }
    .expect("the first of a month exists");
    let mut day = next.previous_day().expect("a month has a day before it");
    while day.weekday() != Weekday::Sunday {
        day = day.previous_day().expect("a Sunday lies within a week");
    }
    day
}

/// London's offset from UTC at the instant `at`: +1 h in British Summer Time, else zero.
pub fn uk_offset(at: OffsetDateTime) -> UtcOffset {
    let utc = at.to_offset(UtcOffset::UTC);
    let year = utc.year();
    let one_am = Time::from_hms(1, 0, 0).expect("01:00 is a time");
    let starts = PrimitiveDateTime::new(last_sunday(year, Month::March), one_am).assume_utc();
    let ends = PrimitiveDateTime::new(last_sunday(year, Month::October), one_am).assume_utc();
    if utc >= starts && utc < ends {
        UtcOffset::from_hms(1, 0, 0).expect("one hour is an offset")
    } else {
        UtcOffset::UTC
    }
}

/// The instant `at` as London's wall-clock time.
pub fn in_london(at: OffsetDateTime) -> OffsetDateTime {
    at.to_offset(uk_offset(at))
}

/// The date in London at the instant `at`.
pub fn london_date(at: OffsetDateTime) -> Date {
    in_london(at).date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn summer_time_starts_and_ends_at_one_in_the_morning_utc() {
        // 2026: BST from 29 March to 25 October.
        assert_eq!(uk_offset(datetime!(2026-03-29 00:59:59 UTC)).whole_hours(), 0);
        assert_eq!(uk_offset(datetime!(2026-03-29 01:00:00 UTC)).whole_hours(), 1);
        assert_eq!(uk_offset(datetime!(2026-10-25 00:59:59 UTC)).whole_hours(), 1);
        assert_eq!(uk_offset(datetime!(2026-10-25 01:00:00 UTC)).whole_hours(), 0);
        assert_eq!(uk_offset(datetime!(2026-12-31 23:00:00 UTC)).whole_hours(), 0);
    }

    #[test]
    fn london_date_turns_over_at_london_midnight() {
        // 23:30 UTC on 1 June is 00:30 on 2 June in London.
        assert_eq!(
            london_date(datetime!(2026-06-01 23:30 UTC)),
            time::macros::date!(2026 - 06 - 02)
        );
        // In winter London is UTC.
        assert_eq!(
            london_date(datetime!(2026-12-01 23:30 UTC)),
            time::macros::date!(2026 - 12 - 01)
        );
        assert_eq!(in_london(datetime!(2026-07-01 12:00 UTC)).hour(), 13);
    }

    #[test]
    fn last_sundays_are_found_in_any_year() {
        assert_eq!(last_sunday(2027, Month::March), time::macros::date!(2027 - 03 - 28));
        assert_eq!(last_sunday(2027, Month::October), time::macros::date!(2027 - 10 - 31));
        assert_eq!(last_sunday(2026, Month::December), time::macros::date!(2026 - 12 - 27));
    }
}
