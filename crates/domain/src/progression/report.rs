//! The progression report: of the pupils in whole-class teaching in a year, how many went on to
//! lessons or ensembles the next, in total and by area, school and year group, each split by
//! free school meals, SEND and looked-after status. It groups the data return's own
//! `continuation`, so the two never disagree. Pure: the store reads the facts.
use std::collections::BTreeMap;

use serde::Serialize;

use crate::calendar::{YearGroup, year_group};
use crate::data_return::{Continuer, Facts, Period, PupilFact, continuation, year_before};

/// A school as the report groups by it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchoolFact {
    pub id: i64,
    pub name: String,
    /// Empty when the school has none.
    pub area: String,
}

/// How many started (had whole-class teaching) and how many of them continued.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub started: i64,
    pub continued: i64,
    pub to_lessons: i64,
    pub to_ensembles: i64,
}

impl Tally {
    fn add(&mut self, c: &Continuer) {
        self.started += 1;
        self.continued += i64::from(c.continued());
        self.to_lessons += i64::from(c.to_lessons);
        self.to_ensembles += i64::from(c.to_ensembles);
    }

    /// The share that continued, in whole per cent rounded half up; `None` when none started.
    pub fn percent(&self) -> Option<i64> {
        (self.started > 0).then(|| (self.continued * 200 + self.started) / (self.started * 2))
    }
}

/// One line of the report: everyone it counts, and those with each characteristic.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Line {
    pub label: String,
    /// What the line's drill-down filters by (a school's id, an area, a year group's number).
    pub key: String,
    pub all: Tally,
    pub fsm: Tally,
    pub send: Tally,
    pub looked_after: Tally,
}

impl Line {
    fn new(label: String, key: String) -> Line {
        Line {
            label,
            key,
            ..Line::default()
        }
    }

    fn add(&mut self, c: &Continuer, p: &PupilFact) {
        self.all.add(c);
        if p.fsm {
            self.fsm.add(c);
        }
        if p.send {
            self.send.add(c);
        }
        if p.looked_after {
            self.looked_after.add(c);
        }
    }
}

/// Which pupils a drill-down lists.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Slice {
    pub school: Option<i64>,
    pub area: Option<String>,
    /// The year group's number in the year of whole-class teaching.
    pub year_group: Option<i8>,
    /// Only those with this characteristic: `fsm`, `send` or `looked_after`.
    pub flag: Option<String>,
    /// Only those who continued (`true`) or did not (`false`).
    pub continued: Option<bool>,
}

/// A pupil a line counts, for the drill-down.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Counted {
    pub pupil_id: i64,
    pub school_id: i64,
    pub year_group: Option<String>,
    pub fsm: bool,
    pub send: bool,
    pub looked_after: bool,
    pub to_lessons: bool,
    pub to_ensembles: bool,
}

/// The report for a period's year: whole-class teaching the year before, continuation in it.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub period: Period,
    pub wcet_year: String,
    pub total: Line,
    pub by_area: Vec<Line>,
    pub by_school: Vec<Line>,
    pub by_year_group: Vec<Line>,
    #[serde(skip)]
    pub counted: Vec<Counted>,
}

fn year_group_in(p: &PupilFact, period: Period) -> Option<YearGroup> {
    // The year group when they had whole-class teaching: from the date of birth, since a
    // recorded year group is the pupil's now, not the year before.
    year_group(p.date_of_birth, year_before(period).year).ok()
}

