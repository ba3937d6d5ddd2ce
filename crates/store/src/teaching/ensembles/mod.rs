//! Ensembles in the store: the ensembles themselves with their leaders and instrumentation
//! (`records`), applications to join them, members, waiting lists by instrument and audition
//! slots (`members`, `auditions`), and their dated rehearsals, changes and registers (`rehearsals`). The
//! rules are `tutti_domain::ensembles`'; see docs/decisions/0084-ensembles.md. What the three
//! files share (reading an ensemble's row, the places held on an instrument) is here.
use sea_orm::{ConnectionTrait, FromQueryResult};
use tutti_domain::Pence;
use tutti_domain::ensembles::{EnsembleEntry, EnsembleKind, EnsembleLevel};

use crate::error::{Result, StoreError};
use crate::query::{all_of, one_of};

pub mod auditions;
pub mod members;
pub mod records;
pub mod rehearsals;
pub mod strands;

/// An ensemble as pages and the API show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ensemble {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub kind: EnsembleKind,
    pub level: EnsembleLevel,
    pub entry: EnsembleEntry,
    pub area: String,
    pub venue: String,
    pub online: bool,
    /// The video call's address, for an online ensemble: shown to members only.
    pub joining_link: Option<String>,
    /// 1 Monday to 7 Sunday.
    pub weekday: u8,
    pub start_minute: u16,
    pub end_minute: u16,
    pub min_age: Option<u8>,
    pub max_age: Option<u8>,
    pub min_grade: Option<u8>,
    pub termly_fee: Pence,
    pub description: String,
    pub archived: bool,
    /// A Virtual Music Centre strand: families sign up from their account and pay for the
    /// term at once through the basket (decision 0085).
    pub strand: bool,
    pub leaders: Vec<Leader>,
    pub instrumentation: Vec<Part>,
}

/// A member of staff who leads an ensemble.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leader {
    pub staff_id: i64,
    pub name: String,
}

/// An instrument the ensemble wants, how many, and how many places are held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub instrument: String,
    pub places: u32,
    pub held: u32,
    pub waiting: u32,
}

impl Ensemble {
    /// The places wanted on `instrument`: `None` when the ensemble lists no instruments (it
    /// takes any), `Some(0)` for one it does not list.
    pub fn places_for(&self, instrument: &str) -> Option<u32> {
        if self.instrumentation.is_empty() {
            return None;
        }
        Some(
            self.instrumentation
                .iter()
                .find(|p| p.instrument.eq_ignore_ascii_case(instrument))
                .map_or(0, |p| p.places),
        )
    }

    /// The instruments it lists.
    pub fn instruments(&self) -> Vec<String> {
        self.instrumentation.iter().map(|p| p.instrument.clone()).collect()
    }
}

#[derive(FromQueryResult)]
pub(crate) struct EnsembleRow {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub kind: String,
    pub level: String,
    pub entry: String,
    pub area: String,
    pub venue: String,
    pub online: bool,
    pub joining_link: Option<String>,
    pub weekday: i32,
    pub start_minute: i32,
    pub end_minute: i32,
    pub min_age: Option<i32>,
    pub max_age: Option<i32>,
    pub min_grade: Option<i32>,
    pub termly_fee: i64,
    pub description: String,
    pub archived: bool,
    pub strand: bool,
}

pub(crate) const ENSEMBLE_SELECT: &str = "SELECT e.id, e.name, e.slug, e.kind, e.level, e.entry, e.area, e.venue, \
     e.online, e.joining_link, e.weekday, e.start_minute, e.end_minute, e.min_age, e.max_age, e.min_grade, \
     e.termly_fee, e.description, e.archived_at IS NOT NULL AS archived, e.strand FROM ensembles e";

fn word<T: std::str::FromStr>(id: i64, what: &str, text: &str) -> Result<T> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("ensemble {id} has the {what} {text:?}")))
}

fn small(n: Option<i32>) -> Option<u8> {
    n.and_then(|n| u8::try_from(n).ok())
}

#[derive(FromQueryResult)]
struct LeaderRow {
    ensemble_id: i64,
    staff_id: i64,
    first_name: String,
    last_name: String,
}

#[derive(FromQueryResult)]
struct PartRow {
    ensemble_id: i64,
    instrument: String,
    places: i32,
    held: i64,
    waiting: i64,
}

