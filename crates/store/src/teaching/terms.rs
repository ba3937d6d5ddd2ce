//! The year as the office sets it: term dates and days without lessons (closures, INSET
//! days) for a local authority or one school, listed by authority and academic year, checked
//! by the domain's rules (`tutti_domain::terms`) and copied forward from last year. Lessons,
//! registers and billing read these rows through `lessons::Calendars`; every change here lays
//! the affected schools' coming lessons out again (`lessons::replan_schools`).
use sea_orm::{ConnectionTrait, DatabaseTransaction, FromQueryResult, Value};
use time::Date;
use tutti_domain::calendar::{AcademicYear, DateRange, SchoolCalendar, TermDates, TermId};
use tutti_domain::terms::{ClosureKind, TermRefusal, check_authority, check_beside, check_closure, copy_to_next_year};

use crate::Store;
use crate::entities::audit_event;
use crate::error::{Result, StoreError};
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, exec, insert_id, one_of};
use crate::teaching::lessons::{replan_schools, term_date_values, whose_named};

/// Whose dates: a local authority's, which its schools follow, or one school's own (an
/// academy's), which replace its authority's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Whose {
    Authority(String),
    School(i64),
}

/// Which of the year's dates a list shows: one authority's (with its schools' own), one
/// academic year's, or all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearFilter {
    pub authority: Option<String>,
    pub year: Option<AcademicYear>,
}

/// One term's dates as saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub id: i64,
    /// The authority's name (a school's own dates keep its authority's).
    pub local_authority: String,
    /// Set when these are one school's own dates.
    pub school_id: Option<i64>,
    pub school_name: Option<String>,
    pub dates: TermDates,
}

/// A day without lessons as saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closure {
    pub id: i64,
    pub local_authority: String,
    pub school_id: Option<i64>,
    pub school_name: Option<String>,
    pub day: Date,
    pub kind: ClosureKind,
    pub reason: String,
}

/// A day without lessons to save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClosure {
    pub whose: Whose,
    pub day: Date,
    pub kind: ClosureKind,
    pub reason: String,
}

#[derive(FromQueryResult)]
struct TermRow {
    id: i64,
    local_authority: String,
    school_id: Option<i64>,
    school_name: Option<String>,
    term: String,
    first_day: Date,
    last_day: Date,
    half_term_first: Date,
    half_term_last: Date,
}

impl DatesRow for TermRow {
    type Saved = Term;
    const SELECT: &'static str = TERM_SELECT;
    fn saved(self) -> Result<Term> {
        let term = TermId::parse(&self.term).map_err(|_| StoreError::Corrupt(format!("term {:?}", self.term)))?;
        Ok(Term {
            id: self.id,
            local_authority: self.local_authority,
            school_id: self.school_id,
            school_name: self.school_name,
            dates: TermDates {
                term,
                dates: DateRange {
                    first: self.first_day,
                    last: self.last_day,
                },
                half_term: DateRange {
                    first: self.half_term_first,
                    last: self.half_term_last,
                },
            },
        })
    }
}

#[derive(FromQueryResult)]
struct ClosureRow {
    id: i64,
    local_authority: String,
    school_id: Option<i64>,
    school_name: Option<String>,
    day: Date,
    kind: String,
    reason: String,
}

impl DatesRow for ClosureRow {
    type Saved = Closure;
    const SELECT: &'static str = CLOSURE_SELECT;
    fn saved(self) -> Result<Closure> {
        Ok(Closure {
            id: self.id,
            kind: crate::error::stored(&self.kind, ClosureKind::parse)?,
            local_authority: self.local_authority,
            school_id: self.school_id,
            school_name: self.school_name,
            day: self.day,
            reason: self.reason,
        })
    }
}

#[derive(FromQueryResult)]
struct NameRow {
    name: String,
}

#[derive(FromQueryResult)]
struct IdRow {
    id: i64,
}

const TERM_SELECT: &str = "SELECT t.id, t.local_authority, t.school_id, s.name AS school_name, t.term, t.first_day, \
     t.last_day, t.half_term_first, t.half_term_last FROM term_dates t LEFT JOIN schools s ON s.id = t.school_id";