/// Groups `continuation` for `period` by area, school and year group.
pub fn report(period: Period, facts: &Facts, schools: &[SchoolFact]) -> Report {
    let pupils: BTreeMap<i64, &PupilFact> = facts.pupils.iter().map(|p| (p.id, p)).collect();
    let schools: BTreeMap<i64, &SchoolFact> = schools.iter().map(|s| (s.id, s)).collect();
    let mut total = Line::new("All schools".into(), String::new());
    let mut by_area: BTreeMap<String, Line> = BTreeMap::new();
    let mut by_school: BTreeMap<(String, i64), Line> = BTreeMap::new();
    let mut by_year_group: BTreeMap<Option<YearGroup>, Line> = BTreeMap::new();
    let mut counted = Vec::new();
    for c in continuation(period, facts) {
        let Some(p) = pupils.get(&c.pupil_id) else { continue };
        let school = schools.get(&c.wcet_school_id);
        let area = school.map(|s| s.area.trim().to_owned()).unwrap_or_default();
        let name = school
            .map(|s| s.name.clone())
            .unwrap_or_else(|| format!("School {}", c.wcet_school_id));
        let yg = year_group_in(p, period);
        total.add(&c, p);
        by_area
            .entry(area.clone())
            .or_insert_with(|| {
                let label = if area.is_empty() {
                    "No area".to_owned()
                } else {
                    area.clone()
                };
                Line::new(label, area.clone())
            })
            .add(&c, p);
        by_school
            .entry((name.clone(), c.wcet_school_id))
            .or_insert_with(|| Line::new(name, c.wcet_school_id.to_string()))
            .add(&c, p);
        by_year_group
            .entry(yg)
            .or_insert_with(|| match yg {
                Some(y) => Line::new(y.to_string(), y.number().to_string()),
                None => Line::new("Not of school age".into(), "none".into()),
            })
            .add(&c, p);
        counted.push(Counted {
            pupil_id: c.pupil_id,
            school_id: c.wcet_school_id,
            year_group: yg.map(|y| y.to_string()),
            fsm: p.fsm,
            send: p.send,
            looked_after: p.looked_after,
            to_lessons: c.to_lessons,
            to_ensembles: c.to_ensembles,
        });
    }
    Report {
        period,
        wcet_year: year_before(period).year.to_string(),
        total,
        by_area: by_area.into_values().collect(),
        by_school: by_school.into_values().collect(),
        by_year_group: by_year_group.into_values().collect(),
        counted,
    }
}

