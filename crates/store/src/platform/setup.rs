//! A fresh hub's first run: the one-time setup code `tutti serve` prints while the hub has no
//! admin (stored only as its hash, and replaced at every start), and the setup itself, which
//! makes the first admin and the hub's identity in one transaction and then retires the code.
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use tutti_domain::calendar::AcademicYear;
use tutti_domain::charging::ChargingPolicy;
use tutti_domain::identity::HubIdentity;

use crate::Store;
use crate::entities::{hub_setting, user};
use crate::error::Result;
use crate::platform::accounts::{NewUser, Role, User, hash_password, insert_user};
use crate::platform::audit::{self, Action, Actor};
use crate::platform::identity::{self, HubRecord};
use crate::platform::settings;
use crate::platform::tokens::{hash_token, random_token};

/// The hub settings key of the live setup code's hash.
const KEY: &str = "setup_code";

/// The first admin, as the setup form gives them.
#[derive(Debug, Clone)]
pub struct FirstAdmin {
    pub email: String,
    pub name: String,
    pub password: String,
}

/// What a setup attempt came to.
#[derive(Debug)]
pub enum SetupOutcome {
    /// The admin and the identity are made; the code is retired.
    Done(Box<(User, HubRecord)>),
    /// The code is not the live one (or there is none).
    WrongCode,
    /// The hub has an admin already: there is no setup any more.
    Gone,
}

async fn has_admin(conn: &impl ConnectionTrait) -> Result<bool> {
    Ok(user::Entity::find()
        .filter(user::Column::Role.eq(Role::Admin.as_str()))
        .count(conn)
        .await?
        > 0)
}

async fn code_matches(conn: &impl ConnectionTrait, code: &str) -> Result<bool> {
    let Some(stored) = settings::get(conn, KEY).await? else {
        return Ok(false);
    };
    let given = hash_token(code.trim());
    // Both are hex digests of the same length; compared without an early exit.
    Ok(stored.len() == given.len() && stored.bytes().zip(given.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0)
}

#[tutti_boxed::boxed]
impl Store {
    /// Whether the hub still waits for its first admin.
    pub async fn needs_setup(&self) -> Result<bool> {
        Ok(!has_admin(self.conn()).await?)
    }

    /// A new setup code while the hub has no admin (the one before it stops working), or
    /// `None` once it has one. Only the code's hash is kept.
    pub async fn issue_setup_code(&self) -> Result<Option<String>> {
        let txn = self.write().await?;
        if has_admin(&txn).await? {
            // A code left from before the first admin is of no use to anyone.
            hub_setting::Entity::delete_by_id(KEY.to_owned()).exec(&txn).await?;
            txn.commit().await?;
            return Ok(None);
        }
        let code = random_token();
        settings::put(&txn, KEY, &hash_token(&code)).await?;
        txn.commit().await?;
        Ok(Some(code))
    }

    /// Where a setup code stands: the form is shown only for `Ready`.
    pub async fn setup_state(&self, code: &str) -> Result<SetupState> {
        if has_admin(self.conn()).await? {
            Ok(SetupState::Gone)
        } else if code_matches(self.conn(), code).await? {
            Ok(SetupState::Ready)
        } else {
            Ok(SetupState::WrongCode)
        }
    }

    /// Sets the hub up with the live code: the first admin (with the password rules already
    /// checked by the caller, the email verified, as they came by the operator's own link)
    /// and the hub's identity, in one transaction that retires the code. Then the year's
    /// charging policy is saved from the default figures under the hub's name, unless one is
    /// saved already, so the office finds it to edit and the first billing run works.
    pub async fn complete_setup(
        &self,
        code: &str,
        admin: &FirstAdmin,
        identity: &HubIdentity,
        ip: &str,
    ) -> Result<SetupOutcome> {
        let hash = hash_password(&admin.password).await?;
        let txn = self.write().await?;
        if has_admin(&txn).await? {
            return Ok(SetupOutcome::Gone);
        }
        if !code_matches(&txn, code).await? {
            return Ok(SetupOutcome::WrongCode);
        }
        let new = NewUser {
            email: admin.email.clone(),
            name: admin.name.clone(),
            password: String::new(),
            role: Role::Admin,
            email_verified: true,
            school_id: None,
            staff_id: None,
            pupil_id: None,
            is_demo: false,
        };
        let user = insert_user(&txn, &new, hash).await?;
        let actor = Actor::user(&user, ip);
        let what = format!("the hub set up: first admin is user {}", user.id);
        audit::record(&txn, &actor, Action::Create, "user", Some(user.id), what).await?;
        let record = identity::save_in(&txn, &actor, identity).await?;
        hub_setting::Entity::delete_by_id(KEY.to_owned()).exec(&txn).await?;
        txn.commit().await?;
        let year = AcademicYear::containing(self.today());
        if self.charging_policy(year).await?.revision == 0 {
            self.save_charging_policy(&actor, year, &ChargingPolicy::starting(&record.identity.name, year))
                .await?;
        }
        Ok(SetupOutcome::Done(Box::new((user, record))))
    }
}

/// Where a setup code stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupState {
    /// The hub has no admin and this is the live code: show the form.
    Ready,
    WrongCode,
    /// The hub has an admin: there is no setup any more.
    Gone,
}