const CLOSURE_SELECT: &str = "SELECT c.id, c.local_authority, c.school_id, s.name AS school_name, c.day, c.kind, \
     c.reason FROM closures c LEFT JOIN schools s ON s.id = c.school_id";

/// A saved row of the year's dates (a term, a closure) as its SELECT reads it, and what it
/// becomes.
trait DatesRow: FromQueryResult + Sized {
    type Saved;
    /// The SELECT that reads these rows.
    const SELECT: &'static str;
    fn saved(self) -> Result<Self::Saved>;
}

/// The saved rows of `R` that all of `clauses` match (every row when there are none), with
/// `tail` (an ORDER BY) after the filter.
async fn dates_where<R: DatesRow>(
    conn: &impl ConnectionTrait,
    clauses: &[&str],
    params: Vec<Value>,
    tail: &str,
) -> Result<Vec<R::Saved>> {
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    let sql = format!("{}{filter}{tail}", R::SELECT);
    all_of::<R>(conn, &sql, params)
        .await?
        .into_iter()
        .map(R::saved)
        .collect()
}

/// The authority as already spelt by a school or saved dates, so that "northshire" typed
/// in a form finds the schools of "Northshire"; else the name as typed.
pub(crate) async fn canonical_authority(conn: &impl ConnectionTrait, typed: &str) -> Result<String> {
    let typed = check_authority(typed)?;
    Ok(authorities(conn)
        .await?
        .into_iter()
        .find(|a| a.eq_ignore_ascii_case(&typed))
        .unwrap_or(typed))
}

/// Every local authority named by a school or by saved dates, in order.
pub(crate) async fn authorities(conn: &impl ConnectionTrait) -> Result<Vec<String>> {
    let mut names: Vec<String> = all_of::<NameRow>(
        conn,
        "SELECT DISTINCT local_authority AS name FROM schools WHERE archived_at IS NULL AND local_authority <> '' \
         UNION SELECT DISTINCT local_authority AS name FROM term_dates \
         UNION SELECT DISTINCT local_authority AS name FROM closures",
        Vec::<Value>::new(),
    )
    .await?
    .into_iter()
    .map(|r| r.name)
    .filter(|n| !n.trim().is_empty())
    .collect();
    names.sort_by_key(|n| n.to_lowercase());
    names.dedup();
    Ok(names)
}

/// The authority's name and the school (if one) the dates belong to; a school's are kept
/// under its own authority's name.
pub(crate) async fn resolve(conn: &impl ConnectionTrait, whose: &Whose) -> Result<(String, Option<i64>)> {
    match whose {
        Whose::Authority(name) => Ok((canonical_authority(conn, name).await?, None)),
        Whose::School(id) => {
            let row = one_of::<NameRow>(
                conn,
                "SELECT local_authority AS name FROM schools WHERE id = ?",
                [(*id).into()],
            )
            .await?
            .ok_or(StoreError::NotFound)?;
            Ok((row.name, Some(*id)))
        }
    }
}

/// The schools whose calendar the dates of this authority or school make.
pub(crate) async fn schools_following(
    conn: &impl ConnectionTrait,
    authority: &str,
    school_id: Option<i64>,
) -> Result<Vec<i64>> {
    if let Some(id) = school_id {
        return Ok(vec![id]);
    }
    Ok(all_of::<IdRow>(
        conn,
        "SELECT id FROM schools WHERE local_authority = ?",
        [authority.into()],
    )
    .await?
    .into_iter()
    .map(|r| r.id)
    .collect())
}

/// The terms of one authority (its own, not its schools') or one school.
pub(crate) async fn terms_of(
    conn: &impl ConnectionTrait,
    authority: &str,
    school_id: Option<i64>,
) -> Result<Vec<Term>> {
    let (clause, param): (&str, Value) = match school_id {
        Some(id) => ("t.school_id = ?", id.into()),
        None => ("t.school_id IS NULL AND t.local_authority = ?", authority.into()),
    };
    dates_where::<TermRow>(conn, &[clause], vec![param], "").await
}

