//! People who log in: users, their roles, passwords and account state.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};
use serde::Serialize;

pub use tutti_domain::accounts::Role;
use tutti_domain::accounts::{AccountRefusal, check_not_last_admin};

use crate::entities::{api_token, session, user};
use crate::error::{Result, StoreError};
use crate::query::found;
use crate::{Store, now};

/// A user as the rest of the program sees it: never the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    pub email_verified: bool,
    pub school_id: Option<i64>,
    pub staff_id: Option<i64>,
    pub pupil_id: Option<i64>,
    /// One of the demo hub's accounts (exempt from enrolling a second factor).
    pub is_demo: bool,
    /// The user has an authenticator app or a passkey to prove themselves with.
    pub second_factor: bool,
}

impl User {
    /// Admins and managers reach every family's records and payments: they must enrol a
    /// second factor before any office page, except the demo's own accounts.
    pub fn must_enrol_second_factor(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Manager) && !self.is_demo && !self.second_factor
    }
}

impl From<user::Model> for User {
    fn from(m: user::Model) -> Self {
        User {
            id: m.id,
            role: Role::parse(&m.role).unwrap_or(Role::Parent),
            email: m.email,
            name: m.name,
            disabled: m.disabled,
            email_verified: m.email_verified_at.is_some(),
            school_id: m.school_id,
            staff_id: m.staff_id,
            pupil_id: m.pupil_id,
            is_demo: m.is_demo,
            second_factor: m.second_factor,
        }
    }
}

/// What a new account needs.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub password: String,
    pub role: Role,
    pub email_verified: bool,
    pub school_id: Option<i64>,
    pub staff_id: Option<i64>,
    pub pupil_id: Option<i64>,
    pub is_demo: bool,
}

/// The outcome of a login attempt, kept vague to callers on purpose: the page says the same
/// thing for an unknown email and a wrong password.
#[derive(Debug)]
pub enum LoginOutcome {
    Ok(User),
    BadCredentials,
    Disabled,
}

/// Lower-cases and trims an email address so that lookups are case-insensitive.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Hashes a password with argon2id on a blocking thread: hashing takes tens of
/// milliseconds by design and must not stall the async runtime.
pub async fn hash_password(password: &str) -> Result<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut salt_bytes = [0u8; 16];
        getrandom::fill(&mut salt_bytes).map_err(|_| StoreError::Hash)?;
        let salt = SaltString::encode_b64(&salt_bytes).map_err(|_| StoreError::Hash)?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|_| StoreError::Hash)
    })
    .await
    .map_err(|_| StoreError::Hash)?
}

