//! `tutti import terms` and `tutti import closures`: the year's dates from CSV files, all or
//! nothing, matched on authority, year and term (terms) or on whose and date (closures), so
//! that the same file twice changes nothing.
use std::collections::{BTreeSet, HashMap};

use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use time::Date;
use tutti_domain::calendar::TermDates;
use tutti_domain::csv::{ClosureOf, ClosureRow, TermRow};
use tutti_domain::records::ImportRowProblem;
use tutti_domain::terms::{ClosureKind, check_beside};

use crate::Store;
use crate::error::Result;
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, exec};
use crate::records::imports::{Change, CsvImport, issue_at, read_csv};
use crate::teaching::lessons::{insert_rows, insert_term_dates, replan_schools, term_date_values, whose_named};
use crate::teaching::terms::{authorities, replan_from, schools_following, terms_of};

#[derive(FromQueryResult)]
struct SchoolAuthority {
    id: i64,
    local_authority: String,
}

#[derive(FromQueryResult)]
struct SavedClosure {
    id: i64,
    local_authority: String,
    school_id: Option<i64>,
    day: Date,
    kind: String,
    reason: String,
}

/// A row of a terms file checked against the dates saved: its line, its authority as spelt
/// by its schools, its dates, and the saved term it replaces (id and dates), if any.
struct PlannedTerm {
    line: usize,
    authority: String,
    dates: TermDates,
    current: Option<(i64, TermDates)>,
}

#[tutti_boxed::boxed]
impl Store {
    /// Reads a terms CSV and imports it whole or not at all. Each row is one term of one
    /// local authority's year; it replaces the authority's dates for that term. The rows and
    /// the dates already saved must keep the domain's rules together (no overlap, in order).
    pub async fn import_terms_csv(&self, actor: &Actor, text: &str, dry_run: bool) -> Result<CsvImport> {
        let (rows, warnings, mut report) = match read_csv::<TermRow>(text, dry_run) {
            Ok(read) => read,
            Err(failed) => return Ok(failed),
        };
        let txn = self.write().await?;
        let known = authorities(&txn).await?;
        // Each row's authority as already spelt by its schools.
        let spelt = |typed: &str| {
            known
                .iter()
                .find(|k| k.eq_ignore_ascii_case(typed.trim()))
                .cloned()
                .unwrap_or_else(|| typed.trim().to_owned())
        };
        let mut by_authority: HashMap<String, Vec<(usize, TermDates)>> = HashMap::new();
        for r in &rows {
            by_authority
                .entry(spelt(&r.row.authority))
                .or_default()
                .push((r.line, r.row.dates));
        }
        let mut plan: Vec<PlannedTerm> = Vec::new();
        for (authority, file_terms) in &by_authority {
            let saved = terms_of(&txn, authority, None).await?;
            // The authority's year as it would be: saved terms, each replaced by the file's.
            let mut after: Vec<TermDates> = saved
                .iter()
                .map(|t| t.dates)
                .filter(|d| !file_terms.iter().any(|(_, f)| f.term == d.term))
                .collect();
            after.extend(file_terms.iter().map(|(_, d)| *d));
            for (line, dates) in file_terms {
                let others: Vec<TermDates> = after.iter().filter(|d| d.term != dates.term).copied().collect();
                if let Err(refusal) = check_beside(dates, &others) {
                    report.errors.push(issue_at(
                        *line,
                        refusal.field().unwrap_or("first_day"),
                        refusal.to_string(),
                    ));
                    continue;
                }
                let current = saved
                    .iter()
                    .find(|t| t.dates.term == dates.term)
                    .map(|t| (t.id, t.dates));
                plan.push(PlannedTerm {
                    line: *line,
                    authority: authority.clone(),
                    dates: *dates,
                    current,
                });
            }
        }
        if !report.is_ok() {
            report.errors.sort_by_key(|e| e.line);
            txn.rollback().await?;
            return Ok(CsvImport::of(report, warnings, rows.len()));
        }
        plan.sort_by_key(|p| p.line);
        let mut events = Vec::new();
        let mut changed: BTreeSet<String> = BTreeSet::new();
        for PlannedTerm {
            line,
            authority,
            dates,
            current,
        } in plan
        {
            let values: Vec<Value> = vec![
                dates.dates.first.into(),
                dates.dates.last.into(),
                dates.half_term.first.into(),
                dates.half_term.last.into(),
            ];
            match current {
                Some((_, saved)) if saved == dates => report.note(line, Change::Unchanged),
                Some((id, _)) => {
                    let mut v = values;
                    v.push(id.into());
                    exec(
                        &txn,
                        "UPDATE term_dates SET first_day = ?, last_day = ?, half_term_first = ?, half_term_last = ? \
                         WHERE id = ?",
                        v,
                    )
                    .await?;
                    events.push(audit::event(
                        actor,
                        Action::Update,
                        "term_dates",
                        Some(id),
                        format!("{} dates for {authority} (import)", dates.term),
                    ));
                    report.note(line, Change::Updated);
                    changed.insert(authority);
                }
                None => {
                    insert_term_dates(&txn, vec![term_date_values(&authority, None, &dates)]).await?;
                    events.push(audit::event(
                        actor,
                        Action::Create,
                        "term_dates",
                        None,
                        format!("{} dates for {authority} (import)", dates.term),
                    ));
                    report.note(line, Change::Created);
                    changed.insert(authority);
                }
            }
        }
        let mut schools = Vec::new();
        for authority in &changed {
            schools.extend(schools_following(&txn, authority, None).await?);
        }
        replan_schools(&txn, &schools, replan_from(self)).await?;
        crate::records::imports::finish(txn, actor, ("term_dates", "term dates"), rows.len(), &report, events).await?;
        Ok(CsvImport::of(report, warnings, rows.len()))
    }