/// The day after today: what is taught today stays as it is (a closure on the day itself is
/// a cancelled day, `cancellations.rs`).
pub(crate) fn replan_from(store: &Store) -> Date {
    let today = store.today();
    today.next_day().unwrap_or(today)
}

/// Saves one term's dates for an authority or one of its schools; its id.
async fn insert_term(
    conn: &impl ConnectionTrait,
    authority: &str,
    school_id: Option<i64>,
    dates: &TermDates,
) -> Result<i64> {
    insert_id(
        conn,
        "INSERT INTO term_dates (local_authority, school_id, term, first_day, last_day, half_term_first, \
         half_term_last) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        term_date_values(authority, school_id, dates),
    )
    .await
}

fn whose_words(authority: &str, school: Option<&str>) -> String {
    match school {
        Some(name) => name.to_owned(),
        None => authority.to_owned(),
    }
}

#[tutti_boxed::boxed]
impl Store {
    /// Records `event`, lays the coming lessons of the schools following the dates of
    /// `authority` (or of school `school_id`) out again, and commits: how every change to the
    /// year's dates ends.
    async fn replan_and_commit(
        &self,
        txn: DatabaseTransaction,
        event: audit_event::ActiveModel,
        authority: &str,
        school_id: Option<i64>,
    ) -> Result<()> {
        audit::record_many(&txn, vec![event]).await?;
        let schools = schools_following(&txn, authority, school_id).await?;
        replan_schools(&txn, &schools, replan_from(self)).await?;
        txn.commit().await?;
        Ok(())
    }

    /// The hub's own calendar for the academic year `around` falls in and the next: the
    /// term dates, INSET days and closures of its first local authority with saved dates (a
    /// school's own dates are that school's alone). Terms not saved are left out, for the
    /// caller's rule to fill from the defaults (`tutti_domain::admissions::offer_start_default`).
    pub async fn hub_calendar(&self, around: Date) -> Result<SchoolCalendar> {
        let year = AcademicYear::containing(around);
        let mut terms = Vec::new();
        let mut closures = Vec::new();
        for y in [year, year.next()] {
            let filter = YearFilter {
                authority: None,
                year: Some(y),
            };
            terms.extend(self.terms(&filter).await?.into_iter().filter(|t| t.school_id.is_none()));
            closures.extend(
                self.closures(&filter)
                    .await?
                    .into_iter()
                    .filter(|c| c.school_id.is_none()),
            );
        }
        // Terms come ordered by authority: the first authority's are the hub's.
        let authority = terms.first().map(|t| t.local_authority.clone());
        let ours = |name: &String| authority.as_ref().is_none_or(|a| a == name);
        let mut calendar = SchoolCalendar::new(
            terms
                .into_iter()
                .filter(|t| ours(&t.local_authority))
                .map(|t| t.dates)
                .collect(),
        );
        for c in closures.into_iter().filter(|c| ours(&c.local_authority)) {
            match c.kind {
                ClosureKind::Inset => calendar.add_inset_day(c.day),
                ClosureKind::Closure => calendar.add_closure(c.day),
            }
        }
        Ok(calendar)
    }

    /// Every local authority named by a school or by saved dates, in order.
    pub async fn local_authorities(&self) -> Result<Vec<String>> {
        authorities(self.conn()).await
    }

    /// The saved terms matching `filter`, an authority's own before its schools', each in
    /// date order.
    pub async fn terms(&self, filter: &YearFilter) -> Result<Vec<Term>> {
        let mut clauses = Vec::new();
        let mut params: Vec<Value> = Vec::new();
        if let Some(a) = &filter.authority {
            clauses.push("t.local_authority = ?");
            params.push(a.clone().into());
        }
        if let Some(y) = filter.year {
            clauses.push("t.term IN (?, ?, ?)");
            params.extend(y.terms().iter().map(|t| Value::from(t.to_string())));
        }
        let order = " ORDER BY t.local_authority, CASE WHEN t.school_id IS NULL THEN 0 ELSE 1 END, \
                     s.name, t.school_id, t.first_day, t.id";
        dates_where::<TermRow>(self.conn(), &clauses, params, order).await
    }

