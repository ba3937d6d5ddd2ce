//! Second factors kept with an account: an authenticator app's TOTP secret (with the last
//! step used, so no code works twice), passkeys (public keys and sign counts), and ten
//! single-use recovery codes stored as hashes. `users.second_factor` says whether any is set.
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;
use time::OffsetDateTime;
use tutti_auth::{recovery, totp};
use tutti_domain::accounts::AccountRefusal;

use crate::Store;
use crate::error::{Result, StoreError};
use crate::platform::audit::{self, Action, Actor};
use crate::query::{Count, Id, all_of, exec, insert_id, one_of};

/// A passkey as its owner sees it.
#[derive(Debug, Clone, Serialize)]
pub struct PasskeySummary {
    pub id: i64,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
}

/// A stored passkey, for checking a sign-in with it.
#[derive(Debug, Clone, FromQueryResult)]
pub struct StoredPasskey {
    pub id: i64,
    pub user_id: i64,
    pub credential_id: String,
    /// The SEC1 public key, base64url.
    pub public_key: String,
    pub sign_count: i64,
}

/// What an account has set up.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SecondFactors {
    pub totp: bool,
    pub passkeys: Vec<PasskeySummary>,
    pub recovery_codes_left: i64,
}

impl SecondFactors {
    pub fn any(&self) -> bool {
        self.totp || !self.passkeys.is_empty()
    }
}

#[derive(FromQueryResult)]
struct TotpRow {
    totp_secret: Option<String>,
    totp_last_step: Option<i64>,
}

/// Forgets an account's authenticator app.
const FORGET_APP: &str = "UPDATE users SET totp_secret = NULL, totp_last_step = NULL WHERE id = ?";

/// Sets `users.second_factor` from what the account has, inside the caller's transaction.
async fn refresh_flag(conn: &impl ConnectionTrait, user_id: i64) -> Result<()> {
    exec(
        conn,
        "UPDATE users SET second_factor = (totp_secret IS NOT NULL OR EXISTS \
         (SELECT 1 FROM passkeys p WHERE p.user_id = users.id)) WHERE id = ?",
        vec![user_id.into()],
    )
    .await?;
    Ok(())
}

