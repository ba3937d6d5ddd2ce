//! Personal API tokens: created by their owner, stored only as hashes, revocable.
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use time::OffsetDateTime;

use crate::accounts::User;
use crate::audit::{self, Action, Actor};
use crate::entities::{api_token, user};
use crate::error::{Result, StoreError};
use crate::tokens::{hash_token, random_token};
use crate::{Store, now};

/// A token as its owner sees it (never the secret, which is shown once at creation).
#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
}

/// Tokens are prefixed so that a leaked one is recognisable in logs and secret scanners.
pub const PREFIX: &str = "tutti_";

impl Store {
    /// Creates a token and returns its secret, which is not stored and cannot be shown again.
    pub async fn create_api_token(&self, actor: &Actor, user_id: i64, name: &str) -> Result<String> {
        let secret = format!("{PREFIX}{}", random_token());
        let txn = self.write().await?;
        user::Entity::find_by_id(user_id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let m = api_token::ActiveModel {
            user_id: Set(user_id),
            name: Set(name.trim().to_owned()),
            token_hash: Set(hash_token(&secret)),
            created_at: Set(now()),
            last_used_at: Set(None),
            revoked_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        audit::record(
            &txn,
            actor,
            Action::Create,
            "api_token",
            Some(m.id),
            format!("API token \"{}\" for user {user_id}", m.name),
        )
        .await?;
        txn.commit().await?;
        Ok(secret)
    }

    pub async fn api_tokens_of(&self, user_id: i64) -> Result<Vec<ApiToken>> {
        Ok(api_token::Entity::find()
            .filter(api_token::Column::UserId.eq(user_id))
            .filter(api_token::Column::RevokedAt.is_null())
            .order_by_desc(api_token::Column::Id)
            .all(self.conn())
            .await?
            .into_iter()
            .map(|m| ApiToken {
                id: m.id,
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
        audit::record(&txn, actor, Action::Archive, "api_token", Some(id), "API token revoked").await?;
        txn.commit().await?;
        Ok(())
    }

    /// The enabled user a bearer token belongs to, if it is live.
    pub async fn user_for_api_token(&self, secret: &str) -> Result<Option<User>> {
        let Some(t) = api_token::Entity::find()
            .filter(api_token::Column::TokenHash.eq(hash_token(secret)))
            .filter(api_token::Column::RevokedAt.is_null())
            .one(self.conn())
            .await?
        else {
            return Ok(None);
        };
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
        Ok(Some(u))
    }
}
