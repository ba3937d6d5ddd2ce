//! The school year: academic years, terms and half-terms, bank holidays, INSET days and closures, teaching days, year groups and key stages.
//!
//! Everything here is in England's terms. An academic year runs from 1 September to
//! 31 August and is written "2026-27"; it has three terms, each with a half-term break.
//! A [`SchoolCalendar`] holds one school's (or one local authority's) term dates with its
//! INSET days and closures, and answers which days are teaching days. England and Wales
//! bank holidays are computed for any year by [`bank_holidays`].

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month, Weekday};

use crate::serde_formats;

/// Why a calendar value could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// Not an academic year like "2026-27".
    #[error("Enter an academic year like 2026-27")]
    AcademicYear,
    /// Not a term like "2026-autumn".
    #[error("Enter a term like 2026-autumn, 2027-spring or 2027-summer")]
    Term,
    /// Not a year group.
    #[error("Enter a year group: Nursery, Reception, or a year from 1 to 13")]
    YearGroup,
    /// A date range whose end is before its start.
    #[error("The last date must be on or after the first date")]
    BackwardsRange,
}

// ---------------------------------------------------------------------------------------------
// Date helpers

/// The first `weekday` on or after `date`.
pub fn on_or_after(date: Date, weekday: Weekday) -> Date {
    if date.weekday() == weekday {
        date
    } else {
        date.next_occurrence(weekday)
    }
}

/// The last `weekday` on or before `date`.
pub fn on_or_before(date: Date, weekday: Weekday) -> Date {
    if date.weekday() == weekday {
        date
    } else {
        date.prev_occurrence(weekday)
    }
}

/// True for Monday to Friday.
pub fn is_weekday(date: Date) -> bool {
    !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

fn ymd(year: i32, month: Month, day: u8) -> Date {
    Date::from_calendar_date(year, month, day).expect("a valid calendar date")
}

/// An inclusive run of dates, `first` to `last`. Serialised as `{"first": "2026-10-26", "last": "2026-10-30"}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DateRange {
    /// The first date in the range.
    #[serde(with = "serde_formats::date")]
    pub first: Date,
    /// The last date in the range (included).
    #[serde(with = "serde_formats::date")]
    pub last: Date,
}

impl DateRange {
    /// A range from `first` to `last`, both included.
    pub fn new(first: Date, last: Date) -> Result<DateRange, CalendarError> {
        if last < first {
            Err(CalendarError::BackwardsRange)
        } else {
            Ok(DateRange { first, last })
        }
    }

    /// True if `date` is in the range.
    pub fn contains(&self, date: Date) -> bool {
        self.first <= date && date <= self.last
    }

    /// Every date in the range, in order.
    pub fn days(&self) -> impl Iterator<Item = Date> + use<> {
        let last = self.last;
        std::iter::successors(Some(self.first), move |d| d.next_day().filter(|next| *next <= last))
    }

    /// How many days the range covers.
    pub fn len_days(&self) -> i64 {
        (self.last - self.first).whole_days() + 1
    }
}

// ---------------------------------------------------------------------------------------------
// Academic years and terms

/// An academic year, 1 September to 31 August, written "2026-27". Holds the year it starts in.
/// Serialised as "2026-27".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AcademicYear(i32);

impl AcademicYear {
    /// The academic year starting in September of `start_year`.
    pub const fn starting(start_year: i32) -> AcademicYear {
        AcademicYear(start_year)
    }

    /// The academic year a date falls in (September starts a new one; August ends one).
    pub fn containing(date: Date) -> AcademicYear {
        if u8::from(date.month()) >= 9 {
            AcademicYear(date.year())
        } else {
            AcademicYear(date.year() - 1)
        }
    }

    /// The calendar year it starts in: 2026 for 2026-27.
    pub const fn start_year(self) -> i32 {
        self.0
    }

    /// 1 September.
    pub fn first_day(self) -> Date {
        ymd(self.0, Month::September, 1)
    }

    /// 31 August of the following calendar year.
    pub fn last_day(self) -> Date {
        ymd(self.0 + 1, Month::August, 31)
    }

    /// The year after.
    pub const fn next(self) -> AcademicYear {
        AcademicYear(self.0 + 1)
    }

    /// The year before.
    pub const fn previous(self) -> AcademicYear {
        AcademicYear(self.0 - 1)
    }

    /// Its three terms in order.
    pub fn terms(self) -> [TermId; 3] {
        TermName::ALL.map(|name| TermId { year: self, name })
    }

    /// Reads "2026-27", "2026/27" or "2026-2027".
    pub fn parse(text: &str) -> Result<AcademicYear, CalendarError> {
        let t = text.trim();
        let (start, end) = t.split_once(['-', '/']).ok_or(CalendarError::AcademicYear)?;
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if start.len() != 4 || !digits(start) || !digits(end) {
            return Err(CalendarError::AcademicYear);
        }
        let start: i32 = start.parse().map_err(|_| CalendarError::AcademicYear)?;
        let next = start + 1;
        let end_ok = match end.len() {
            2 => end.parse::<i32>().ok() == Some(next % 100),
            4 => end.parse::<i32>().ok() == Some(next),
            _ => false,
        };
        if end_ok {
            Ok(AcademicYear(start))
        } else {
            Err(CalendarError::AcademicYear)
        }
    }
}

impl fmt::Display for AcademicYear {
    /// "2026-27". The start year has four digits, as [`AcademicYear::parse`] reads it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.0, (self.0 + 1).rem_euclid(100))
    }
}

