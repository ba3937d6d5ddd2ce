//! Who may be dropping out: a member of an ensemble (or a pupil at lessons) whose register marks
//! this term show falling attendance. The rule is the office's early warning, said in words on
//! the page from `AtRiskRule::words`, so what the list means is never a guess.
use serde::Serialize;

use crate::guarantee::RegisterMark;

/// When someone is at risk: they missed `missed` of their last `recent` sessions, or came to
/// fewer than `below_percent` per cent of this term's once `min_marked` have been marked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AtRiskRule {
    pub recent: usize,
    pub missed: usize,
    pub below_percent: i64,
    pub min_marked: usize,
}

impl Default for AtRiskRule {
    /// Missed 3 of the last 4, or under 60% of the term once 4 are marked.
    fn default() -> AtRiskRule {
        AtRiskRule {
            recent: 4,
            missed: 3,
            below_percent: 60,
            min_marked: 4,
        }
    }
}

/// Why someone is on the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Risk {
    /// Missed this many of their last few sessions.
    MissedRecently { missed: usize, of: usize },
    /// Came to this share of the term's sessions.
    LowAttendance { percent: i64 },
}

impl Risk {
    /// The reason in words, `sessions` naming what was missed ("rehearsals", "lessons").
    pub fn words(&self, sessions: &str) -> String {
        match self {
            Risk::MissedRecently { missed, of } => format!("Missed {missed} of the last {of} {sessions}"),
            Risk::LowAttendance { percent } => format!("Came to {percent}% of this term's {sessions}"),
        }
    }
}

/// Marks that say whether the pupil came: the hub's own misses (a teacher absent, a closure)
/// are not theirs, so they count neither way.
fn counted(marks: &[RegisterMark]) -> Vec<bool> {
    marks
        .iter()
        .filter(|m| !m.is_hub_miss())
        .map(|m| !m.is_pupil_absence())
        .collect()
}

/// The share of sessions attended, in whole per cent rounded half up (a forgotten instrument
/// is still attendance); `None` before any is marked.
pub fn attendance_percent(marks: &[RegisterMark]) -> Option<i64> {
    let came = counted(marks);
    let n = came.len() as i64;
    let present = came.iter().filter(|c| **c).count() as i64;
    (n > 0).then(|| (present * 200 + n) / (n * 2))
}

impl AtRiskRule {
    /// Whether marks (this term's, oldest first) put someone at risk, and why: a recent run
    /// of misses is named before a low rate.
    pub fn check(&self, marks: &[RegisterMark]) -> Option<Risk> {
        let came = counted(marks);
        if came.len() >= self.recent {
            let last = &came[came.len() - self.recent..];
            let missed = last.iter().filter(|c| !**c).count();
            if missed >= self.missed {
                return Some(Risk::MissedRecently {
                    missed,
                    of: self.recent,
                });
            }
        }
        if came.len() >= self.min_marked {
            let percent = attendance_percent(marks).unwrap_or(100);
            if percent < self.below_percent {
                return Some(Risk::LowAttendance { percent });
            }
        }
        None
    }

    /// The rule in plain words, `sessions` naming what is marked ("rehearsals", "lessons").
    pub fn words(&self, sessions: &str) -> String {
        format!(
            "Someone is on this list when they missed {} of their last {} {sessions}, or came to fewer than {}% of this term's {sessions} once {} have been marked. Absences the hub caused (a teacher away, a closure) do not count against them; coming without an instrument counts as coming.",
            self.missed, self.recent, self.below_percent, self.min_marked
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RegisterMark::{ForgotInstrument, Ill, Present, SchoolClosed, TeacherAbsent, Unauthorised};

    #[test]
    fn three_of_the_last_four_missed_is_at_risk() {
        let rule = AtRiskRule::default();
        assert_eq!(
            rule.check(&[Present, Present, Present, Ill, Present, Unauthorised, Ill]),
            Some(Risk::MissedRecently { missed: 3, of: 4 })
        );
        // Two of the last four missed and 5 of 7 overall (71%): not at risk.
        assert_eq!(
            rule.check(&[Present, Present, Present, Ill, Present, Unauthorised, Present]),
            None
        );
    }

    #[test]
    fn a_low_rate_over_the_term_is_at_risk_once_enough_are_marked() {
        let rule = AtRiskRule::default();
        // 2 of 5 (40%), the last four only two missed.
        assert_eq!(
            rule.check(&[Ill, Present, Ill, Present, Ill]),
            Some(Risk::LowAttendance { percent: 40 })
        );
        // Too few marked to judge: missing the first two of three is not yet a pattern.
        assert_eq!(rule.check(&[Ill, Ill, Present]), None);
        assert_eq!(rule.check(&[]), None);
    }

    #[test]
    fn the_hub_s_own_misses_do_not_count_and_a_forgotten_instrument_is_coming() {
        let rule = AtRiskRule::default();
        assert_eq!(
            rule.check(&[
                Present,
                TeacherAbsent,
                SchoolClosed,
                Present,
                Ill,
                TeacherAbsent,
                ForgotInstrument,
                Ill
            ]),
            None,
            "five counted: two of the last four missed, three of five came (60%)"
        );
        assert_eq!(
            attendance_percent(&[Present, TeacherAbsent, Ill, ForgotInstrument]),
            Some(67)
        );
        assert_eq!(attendance_percent(&[TeacherAbsent]), None);
    }

    #[test]
    fn the_rule_says_itself_in_words() {
        let words = AtRiskRule::default().words("rehearsals");
        assert!(words.contains("missed 3 of their last 4 rehearsals"), "{words}");
        assert!(words.contains("fewer than 60%"), "{words}");
        assert_eq!(
            Risk::LowAttendance { percent: 40 }.words("lessons"),
            "Came to 40% of this term's lessons"
        );
    }
}
