//! Rehearsals: an ensemble's weekly dates through the year's terms (the hub's term dates,
//! else the defaults; half terms, bank holidays and closures skipped), one-off changes (moved,
//! cancelled, an extra one), the lists members' families and leaders read, and the register a
//! leader takes on a phone. Rehearsal ids start above `REHEARSAL_ID_BASE`, given here, so that
//! the registers API tells a rehearsal from a lesson by its id alone (decision 0084).
use std::collections::{BTreeSet, HashSet};

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, FromQueryResult, Value};
use time::Date;
use tutti_domain::calendar::{AcademicYear, TermDates, default_term_dates};
use tutti_domain::ensembles::{EnsembleRefusal, REHEARSAL_ID_BASE, RehearsalStatus, rehearsal_dates};
use tutti_domain::guarantee::RegisterMark;

use super::{ensemble_by_id, weekday};
use crate::error::{Result, StoreError, stored};
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, exec, one_of, stmt};
use crate::records::pupils::PupilScope;
use crate::{Store, now};

/// A dated rehearsal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rehearsal {
    pub id: i64,
    pub ensemble_id: i64,
    pub ensemble_name: String,
    pub ensemble_slug: String,
    pub date: Date,
    pub start_minute: u16,
    pub end_minute: u16,
    pub status: RehearsalStatus,
    pub extra: bool,
    pub moved_from: Option<Date>,
    pub note: String,
    pub venue: String,
    pub online: bool,
}

#[derive(FromQueryResult)]
struct RehearsalRow {
    id: i64,
    ensemble_id: i64,
    ensemble_name: String,
    ensemble_slug: String,
    day: Date,
    start_minute: i32,
    end_minute: i32,
    status: String,
    extra: bool,
    moved_from: Option<Date>,
    note: String,
    venue: String,
    online: bool,
}

const SELECT: &str = "SELECT r.id, r.ensemble_id, e.name AS ensemble_name, e.slug AS ensemble_slug, r.day, \
     r.start_minute, r.end_minute, r.status, r.extra, r.moved_from, r.note, e.venue, e.online \
     FROM rehearsals r JOIN ensembles e ON e.id = r.ensemble_id";

impl RehearsalRow {
    fn into_rehearsal(self) -> Result<Rehearsal> {
        Ok(Rehearsal {
            status: stored(&self.status, RehearsalStatus::parse)?,
            id: self.id,
            ensemble_id: self.ensemble_id,
            ensemble_name: self.ensemble_name,
            ensemble_slug: self.ensemble_slug,
            date: self.day,
            start_minute: self.start_minute.max(0) as u16,
            end_minute: self.end_minute.max(0) as u16,
            extra: self.extra,
            moved_from: self.moved_from,
            note: self.note,
            venue: self.venue,
            online: self.online,
        })
    }
}

/// A one-off change to an ensemble's rehearsals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RehearsalChange {
    /// Called off, with the reason families are shown.
    Cancel { rehearsal_id: i64, note: String },
    /// Moved to another day or time.
    Move {
        rehearsal_id: i64,
        to: Date,
        start_minute: u16,
        end_minute: u16,
        note: String,
    },
    /// An extra rehearsal (before a concert, say).
    Extra {
        day: Date,
        start_minute: u16,
        end_minute: u16,
        note: String,
    },
}

/// The next rehearsal ids: above the base, so never a lesson's. Taken under the write lock
/// (SQLite's one writer; PostgreSQL's table lock), so two writers never pick the same.
async fn next_id(txn: &DatabaseTransaction) -> Result<i64> {
    if txn.get_database_backend() == DbBackend::Postgres {
        exec(txn, "LOCK TABLE rehearsals IN EXCLUSIVE MODE", vec![]).await?;
    }
    #[derive(FromQueryResult)]
    struct Max {
        id: Option<i64>,
    }
    let max = one_of::<Max>(txn, "SELECT MAX(id) AS id FROM rehearsals", [])
        .await?
        .and_then(|m| m.id)
        .unwrap_or(0);
    Ok(max.max(REHEARSAL_ID_BASE) + 1)
}

async fn insert(
    txn: &DatabaseTransaction,
    id: i64,
    ensemble_id: i64,
    day: Date,
    (start, end): (u16, u16),
    extra: bool,
    note: &str,
) -> Result<()> {
    exec(
        txn,
        "INSERT INTO rehearsals (id, ensemble_id, day, start_minute, end_minute, status, extra, note, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        vec![
            id.into(),
            ensemble_id.into(),
            day.into(),
            i32::from(start).into(),
            i32::from(end).into(),
            RehearsalStatus::Scheduled.as_str().into(),
            extra.into(),
            note.into(),
            now().into(),
        ],
    )
    .await?;
    Ok(())
}