impl FromStr for AcademicYear {
    type Err = CalendarError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AcademicYear::parse(s)
    }
}

impl TryFrom<String> for AcademicYear {
    type Error = CalendarError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        AcademicYear::parse(&value)
    }
}

impl From<AcademicYear> for String {
    fn from(value: AcademicYear) -> String {
        value.to_string()
    }
}

/// One of the three terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TermName {
    /// September to December.
    Autumn,
    /// January to Easter.
    Spring,
    /// Easter to July.
    Summer,
}

impl TermName {
    /// The three terms in order.
    pub const ALL: [TermName; 3] = [TermName::Autumn, TermName::Spring, TermName::Summer];

    /// "autumn", "spring" or "summer".
    pub fn as_str(self) -> &'static str {
        match self {
            TermName::Autumn => "autumn",
            TermName::Spring => "spring",
            TermName::Summer => "summer",
        }
    }

    /// 0, 1 or 2.
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for TermName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One term of one academic year, identified as "2026-autumn", "2027-spring", "2027-summer".
///
/// The year in the identifier is the calendar year the term falls in, so the spring and
/// summer terms of 2026-27 are "2027-spring" and "2027-summer". "2026-27-spring" is read too.
/// Serialised as the identifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TermId {
    /// The academic year.
    pub year: AcademicYear,
    /// Which term.
    pub name: TermName,
}

impl TermId {
    /// The term `name` of academic year `year`.
    pub const fn new(year: AcademicYear, name: TermName) -> TermId {
        TermId { year, name }
    }

    /// The calendar year the term falls in (the number in its identifier).
    pub fn calendar_year(self) -> i32 {
        match self.name {
            TermName::Autumn => self.year.start_year(),
            TermName::Spring | TermName::Summer => self.year.start_year() + 1,
        }
    }

    /// The term as a heading or a table cell says it: "Autumn 2026", "Spring 2027" (read back
    /// by [`TermId::parse`]).
    pub fn title(self) -> String {
        let name = self.name.as_str();
        let mut chars = name.chars();
        let first = chars.next().map(|c| c.to_ascii_uppercase()).unwrap_or_default();
        format!("{first}{} {}", chars.as_str(), self.calendar_year())
    }

    /// The term as people say it: "the autumn term 2026", "the spring term 2027".
    pub fn label(self) -> String {
        format!("the {} term {}", self.name, self.calendar_year())
    }

    /// The term after this one (summer is followed by the next year's autumn).
    pub fn next(self) -> TermId {
        match self.name {
            TermName::Autumn => TermId::new(self.year, TermName::Spring),
            TermName::Spring => TermId::new(self.year, TermName::Summer),
            TermName::Summer => TermId::new(self.year.next(), TermName::Autumn),
        }
    }

    /// The term before this one.
    pub fn previous(self) -> TermId {
        match self.name {
            TermName::Autumn => TermId::new(self.year.previous(), TermName::Summer),
            TermName::Spring => TermId::new(self.year, TermName::Autumn),
            TermName::Summer => TermId::new(self.year, TermName::Spring),
        }
    }

    /// Reads "2026-autumn", "2027-spring", "2027-summer" or "2026-27-spring" (any case), or
    /// the term as pages show it, "Autumn 2026" ([`TermId::title`]).
    pub fn parse(text: &str) -> Result<TermId, CalendarError> {
        let mut t = text.trim().to_ascii_lowercase();
        // "Autumn 2026" is "2026-autumn" written the way people say it.
        if let Some((name, year)) = t.split_once(' ')
            && ["autumn", "spring", "summer"].contains(&name)
        {
            t = format!("{}-{name}", year.trim());
        }
        let (year_part, name_part) = t.rsplit_once(['-', ' ']).ok_or(CalendarError::Term)?;
        let name = match name_part {
            "autumn" => TermName::Autumn,
            "spring" => TermName::Spring,
            "summer" => TermName::Summer,
            _ => return Err(CalendarError::Term),
        };
        if year_part.len() == 4 && year_part.chars().all(|c| c.is_ascii_digit()) {
            let calendar_year: i32 = year_part.parse().map_err(|_| CalendarError::Term)?;
            let start_year = match name {
                TermName::Autumn => calendar_year,
                _ => calendar_year - 1,
            };
            Ok(TermId::new(AcademicYear(start_year), name))
        } else {
            let year = AcademicYear::parse(year_part).map_err(|_| CalendarError::Term)?;
            Ok(TermId::new(year, name))
        }
    }
}

impl fmt::Display for TermId {
    /// "2026-autumn".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.calendar_year(), self.name)
    }
}

impl FromStr for TermId {
    type Err = CalendarError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TermId::parse(s)
    }
}

impl TryFrom<String> for TermId {
    type Error = CalendarError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        TermId::parse(&value)
    }
}

impl From<TermId> for String {
    fn from(value: TermId) -> String {
        value.to_string()
    }
}

/// The dates of one term: its first and last day and its half-term break.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TermDates {
    /// Which term.
    pub term: TermId,
    /// First and last day of the term (the last day is included).
    pub dates: DateRange,
    /// The half-term break, inside the term.
    pub half_term: DateRange,
}

impl TermDates {
    /// True if `date` falls between the term's first and last day (half-term included).
    pub fn contains(&self, date: Date) -> bool {
        self.dates.contains(date)
    }

    /// True if `date` is in the first half: before the half-term break starts.
    pub fn is_first_half(&self, date: Date) -> bool {
        self.contains(date) && date < self.half_term.first
    }