/// The ensembles of these rows, with their leaders and instrumentation (and the places held
/// and waiting on each).
pub(crate) async fn complete(conn: &impl ConnectionTrait, rows: Vec<EnsembleRow>) -> Result<Vec<Ensemble>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let _backend = conn.get_database_backend();
    let ids: Vec<sea_orm::Value> = rows.iter().map(|r| r.id.into()).collect();
    let marks = crate::query::marks(ids.len());
    let leaders = all_of::<LeaderRow>(
        conn,
        &format!(
            "SELECT l.ensemble_id, l.staff_id, s.first_name, s.last_name FROM ensemble_leaders l \
             JOIN staff s ON s.id = l.staff_id WHERE l.ensemble_id IN ({marks}) ORDER BY s.last_name, s.first_name"
        ),
        ids.clone(),
    )
    .await?;
    let parts = all_of::<PartRow>(
        conn,
        &format!(
            "SELECT i.ensemble_id, i.instrument, i.places, \
             (SELECT COUNT(*) FROM ensemble_applications a WHERE a.ensemble_id = i.ensemble_id \
              AND LOWER(a.instrument) = LOWER(i.instrument) AND a.status IN ('accepted', 'offered')) AS held, \
             (SELECT COUNT(*) FROM ensemble_applications a WHERE a.ensemble_id = i.ensemble_id \
              AND LOWER(a.instrument) = LOWER(i.instrument) AND a.status = 'waiting') AS waiting \
             FROM ensemble_instrumentation i WHERE i.ensemble_id IN ({marks}) ORDER BY i.id"
        ),
        ids,
    )
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Ensemble {
                kind: word(r.id, "kind", &r.kind)?,
                level: word(r.id, "level", &r.level)?,
                entry: word(r.id, "entry", &r.entry)?,
                leaders: leaders
                    .iter()
                    .filter(|l| l.ensemble_id == r.id)
                    .map(|l| Leader {
                        staff_id: l.staff_id,
                        name: format!("{} {}", l.first_name, l.last_name),
                    })
                    .collect(),
                instrumentation: parts
                    .iter()
                    .filter(|p| p.ensemble_id == r.id)
                    .map(|p| Part {
                        instrument: p.instrument.clone(),
                        places: p.places.max(0) as u32,
                        held: p.held.max(0) as u32,
                        waiting: p.waiting.max(0) as u32,
                    })
                    .collect(),
                id: r.id,
                name: r.name,
                slug: r.slug,
                area: r.area,
                venue: r.venue,
                online: r.online,
                joining_link: r.joining_link,
                weekday: r.weekday.clamp(1, 7) as u8,
                start_minute: r.start_minute.max(0) as u16,
                end_minute: r.end_minute.max(0) as u16,
                min_age: small(r.min_age),
                max_age: small(r.max_age),
                min_grade: small(r.min_grade),
                termly_fee: Pence(r.termly_fee),
                description: r.description,
                archived: r.archived,
                strand: r.strand,
            })
        })
        .collect()
}

/// One ensemble by id, archived or not.
pub(crate) async fn ensemble_by_id(conn: &impl ConnectionTrait, id: i64) -> Result<Option<Ensemble>> {
    let rows = all_of::<EnsembleRow>(conn, &format!("{ENSEMBLE_SELECT} WHERE e.id = ?"), [id.into()]).await?;
    Ok(complete(conn, rows).await?.into_iter().next())
}

/// Places held (members and places offered) on an instrument of an ensemble.
pub(crate) async fn places_held(conn: &impl ConnectionTrait, ensemble_id: i64, instrument: &str) -> Result<u32> {
    #[derive(FromQueryResult)]
    struct Count {
        n: i64,
    }
    Ok(one_of::<Count>(
        conn,
        "SELECT COUNT(*) AS n FROM ensemble_applications WHERE ensemble_id = ? AND LOWER(instrument) = LOWER(?) \
         AND status IN ('accepted', 'offered')",
        [ensemble_id.into(), instrument.into()],
    )
    .await?
    .map_or(0, |c| c.n.max(0) as u32))
}

/// The weekday of a stored number, 1 Monday to 7 Sunday.
pub fn weekday(number: u8) -> Option<time::Weekday> {
    use time::Weekday::*;
    [Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday]
        .get(usize::from(number).checked_sub(1)?)
        .copied()
}

#[tutti_boxed::boxed]
impl crate::Store {
    /// The hub's terms around `today` (the year before its academic year to the year after;
    /// the hub's saved dates, else the defaults), for the notice rule and a strand's term
    /// (decision 0085): ensembles keep the hub's calendar, not a school's.
    pub async fn ensemble_calendar(&self, today: time::Date) -> Result<tutti_domain::calendar::SchoolCalendar> {
        use tutti_domain::calendar::{AcademicYear, default_term_dates};
        let year = AcademicYear::containing(today);
        let mut calendar = self.hub_calendar(today).await?;
        for y in [year.previous(), year, year.next()] {
            for dates in default_term_dates(y) {
                if calendar.term(dates.term).is_none() {
                    calendar.add_terms([dates]);
                }
            }
        }
        Ok(calendar)
    }
}