/// Dates an ensemble's weekly rehearsals on `days` (the year's, from the calendar) from
/// `from` on, leaving any already dated (or moved from that day): how many were added.
pub(crate) async fn date_in(txn: &DatabaseTransaction, ensemble_id: i64, days: &[Date], from: Date) -> Result<usize> {
    let ensemble = ensemble_by_id(txn, ensemble_id).await?.ok_or(StoreError::NotFound)?;
    #[derive(FromQueryResult)]
    struct Day {
        day: Date,
        moved_from: Option<Date>,
    }
    let existing: HashSet<Date> = all_of::<Day>(
        txn,
        "SELECT day, moved_from FROM rehearsals WHERE ensemble_id = ? AND extra = ?",
        [ensemble_id.into(), false.into()],
    )
    .await?
    .into_iter()
    .map(|d| d.moved_from.unwrap_or(d.day))
    .collect();
    let mut id = next_id(txn).await?;
    let mut added = 0;
    for day in days.iter().filter(|d| **d >= from && !existing.contains(d)) {
        insert(
            txn,
            id,
            ensemble_id,
            *day,
            (ensemble.start_minute, ensemble.end_minute),
            false,
            "",
        )
        .await?;
        id += 1;
        added += 1;
    }
    Ok(added)
}

/// A rehearsal moved or added must end after it starts.
fn ends_after_start(start_minute: u16, end_minute: u16) -> std::result::Result<(), EnsembleRefusal> {
    if end_minute <= start_minute {
        return Err(EnsembleRefusal::EndsBeforeStart);
    }
    Ok(())
}

#[tutti_boxed::boxed]
impl Store {
    /// The year's terms (the hub's saved dates, else the defaults) and its closures, which
    /// rehearsals are dated from.
    pub async fn rehearsal_calendar(&self, year: AcademicYear) -> Result<(Vec<TermDates>, BTreeSet<Date>)> {
        let cal = self.hub_calendar(year.first_day()).await?;
        let terms = year
            .terms()
            .into_iter()
            .filter_map(|t| {
                cal.term(t)
                    .copied()
                    .or_else(|| default_term_dates(year).into_iter().find(|d| d.term == t))
            })
            .collect();
        Ok((terms, cal.closures.clone()))
    }

    /// Dates an ensemble's weekly rehearsals through the academic year containing `from`,
    /// from that day on; any already dated stay as they are. How many were added.
    pub async fn date_rehearsals(&self, ensemble_id: i64, from: Date) -> Result<usize> {
        let ensemble = self.ensemble(ensemble_id).await?.ok_or(StoreError::NotFound)?;
        let (terms, closures) = self.rehearsal_calendar(AcademicYear::containing(from)).await?;
        let days = weekday(ensemble.weekday)
            .map(|w| rehearsal_dates(&terms, &closures, w))
            .unwrap_or_default();
        let txn = self.write().await?;
        let added = date_in(&txn, ensemble_id, &days, from).await?;
        txn.commit().await?;
        Ok(added)
    }

