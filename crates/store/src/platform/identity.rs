//! The hub's identity as stored: one document in the hub settings (its name, contacts, local
//! authorities and home page words, checked by `tutti_domain::identity`) and its logo, kept
//! with the content's files so that app servers stay stateless. Every change is audited.
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tutti_domain::identity::{HubIdentity, LogoType, check_logo, validate};

use crate::entities::content_file;
use crate::error::{Result, StoreError};
use crate::platform::audit::{self, Action, Actor};
use crate::platform::settings;
use crate::{Store, now};

/// The hub settings key of the identity document.
const KEY: &str = "hub_identity";

/// The logo as stored: which file, and what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogoRef {
    pub file_id: i64,
    pub content_type: String,
    /// Its digest, which also names the version in its address (so caches never show an old one).
    pub sha256: String,
}

/// The identity and its logo, as the hub has saved them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubRecord {
    #[serde(flatten)]
    pub identity: HubIdentity,
    #[serde(default)]
    pub logo: Option<LogoRef>,
}

/// The stored identity, if the hub has saved one (a fresh hub has not until setup).
pub(crate) async fn read(conn: &impl ConnectionTrait) -> Result<Option<HubRecord>> {
    match settings::get(conn, KEY).await? {
        None => Ok(None),
        Some(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| StoreError::Corrupt(format!("hub_settings.{KEY}: {e}"))),
    }
}

async fn write(conn: &impl ConnectionTrait, record: &HubRecord) -> Result<()> {
    let text = serde_json::to_string(record).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    settings::put(conn, KEY, &text).await
}

/// Checks and saves an identity inside the caller's transaction, keeping the logo: the
/// first problem the domain finds refuses it.
pub(crate) async fn save_in(conn: &impl ConnectionTrait, actor: &Actor, identity: &HubIdentity) -> Result<HubRecord> {
    if let Some(problem) = validate(identity).into_iter().next() {
        return Err(problem.into());
    }
    let before = read(conn).await?;
    let record = HubRecord {
        identity: identity.tidied(),
        logo: before.as_ref().and_then(|b| b.logo.clone()),
    };
    write(conn, &record).await?;
    audit::record(
        conn,
        actor,
        if before.is_some() {
            Action::Update
        } else {
            Action::Create
        },
        "hub_identity",
        None,
        format!("the hub's identity saved as {:?}", record.identity.name),
    )
    .await?;
    Ok(record)
}

#[tutti_boxed::boxed]
impl Store {
    /// The hub's identity as saved, or `None` before anyone has saved one.
    pub async fn hub_identity(&self) -> Result<Option<HubRecord>> {
        read(self.conn()).await
    }

    /// Saves the hub's identity (its logo stays), refusing one the domain finds a problem with.
    pub async fn save_hub_identity(&self, actor: &Actor, identity: &HubIdentity) -> Result<HubRecord> {
        let txn = self.write().await?;
        let record = save_in(&txn, actor, identity).await?;
        txn.commit().await?;
        Ok(record)
    }

    /// Checks and stores a new logo in place of the old one; the identity must be saved first.
    pub async fn set_hub_logo(&self, actor: &Actor, bytes: &[u8]) -> Result<HubRecord> {
        let kind = check_logo(bytes)?;
        let sha256: String = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
        let txn = self.write().await?;
        let mut record = read(&txn).await?.ok_or(StoreError::NotFound)?;
        let file = content_file::ActiveModel {
            name: Set(kind.file_name().to_owned()),
            content_type: Set(kind.content_type().to_owned()),
            size: Set(bytes.len() as i64),
            sha256: Set(sha256.clone()),
            data: Set(bytes.to_vec()),
            created_at: Set(now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        if let Some(old) = record.logo.take() {
            content_file::Entity::delete_by_id(old.file_id).exec(&txn).await?;
        }
        record.logo = Some(LogoRef {
            file_id: file.id,
            content_type: kind.content_type().to_owned(),
            sha256,
        });
        write(&txn, &record).await?;
        let summary = format!(
            "the hub's logo replaced ({}, {} bytes)",
            kind.content_type(),
            bytes.len()
        );
        audit::commit(txn, actor, Action::Update, "hub_identity", None, summary).await?;
        Ok(record)
    }

    /// Takes the logo away; the header shows the hub's name alone.
    pub async fn remove_hub_logo(&self, actor: &Actor) -> Result<HubRecord> {
        let txn = self.write().await?;
        let mut record = read(&txn).await?.ok_or(StoreError::NotFound)?;
        if let Some(old) = record.logo.take() {
            content_file::Entity::delete_by_id(old.file_id).exec(&txn).await?;
            write(&txn, &record).await?;
            let what = "the hub's logo removed";
            audit::record(&txn, actor, Action::Update, "hub_identity", None, what).await?;
        }
        txn.commit().await?;
        Ok(record)
    }

    /// The logo's type and bytes, if the hub has one.
    pub async fn hub_logo(&self) -> Result<Option<(LogoType, String, Vec<u8>)>> {
        let Some(logo) = read(self.conn()).await?.and_then(|r| r.logo) else {
            return Ok(None);
        };
        let Some(file) = content_file::Entity::find_by_id(logo.file_id).one(self.conn()).await? else {
            return Ok(None);
        };
        let kind = LogoType::parse(&file.content_type)
            .ok_or_else(|| StoreError::Corrupt(format!("content_files.content_type {:?}", file.content_type)))?;
        Ok(Some((kind, file.sha256, file.data)))
    }
}