    /// The first day after half-term: where the second half starts.
    pub fn second_half_start(&self) -> Date {
        self.half_term.last.next_day().unwrap_or(self.half_term.last)
    }
}

// ---------------------------------------------------------------------------------------------
// Bank holidays

/// Easter Sunday in the Gregorian calendar (the anonymous Gregorian computus).
///
/// 2025-04-20, 2026-04-05, 2027-03-28.
pub fn easter_sunday(year: i32) -> Date {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    let month = if month == 3 { Month::March } else { Month::April };
    ymd(year, month, day as u8)
}

/// A bank holiday in England and Wales.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankHoliday {
    /// The day it is observed (a substitute weekday if the holiday falls at a weekend).
    #[serde(with = "serde_formats::date")]
    pub date: Date,
    /// Its name, "Christmas Day (substitute day)" when moved.
    pub name: String,
}

/// The bank holidays of England and Wales in calendar year `year`, in date order.
///
/// New Year's Day, Good Friday, Easter Monday, early May (first Monday of May), spring
/// (last Monday of May), summer (last Monday of August), Christmas Day and Boxing Day.
/// When New Year's Day, Christmas Day or Boxing Day falls at a weekend, the next weekday not
/// already a holiday is the substitute. The one-off changes made by proclamation since 1995
/// (moved early-May and spring holidays, jubilees, royal weddings, the coronation, the state
/// funeral) are included; future one-offs are not knowable and are added as closures.
pub fn bank_holidays(year: i32) -> Vec<BankHoliday> {
    let mut holidays: Vec<BankHoliday> = Vec::new();
    let add = |holidays: &mut Vec<BankHoliday>, date: Date, name: &str| {
        holidays.push(BankHoliday {
            date,
            name: name.to_string(),
        })
    };

    let easter = easter_sunday(year);
    add(&mut holidays, easter - Duration::days(2), "Good Friday");
    add(&mut holidays, easter + Duration::days(1), "Easter Monday");

    let first_may_monday = on_or_after(ymd(year, Month::May, 1), Weekday::Monday);
    let last_may_monday = on_or_before(ymd(year, Month::May, 31), Weekday::Monday);
    let last_august_monday = on_or_before(ymd(year, Month::August, 31), Weekday::Monday);
    match year {
        1995 | 2020 => add(
            &mut holidays,
            ymd(year, Month::May, 8),
            "Early May bank holiday (VE day)",
        ),
        _ => add(&mut holidays, first_may_monday, "Early May bank holiday"),
    }
    match year {
        2002 => add(&mut holidays, ymd(2002, Month::June, 4), "Spring bank holiday"),
        2012 => add(&mut holidays, ymd(2012, Month::June, 4), "Spring bank holiday"),
        2022 => add(&mut holidays, ymd(2022, Month::June, 2), "Spring bank holiday"),
        _ => add(&mut holidays, last_may_monday, "Spring bank holiday"),
    }
    add(&mut holidays, last_august_monday, "Summer bank holiday");
    match year {
        1999 => add(&mut holidays, ymd(1999, Month::December, 31), "Millennium celebrations"),
        2002 => add(&mut holidays, ymd(2002, Month::June, 3), "Golden Jubilee"),
        2011 => add(&mut holidays, ymd(2011, Month::April, 29), "Royal wedding"),
        2012 => add(&mut holidays, ymd(2012, Month::June, 5), "Diamond Jubilee"),
        2022 => {
            add(&mut holidays, ymd(2022, Month::June, 3), "Platinum Jubilee");
            add(
                &mut holidays,
                ymd(2022, Month::September, 19),
                "State funeral of Queen Elizabeth II",
            );
        }
        2023 => add(
            &mut holidays,
            ymd(2023, Month::May, 8),
            "Coronation of King Charles III",
        ),
        _ => {}
    }

    // Fixed-date holidays: those on weekdays keep their day; weekend ones move to the next
    // weekday not already taken, in order (so Christmas on a Saturday moves to Monday and
    // Boxing Day on the Sunday to Tuesday).
    let fixed = [
        (ymd(year, Month::January, 1), "New Year's Day"),
        (ymd(year, Month::December, 25), "Christmas Day"),
        (ymd(year, Month::December, 26), "Boxing Day"),
    ];
    let mut taken: BTreeSet<Date> = holidays.iter().map(|h| h.date).collect();
    for (date, _) in fixed {
        if is_weekday(date) {
            taken.insert(date);
        }
    }
    for (date, name) in fixed {
        if is_weekday(date) {
            add(&mut holidays, date, name);
        } else {
            let mut substitute = date;
            while !is_weekday(substitute) || taken.contains(&substitute) {
                substitute = substitute.next_day().expect("a date in range");
            }
            taken.insert(substitute);
            add(&mut holidays, substitute, &format!("{name} (substitute day)"));
        }
    }
    holidays.sort_by_key(|h| h.date);
    holidays
}

/// True if `date` is a bank holiday in England and Wales.
pub fn is_bank_holiday(date: Date) -> bool {
    bank_holidays(date.year()).iter().any(|h| h.date == date)
}

// ---------------------------------------------------------------------------------------------
// School calendars

/// One school's year or years: term dates with half-terms, INSET days and closures.
/// Bank holidays are always taken out of teaching days.
///
/// A school follows its local authority's calendar unless it has its own dates: build the
/// authority's with [`SchoolCalendar::local_authority_default`] (or from its published
/// dates), then copy it for a school and add the school's INSET days and closures.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolCalendar {
    /// Term dates, in order.
    pub terms: Vec<TermDates>,
    /// Staff training days: the school is open but there are no pupils, so no lessons.
    #[serde(with = "serde_formats::date_set")]
    pub inset_days: BTreeSet<Date>,
    /// Other days with no lessons: snow days, polling days, the school's own closures.
    #[serde(with = "serde_formats::date_set")]
    pub closures: BTreeSet<Date>,
}

