//! The year's imports: term dates (`authority, academic_year, term, first_day, last_day,
//! half_term_first_day, half_term_last_day`) matched on authority, year and term, and closures
//! (`authority, school_urn, date, reason`, and an optional `kind`) matched on whose and date.

use time::Date;

use super::import::{CsvColumn, CsvRow, RowReader};
use crate::calendar::{AcademicYear, DateRange, TermDates, TermId, TermName};
use crate::terms::{ClosureKind, TEXT_MAX_CHARS, check_closure, check_term, parse_term_name, term_title};
use crate::validate::{Urn, format_date_iso, parse_date};

const fn column(name: &'static str, required: bool) -> CsvColumn {
    CsvColumn { name, required }
}

/// One term of one local authority's year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TermRow {
    pub authority: String,
    pub dates: TermDates,
}

impl CsvRow for TermRow {
    const RECORDS: &'static str = "terms";
    const COLUMNS: &'static [CsvColumn] = &[
        column("authority", true),
        column("academic_year", true),
        column("term", true),
        column("first_day", true),
        column("last_day", true),
        column("half_term_first_day", true),
        column("half_term_last_day", true),
    ];
    const KEY_COLUMN: &'static str = "term";

    /// An authority has one set of dates for each term of a year.
    fn key(&self) -> String {
        format!("{} {}", self.authority.to_lowercase(), self.dates.term)
    }

    fn read(row: &mut RowReader<'_>) -> Option<Self> {
        let authority = row.required_text("authority", TEXT_MAX_CHARS);
        let year = row.required("academic_year", AcademicYear::parse);
        let name: Option<TermName> = row.required("term", parse_term_name);
        let first = row.required("first_day", parse_date);
        let last = row.required("last_day", parse_date);
        let half_first = row.required("half_term_first_day", parse_date);
        let half_last = row.required("half_term_last_day", parse_date);
        let dates = TermDates {
            term: TermId::new(year?, name?),
            dates: DateRange {
                first: first?,
                last: last?,
            },
            half_term: DateRange {
                first: half_first?,
                last: half_last?,
            },
        };
        if let Err(refusal) = check_term(&dates) {
            row.error(refusal.field().unwrap_or("first_day"), refusal.to_string());
            return None;
        }
        Some(TermRow {
            authority: authority?,
            dates,
        })
    }

    fn to_fields(&self) -> Vec<String> {
        let d = &self.dates;
        vec![
            self.authority.clone(),
            d.term.year.to_string(),
            term_title(d.term.name).to_owned(),
            format_date_iso(d.dates.first),
            format_date_iso(d.dates.last),
            format_date_iso(d.half_term.first),
            format_date_iso(d.half_term.last),
        ]
    }
}

/// Whose day without lessons: a whole local authority's, or one school's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClosureOf {
    Authority(String),
    School(Urn),
}

/// One day without lessons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClosureRow {
    pub whose: ClosureOf,
    pub date: Date,
    pub reason: String,
    /// `closure` (the default when the column is absent or blank) or `inset`.
    pub kind: ClosureKind,
}

