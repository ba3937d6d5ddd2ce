//! Seeds the demo hub's public site, once per database, keyed by its own settings marker so
//! that a database seeded before content existed gets it too.
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};
use time::{Duration, OffsetDateTime};

use super::demo_text::{DOCUMENTS, EPISODES, FAQS, NEWS, PAGES, PODCAST, RESOURCES, VACANCIES};
use super::save::save_in;
use super::{Draft, Kind};
use crate::entities::{content_file, content_item};
use crate::error::Result;
use crate::platform::settings::{self, DEMO_MARKER};
use crate::{Store, now};

/// Set once the demo content is in the database.
pub const DEMO_CONTENT_MARKER: &str = "demo_content";

const AUTHOR: &str = "Hub office";

#[tutti_boxed::boxed]
impl Store {
    /// Adds the demo site to a demo database that lacks it; does nothing otherwise.
    pub async fn seed_demo_content(&self) -> Result<bool> {
        if self.setting(DEMO_MARKER).await?.is_none() || self.setting(DEMO_CONTENT_MARKER).await?.is_some() {
            return Ok(false);
        }
        let txn = self.write().await?;
        let added = seed_in(&txn).await?;
        txn.commit().await?;
        Ok(added)
    }
}

/// Writes the demo site inside the caller's transaction, unless it is there already.
pub(crate) async fn seed_in(txn: &DatabaseTransaction) -> Result<bool> {
    if settings::get(txn, DEMO_CONTENT_MARKER).await?.is_some() {
        return Ok(false);
    }
    let t = now();
    // Pages replace the starter pages at the same addresses, so no address changes.
    for (i, (parent, slug, title, summary, topics, body)) in PAGES.iter().enumerate() {
        let parent_id = if parent.is_empty() {
            None
        } else {
            Some(
                by_path(txn, parent)
                    .await?
                    .map(|p| p.id)
                    .ok_or(crate::StoreError::NotFound)?,
            )
        };
        let path = if parent.is_empty() {
            slug.to_string()
        } else {
            format!("{parent}/{slug}")
        };
        let existing = by_path(txn, &path).await?;
        let mut d = Draft::new(Kind::Page, title);
        d.parent_id = parent_id;
        d.position = i as i32 * 10;
        d.menu_title = existing.as_ref().and_then(|e| e.menu_title.clone());
        d.slug = (*slug).into();
        d.summary = (*summary).into();
        d.body = (*body).into();
        d.topics = (*topics).into();
        d.author = AUTHOR.into();
        d.published_at = Some(t - Duration::days(90));
        save_in(txn, existing.map(|e| e.id), &d).await?;
    }
    for (days, title, summary, topics, body) in NEWS {
        let mut d = Draft::new(Kind::News, title);
        d.summary = (*summary).into();
        d.body = (*body).into();
        d.topics = (*topics).into();
        d.author = "Communications team".into();
        d.published_at = Some(t - Duration::days(*days));
        save_in(txn, None, &d).await?;
    }
    let days = ["monday", "tuesday", "wednesday", "thursday", "friday"];
    for (i, (week, day, title, description)) in EPISODES.iter().enumerate() {
        let number = i as i32 + 1;
        let mut d = Draft::new(Kind::Episode, title);
        d.slug = format!("episode-{number}-{}", super::slugify(title));
        d.series = Some("Music at home".into());
        d.episode_number = Some(number);
        d.day_theme = Some((*day).into());
        d.summary = (*description).into();
        d.body = format!("{description}\n\nThis is week {week} of the series.");
        d.video_url = Some(format!("https://video.tutti-demo.example/music-at-home/{number}"));
        d.author = "Remote learning team".into();
        // Two school weeks, the latest Friday most recent.
        let day_ix = days.iter().position(|x| x == day).unwrap_or(0) as i64;
        let age = (2 - *week as i64) * 7 + (4 - day_ix) + 1;
        d.published_at = Some(t - Duration::days(age));
        let saved = save_in(txn, None, &d).await?;
        // Believable "Most read" figures from the start.
        let mut m: content_item::ActiveModel = saved.into();
        m.views = Set(((number * 37) % 11 * 13 + 5) as i64);
        m.update(txn).await?;
    }
    for (i, (year, title, summary, body)) in RESOURCES.iter().enumerate() {
        let mut d = Draft::new(Kind::Resource, title);
        d.year_group = Some((*year).into());
        d.summary = (*summary).into();
        d.body = (*body).into();
        d.position = i as i32;
        d.author = "Remote learning team".into();
        d.topics = "activities".into();
        d.published_at = Some(t - Duration::days(30));
        save_in(txn, None, &d).await?;
    }
    for (number, title, description, seconds) in PODCAST {
        let file_id = insert_file(
            txn,
            &format!("singing-podcast-{number}.mp3"),
            "audio/mpeg",
            silent_mp3(),
            t,
        )
        .await?;
        let mut d = Draft::new(Kind::Podcast, title);
        d.slug = format!("episode-{number}-{}", super::slugify(title));
        d.episode_number = Some(*number);
        d.series = Some("The singing podcast".into());
        d.summary = (*description).into();
        d.body = (*description).into();
        d.file_id = Some(file_id);
        d.duration_seconds = Some(*seconds);
        d.author = "Singing team".into();
        d.published_at = Some(t - Duration::days(7 * (4 - *number as i64)));
        save_in(txn, None, &d).await?;
    }
    for (title, location, days, body) in VACANCIES {
        let mut d = Draft::new(Kind::Vacancy, title);
        d.summary = format!("Based in {location}.");
        d.category = Some((*location).into());
        d.body = (*body).into();
        d.closes_on = Some(t.date() + Duration::days(*days));
        d.author = AUTHOR.into();
        d.published_at = Some(t - Duration::days(14));
        save_in(txn, None, &d).await?;
    }
    for (i, (category, question, answer)) in FAQS.iter().enumerate() {
        let mut d = Draft::new(Kind::Faq, question);
        d.category = Some((*category).into());
        d.body = (*answer).into();
        d.position = i as i32;
        d.author = AUTHOR.into();
        d.published_at = Some(t - Duration::days(90));
        save_in(txn, None, &d).await?;
    }
    for (category, title, summary) in DOCUMENTS {
        let name = format!("{}.pdf", super::slugify(title));
        let file_id = insert_file(txn, &name, "application/pdf", tiny_pdf(title), t).await?;
        let mut d = Draft::new(Kind::Document, title);
        d.category = Some((*category).into());
        d.summary = (*summary).into();
        d.file_id = Some(file_id);
        d.author = AUTHOR.into();
        d.published_at = Some(t - Duration::days(120));
        save_in(txn, None, &d).await?;
    }
    settings::put(txn, DEMO_CONTENT_MARKER, "1").await?;
    Ok(true)
}