impl SchoolCalendar {
    /// A calendar with these term dates and no INSET days or closures.
    pub fn new(mut terms: Vec<TermDates>) -> SchoolCalendar {
        terms.sort_by_key(|t| t.dates.first);
        SchoolCalendar {
            terms,
            inset_days: BTreeSet::new(),
            closures: BTreeSet::new(),
        }
    }

    /// A calendar like an English local authority's for one academic year; see
    /// [`default_term_dates`].
    pub fn local_authority_default(year: AcademicYear) -> SchoolCalendar {
        SchoolCalendar::new(default_term_dates(year).to_vec())
    }

    /// Adds another academic year's terms (for example the next year's, once published).
    pub fn add_terms(&mut self, terms: impl IntoIterator<Item = TermDates>) {
        for term in terms {
            self.terms.retain(|t| t.term != term.term);
            self.terms.push(term);
        }
        self.terms.sort_by_key(|t| t.dates.first);
    }

    /// Marks an INSET day.
    pub fn add_inset_day(&mut self, date: Date) {
        self.inset_days.insert(date);
    }

    /// Marks a closure.
    pub fn add_closure(&mut self, date: Date) {
        self.closures.insert(date);
    }

    /// The dates of one term, if the calendar has it.
    pub fn term(&self, term: TermId) -> Option<&TermDates> {
        self.terms.iter().find(|t| t.term == term)
    }

    /// The term a date falls in (half-term counts as inside the term), if any.
    pub fn term_containing(&self, date: Date) -> Option<&TermDates> {
        self.terms.iter().find(|t| t.contains(date))
    }

    /// The first term that starts on or after `date`, or contains it.
    pub fn term_on_or_after(&self, date: Date) -> Option<&TermDates> {
        self.terms.iter().find(|t| t.dates.last >= date)
    }

    /// True if lessons can happen on `date`: a weekday inside a term, not in half-term, not a
    /// bank holiday, INSET day or closure.
    pub fn is_teaching_day(&self, date: Date) -> bool {
        self.term_containing(date).is_some_and(|term| {
            is_weekday(date)
                && !term.half_term.contains(date)
                && !self.inset_days.contains(&date)
                && !self.closures.contains(&date)
                && !is_bank_holiday(date)
        })
    }

    /// Every teaching day of a term, in order. Empty if the calendar lacks the term.
    pub fn teaching_days(&self, term: TermId) -> Vec<Date> {
        let Some(dates) = self.term(term) else {
            return Vec::new();
        };
        let holidays: BTreeSet<Date> = (dates.dates.first.year()..=dates.dates.last.year())
            .flat_map(bank_holidays)
            .map(|h| h.date)
            .collect();
        dates
            .dates
            .days()
            .filter(|&d| {
                is_weekday(d)
                    && !dates.half_term.contains(d)
                    && !holidays.contains(&d)
                    && !self.inset_days.contains(&d)
                    && !self.closures.contains(&d)
            })
            .collect()
    }

    /// The teaching days of a term that fall on `weekday`: the dates of a weekly lesson.
    pub fn weekday_dates(&self, term: TermId, weekday: Weekday) -> Vec<Date> {
        self.teaching_days(term)
            .into_iter()
            .filter(|d| d.weekday() == weekday)
            .collect()
    }

    /// The dates of a weekly lesson on `weekday` in a term, from `from` onwards (included).
    pub fn weekday_dates_from(&self, term: TermId, weekday: Weekday, from: Date) -> Vec<Date> {
        self.weekday_dates(term, weekday)
            .into_iter()
            .filter(|d| *d >= from)
            .collect()
    }

    /// The teaching days of a whole academic year, in order.
    pub fn teaching_days_in_year(&self, year: AcademicYear) -> Vec<Date> {
        year.terms().into_iter().flat_map(|t| self.teaching_days(t)).collect()
    }
}

/// Term dates that look like an English local authority's for `year`.
///
/// - Autumn: from the first weekday of September to the Friday on or before 20 December,
///   with half-term in the week of the last Monday of October.
/// - Spring: from the Monday on or after 2 January to the Friday before the Easter
///   holidays (the two weeks from the Monday before Easter Sunday), with half-term in the
///   week of the third Monday of February.
/// - Summer: from the Monday after Easter week, with half-term in the week of the spring
///   bank holiday (last Monday of May), ending when the year reaches 195 school days
///   (39 weeks), but never before 15 July nor after 24 July.
///
/// Bank holidays are taken out of school days. A school then marks its own INSET days
/// (usually 5 of the 195), leaving 190 days with pupils.
/// One term's dates in the default calendar.
pub fn default_dates_of(term: TermId) -> TermDates {
    let [autumn, spring, summer] = default_term_dates(term.year);
    match term.name {
        TermName::Autumn => autumn,
        TermName::Spring => spring,
        TermName::Summer => summer,
    }
}

