//! The tuition offer (what a family may apply for) and how the waiting lists are ordered.
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;
use tutti_domain::admissions::{AdmissionRefusal, TuitionChoice, WaitingPriority, check_offer_choice};

use super::{PRIORITY_SETTING, count, insert_id};
use crate::error::{Result, StoreError};
use crate::platform::audit::{self, Action, Actor};
use crate::platform::settings;
use crate::query::{all_of, one_of, stmt};
use crate::{Store, now};

/// One combination in the hub's tuition offer.
#[derive(Debug, Clone, Serialize, FromQueryResult, PartialEq, Eq)]
pub struct OfferedLesson {
    pub id: i64,
    pub instrument: String,
    pub lesson_type: String,
    pub minutes: i32,
}

impl OfferedLesson {
    pub(super) fn choice(&self) -> Option<TuitionChoice> {
        Some(TuitionChoice {
            instrument: self.instrument.clone(),
            lesson_type: self.lesson_type.parse().ok()?,
            minutes: u16::try_from(self.minutes).ok()?,
        })
    }
}

#[tutti_boxed::boxed]
impl Store {
    /// What the hub offers, by instrument, lesson type and length.
    pub async fn tuition_offer(&self) -> Result<Vec<OfferedLesson>> {
        let sql = "SELECT id, instrument, lesson_type, minutes FROM tuition_offer \
                   ORDER BY LOWER(instrument), lesson_type, minutes";
        all_of::<OfferedLesson>(self.conn(), sql, []).await
    }

    /// Adds a combination to the offer.
    pub async fn add_to_offer(&self, actor: &Actor, choice: &TuitionChoice) -> Result<i64> {
        check_offer_choice(choice)?;
        let instrument = choice.instrument.trim();
        let txn = self.write().await?;
        let taken = count(
            &txn,
            "SELECT COUNT(*) AS n FROM tuition_offer WHERE LOWER(instrument) = ? AND lesson_type = ? AND minutes = ?",
            vec![
                instrument.to_lowercase().into(),
                choice.lesson_type.as_str().into(),
                i32::from(choice.minutes).into(),
            ],
        )
        .await?;
        if taken > 0 {
            return Err(AdmissionRefusal::AlreadyOffered {
                lesson_type: choice.lesson_type,
                instrument: instrument.to_owned(),
                minutes: choice.minutes,
            }
            .into());
        }
        let id = insert_id(
            &txn,
            "tuition_offer",
            &["instrument", "lesson_type", "minutes", "created_at"],
            vec![
                instrument.into(),
                choice.lesson_type.as_str().into(),
                i32::from(choice.minutes).into(),
                now().into(),
            ],
        )
        .await?;
        let summary = format!(
            "offered {} {instrument}, {} minutes",
            choice.lesson_type, choice.minutes
        );
        audit::commit(txn, actor, Action::Create, "tuition_offer", Some(id), summary).await?;
        Ok(id)
    }

    /// Withdraws a combination: no new applications for it. Applications already made stand.
    pub async fn withdraw_from_offer(&self, actor: &Actor, id: i64) -> Result<()> {
        let txn = self.write().await?;
        let backend = txn.get_database_backend();
        let found = one_of::<OfferedLesson>(
            &txn,
            "SELECT id, instrument, lesson_type, minutes FROM tuition_offer WHERE id = ?",
            [id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        txn.execute_raw(stmt(backend, "DELETE FROM tuition_offer WHERE id = ?", [id.into()]))
            .await?;
        let summary = format!(
            "withdrew {} {}, {} minutes",
            found.lesson_type, found.instrument, found.minutes
        );
        audit::commit(txn, actor, Action::Archive, "tuition_offer", Some(id), summary).await?;
        Ok(())
    }

    // ---------------------------------------------------------------------------------------
    // Waiting-list priority

    /// How waiting lists are ordered (the default when never set).
    pub async fn waiting_priority(&self) -> Result<WaitingPriority> {
        Ok(self
            .setting(PRIORITY_SETTING)
            .await?
            .and_then(|v| v.parse().ok())
            .unwrap_or_default())
    }

    pub async fn set_waiting_priority(&self, actor: &Actor, priority: WaitingPriority) -> Result<()> {
        let txn = self.write().await?;
        settings::put(&txn, PRIORITY_SETTING, priority.as_str()).await?;
        let what = format!("waiting list priority: {priority}");
        audit::commit(txn, actor, Action::Update, "setting", None, what).await?;
        Ok(())
    }
}