#[tutti_boxed::boxed]
impl Store {
    /// What second factors an account has.
    pub async fn second_factors(&self, user_id: i64) -> Result<SecondFactors> {
        let _backend = self.conn().get_database_backend();
        let totp = one_of::<TotpRow>(
            self.conn(),
            "SELECT totp_secret, totp_last_step FROM users WHERE id = ?",
            [user_id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        #[derive(FromQueryResult)]
        struct Row {
            id: i64,
            name: String,
            created_at: OffsetDateTime,
            last_used_at: Option<OffsetDateTime>,
        }
        let passkeys = all_of::<Row>(
            self.conn(),
            "SELECT id, name, created_at, last_used_at FROM passkeys WHERE user_id = ? ORDER BY id",
            [user_id.into()],
        )
        .await?
        .into_iter()
        .map(|r| PasskeySummary {
            id: r.id,
            name: r.name,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
        })
        .collect();
        let left = one_of::<Count>(
            self.conn(),
            "SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = ? AND used_at IS NULL",
            [user_id.into()],
        )
        .await?
        .map_or(0, |c| c.n);
        Ok(SecondFactors {
            totp: totp.totp_secret.is_some(),
            passkeys,
            recovery_codes_left: left,
        })
    }

    /// Keeps an authenticator app's secret once the person has typed a code it shows, so a
    /// secret is never kept that the person's app does not hold. Refused when the code is not
    /// right for `secret` now.
    pub async fn confirm_totp(&self, actor: &Actor, user_id: i64, secret: &[u8], code: &str) -> Result<()> {
        let Some(step) = totp::verify(secret, code, self.now().unix_timestamp(), None) else {
            return Err(AccountRefusal::WrongCode.into());
        };
        let txn = self.write().await?;
        exec(
            &txn,
            "UPDATE users SET totp_secret = ?, totp_last_step = ? WHERE id = ?",
            vec![totp::base32_encode(secret).into(), step.into(), user_id.into()],
        )
        .await?;
        refresh_flag(&txn, user_id).await?;
        audit::commit(
            txn,
            actor,
            Action::Update,
            "user",
            Some(user_id),
            "authenticator app added",
        )
        .await?;
        self.session_cache.clear();
        Ok(())
    }

    /// Checks a code from the account's authenticator app, and uses its step up: the same
    /// code, or an older one, is refused from then on.
    pub async fn check_totp(&self, user_id: i64, code: &str) -> Result<bool> {
        let txn = self.write().await?;
        let row = one_of::<TotpRow>(
            &txn,
            "SELECT totp_secret, totp_last_step FROM users WHERE id = ?",
            [user_id.into()],
        )
        .await?;
        let Some((Some(secret), last)) = row.map(|r| (r.totp_secret, r.totp_last_step)) else {
            return Ok(false);
        };
        let Some(secret) = totp::base32_decode(&secret) else {
            return Ok(false);
        };
        let Some(step) = totp::verify(&secret, code, self.now().unix_timestamp(), last) else {
            return Ok(false);
        };
        exec(
            &txn,
            "UPDATE users SET totp_last_step = ? WHERE id = ?",
            vec![step.into(), user_id.into()],
        )
        .await?;
        txn.commit().await?;
        Ok(true)
    }

    /// Removes the authenticator app.
    pub async fn remove_totp(&self, actor: &Actor, user_id: i64) -> Result<()> {
        self.remove_factors(actor, user_id, &[FORGET_APP], "authenticator app removed")
            .await
    }

    /// Runs statements that remove factors (each taking the user's id), then sets the
    /// account's flag and records `what`, in one transaction.
    async fn remove_factors(&self, actor: &Actor, user_id: i64, statements: &[&str], what: &str) -> Result<()> {
        let txn = self.write().await?;
        for sql in statements {
            exec(&txn, sql, vec![user_id.into()]).await?;
        }
        refresh_flag(&txn, user_id).await?;
        audit::commit(txn, actor, Action::Update, "user", Some(user_id), what).await?;
        self.session_cache.clear();
        Ok(())
    }

    /// Replaces the account's recovery codes with ten new ones and returns them: they are
    /// shown once, and only their hashes are kept.
    pub async fn new_recovery_codes(&self, actor: &Actor, user_id: i64) -> Result<Vec<String>> {
        let codes = recovery::generate();
        let t = self.now();
        let txn = self.write().await?;
        exec(
            &txn,
            "DELETE FROM recovery_codes WHERE user_id = ?",
            vec![user_id.into()],
        )
        .await?;
        for code in &codes {
            exec(
                &txn,
                "INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)",
                vec![user_id.into(), recovery::hash(code).into(), t.into()],
            )
            .await?;
        }
        audit::commit(txn, actor, Action::Update, "user", Some(user_id), "new recovery codes").await?;
        Ok(codes)
    }

    /// Uses up one recovery code: true when it was the account's and unused.
    pub async fn use_recovery_code(&self, user_id: i64, code: &str) -> Result<bool> {
        let txn = self.write().await?;
        let found = one_of::<Id>(
            &txn,
            "SELECT id FROM recovery_codes WHERE user_id = ? AND code_hash = ? AND used_at IS NULL",
            [user_id.into(), recovery::hash(code).into()],
        )
        .await?;
        let Some(found) = found else { return Ok(false) };
        exec(
            &txn,
            "UPDATE recovery_codes SET used_at = ? WHERE id = ?",
            vec![self.now().into(), found.id.into()],
        )
        .await?;
        txn.commit().await?;
        Ok(true)
    }

    /// Keeps a passkey that has passed registration's checks.
    pub async fn add_passkey(
        &self,
        actor: &Actor,
        user_id: i64,
        name: &str,
        credential_id: &str,
        public_key: &str,
        sign_count: u32,
    ) -> Result<i64> {
        let t = self.now();
        let txn = self.write().await?;
        let taken = one_of::<Count>(
            &txn,
            "SELECT COUNT(*) AS n FROM passkeys WHERE credential_id = ?",
            [credential_id.into()],
        )
        .await?
        .map_or(0, |c| c.n);
        if taken > 0 {
            return Err(AccountRefusal::PasskeyTaken.into());
        }
        let id = insert_id(
            &txn,
            "INSERT INTO passkeys (user_id, credential_id, public_key, sign_count, name, created_at) \
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                user_id.into(),
                credential_id.into(),
                public_key.into(),
                i64::from(sign_count).into(),
                name.into(),
                t.into(),
            ],
        )
        .await?;
        refresh_flag(&txn, user_id).await?;
        let what = format!("passkey \"{name}\"");
        audit::commit(txn, actor, Action::Create, "passkey", Some(id), what).await?;
        self.session_cache.clear();
        Ok(id)
    }

    /// The passkeys of an account, as stored, for the browser's list of allowed credentials.
    pub async fn stored_passkeys(&self, user_id: i64) -> Result<Vec<StoredPasskey>> {
        all_of::<StoredPasskey>(
            self.conn(),
            "SELECT id, user_id, credential_id, public_key, sign_count FROM passkeys WHERE user_id = ? ORDER BY id",
            [user_id.into()],
        )
        .await
    }

    /// Records a passkey's use and its new sign count.
    pub async fn passkey_used(&self, id: i64, sign_count: u32) -> Result<()> {
        exec(
            self.conn(),
            "UPDATE passkeys SET sign_count = ?, last_used_at = ? WHERE id = ?",
            vec![i64::from(sign_count).into(), self.now().into(), id.into()],
        )
        .await?;
        Ok(())
    }

    /// Removes every second factor of an account (app, passkeys, recovery codes): for an
    /// operator helping someone who has lost them all. The next login asks for none, and an
    /// admin or manager must enrol again before any office page.
    pub async fn reset_second_factors(&self, actor: &Actor, user_id: i64) -> Result<()> {
        self.remove_factors(
            actor,
            user_id,
            &[
                FORGET_APP,
                "DELETE FROM passkeys WHERE user_id = ?",
                "DELETE FROM recovery_codes WHERE user_id = ?",
            ],
            "second factors reset",
        )
        .await
    }

    /// Removes one of the account's passkeys; someone else's is not found.
    pub async fn remove_passkey(&self, actor: &Actor, user_id: i64, id: i64) -> Result<()> {
        let txn = self.write().await?;
        let gone = exec(
            &txn,
            "DELETE FROM passkeys WHERE id = ? AND user_id = ?",
            vec![id.into(), user_id.into()],
        )
        .await?;
        if gone == 0 {
            return Err(StoreError::NotFound);
        }
        refresh_flag(&txn, user_id).await?;
        audit::commit(txn, actor, Action::Archive, "passkey", Some(id), "passkey removed").await?;
        self.session_cache.clear();
        Ok(())
    }
}
