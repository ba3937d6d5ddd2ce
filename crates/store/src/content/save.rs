//! Writing content: checks, addresses worked out from the menu tree, redirects kept when an
//! address changes.
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use time::{Date, OffsetDateTime};

use super::{Item, Kind, YEAR_GROUPS, day_theme_label};
use crate::entities::{content_item, content_redirect};
use crate::error::{Result, StoreError};
use crate::{Store, now};

/// Top-level addresses the application itself answers, so no page may take them.
const RESERVED: &[&str] = &[
    "account",
    "admin",
    "api",
    "basket",
    "episodes",
    "faqs",
    "files",
    "forgot-password",
    "healthz",
    "login",
    "logout",
    "news",
    "podcast",
    "reports-and-policies",
    "reset-password",
    "resources",
    "robots.txt",
    "search",
    "signup",
    "sitemap",
    "sitemap.xml",
    "static",
    "vacancies",
    "verify-email",
];

/// What an editor writes; the store works out the address and the dates.
#[derive(Debug, Clone)]
pub struct Draft {
    pub kind: Kind,
    pub parent_id: Option<i64>,
    pub position: i32,
    /// The label in the main menu; only a top-level page can be in it.
    pub menu_title: Option<String>,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub image_url: Option<String>,
    pub image_alt: String,
    pub author: String,
    pub topics: String,
    pub published: bool,
    /// When it went (or goes) public; `None` means now, on first publication.
    pub published_at: Option<OffsetDateTime>,
    pub series: Option<String>,
    pub episode_number: Option<i32>,
    pub day_theme: Option<String>,
    pub video_url: Option<String>,
    pub year_group: Option<String>,
    pub category: Option<String>,
    pub closes_on: Option<Date>,
    pub file_id: Option<i64>,
    pub duration_seconds: Option<i32>,
}

impl Draft {
    pub fn new(kind: Kind, title: &str) -> Draft {
        Draft {
            kind,
            parent_id: None,
            position: 0,
            menu_title: None,
            slug: String::new(),
            title: title.to_owned(),
            summary: String::new(),
            body: String::new(),
            image_url: None,
            image_alt: String::new(),
            author: String::new(),
            topics: String::new(),
            published: true,
            published_at: None,
            series: None,
            episode_number: None,
            day_theme: None,
            video_url: None,
            year_group: None,
            category: None,
            closes_on: None,
            file_id: None,
            duration_seconds: None,
        }
    }

    /// The editable fields of a stored item.
    pub fn from_item(item: &Item) -> Draft {
        Draft {
            kind: Kind::parse(&item.kind).unwrap_or(Kind::Page),
            parent_id: item.parent_id,
            position: item.position,
            menu_title: item.menu_title.clone(),
            slug: item.slug.clone(),
            title: item.title.clone(),
            summary: item.summary.clone(),
            body: item.body.clone(),
            image_url: item.image_url.clone(),
            image_alt: item.image_alt.clone(),
            author: item.author.clone(),
            topics: item.topics.clone(),
            published: item.status == "published",
            published_at: item.published_at,
            series: item.series.clone(),
            episode_number: item.episode_number,
            day_theme: item.day_theme.clone(),
            video_url: item.video_url.clone(),
            year_group: item.year_group.clone(),
            category: item.category.clone(),
            closes_on: item.closes_on,
            file_id: item.file_id,
            duration_seconds: item.duration_seconds,
        }
    }
}

/// A slug from a title: lower case letters, digits and single hyphens.
pub fn slugify(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out.truncate(80);
    out
}

impl Draft {
    /// The menu label as stored: trimmed, and only for a top-level page.
    fn menu_title_to_store(&self) -> Option<String> {
        let label = self.menu_title.as_deref().map(str::trim).filter(|l| !l.is_empty())?;
        (self.kind == Kind::Page && self.parent_id.is_none()).then(|| label.to_owned())
    }
}

/// The longest menu label: the menu must fit a phone's width in a line or two.
pub const MENU_TITLE_MAX: usize = 30;

