//! The annual data return: reads a year's facts (pupils taught, enrolments of this year and
//! last, ensemble memberships, staff, invoices), works out the figures of the year's definition with the domain, and
//! keeps the definition a hub imports. The drill-down lists the records a figure counts.
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use serde::Serialize;
use time::Date;
use tutti_domain::calendar::AcademicYear;
use tutti_domain::data_return::{
    Counts, DataReturn, Definition, EnrolmentFact, EnsembleMemberFact, Facts, InvoiceFact, LineError, Period,
    PupilFact, StaffFact, compute,
};
use tutti_domain::ensembles::{EnsembleKind, EnsembleLevel};

use crate::error::{Result, StoreError};
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, one_of, stmt};
use crate::{Store, now};

#[derive(FromQueryResult)]
struct PupilRow {
    id: i64,
    school_id: i64,
    date_of_birth: Date,
    year_group_override: Option<i32>,
    fsm: bool,
    pupil_premium: bool,
    send: bool,
    looked_after: bool,
    gender: Option<String>,
    ethnicity: Option<String>,
}

#[derive(FromQueryResult)]
struct EnrolmentRow {
    pupil_id: i64,
    instrument: String,
    lesson_type: String,
    school_id: Option<i64>,
    start_date: Date,
    end_date: Option<Date>,
}

#[derive(FromQueryResult)]
struct StaffRow {
    id: i64,
    employment: String,
    fte_hundredths: Option<i32>,
}

#[derive(FromQueryResult)]
struct InvoiceRow {
    id: i64,
    payer_kind: String,
    total_pence: i64,
    issued_on: Date,
}

#[derive(FromQueryResult)]
struct MemberRow {
    pupil_id: i64,
    ensemble_id: i64,
    instrument: String,
    kind: String,
    level: String,
    joined_on: Date,
    left_on: Option<Date>,
}

#[derive(FromQueryResult)]
struct DefinitionRow {
    document: String,
}

/// A record a figure counts, as its drill-down lists it.
#[derive(Debug, Clone, Serialize, FromQueryResult, PartialEq, Eq)]
pub struct CountedRecord {
    pub id: i64,
    /// A reference: the pupil's, the school's URN, the staff member's email, the invoice's number.
    pub reference: String,
    pub name: String,
}

/// Rows per `IN (...)` list: inside SQLite's limit on a statement's parameters.
const CHUNK: usize = 500;

#[tutti_boxed::boxed]
impl Store {
    /// The definition of `year`'s return: the one the hub imported for it, else the shipped one.
    pub async fn data_return_definition(&self, year: AcademicYear) -> Result<Definition> {
        let row = one_of::<DefinitionRow>(
            self.conn(),
            "SELECT document FROM data_return_definitions WHERE academic_year = ?",
            [year.to_string().into()],
        )
        .await?;
        match row {
            None => Ok(Definition::shipped()),
            Some(r) => Definition::parse(&r.document)
                .map_err(|e| StoreError::Corrupt(format!("data_return_definitions for {year}: {}", e[0]))),
        }
    }

    /// Checks a definition file and keeps it as the return of the year it names; a file with
    /// any problem changes nothing and its problems are returned with their lines.
    pub async fn import_data_return_definition(
        &self,
        actor: &Actor,
        text: &str,
    ) -> Result<std::result::Result<AcademicYear, Vec<LineError>>> {
        let definition = match Definition::parse(text) {
            Ok(d) => d,
            Err(errors) => return Ok(Err(errors)),
        };
        let Some(year) = definition.year else {
            return Ok(Err(vec![LineError {
                line: 1,
                message: "an imported definition names its academic year, like \"year 2026-27\"".into(),
            }]));
        };
        let txn = self.write().await?;
        let backend = txn.get_database_backend();
        let key = year.to_string();
        txn.execute_raw(stmt(
            backend,
            "DELETE FROM data_return_definitions WHERE academic_year = ?",
            [key.clone().into()],
        ))
        .await?;
        let values: Vec<Value> = vec![key.clone().into(), text.to_owned().into(), now().into()];
        txn.execute_raw(stmt(
            backend,
            "INSERT INTO data_return_definitions (academic_year, document, updated_at) VALUES (?, ?, ?)",
            values,
        ))
        .await?;
        let summary = format!(
            "data return definition for {key} imported ({} figures)",
            definition.figures.len()
        );
        audit::commit(txn, actor, Action::Update, "data_return_definition", None, summary).await?;
        Ok(Ok(year))
    }

    /// `year`'s return, to its end or, while it is in progress, to today.
    pub async fn data_return(&self, year: AcademicYear) -> Result<DataReturn> {
        let definition = self.data_return_definition(year).await?;
        let period = Period::of(year, self.today());
        let facts = self.data_return_facts(period).await?;
        Ok(compute(&definition, period, &facts))
    }

