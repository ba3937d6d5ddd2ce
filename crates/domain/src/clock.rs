//! UK civil time: the hub works in Europe/London, so "today" and every time shown to a person
//! is London's, while instants are stored in UTC.
//!
//! The rule is fixed by law (Summer Time Order 2002): British Summer Time, UTC+1, runs from
//! 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October. Writing it
//! here keeps a time-zone database out of the binary.
//!
//! The hub's "now" comes from a `Clock` injected into the store, so that a test can say
//! "on 1 September" and mean it on any day of the year.

use std::sync::{Arc, Mutex};

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};

/// Where the hub's "now" comes from: the system's clock, or an instant a test has set and
/// moves by hand. Cheap to clone; clones of a set clock share its instant.
#[derive(Clone, Debug, Default)]
pub struct Clock(Option<Arc<Mutex<OffsetDateTime>>>);

impl Clock {
    /// The operating system's clock.
    pub fn system() -> Self {
        Clock(None)
    }

    /// A clock standing still at `at` until it is set again.
    pub fn fixed(at: OffsetDateTime) -> Self {
        Clock(Some(Arc::new(Mutex::new(at))))
    }

    /// A clock standing at noon, London time, on `day`.
    pub fn on(day: Date) -> Self {
        Self::fixed(noon_in_london(day))
    }

    /// Moves a fixed clock to `at`; the system's clock cannot be moved.
    pub fn set(&self, at: OffsetDateTime) {
        if let Some(held) = &self.0 {
            *held.lock().unwrap_or_else(|e| e.into_inner()) = at;
        }
    }

    /// Moves a fixed clock on by `by`.
    pub fn advance(&self, by: time::Duration) {
        if let Some(held) = &self.0 {
            let mut at = held.lock().unwrap_or_else(|e| e.into_inner());
            *at += by;
        }
    }

    pub fn is_fixed(&self) -> bool {
        self.0.is_some()
    }

    /// The current instant in UTC, truncated to microseconds: PostgreSQL keeps no more, and
    /// a value read back must compare equal to the value written.
    pub fn now(&self) -> OffsetDateTime {
        let t = match &self.0 {
            Some(held) => *held.lock().unwrap_or_else(|e| e.into_inner()),
            None => OffsetDateTime::now_utc(),
        };
        t.replace_nanosecond(t.nanosecond() / 1000 * 1000).unwrap_or(t)
    }

    /// Today's date in London, the hub's "today": a register marked at 00:30 BST belongs to
    /// the new day, not to yesterday as UTC would say.
    pub fn today(&self) -> Date {
        london_date(self.now())
    }
}

/// Noon in London on `day`, as an instant.
pub fn noon_in_london(day: Date) -> OffsetDateTime {
    let noon = PrimitiveDateTime::new(day, Time::from_hms(12, 0, 0).expect("noon is a time"));
    let guess = noon.assume_utc();
    noon.assume_offset(uk_offset(guess))
}

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
    fn a_set_clock_says_the_day_it_was_set_to_and_moves_when_told() {
        let clock = Clock::on(time::macros::date!(2026 - 09 - 01));
        assert_eq!(clock.today(), time::macros::date!(2026 - 09 - 01));
        assert_eq!(in_london(clock.now()).hour(), 12);
        let shared = clock.clone();
        shared.advance(time::Duration::days(1));
        assert_eq!(clock.today(), time::macros::date!(2026 - 09 - 02));
        clock.set(datetime!(2026-12-24 23:30:00 UTC));
        assert_eq!(shared.today(), time::macros::date!(2026 - 12 - 24));
        assert!(!Clock::system().is_fixed());
    }

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
