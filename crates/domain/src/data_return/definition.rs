//! A year's data return as a file: its sections, each figure's stable key, words, measure and
//! breakdowns, read line by line so that every problem names its line (decision 0090).

use std::fmt;

use serde::Serialize;

use crate::calendar::AcademicYear;
use crate::lessons::LessonType;

/// The definition Tutti ships: used for any year the hub has not loaded one for.
pub const SHIPPED: &str = include_str!("definition-current.txt");

/// The first line every definition file carries.
pub const FORMAT_LINE: &str = "format tutti-data-return 1";

/// What a figure counts: the small set of measures the code implements.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Measure {
    /// Schools with a pupil taught in the year.
    Schools,
    /// Distinct pupils with an enrolment of one of these lesson types in the year.
    Pupils { lesson_types: Vec<LessonType> },
    /// Last year's whole-class pupils with lessons or an ensemble this year (`continuation`).
    Continuation,
    /// Distinct pupils who were members of one of the hub's ensembles in the year.
    EnsembleMembers,
    /// The hub's ensembles with a member in the year.
    Ensembles,
    /// Staff on record, by head count.
    Staff,
    /// Staff as full-time equivalents (not held yet).
    Fte,
    /// Invoiced income, in pence.
    Income,
}

/// A pupil flag a figure may be limited to, or broken down by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    Fsm,
    PupilPremium,
    Send,
    LookedAfter,
}

impl Flag {
    /// The flag a `where` or `breakdown` line names.
    pub(crate) fn parse(word: &str) -> Option<Flag> {
        Some(match word {
            "fsm" => Flag::Fsm,
            "pupil_premium" => Flag::PupilPremium,
            "send" => Flag::Send,
            "looked_after" => Flag::LookedAfter,
            _ => return None,
        })
    }
}

/// The breakdowns a figure may have.
pub const BREAKDOWNS: &[&str] = &[
    "year_group",
    "key_stage",
    "terms",
    "instrument_family",
    "lesson_type",
    "fsm",
    "pupil_premium",
    "send",
    "looked_after",
    "gender",
    "ethnicity",
    "service",
    "employment",
    "payer",
    "ensemble_kind",
    "ensemble_level",
];

/// One figure of the return.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FigureDefinition {
    /// Stable: the JSON's `key` and the drill-down's address.
    pub key: String,
    pub section: String,
    pub words: String,
    pub measure: Measure,
    pub only: Option<Flag>,
    pub breakdowns: Vec<String>,
}

/// A year's return, as read from its file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Definition {
    /// `None`: any year (the shipped one).
    pub year: Option<AcademicYear>,
    pub figures: Vec<FigureDefinition>,
}

