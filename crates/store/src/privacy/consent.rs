//! Consents with their history: photographs and video, sharing progress with the school,
//! news by email. Every giving or withdrawing is a row (who, when, how); the latest row of a
//! kind is the answer. A photo consent also sets the pupil's `photo_consent`, which every
//! screen and register that shows it reads, so a withdrawal takes effect everywhere at once.
use sea_orm::FromQueryResult;
use serde::Serialize;
use time::OffsetDateTime;
use tutti_domain::privacy::{ConsentHow, ConsentKind};

use crate::Store;
use crate::error::{Result, StoreError};
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, exec};

/// One giving or withdrawing of a consent.
#[derive(Debug, Clone, Serialize, FromQueryResult, PartialEq, Eq)]
pub struct ConsentEvent {
    pub kind: String,
    pub given: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub how: String,
    /// The account that recorded it, by its address as it is now (blank for the command line).
    pub by: Option<String>,
}

/// Where one kind of consent stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentState {
    pub kind: ConsentKind,
    /// None: never asked.
    pub latest: Option<ConsentEvent>,
}

impl ConsentState {
    pub fn given(&self) -> bool {
        self.latest.as_ref().is_some_and(|e| e.given)
    }
}

#[tutti_boxed::boxed]
impl Store {
    /// Records a consent given or withdrawn for a pupil, by whoever is acting, and how.
    pub async fn record_consent(
        &self,
        actor: &Actor,
        pupil_id: i64,
        kind: ConsentKind,
        given: bool,
        how: ConsentHow,
    ) -> Result<()> {
        let txn = self.write().await?;
        let found = exec(
            &txn,
            "UPDATE pupils SET updated_at = updated_at WHERE id = ?",
            vec![pupil_id.into()],
        )
        .await?;
        if found == 0 {
            return Err(StoreError::NotFound);
        }
        exec(
            &txn,
            "INSERT INTO consents (pupil_id, kind, given, at, how, by_user_id) VALUES (?, ?, ?, ?, ?, ?)",
            vec![
                pupil_id.into(),
                kind.as_str().into(),
                given.into(),
                self.now().into(),
                how.as_str().into(),
                actor.user_id.into(),
            ],
        )
        .await?;
        if kind == ConsentKind::PhotoVideo {
            exec(
                &txn,
                "UPDATE pupils SET photo_consent = ?, updated_at = ? WHERE id = ?",
                vec![given.into(), self.now().into(), pupil_id.into()],
            )
            .await?;
        }
        let summary = format!(
            "consent {}: {} ({})",
            kind.as_str(),
            if given { "given" } else { "withdrawn" },
            how.as_str()
        );
        audit::commit(txn, actor, Action::Update, "pupil", Some(pupil_id), summary).await?;
        Ok(())
    }

    /// Every giving and withdrawing of a pupil's consents, oldest first.
    pub async fn consent_history(&self, pupil_id: i64) -> Result<Vec<ConsentEvent>> {
        all_of::<ConsentEvent>(
            self.conn(),
            "SELECT c.kind, c.given, c.at, c.how, u.email AS by FROM consents c \
             LEFT JOIN users u ON u.id = c.by_user_id WHERE c.pupil_id = ? ORDER BY c.at, c.id",
            [pupil_id.into()],
        )
        .await
    }

    /// Where each kind of consent stands for a pupil.
    pub async fn consents(&self, pupil_id: i64) -> Result<Vec<ConsentState>> {
        let history = self.consent_history(pupil_id).await?;
        Ok(ConsentKind::ALL
            .into_iter()
            .map(|kind| ConsentState {
                kind,
                latest: history.iter().rev().find(|e| e.kind == kind.as_str()).cloned(),
            })
            .collect())
    }
}
