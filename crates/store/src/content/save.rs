//! Writing content: the domain's checks, addresses worked out from the menu tree, redirects
//! kept when an address changes.
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use tutti_domain::content::{ContentRefusal, Kind, check_move};
pub use tutti_domain::content::{Draft, slugify, validate};

use super::Item;
use crate::entities::{content_item, content_redirect};
use crate::error::Result;
use crate::query::found;
use crate::{Store, now};

/// The editable fields of a stored item.
impl From<&Item> for Draft {
    fn from(item: &Item) -> Draft {
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

#[tutti_boxed::boxed]
impl Store {
    /// Creates (`id` is `None`) or updates an item in one transaction. A changed address
    /// leaves a redirect behind, for the page and for every page under it.
    pub async fn save_content(&self, id: Option<i64>, draft: &Draft) -> Result<Item> {
        if let Some(problem) = validate(draft).into_iter().next() {
            return Err(ContentRefusal::Invalid(problem).into());
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
            return Err(ContentRefusal::HasPagesUnder.into());
        }
        content_item::Entity::delete_by_id(id).exec(&txn).await?;
        txn.commit().await?;
        Ok(())
    }
}

/// The save itself, inside the caller's transaction (the demo seeder uses it too).
pub(crate) async fn save_in(txn: &DatabaseTransaction, id: Option<i64>, d: &Draft) -> Result<Item> {
    let t = now();
    let slug = d.slug();
    let parent_path = match (d.kind, d.parent_id) {
        (Kind::Page, Some(parent)) => {
            let p = content_item::Entity::find_by_id(parent)
                .one(txn)
                .await?
                .filter(|p| p.kind == Kind::Page.as_str())
                .ok_or(ContentRefusal::ParentGone)?;
            if Some(p.id) == id {
                return Err(ContentRefusal::UnderItself.into());
            }
            Some(p.path)
        }
        _ => None,
    };
    let path = d.path(parent_path.as_deref());
    if let Some(other) = content_item::Entity::find()
        .filter(content_item::Column::Path.eq(path.as_str()))
        .one(txn)
        .await?
        && Some(other.id) != id
    {
        return Err(ContentRefusal::AddressTaken {
            title: other.title,
            path,
        }
        .into());
    }
    let existing = match id {
        Some(id) => Some(found::<content_item::Entity>(txn, id).await?),
        None => None,
    };
    if let (Some(old), Some(parent)) = (&existing, d.parent_id)
        && d.kind == Kind::Page
    {
        // Moving a page under one of its own descendants would cut it off from the tree.
        let parent_path = path.rsplit_once('/').map(|(p, _)| p).unwrap_or("");
        check_move(old.id, &old.path, parent, parent_path)?;
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
