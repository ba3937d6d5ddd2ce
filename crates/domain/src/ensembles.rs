//! Ensembles: their kinds, levels and entry (open or by audition), the instrumentation they
//! want, a member's application from applied to accepted, waiting or left, who may apply, where
//! an application goes when it is made or accepted, the rehearsal dates of a year from its
//! terms, and what the hub refuses. See docs/decisions/0084-ensembles.md.
use std::collections::BTreeSet;

use time::{Date, Month, Weekday};

use crate::calendar::{TermDates, is_bank_holiday};

pub mod fees;

text_enum! {
    /// What sort of ensemble it is.
    pub enum EnsembleKind {
        Orchestra = "orchestra" | "string orchestra" | "symphony orchestra",
        WindBand = "wind-band" | "wind band" | "concert band" | "band",
        BrassBand = "brass-band" | "brass band",
        Choir = "choir" | "chorus" | "singing",
        Jazz = "jazz" | "big band" | "jazz band",
        Folk = "folk",
        RockAndPop = "rock-and-pop" | "rock and pop" | "rock" | "pop",
        Chamber = "chamber",
        SteelPans = "steel-pans" | "steel pans" | "steel band",
        Guitar = "guitar" | "guitar ensemble",
        Percussion = "percussion",
        Other = "other",
    }
}

impl EnsembleKind {
    /// The words a page shows.
    pub fn label(self) -> &'static str {
        match self {
            EnsembleKind::Orchestra => "Orchestra",
            EnsembleKind::WindBand => "Wind band",
            EnsembleKind::BrassBand => "Brass band",
            EnsembleKind::Choir => "Choir",
            EnsembleKind::Jazz => "Jazz",
            EnsembleKind::Folk => "Folk",
            EnsembleKind::RockAndPop => "Rock and pop",
            EnsembleKind::Chamber => "Chamber",
            EnsembleKind::SteelPans => "Steel pans",
            EnsembleKind::Guitar => "Guitar",
            EnsembleKind::Percussion => "Percussion",
            EnsembleKind::Other => "Other",
        }
    }
}

text_enum! {
    /// The standard an ensemble plays at, from first ensembles to the county's.
    pub enum EnsembleLevel {
        Entry = "entry" | "beginner",
        Intermediate = "intermediate",
        Advanced = "advanced",
        County = "county",
    }
}

impl EnsembleLevel {
    pub fn label(self) -> &'static str {
        match self {
            EnsembleLevel::Entry => "Entry",
            EnsembleLevel::Intermediate => "Intermediate",
            EnsembleLevel::Advanced => "Advanced",
            EnsembleLevel::County => "County",
        }
    }
}

text_enum! {
    /// How a player joins: open ensembles take applicants at once while there is room; others
    /// hear them first.
    pub enum EnsembleEntry {
        Open = "open",
        Audition = "audition" | "by audition",
    }
}

text_enum! {
    /// Where an application to join is in its life. A member is an accepted application until
    /// they leave.
    pub enum MembershipStatus {
        /// Applied; the office (or an audition) decides.
        Applied = "applied",
        /// An audition slot is booked.
        AuditionBooked = "audition-booked",
        /// A member.
        Accepted = "accepted",
        /// Not taken.
        Declined = "declined",
        /// The instrument's places are full: waiting for one.
        Waiting = "waiting",
        /// A place came free and is held for them until the office accepts (or declines).
        Offered = "offered",
        /// Was a member, and left.
        Left = "left",
    }
}
stored_status!(MembershipStatus);

