//! Ensembles as records: adding and editing one (with its leaders and the instrumentation it
//! wants), the lists the public page, the office and the API read (by area, level, instrument
//! and day), one by id or by its address, and the ensembles a member of staff leads.
use sea_orm::{DatabaseTransaction, FromQueryResult, Value};
use tutti_domain::Pence;
use tutti_domain::calendar::AcademicYear;
use tutti_domain::ensembles::{
    EnsembleEntry, EnsembleKind, EnsembleLevel, EnsembleRefusal, check_ensemble, rehearsal_dates, slug_of,
};

use super::{ENSEMBLE_SELECT, Ensemble, EnsembleRow, complete, ensemble_by_id};
use crate::error::{Result, StoreError};
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, exec, insert_id, one_of, stmt};
use crate::{Store, now};

/// An ensemble as the office enters it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnsembleInput {
    pub name: String,
    pub kind: EnsembleKind,
    pub level: EnsembleLevel,
    pub entry: EnsembleEntry,
    pub area: String,
    pub venue: String,
    pub online: bool,
    pub joining_link: Option<String>,
    pub weekday: u8,
    pub start_minute: u16,
    pub end_minute: u16,
    pub min_age: Option<u8>,
    pub max_age: Option<u8>,
    pub min_grade: Option<u8>,
    pub termly_fee: Pence,
    pub description: String,
    /// Staff ids.
    pub leaders: Vec<i64>,
    /// Instrument and places wanted (none: any instrument, any number).
    pub instrumentation: Vec<(String, u32)>,
}

/// Which ensembles a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnsembleQuery {
    pub area: Option<String>,
    pub level: Option<EnsembleLevel>,
    /// Ensembles that list this instrument, or list none (they take any).
    pub instrument: Option<String>,
    pub weekday: Option<u8>,
    /// Archived ones too (the office's list).
    pub archived: bool,
}

fn values(input: &EnsembleInput) -> Vec<Value> {
    vec![
        input.name.trim().into(),
        input.kind.as_str().into(),
        input.level.as_str().into(),
        input.entry.as_str().into(),
        input.area.trim().into(),
        input.venue.trim().into(),
        input.online.into(),
        input.joining_link.clone().filter(|l| !l.trim().is_empty()).into(),
        i32::from(input.weekday).into(),
        i32::from(input.start_minute).into(),
        i32::from(input.end_minute).into(),
        input.min_age.map(i32::from).into(),
        input.max_age.map(i32::from).into(),
        input.min_grade.map(i32::from).into(),
        input.termly_fee.0.into(),
        input.description.trim().into(),
    ]
}

async fn slug_free(txn: &DatabaseTransaction, slug: &str, except: Option<i64>) -> Result<()> {
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    let found = one_of::<Id>(txn, "SELECT id FROM ensembles WHERE slug = ?", [slug.into()]).await?;
    match found {
        Some(f) if Some(f.id) != except => Err(EnsembleRefusal::SlugTaken { slug: slug.to_owned() }.into()),
        _ => Ok(()),
    }
}

async fn set_parts(txn: &DatabaseTransaction, id: i64, input: &EnsembleInput) -> Result<()> {
    exec(
        txn,
        "DELETE FROM ensemble_leaders WHERE ensemble_id = ?",
        vec![id.into()],
    )
    .await?;
    let mut leaders = input.leaders.clone();
    leaders.sort_unstable();
    leaders.dedup();
    for staff in leaders {
        exec(
            txn,
            "INSERT INTO ensemble_leaders (ensemble_id, staff_id) VALUES (?, ?)",
            vec![id.into(), staff.into()],
        )
        .await?;
    }
    exec(
        txn,
        "DELETE FROM ensemble_instrumentation WHERE ensemble_id = ?",
        vec![id.into()],
    )
    .await?;
    let mut seen: Vec<String> = Vec::new();
    for (instrument, places) in &input.instrumentation {
        let instrument = instrument.trim();
        if instrument.is_empty() || seen.iter().any(|s| s.eq_ignore_ascii_case(instrument)) {
            continue;
        }
        seen.push(instrument.to_owned());
        exec(
            txn,
            "INSERT INTO ensemble_instrumentation (ensemble_id, instrument, places) VALUES (?, ?, ?)",
            vec![id.into(), instrument.into(), (*places as i32).into()],
        )
        .await?;
    }
    Ok(())
}

/// The domain's checks of an ensemble as entered (its name, its times, its ages).
fn check(input: &EnsembleInput) -> std::result::Result<(), EnsembleRefusal> {
    check_ensemble(
        &input.name,
        input.start_minute,
        input.end_minute,
        input.min_age,
        input.max_age,
    )
}