pub fn default_term_dates(year: AcademicYear) -> [TermDates; 3] {
    let start = year.start_year();
    let next = start + 1;
    let week = |monday: Date| DateRange {
        first: monday,
        last: monday + Duration::days(4),
    };

    let autumn_start = {
        let first = ymd(start, Month::September, 1);
        if is_weekday(first) {
            first
        } else {
            on_or_after(first, Weekday::Monday)
        }
    };
    let autumn = TermDates {
        term: TermId::new(year, TermName::Autumn),
        dates: DateRange {
            first: autumn_start,
            last: on_or_before(ymd(start, Month::December, 20), Weekday::Friday),
        },
        half_term: week(on_or_before(ymd(start, Month::October, 31), Weekday::Monday)),
    };

    let easter = easter_sunday(next);
    let easter_holiday_monday = easter - Duration::days(6);
    let spring = TermDates {
        term: TermId::new(year, TermName::Spring),
        dates: DateRange {
            first: on_or_after(ymd(next, Month::January, 2), Weekday::Monday),
            last: easter_holiday_monday - Duration::days(3),
        },
        // The third Monday of February is the one from 15 to 21 February.
        half_term: week(on_or_after(ymd(next, Month::February, 15), Weekday::Monday)),
    };

    let summer_start = easter_holiday_monday + Duration::days(14);
    let summer_half_term = week(on_or_before(ymd(next, Month::May, 31), Weekday::Monday));
    let mut summer = TermDates {
        term: TermId::new(year, TermName::Summer),
        dates: DateRange {
            first: summer_start,
            last: ymd(next, Month::July, 15),
        },
        half_term: summer_half_term,
    };
    let calendar = SchoolCalendar::new(vec![autumn, spring, summer]);
    let days_before_summer = calendar.teaching_days(autumn.term).len()
        + calendar.teaching_days(spring.term).len()
        + calendar.teaching_days(summer.term).len();
    let mut remaining = 195usize.saturating_sub(days_before_summer);
    let latest = ymd(next, Month::July, 24);
    let mut last = summer.dates.last;
    while remaining > 0 && last < latest {
        last = last.next_day().expect("a date in range");
        if is_weekday(last) && !is_bank_holiday(last) {
            remaining -= 1;
        }
    }
    summer.dates.last = last;
    [autumn, spring, summer]
}

// ---------------------------------------------------------------------------------------------
// Year groups and key stages

/// A school year group in England, from Nursery (the year in which a child turns 4) to
/// Year 13. Written and serialised as "Nursery", "Reception", "Year 1" … "Year 13".
///
/// `Year(n)` holds n from 1 to 13; values outside that are never produced by this crate's
/// readers. Year groups order from youngest to oldest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum YearGroup {
    /// The year before Reception (children who turn 4 during it).
    Nursery,
    /// The first school year (children who turn 5 during it).
    Reception,
    /// Years 1 to 13.
    Year(u8),
}

/// Why a date of birth gives no school year group in a given academic year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OutOfSchoolAge {
    /// Too young even for Nursery.
    #[error("too young for school in that year")]
    TooYoung,
    /// Past Year 13.
    #[error("past Year 13 in that year")]
    TooOld,
}

impl YearGroup {
    /// A number for sorting and storing: Nursery −1, Reception 0, Year n is n.
    pub fn number(self) -> i8 {
        match self {
            YearGroup::Nursery => -1,
            YearGroup::Reception => 0,
            YearGroup::Year(n) => n as i8,
        }
    }

    /// The year group for a [`YearGroup::number`], if it is from −1 to 13.
    pub fn from_number(number: i8) -> Option<YearGroup> {
        match number {
            -1 => Some(YearGroup::Nursery),
            0 => Some(YearGroup::Reception),
            1..=13 => Some(YearGroup::Year(number as u8)),
            _ => None,
        }
    }

    /// Its key stage.
    pub fn key_stage(self) -> KeyStage {
        match self {
            YearGroup::Nursery | YearGroup::Reception => KeyStage::EarlyYears,
            YearGroup::Year(1..=2) => KeyStage::Ks1,
            YearGroup::Year(3..=6) => KeyStage::Ks2,
            YearGroup::Year(7..=9) => KeyStage::Ks3,
            YearGroup::Year(10..=11) => KeyStage::Ks4,
            YearGroup::Year(_) => KeyStage::Ks5,
        }
    }

    /// Reads "Nursery", "N", "Reception", "R", "Year 3", "Y3", "yr3", "3" (any case).
    pub fn parse(text: &str) -> Result<YearGroup, CalendarError> {
        let t: String = text
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        match t.as_str() {
            "n" | "nursery" | "n2" => return Ok(YearGroup::Nursery),
            "r" | "rec" | "reception" | "0" => return Ok(YearGroup::Reception),
            _ => {}
        }
        let number = t
            .strip_prefix("year")
            .or_else(|| t.strip_prefix("yr"))
            .or_else(|| t.strip_prefix('y'))
            .unwrap_or(&t);
        if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) || number.len() > 2 {
            return Err(CalendarError::YearGroup);
        }
        match number.parse::<u8>() {
            Ok(n @ 1..=13) => Ok(YearGroup::Year(n)),
            _ => Err(CalendarError::YearGroup),
        }
    }
}

impl fmt::Display for YearGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            YearGroup::Nursery => f.write_str("Nursery"),
            YearGroup::Reception => f.write_str("Reception"),
            YearGroup::Year(n) => write!(f, "Year {n}"),
        }
    }
}

impl FromStr for YearGroup {
    type Err = CalendarError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        YearGroup::parse(s)
    }
}

impl TryFrom<String> for YearGroup {
    type Error = CalendarError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        YearGroup::parse(&value)
    }
}

impl From<YearGroup> for String {
    fn from(value: YearGroup) -> String {
        value.to_string()
    }
}

