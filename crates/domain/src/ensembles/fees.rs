//! Paying for and leaving ensembles (decision 0085): when a family's notice to leave takes
//! effect, by the charging policy's notice rule as for lessons, and which term signing up for
//! a Virtual Music Centre strand pays for.
use time::Date;

use crate::calendar::{SchoolCalendar, TermId};
use crate::charging::{ChargingError, ChargingPolicy, notice_effective, starter_charge};
use crate::validate::format_day_long;

/// What notice to leave an ensemble, received on a day, means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnsembleNotice {
    /// The last term charged: leaving part-way through it does not cancel its fee.
    pub last_term: TermId,
    /// The last day of that term: the last day they are a member.
    pub last_day: Date,
    /// The first day they are no longer a member (stored as the membership's `left_on`).
    pub leaves_on: Date,
    /// The last day notice could arrive for the next term not to be charged.
    pub deadline: Date,
    /// True when the notice came too late to stop the next term's fee.
    pub next_term_payable: bool,
    /// In plain words, for the family (or the office) to read before confirming.
    pub explanation: String,
}

/// When notice to leave `ensemble`, received on `received`, takes effect: membership runs to
/// the end of the last term the policy's notice rule still charges (DOMAIN.md: notice must
/// arrive before the next term's invoice is issued, or the next term is payable), so a member
/// who has left before a term's run is not billed for it, and one whose notice came after
/// the term's invoice still pays it.
pub fn ensemble_notice(
    received: Date,
    policy: &ChargingPolicy,
    calendar: &SchoolCalendar,
    ensemble: &str,
) -> Result<EnsembleNotice, ChargingError> {
    let outcome = notice_effective(received, policy, calendar)?;
    let last_day = calendar
        .term(outcome.last_payable_term)
        .ok_or(ChargingError::NoTermDates)?
        .dates
        .last;
    let leaves_on = last_day.next_day().unwrap_or(last_day);
    let deadline = format_day_long(outcome.deadline);
    let next = outcome.next_term.label();
    let last = format_day_long(last_day);
    let ensemble = ensemble.trim();
    let explanation = if outcome.next_term_payable {
        format!(
            "Notice for {next} had to arrive by {deadline}, so {next} is still charged: membership of {ensemble} ends \
             with it, on {last}."
        )
    } else {
        format!(
            "Notice arrived by {deadline}, so {next} is not charged. Membership of {ensemble} ends with {}, on {last}; \
             its fee still stands.",
            outcome.last_payable_term.label()
        )
    };
    Ok(EnsembleNotice {
        last_term: outcome.last_payable_term,
        last_day,
        leaves_on,
        deadline: outcome.deadline,
        next_term_payable: outcome.next_term_payable,
        explanation,
    })
}

/// The term that signing up for a Virtual Music Centre strand on `joined` pays for: the first
/// term a billing run would charge that membership, so paying it at once and the run agree.
/// That is the term under way (or the next to start, between terms), unless the policy's
/// starter rule does not charge one joining on that day (Durham: after half-term), when it is
/// the term after. `None` when the calendar has no such term.
pub fn strand_term(policy: &ChargingPolicy, calendar: &SchoolCalendar, joined: Date) -> Option<TermId> {
    let term = calendar.terms.iter().find(|t| joined <= t.dates.last)?;
    if joined <= term.dates.first {
        return Some(term.term);
    }
    match starter_charge(policy, calendar, term.term, joined) {
        Ok(decision) if decision.charged => Some(term.term),
        _ => calendar.term(term.term.next()).map(|t| t.term),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{AcademicYear, default_term_dates};
    use time::macros::date;

    fn calendar() -> SchoolCalendar {
        let mut terms = Vec::new();
        for year in [2025, 2026, 2027] {
            terms.extend(default_term_dates(AcademicYear::starting(year)));
        }
        SchoolCalendar::new(terms)
    }

    #[test]
    fn notice_by_the_end_of_november_ends_membership_with_the_autumn_term() {
        let policy = ChargingPolicy::durham();
        let autumn_ends = calendar()
            .term(TermId::parse("2026-autumn").unwrap())
            .unwrap()
            .dates
            .last;
        let notice = ensemble_notice(date!(2026 - 11 - 30), &policy, &calendar(), "Youth Orchestra").unwrap();
        assert_eq!(notice.last_term.to_string(), "2026-autumn");
        assert_eq!(
            (notice.last_day, notice.leaves_on),
            (autumn_ends, autumn_ends.next_day().unwrap())
        );
        assert!(!notice.next_term_payable);
        assert!(
            notice
                .explanation
                .starts_with("Notice arrived by Monday 30 November 2026, so the spring term 2027 is not charged."),
            "{}",
            notice.explanation
        );
        assert!(
            notice
                .explanation
                .contains("Membership of Youth Orchestra ends with the autumn term 2026")
        );
    }

    #[test]
    fn notice_after_the_spring_invoice_month_began_still_pays_spring() {
        let policy = ChargingPolicy::durham();
        let spring = calendar().term(TermId::parse("2027-spring").unwrap()).unwrap().dates;
        let notice = ensemble_notice(date!(2026 - 12 - 01), &policy, &calendar(), "Youth Orchestra").unwrap();
        assert_eq!(notice.last_term.to_string(), "2027-spring");
        assert_eq!(notice.last_day, spring.last);
        assert!(notice.next_term_payable);
        assert_eq!(notice.deadline, date!(2026 - 11 - 30));
        assert!(
            notice.explanation.contains("the spring term 2027 is still charged"),
            "{}",
            notice.explanation
        );
        // Within a term, past the next term's deadline: the next term is the last.
        let notice = ensemble_notice(date!(2027 - 04 - 02), &policy, &calendar(), "Band").unwrap();
        assert_eq!(notice.last_term.to_string(), "2027-summer");
    }

    #[test]
    fn a_strand_pays_for_the_term_the_run_would_charge() {
        let policy = ChargingPolicy::durham();
        let cal = calendar();
        let autumn = cal.term(TermId::parse("2026-autumn").unwrap()).unwrap();
        // Before the term, and in its first half: that term.
        assert_eq!(
            strand_term(&policy, &cal, date!(2026 - 08 - 20)).unwrap().to_string(),
            "2026-autumn"
        );
        assert_eq!(
            strand_term(&policy, &cal, autumn.dates.first).unwrap().to_string(),
            "2026-autumn"
        );
        let before_half_term = autumn.half_term.first.previous_day().unwrap();
        assert_eq!(
            strand_term(&policy, &cal, before_half_term).unwrap().to_string(),
            "2026-autumn"
        );
        // After half-term: the next term, as the starter rule does not charge this one.
        let after = autumn.half_term.last.next_day().unwrap();
        assert_eq!(strand_term(&policy, &cal, after).unwrap().to_string(), "2027-spring");
        // Past the last term the calendar holds: none.
        assert_eq!(strand_term(&policy, &cal, date!(2028 - 08 - 30)), None);
    }
}