impl MembershipStatus {
    pub fn label(self) -> &'static str {
        match self {
            MembershipStatus::Applied => "Applied",
            MembershipStatus::AuditionBooked => "Audition booked",
            MembershipStatus::Accepted => "Member",
            MembershipStatus::Declined => "Declined",
            MembershipStatus::Waiting => "Waiting list",
            MembershipStatus::Offered => "Place offered",
            MembershipStatus::Left => "Left",
        }
    }

    /// Still in play: not declined and not left. A pupil has one such application an
    /// ensemble.
    pub fn is_live(self) -> bool {
        !matches!(self, MembershipStatus::Declined | MembershipStatus::Left)
    }

    /// Holds one of the instrument's places (a member, or a place offered).
    pub fn holds_place(self) -> bool {
        matches!(self, MembershipStatus::Accepted | MembershipStatus::Offered)
    }

    /// The office accepts: from applied, audition booked, waiting or offered, and only while
    /// the instrument has room (an offered place is already held).
    pub fn accept(self, room: bool) -> Result<MembershipStatus, EnsembleRefusal> {
        match self {
            MembershipStatus::Offered => Ok(MembershipStatus::Accepted),
            MembershipStatus::Applied | MembershipStatus::AuditionBooked | MembershipStatus::Waiting if room => {
                Ok(MembershipStatus::Accepted)
            }
            MembershipStatus::Applied | MembershipStatus::AuditionBooked | MembershipStatus::Waiting => {
                Err(EnsembleRefusal::InstrumentFull)
            }
            other => Err(EnsembleRefusal::AlreadyDecided { status: other }),
        }
    }

    /// The office declines an application not yet accepted.
    pub fn decline(self) -> Result<MembershipStatus, EnsembleRefusal> {
        match self {
            MembershipStatus::Applied
            | MembershipStatus::AuditionBooked
            | MembershipStatus::Waiting
            | MembershipStatus::Offered => Ok(MembershipStatus::Declined),
            other => Err(EnsembleRefusal::AlreadyDecided { status: other }),
        }
    }

    /// An audition slot is booked for an application still to be heard.
    pub fn book_audition(self) -> Result<MembershipStatus, EnsembleRefusal> {
        match self {
            MembershipStatus::Applied | MembershipStatus::AuditionBooked => Ok(MembershipStatus::AuditionBooked),
            other => Err(EnsembleRefusal::AlreadyDecided { status: other }),
        }
    }

    /// Heard at an audition (or not yet) and put on the instrument's waiting list: offered the
    /// next place that comes free on it, as any waiting applicant is.
    pub fn wait_for_place(self) -> Result<MembershipStatus, EnsembleRefusal> {
        match self {
            MembershipStatus::Applied | MembershipStatus::AuditionBooked => Ok(MembershipStatus::Waiting),
            other => Err(EnsembleRefusal::AlreadyDecided { status: other }),
        }
    }

    /// A member leaves.
    pub fn leave(self) -> Result<MembershipStatus, EnsembleRefusal> {
        match self {
            MembershipStatus::Accepted => Ok(MembershipStatus::Left),
            _ => Err(EnsembleRefusal::NotAMember),
        }
    }
}

/// Where a new application goes: an open ensemble takes the player at once while the
/// instrument has room, else puts them on its waiting list; an auditioned one hears them first.
pub fn on_application(entry: EnsembleEntry, room: bool) -> MembershipStatus {
    match entry {
        EnsembleEntry::Open if room => MembershipStatus::Accepted,
        EnsembleEntry::Open => MembershipStatus::Waiting,
        EnsembleEntry::Audition => MembershipStatus::Applied,
    }
}

/// Is there a place for one more on `instrument`: the places wanted (none listed means any
/// number, as a choir takes every voice) less those held.
pub fn has_room(wanted: Option<u32>, held: u32) -> bool {
    wanted.is_none_or(|w| held < w)
}

/// What an application rule needs to know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applicant<'a> {
    pub name: &'a str,
    pub date_of_birth: Date,
    pub archived: bool,
    /// A live application or membership of this ensemble already.
    pub already: Option<MembershipStatus>,
    /// The grade they say they play at (0 for none yet).
    pub grade: u8,
}

/// What of the ensemble the application rule needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Joinable<'a> {
    pub name: &'a str,
    pub min_age: Option<u8>,
    pub max_age: Option<u8>,
    pub min_grade: Option<u8>,
    /// The instruments it lists (empty: any instrument).
    pub instruments: &'a [String],
    pub archived: bool,
}

/// A pupil's age in whole years on `day`.
pub fn age_on(date_of_birth: Date, day: Date) -> i32 {
    let mut age = day.year() - date_of_birth.year();
    if (day.month() as u8, day.day()) < (date_of_birth.month() as u8, date_of_birth.day()) {
        age -= 1;
    }
    age
}

