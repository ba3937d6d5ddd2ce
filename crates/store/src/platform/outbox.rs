//! The mail outbox: every message is written here first, then sent over SMTP when configured.
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};
use serde::Serialize;
use time::OffsetDateTime;

use crate::entities::outbox;
use crate::error::Result;
use crate::{Store, now};

#[derive(Debug, Clone, Serialize)]
pub struct OutboxMessage {
    pub id: i64,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub sent_at: Option<OffsetDateTime>,
    pub attempts: i32,
    pub last_error: Option<String>,
    /// The body carries a secret link meant for the recipient alone: screens show only that
    /// the message was sent, never its body.
    pub secret: bool,
}

impl From<outbox::Model> for OutboxMessage {
    fn from(m: outbox::Model) -> Self {
        OutboxMessage {
            id: m.id,
            to_address: m.to_address,
            subject: m.subject,
            body: m.body,
            created_at: m.created_at,
            sent_at: m.sent_at,
            attempts: m.attempts,
            last_error: m.last_error,
            secret: m.secret,
        }
    }
}

/// Queues a message inside the caller's transaction, so that mail about a change is
/// queued exactly when the change commits.
pub async fn enqueue(conn: &impl ConnectionTrait, to: &str, subject: &str, body: &str) -> Result<i64> {
    enqueue_as(conn, to, subject, body, false).await
}

/// Queues a message whose body holds a secret link for the recipient alone, inside the
/// caller's transaction (an invitation is sent exactly when it is written).
pub(crate) async fn enqueue_secret(conn: &impl ConnectionTrait, to: &str, subject: &str, body: &str) -> Result<i64> {
    enqueue_as(conn, to, subject, body, true).await
}

async fn enqueue_as(conn: &impl ConnectionTrait, to: &str, subject: &str, body: &str, secret: bool) -> Result<i64> {
    let m = outbox::ActiveModel {
        to_address: Set(to.to_owned()),
        subject: Set(subject.to_owned()),
        body: Set(body.to_owned()),
        created_at: Set(now()),
        sent_at: Set(None),
        attempts: Set(0),
        last_error: Set(None),
        secret: Set(secret),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(m.id)
}

/// Messages that have failed this many times are left for an admin to look at.
const MAX_ATTEMPTS: i32 = 5;

/// How long a sender's claim on a message lasts: longer than any one send takes, so that a
/// message is sent twice only when its sender died between sending and saying so.
const CLAIM_FOR: time::Duration = time::Duration::minutes(5);

#[tutti_boxed::boxed]
impl Store {
    /// Queues one message in its own transaction.
    pub async fn send_mail(&self, to: &str, subject: &str, body: &str) -> Result<i64> {
        self.send(to, subject, body, false).await
    }

    /// Queues a message whose body holds a secret for the recipient alone (a reset or
    /// confirmation link): no screen shows its body.
    pub async fn send_secret_mail(&self, to: &str, subject: &str, body: &str) -> Result<i64> {
        self.send(to, subject, body, true).await
    }

    async fn send(&self, to: &str, subject: &str, body: &str, secret: bool) -> Result<i64> {
        let txn = self.write().await?;
        let id = enqueue_as(&txn, to, subject, body, secret).await?;
        txn.commit().await?;
        Ok(id)
    }

    /// Newest first, one page at a time, optionally only messages to one address.
    pub async fn outbox_page(&self, to: Option<&str>, page: u64, per_page: u64) -> Result<(Vec<OutboxMessage>, u64)> {
        let mut q = outbox::Entity::find();
        if let Some(to) = to.filter(|t| !t.trim().is_empty()) {
            q = q.filter(outbox::Column::ToAddress.eq(to.trim().to_lowercase()));
        }
        let total = q.clone().count(self.conn()).await?;
        let rows = q
            .order_by_desc(outbox::Column::Id)
            .offset(crate::listing::offset(page, per_page))
            .limit(per_page)
            .all(self.conn())
            .await?;
        Ok((rows.into_iter().map(Into::into).collect(), total))
    }

    /// Messages waiting to go out over SMTP, oldest first.
    pub async fn unsent_mail(&self, limit: u64) -> Result<Vec<OutboxMessage>> {
        let rows = outbox::Entity::find()
            .filter(outbox::Column::SentAt.is_null())
            .filter(outbox::Column::Attempts.lt(MAX_ATTEMPTS))
            .order_by_asc(outbox::Column::Id)
            .limit(limit)
            .all(self.conn())
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub async fn mark_mail_sent(&self, id: i64) -> Result<()> {
        outbox::Entity::update_many()
            .col_expr(outbox::Column::SentAt, Some(now()).into())
            .col_expr(outbox::Column::Attempts, Expr::col(outbox::Column::Attempts).add(1))
            .filter(outbox::Column::Id.eq(id))
            .exec(self.conn())
            .await?;
        Ok(())
    }

    pub async fn mark_mail_failed(&self, id: i64, error: &str) -> Result<()> {
        outbox::Entity::update_many()
            .col_expr(outbox::Column::LastError, Some(error.to_owned()).into())
            .col_expr(outbox::Column::Attempts, Expr::col(outbox::Column::Attempts).add(1))
            .filter(outbox::Column::Id.eq(id))
            .exec(self.conn())
            .await?;
        // Free for the next round of any sender.
        self.conn()
            .execute_raw(crate::query::stmt(
                self.conn().get_database_backend(),
                "UPDATE outbox SET claimed_by = NULL, claimed_until = NULL WHERE id = ?",
                [id.into()],
            ))
            .await?;
        Ok(())
    }

    /// Claims up to `limit` unsent messages for this process's sender, oldest first: each is
    /// claimed by one sender only, whichever app servers run one (`FOR UPDATE SKIP LOCKED` on
    /// PostgreSQL, one `BEGIN IMMEDIATE` transaction on SQLite), until it is marked sent or
    /// failed or the claim lapses after `CLAIM_FOR` (its sender died mid-send).
    pub async fn claim_unsent_mail(&self, limit: u64) -> Result<Vec<OutboxMessage>> {
        let txn = self.write().await?;
        let backend = txn.get_database_backend();
        let t = now();
        let lock = if backend == sea_orm::DbBackend::Postgres {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let rows = outbox::Entity::find()
            .from_raw_sql(crate::query::stmt(
                backend,
                &format!(
                    "SELECT id, to_address, subject, body, created_at, sent_at, attempts, last_error, secret FROM outbox \
                     WHERE sent_at IS NULL AND attempts < ? AND (claimed_until IS NULL OR claimed_until < ?) \
                     ORDER BY id LIMIT ?{lock}"
                ),
                [MAX_ATTEMPTS.into(), t.into(), (limit as i64).into()],
            ))
            .all(&txn)
            .await?;
        for row in &rows {
            txn.execute_raw(crate::query::stmt(
                backend,
                "UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE id = ?",
                [self.changes().me().into(), (t + CLAIM_FOR).into(), row.id.into()],
            ))
            .await?;
        }
        txn.commit().await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Messages waiting to go out, on every app server: the backlog the metrics show.
    pub async fn mail_backlog(&self) -> Result<u64> {
        Ok(outbox::Entity::find()
            .filter(outbox::Column::SentAt.is_null())
            .filter(outbox::Column::Attempts.lt(MAX_ATTEMPTS))
            .count(self.conn())
            .await?)
    }
}