/// The year group of a child born on `date_of_birth` during academic year `year`, by
/// England's rule: children born 1 September to 31 August form one cohort; they start
/// Reception in the September after they turn 4 (so they turn 5 in Reception), Nursery is
/// the year before, and Year n follows n years after Reception.
///
/// A child born 2019-03-10 turns 4 in March 2023, starts Reception in September 2023
/// (2023-24), and is in Year 3 in 2026-27.
pub fn year_group(date_of_birth: Date, year: AcademicYear) -> Result<YearGroup, OutOfSchoolAge> {
    let cohort = AcademicYear::containing(date_of_birth).start_year();
    match year.start_year() - cohort {
        ..=3 => Err(OutOfSchoolAge::TooYoung),
        4 => Ok(YearGroup::Nursery),
        5 => Ok(YearGroup::Reception),
        n @ 6..=18 => Ok(YearGroup::Year((n - 5) as u8)),
        _ => Err(OutOfSchoolAge::TooOld),
    }
}

/// A key stage of England's national curriculum, as the data return groups pupils.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyStage {
    /// Early Years Foundation Stage: Nursery and Reception.
    EarlyYears,
    /// Key stage 1: Years 1 and 2.
    Ks1,
    /// Key stage 2: Years 3 to 6.
    Ks2,
    /// Key stage 3: Years 7 to 9.
    Ks3,
    /// Key stage 4: Years 10 and 11.
    Ks4,
    /// Key stage 5 (sixth form): Years 12 and 13.
    Ks5,
}

