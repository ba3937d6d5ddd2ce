//! Uploaded files (podcast audio, reports and policies), kept in the database so that app
//! servers stay stateless; the type is taken from the bytes, not from the browser's claim.
use sea_orm::{ActiveModelTrait, EntityTrait, FromQueryResult, QuerySelect, Set};
use sha2::{Digest, Sha256};

use tutti_domain::content::check_upload;
pub use tutti_domain::content::{MAX_AUDIO_BYTES, MAX_DOCUMENT_BYTES, Purpose, clean_name, sniff};

use crate::entities::content_file;
use crate::error::Result;
use crate::{Store, now};

/// A file without its bytes: for feeds and links.
#[derive(Debug, Clone, FromQueryResult, PartialEq, Eq)]
pub struct FileInfo {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

#[tutti_boxed::boxed]
impl Store {
    /// Checks and stores an uploaded file, answering its id. The size and type are checked
    /// here so that no caller can skip them.
    pub async fn store_content_file(&self, purpose: Purpose, name: &str, bytes: &[u8]) -> Result<i64> {
        let content_type = check_upload(purpose, bytes)?;
        let digest = Sha256::digest(bytes);
        let sha256: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        let txn = self.write().await?;
        let m = content_file::ActiveModel {
            name: Set(clean_name(name)),
            content_type: Set(content_type.to_owned()),
            size: Set(bytes.len() as i64),
            sha256: Set(sha256),
            data: Set(bytes.to_vec()),
            created_at: Set(now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(m.id)
    }

    /// A file's description, without its bytes.
    pub async fn content_file_info(&self, id: i64) -> Result<Option<FileInfo>> {
        use content_file::Column as C;
        Ok(content_file::Entity::find_by_id(id)
            .select_only()
            .columns([C::Id, C::Name, C::ContentType, C::Size, C::Sha256])
            .into_model::<FileInfo>()
            .one(self.conn())
            .await?)
    }

    /// A file with its bytes.
    pub async fn content_file(&self, id: i64) -> Result<Option<content_file::Model>> {
        Ok(content_file::Entity::find_by_id(id).one(self.conn()).await?)
    }
}
