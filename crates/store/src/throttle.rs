//! Login throttling: failed attempts counted per account and per address over a window.
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use time::Duration;

use crate::entities::login_failure;
use crate::error::Result;
use crate::{Store, now};

/// What a count of failures is kept against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Account,
    Address,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Scope::Account => "account",
            Scope::Address => "address",
        }
    }
}

impl Store {
    /// Records a failed login against a key (an email or an address).
    pub async fn record_login_failure(&self, scope: Scope, key: &str) -> Result<()> {
        let txn = self.write().await?;
        login_failure::ActiveModel {
            scope: Set(scope.as_str().to_owned()),
            key: Set(key.to_owned()),
            at: Set(now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// How many failures a key has had within the window.
    pub async fn recent_login_failures(&self, scope: Scope, key: &str, window: Duration) -> Result<u64> {
        Ok(login_failure::Entity::find()
            .filter(login_failure::Column::Scope.eq(scope.as_str()))
            .filter(login_failure::Column::Key.eq(key))
            .filter(login_failure::Column::At.gt(now() - window))
            .count(self.conn())
            .await?)
    }

    /// Forgets an account's failures after it logs in successfully.
    pub async fn clear_login_failures(&self, scope: Scope, key: &str) -> Result<()> {
        login_failure::Entity::delete_many()
            .filter(login_failure::Column::Scope.eq(scope.as_str()))
            .filter(login_failure::Column::Key.eq(key))
            .exec(self.conn())
            .await?;
        Ok(())
    }
}