async fn by_path(txn: &DatabaseTransaction, path: &str) -> Result<Option<content_item::Model>> {
    Ok(content_item::Entity::find()
        .filter(content_item::Column::Path.eq(path))
        .one(txn)
        .await?)
}

async fn insert_file(
    txn: &DatabaseTransaction,
    name: &str,
    content_type: &str,
    data: Vec<u8>,
    t: OffsetDateTime,
) -> Result<i64> {
    use sha2::{Digest, Sha256};
    let sha256: String = Sha256::digest(&data).iter().map(|b| format!("{b:02x}")).collect();
    let m = content_file::ActiveModel {
        name: Set(name.to_owned()),
        content_type: Set(content_type.to_owned()),
        size: Set(data.len() as i64),
        sha256: Set(sha256),
        data: Set(data),
        created_at: Set(t),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(m.id)
}

/// About a second of silent MPEG-1 Layer III audio (128 kbit/s, 44.1 kHz): a real, playable
/// file small enough to seed.
fn silent_mp3() -> Vec<u8> {
    let mut out = b"ID3\x04\x00\x00\x00\x00\x00\x00".to_vec();
    for _ in 0..38 {
        out.extend_from_slice(&[0xFF, 0xFB, 0x90, 0x64]);
        out.extend(std::iter::repeat_n(0u8, 413));
    }
    out
}

/// A one-page PDF naming the document: a stand-in for the real report.
fn tiny_pdf(title: &str) -> Vec<u8> {
    let text: String = title
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ' ')
        .collect();
    let stream = format!("BT /F1 18 Tf 72 720 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut pdf = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.push_str(&format!("{} 0 obj\n{body}\nendobj\n", i + 1));
    }
    let xref = pdf.len();
    pdf.push_str(&format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1));
    for o in offsets {
        pdf.push_str(&format!("{o:010} 00000 n \n"));
    }
    pdf.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    pdf.into_bytes()
}