    /// Makes a one-off change: cancels or moves a rehearsal, or adds an extra one. The
    /// rehearsal's id.
    pub async fn change_rehearsal(&self, actor: &Actor, ensemble_id: i64, change: &RehearsalChange) -> Result<i64> {
        let txn = self.write().await?;
        ensemble_by_id(&txn, ensemble_id).await?.ok_or(StoreError::NotFound)?;
        let owned = |id: i64| {
            let txn = &txn;
            async move {
                #[derive(FromQueryResult)]
                struct Row {
                    day: Date,
                    moved_from: Option<Date>,
                }
                one_of::<Row>(
                    txn,
                    "SELECT day, moved_from FROM rehearsals WHERE id = ? AND ensemble_id = ?",
                    [id.into(), ensemble_id.into()],
                )
                .await?
                .ok_or(StoreError::NotFound)
            }
        };
        let (id, words) = match change {
            RehearsalChange::Cancel { rehearsal_id, note } => {
                owned(*rehearsal_id).await?;
                exec(
                    &txn,
                    "UPDATE rehearsals SET status = ?, note = ?, updated_at = ? WHERE id = ?",
                    vec![
                        RehearsalStatus::Cancelled.as_str().into(),
                        note.trim().into(),
                        now().into(),
                        (*rehearsal_id).into(),
                    ],
                )
                .await?;
                (*rehearsal_id, "cancelled".to_owned())
            }
            RehearsalChange::Move {
                rehearsal_id,
                to,
                start_minute,
                end_minute,
                note,
            } => {
                ends_after_start(*start_minute, *end_minute)?;
                let was = owned(*rehearsal_id).await?;
                exec(
                    &txn,
                    "UPDATE rehearsals SET day = ?, start_minute = ?, end_minute = ?, moved_from = ?, status = ?, \
                     note = ?, updated_at = ? WHERE id = ?",
                    vec![
                        (*to).into(),
                        i32::from(*start_minute).into(),
                        i32::from(*end_minute).into(),
                        was.moved_from.unwrap_or(was.day).into(),
                        RehearsalStatus::Scheduled.as_str().into(),
                        note.trim().into(),
                        now().into(),
                        (*rehearsal_id).into(),
                    ],
                )
                .await?;
                (*rehearsal_id, format!("moved from {} to {to}", was.day))
            }
            RehearsalChange::Extra {
                day,
                start_minute,
                end_minute,
                note,
            } => {
                ends_after_start(*start_minute, *end_minute)?;
                let id = next_id(&txn).await?;
                insert(
                    &txn,
                    id,
                    ensemble_id,
                    *day,
                    (*start_minute, *end_minute),
                    true,
                    note.trim(),
                )
                .await?;
                (id, format!("extra rehearsal on {day}"))
            }
        };
        audit::commit(txn, actor, Action::Update, "rehearsal", Some(id), words).await?;
        Ok(id)
    }

    /// An ensemble's rehearsals between two days, by date.
    pub async fn rehearsals(&self, ensemble_id: i64, from: Date, to: Date) -> Result<Vec<Rehearsal>> {
        all_of::<RehearsalRow>(
            self.conn(),
            &format!(
                "{SELECT} WHERE r.ensemble_id = ? AND r.day >= ? AND r.day <= ? ORDER BY r.day, r.start_minute, r.id"
            ),
            [ensemble_id.into(), from.into(), to.into()],
        )
        .await?
        .into_iter()
        .map(RehearsalRow::into_rehearsal)
        .collect()
    }

    /// The rehearsals of the ensembles member of staff `staff_id` leads, between two days.
    pub async fn leaders_rehearsals(&self, staff_id: i64, from: Date, to: Date) -> Result<Vec<Rehearsal>> {
        all_of::<RehearsalRow>(
            self.conn(),
            &format!(
                "{SELECT} JOIN ensemble_leaders l ON l.ensemble_id = r.ensemble_id \
                 WHERE l.staff_id = ? AND r.day >= ? AND r.day <= ? ORDER BY r.day, r.start_minute, r.id"
            ),
            [staff_id.into(), from.into(), to.into()],
        )
        .await?
        .into_iter()
        .map(RehearsalRow::into_rehearsal)
        .collect()
    }

    /// One rehearsal.
    pub async fn rehearsal(&self, id: i64) -> Result<Option<Rehearsal>> {
        one_of::<RehearsalRow>(self.conn(), &format!("{SELECT} WHERE r.id = ?"), [id.into()])
            .await?
            .map(RehearsalRow::into_rehearsal)
            .transpose()
    }

    /// The rehearsals of the ensembles a pupil `scope` may see belongs to, with the pupil's
    /// id, between two days: for the family's timetable and calendar.
    pub async fn pupils_rehearsals(&self, scope: &PupilScope, from: Date, to: Date) -> Result<Vec<(i64, Rehearsal)>> {
        #[derive(FromQueryResult)]
        struct Row {
            member_pupil: i64,
            #[sea_orm(nested)]
            r: RehearsalRow,
        }
        let (condition, mut v) = scope.condition();
        let mut values: Vec<Value> = vec![from.into(), to.into()];
        values.append(&mut v);
        let sql = format!(
            "SELECT m.pupil_id AS member_pupil, r.id, r.ensemble_id, e.name AS ensemble_name, e.slug AS ensemble_slug, \
             r.day, r.start_minute, r.end_minute, r.status, r.extra, r.moved_from, r.note, e.venue, e.online \
             FROM rehearsals r JOIN ensembles e ON e.id = r.ensemble_id \
             JOIN ensemble_members m ON m.ensemble_id = r.ensemble_id \
             JOIN pupils p ON p.id = m.pupil_id \
             WHERE r.day >= ? AND r.day <= ? AND m.joined_on <= r.day AND (m.left_on IS NULL OR m.left_on > r.day) \
             AND {condition} ORDER BY r.day, r.start_minute, r.id"
        );
        all_of::<Row>(self.conn(), &sql, values)
            .await?
            .into_iter()
            .map(|row| Ok((row.member_pupil, row.r.into_rehearsal()?)))
            .collect()
    }

