//! The annual data return (decision 0090): its definition as a file (`definition`), and the
//! figures worked out from the facts the store reads for a year (pure: no IO), each figure
//! with the ids of the records it counts so the office can check them.

mod continuation;
pub mod definition;
mod families;
mod output;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use time::{Date, Month};

use crate::calendar::{AcademicYear, year_group};
use crate::characteristics::{Ethnicity, Gender};
use crate::lessons::LessonType;
pub use continuation::{Continuer, continuation, year_before};
pub use definition::{Definition, FigureDefinition, Flag, LineError, Measure};
pub use families::instrument_family;
pub use output::{to_csv, to_xlsx};

/// A pupil as the return reads them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PupilFact {
    pub id: i64,
    pub school_id: i64,
    pub date_of_birth: Date,
    pub year_group_override: Option<i8>,
    pub fsm: bool,
    pub pupil_premium: bool,
    pub send: bool,
    pub looked_after: bool,
    pub gender: Option<Gender>,
    pub ethnicity: Option<Ethnicity>,
}

/// An enrolment taught (not awaiting a teacher) as the return reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnrolmentFact {
    pub pupil_id: i64,
    pub instrument: String,
    pub lesson_type: LessonType,
    /// Where it is taught, else the pupil's school.
    pub school_id: Option<i64>,
    pub start_date: Date,
    pub end_date: Option<Date>,
}

/// A member of staff on record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffFact {
    pub id: i64,
    pub employment: Option<String>,
    /// Their full-time equivalent in hundredths, if recorded.
    pub fte_hundredths: Option<u16>,
}

/// An invoice issued (not cancelled).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoiceFact {
    pub id: i64,
    pub payer_kind: String,
    pub total_pence: i64,
    pub issued_on: Date,
}

/// A pupil's membership of an ensemble (accepted, from the day they joined to the day they
/// left), with the ensemble's kind and level as their words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnsembleMemberFact {
    pub pupil_id: i64,
    pub ensemble_id: i64,
    pub instrument: String,
    pub kind: String,
    pub level: String,
    pub joined_on: Date,
    pub left_on: Option<Date>,
}

/// What the store reads for a year's return.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub pupils: Vec<PupilFact>,
    /// Enrolments overlapping last year or this one (last year's for continuation).
    pub enrolments: Vec<EnrolmentFact>,
    pub staff: Vec<StaffFact>,
    pub invoices: Vec<InvoiceFact>,
    /// Ensemble memberships overlapping the year.
    pub ensemble_members: Vec<EnsembleMemberFact>,
}

/// The days a return counts: a year, to its end or (the year in progress) to a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Period {
    pub year: AcademicYear,
    #[serde(with = "crate::serde_formats::date")]
    pub to: Date,
}

impl Period {
    /// `year` to its last day, or to `today` if the year is in progress.
    pub fn of(year: AcademicYear, today: Date) -> Period {
        Period {
            year,
            to: year.last_day().min(today),
        }
    }

    /// True while the year is not over.
    pub fn in_progress(&self) -> bool {
        self.to < self.year.last_day()
    }

    fn overlaps(&self, start: Date, end: Option<Date>) -> bool {
        start <= self.to && end.is_none_or(|e| e >= self.year.first_day())
    }
}

/// What kind of record a figure counts (its drill-down's rows).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Counts {
    Pupils,
    Schools,
    Staff,
    Invoices,
    Ensembles,
    Nothing,
}

/// One line of a breakdown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Row {
    pub label: String,
    pub value: i64,
}

/// A figure split by one characteristic. `not_recorded` counts the records lacking it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Breakdown {
    pub by: String,
    pub rows: Vec<Row>,
    pub not_recorded: i64,
}

/// A figure of the return as worked out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Figure {
    pub key: String,
    pub section: String,
    pub words: String,
    /// `None` when Tutti does not hold what it needs (see `note`).
    pub value: Option<i64>,
    pub unit: &'static str,
    pub note: Option<String>,
    pub counts: Counts,
    pub breakdowns: Vec<Breakdown>,
    /// The ids of the records counted, for the drill-down.
    #[serde(skip)]
    pub counted: Vec<i64>,
}

