//! Throttling: password guesses and mail requests counted per key over a sliding window.
//! A guess is reserved before the password is checked, atomically, so that requests sent at
//! once cannot all slip under the limit (docs/decisions/0064-login-throttling-and-lockout.md).
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Set, Statement,
};
use time::{Duration, OffsetDateTime};

use crate::entities::{known_device, login_failure};
use crate::error::Result;
use crate::platform::tokens::{hash_token, random_token};
use crate::{Backend, Store};

/// What a count is kept against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Password guesses for one account (by its email) from browsers it does not know.
    Account,
    /// Password guesses from one client address, by browsers the account does not know.
    Address,
    /// Password guesses from one browser an account has logged in from before.
    Device,
    /// Account mail (reset, confirmation) asked for one recipient.
    MailRecipient,
    /// Account mail asked for from one client address.
    MailAddress,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Scope::Account => "account",
            Scope::Address => "address",
            Scope::Device => "device",
            Scope::MailRecipient => "mail_recipient",
            Scope::MailAddress => "mail_address",
        }
    }
}

/// One limit: at most `max` attempts per `window` for a key of `scope`.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub scope: Scope,
    pub max: u64,
    pub window: Duration,
}

/// The answer to a reservation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reservation {
    /// The attempt may go ahead; these rows hold it, to be released if it succeeds.
    Granted(Vec<i64>),
    /// Refused: the limit is reached until this instant.
    Refused { until: OffsetDateTime },
}

#[derive(FromQueryResult)]
struct Inserted {
    id: i64,
}

#[tutti_boxed::boxed]
impl Store {
    /// Reserves one attempt against each `(limit, key)` pair, all or none, in one write
    /// transaction holding a lock per pair: concurrent reservations for a key are counted one
    /// after another. Refused when any pair is at its limit, with the instant it frees up.
    pub async fn reserve_attempt(&self, pairs: &[(Limit, &str)]) -> Result<Reservation> {
        let t = self.now();
        let txn = self.write().await?;
        let backend = self.backend();
        let mut until: Option<OffsetDateTime> = None;
        for (limit, key) in pairs {
            if backend == Backend::Postgres {
                // SQLite has one writer at a time already (writes begin IMMEDIATE).
                txn.execute_raw(Statement::from_sql_and_values(
                    sea_orm::DbBackend::Postgres,
                    "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                    [format!("{}:{key}", limit.scope.as_str()).into()],
                ))
                .await?;
            }
            let recent = login_failure::Entity::find()
                .filter(login_failure::Column::Scope.eq(limit.scope.as_str()))
                .filter(login_failure::Column::Key.eq(*key))
                .filter(login_failure::Column::At.gt(t - limit.window))
                .order_by_asc(login_failure::Column::At);
            let count = recent.clone().count(&txn).await?;
            if count >= limit.max {
                // It frees up when the attempt that brings the count under the limit ages out.
                let oldest = recent
                    .offset(count - limit.max)
                    .one(&txn)
                    .await?
                    .map(|m| m.at)
                    .unwrap_or(t);
                let free = oldest + limit.window;
                until = Some(until.map_or(free, |u| u.max(free)));
            }
        }
        if let Some(until) = until {
            return Ok(Reservation::Refused { until });
        }
        let mut ids = Vec::with_capacity(pairs.len());
        for (limit, key) in pairs {
            let row = Inserted::find_by_statement(crate::query::stmt(
                txn.get_database_backend(),
                "INSERT INTO login_failures (scope, key, at) VALUES (?, ?, ?) RETURNING id",
                [limit.scope.as_str().into(), (*key).into(), t.into()],
            ))
            .one(&txn)
            .await?;
            ids.extend(row.map(|r| r.id));
        }
        txn.commit().await?;
        Ok(Reservation::Granted(ids))
    }

    /// Gives reserved attempts back: the password was right, so they count against nobody.
    pub async fn release_attempts(&self, ids: &[i64]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        login_failure::Entity::delete_many()
            .filter(login_failure::Column::Id.is_in(ids.iter().copied()))
            .exec(self.conn())
            .await?;
        Ok(())
    }

    /// Forgets every attempt against a key: after a successful login or a password reset.
    pub async fn clear_attempts(&self, scope: Scope, key: &str) -> Result<()> {
        login_failure::Entity::delete_many()
            .filter(login_failure::Column::Scope.eq(scope.as_str()))
            .filter(login_failure::Column::Key.eq(key))
            .exec(self.conn())
            .await?;
        Ok(())
    }

    /// Remembers that a browser has logged in to an account; returns the secret for its
    /// cookie. Guesses from it are then counted apart from strangers' (decision 64).
    pub async fn remember_device(&self, user_id: i64) -> Result<String> {
        let secret = random_token();
        let t = self.now();
        let txn = self.write().await?;
        known_device::Entity::insert(known_device::ActiveModel {
            user_id: Set(user_id),
            token_hash: Set(hash_token(&secret)),
            created_at: Set(t),
            last_used_at: Set(t),
            ..Default::default()
        })
        .exec(&txn)
        .await?;
        txn.commit().await?;
        Ok(secret)
    }

    /// The key a known browser's guesses are counted under for this account, if the cookie's
    /// secret names a browser that has logged in to it.
    pub async fn known_device_key(&self, user_email: &str, secret: &str) -> Result<Option<String>> {
        let Some(user) = self.user_by_email(user_email).await? else {
            return Ok(None);
        };
        let hash = hash_token(secret);
        let found = known_device::Entity::find()
            .filter(known_device::Column::TokenHash.eq(hash.as_str()))
            .filter(known_device::Column::UserId.eq(user.id))
            .one(self.conn())
            .await?;
        Ok(found.map(|d| format!("{}:{}", d.user_id, d.id)))
    }
}
