//! The progression report (decision 0095): a year's continuation after whole-class teaching,
//! worked out by the domain from the data return's own facts (so the report and the return's
//! `wcet_continuation` never disagree), grouped by the schools' names and areas; and the pupils
//! a line counts, by name, for the office to check.
use sea_orm::{FromQueryResult, Value};
use tutti_domain::calendar::AcademicYear;
use tutti_domain::data_return::Period;
use tutti_domain::progression::report::{Counted, Report, SchoolFact, Slice, report};

use crate::Store;
use crate::error::Result;
use crate::query::all_of;

#[derive(FromQueryResult)]
struct SchoolRow {
    id: i64,
    name: String,
    area: String,
}

/// A pupil a drill-down lists: who, and what the report counted of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountedPupil {
    pub id: i64,
    pub reference: String,
    pub name: String,
    pub school: String,
    pub counted: Counted,
}

#[derive(FromQueryResult)]
struct NameRow {
    id: i64,
    pupil_ref: String,
    first_name: String,
    last_name: String,
}

#[tutti_boxed::boxed]
impl Store {
    /// The schools, with their areas, as the report groups them.
    async fn progression_schools(&self) -> Result<Vec<SchoolFact>> {
        Ok(
            all_of::<SchoolRow>(self.conn(), "SELECT id, name, area FROM schools", [])
                .await?
                .into_iter()
                .map(|s| SchoolFact {
                    id: s.id,
                    name: s.name,
                    area: s.area,
                })
                .collect(),
        )
    }

    /// `year`'s progression report: whole-class teaching the year before, continuation in
    /// `year` (to today while it is in progress); with the schools it grouped by.
    pub async fn progression_report(&self, year: AcademicYear) -> Result<(Report, Vec<SchoolFact>)> {
        let period = Period::of(year, self.today());
        let facts = self.data_return_facts(period).await?;
        let schools = self.progression_schools().await?;
        Ok((report(period, &facts, &schools), schools))
    }

    /// The pupils `slice` of `year`'s report counts, by name.
    pub async fn progression_pupils(&self, year: AcademicYear, slice: &Slice) -> Result<(Report, Vec<CountedPupil>)> {
        let (report, schools) = self.progression_report(year).await?;
        let chosen: Vec<Counted> = report.slice(slice, &schools).cloned().collect();
        let _backend = self.conn().get_database_backend();
        let mut names = std::collections::BTreeMap::new();
        for chunk in chosen.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let values: Vec<Value> = chunk.iter().map(|c| c.pupil_id.into()).collect();
            for row in all_of::<NameRow>(
                self.conn(),
                &format!("SELECT id, pupil_ref, first_name, last_name FROM pupils WHERE id IN ({marks})"),
                values,
            )
            .await?
            {
                names.insert(row.id, row);
            }
        }
        let mut pupils: Vec<CountedPupil> = chosen
            .into_iter()
            .filter_map(|c| {
                let n = names.get(&c.pupil_id)?;
                Some(CountedPupil {
                    id: n.id,
                    reference: n.pupil_ref.clone(),
                    name: format!("{} {}", n.first_name, n.last_name),
                    school: schools
                        .iter()
                        .find(|s| s.id == c.school_id)
                        .map(|s| s.name.clone())
                        .unwrap_or_default(),
                    counted: c,
                })
            })
            .collect();
        pupils.sort_by(|a, b| {
            let key = |p: &CountedPupil| {
                let (first, last) = names
                    .get(&p.id)
                    .map(|n| (n.first_name.clone(), n.last_name.clone()))
                    .unwrap_or_default();
                (last, first, p.id)
            };
            key(a).cmp(&key(b))
        });
        Ok((report, pupils))
    }
}