    /// One saved term.
    pub async fn term(&self, id: i64) -> Result<Option<Term>> {
        Ok(dates_where::<TermRow>(self.conn(), &["t.id = ?"], vec![id.into()], "")
            .await?
            .pop())
    }

    /// Saves one term's dates for an authority or a school: a new term when `id` is `None`,
    /// else a change to term `id`. The domain's rules decide (dates in order, half term
    /// inside, inside the academic year, no overlap or second set for the term); the
    /// schools that follow these dates have their coming lessons laid out again.
    pub async fn save_term(&self, actor: &Actor, id: Option<i64>, whose: &Whose, dates: &TermDates) -> Result<i64> {
        let txn = self.write().await?;
        let (authority, school_id) = resolve(&txn, whose).await?;
        let mut others = terms_of(&txn, &authority, school_id).await?;
        if let Some(id) = id {
            let before = others.iter().position(|t| t.id == id).ok_or(StoreError::NotFound)?;
            others.remove(before);
        }
        let other_dates: Vec<TermDates> = others.iter().map(|t| t.dates).collect();
        check_beside(dates, &other_dates)?;
        let (saved, action) = match id {
            Some(id) => {
                let v: Vec<Value> = vec![
                    dates.term.to_string().into(),
                    dates.dates.first.into(),
                    dates.dates.last.into(),
                    dates.half_term.first.into(),
                    dates.half_term.last.into(),
                    id.into(),
                ];
                exec(
                    &txn,
                    "UPDATE term_dates SET term = ?, first_day = ?, last_day = ?, half_term_first = ?, half_term_last = ? \
                     WHERE id = ?",
                    v,
                )
                .await?;
                (id, Action::Update)
            }
            None => (insert_term(&txn, &authority, school_id, dates).await?, Action::Create),
        };
        let whose = whose_named(&authority, school_id);
        let what = format!(
            "{} dates for {whose}: {} to {}, half term {} to {}",
            dates.term, dates.dates.first, dates.dates.last, dates.half_term.first, dates.half_term.last
        );
        let event = audit::event(actor, action, "term_dates", Some(saved), what);
        self.replan_and_commit(txn, event, &authority, school_id).await?;
        Ok(saved)
    }

    /// Deletes a term's dates: its schools fall back to their authority's dates, or the
    /// default calendar, for that term.
    pub async fn delete_term(&self, actor: &Actor, id: i64) -> Result<()> {
        let term = self.term(id).await?.ok_or(StoreError::NotFound)?;
        let txn = self.write().await?;
        if exec(&txn, "DELETE FROM term_dates WHERE id = ?", vec![id.into()]).await? == 0 {
            return Err(StoreError::NotFound);
        }
        let what = format!(
            "{} dates for {} deleted (were {} to {})",
            term.dates.term,
            whose_words(&term.local_authority, term.school_name.as_deref()),
            term.dates.dates.first,
            term.dates.dates.last
        );
        let event = audit::event(actor, Action::Delete, "term_dates", Some(id), what);
        self.replan_and_commit(txn, event, &term.local_authority, term.school_id)
            .await?;
        Ok(())
    }

    /// Copies the previous academic year's terms of an authority or school to `to`, each
    /// date on the same weekday (`tutti_domain::terms::copy_to_next_year`), for the office
    /// to adjust. Closures are not copied: they are one year's. Refused when `to` already has
    /// dates there, or the year before has none. Returns how many terms were made.
    pub async fn copy_last_year(&self, actor: &Actor, whose: &Whose, to: AcademicYear) -> Result<usize> {
        let txn = self.write().await?;
        let (authority, school_id) = resolve(&txn, whose).await?;
        let all = terms_of(&txn, &authority, school_id).await?;
        if all.iter().any(|t| t.dates.term.year == to) {
            return Err(TermRefusal::AlreadySet { year: to }.into());
        }
        let from = to.previous();
        let last_year: Vec<TermDates> = all
            .iter()
            .filter(|t| t.dates.term.year == from)
            .map(|t| t.dates)
            .collect();
        if last_year.is_empty() {
            return Err(TermRefusal::NothingToCopy { year: from }.into());
        }
        let copies = copy_to_next_year(&last_year);
        let mut others: Vec<TermDates> = all.iter().map(|t| t.dates).collect();
        for copy in &copies {
            check_beside(copy, &others)?;
            others.push(*copy);
            insert_term(&txn, &authority, school_id, copy).await?;
        }
        let whose = whose_named(&authority, school_id);
        let what = format!("{} terms of {from} copied to {to} for {whose}", copies.len());
        let event = audit::event(actor, Action::Create, "term_dates", None, what);
        self.replan_and_commit(txn, event, &authority, school_id).await?;
        Ok(copies.len())
    }

