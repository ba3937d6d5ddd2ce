//! Uploaded files (podcast audio, reports and policies), kept in the database so that app
//! servers stay stateless; the type is taken from the bytes, not from the browser's claim.
use sea_orm::{ActiveModelTrait, EntityTrait, FromQueryResult, QuerySelect, Set};
use sha2::{Digest, Sha256};

use crate::entities::content_file;
use crate::error::{Result, StoreError};
use crate::{Store, now};

/// The largest audio file accepted: an hour of speech at 128 kbit/s is about 58 MB. The web
/// layer lets the upload route (and only it) take a body this large.
pub const MAX_AUDIO_BYTES: usize = 60 * 1024 * 1024;
/// The largest document accepted: a report full of photographs.
pub const MAX_DOCUMENT_BYTES: usize = 25 * 1024 * 1024;

/// What an uploaded file is for, which decides the types allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Audio,
    Document,
}

/// A file without its bytes: for feeds and links.
#[derive(Debug, Clone, FromQueryResult, PartialEq, Eq)]
pub struct FileInfo {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

/// The type of a file from its first bytes, if it is one we accept for the purpose.
pub fn sniff(purpose: Purpose, bytes: &[u8]) -> Option<&'static str> {
    match purpose {
        Purpose::Audio => {
            if bytes.starts_with(b"ID3") || (bytes.len() > 1 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0) {
                Some("audio/mpeg")
            } else if bytes.len() > 8 && &bytes[4..8] == b"ftyp" {
                Some("audio/mp4")
            } else if bytes.starts_with(b"OggS") {
                Some("audio/ogg")
            } else {
                None
            }
        }
        Purpose::Document => {
            if bytes.starts_with(b"%PDF-") {
                Some("application/pdf")
            } else {
                None
            }
        }
    }
}

/// A file name safe to put in a URL and a Content-Disposition header.
pub fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let cleaned = cleaned.trim_matches(['-', '.']).to_owned();
    if cleaned.is_empty() { "file".to_owned() } else { cleaned }
}

impl Store {
    /// Checks and stores an uploaded file, answering its id. The size and type are checked
    /// here so that no caller can skip them.
    pub async fn store_content_file(&self, purpose: Purpose, name: &str, bytes: &[u8]) -> Result<i64> {
        let (max, what) = match purpose {
            Purpose::Audio => (MAX_AUDIO_BYTES, "an MP3, M4A or Ogg audio file"),
            Purpose::Document => (MAX_DOCUMENT_BYTES, "a PDF"),
        };
        if bytes.is_empty() {
            return Err(StoreError::Refused("The file is empty. Choose the file again.".into()));
        }
        if bytes.len() > max {
            return Err(StoreError::Refused(format!(
                "The file is {:.1} MB; the largest allowed is {:.1} MB.",
                bytes.len() as f64 / 1_048_576.0,
                max as f64 / 1_048_576.0
            )));
        }
        let Some(content_type) = sniff(purpose, bytes) else {
            return Err(StoreError::Refused(format!("The file must be {what}.")));
        };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(sniff(Purpose::Audio, b"ID3\x04rest"), Some("audio/mpeg"));
        assert_eq!(sniff(Purpose::Audio, &[0xFF, 0xFB, 0x90, 0x00]), Some("audio/mpeg"));
        assert_eq!(sniff(Purpose::Audio, b"\0\0\0\x20ftypM4A "), Some("audio/mp4"));
        assert_eq!(sniff(Purpose::Audio, b"%PDF-1.7"), None);
        assert_eq!(sniff(Purpose::Document, b"%PDF-1.7"), Some("application/pdf"));
        assert_eq!(sniff(Purpose::Document, b"<html>"), None);
    }

    #[test]
    fn names_are_cleaned() {
        assert_eq!(clean_name("C:\\music\\Episode 1 (final).mp3"), "Episode-1--final-.mp3");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("..."), "file");
    }
}
