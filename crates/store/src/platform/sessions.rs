//! Server-side sessions: created lazily, rotated at login, ended by timeouts or password changes.
use sea_orm::sea_query::SimpleExpr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use time::{Duration, OffsetDateTime};

use crate::entities::{session, user};
use crate::error::Result;
use crate::platform::accounts::User;
use crate::platform::tokens::{hash_token, random_token};
use crate::{Store, now};

/// How long sessions live.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    /// A session unused for this long ends.
    pub idle: Duration,
    /// A session ends this long after it began, however busy.
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle: Duration::hours(2),
            absolute: Duration::hours(12),
        }
    }
}

/// A live session, with its user when someone is logged in.
#[derive(Debug, Clone)]
pub struct Session {
    pub id_hash: String,
    pub csrf_token: String,
    pub flash: Option<String>,
    pub user: Option<User>,
    pub last_seen_at: OffsetDateTime,
    /// The user has given their second factor in this session, or has none.
    pub second_factor_done: bool,
    /// A WebAuthn challenge the session waits to see signed.
    pub challenge: Option<String>,
}

impl Session {
    /// The user is signed in but still owes their second factor: only the second-factor
    /// page and logging out are open to them.
    pub fn awaits_second_factor(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.second_factor) && !self.second_factor_done
    }
}

/// Writing `last_seen_at` on every request would turn every page view into a write; once
/// a minute is precise enough for a two-hour idle timeout.
const TOUCH_AFTER: Duration = Duration::seconds(60);

#[tutti_boxed::boxed]
impl Store {
    /// Starts a session, for a user or anonymous (to carry a CSRF token for a login form).
    /// Returns the secret for the cookie.
    pub async fn create_session(&self, user_id: Option<i64>, policy: SessionPolicy) -> Result<(String, Session)> {
        let token = random_token();
        let t = now();
        let model = session::ActiveModel {
            id: Set(hash_token(&token)),
            user_id: Set(user_id),
            csrf_token: Set(random_token()),
            flash: Set(None),
            created_at: Set(t),
            last_seen_at: Set(t),
            expires_at: Set(t + policy.absolute),
            second_factor_done: Set(false),
            challenge: Set(None),
        };
        let txn = self.write().await?;
        let model = model.insert(&txn).await?;
        txn.commit().await?;
        let user = match user_id {
            Some(id) => self.user_by_id(id).await?,
            None => None,
        };
        Ok((
            token,
            Session {
                id_hash: model.id,
                csrf_token: model.csrf_token,
                flash: None,
                user,
                last_seen_at: t,
                second_factor_done: false,
                challenge: None,
            },
        ))
    }

    /// Finds the live session behind a cookie secret. Expired or idle sessions, and
    /// sessions of disabled users, are ended and not returned.
    pub async fn load_session(&self, token: &str, policy: SessionPolicy) -> Result<Option<Session>> {
        let id = hash_token(token);
        let t = now();
        if let Some(s) = self.session_cache.get(&id, t, policy.idle) {
            return Ok(Some(s));
        }
        let found = session::Entity::find_by_id(id.clone())
            .find_also_related(user::Entity)
            .one(self.conn())
            .await?;
        let Some((s, u)) = found else { return Ok(None) };
        let dead = s.expires_at <= t || s.last_seen_at + policy.idle <= t || u.as_ref().is_some_and(|u| u.disabled);
        if dead {
            session::Entity::delete_by_id(id).exec(self.conn()).await?;
            self.session_cache.clear();
            return Ok(None);
        }
        if s.last_seen_at + TOUCH_AFTER <= t {
            session::Entity::update_many()
                .col_expr(session::Column::LastSeenAt, t.into())
                .filter(session::Column::Id.eq(&s.id))
                .exec(self.conn())
                .await?;
        }
        let session = Session {
            id_hash: s.id,
            csrf_token: s.csrf_token,
            flash: s.flash,
            user: u.map(User::from),
            last_seen_at: s.last_seen_at,
            second_factor_done: s.second_factor_done,
            challenge: s.challenge,
        };
        self.session_cache.put(session.clone(), s.expires_at);
        Ok(Some(session))
    }

    /// Ends one session (logout).
    pub async fn end_session(&self, id_hash: &str) -> Result<()> {
        session::Entity::delete_by_id(id_hash.to_owned())
            .exec(self.conn())
            .await?;
        self.session_cache.clear();
        Ok(())
    }

    /// Sets columns of session `id_hash`; the cached sessions are forgotten.
    async fn update_session(&self, id_hash: &str, set: Vec<(session::Column, SimpleExpr)>) -> Result<()> {
        let mut update = session::Entity::update_many();
        for (column, value) in set {
            update = update.col_expr(column, value);
        }
        update.filter(session::Column::Id.eq(id_hash)).exec(self.conn()).await?;
        self.session_cache.clear();
        Ok(())
    }

    /// Leaves a one-line message for the next page this session sees.
    pub async fn set_flash(&self, id_hash: &str, message: Option<&str>) -> Result<()> {
        let flash = message.map(str::to_owned).into();
        self.update_session(id_hash, vec![(session::Column::Flash, flash)])
            .await
    }

    /// Marks the session's second factor as given, and forgets its challenge.
    pub async fn mark_second_factor_done(&self, id_hash: &str) -> Result<()> {
        let set = vec![
            (session::Column::SecondFactorDone, true.into()),
            (session::Column::Challenge, Option::<String>::None.into()),
        ];
        self.update_session(id_hash, set).await
    }

    /// Keeps a WebAuthn challenge (or none) with the session until it comes back signed.
    pub async fn set_session_challenge(&self, id_hash: &str, challenge: Option<&str>) -> Result<()> {
        let challenge = challenge.map(str::to_owned).into();
        self.update_session(id_hash, vec![(session::Column::Challenge, challenge)])
            .await
    }

    /// Deletes sessions past their absolute expiry; run from time to time.
    pub async fn purge_expired_sessions(&self) -> Result<u64> {
        let r = session::Entity::delete_many()
            .filter(session::Column::ExpiresAt.lte(now()))
            .exec(self.conn())
            .await?;
        self.session_cache.clear();
        Ok(r.rows_affected)
    }
}