    /// The saved days without lessons matching `filter` (an academic year is its days from
    /// 1 September to 31 August), in date order.
    pub async fn closures(&self, filter: &YearFilter) -> Result<Vec<Closure>> {
        let mut clauses = Vec::new();
        let mut params: Vec<Value> = Vec::new();
        if let Some(a) = &filter.authority {
            clauses.push("c.local_authority = ?");
            params.push(a.clone().into());
        }
        if let Some(y) = filter.year {
            clauses.push("c.day >= ? AND c.day <= ?");
            params.push(y.first_day().into());
            params.push(y.last_day().into());
        }
        let order = " ORDER BY c.day, c.local_authority, s.name, c.id";
        dates_where::<ClosureRow>(self.conn(), &clauses, params, order).await
    }

    /// One saved day without lessons.
    pub async fn closure(&self, id: i64) -> Result<Option<Closure>> {
        Ok(
            dates_where::<ClosureRow>(self.conn(), &["c.id = ?"], vec![id.into()], "")
                .await?
                .pop(),
        )
    }

    /// Saves a day without lessons for an authority or one school: a weekday with a reason,
    /// not one already closed there. The coming lessons of the schools it closes are laid
    /// out again, so none falls on it. Returns its id.
    pub async fn save_closure(&self, actor: &Actor, closure: &NewClosure) -> Result<i64> {
        let reason = check_closure(closure.day, &closure.reason)?;
        let txn = self.write().await?;
        let (authority, school_id) = resolve(&txn, &closure.whose).await?;
        let (scope, scope_value): (&str, Value) = match school_id {
            Some(id) => ("school_id = ?", id.into()),
            None => ("school_id IS NULL AND local_authority = ?", authority.clone().into()),
        };
        let taken = one_of::<IdRow>(
            &txn,
            &format!("SELECT id FROM closures WHERE day = ? AND {scope}"),
            [closure.day.into(), scope_value],
        )
        .await?;
        if taken.is_some() {
            return Err(TermRefusal::ClosureExists { day: closure.day }.into());
        }
        let id = insert_id(
            &txn,
            "INSERT INTO closures (local_authority, school_id, day, kind, reason) VALUES (?, ?, ?, ?, ?) RETURNING id",
            vec![
                authority.clone().into(),
                school_id.into(),
                closure.day.into(),
                closure.kind.as_str().into(),
                reason.clone().into(),
            ],
        )
        .await?;
        let whose = whose_named(&authority, school_id);
        let what = format!("{} on {} for {whose}: {reason}", closure.kind.words(), closure.day);
        let event = audit::event(actor, Action::Create, "closure", Some(id), what);
        self.replan_and_commit(txn, event, &authority, school_id).await?;
        Ok(id)
    }

    /// Deletes a day without lessons; the coming lessons of its schools are laid out again,
    /// so that day is taught after all.
    pub async fn delete_closure(&self, actor: &Actor, id: i64) -> Result<()> {
        let closure = self.closure(id).await?.ok_or(StoreError::NotFound)?;
        let txn = self.write().await?;
        if exec(&txn, "DELETE FROM closures WHERE id = ?", vec![id.into()]).await? == 0 {
            return Err(StoreError::NotFound);
        }
        let what = format!(
            "{} on {} for {} deleted ({})",
            closure.kind.words(),
            closure.day,
            whose_words(&closure.local_authority, closure.school_name.as_deref()),
            closure.reason
        );
        let event = audit::event(actor, Action::Delete, "closure", Some(id), what);
        self.replan_and_commit(txn, event, &closure.local_authority, closure.school_id)
            .await?;
        Ok(())
    }
}
