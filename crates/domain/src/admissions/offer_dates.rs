//! The dates an office's offer starts from: answer by two weeks on (a working day), and
//! lessons from the next teaching day after that, by the hub's terms and closures.
use time::{Date, Duration, Month};

use crate::calendar::{AcademicYear, SchoolCalendar, default_term_dates, is_bank_holiday, is_weekday};

/// How long a family has to answer an offer, in days, before the date moves to a working day.
pub const OFFER_ANSWER_DAYS: i64 = 14;

/// How far ahead a start date is looked for before giving up on the calendar (over a year, so
/// a summer holiday and a missing term are always crossed).
const LOOK_AHEAD_DAYS: i64 = 400;

/// A day an office is open to hear an answer: a weekday that is not a bank holiday, and not
/// in the Christmas week (24 to 31 December), when nobody is there to read it.
pub fn is_working_day(date: Date) -> bool {
    let christmas_week = date.month() == Month::December && date.day() >= 24;
    is_weekday(date) && !is_bank_holiday(date) && !christmas_week
}

/// The first working day on or after `date` ([`is_working_day`]).
pub fn working_day_on_or_after(date: Date) -> Date {
    let mut day = date;
    while !is_working_day(day) {
        day += Duration::days(1);
    }
    day
}

/// The answer-by date an offer made on `today` starts with: [`OFFER_ANSWER_DAYS`] on, moved
/// to the next working day, so a family is never asked to answer on a Sunday or Christmas Day.
pub fn offer_answer_by_default(today: Date) -> Date {
    working_day_on_or_after(today + Duration::days(OFFER_ANSWER_DAYS))
}

/// The day an offer's lessons start by default: the first teaching day in `calendar` after
/// `answer_by` (strictly after, so a family has answered before the first lesson), skipping
/// weekends, half terms, holidays between terms, bank holidays, INSET days and closures.
/// Terms the calendar does not hold yet are taken from the default dates
/// ([`default_term_dates`]), so a hub that has not entered next year's dates still gets a
/// school day. Should the calendar give none within a year, the first working day after
/// `answer_by` is the answer.
pub fn offer_start_default(answer_by: Date, calendar: &SchoolCalendar) -> Date {
    let mut calendar = calendar.clone();
    let year = AcademicYear::containing(answer_by);
    for y in [year, year.next()] {
        let missing: Vec<_> = default_term_dates(y)
            .into_iter()
            .filter(|t| calendar.term(t.term).is_none())
            .collect();
        calendar.add_terms(missing);
    }
    (1..=LOOK_AHEAD_DAYS)
        .map(|n| answer_by + Duration::days(n))
        .find(|d| calendar.is_teaching_day(*d))
        .unwrap_or_else(|| working_day_on_or_after(answer_by + Duration::days(1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{DateRange, TermDates, TermId, TermName};
    use time::macros::date;

    fn hub_calendar() -> SchoolCalendar {
        let year = AcademicYear::starting(2026);
        let mut cal = SchoolCalendar::new(default_term_dates(year).to_vec());
        cal.add_terms(default_term_dates(year.next()));
        cal
    }

    #[test]
    fn answer_by_is_two_weeks_on_a_working_day() {
        // Friday 20 November + 14 days is Friday 4 December.
        assert_eq!(offer_answer_by_default(date!(2026 - 11 - 20)), date!(2026 - 12 - 04));
        // Saturday 21 November + 14 is a Saturday: Monday 7 December.
        assert_eq!(offer_answer_by_default(date!(2026 - 11 - 21)), date!(2026 - 12 - 07));
        // Friday 11 December + 14 is Christmas Day: not then, nor in the Christmas week.
        assert_eq!(offer_answer_by_default(date!(2026 - 12 - 11)), date!(2027 - 01 - 04));
        // Easter Monday 2027 is 29 March.
        assert_eq!(offer_answer_by_default(date!(2027 - 03 - 15)), date!(2027 - 03 - 30));
    }

    #[test]
    fn an_offer_starts_on_the_next_teaching_day_after_its_answer_date() {
        let cal = hub_calendar();
        // An ordinary Wednesday: lessons from Thursday, never the same day.
        assert_eq!(offer_start_default(date!(2026 - 10 - 07), &cal), date!(2026 - 10 - 08));
        // A Friday: over the weekend to Monday.
        assert_eq!(offer_start_default(date!(2026 - 10 - 09), &cal), date!(2026 - 10 - 12));
        // The Friday before half term (26 to 30 October 2026): after it.
        assert_eq!(offer_start_default(date!(2026 - 10 - 23), &cal), date!(2026 - 11 - 02));
        // Answer by the end of term: never Christmas Day; the spring term's first day.
        let start = offer_start_default(date!(2026 - 12 - 18), &cal);
        assert_eq!(start, date!(2027 - 01 - 04));
        assert_ne!(start, date!(2026 - 12 - 25));
        // Answer by in the holiday itself.
        assert_eq!(offer_start_default(date!(2026 - 12 - 24), &cal), date!(2027 - 01 - 04));
    }

    #[test]
    fn closures_and_inset_days_are_skipped() {
        let mut cal = hub_calendar();
        cal.add_closure(date!(2026 - 10 - 08));
        cal.add_inset_day(date!(2026 - 10 - 09));
        assert_eq!(offer_start_default(date!(2026 - 10 - 07), &cal), date!(2026 - 10 - 12));
    }

    #[test]
    fn the_hubs_own_dates_win_and_missing_years_use_the_defaults() {
        // The hub's spring term starts late, on Wednesday 6 January 2027.
        let year = AcademicYear::starting(2026);
        let mut cal = hub_calendar();
        cal.add_terms([TermDates {
            term: TermId::new(year, TermName::Spring),
            dates: DateRange::new(date!(2027 - 01 - 06), date!(2027 - 03 - 19)).unwrap(),
            half_term: DateRange::new(date!(2027 - 02 - 15), date!(2027 - 02 - 19)).unwrap(),
        }]);
        assert_eq!(offer_start_default(date!(2026 - 12 - 18), &cal), date!(2027 - 01 - 06));
        // No saved dates at all: the default terms still give a school day.
        let empty = SchoolCalendar::default();
        assert_eq!(
            offer_start_default(date!(2026 - 12 - 18), &empty),
            date!(2027 - 01 - 04)
        );
        // Summer holidays: the first day of the autumn term.
        let autumn = default_term_dates(AcademicYear::starting(2027))[0].dates.first;
        assert_eq!(offer_start_default(date!(2027 - 07 - 23), &empty), autumn);
    }
}