    /// Reads a closures CSV and imports it whole or not at all. A row closes a day for a
    /// local authority, or for one school named by its URN (a URN no school has is an error
    /// naming its line); one already saved with the same kind and reason is left alone.
    pub async fn import_closures_csv(&self, actor: &Actor, text: &str, dry_run: bool) -> Result<CsvImport> {
        let (rows, warnings, mut report) = match read_csv::<ClosureRow>(text, dry_run) {
            Ok(read) => read,
            Err(failed) => return Ok(failed),
        };
        let txn = self.write().await?;
        let _backend = txn.get_database_backend();
        let known = authorities(&txn).await?;
        let by_urn = Store::school_ids_by_urn(&txn).await?;
        let school_authority: HashMap<i64, String> =
            all_of::<SchoolAuthority>(&txn, "SELECT id, local_authority FROM schools", Vec::<Value>::new())
                .await?
                .into_iter()
                .map(|s| (s.id, s.local_authority))
                .collect();
        // (authority, school, day) for each row, or the line's error.
        let mut resolved: Vec<(usize, String, Option<i64>, &ClosureRow)> = Vec::new();
        for r in &rows {
            match &r.row.whose {
                ClosureOf::Authority(typed) => {
                    let authority = known
                        .iter()
                        .find(|k| k.eq_ignore_ascii_case(typed.trim()))
                        .cloned()
                        .unwrap_or_else(|| typed.trim().to_owned());
                    resolved.push((r.line, authority, None, &r.row));
                }
                ClosureOf::School(urn) => match by_urn.get(&(urn.get() as i32)) {
                    Some(id) => resolved.push((
                        r.line,
                        school_authority.get(id).cloned().unwrap_or_default(),
                        Some(*id),
                        &r.row,
                    )),
                    None => {
                        let problem = ImportRowProblem::NoSchool { urn: *urn };
                        report
                            .errors
                            .push(issue_at(r.line, problem.column(), problem.to_string()));
                    }
                },
            }
        }
        if !report.is_ok() {
            txn.rollback().await?;
            return Ok(CsvImport::of(report, warnings, rows.len()));
        }
        let saved: Vec<SavedClosure> = all_of::<SavedClosure>(
            &txn,
            "SELECT id, local_authority, school_id, day, kind, reason FROM closures",
            Vec::<Value>::new(),
        )
        .await?;
        let find = |authority: &str, school: Option<i64>, day: Date| {
            saved
                .iter()
                .find(|c| c.day == day && c.school_id == school && (school.is_some() || c.local_authority == authority))
        };
        let mut events = Vec::new();
        let mut schools: Vec<i64> = Vec::new();
        for (line, authority, school, row) in resolved {
            let whose = whose_named(&authority, school);
            let what = || {
                format!(
                    "{} on {} for {whose} (import): {}",
                    row.kind.words(),
                    row.date,
                    row.reason
                )
            };
            match find(&authority, school, row.date) {
                Some(c) if ClosureKind::parse(&c.kind) == Some(row.kind) && c.reason == row.reason => {
                    report.note(line, Change::Unchanged);
                    continue;
                }
                Some(c) => {
                    exec(
                        &txn,
                        "UPDATE closures SET kind = ?, reason = ? WHERE id = ?",
                        vec![row.kind.as_str().into(), row.reason.clone().into(), c.id.into()],
                    )
                    .await?;
                    events.push(audit::event(actor, Action::Update, "closure", Some(c.id), what()));
                    report.note(line, Change::Updated);
                }
                None => {
                    insert_rows(
                        &txn,
                        "closures",
                        &["local_authority", "school_id", "day", "kind", "reason"],
                        vec![vec![
                            authority.clone().into(),
                            school.into(),
                            row.date.into(),
                            row.kind.as_str().into(),
                            row.reason.clone().into(),
                        ]],
                    )
                    .await?;
                    events.push(audit::event(actor, Action::Create, "closure", None, what()));
                    report.note(line, Change::Created);
                }
            }
            schools.extend(schools_following(&txn, &authority, school).await?);
        }
        schools.sort_unstable();
        schools.dedup();
        replan_schools(&txn, &schools, replan_from(self)).await?;
        crate::records::imports::finish(txn, actor, ("closure", "closures"), rows.len(), &report, events).await?;
        Ok(CsvImport::of(report, warnings, rows.len()))
    }
}