/// The problems with a draft, each naming its form field, in words an editor understands.
pub fn validate(d: &Draft) -> Vec<(&'static str, String)> {
    let mut errors = Vec::new();
    if let Some(label) = d.menu_title.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        if d.kind == Kind::Page && d.parent_id.is_some() {
            errors.push((
                "menu_title",
                "Only a top-level page can be in the main menu: choose no parent page, or clear the menu label"
                    .to_owned(),
            ));
        }
        if label.chars().count() > MENU_TITLE_MAX {
            errors.push((
                "menu_title",
                format!("Use a menu label of {MENU_TITLE_MAX} characters or fewer"),
            ));
        }
    }
    if d.title.trim().is_empty() {
        errors.push(("title", "Enter a title".to_owned()));
    }
    if d.title.len() > 200 {
        errors.push(("title", "Use a title of 200 characters or fewer".to_owned()));
    }
    let slug = if d.slug.trim().is_empty() {
        slugify(&d.title)
    } else {
        d.slug.trim().to_owned()
    };
    if !slug.is_empty() && (slug != slugify(&slug) || slug.len() > 80) {
        errors.push((
            "slug",
            "Use only lower case letters, numbers and hyphens in the address, such as ‘how-lessons-work’".to_owned(),
        ));
    }
    if d.kind == Kind::Page && d.parent_id.is_none() && RESERVED.contains(&slug.as_str()) {
        errors.push((
            "slug",
            format!("The address /{slug} is used by the site itself: choose another"),
        ));
    }
    if let Some(url) = &d.image_url {
        if !safe_url(url) {
            errors.push((
                "image_url",
                "Enter an image address starting with https:// or /".to_owned(),
            ));
        } else if d.image_alt.trim().is_empty() {
            errors.push((
                "image_alt",
                "Describe the image for people who cannot see it (its alternative text)".to_owned(),
            ));
        }
    }
    match d.kind {
        Kind::Episode => {
            if d.episode_number.is_none_or(|n| n < 1) {
                errors.push(("episode_number", "Enter the episode number, such as 12".to_owned()));
            }
            if d.day_theme.as_deref().and_then(day_theme_label).is_none() {
                errors.push(("day_theme", "Choose the day and theme".to_owned()));
            }
            match &d.video_url {
                Some(u) if u.starts_with("https://") => {}
                _ => errors.push((
                    "video_url",
                    "Enter the video's address, starting with https://".to_owned(),
                )),
            }
        }
        Kind::Resource => {
            if !d
                .year_group
                .as_deref()
                .is_some_and(|y| YEAR_GROUPS.iter().any(|(k, _)| *k == y))
            {
                errors.push(("year_group", "Choose the year group".to_owned()));
            }
        }
        Kind::Vacancy => {
            if d.closes_on.is_none() {
                errors.push(("closes_on", "Enter the closing date, such as 2026-03-31".to_owned()));
            }
        }
        Kind::Faq => {
            if d.category.as_deref().is_none_or(|c| c.trim().is_empty()) {
                errors.push(("category", "Enter the category, such as Lessons or Charges".to_owned()));
            }
        }
        Kind::Podcast | Kind::Document => {
            if d.published && d.file_id.is_none() {
                let what = if d.kind == Kind::Podcast { "audio" } else { "document" };
                errors.push(("file", format!("Upload the {what} file before publishing")));
            }
            if d.kind == Kind::Document && !matches!(d.category.as_deref(), Some("report") | Some("policy")) {
                errors.push(("category", "Choose report or policy".to_owned()));
            }
        }
        Kind::Page | Kind::News => {}
    }
    errors
}

/// Links an editor gives are to this site or over HTTPS, never `javascript:` and friends.
fn safe_url(url: &str) -> bool {
    (url.starts_with('/') && !url.starts_with("//")) || url.starts_with("https://")
}

impl Store {
    /// Creates (`id` is `None`) or updates an item in one transaction. A changed address
    /// leaves a redirect behind, for the page and for every page under it.
    pub async fn save_content(&self, id: Option<i64>, draft: &Draft) -> Result<Item> {
        if let Some((_, message)) = validate(draft).into_iter().next() {
            return Err(StoreError::Refused(message));
        }
        let txn = self.write().await?;
        let item = save_in(&txn, id, draft).await?;
        txn.commit().await?;
        Ok(item)
    }

    /// Deletes an item; a page with pages under it is refused.
    pub async fn delete_content(&self, id: i64) -> Result<()> {
        let txn = self.write().await?;
        let children = content_item::Entity::find()
            .filter(content_item::Column::ParentId.eq(id))
            .count(&txn)
            .await?;
        if children > 0 {
            return Err(StoreError::Refused(
                "This page has pages under it. Move or delete those first.".into(),
            ));
        }
        content_item::Entity::delete_by_id(id).exec(&txn).await?;
        txn.commit().await?;
        Ok(())
    }
}

