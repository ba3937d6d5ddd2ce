//! Continuation after whole-class teaching: of the pupils in whole-class ensemble teaching in
//! the year before a period's year, who went on to lessons or an ensemble in the period. The one
//! rule the data return's `continuation` figure and the office's progression report both read.
use std::collections::{BTreeMap, BTreeSet};

use super::{EnrolmentFact, Facts, Period};
use crate::calendar::AcademicYear;
use crate::lessons::LessonType;

/// A pupil who had whole-class teaching the year before, and what they went on to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Continuer {
    pub pupil_id: i64,
    /// Where they had their whole-class teaching: the latest programme's school (where it was
    /// taught, else the pupil's own school).
    pub wcet_school_id: i64,
    /// Lessons (individual, paired or group) overlapping the period.
    pub to_lessons: bool,
    /// An ensemble membership overlapping the period.
    pub to_ensembles: bool,
}

impl Continuer {
    /// They continued: lessons, an ensemble, or both.
    pub fn continued(&self) -> bool {
        self.to_lessons || self.to_ensembles
    }
}

/// The days of the academic year before `period`'s.
pub fn year_before(period: Period) -> Period {
    Period {
        year: AcademicYear::starting(period.year.start_year() - 1),
        to: period.year.first_day().previous_day().expect("a day"),
    }
}

/// Every pupil on record with whole-class teaching in the year before `period`, in id order,
/// with whether they continued to lessons or ensembles in `period`. Pupils the facts do not
/// hold (archived away, say) are left out, as every figure leaves them out.
pub fn continuation(period: Period, facts: &Facts) -> Vec<Continuer> {
    let last = year_before(period);
    let pupils: BTreeMap<i64, i64> = facts.pupils.iter().map(|p| (p.id, p.school_id)).collect();
    // Each pupil's latest whole-class programme of last year.
    let mut wcet: BTreeMap<i64, &EnrolmentFact> = BTreeMap::new();
    for e in facts
        .enrolments
        .iter()
        .filter(|e| e.lesson_type == LessonType::WholeClass && last.overlaps(e.start_date, e.end_date))
    {
        wcet.entry(e.pupil_id)
            .and_modify(|had| {
                if e.start_date > had.start_date {
                    *had = e;
                }
            })
            .or_insert(e);
    }
    let in_lessons: BTreeSet<i64> = facts
        .enrolments
        .iter()
        .filter(|e| e.lesson_type != LessonType::WholeClass && period.overlaps(e.start_date, e.end_date))
        .map(|e| e.pupil_id)
        .collect();
    let in_ensembles: BTreeSet<i64> = facts
        .ensemble_members
        .iter()
        .filter(|m| period.overlaps(m.joined_on, m.left_on))
        .map(|m| m.pupil_id)
        .collect();
    wcet.into_iter()
        .filter_map(|(id, e)| {
            let own_school = *pupils.get(&id)?;
            Some(Continuer {
                pupil_id: id,
                wcet_school_id: e.school_id.unwrap_or(own_school),
                to_lessons: in_lessons.contains(&id),
                to_ensembles: in_ensembles.contains(&id),
            })
        })
        .collect()
}
