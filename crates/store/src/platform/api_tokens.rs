//! Personal API tokens: created by their owner, stored only as hashes, with a scope (read, or
//! read and write) and an expiry; revocable, and all revoked when the password changes or
//! is reset or the account is disabled.
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use time::{Duration, OffsetDateTime};

pub use tutti_domain::accounts::TokenScope;
use tutti_domain::accounts::{TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS, check_token_lifetime};

use crate::entities::{api_token, user};
use crate::error::{Result, StoreError};
use crate::platform::accounts::User;
use crate::platform::audit::{self, Action, Actor};
use crate::platform::tokens::{hash_token, random_token};
use crate::query::found;
use crate::{Store, now};

/// How long a token lives unless its owner says otherwise.
pub const DEFAULT_LIFETIME: Duration = Duration::days(TOKEN_DEFAULT_DAYS);
/// The longest a token may be made to live.
pub const MAX_LIFETIME: Duration = Duration::days(TOKEN_MAX_DAYS);

/// A token as its owner sees it (never the secret, which is shown once at creation).
#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub scope: TokenScope,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
}

/// The person a live bearer token acts for, and what it may do.
#[derive(Debug, Clone)]
pub struct TokenHolder {
    pub user: User,
    pub scope: TokenScope,
}

/// When a stored token expires: tokens made before expiry existed live the default lifetime.
fn expiry_of(m: &api_token::Model) -> OffsetDateTime {
    m.expires_at.unwrap_or(m.created_at + DEFAULT_LIFETIME)
}

/// Tokens are prefixed so that a leaked one is recognisable in logs and secret scanners.
pub const PREFIX: &str = "tutti_";

#[tutti_boxed::boxed]
impl Store {
    /// Creates a read-write token for the default lifetime and returns its secret.
    pub async fn create_api_token(&self, actor: &Actor, user_id: i64, name: &str) -> Result<String> {
        self.create_scoped_api_token(actor, user_id, name, TokenScope::ReadWrite, DEFAULT_LIFETIME)
            .await
    }

    /// Creates a token and returns its secret, which is not stored and cannot be shown again.
    pub async fn create_scoped_api_token(
        &self,
        actor: &Actor,
        user_id: i64,
        name: &str,
        scope: TokenScope,
        lifetime: Duration,
    ) -> Result<String> {
        check_token_lifetime(lifetime.whole_seconds())?;
        let secret = format!("{PREFIX}{}", random_token());
        let t = self.now();
        let txn = self.write().await?;
        found::<user::Entity>(&txn, user_id).await?;
        let m = api_token::ActiveModel {
            user_id: Set(user_id),
            name: Set(name.trim().to_owned()),
            token_hash: Set(hash_token(&secret)),
            created_at: Set(t),
            last_used_at: Set(None),
            revoked_at: Set(None),
            scope: Set(scope.as_str().to_owned()),
            expires_at: Set(Some(t + lifetime)),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let summary = format!("API token \"{}\" ({}) for user {user_id}", m.name, scope.as_str());
        audit::commit(txn, actor, Action::Create, "api_token", Some(m.id), summary).await?;
        Ok(secret)
    }

    /// A user's live tokens, newest first (revoked and expired ones are gone for good).
    pub async fn api_tokens_of(&self, user_id: i64) -> Result<Vec<ApiToken>> {
        let t = self.now();
        Ok(api_token::Entity::find()
            .filter(api_token::Column::UserId.eq(user_id))
            .filter(api_token::Column::RevokedAt.is_null())
            .order_by_desc(api_token::Column::Id)
            .all(self.conn())
            .await?
            .into_iter()
            .filter(|m| expiry_of(m) > t)
            .map(|m| ApiToken {
                id: m.id,
                scope: TokenScope::parse(&m.scope).unwrap_or(TokenScope::Read),
                expires_at: expiry_of(&m),
                name: m.name,
                created_at: m.created_at,
                last_used_at: m.last_used_at,
            })
            .collect())
    }

    pub async fn revoke_api_token(&self, actor: &Actor, user_id: i64, id: i64) -> Result<()> {
        let txn = self.write().await?;
        let found = api_token::Entity::find_by_id(id)
            .filter(api_token::Column::UserId.eq(user_id))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut a: api_token::ActiveModel = found.into();
        a.revoked_at = Set(Some(now()));
        a.update(&txn).await?;
        audit::commit(txn, actor, Action::Archive, "api_token", Some(id), "API token revoked").await?;
        Ok(())
    }

    /// The enabled user a bearer token belongs to and its scope, if it is live.
    pub async fn user_for_api_token(&self, secret: &str) -> Result<Option<TokenHolder>> {
        let Some(t) = api_token::Entity::find()
            .filter(api_token::Column::TokenHash.eq(hash_token(secret)))
            .filter(api_token::Column::RevokedAt.is_null())
            .one(self.conn())
            .await?
        else {
            return Ok(None);
        };
        if expiry_of(&t) <= self.now() {
            return Ok(None);
        }
        // A scope this build does not know grants the least.
        let scope = TokenScope::parse(&t.scope).unwrap_or(TokenScope::Read);
        let Some(u) = self.user_by_id(t.user_id).await? else {
            return Ok(None);
        };
        if u.disabled {
            return Ok(None);
        }
        // Writing on every call would make every API read a write; once an hour will do.
        if t.last_used_at.is_none_or(|at| now() - at > time::Duration::hours(1)) {
            let txn = self.write().await?;
            api_token::Entity::update_many()
                .col_expr(api_token::Column::LastUsedAt, Some(now()).into())
                .filter(api_token::Column::Id.eq(t.id))
                .exec(&txn)
                .await?;
            txn.commit().await?;
        }
        Ok(Some(TokenHolder { user: u, scope }))
    }
}
