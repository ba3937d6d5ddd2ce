//! Auditions (decision 0095): the office adds slots (a day, a time, a place) to an auditioned
//! ensemble; a family books one free slot for an application still to be heard, or moves it to
//! another; the office records the outcome (accept, decline, or wait for a place), which moves
//! the application by the rules of `MembershipStatus`. A slot is taken by one conditional
//! UPDATE, so of two families asking for the same slot at once only one gets it.
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use time::Date;
use tutti_domain::ensembles::{EnsembleEntry, EnsembleRefusal, MembershipStatus};

use super::ensemble_by_id;
use crate::error::{Result, StoreError, stored};
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, exec, insert_id, one_of};
use crate::records::pupils::PupilScope;
use crate::{Store, now};

/// An audition slot and who is booked in it.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct AuditionSlot {
    pub id: i64,
    pub ensemble_id: i64,
    pub day: Date,
    pub start_minute: i32,
    pub place: String,
    pub application_id: Option<i64>,
    /// The booked application's pupil and status.
    pub pupil_id: Option<i64>,
    pub pupil_name: Option<String>,
    pub status: Option<String>,
}

impl AuditionSlot {
    pub fn is_free(&self) -> bool {
        self.application_id.is_none()
    }
}

const SLOTS: &str = "SELECT s.id, s.ensemble_id, s.day, s.start_minute, s.place, s.application_id, \
     a.pupil_id, p.first_name || ' ' || p.last_name AS pupil_name, a.status \
     FROM ensemble_audition_slots s LEFT JOIN ensemble_applications a ON a.id = s.application_id \
     LEFT JOIN pupils p ON p.id = a.pupil_id";

#[derive(FromQueryResult)]
struct AppRow {
    ensemble_id: i64,
    status: String,
}

#[tutti_boxed::boxed]
impl Store {
    /// Adds an audition slot on `day` at `start_minute` in `place`: its id. Only auditioned
    /// ensembles have them.
    pub async fn add_audition_slot(
        &self,
        actor: &Actor,
        ensemble_id: i64,
        day: Date,
        start_minute: u16,
        place: &str,
    ) -> Result<i64> {
        let txn = self.write().await?;
        let ensemble = ensemble_by_id(&txn, ensemble_id).await?.ok_or(StoreError::NotFound)?;
        if ensemble.entry != EnsembleEntry::Audition {
            return Err(EnsembleRefusal::NoAuditions.into());
        }
        let id = insert_id(
            &txn,
            "INSERT INTO ensemble_audition_slots (ensemble_id, day, start_minute, place, updated_at) \
             VALUES (?, ?, ?, ?, ?) RETURNING id",
            vec![
                ensemble_id.into(),
                day.into(),
                i32::from(start_minute).into(),
                place.trim().into(),
                now().into(),
            ],
        )
        .await?;
        let summary = format!("{day} {start_minute} {}", place.trim());
        audit::commit(txn, actor, Action::Create, "ensemble_audition_slot", Some(id), summary).await?;
        Ok(id)
    }

    /// Removes a slot nobody has booked.
    pub async fn remove_audition_slot(&self, actor: &Actor, ensemble_id: i64, slot_id: i64) -> Result<()> {
        let txn = self.write().await?;
        let n = exec(
            &txn,
            "DELETE FROM ensemble_audition_slots WHERE id = ? AND ensemble_id = ? AND application_id IS NULL",
            vec![slot_id.into(), ensemble_id.into()],
        )
        .await?;
        if n == 0 {
            return Err(EnsembleRefusal::SlotTaken.into());
        }
        audit::commit(
            txn,
            actor,
            Action::Delete,
            "ensemble_audition_slot",
            Some(slot_id),
            "removed",
        )
        .await?;
        Ok(())
    }