/// A year's return.
#[derive(Clone, Debug, Serialize)]
pub struct DataReturn {
    pub academic_year: String,
    pub period: Period,
    pub in_progress: bool,
    pub figures: Vec<Figure>,
}

impl DataReturn {
    /// The figure with this key.
    pub fn figure(&self, key: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.key == key)
    }
}

/// Works out every figure of `definition` for `period` from `facts`.
pub fn compute(definition: &Definition, period: Period, facts: &Facts) -> DataReturn {
    let pupils: BTreeMap<i64, &PupilFact> = facts.pupils.iter().map(|p| (p.id, p)).collect();
    let this_year: Vec<&EnrolmentFact> = facts
        .enrolments
        .iter()
        .filter(|e| period.overlaps(e.start_date, e.end_date))
        .collect();
    let ctx = Context {
        period,
        pupils,
        this_year,
        facts,
    };
    DataReturn {
        academic_year: period.year.to_string(),
        period,
        in_progress: period.in_progress(),
        figures: definition.figures.iter().map(|f| ctx.figure(f)).collect(),
    }
}

struct Context<'a> {
    period: Period,
    pupils: BTreeMap<i64, &'a PupilFact>,
    this_year: Vec<&'a EnrolmentFact>,
    facts: &'a Facts,
}

fn flag_of(p: &PupilFact, flag: Flag) -> bool {
    match flag {
        Flag::Fsm => p.fsm,
        Flag::PupilPremium => p.pupil_premium,
        Flag::Send => p.send,
        Flag::LookedAfter => p.looked_after,
    }
}

fn yes_no(b: bool) -> String {
    if b { "Yes" } else { "No" }.to_owned()
}

/// Counts labels, keeping the order of first appearance within a sorted key.
fn tally<K: Ord>(items: impl Iterator<Item = Option<(K, String)>>, by: &str) -> Breakdown {
    let mut counts: BTreeMap<K, (String, i64)> = BTreeMap::new();
    let mut not_recorded = 0;
    for item in items {
        match item {
            Some((k, label)) => counts.entry(k).or_insert((label, 0)).1 += 1,
            None => not_recorded += 1,
        }
    }
    Breakdown {
        by: by.to_owned(),
        rows: counts
            .into_values()
            .map(|(label, value)| Row { label, value })
            .collect(),
        not_recorded,
    }
}

/// Which term of the year a day falls in (autumn from September, spring from January, summer
/// from April): the return's "number of terms" counts these.
fn term_of(day: Date) -> u8 {
    match day.month() {
        Month::September | Month::October | Month::November | Month::December => 0,
        Month::January | Month::February | Month::March => 1,
        _ => 2,
    }
}

