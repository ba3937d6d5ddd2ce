//! Secret tokens: random values for sessions and emailed links, stored only as hashes.
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};
use time::Duration;

use crate::entities::one_time_token;
use crate::error::Result;
use crate::{Store, now};

/// What an emailed link is for; a token for one purpose never works for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    VerifyEmail,
    ResetPassword,
}

/// Ends every unused link of one purpose for a user, inside the caller's transaction: when
/// one reset link is used, or the password changes, no older link may still work.
pub(crate) async fn retire(conn: &impl ConnectionTrait, user_id: i64, purpose: Purpose) -> Result<()> {
    one_time_token::Entity::update_many()
        .col_expr(one_time_token::Column::UsedAt, Some(now()).into())
        .filter(one_time_token::Column::UserId.eq(user_id))
        .filter(one_time_token::Column::Purpose.eq(purpose.as_str()))
        .filter(one_time_token::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::VerifyEmail => "verify_email",
            Purpose::ResetPassword => "reset_password",
        }
    }
}

/// 256 random bits from the operating system, as 64 hex digits.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    hex(&bytes)
}

/// The stored form of a token: a database leak must not hand out live sessions or links.
pub fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

#[tutti_boxed::boxed]
impl Store {
    /// Issues a single-use token for an emailed link and returns the secret to put in it.
    pub async fn issue_token(&self, user_id: i64, purpose: Purpose, valid_for: Duration) -> Result<String> {
        let token = random_token();
        let t = now();
        let txn = self.write().await?;
        one_time_token::ActiveModel {
            token_hash: Set(hash_token(&token)),
            user_id: Set(user_id),
            purpose: Set(purpose.as_str().to_owned()),
            created_at: Set(t),
            expires_at: Set(t + valid_for),
            used_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(token)
    }

    /// Uses up a token: returns its user when it is valid, unused and unexpired.
    pub async fn consume_token(&self, token: &str, purpose: Purpose) -> Result<Option<i64>> {
        let t = now();
        let txn = self.write().await?;
        let found = one_time_token::Entity::find()
            .filter(one_time_token::Column::TokenHash.eq(hash_token(token)))
            .filter(one_time_token::Column::Purpose.eq(purpose.as_str()))
            .one(&txn)
            .await?;
        let Some(found) = found else { return Ok(None) };
        if found.used_at.is_some() || found.expires_at <= t {
            return Ok(None);
        }
        let user_id = found.user_id;
        // This link and every other unused one of its purpose die together.
        retire(&txn, user_id, purpose).await?;
        txn.commit().await?;
        Ok(Some(user_id))
    }

    /// Whether a token would be accepted, without using it (to show the reset form).
    pub async fn token_is_live(&self, token: &str, purpose: Purpose) -> Result<bool> {
        let found = one_time_token::Entity::find()
            .filter(one_time_token::Column::TokenHash.eq(hash_token(token)))
            .filter(one_time_token::Column::Purpose.eq(purpose.as_str()))
            .one(self.conn())
            .await?;
        Ok(found.is_some_and(|f| f.used_at.is_none() && f.expires_at > now()))
    }
}