    /// Books slot `slot_id` for application `id`, which `scope` must see (a family: their own
    /// child's; another's is `NotFound`), moving any slot it held. Refused for a slot taken by
    /// another, one already past, or an application already decided.
    pub async fn book_audition(&self, actor: &Actor, scope: &PupilScope, id: i64, slot_id: i64) -> Result<()> {
        let txn = self.write().await?;
        let _backend = txn.get_database_backend();
        let (condition, mut values) = scope.condition();
        values.insert(0, id.into());
        let app = one_of::<AppRow>(
            &txn,
            &format!(
                "SELECT a.ensemble_id, a.status FROM ensemble_applications a JOIN pupils p ON p.id = a.pupil_id \
                 WHERE a.id = ? AND {condition}"
            ),
            values,
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        let next = stored(&app.status, MembershipStatus::parse)?.book_audition()?;
        #[derive(FromQueryResult)]
        struct Slot {
            day: Date,
        }
        let slot = one_of::<Slot>(
            &txn,
            "SELECT day FROM ensemble_audition_slots WHERE id = ? AND ensemble_id = ?",
            [slot_id.into(), app.ensemble_id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        if slot.day < self.today() {
            return Err(EnsembleRefusal::SlotPast.into());
        }
        let t = now();
        exec(
            &txn,
            "UPDATE ensemble_audition_slots SET application_id = NULL, updated_at = ? WHERE application_id = ? AND id <> ?",
            vec![t.into(), id.into(), slot_id.into()],
        )
        .await?;
        // Taken only if still free (or already theirs): a booking made meanwhile by another
        // leaves no row to update, on either backend.
        let taken = exec(
            &txn,
            "UPDATE ensemble_audition_slots SET application_id = ?, updated_at = ? \
             WHERE id = ? AND (application_id IS NULL OR application_id = ?)",
            vec![id.into(), t.into(), slot_id.into(), id.into()],
        )
        .await?;
        if taken == 0 {
            return Err(EnsembleRefusal::SlotTaken.into());
        }
        exec(
            &txn,
            "UPDATE ensemble_applications SET status = ?, updated_at = ? WHERE id = ?",
            vec![next.as_str().into(), t.into(), id.into()],
        )
        .await?;
        let summary = format!("audition slot {slot_id} booked");
        audit::commit(txn, actor, Action::Update, "ensemble_application", Some(id), summary).await?;
        Ok(())
    }

    /// The outcome of an audition is to wait: the applicant goes onto the instrument's waiting
    /// list (offered the next place to come free). Accepting and declining are the office's
    /// ordinary decisions (`accept_ensemble_application`, `decline_ensemble_application`).
    pub async fn wait_after_audition(&self, actor: &Actor, ensemble_id: i64, id: i64) -> Result<()> {
        let txn = self.write().await?;
        let app = one_of::<AppRow>(
            &txn,
            "SELECT ensemble_id, status FROM ensemble_applications WHERE id = ? AND ensemble_id = ?",
            [id.into(), ensemble_id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        let next = stored(&app.status, MembershipStatus::parse)?.wait_for_place()?;
        let t = now();
        exec(
            &txn,
            "UPDATE ensemble_applications SET status = ?, decided_at = ?, updated_at = ? WHERE id = ?",
            vec![next.as_str().into(), t.into(), t.into(), id.into()],
        )
        .await?;
        let summary = "heard: waiting for a place";
        audit::commit(txn, actor, Action::Update, "ensemble_application", Some(id), summary).await?;
        Ok(())
    }

    /// An ensemble's audition slots in time order, with who is booked in each.
    pub async fn audition_slots(&self, ensemble_id: i64) -> Result<Vec<AuditionSlot>> {
        all_of::<AuditionSlot>(
            self.conn(),
            &format!("{SLOTS} WHERE s.ensemble_id = ? ORDER BY s.day, s.start_minute, s.id"),
            [ensemble_id.into()],
        )
        .await
    }

    /// The slot an application holds, if any.
    pub async fn audition_slot_of(&self, application_id: i64) -> Result<Option<AuditionSlot>> {
        let values: Vec<Value> = vec![application_id.into()];
        one_of::<AuditionSlot>(self.conn(), &format!("{SLOTS} WHERE s.application_id = ?"), values).await
    }
}