/// Checks a password against a stored hash, on a blocking thread.
pub async fn verify_password(password: &str, hash: &str) -> bool {
    let password = password.to_owned();
    let hash = hash.to_owned();
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// Inserts an account with its password already hashed, inside the caller's transaction
/// (the first admin is made in the same transaction as the hub's identity). Refused when
/// the email is taken.
pub(crate) async fn insert_user(conn: &impl ConnectionTrait, new: &NewUser, password_hash: String) -> Result<User> {
    let email = normalise_email(&new.email);
    if email_has_login(conn, &email).await? {
        return Err(AccountRefusal::EmailTaken { email }.into());
    }
    let t = now();
    let model = user::ActiveModel {
        email: Set(email),
        name: Set(new.name.trim().to_owned()),
        password_hash: Set(password_hash),
        role: Set(new.role.as_str().to_owned()),
        disabled: Set(false),
        email_verified_at: Set(new.email_verified.then_some(t)),
        school_id: Set(new.school_id),
        staff_id: Set(new.staff_id),
        pupil_id: Set(new.pupil_id),
        is_demo: Set(new.is_demo),
        created_at: Set(t),
        updated_at: Set(t),
        password_changed_at: Set(t),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(model.into())
}

/// A hash of a random password, used so that a failed lookup costs as much as a real check
/// (answer times must not reveal which emails have accounts).
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$dGwq9cvnJ3v6IAyDP3ZoU8Xq0AdZQbH0rQ9wUSlPGxw";

#[tutti_boxed::boxed]
impl Store {
    /// Creates an account. Refused when the email is taken.
    pub async fn create_user(&self, new: NewUser) -> Result<User> {
        let hash = hash_password(&new.password).await?;
        let txn = self.write().await?;
        let user = insert_user(&txn, &new, hash).await?;
        txn.commit().await?;
        Ok(user)
    }

    pub async fn user_by_id(&self, id: i64) -> Result<Option<User>> {
        Ok(user::Entity::find_by_id(id).one(self.conn()).await?.map(User::from))
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        Ok(user::Entity::find()
            .filter(user::Column::Email.eq(normalise_email(email)))
            .one(self.conn())
            .await?
            .map(User::from))
    }

    /// Checks an email and password.
    pub async fn authenticate(&self, email: &str, password: &str) -> Result<LoginOutcome> {
        let found = user::Entity::find()
            .filter(user::Column::Email.eq(normalise_email(email)))
            .one(self.conn())
            .await?;
        let Some(found) = found else {
            verify_password(password, DUMMY_HASH).await;
            return Ok(LoginOutcome::BadCredentials);
        };
        if !verify_password(password, &found.password_hash).await {
            return Ok(LoginOutcome::BadCredentials);
        }
        if found.disabled {
            return Ok(LoginOutcome::Disabled);
        }
        Ok(LoginOutcome::Ok(found.into()))
    }

    /// Sets a new password and ends every session of the account, in one transaction.
    pub async fn set_password(&self, user_id: i64, password: &str) -> Result<()> {
        let hash = hash_password(password).await?;
        let txn = self.write().await?;
        let t = now();
        let updated = user::Entity::update_many()
            .col_expr(user::Column::PasswordHash, hash.into())
            .col_expr(user::Column::PasswordChangedAt, t.into())
            .col_expr(user::Column::UpdatedAt, t.into())
            .filter(user::Column::Id.eq(user_id))
            .exec(&txn)
            .await?;
        if updated.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        end_sessions(&txn, user_id).await?;
        // A new password retires what the old one let out: programs' tokens, reset links.
        revoke_api_tokens(&txn, user_id).await?;
        crate::platform::tokens::retire(&txn, user_id, crate::platform::tokens::Purpose::ResetPassword).await?;
        txn.commit().await?;
        self.session_cache.clear();
        Ok(())
    }

    pub async fn mark_email_verified(&self, user_id: i64) -> Result<()> {
        let t = now();
        let txn = self.write().await?;
        user::Entity::update_many()
            .col_expr(user::Column::EmailVerifiedAt, Some(t).into())
            .col_expr(user::Column::UpdatedAt, t.into())
            .filter(user::Column::Id.eq(user_id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        self.session_cache.clear();
        Ok(())
    }

    /// Changes a user's role. Refuses to remove the last enabled admin.
    pub async fn set_role(&self, user_id: i64, role: Role) -> Result<()> {
        let txn = self.write().await?;
        set_user_column(
            &txn,
            user_id,
            user::Column::Role,
            role.as_str().into(),
            role != Role::Admin,
        )
        .await?;
        txn.commit().await?;
        self.session_cache.clear();
        Ok(())
    }

    /// Disables or re-enables an account; disabling ends all its sessions.
    pub async fn set_disabled(&self, user_id: i64, disabled: bool) -> Result<()> {
        let txn = self.write().await?;
        set_user_column(&txn, user_id, user::Column::Disabled, disabled.into(), disabled).await?;
        if disabled {
            end_sessions(&txn, user_id).await?;
            revoke_api_tokens(&txn, user_id).await?;
        }
        txn.commit().await?;
        self.session_cache.clear();
        Ok(())
    }

    /// One page of users, optionally filtered by a search over name and email, and by role.
    pub async fn list_users(
        &self,
        search: &str,
        role: Option<Role>,
        page: u64,
        per_page: u64,
    ) -> Result<(Vec<User>, u64)> {
        let mut q = user::Entity::find();
        if let Some(cond) = crate::records::search::text_search(&["name", "email"], search) {
            q = q.filter(cond);
        }
        if let Some(role) = role {
            q = q.filter(user::Column::Role.eq(role.as_str()));
        }
        let total = q.clone().count(self.conn()).await?;
        let rows = q
            .order_by_asc(user::Column::Email)
            .offset(crate::listing::offset(page, per_page))
            .limit(per_page)
            .all(self.conn())
            .await?;
        Ok((rows.into_iter().map(User::from).collect(), total))
    }

    /// Whether the database holds any account at all (a new install has none).
    pub async fn count_users(&self) -> Result<u64> {
        Ok(user::Entity::find().count(self.conn()).await?)
    }
}

/// Whether an account has this (normalised) email.
pub(crate) async fn email_has_login(conn: &impl ConnectionTrait, email: &str) -> Result<bool> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .count(conn)
        .await?
        > 0)
}

/// The users table's column that links a login to a kind of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkColumn {
    Staff,
    School,
    Pupil,
}

impl LinkColumn {
    fn column(self) -> user::Column {
        match self {
            LinkColumn::Staff => user::Column::StaffId,
            LinkColumn::School => user::Column::SchoolId,
            LinkColumn::Pupil => user::Column::PupilId,
        }
    }
}

/// Disables the logins linked to record `id` (and those of `only_email`, when given, alone),
/// inside the caller's transaction: they can no longer sign in, their sessions end and their
/// programs' tokens are revoked. Returns the accounts disabled; the caller clears the session
/// cache once it commits.
/// How many logins linked to record `id` are disabled: a restored record's, waiting to be
/// invited again.
pub(crate) async fn count_linked_disabled(txn: &impl ConnectionTrait, link: LinkColumn, id: i64) -> Result<u64> {
    Ok(user::Entity::find()
        .filter(link.column().eq(id))
        .filter(user::Column::Disabled.eq(true))
        .count(txn)
        .await?)
}

pub(crate) async fn disable_linked(
    txn: &impl ConnectionTrait,
    link: LinkColumn,
    id: i64,
    only_email: Option<&str>,
) -> Result<Vec<user::Model>> {
    let mut q = user::Entity::find()
        .filter(link.column().eq(id))
        .filter(user::Column::Disabled.eq(false));
    if let Some(email) = only_email {
        q = q.filter(user::Column::Email.eq(normalise_email(email)));
    }
    let users = q.all(txn).await?;
    for u in &users {
        user::Entity::update_many()
            .col_expr(user::Column::Disabled, true.into())
            .col_expr(user::Column::UpdatedAt, now().into())
            .filter(user::Column::Id.eq(u.id))
            .exec(txn)
            .await?;
        end_sessions(txn, u.id).await?;
        revoke_api_tokens(txn, u.id).await?;
    }
    Ok(users)
}

/// Sets one column of user `user_id` (and its `updated_at`) in `txn`. When `demotes`, the
/// change takes an admin's rights away, so the last enabled admin is refused.
async fn set_user_column(
    txn: &impl ConnectionTrait,
    user_id: i64,
    column: user::Column,
    value: sea_orm::Value,
    demotes: bool,
) -> Result<()> {
    let current = found::<user::Entity>(txn, user_id).await?;
    if demotes && current.role == Role::Admin.as_str() {
        guard_last_admin(txn, user_id).await?;
    }
    user::Entity::update_many()
        .col_expr(column, value.into())
        .col_expr(user::Column::UpdatedAt, now().into())
        .filter(user::Column::Id.eq(user_id))
        .exec(txn)
        .await?;
    Ok(())
}

async fn guard_last_admin(txn: &impl ConnectionTrait, user_id: i64) -> Result<()> {
    let others = user::Entity::find()
        .filter(user::Column::Role.eq(Role::Admin.as_str()))
        .filter(user::Column::Disabled.eq(false))
        .filter(user::Column::Id.ne(user_id))
        .count(txn)
        .await?;
    check_not_last_admin(others)?;
    Ok(())
}

async fn end_sessions(txn: &impl ConnectionTrait, user_id: i64) -> Result<()> {
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Revokes every live API token of a user, inside the caller's transaction: a changed or
/// reset password, or a disabled account, must not leave a program signed in. It is the
/// account's step, kept here so that `api_tokens` (which reads `User`) is not imported back.
async fn revoke_api_tokens(conn: &impl ConnectionTrait, user_id: i64) -> Result<()> {
    api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Some(now()).into())
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}