impl CsvRow for ClosureRow {
    const RECORDS: &'static str = "closures";
    const COLUMNS: &'static [CsvColumn] = &[
        column("authority", true),
        column("school_urn", true),
        column("date", true),
        column("reason", true),
        column("kind", false),
    ];
    const KEY_COLUMN: &'static str = "date";

    /// One closure a day for each authority or school.
    fn key(&self) -> String {
        let whose = match &self.whose {
            ClosureOf::Authority(a) => a.to_lowercase(),
            ClosureOf::School(urn) => urn.to_string(),
        };
        format!("{whose} {}", format_date_iso(self.date))
    }

    fn read(row: &mut RowReader<'_>) -> Option<Self> {
        let authority = row.optional_text("authority", TEXT_MAX_CHARS);
        let urn = row.optional("school_urn", Urn::parse);
        let date = row.required("date", parse_date);
        let reason = row.required_text("reason", TEXT_MAX_CHARS);
        let kind = row.optional("kind", str::parse::<ClosureKind>);
        let whose = match (authority?, urn?) {
            (Some(a), None) => ClosureOf::Authority(a),
            (None, Some(u)) => ClosureOf::School(u),
            (Some(_), Some(_)) => {
                row.error(
                    "school_urn",
                    "Give the local authority or the school's URN, not both: leave one empty",
                );
                return None;
            }
            (None, None) => {
                row.error(
                    "authority",
                    "Give the local authority, or the school's URN for one school's closure",
                );
                return None;
            }
        };
        let (date, reason, kind) = (date?, reason?, kind?);
        if let Err(refusal) = check_closure(date, &reason) {
            row.error(refusal.field().unwrap_or("date"), refusal.to_string());
            return None;
        }
        Some(ClosureRow {
            whose,
            date,
            reason,
            kind: kind.unwrap_or(ClosureKind::Closure),
        })
    }

    fn to_fields(&self) -> Vec<String> {
        let (authority, urn) = match &self.whose {
            ClosureOf::Authority(a) => (a.clone(), String::new()),
            ClosureOf::School(u) => (String::new(), u.to_string()),
        };
        vec![
            authority,
            urn,
            format_date_iso(self.date),
            self.reason.clone(),
            self.kind.to_string(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::super::{export, import};
    use super::*;
    use time::macros::date;

    const TERMS: &str = "authority,academic_year,term,first_day,last_day,half_term_first_day,half_term_last_day";

    #[test]
    fn terms_read_with_every_error_by_line_and_column() {
        let text = format!(
            "{TERMS}\n\
             Northshire,2026-27,Autumn,2026-09-02,2026-12-18,2026-10-26,2026-10-30\n\
             Northshire,2026-27,Winter,2027-01-04,2027-03-19,2027-02-15,2027-02-19\n\
             Northshire,2026-27,Spring,2027-01-04,2027-03-19,2027-04-15,2027-04-19\n\
             Northshire,2026-27,autumn,2026-09-03,2026-12-18,2026-10-26,2026-10-30\n\
             ,2026/27,Summer,12/04/2027,2027-07-21,2027-05-31,2027-06-04\n"
        );
        let outcome = import::<TermRow>(&text);
        let errors: Vec<String> = outcome.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            errors,
            vec![
                "Line 3, column term: Enter the term: Autumn, Spring or Summer",
                "Line 4, column half_term_first_day: Half term must fall inside the term, from Monday 4 January 2027 \
                 to Friday 19 March 2027.",
                "Line 5, column term: term northshire 2026-autumn is on line 2 and again on line 5",
                "Line 6, column authority: This must be filled in",
            ]
        );
        let first = &outcome.rows[0].row;
        assert_eq!(first.dates.term.to_string(), "2026-autumn");
        let again = import::<TermRow>(&export([first])).into_rows().unwrap();
        assert_eq!(&again[0].row, first);
    }

    #[test]
    fn closures_are_an_authority_s_or_a_school_s() {
        let text = "authority,school_urn,date,reason\n\
                    Northshire,,2026-11-26,Polling day\n\
                    ,114250,27/11/2026,Boiler\n\
                    Northshire,114250,2026-11-30,Both\n\
                    ,,2026-12-01,Neither\n\
                    Northshire,,2026-11-28,Saturday\n\
                    Northshire,,2026-11-26,Twice\n";
        let outcome = import::<ClosureRow>(text);
        let errors: Vec<String> = outcome.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            errors,
            vec![
                "Line 4, column school_urn: Give the local authority or the school's URN, not both: leave one empty",
                "Line 5, column authority: Give the local authority, or the school's URN for one school's closure",
                "Line 6, column date: Saturday 28 November 2026 is a weekend: there are no lessons to close.",
                "Line 7, column date: date northshire 2026-11-26 is on line 2 and again on line 7",
            ]
        );
        assert_eq!(outcome.rows[0].row.kind, ClosureKind::Closure);
        assert_eq!(outcome.rows[1].row.whose, ClosureOf::School(Urn::new(114_250).unwrap()));
        assert_eq!(outcome.rows[1].row.date, date!(2026 - 11 - 27));
        let inset =
            import::<ClosureRow>("authority,school_urn,date,reason,kind\nNorthshire,,2026-09-01,Training,inset\n")
                .into_rows()
                .unwrap();
        assert_eq!(inset[0].row.kind, ClosureKind::Inset);
        let again = import::<ClosureRow>(&export([&inset[0].row])).into_rows().unwrap();
        assert_eq!(again[0].row, inset[0].row);
    }
}