    /// The facts a period's figures are worked out from (the progression report reads them too).
    pub(crate) async fn data_return_facts(&self, period: Period) -> Result<Facts> {
        let conn = self.conn();
        let from = AcademicYear::starting(period.year.start_year() - 1).first_day();
        // Enrolments taught (not awaiting a teacher) overlapping last year or this one, to date.
        let enrolments = all_of::<EnrolmentRow>(
            conn,
            "SELECT pupil_id, instrument, lesson_type, school_id, start_date, end_date FROM enrolments \
             WHERE status <> 'awaiting' AND start_date <= ? AND (end_date IS NULL OR end_date >= ?)",
            [period.to.into(), from.into()],
        )
        .await?;
        // Memberships of an ensemble overlapping this year: an accepted application has a row
        // from the day the pupil joined to the day they left.
        let members = all_of::<MemberRow>(
            conn,
            "SELECT m.pupil_id, m.ensemble_id, m.instrument, e.kind, e.level, m.joined_on, m.left_on \
             FROM ensemble_members m JOIN ensembles e ON e.id = m.ensemble_id \
             WHERE m.joined_on <= ? AND (m.left_on IS NULL OR m.left_on >= ?)",
            [period.to.into(), period.year.first_day().into()],
        )
        .await?;
        // One `IN` over the union, not two `IN`s joined by `OR`: PostgreSQL cannot make a join of
        // an `OR`, and when a million ids do not fit its working memory it looked up the
        // enrolments afresh for every pupil (bench/reports/README.md).
        let pupils = all_of::<PupilRow>(
            conn,
            "SELECT id, school_id, date_of_birth, year_group_override, fsm, pupil_premium, send, looked_after, \
             gender, ethnicity FROM pupils WHERE id IN (SELECT pupil_id FROM enrolments \
             WHERE status <> 'awaiting' AND start_date <= ? AND (end_date IS NULL OR end_date >= ?) \
             UNION SELECT pupil_id FROM ensemble_members \
             WHERE joined_on <= ? AND (left_on IS NULL OR left_on >= ?))",
            [
                period.to.into(),
                from.into(),
                period.to.into(),
                period.year.first_day().into(),
            ],
        )
        .await?;
        let staff = all_of::<StaffRow>(
            conn,
            "SELECT id, employment, fte_hundredths FROM staff WHERE archived_at IS NULL ORDER BY id",
            [],
        )
        .await?;
        let invoices = all_of::<InvoiceRow>(
            conn,
            "SELECT id, payer_kind, total_pence, issued_on FROM invoices \
             WHERE status <> 'cancelled' AND issued_on >= ? AND issued_on <= ? ORDER BY id",
            [period.year.first_day().into(), period.to.into()],
        )
        .await?;
        Ok(Facts {
            pupils: pupils
                .into_iter()
                .map(|p| PupilFact {
                    id: p.id,
                    school_id: p.school_id,
                    date_of_birth: p.date_of_birth,
                    year_group_override: p.year_group_override.map(|n| n as i8),
                    fsm: p.fsm,
                    pupil_premium: p.pupil_premium,
                    send: p.send,
                    looked_after: p.looked_after,
                    gender: p.gender.as_deref().and_then(|g| g.parse().ok()),
                    ethnicity: p.ethnicity.as_deref().and_then(|e| e.parse().ok()),
                })
                .collect(),
            enrolments: enrolments
                .into_iter()
                .filter_map(|e| {
                    Some(EnrolmentFact {
                        lesson_type: e.lesson_type.parse().ok()?,
                        pupil_id: e.pupil_id,
                        instrument: e.instrument,
                        school_id: e.school_id,
                        start_date: e.start_date,
                        end_date: e.end_date,
                    })
                })
                .collect(),
            staff: staff
                .into_iter()
                .map(|s| StaffFact {
                    id: s.id,
                    employment: Some(s.employment).filter(|e| !e.trim().is_empty()),
                    fte_hundredths: s
                        .fte_hundredths
                        .and_then(|h| tutti_domain::staff::Fte::from_hundredths(h.into()))
                        .map(|f| f.hundredths()),
                })
                .collect(),
            invoices: invoices
                .into_iter()
                .map(|i| InvoiceFact {
                    id: i.id,
                    payer_kind: i.payer_kind,
                    total_pence: i.total_pence,
                    issued_on: i.issued_on,
                })
                .collect(),
            ensemble_members: members
                .into_iter()
                .map(|m| EnsembleMemberFact {
                    pupil_id: m.pupil_id,
                    ensemble_id: m.ensemble_id,
                    instrument: m.instrument,
                    kind: m
                        .kind
                        .parse::<EnsembleKind>()
                        .map(|k| k.label().to_owned())
                        .unwrap_or(m.kind),
                    level: m
                        .level
                        .parse::<EnsembleLevel>()
                        .map(|l| l.label().to_owned())
                        .unwrap_or(m.level),
                    joined_on: m.joined_on,
                    left_on: m.left_on,
                })
                .collect(),
        })
    }

    /// The records a figure of `year`'s return counts, by name; `None` for a key the year's
    /// definition does not have.
    pub async fn data_return_records(
        &self,
        year: AcademicYear,
        key: &str,
    ) -> Result<Option<(DataReturn, Vec<CountedRecord>)>> {
        let report = self.data_return(year).await?;
        let Some(figure) = report.figure(key) else {
            return Ok(None);
        };
        let sql = match figure.counts {
            Counts::Pupils => {
                "SELECT id, pupil_ref AS reference, first_name || ' ' || last_name AS name FROM pupils WHERE id IN"
            }
            Counts::Schools => "SELECT id, CAST(urn AS TEXT) AS reference, name FROM schools WHERE id IN",
            Counts::Staff => {
                "SELECT id, email AS reference, first_name || ' ' || last_name AS name FROM staff WHERE id IN"
            }
            Counts::Invoices => {
                "SELECT id, CAST(id AS TEXT) AS reference, payer_name AS name FROM invoices WHERE id IN"
            }
            Counts::Ensembles => "SELECT id, slug AS reference, name FROM ensembles WHERE id IN",
            Counts::Nothing => return Ok(Some((report, Vec::new()))),
        };
        let mut records = Vec::new();
        for chunk in figure.counted.chunks(CHUNK) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let values: Vec<Value> = chunk.iter().map(|id| (*id).into()).collect();
            records.extend(all_of::<CountedRecord>(self.conn(), &format!("{sql} ({marks})"), values).await?);
        }
        records.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        Ok(Some((report, records)))
    }
}