impl Report {
    /// The pupils a drill-down lists, with the areas of `schools`.
    pub fn slice<'a>(&'a self, slice: &'a Slice, schools: &'a [SchoolFact]) -> impl Iterator<Item = &'a Counted> + 'a {
        let area_of = move |id: i64| {
            schools
                .iter()
                .find(|s| s.id == id)
                .map(|s| s.area.trim().to_owned())
                .unwrap_or_default()
        };
        self.counted.iter().filter(move |c| {
            slice.school.is_none_or(|s| s == c.school_id)
                && slice.area.as_ref().is_none_or(|a| *a == area_of(c.school_id))
                && slice.year_group.is_none_or(|y| {
                    c.year_group
                        .as_deref()
                        .and_then(|g| YearGroup::parse(g).ok())
                        .map(YearGroup::number)
                        == Some(y)
                })
                && match slice.flag.as_deref() {
                    None | Some("") => true,
                    Some("fsm") => c.fsm,
                    Some("send") => c.send,
                    Some("looked_after") => c.looked_after,
                    Some(_) => false,
                }
                && slice
                    .continued
                    .is_none_or(|want| want == (c.to_lessons || c.to_ensembles))
        })
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::calendar::AcademicYear;
    use crate::data_return::{EnrolmentFact, EnsembleMemberFact};
    use crate::lessons::LessonType;

    fn pupil(id: i64, school_id: i64, fsm: bool, send: bool, looked_after: bool) -> PupilFact {
        PupilFact {
            id,
            school_id,
            date_of_birth: date!(2017 - 10 - 01),
            year_group_override: None,
            fsm,
            pupil_premium: false,
            send,
            looked_after,
            gender: None,
            ethnicity: None,
        }
    }

    fn enrolment(pupil_id: i64, lesson_type: LessonType, start: time::Date, end: Option<time::Date>) -> EnrolmentFact {
        EnrolmentFact {
            pupil_id,
            instrument: "Violin".into(),
            lesson_type,
            school_id: None,
            start_date: start,
            end_date: end,
        }
    }

    #[test]
    fn continuation_to_lessons_or_ensembles_by_school_area_and_flag() {
        let last = (date!(2025 - 09 - 08), Some(date!(2026 - 07 - 17)));
        let facts = Facts {
            pupils: vec![
                pupil(1, 10, true, false, false),
                pupil(2, 10, false, true, false),
                pupil(3, 20, false, false, true),
                pupil(4, 20, true, false, false),
                pupil(5, 20, false, false, false),
            ],
            enrolments: vec![
                enrolment(1, LessonType::WholeClass, last.0, last.1),
                enrolment(2, LessonType::WholeClass, last.0, last.1),
                enrolment(3, LessonType::WholeClass, last.0, last.1),
                enrolment(4, LessonType::WholeClass, last.0, last.1),
                // 1 goes on to lessons, 3 to an ensemble; 5 started lessons with no whole-class.
                enrolment(1, LessonType::Individual, date!(2026 - 09 - 07), None),
                enrolment(5, LessonType::Group, date!(2026 - 09 - 07), None),
                // 4's whole-class teaching went on this year too: that is not continuing.
                enrolment(4, LessonType::WholeClass, date!(2026 - 09 - 07), None),
            ],
            ensemble_members: vec![EnsembleMemberFact {
                pupil_id: 3,
                ensemble_id: 7,
                instrument: "Voice".into(),
                kind: "Choir".into(),
                level: "Entry".into(),
                joined_on: date!(2026 - 10 - 01),
                left_on: None,
            }],
            ..Facts::default()
        };
        let schools = vec![
            SchoolFact {
                id: 10,
                name: "North".into(),
                area: "Hills".into(),
            },
            SchoolFact {
                id: 20,
                name: "South".into(),
                area: "Coast".into(),
            },
        ];
        let period = Period::of(AcademicYear::starting(2026), date!(2027 - 03 - 01));
        let r = report(period, &facts, &schools);
        assert_eq!(r.wcet_year, "2025-26");
        assert_eq!(
            r.total.all,
            Tally {
                started: 4,
                continued: 2,
                to_lessons: 1,
                to_ensembles: 1
            }
        );
        assert_eq!(r.total.all.percent(), Some(50));
        assert_eq!((r.total.fsm.started, r.total.fsm.continued), (2, 1));
        assert_eq!((r.total.send.started, r.total.send.continued), (1, 0));
        assert_eq!((r.total.looked_after.started, r.total.looked_after.continued), (1, 1));
        let areas: Vec<(&str, i64, i64)> = r
            .by_area
            .iter()
            .map(|l| (l.label.as_str(), l.all.started, l.all.continued))
            .collect();
        assert_eq!(areas, vec![("Coast", 2, 1), ("Hills", 2, 1)]);
        assert_eq!(r.by_school.len(), 2);
        assert_eq!(r.by_year_group[0].label, "Year 3");
        let only = Slice {
            area: Some("Coast".into()),
            continued: Some(true),
            ..Slice::default()
        };
        let ids: Vec<i64> = r.slice(&only, &schools).map(|c| c.pupil_id).collect();
        assert_eq!(ids, vec![3]);
        // The data return's figure is the same count.
        let dr = crate::data_return::compute(&crate::data_return::Definition::shipped(), period, &facts);
        assert_eq!(dr.figure("wcet_continuation").unwrap().value, Some(2));
    }

    #[test]
    fn percentages_round_half_up_and_none_of_none() {
        let t = |started, continued| Tally {
            started,
            continued,
            ..Tally::default()
        };
        assert_eq!(t(0, 0).percent(), None);
        assert_eq!(t(3, 1).percent(), Some(33));
        assert_eq!(t(3, 2).percent(), Some(67));
        assert_eq!(t(8, 1).percent(), Some(13));
        assert_eq!(t(4, 4).percent(), Some(100));
    }
}