/// The day ages are counted on for a year's ensembles: the 31 August before the academic
/// year that contains `day`, as school years count them.
pub fn age_day(day: Date) -> Date {
    let year = if day.month() as u8 >= 9 {
        day.year()
    } else {
        day.year() - 1
    };
    Date::from_calendar_date(year, Month::August, 31).unwrap_or(day)
}

/// A pupil may apply to an ensemble that lists the instrument (or lists none), within its age
/// range (counted on 31 August) and grade, and once.
pub fn check_apply(
    ensemble: &Joinable<'_>,
    pupil: &Applicant<'_>,
    instrument: &str,
    today: Date,
) -> Result<(), EnsembleRefusal> {
    if ensemble.archived {
        return Err(EnsembleRefusal::Closed {
            name: ensemble.name.to_owned(),
        });
    }
    if pupil.archived {
        return Err(EnsembleRefusal::PupilArchived {
            name: pupil.name.to_owned(),
        });
    }
    let instrument = instrument.trim();
    if instrument.is_empty() {
        return Err(EnsembleRefusal::NoInstrument);
    }
    if !ensemble.instruments.is_empty() && !ensemble.instruments.iter().any(|i| i.eq_ignore_ascii_case(instrument)) {
        return Err(EnsembleRefusal::InstrumentNotWanted {
            instrument: instrument.to_owned(),
        });
    }
    if let Some(status) = pupil.already
        && status.is_live()
    {
        return Err(EnsembleRefusal::AlreadyApplied { status });
    }
    let age = age_on(pupil.date_of_birth, age_day(today));
    let too_young = ensemble.min_age.is_some_and(|min| age < i32::from(min));
    let too_old = ensemble.max_age.is_some_and(|max| age > i32::from(max));
    if too_young || too_old {
        return Err(EnsembleRefusal::OutsideAgeRange {
            min: ensemble.min_age,
            max: ensemble.max_age,
        });
    }
    if let Some(min) = ensemble.min_grade
        && pupil.grade < min
    {
        return Err(EnsembleRefusal::BelowGrade { min });
    }
    Ok(())
}