/// A problem in a definition file, with its line (1-based).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl Definition {
    /// The definition Tutti ships.
    pub fn shipped() -> Definition {
        Definition::parse(SHIPPED).expect("the shipped data return definition reads")
    }

    /// The figure with this key.
    pub fn figure(&self, key: &str) -> Option<&FigureDefinition> {
        self.figures.iter().find(|f| f.key == key)
    }

    /// Reads a definition file; every problem found is listed with its line.
    pub fn parse(text: &str) -> Result<Definition, Vec<LineError>> {
        let mut errors = Vec::new();
        let mut year = None;
        let mut saw_format = false;
        let mut section: Option<String> = None;
        let mut figures: Vec<(usize, FigureDefinition, bool)> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let n = i + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if !saw_format {
                if line == FORMAT_LINE {
                    saw_format = true;
                } else {
                    push(&mut errors, n, format!("the file must begin with \"{FORMAT_LINE}\""));
                    break;
                }
                continue;
            }
            let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            let rest = rest.trim();
            match word {
                "year" => match rest {
                    "any" => year = None,
                    y => match AcademicYear::parse(y) {
                        Ok(y) => year = Some(y),
                        Err(_) => push(
                            &mut errors,
                            n,
                            format!("\"{y}\" is not an academic year like 2025-26, or \"any\""),
                        ),
                    },
                },
                "section" if rest.is_empty() => push(&mut errors, n, "a section needs its words".into()),
                "section" => section = Some(rest.to_owned()),
                "figure" => {
                    let ok = !rest.is_empty()
                        && rest
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                    if !ok {
                        push(
                            &mut errors,
                            n,
                            format!("\"{rest}\" is not a figure key (lower case letters, digits and _)"),
                        );
                    } else if figures.iter().any(|(_, f, _)| f.key == rest) {
                        push(&mut errors, n, format!("the figure \"{rest}\" is defined twice"));
                    }
                    let Some(section) = section.clone() else {
                        push(&mut errors, n, "a figure must come after a section".into());
                        continue;
                    };
                    figures.push((
                        n,
                        FigureDefinition {
                            key: rest.to_owned(),
                            section,
                            words: String::new(),
                            measure: Measure::Staff,
                            only: None,
                            breakdowns: Vec::new(),
                        },
                        false,
                    ));
                }
                "words" | "measure" | "where" | "breakdown" => {
                    let Some((_, figure, has_measure)) = figures.last_mut() else {
                        push(&mut errors, n, format!("\"{word}\" must follow a figure line"));
                        continue;
                    };
                    match word {
                        "words" => figure.words = rest.to_owned(),
                        "measure" => match parse_measure(rest) {
                            Ok(m) => {
                                figure.measure = m;
                                *has_measure = true;
                            }
                            Err(e) => push(&mut errors, n, e),
                        },
                        "where" => match Flag::parse(rest) {
                            Some(flag) => figure.only = Some(flag),
                            None => push(
                                &mut errors,
                                n,
                                format!("\"{rest}\" is not fsm, pupil_premium, send or looked_after"),
                            ),
                        },
                        _ => {
                            if BREAKDOWNS.contains(&rest) {
                                figure.breakdowns.push(rest.to_owned());
                            } else {
                                push(
                                    &mut errors,
                                    n,
                                    format!("\"{rest}\" is not a breakdown Tutti knows ({})", BREAKDOWNS.join(", ")),
                                );
                            }
                        }
                    }
                }
                other => push(&mut errors, n, format!("\"{other}\" is not a line a definition has")),
            }
        }
        if !saw_format && errors.is_empty() {
            push(&mut errors, 1, format!("the file must begin with \"{FORMAT_LINE}\""));
        }
        for (n, f, has_measure) in &figures {
            if !has_measure {
                push(&mut errors, *n, format!("the figure \"{}\" has no measure line", f.key));
            }
            if f.words.is_empty() {
                push(&mut errors, *n, format!("the figure \"{}\" has no words line", f.key));
            }
        }
        if saw_format && figures.is_empty() && errors.is_empty() {
            push(&mut errors, 1, "the file defines no figures".into());
        }
        if errors.is_empty() {
            Ok(Definition {
                year,
                figures: figures.into_iter().map(|(_, f, _)| f).collect(),
            })
        } else {
            errors.sort_by_key(|e| e.line);
            Err(errors)
        }
    }
}

fn push(errors: &mut Vec<LineError>, line: usize, message: String) {
    errors.push(LineError { line, message });
}

fn parse_measure(text: &str) -> Result<Measure, String> {
    let mut words = text.split_whitespace();
    let name = words.next().unwrap_or("");
    let rest: Vec<&str> = words.collect();
    let measure = match name {
        "schools" => Measure::Schools,
        "continuation" => Measure::Continuation,
        "ensemble-members" => Measure::EnsembleMembers,
        "ensembles" => Measure::Ensembles,
        "staff" => Measure::Staff,
        "fte" => Measure::Fte,
        "income" => Measure::Income,
        "pupils" => {
            let mut lesson_types = Vec::new();
            for w in &rest {
                match w.parse::<LessonType>() {
                    Ok(t) => lesson_types.push(t),
                    Err(_) => {
                        return Err(format!(
                            "\"{w}\" is not a lesson type (individual, paired, group, whole-class)"
                        ));
                    }
                }
            }
            if lesson_types.is_empty() {
                return Err("\"measure pupils\" needs one or more lesson types".into());
            }
            return Ok(Measure::Pupils { lesson_types });
        }
        other => {
            return Err(format!(
                "\"{other}\" is not a measure (schools, pupils, continuation, ensembles, ensemble-members, staff, fte, income)"
            ));
        }
    };
    if rest.is_empty() {
        Ok(measure)
    } else {
        Err(format!("the measure \"{name}\" takes nothing after it"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_definition_reads_and_has_the_keys_the_return_needs() {
        let d = Definition::shipped();
        for key in [
            "schools_engaged",
            "wcet_pupils",
            "pupils_in_lessons",
            "pupils_in_ensembles",
            "fsm_pupils_in_lessons",
        ] {
            assert!(d.figure(key).is_some(), "{key}");
        }
        assert_eq!(d.year, None);
    }

    #[test]
    fn problems_name_their_lines() {
        let text = "format tutti-data-return 1\nyear 2026-27\nsection S\nfigure a\n  words A\n  measure pupils harp\nfigure b\n  breakdown colour\n";
        let errors = Definition::parse(text).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![4, 6, 7, 7, 8], "{errors:?}");
        assert!(
            Definition::parse("hello").unwrap_err()[0]
                .to_string()
                .starts_with("line 1:")
        );
    }
}