    /// The members on a rehearsal's register that day, with their instrument and mark.
    pub async fn rehearsal_register(&self, id: i64) -> Result<Vec<RegisterLine>> {
        #[derive(FromQueryResult)]
        struct Row {
            pupil_id: i64,
            first_name: String,
            last_name: String,
            instrument: String,
            part: String,
            mark: Option<String>,
            photo_consent: bool,
        }
        Ok(all_of::<Row>(
            self.conn(),
            "SELECT m.pupil_id, p.first_name, p.last_name, m.instrument, m.part, k.mark, p.photo_consent \
             FROM rehearsals r JOIN ensemble_members m ON m.ensemble_id = r.ensemble_id \
             JOIN pupils p ON p.id = m.pupil_id \
             LEFT JOIN rehearsal_marks k ON k.rehearsal_id = r.id AND k.pupil_id = m.pupil_id \
             WHERE r.id = ? AND m.joined_on <= r.day AND (m.left_on IS NULL OR m.left_on > r.day) \
             ORDER BY m.instrument, p.last_name, p.first_name",
            [id.into()],
        )
        .await?
        .into_iter()
        .map(|r| RegisterLine {
            pupil_id: r.pupil_id,
            name: format!("{} {}", r.first_name, r.last_name),
            instrument: r.instrument,
            part: r.part,
            mark: r.mark,
            photo_consent: r.photo_consent,
        })
        .collect())
    }

    /// Marks one member at a rehearsal (the caller has checked the leader may): the rehearsal
    /// is then given. Not a member that day, or no such rehearsal: `NotFound`.
    pub async fn mark_rehearsal(&self, actor: &Actor, id: i64, pupil_id: i64, mark: RegisterMark) -> Result<()> {
        // A member's own mark only; a rehearsal called off is recorded as a whole.
        tutti_domain::lessons::check_pupil_mark(mark)?;
        let register = self.rehearsal_register(id).await?;
        let txn = self.write().await?;
        #[derive(FromQueryResult)]
        struct Row {
            status: String,
        }
        let row = one_of::<Row>(&txn, "SELECT status FROM rehearsals WHERE id = ?", [id.into()])
            .await?
            .ok_or(StoreError::NotFound)?;
        if stored(&row.status, RehearsalStatus::parse)? == RehearsalStatus::Cancelled {
            return Err(EnsembleRefusal::RehearsalCancelled.into());
        }
        if !register.iter().any(|l| l.pupil_id == pupil_id) {
            return Err(StoreError::NotFound);
        }
        txn.execute_raw(stmt(
            txn.get_database_backend(),
            "INSERT INTO rehearsal_marks (rehearsal_id, pupil_id, mark, marked_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (rehearsal_id, pupil_id) DO UPDATE SET mark = excluded.mark, marked_at = excluded.marked_at",
            [id.into(), pupil_id.into(), mark.as_str().into(), now().into()],
        ))
        .await?;
        exec(
            &txn,
            "UPDATE rehearsals SET status = ?, updated_at = ? WHERE id = ?",
            vec![RehearsalStatus::Given.as_str().into(), now().into(), id.into()],
        )
        .await?;
        let summary = format!("pupil {pupil_id}: {mark}");
        audit::commit(txn, actor, Action::Update, "rehearsal_register", Some(id), summary).await?;
        Ok(())
    }

    /// Records a whole rehearsal as given, or called off.
    pub async fn mark_rehearsal_outcome(&self, actor: &Actor, id: i64, given: bool) -> Result<()> {
        let txn = self.write().await?;
        let status = if given {
            RehearsalStatus::Given
        } else {
            RehearsalStatus::Cancelled
        };
        let n = exec(
            &txn,
            "UPDATE rehearsals SET status = ?, updated_at = ? WHERE id = ?",
            vec![status.as_str().into(), now().into(), id.into()],
        )
        .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        audit::commit(txn, actor, Action::Update, "rehearsal", Some(id), status.as_str()).await?;
        Ok(())
    }
}

/// A member on a rehearsal's register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterLine {
    pub pupil_id: i64,
    pub name: String,
    pub instrument: String,
    pub part: String,
    pub mark: Option<String>,
    /// Whether the family consents to photographs and video: read from the pupil at each
    /// register, so a withdrawal shows to the leader at once (decision 0088).
    pub photo_consent: bool,
}
