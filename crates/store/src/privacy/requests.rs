//! The log of subject access and erasure requests: when each came, the day the law's month
//! ends, and when it was answered. Open requests are shown to the office until answered.
use sea_orm::FromQueryResult;
use serde::Serialize;
use time::{Date, OffsetDateTime};
use tutti_domain::privacy::request_deadline;

use super::subject::{Subject, SubjectKind};
use crate::Store;
use crate::error::{Result, StoreError};
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, exec, insert_id, one_of};

/// What was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestKind {
    Access,
    Erasure,
}

impl RequestKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Access => "access",
            RequestKind::Erasure => "erasure",
        }
    }
    pub fn parse(s: &str) -> Option<RequestKind> {
        match s {
            "access" => Some(RequestKind::Access),
            "erasure" => Some(RequestKind::Erasure),
            _ => None,
        }
    }
}

/// One request as the office's list shows it.
#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct PrivacyRequest {
    pub id: i64,
    pub kind: String,
    pub subject_kind: String,
    pub subject_id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    pub due_on: Date,
    #[serde(with = "time::serde::rfc3339::option")]
    pub answered_at: Option<OffsetDateTime>,
}

#[tutti_boxed::boxed]
impl Store {
    /// Logs a request received today; its deadline is a calendar month on.
    pub async fn log_privacy_request(&self, actor: &Actor, kind: RequestKind, subject: Subject) -> Result<i64> {
        let txn = self.write().await?;
        let due = request_deadline(self.today());
        let id = insert_id(
            &txn,
            "INSERT INTO privacy_requests (kind, subject_kind, subject_id, received_at, due_on, recorded_by) \
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                kind.as_str().into(),
                subject.kind.as_str().into(),
                subject.id.into(),
                self.now().into(),
                due.into(),
                actor.user_id.into(),
            ],
        )
        .await?;
        let summary = format!(
            "{} request for {} {}, due {due}",
            kind.as_str(),
            subject.kind.as_str(),
            subject.id
        );
        audit::commit(txn, actor, Action::Create, "privacy_request", Some(id), summary).await?;
        Ok(id)
    }

    /// Requests not yet answered, the soonest due first.
    pub async fn open_privacy_requests(&self) -> Result<Vec<PrivacyRequest>> {
        all_of::<PrivacyRequest>(
            self.conn(),
            "SELECT id, kind, subject_kind, subject_id, received_at, due_on, answered_at FROM privacy_requests \
             WHERE answered_at IS NULL ORDER BY due_on, id",
            [],
        )
        .await
    }

    /// Marks the open requests of `kind` about `subject` answered, on `conn`.
    pub(crate) async fn answer_privacy_requests_in(
        conn: &impl sea_orm::ConnectionTrait,
        kind: RequestKind,
        subject: Subject,
        at: OffsetDateTime,
    ) -> Result<u64> {
        exec(
            conn,
            "UPDATE privacy_requests SET answered_at = ? WHERE answered_at IS NULL AND kind = ? \
             AND subject_kind = ? AND subject_id = ?",
            vec![
                at.into(),
                kind.as_str().into(),
                subject.kind.as_str().into(),
                subject.id.into(),
            ],
        )
        .await
    }

    /// Marks the open requests of `kind` about `subject` answered now.
    pub async fn answer_privacy_requests(&self, kind: RequestKind, subject: Subject) -> Result<u64> {
        let txn = self.write().await?;
        let n = Store::answer_privacy_requests_in(&txn, kind, subject, self.now()).await?;
        txn.commit().await?;
        Ok(n)
    }

    /// The subject a pupil reference names.
    pub async fn pupil_subject(&self, pupil_ref: &str) -> Result<Subject> {
        #[derive(FromQueryResult)]
        struct Id {
            id: i64,
        }
        let found = one_of::<Id>(
            self.conn(),
            "SELECT id FROM pupils WHERE pupil_ref = ?",
            [pupil_ref.trim().into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(Subject::new(SubjectKind::Pupil, found.id))
    }
}