/// Adds an ensemble inside `txn` (the CSV import and the demo share it): its id.
pub(crate) async fn create_in(txn: &DatabaseTransaction, actor: &Actor, input: &EnsembleInput) -> Result<i64> {
    check(input)?;
    let slug = slug_of(&input.name);
    if slug.is_empty() {
        return Err(EnsembleRefusal::NoName.into());
    }
    slug_free(txn, &slug, None).await?;
    let t = now();
    let mut v = values(input);
    v.insert(1, slug.clone().into());
    v.push(t.into());
    v.push(t.into());
    let id = insert_id(
        txn,
        "INSERT INTO ensembles (name, slug, kind, level, entry, area, venue, online, joining_link, weekday, \
         start_minute, end_minute, min_age, max_age, min_grade, termly_fee, description, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        v,
    )
    .await?;
    set_parts(txn, id, input).await?;
    let what = format!("ensemble {slug} added");
    audit::record(txn, actor, Action::Create, "ensemble", Some(id), what).await?;
    Ok(id)
}

#[tutti_boxed::boxed]
impl Store {
    /// Adds an ensemble, and dates its rehearsals for the rest of this academic year.
    pub async fn create_ensemble(&self, actor: &Actor, input: &EnsembleInput) -> Result<i64> {
        let today = self.today();
        let (terms, closures) = self.rehearsal_calendar(AcademicYear::containing(today)).await?;
        let days = super::weekday(input.weekday)
            .map(|w| rehearsal_dates(&terms, &closures, w))
            .unwrap_or_default();
        let txn = self.write().await?;
        let id = create_in(&txn, actor, input).await?;
        super::rehearsals::date_in(&txn, id, &days, today).await?;
        txn.commit().await?;
        Ok(id)
    }

    /// Changes an ensemble (its address follows its name); rehearsals already dated stay.
    pub async fn update_ensemble(&self, actor: &Actor, id: i64, input: &EnsembleInput) -> Result<()> {
        check(input)?;
        let txn = self.write().await?;
        ensemble_by_id(&txn, id).await?.ok_or(StoreError::NotFound)?;
        let slug = slug_of(&input.name);
        slug_free(&txn, &slug, Some(id)).await?;
        let mut v = values(input);
        v.insert(1, slug.clone().into());
        v.push(now().into());
        v.push(id.into());
        exec(
            &txn,
            "UPDATE ensembles SET name = ?, slug = ?, kind = ?, level = ?, entry = ?, area = ?, venue = ?, online = ?, \
             joining_link = ?, weekday = ?, start_minute = ?, end_minute = ?, min_age = ?, max_age = ?, min_grade = ?, \
             termly_fee = ?, description = ?, updated_at = ? WHERE id = ?",
            v,
        )
        .await?;
        set_parts(&txn, id, input).await?;
        let what = format!("ensemble {slug} changed");
        audit::commit(txn, actor, Action::Update, "ensemble", Some(id), what).await?;
        Ok(())
    }

    /// One ensemble, archived or not.
    pub async fn ensemble(&self, id: i64) -> Result<Option<Ensemble>> {
        ensemble_by_id(self.conn(), id).await
    }

    /// One ensemble by its public address (not archived ones).
    pub async fn ensemble_by_slug(&self, slug: &str) -> Result<Option<Ensemble>> {
        let rows = all_of::<EnsembleRow>(
            self.conn(),
            &format!("{ENSEMBLE_SELECT} WHERE e.slug = ? AND e.archived_at IS NULL"),
            [slug.into()],
        )
        .await?;
        Ok(complete(self.conn(), rows).await?.into_iter().next())
    }