impl<'a> Context<'a> {
    fn figure(&self, def: &FigureDefinition) -> Figure {
        let mut figure = Figure {
            key: def.key.clone(),
            section: def.section.clone(),
            words: def.words.clone(),
            value: None,
            unit: "count",
            note: None,
            counts: Counts::Nothing,
            breakdowns: Vec::new(),
            counted: Vec::new(),
        };
        match &def.measure {
            Measure::Pupils { lesson_types } => {
                let enrolments: Vec<&EnrolmentFact> = self
                    .this_year
                    .iter()
                    .copied()
                    .filter(|e| lesson_types.contains(&e.lesson_type))
                    .filter(|e| self.pupil_passes(e.pupil_id, def.only))
                    .collect();
                self.pupil_figure(&mut figure, def, &enrolments, &BTreeSet::new());
            }
            Measure::Continuation => {
                // The progression report's rule too (`continuation`): lessons or an ensemble.
                let continued: BTreeSet<i64> = continuation(self.period, self.facts)
                    .into_iter()
                    .filter(|c| c.continued() && self.pupil_passes(c.pupil_id, def.only))
                    .map(|c| c.pupil_id)
                    .collect();
                let enrolments: Vec<&EnrolmentFact> = self
                    .this_year
                    .iter()
                    .copied()
                    .filter(|e| e.lesson_type != LessonType::WholeClass && continued.contains(&e.pupil_id))
                    .collect();
                self.pupil_figure(&mut figure, def, &enrolments, &continued);
            }
            Measure::Schools => {
                let mut services: BTreeMap<i64, BTreeSet<&'static str>> = BTreeMap::new();
                for e in &self.this_year {
                    let Some(school) = e
                        .school_id
                        .or_else(|| self.pupils.get(&e.pupil_id).map(|p| p.school_id))
                    else {
                        continue;
                    };
                    let service = if e.lesson_type == LessonType::WholeClass {
                        "Whole-class ensemble teaching"
                    } else {
                        "Instrumental and vocal lessons"
                    };
                    services.entry(school).or_default().insert(service);
                }
                figure.counts = Counts::Schools;
                figure.value = Some(services.len() as i64);
                figure.counted = services.keys().copied().collect();
                figure.note = Some(
                    "Counted from lessons and whole-class teaching: ensembles meet apart from schools, and singing and CPD are not held yet, so schools served only by them are not counted."
                        .into(),
                );
                for by in &def.breakdowns {
                    if by == "service" {
                        figure.breakdowns.push(tally(
                            services
                                .values()
                                .flat_map(|s| s.iter())
                                .map(|s| Some((*s, (*s).to_owned()))),
                            by,
                        ));
                    }
                }
            }
            Measure::EnsembleMembers => {
                let mut by_pupil: BTreeMap<i64, Vec<&EnsembleMemberFact>> = BTreeMap::new();
                for m in self.memberships() {
                    if self.pupil_passes(m.pupil_id, def.only) {
                        by_pupil.entry(m.pupil_id).or_default().push(m);
                    }
                }
                let pupils: Vec<&PupilFact> = by_pupil.keys().filter_map(|id| self.pupils.get(id).copied()).collect();
                figure.counts = Counts::Pupils;
                figure.value = Some(pupils.len() as i64);
                figure.counted = pupils.iter().map(|p| p.id).collect();
                // A pupil in two orchestras is one orchestra player: once per kind, level and family.
                let once_per = |label: fn(&EnsembleMemberFact) -> String| {
                    by_pupil.values().flat_map(move |ms| {
                        ms.iter()
                            .map(|m| label(m))
                            .collect::<BTreeSet<_>>()
                            .into_iter()
                            .map(|l| Some((l.clone(), l)))
                    })
                };
                for by in &def.breakdowns {
                    let breakdown = match by.as_str() {
                        "ensemble_kind" => tally(once_per(|m| m.kind.clone()), by),
                        "ensemble_level" => tally(once_per(|m| m.level.clone()), by),
                        "instrument_family" => tally(once_per(|m| instrument_family(&m.instrument).to_owned()), by),
                        other => match self.pupil_breakdown(other, &pupils) {
                            Some(b) => b,
                            None => continue,
                        },
                    };
                    figure.breakdowns.push(breakdown);
                }
            }
            Measure::Ensembles => {
                let mut ensembles: BTreeMap<i64, &EnsembleMemberFact> = BTreeMap::new();
                for m in self.memberships() {
                    ensembles.entry(m.ensemble_id).or_insert(m);
                }
                figure.counts = Counts::Ensembles;
                figure.value = Some(ensembles.len() as i64);
                figure.counted = ensembles.keys().copied().collect();
                for by in &def.breakdowns {
                    let label: fn(&EnsembleMemberFact) -> String = match by.as_str() {
                        "ensemble_kind" => |m| m.kind.clone(),
                        "ensemble_level" => |m| m.level.clone(),
                        _ => continue,
                    };
                    figure
                        .breakdowns
                        .push(tally(ensembles.values().map(|m| Some((label(m), label(m)))), by));
                }
            }
            Measure::Staff => {
                figure.counts = Counts::Staff;
                figure.value = Some(self.facts.staff.len() as i64);
                figure.counted = self.facts.staff.iter().map(|s| s.id).collect();
                for by in &def.breakdowns {
                    if by == "employment" {
                        figure.breakdowns.push(tally(
                            self.facts
                                .staff
                                .iter()
                                .map(|s| s.employment.clone().map(|e| (e.clone(), e))),
                            by,
                        ));
                    }
                }
            }
            Measure::Fte => {
                // Hundredths of a full-time post, summed over the staff who have one recorded;
                // the rest are counted as lacking it, as missing fields are elsewhere.
                let staff = &self.facts.staff;
                let lacking = staff.iter().filter(|s| s.fte_hundredths.is_none()).count();
                figure.unit = "fte_hundredths";
                figure.counts = Counts::Staff;
                figure.counted = staff
                    .iter()
                    .filter(|s| s.fte_hundredths.is_some())
                    .map(|s| s.id)
                    .collect();
                figure.value = Some(staff.iter().filter_map(|s| s.fte_hundredths).map(i64::from).sum());
                if lacking > 0 {
                    figure.note = Some(format!(
                        "{lacking} of {} staff records hold no FTE and are not counted.",
                        staff.len()
                    ));
                }
                for by in &def.breakdowns {
                    if by == "employment" {
                        let mut sums: BTreeMap<String, i64> = BTreeMap::new();
                        let mut not_recorded = 0;
                        for s in staff {
                            match (&s.employment, s.fte_hundredths) {
                                (Some(e), Some(h)) => *sums.entry(e.clone()).or_default() += i64::from(h),
                                _ => not_recorded += 1,
                            }
                        }
                        figure.breakdowns.push(Breakdown {
                            by: by.clone(),
                            rows: sums.into_iter().map(|(label, value)| Row { label, value }).collect(),
                            not_recorded,
                        });
                    }
                }
            }
            Measure::Income => {
                let invoices: Vec<&InvoiceFact> = self
                    .facts
                    .invoices
                    .iter()
                    .filter(|i| i.issued_on >= self.period.year.first_day() && i.issued_on <= self.period.to)
                    .collect();
                figure.unit = "pence";
                figure.counts = Counts::Invoices;
                figure.value = Some(invoices.iter().map(|i| i.total_pence).sum());
                figure.counted = invoices.iter().map(|i| i.id).collect();
                figure.note = Some("Invoiced to families and schools; grants and other funding are not held.".into());
                for by in &def.breakdowns {
                    if by == "payer" {
                        let mut sums: BTreeMap<String, i64> = BTreeMap::new();
                        for i in &invoices {
                            *sums.entry(i.payer_kind.clone()).or_default() += i.total_pence;
                        }
                        figure.breakdowns.push(Breakdown {
                            by: by.clone(),
                            rows: sums.into_iter().map(|(label, value)| Row { label, value }).collect(),
                            not_recorded: 0,
                        });
                    }
                }
            }
        }
        figure
    }

