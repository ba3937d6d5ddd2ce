//! A pupil's path: the dated steps of their musical life with the hub (whole-class teaching,
//! lessons, ensembles, graded exams), in the order they happened.
use serde::Serialize;
use time::Date;

use crate::calendar::{AcademicYear, year_group};

/// What a step is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    WholeClass,
    Lessons,
    Ensemble,
    Exam,
}

impl StepKind {
    pub fn label(self) -> &'static str {
        match self {
            StepKind::WholeClass => "Whole-class programme",
            StepKind::Lessons => "Lessons",
            StepKind::Ensemble => "Ensemble",
            StepKind::Exam => "Exam",
        }
    }
}

/// One step: from a day (an exam's day), to a day if it has ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub kind: StepKind,
    pub from: Date,
    pub to: Option<Date>,
    /// What it was: "Recorder at North Primary", "Violin, individual, 30 minutes"…
    pub what: String,
    /// Who and more: the teacher, the school year, the result.
    pub detail: String,
}

/// The academic year and the pupil's year group in it, as a whole-class step says them
/// ("2025-26, Year 3").
pub fn school_year_words(from: Date, date_of_birth: Date) -> String {
    let year = AcademicYear::containing(from);
    match year_group(date_of_birth, year) {
        Ok(g) => format!("{year}, {g}"),
        Err(_) => year.to_string(),
    }
}

/// Puts steps in the order they happened: by their first day, then whole-class teaching
/// before lessons before ensembles before exams on the same day.
pub fn in_order(mut steps: Vec<Step>) -> Vec<Step> {
    steps.sort_by(|a, b| (a.from, a.kind, &a.what).cmp(&(b.from, b.kind, &b.what)));
    steps
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn step(kind: StepKind, from: Date) -> Step {
        Step {
            kind,
            from,
            to: None,
            what: String::new(),
            detail: String::new(),
        }
    }

    #[test]
    fn steps_are_in_date_order_and_a_day_s_by_kind() {
        let steps = in_order(vec![
            step(StepKind::Exam, date!(2027 - 03 - 01)),
            step(StepKind::Ensemble, date!(2026 - 09 - 07)),
            step(StepKind::WholeClass, date!(2025 - 09 - 08)),
            step(StepKind::Lessons, date!(2026 - 09 - 07)),
        ]);
        let kinds: Vec<StepKind> = steps.iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            vec![
                StepKind::WholeClass,
                StepKind::Lessons,
                StepKind::Ensemble,
                StepKind::Exam
            ]
        );
        assert_eq!(
            school_year_words(date!(2025 - 09 - 08), date!(2017 - 10 - 01)),
            "2025-26, Year 3"
        );
    }
}
