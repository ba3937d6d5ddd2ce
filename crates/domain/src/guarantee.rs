//! The lesson guarantee: which register marks count toward the year's lessons, what the hub owes, and who is at risk of falling short.
//!
//! DOMAIN.md: lessons a pupil misses for their own reasons (ill, school trip, exam, forgot
//! instrument, unauthorised) still count toward the guarantee; lessons the hub misses
//! (teacher absent, school closed) do not, and must be made up or credited.

use serde::{Deserialize, Serialize};

text_enum! {
    /// What the register says about one pupil at one dated lesson.
    pub enum RegisterMark {
        /// The pupil had the lesson.
        Present = "present",
        /// Absent: ill.
        Ill = "ill" | "absent-ill",
        /// Absent: on a school trip.
        SchoolTrip = "school-trip" | "trip",
        /// Absent: sitting an exam.
        Exam = "exam",
        /// Came without their instrument (the lesson is still given and counts).
        ForgotInstrument = "forgot-instrument",
        /// Absent with no reason given.
        Unauthorised = "unauthorised" | "unauthorized",
        /// The teacher was absent: owed by the hub.
        TeacherAbsent = "teacher-absent",
        /// The school was closed: owed by the hub.
        SchoolClosed = "school-closed",
    }
}

impl RegisterMark {
    /// True if the lesson counts toward the pupil's guarantee: they had it, or missed it for
    /// their own reasons.
    pub fn counts_toward_guarantee(self) -> bool {
        !self.is_hub_miss()
    }

    /// True if the hub failed to give the lesson, so it is owed (a make-up or a credit).
    pub fn is_hub_miss(self) -> bool {
        matches!(self, RegisterMark::TeacherAbsent | RegisterMark::SchoolClosed)
    }

    /// True if the pupil missed it for their own reasons.
    pub fn is_pupil_absence(self) -> bool {
        matches!(
            self,
            RegisterMark::Ill | RegisterMark::SchoolTrip | RegisterMark::Exam | RegisterMark::Unauthorised
        )
    }
}

/// One register entry for a pupil.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterEntry {
    /// The mark.
    pub mark: RegisterMark,
    /// True if this lesson was a make-up for one the hub missed.
    pub make_up: bool,
}

/// The hub's promise of lessons a year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuaranteePolicy {
    /// The least a pupil is guaranteed (Durham: 24).
    pub minimum: u32,
    /// What the hub aims for (Durham: 30).
    pub aim: u32,
}

impl Default for GuaranteePolicy {
    /// Durham: at least 24 lessons a year, aiming for 30.
    fn default() -> Self {
        GuaranteePolicy { minimum: 24, aim: 30 }
    }
}

/// A pupil's lessons counted against the guarantee.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuaranteeCount {
    /// Lessons that count: present, or absent for the pupil's own reasons.
    pub counted: u32,
    /// Of those, lessons the pupil attended (including with a forgotten instrument).
    pub attended: u32,
    /// Of those, lessons the pupil missed for their own reasons.
    pub pupil_absences: u32,
    /// Lessons the hub missed (teacher absent, school closed).
    pub hub_missed: u32,
    /// Make-up lessons given (that the hub did not also miss).
    pub made_up: u32,
    /// Lessons still owed: hub misses not yet made up (to make up or credit).
    pub owed: u32,
}

/// Counts a pupil's register entries for the year against the guarantee.
pub fn count_guarantee(entries: &[RegisterEntry]) -> GuaranteeCount {
    let mut count = GuaranteeCount::default();
    for entry in entries {
        if entry.mark.is_hub_miss() {
            count.hub_missed += 1;
            continue;
        }
        count.counted += 1;
        if entry.mark.is_pupil_absence() {
            count.pupil_absences += 1;
        } else {
            count.attended += 1;
        }
        if entry.make_up {
            count.made_up += 1;
        }
    }
    count.owed = count.hub_missed.saturating_sub(count.made_up);
    count
}

/// Whether a pupil is on course for the guarantee.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum GuaranteeOutlook {
    /// Will reach the aim if the remaining lessons happen.
    OnTrack {
        /// Counted plus remaining.
        projected: u32,
    },
    /// Will reach the minimum but not the aim.
    BelowAim {
        /// Counted plus remaining.
        projected: u32,
    },
    /// Will fall short of the minimum even if every remaining lesson happens.
    AtRisk {
        /// Counted plus remaining.
        projected: u32,
        /// How many short of the minimum.
        shortfall: u32,
    },
}

/// The outlook for a pupil with `count` so far and `remaining_scheduled` lessons still on
/// the calendar this year (lessons owed but not yet rescheduled are not assumed).
pub fn guarantee_outlook(
    count: &GuaranteeCount,
    remaining_scheduled: u32,
    policy: &GuaranteePolicy,
) -> GuaranteeOutlook {
    let projected = count.counted + remaining_scheduled;
    if projected < policy.minimum {
        GuaranteeOutlook::AtRisk {
            projected,
            shortfall: policy.minimum - projected,
        }
    } else if projected < policy.aim {
        GuaranteeOutlook::BelowAim { projected }
    } else {
        GuaranteeOutlook::OnTrack { projected }
    }
}

impl GuaranteeOutlook {
    /// True if the pupil will fall short of the minimum.
    pub fn is_at_risk(&self) -> bool {
        matches!(self, GuaranteeOutlook::AtRisk { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(mark: RegisterMark) -> RegisterEntry {
        RegisterEntry { mark, make_up: false }
    }

    #[test]
    fn pupil_absences_count_and_hub_misses_are_owed() {
        use RegisterMark::*;
        let mut entries: Vec<RegisterEntry> = [
            Present,
            Ill,
            SchoolTrip,
            Exam,
            ForgotInstrument,
            Unauthorised,
            TeacherAbsent,
            SchoolClosed,
            Present,
        ]
        .into_iter()
        .map(entry)
        .collect();
        entries.push(RegisterEntry {
            mark: Present,
            make_up: true,
        });
        let count = count_guarantee(&entries);
        assert_eq!(count.counted, 8);
        assert_eq!(count.attended, 4);
        assert_eq!(count.pupil_absences, 4);
        assert_eq!(count.hub_missed, 2);
        assert_eq!(count.made_up, 1);
        assert_eq!(count.owed, 1);
    }

    #[test]
    fn outlook_against_durham_24_and_30() {
        let policy = GuaranteePolicy::default();
        let count = GuaranteeCount {
            counted: 20,
            ..GuaranteeCount::default()
        };
        assert_eq!(
            guarantee_outlook(&count, 3, &policy),
            GuaranteeOutlook::AtRisk {
                projected: 23,
                shortfall: 1
            }
        );
        assert!(guarantee_outlook(&count, 3, &policy).is_at_risk());
        assert_eq!(
            guarantee_outlook(&count, 4, &policy),
            GuaranteeOutlook::BelowAim { projected: 24 }
        );
        assert_eq!(
            guarantee_outlook(&count, 10, &policy),
            GuaranteeOutlook::OnTrack { projected: 30 }
        );
    }

    #[test]
    fn marks_read_as_words() {
        assert_eq!("Teacher absent".parse(), Ok(RegisterMark::TeacherAbsent));
        assert_eq!("forgot_instrument".parse(), Ok(RegisterMark::ForgotInstrument));
        assert_eq!(RegisterMark::SchoolTrip.to_string(), "school-trip");
        assert!(RegisterMark::ForgotInstrument.counts_toward_guarantee());
        assert!(!RegisterMark::SchoolClosed.counts_toward_guarantee());
    }
}