    fn pupil_passes(&self, pupil_id: i64, only: Option<Flag>) -> bool {
        match (self.pupils.get(&pupil_id), only) {
            (Some(_), None) => true,
            (Some(p), Some(flag)) => flag_of(p, flag),
            (None, _) => false,
        }
    }

    /// Each pupil once, however many enrolments; breakdowns by the pupil's characteristics
    /// count each pupil once, those by the lesson (family, type) once per pupil and value.
    /// `also`: pupils counted with no enrolment among `enrolments` (a continuation to an
    /// ensemble only).
    fn pupil_figure(
        &self,
        figure: &mut Figure,
        def: &FigureDefinition,
        enrolments: &[&EnrolmentFact],
        also: &BTreeSet<i64>,
    ) {
        let mut by_pupil: BTreeMap<i64, Vec<&EnrolmentFact>> = BTreeMap::new();
        for e in enrolments {
            by_pupil.entry(e.pupil_id).or_default().push(e);
        }
        let ids: BTreeSet<i64> = by_pupil.keys().chain(also.iter()).copied().collect();
        let pupils: Vec<&PupilFact> = ids.iter().filter_map(|id| self.pupils.get(id).copied()).collect();
        figure.counts = Counts::Pupils;
        figure.value = Some(pupils.len() as i64);
        figure.counted = pupils.iter().map(|p| p.id).collect();
        for by in &def.breakdowns {
            let breakdown = match by.as_str() {
                "terms" => tally(
                    by_pupil.values().map(|es| {
                        let terms = self.terms_covered(es);
                        Some((terms, format!("{terms} term{}", if terms == 1 { "" } else { "s" })))
                    }),
                    by,
                ),
                "instrument_family" => tally(
                    by_pupil.values().flat_map(|es| {
                        es.iter()
                            .map(|e| instrument_family(&e.instrument))
                            .collect::<BTreeSet<_>>()
                            .into_iter()
                            .map(|f| Some((f, f.to_owned())))
                    }),
                    by,
                ),
                "lesson_type" => tally(
                    by_pupil.values().flat_map(|es| {
                        es.iter()
                            .map(|e| e.lesson_type)
                            .collect::<BTreeSet<_>>()
                            .into_iter()
                            .map(|t| Some((t, t.as_str().replace('-', " "))))
                    }),
                    by,
                ),
                other => match self.pupil_breakdown(other, &pupils) {
                    Some(b) => b,
                    None => continue,
                },
            };
            figure.breakdowns.push(breakdown);
        }
    }