impl fmt::Display for KeyStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyStage::EarlyYears => "Early Years",
            KeyStage::Ks1 => "Key stage 1",
            KeyStage::Ks2 => "Key stage 2",
            KeyStage::Ks3 => "Key stage 3",
            KeyStage::Ks4 => "Key stage 4",
            KeyStage::Ks5 => "Key stage 5",
        })
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_term_reads_as_people_say_it_and_back() {
        let autumn = TermId::parse("2026-autumn").unwrap();
        let spring = TermId::parse("2027-spring").unwrap();
        assert_eq!(autumn.title(), "Autumn 2026");
        assert_eq!(spring.title(), "Spring 2027");
        assert_eq!(spring.label(), "the spring term 2027");
        assert_eq!(TermId::parse("Autumn 2026"), Ok(autumn));
        assert_eq!(TermId::parse(" spring 2027 "), Ok(spring));
        assert_eq!(TermId::parse(&spring.title()), Ok(spring));
        assert!(TermId::parse("Winter 2026").is_err());
    }

    use super::*;
    use time::macros::date;

    #[test]
    fn easter_dates() {
        assert_eq!(easter_sunday(2024), date!(2024 - 03 - 31));
        assert_eq!(easter_sunday(2025), date!(2025 - 04 - 20));
        assert_eq!(easter_sunday(2026), date!(2026 - 04 - 05));
        assert_eq!(easter_sunday(2027), date!(2027 - 03 - 28));
        assert_eq!(easter_sunday(2019), date!(2019 - 04 - 21));
        assert_eq!(easter_sunday(2038), date!(2038 - 04 - 25));
        assert_eq!(easter_sunday(2285), date!(2285 - 03 - 22));
        assert_eq!(easter_sunday(2000), date!(2000 - 04 - 23));
    }

    fn dates(year: i32) -> Vec<Date> {
        bank_holidays(year).into_iter().map(|h| h.date).collect()
    }

    #[test]
    fn bank_holidays_england_and_wales() {
        assert_eq!(
            dates(2026),
            vec![
                date!(2026 - 01 - 01),
                date!(2026 - 04 - 03),
                date!(2026 - 04 - 06),
                date!(2026 - 05 - 04),
                date!(2026 - 05 - 25),
                date!(2026 - 08 - 31),
                date!(2026 - 12 - 25),
                date!(2026 - 12 - 28), // Boxing Day is a Saturday
            ]
        );
        assert_eq!(
            dates(2025),
            vec![
                date!(2025 - 01 - 01),
                date!(2025 - 04 - 18),
                date!(2025 - 04 - 21),
                date!(2025 - 05 - 05),
                date!(2025 - 05 - 26),
                date!(2025 - 08 - 25),
                date!(2025 - 12 - 25),
                date!(2025 - 12 - 26),
            ]
        );
        assert_eq!(
            dates(2027),
            vec![
                date!(2027 - 01 - 01),
                date!(2027 - 03 - 26),
                date!(2027 - 03 - 29),
                date!(2027 - 05 - 03),
                date!(2027 - 05 - 31),
                date!(2027 - 08 - 30),
                date!(2027 - 12 - 27), // Christmas Saturday
                date!(2027 - 12 - 28), // Boxing Day Sunday
            ]
        );
    }

    #[test]
    fn substitute_days_and_one_offs() {
        // 2022: New Year on Saturday, Christmas on Sunday, jubilee and funeral.
        let y2022 = dates(2022);
        assert!(y2022.contains(&date!(2022 - 01 - 03)));
        assert!(y2022.contains(&date!(2022 - 06 - 02)));
        assert!(y2022.contains(&date!(2022 - 06 - 03)));
        assert!(!y2022.contains(&date!(2022 - 05 - 30)));
        assert!(y2022.contains(&date!(2022 - 09 - 19)));
        assert!(y2022.contains(&date!(2022 - 12 - 26)));
        assert!(y2022.contains(&date!(2022 - 12 - 27)));
        assert_eq!(y2022.len(), 10);
        // 2023: New Year on Sunday, the coronation.
        assert!(dates(2023).contains(&date!(2023 - 01 - 02)));
        assert!(dates(2023).contains(&date!(2023 - 05 - 08)));
        // 2020: early May moved to VE day, a Friday; Boxing Day Saturday → Monday 28.
        assert!(dates(2020).contains(&date!(2020 - 05 - 08)));
        assert!(!dates(2020).contains(&date!(2020 - 05 - 04)));
        assert!(dates(2020).contains(&date!(2020 - 12 - 28)));
        let names: Vec<String> = bank_holidays(2027).into_iter().map(|h| h.name).collect();
        assert!(names.contains(&"Christmas Day (substitute day)".to_string()));
        assert!(is_bank_holiday(date!(2026 - 08 - 31)));
        assert!(!is_bank_holiday(date!(2026 - 09 - 01)));
    }

    #[test]
    fn academic_years_and_terms_read_and_write() {
        let year = AcademicYear::parse("2026-27").unwrap();
        assert_eq!(year.start_year(), 2026);
        assert_eq!(year.to_string(), "2026-27");
        assert_eq!(AcademicYear::parse("2026/27"), Ok(year));
        assert_eq!(AcademicYear::parse("2026-2027"), Ok(year));
        assert_eq!(AcademicYear::starting(2099).to_string(), "2099-00");
        // Found by fuzz/fuzz_targets/form_query.rs: parse reads a start year with leading
        // zeros, so writing must keep them or the text does not read back.
        let early = AcademicYear::parse("0226-27").unwrap();
        assert_eq!(early.to_string(), "0226-27");
        assert_eq!(AcademicYear::parse(&early.to_string()), Ok(early));
        for bad in ["2026-28", "2026", "26-27", "2026-7", "abcd-ef"] {
            assert_eq!(AcademicYear::parse(bad), Err(CalendarError::AcademicYear), "{bad}");
        }
        assert_eq!(AcademicYear::containing(date!(2026 - 09 - 01)), year);
        assert_eq!(AcademicYear::containing(date!(2027 - 08 - 31)), year);
        assert_eq!(AcademicYear::containing(date!(2026 - 08 - 31)), year.previous());

        let autumn = TermId::parse("2026-autumn").unwrap();
        assert_eq!(autumn, TermId::new(year, TermName::Autumn));
        let spring = TermId::parse("2027-spring").unwrap();
        assert_eq!(spring, TermId::new(year, TermName::Spring));
        assert_eq!(TermId::parse("2026-27-spring"), Ok(spring));
        assert_eq!(TermId::parse("2027-Summer").unwrap().to_string(), "2027-summer");
        assert_eq!(autumn.next(), spring);
        assert_eq!(autumn.previous().to_string(), "2026-summer");
        assert_eq!(spring.next().next().to_string(), "2027-autumn");
        assert_eq!(
            year.terms().map(|t| t.to_string()),
            ["2026-autumn", "2027-spring", "2027-summer"]
        );
        assert_eq!(TermId::parse("2026-winter"), Err(CalendarError::Term));
        assert_eq!(TermId::parse("autumn"), Err(CalendarError::Term));
        assert_eq!(serde_json::to_string(&autumn).unwrap(), "\"2026-autumn\"");
    }

    #[test]
    fn default_calendar_2026_27_looks_like_england() {
        let year = AcademicYear::starting(2026);
        let [autumn, spring, summer] = default_term_dates(year);
        assert_eq!(autumn.dates.first, date!(2026 - 09 - 01));
        assert_eq!(autumn.dates.last, date!(2026 - 12 - 18));
        assert_eq!(autumn.half_term.first, date!(2026 - 10 - 26));
        assert_eq!(autumn.half_term.last, date!(2026 - 10 - 30));
        assert_eq!(spring.dates.first, date!(2027 - 01 - 04));
        assert_eq!(spring.half_term.first, date!(2027 - 02 - 15));
        // Easter Sunday 28 March 2027: holidays 22 March to 2 April.
        assert_eq!(spring.dates.last, date!(2027 - 03 - 19));
        assert_eq!(summer.dates.first, date!(2027 - 04 - 05));
        assert_eq!(summer.half_term.first, date!(2027 - 05 - 31));
        assert!(summer.dates.last >= date!(2027 - 07 - 15));
        assert!(summer.dates.last <= date!(2027 - 07 - 24));

        let calendar = SchoolCalendar::local_authority_default(year);
        let days = calendar.teaching_days_in_year(year).len();
        assert_eq!(days, 195, "39 school weeks");
    }

    #[test]
    fn default_calendars_stay_near_39_weeks() {
        for start in 2020..2040 {
            let year = AcademicYear::starting(start);
            let calendar = SchoolCalendar::local_authority_default(year);
            let days = calendar.teaching_days_in_year(year).len();
            assert!((188..=197).contains(&days), "{year}: {days} days");
            for term in &calendar.terms {
                assert!(term.dates.contains(term.half_term.first), "{year}");
                assert!(term.dates.contains(term.half_term.last), "{year}");
                assert!(is_weekday(term.dates.first) && is_weekday(term.dates.last));
            }
        }
    }

    #[test]
    fn teaching_days_skip_half_term_holidays_inset_and_closures() {
        let year = AcademicYear::starting(2026);
        let mut calendar = SchoolCalendar::local_authority_default(year);
        let autumn = TermId::new(year, TermName::Autumn);
        // Tuesday 1 Sep to Friday 18 Dec 2026: 16 weeks less the Monday, 79 weekdays;
        // less the half-term week, 74.
        assert_eq!(calendar.teaching_days(autumn).len(), 74);
        calendar.add_inset_day(date!(2026 - 09 - 01));
        calendar.add_closure(date!(2026 - 11 - 26));
        let days = calendar.teaching_days(autumn);
        assert_eq!(days.len(), 72);
        assert_eq!(days[0], date!(2026 - 09 - 02));
        assert!(!calendar.is_teaching_day(date!(2026 - 10 - 27)));
        assert!(!calendar.is_teaching_day(date!(2026 - 11 - 26)));
        assert!(!calendar.is_teaching_day(date!(2026 - 09 - 05)));
        assert!(calendar.is_teaching_day(date!(2026 - 11 - 27)));
        // Summer term 2027: early May bank holiday Monday 3 May is not a teaching day.
        let summer = TermId::new(year, TermName::Summer);
        let mondays = calendar.weekday_dates(summer, Weekday::Monday);
        assert!(!mondays.contains(&date!(2027 - 05 - 03)));
        assert!(!mondays.contains(&date!(2027 - 05 - 31)));
        assert!(mondays.contains(&date!(2027 - 04 - 05)));
        let tuesdays = calendar.weekday_dates(autumn, Weekday::Tuesday);
        assert_eq!(tuesdays.len(), 14); // 16 Tuesdays, less INSET on the 1st and half-term
        assert_eq!(
            calendar
                .weekday_dates_from(autumn, Weekday::Tuesday, date!(2026 - 11 - 03))
                .len(),
            7
        );
        assert_eq!(
            calendar.term_containing(date!(2026 - 10 - 28)).map(|t| t.term),
            Some(autumn)
        );
        assert_eq!(calendar.term_containing(date!(2026 - 12 - 25)), None);
        assert_eq!(
            calendar.term_on_or_after(date!(2026 - 12 - 25)).map(|t| t.term),
            Some(TermId::new(year, TermName::Spring))
        );
    }

    #[test]
    fn year_groups_by_date_of_birth() {
        let y = AcademicYear::starting(2026);
        let cases = [
            // Born March 2019: Reception 2023-24, Year 1 2024-25, Year 2 2025-26, Year 3 2026-27.
            (date!(2019 - 03 - 10), Ok(YearGroup::Year(3))),
            (date!(2019 - 08 - 31), Ok(YearGroup::Year(3))),
            (date!(2019 - 09 - 01), Ok(YearGroup::Year(2))),
            (date!(2021 - 09 - 01), Ok(YearGroup::Reception)),
            (date!(2022 - 08 - 31), Ok(YearGroup::Reception)),
            (date!(2022 - 09 - 01), Ok(YearGroup::Nursery)),
            (date!(2023 - 09 - 01), Err(OutOfSchoolAge::TooYoung)),
            (date!(2015 - 01 - 15), Ok(YearGroup::Year(7))),
            (date!(2008 - 09 - 01), Ok(YearGroup::Year(13))),
            (date!(2008 - 08 - 31), Err(OutOfSchoolAge::TooOld)),
        ];
        for (dob, expected) in cases {
            assert_eq!(year_group(dob, y), expected, "{dob}");
        }
        assert_eq!(
            year_group(date!(2019 - 03 - 10), AcademicYear::starting(2025)),
            Ok(YearGroup::Year(2))
        );
    }

    #[test]
    fn year_group_text_and_key_stages() {
        for (text, group) in [
            ("Nursery", YearGroup::Nursery),
            ("N", YearGroup::Nursery),
            ("reception", YearGroup::Reception),
            ("R", YearGroup::Reception),
            ("Year 3", YearGroup::Year(3)),
            ("Y3", YearGroup::Year(3)),
            ("yr 11", YearGroup::Year(11)),
            ("13", YearGroup::Year(13)),
        ] {
            assert_eq!(YearGroup::parse(text), Ok(group), "{text}");
        }
        for bad in ["", "Year 14", "Year", "Y0x", "-1", "year 3a"] {
            assert_eq!(YearGroup::parse(bad), Err(CalendarError::YearGroup), "{bad}");
        }
        assert_eq!(YearGroup::Year(3).to_string(), "Year 3");
        assert!(YearGroup::Nursery < YearGroup::Reception);
        assert!(YearGroup::Reception < YearGroup::Year(1));
        assert!(YearGroup::Year(2) < YearGroup::Year(10));
        assert_eq!(YearGroup::Reception.key_stage(), KeyStage::EarlyYears);
        assert_eq!(YearGroup::Year(2).key_stage(), KeyStage::Ks1);
        assert_eq!(YearGroup::Year(6).key_stage(), KeyStage::Ks2);
        assert_eq!(YearGroup::Year(9).key_stage(), KeyStage::Ks3);
        assert_eq!(YearGroup::Year(11).key_stage(), KeyStage::Ks4);
        assert_eq!(YearGroup::Year(12).key_stage(), KeyStage::Ks5);
        for n in -1..=13 {
            assert_eq!(YearGroup::from_number(n).map(YearGroup::number), Some(n));
        }
        assert_eq!(serde_json::to_string(&YearGroup::Year(3)).unwrap(), "\"Year 3\"");
    }

    #[test]
    fn calendar_serialises_with_readable_dates() {
        let mut calendar = SchoolCalendar::local_authority_default(AcademicYear::starting(2026));
        calendar.add_inset_day(date!(2026 - 09 - 01));
        let json = serde_json::to_string(&calendar).unwrap();
        assert!(json.contains("\"2026-09-01\""), "{json}");
        let back: SchoolCalendar = serde_json::from_str(&json).unwrap();
        assert_eq!(back, calendar);
    }
}