/// The save itself, inside the caller's transaction (the demo seeder uses it too).
pub(crate) async fn save_in(txn: &DatabaseTransaction, id: Option<i64>, d: &Draft) -> Result<Item> {
    let t = now();
    let slug = if d.slug.trim().is_empty() {
        slugify(&d.title)
    } else {
        d.slug.trim().to_owned()
    };
    let path = match (d.kind, d.parent_id) {
        (Kind::Page, Some(parent)) => {
            let p = content_item::Entity::find_by_id(parent)
                .one(txn)
                .await?
                .filter(|p| p.kind == "page")
                .ok_or_else(|| StoreError::Refused("The parent page no longer exists.".into()))?;
            if Some(p.id) == id {
                return Err(StoreError::Refused("A page cannot sit under itself.".into()));
            }
            format!("{}/{slug}", p.path)
        }
        (Kind::Page, None) => slug.clone(),
        (kind, _) => format!("{}/{slug}", kind.prefix()),
    };
    if let Some(other) = content_item::Entity::find()
        .filter(content_item::Column::Path.eq(path.as_str()))
        .one(txn)
        .await?
        && Some(other.id) != id
    {
        return Err(StoreError::Conflict(format!(
            "“{}” already uses the address /{path}. Choose another address.",
            other.title
        )));
    }
    let existing = match id {
        Some(id) => Some(
            content_item::Entity::find_by_id(id)
                .one(txn)
                .await?
                .ok_or(StoreError::NotFound)?,
        ),
        None => None,
    };
    if let (Some(old), Some(parent)) = (&existing, d.parent_id)
        && d.kind == Kind::Page
    {
        // Moving a page under one of its own descendants would cut it off from the tree.
        let parent_path = path.rsplit_once('/').map(|(p, _)| p).unwrap_or("");
        if parent == old.id || parent_path == old.path || parent_path.starts_with(&format!("{}/", old.path)) {
            return Err(StoreError::Refused(
                "A page cannot sit under itself or its own pages.".into(),
            ));
        }
    }
    let published_at = match (
        d.published,
        d.published_at,
        existing.as_ref().and_then(|e| e.published_at),
    ) {
        (_, Some(at), _) => Some(at),
        (_, None, Some(at)) => Some(at),
        (true, None, None) => Some(t),
        (false, None, None) => None,
    };
    let mut m: content_item::ActiveModel = match &existing {
        Some(e) => e.clone().into(),
        None => content_item::ActiveModel {
            created_at: Set(t),
            views: Set(0),
            ..Default::default()
        },
    };
    m.kind = Set(d.kind.as_str().to_owned());
    m.parent_id = Set(if d.kind == Kind::Page { d.parent_id } else { None });
    m.position = Set(d.position);
    m.menu_title = Set(d.menu_title_to_store());
    m.slug = Set(slug);
    m.path = Set(path.clone());
    m.title = Set(d.title.trim().to_owned());
    m.summary = Set(d.summary.trim().to_owned());
    m.body = Set(d.body.replace("\r\n", "\n"));
    m.image_url = Set(d.image_url.clone().filter(|u| !u.trim().is_empty()));
    m.image_alt = Set(d.image_alt.trim().to_owned());
    m.author = Set(d.author.trim().to_owned());
    m.topics = Set(d.topics.trim().to_owned());
    m.status = Set(if d.published { "published" } else { "draft" }.to_owned());
    m.published_at = Set(published_at);
    m.series = Set(d.series.clone());
    m.episode_number = Set(d.episode_number);
    m.day_theme = Set(d.day_theme.clone());
    m.video_url = Set(d.video_url.clone());
    m.year_group = Set(d.year_group.clone());
    m.category = Set(d.category.clone());
    m.closes_on = Set(d.closes_on);
    m.file_id = Set(d.file_id);
    m.duration_seconds = Set(d.duration_seconds);
    m.updated_at = Set(t);
    let saved = if existing.is_some() {
        m.update(txn).await?
    } else {
        m.insert(txn).await?
    };

    if let Some(old) = existing
        && old.path != path
    {
        moved(txn, &old.path, &path).await?;
        // Pages under a moved page move with it.
        let prefix = format!("{}/", old.path);
        let under = content_item::Entity::find()
            .filter(content_item::Column::Path.starts_with(prefix.as_str()))
            .all(txn)
            .await?;
        for child in under {
            let new_path = format!("{path}/{}", &child.path[prefix.len()..]);
            let old_path = child.path.clone();
            let mut c: content_item::ActiveModel = child.into();
            c.path = Set(new_path.clone());
            c.updated_at = Set(t);
            c.update(txn).await?;
            moved(txn, &old_path, &new_path).await?;
        }
    }
    // A live item at an address replaces any redirect from it.
    content_redirect::Entity::delete_by_id(path).exec(txn).await?;
    Ok(saved)
}

/// Records that `from` now lives at `to`, and points older redirects straight at `to`.
async fn moved(conn: &impl ConnectionTrait, from: &str, to: &str) -> Result<()> {
    content_redirect::Entity::update_many()
        .col_expr(content_redirect::Column::ToPath, to.into())
        .filter(content_redirect::Column::ToPath.eq(from))
        .exec(conn)
        .await?;
    content_redirect::Entity::delete_by_id(from.to_owned())
        .exec(conn)
        .await?;
    content_redirect::ActiveModel {
        from_path: Set(from.to_owned()),
        to_path: Set(to.to_owned()),
        created_at: Set(now()),
    }
    .insert(conn)
    .await?;
    Ok(())
}