/// An ensemble's address on the public site, from its name: lower case, words joined by `-`.
pub fn slug_of(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// What an ensemble must be to be saved.
pub fn check_ensemble(
    name: &str,
    start_minute: u16,
    end_minute: u16,
    min_age: Option<u8>,
    max_age: Option<u8>,
) -> Result<(), EnsembleRefusal> {
    if name.trim().is_empty() {
        return Err(EnsembleRefusal::NoName);
    }
    if name.chars().count() > 120 {
        return Err(EnsembleRefusal::NameTooLong);
    }
    if end_minute <= start_minute || end_minute > 24 * 60 {
        return Err(EnsembleRefusal::EndsBeforeStart);
    }
    if let (Some(min), Some(max)) = (min_age, max_age)
        && max < min
    {
        return Err(EnsembleRefusal::AgesBackwards);
    }
    Ok(())
}

/// Rehearsal ids are numbered from here, so that one never equals a lesson's id: a register
/// mark names either by the same `lesson` field (decision 0084).
pub const REHEARSAL_ID_BASE: i64 = 1_000_000_000;

/// Is this register id a rehearsal's rather than a lesson's?
pub fn is_rehearsal_id(id: i64) -> bool {
    id > REHEARSAL_ID_BASE
}

/// The dates of a weekly rehearsal on `weekday` through these terms: every such day of each
/// term but half term, bank holidays and the hub's closures. Saturdays and Sundays count, as
/// many ensembles meet at weekends.
pub fn rehearsal_dates(terms: &[TermDates], closures: &BTreeSet<Date>, weekday: Weekday) -> Vec<Date> {
    let mut out: Vec<Date> = terms
        .iter()
        .flat_map(|t| {
            t.dates
                .days()
                .filter(move |d| d.weekday() == weekday && !t.half_term.contains(*d))
        })
        .filter(|d| !closures.contains(d) && !is_bank_holiday(*d))
        .collect();
    out.sort();
    out.dedup();
    out
}

// When an online rehearsal's joining link shows is the rule for every online session.
pub use crate::online::{JOIN_EARLY_MINUTES, joining_open};

text_enum! {
    /// What became of a dated rehearsal.
    pub enum RehearsalStatus {
        /// On the calendar.
        Scheduled = "scheduled",
        /// The register was taken.
        Given = "given",
        /// Called off; families are shown it.
        Cancelled = "cancelled",
    }
}
stored_status!(RehearsalStatus);

/// Why an ensemble, an application or a rehearsal change was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EnsembleRefusal {
    #[error("Enter the ensemble's name.")]
    NoName,
    #[error("Keep the name to 120 characters or fewer.")]
    NameTooLong,
    #[error("Another ensemble already has the address {slug}.")]
    SlugTaken { slug: String },
    #[error("The rehearsal must end after it starts.")]
    EndsBeforeStart,
    #[error("The oldest age must not be below the youngest.")]
    AgesBackwards,
    #[error("{name} is not taking new members.")]
    Closed { name: String },
    #[error("{name} is archived and cannot join an ensemble.")]
    PupilArchived { name: String },
    #[error("Choose the instrument they play.")]
    NoInstrument,
    #[error("This ensemble has no places for {instrument}.")]
    InstrumentNotWanted { instrument: String },
    #[error("Every place for this instrument is taken. The applicant can wait for one.")]
    InstrumentFull,
    #[error("{}", age_words(*min, *max))]
    OutsideAgeRange { min: Option<u8>, max: Option<u8> },
    #[error("This ensemble is for players of grade {min} or above.")]
    BelowGrade { min: u8 },
    #[error("They have already applied to this ensemble ({}).", status.label().to_lowercase())]
    AlreadyApplied { status: MembershipStatus },
    #[error("This application has already been decided ({}).", status.label().to_lowercase())]
    AlreadyDecided { status: MembershipStatus },
    #[error("They are not a member of this ensemble.")]
    NotAMember,
    #[error("There is no such pupil.")]
    NoPupil,
    #[error("That audition slot is already booked.")]
    SlotTaken,
    #[error("This ensemble takes players without an audition.")]
    NoAuditions,
    #[error("The rehearsal has been cancelled.")]
    RehearsalCancelled,
    #[error("Grades are 0 to 8.")]
    GradeOutOfRange,
    #[error("That audition slot has already passed. Choose another.")]
    SlotPast,
    #[error("Notice has already been given: they are a member until {}.", crate::validate::format_day_long(*last_day))]
    NoticeAlreadyGiven { last_day: time::Date },
    #[error("This ensemble is not a Virtual Music Centre strand: apply to join it instead.")]
    NotAStrand,
    #[error("Only an online ensemble can be a Virtual Music Centre strand.")]
    StrandNotOnline,
    #[error("The hub's term dates do not reach far enough to work out the term; ask the office.")]
    NoTermDates,
    #[error("{term} is already on an invoice: pay it there.")]
    TermAlreadyInvoiced { term: String },
}

fn age_words(min: Option<u8>, max: Option<u8>) -> String {
    match (min, max) {
        (Some(min), Some(max)) => format!("This ensemble is for players aged {min} to {max}."),
        (Some(min), None) => format!("This ensemble is for players aged {min} or over."),
        (None, Some(max)) => format!("This ensemble is for players aged {max} or under."),
        (None, None) => "This ensemble has no age range.".to_owned(),
    }
}