    /// Ensemble memberships overlapping the period.
    fn memberships(&self) -> impl Iterator<Item = &'a EnsembleMemberFact> + '_ {
        self.facts
            .ensemble_members
            .iter()
            .filter(|m| self.period.overlaps(m.joined_on, m.left_on))
    }

    /// A breakdown by a pupil's own characteristics (each pupil once), or `None` for one that
    /// is not about the pupil.
    fn pupil_breakdown(&self, by: &str, pupils: &[&PupilFact]) -> Option<Breakdown> {
        let year = self.period.year;
        let year_group_of = |p: &PupilFact| {
            p.year_group_override
                .and_then(crate::calendar::YearGroup::from_number)
                .or_else(|| year_group(p.date_of_birth, year).ok())
        };
        Some(match by {
            "year_group" => tally(pupils.iter().map(|p| year_group_of(p).map(|y| (y, y.to_string()))), by),
            "key_stage" => tally(
                pupils
                    .iter()
                    .map(|p| year_group_of(p).map(|y| (y.key_stage(), y.key_stage().to_string()))),
                by,
            ),
            "gender" => tally(pupils.iter().map(|p| p.gender.map(|g| (g, g.words().to_owned()))), by),
            "ethnicity" => tally(
                pupils.iter().map(|p| p.ethnicity.map(|e| (e, e.words().to_owned()))),
                by,
            ),
            "fsm" | "pupil_premium" | "send" | "looked_after" => {
                let flag = Flag::parse(by).expect("a flag");
                tally(
                    pupils
                        .iter()
                        .map(|p| Some((!flag_of(p, flag), yes_no(flag_of(p, flag))))),
                    by,
                )
            }
            _ => return None,
        })
    }

    /// The terms of the year (to date) a pupil's enrolments cover.
    fn terms_covered(&self, enrolments: &[&EnrolmentFact]) -> usize {
        let mut terms = BTreeSet::new();
        for e in enrolments {
            let from = e.start_date.max(self.period.year.first_day());
            let to = e.end_date.unwrap_or(self.period.to).min(self.period.to);
            let mut day = from;
            while day <= to {
                terms.insert(term_of(day));
                // Move to the first of the next month: the terms change only at months' starts.
                let (y, m) = (day.year(), day.month());
                let (y, m) = if m == Month::December {
                    (y + 1, Month::January)
                } else {
                    (y, m.next())
                };
                day = Date::from_calendar_date(y, m, 1).expect("a day");
            }
        }
        terms.len()
    }
}