    /// The ensembles `q` asks for, by name.
    pub async fn ensembles(&self, q: &EnsembleQuery) -> Result<Vec<Ensemble>> {
        let mut conditions: Vec<String> = Vec::new();
        let mut v: Vec<Value> = Vec::new();
        if !q.archived {
            conditions.push("e.archived_at IS NULL".into());
        }
        if let Some(area) = q.area.as_deref().filter(|a| !a.is_empty()) {
            conditions.push("e.area = ?".into());
            v.push(area.into());
        }
        if let Some(level) = q.level {
            conditions.push("e.level = ?".into());
            v.push(level.as_str().into());
        }
        if let Some(day) = q.weekday {
            conditions.push("e.weekday = ?".into());
            v.push(i32::from(day).into());
        }
        if let Some(instrument) = q.instrument.as_deref().filter(|i| !i.is_empty()) {
            conditions.push(
                "(NOT EXISTS (SELECT 1 FROM ensemble_instrumentation i WHERE i.ensemble_id = e.id) \
                 OR EXISTS (SELECT 1 FROM ensemble_instrumentation i WHERE i.ensemble_id = e.id \
                 AND LOWER(i.instrument) = LOWER(?)))"
                    .into(),
            );
            v.push(instrument.into());
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let rows = all_of::<EnsembleRow>(
            self.conn(),
            &format!("{ENSEMBLE_SELECT}{filter} ORDER BY e.name, e.id"),
            v,
        )
        .await?;
        complete(self.conn(), rows).await
    }

    /// The areas, instruments and days ensembles are found by, for the public page's filters:
    /// from the data, not from content pages.
    pub async fn ensemble_filters(&self) -> Result<(Vec<String>, Vec<String>, Vec<u8>)> {
        #[derive(FromQueryResult)]
        struct Text {
            t: String,
        }
        #[derive(FromQueryResult)]
        struct Day {
            d: i32,
        }
        let backend = self.conn().get_database_backend();
        let texts = |sql: &str| Text::find_by_statement(stmt(backend, sql, []));
        let areas = texts("SELECT DISTINCT area AS t FROM ensembles WHERE archived_at IS NULL ORDER BY t")
            .all(self.conn())
            .await?
            .into_iter()
            .map(|t| t.t)
            .collect();
        let mut instruments: Vec<String> = texts(
            "SELECT DISTINCT i.instrument AS t FROM ensemble_instrumentation i JOIN ensembles e ON e.id = i.ensemble_id \
             WHERE e.archived_at IS NULL ORDER BY t",
        )
        .all(self.conn())
        .await?
        .into_iter()
        .map(|t| t.t)
        .collect();
        instruments.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        let days = all_of::<Day>(
            self.conn(),
            "SELECT DISTINCT weekday AS d FROM ensembles WHERE archived_at IS NULL ORDER BY d",
            [],
        )
        .await?
        .into_iter()
        .map(|d| d.d.clamp(1, 7) as u8)
        .collect();
        Ok((areas, instruments, days))
    }

    /// Does member of staff `staff_id` lead ensemble `ensemble_id`?
    pub async fn leads_ensemble(&self, staff_id: i64, ensemble_id: i64) -> Result<bool> {
        #[derive(FromQueryResult)]
        struct One {
            #[allow(dead_code)]
            id: i64,
        }
        Ok(one_of::<One>(
            self.conn(),
            "SELECT id FROM ensemble_leaders WHERE staff_id = ? AND ensemble_id = ?",
            [staff_id.into(), ensemble_id.into()],
        )
        .await?
        .is_some())
    }
}

#[tutti_boxed::boxed]
impl Store {
    /// `tutti import ensembles`: adds each ensemble of the file not already here (matched by
    /// its address, from its name), whole or not at all, and dates its rehearsals for the rest
    /// of the year. An ensemble already here is unchanged, so the same file twice changes
    /// nothing; a row the rules refuse names its line and column.
    pub async fn import_ensembles_csv(
        &self,
        actor: &Actor,
        text: &str,
        dry_run: bool,
    ) -> Result<crate::records::imports::CsvImport> {
        use crate::records::imports::{Change, CsvImport, issue_at, read_csv};
        use tutti_domain::csv::EnsembleRow;
        let (lines, warnings, mut report) = match read_csv::<EnsembleRow>(text, dry_run) {
            Ok(read) => read,
            Err(failed) => return Ok(failed),
        };
        let rows = lines.len();
        let today = self.today();
        let (terms, closures) = self.rehearsal_calendar(AcademicYear::containing(today)).await?;
        let txn = self.write().await?;
        #[derive(FromQueryResult)]
        struct Slug {
            slug: String,
        }
        let existing: std::collections::HashSet<String> = all_of::<Slug>(&txn, "SELECT slug FROM ensembles", [])
            .await?
            .into_iter()
            .map(|s| s.slug)
            .collect();
        for r in &lines {
            let row = &r.row;
            if existing.contains(&slug_of(&row.name)) {
                report.note(r.line, Change::Unchanged);
                continue;
            }
            let input = EnsembleInput {
                name: row.name.clone(),
                kind: row.kind,
                level: row.level,
                entry: row.entry,
                area: row.area.clone(),
                venue: row.venue.clone(),
                online: row.venue.eq_ignore_ascii_case("online"),
                joining_link: None,
                weekday: row.day,
                start_minute: row.start_minute,
                end_minute: row.end_minute,
                min_age: row.min_age,
                max_age: row.max_age,
                min_grade: row.min_grade,
                termly_fee: row.fee,
                description: String::new(),
                leaders: Vec::new(),
                instrumentation: row.instrumentation.clone(),
            };
            match create_in(&txn, actor, &input).await {
                Ok(id) => {
                    let days = super::weekday(row.day)
                        .map(|w| rehearsal_dates(&terms, &closures, w))
                        .unwrap_or_default();
                    super::rehearsals::date_in(&txn, id, &days, today).await?;
                    report.note(r.line, Change::Created);
                }
                Err(StoreError::Refused(refusal)) => {
                    let column = match refusal.field() {
                        Some("end") => "end",
                        Some("max_age") => "max_age",
                        _ => "name",
                    };
                    report.errors.push(issue_at(r.line, column, refusal.to_string()));
                }
                Err(e) => return Err(e),
            }
        }
        crate::records::imports::finish(txn, actor, ("ensemble", "ensembles"), rows, &report, Vec::new()).await?;
        Ok(CsvImport::of(report, warnings, rows))
    }
}