impl EnsembleRefusal {
    /// The form or API field at fault.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            EnsembleRefusal::NoName | EnsembleRefusal::NameTooLong | EnsembleRefusal::SlugTaken { .. } => Some("name"),
            EnsembleRefusal::EndsBeforeStart => Some("end"),
            EnsembleRefusal::AgesBackwards => Some("max_age"),
            EnsembleRefusal::NoInstrument
            | EnsembleRefusal::InstrumentNotWanted { .. }
            | EnsembleRefusal::InstrumentFull => Some("instrument"),
            EnsembleRefusal::PupilArchived { .. }
            | EnsembleRefusal::OutsideAgeRange { .. }
            | EnsembleRefusal::AlreadyApplied { .. }
            | EnsembleRefusal::NoPupil => Some("pupil_id"),
            EnsembleRefusal::BelowGrade { .. } | EnsembleRefusal::GradeOutOfRange => Some("grade"),
            EnsembleRefusal::SlotTaken | EnsembleRefusal::SlotPast => Some("slot"),
            EnsembleRefusal::Closed { .. }
            | EnsembleRefusal::AlreadyDecided { .. }
            | EnsembleRefusal::NotAMember
            | EnsembleRefusal::NoAuditions
            | EnsembleRefusal::RehearsalCancelled
            | EnsembleRefusal::NoticeAlreadyGiven { .. }
            | EnsembleRefusal::NotAStrand
            | EnsembleRefusal::StrandNotOnline
            | EnsembleRefusal::NoTermDates
            | EnsembleRefusal::TermAlreadyInvoiced { .. } => None,
        }
    }

    /// The request clashes with the records as they are (HTTP's 409).
    pub fn is_conflict(&self) -> bool {
        !matches!(
            self,
            EnsembleRefusal::NoName
                | EnsembleRefusal::NameTooLong
                | EnsembleRefusal::EndsBeforeStart
                | EnsembleRefusal::AgesBackwards
                | EnsembleRefusal::NoInstrument
                | EnsembleRefusal::GradeOutOfRange
        )
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::calendar::{AcademicYear, default_term_dates};

    fn youth_orchestra(instruments: &[String]) -> Joinable<'_> {
        Joinable {
            name: "Youth Orchestra",
            min_age: Some(11),
            max_age: Some(18),
            min_grade: Some(5),
            instruments,
            archived: false,
        }
    }

    fn pupil(born: Date, grade: u8) -> Applicant<'static> {
        Applicant {
            name: "Amy Brown",
            date_of_birth: born,
            archived: false,
            already: None,
            grade,
        }
    }

    #[test]
    fn who_may_apply() {
        let wanted = vec!["Violin".to_owned(), "Oboe".to_owned()];
        let e = youth_orchestra(&wanted);
        let today = date!(2026 - 10 - 01);
        // 12 on 31 August 2026.
        let amy = pupil(date!(2014 - 05 - 01), 5);
        assert_eq!(check_apply(&e, &amy, "violin", today), Ok(()));
        let table = [
            (
                pupil(date!(2014 - 05 - 01), 5),
                "tuba",
                "This ensemble has no places for tuba.",
                "instrument",
            ),
            (
                pupil(date!(2017 - 05 - 01), 5),
                "violin",
                "This ensemble is for players aged 11 to 18.",
                "pupil_id",
            ),
            (
                pupil(date!(2014 - 05 - 01), 3),
                "oboe",
                "This ensemble is for players of grade 5 or above.",
                "grade",
            ),
            (
                Applicant {
                    already: Some(MembershipStatus::Waiting),
                    ..pupil(date!(2014 - 05 - 01), 5)
                },
                "violin",
                "They have already applied to this ensemble (waiting list).",
                "pupil_id",
            ),
        ];
        for (who, instrument, words, field) in table {
            let r = check_apply(&e, &who, instrument, today).unwrap_err();
            assert_eq!(r.to_string(), words);
            assert_eq!(r.field(), Some(field));
        }
        // Having left, they may apply again; a choir lists no instruments and takes any.
        let again = Applicant {
            already: Some(MembershipStatus::Left),
            ..pupil(date!(2014 - 05 - 01), 5)
        };
        assert_eq!(check_apply(&e, &again, "Oboe", today), Ok(()));
        let choir = Joinable {
            min_grade: None,
            ..youth_orchestra(&[])
        };
        assert_eq!(check_apply(&choir, &amy, "voice", today), Ok(()));
    }

    #[test]
    fn an_application_s_life() {
        assert_eq!(on_application(EnsembleEntry::Open, true), MembershipStatus::Accepted);
        assert_eq!(on_application(EnsembleEntry::Open, false), MembershipStatus::Waiting);
        assert_eq!(on_application(EnsembleEntry::Audition, true), MembershipStatus::Applied);
        assert!(has_room(Some(2), 1) && !has_room(Some(2), 2) && has_room(None, 99));
        assert_eq!(MembershipStatus::Applied.accept(true), Ok(MembershipStatus::Accepted));
        assert_eq!(
            MembershipStatus::Waiting.accept(false),
            Err(EnsembleRefusal::InstrumentFull)
        );
        assert_eq!(MembershipStatus::Offered.accept(false), Ok(MembershipStatus::Accepted));
        let r = MembershipStatus::Declined.accept(true).unwrap_err();
        assert_eq!(r.to_string(), "This application has already been decided (declined).");
        assert!(r.is_conflict());
        assert_eq!(MembershipStatus::Accepted.leave(), Ok(MembershipStatus::Left));
        assert_eq!(MembershipStatus::Waiting.leave(), Err(EnsembleRefusal::NotAMember));
        assert_eq!(
            MembershipStatus::Applied.book_audition(),
            Ok(MembershipStatus::AuditionBooked)
        );
        assert!(MembershipStatus::Offered.holds_place() && !MembershipStatus::Waiting.holds_place());
    }

    #[test]
    fn an_audition_s_outcome_may_be_to_wait_for_a_place() {
        assert_eq!(
            MembershipStatus::AuditionBooked.wait_for_place(),
            Ok(MembershipStatus::Waiting)
        );
        assert_eq!(
            MembershipStatus::Applied.wait_for_place(),
            Ok(MembershipStatus::Waiting)
        );
        assert!(MembershipStatus::Accepted.wait_for_place().is_err());
        assert_eq!(EnsembleRefusal::SlotPast.field(), Some("slot"));
    }

    #[test]
    fn ages_are_counted_on_31_august() {
        assert_eq!(age_day(date!(2026 - 10 - 01)), date!(2026 - 08 - 31));
        assert_eq!(age_day(date!(2027 - 03 - 01)), date!(2026 - 08 - 31));
        assert_eq!(age_on(date!(2014 - 09 - 01), date!(2026 - 08 - 31)), 11);
        assert_eq!(age_on(date!(2014 - 08 - 31), date!(2026 - 08 - 31)), 12);
    }

    #[test]
    fn rehearsals_skip_half_terms_bank_holidays_and_closures() {
        let terms = default_term_dates(AcademicYear::starting(2026));
        let autumn = terms[0];
        let mut closures = BTreeSet::new();
        let saturdays = rehearsal_dates(&terms[..1], &closures, Weekday::Saturday);
        assert!(saturdays.iter().all(|d| d.weekday() == Weekday::Saturday));
        assert!(saturdays.iter().all(|d| !autumn.half_term.contains(*d)));
        assert!(saturdays.iter().all(|d| autumn.contains(*d)));
        let first = saturdays[0];
        closures.insert(first);
        let fewer = rehearsal_dates(&terms[..1], &closures, Weekday::Saturday);
        assert_eq!(fewer.len(), saturdays.len() - 1);
        // The spring term's Mondays skip Easter Monday only if it falls in term; the whole
        // year's are the three terms' together, in order.
        let mondays = rehearsal_dates(&terms, &BTreeSet::new(), Weekday::Monday);
        assert!(mondays.windows(2).all(|w| w[0] < w[1]));
        assert!(mondays.iter().all(|d| !is_bank_holiday(*d)));
    }

    #[test]
    fn slugs_and_ids() {
        assert_eq!(slug_of("County Youth Orchestra"), "county-youth-orchestra");
        assert_eq!(slug_of("  Rock & Pop: Darlington! "), "rock-pop-darlington");
        assert!(is_rehearsal_id(REHEARSAL_ID_BASE + 1) && !is_rehearsal_id(812));
        assert_eq!(
            check_ensemble("Band", 600, 540, None, None),
            Err(EnsembleRefusal::EndsBeforeStart)
        );
        assert_eq!(
            check_ensemble("Band", 540, 600, Some(12), Some(10)),
            Err(EnsembleRefusal::AgesBackwards)
        );
    }
}
