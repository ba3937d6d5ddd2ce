//! The public site's content: pages in a menu tree, news, video episodes, resources by year
//! group, podcast episodes, vacancies, FAQs and documents, with their files and redirects.
pub mod demo;
mod demo_text;
pub mod files;
mod save;
pub(crate) mod starter;

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

use time::OffsetDateTime;

use crate::entities::{content_item, content_redirect};
use crate::error::Result;
use crate::listing::{COUNT_CAP, Page};
use crate::records::search::text_search;
use crate::{Store, now, search};

pub use crate::entities::content_item::Model as Item;
pub use save::{Draft, slugify, validate};
pub use tutti_domain::content::{DAY_THEMES, Kind, SEARCHED, YEAR_GROUPS, day_theme_label, year_group_label};

/// Content a visitor may see now: published, its publication time reached, and (for a
/// vacancy) not yet closed.
fn visible(at: OffsetDateTime) -> Condition {
    Condition::all()
        .add(content_item::Column::Status.eq("published"))
        .add(content_item::Column::PublishedAt.lte(at))
        .add(
            Condition::any()
                .add(content_item::Column::ClosesOn.is_null())
                .add(content_item::Column::ClosesOn.gte(at.date())),
        )
}

/// The order each kind's list is shown in.
fn ordered(q: sea_orm::Select<content_item::Entity>, kind: Kind) -> sea_orm::Select<content_item::Entity> {
    use content_item::Column as C;
    match kind {
        Kind::Page => q.order_by_asc(C::Position).order_by_asc(C::Title),
        Kind::Resource => q
            .order_by_asc(C::YearGroup)
            .order_by_asc(C::Position)
            .order_by_asc(C::Title),
        Kind::Faq => q
            .order_by_asc(C::Category)
            .order_by_asc(C::Position)
            .order_by_asc(C::Id),
        Kind::Vacancy => q.order_by_asc(C::ClosesOn).order_by_asc(C::Title),
        Kind::Document => q.order_by_asc(C::Category).order_by_desc(C::PublishedAt),
        Kind::News | Kind::Episode | Kind::Podcast => q.order_by_desc(C::PublishedAt).order_by_desc(C::Id),
    }
}

/// One thing the site search found, with the words around the match (`search::MARK_START`
/// and `MARK_END` around each matched word).
#[derive(Debug, Clone)]
pub struct Hit {
    pub found: Match,
    pub snippet: String,
}

/// What the site search finds: a content item, an ensemble or an event (decision 0091).
#[derive(Debug, Clone)]
pub enum Match {
    Item(Box<Item>),
    Ensemble {
        slug: String,
        name: String,
        description: String,
    },
    Event {
        slug: String,
        title: String,
        summary: String,
        first_date: time::Date,
    },
}

impl Hit {
    /// The title a result is shown under.
    pub fn title(&self) -> &str {
        match &self.found {
            Match::Item(i) => &i.title,
            Match::Ensemble { name, .. } => name,
            Match::Event { title, .. } => title,
        }
    }
}

/// An ensemble or event the site search found, read by id.
#[derive(sea_orm::FromQueryResult)]
struct Listed {
    id: i64,
    slug: String,
    title: String,
    summary: String,
    first_date: Option<time::Date>,
}

/// Narrows a public list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub year_group: Option<String>,
    pub category: Option<String>,
    pub limit: Option<u64>,
}

#[tutti_boxed::boxed]
impl Store {
    /// The visible item at an address (without its leading slash).
    pub async fn content_at(&self, path: &str) -> Result<Option<Item>> {
        Ok(content_item::Entity::find()
            .filter(content_item::Column::Path.eq(path))
            .filter(visible(now()))
            .one(self.conn())
            .await?)
    }

    /// Where an old address now points, when its content moved.
    pub async fn content_redirect(&self, path: &str) -> Result<Option<String>> {
        Ok(content_redirect::Entity::find_by_id(path.to_owned())
            .one(self.conn())
            .await?
            .map(|r| r.to_path))
    }

    /// Any item by id, drafts included: for editors.
    pub async fn content_item(&self, id: i64) -> Result<Option<Item>> {
        Ok(content_item::Entity::find_by_id(id).one(self.conn()).await?)
    }

    /// A kind's visible items in its list order.
    pub async fn content_list(&self, kind: Kind, filter: &ListFilter) -> Result<Vec<Item>> {
        let mut q = content_item::Entity::find()
            .filter(content_item::Column::Kind.eq(kind.as_str()))
            .filter(visible(now()));
        if let Some(y) = &filter.year_group {
            q = q.filter(content_item::Column::YearGroup.eq(y.as_str()));
        }
        if let Some(c) = &filter.category {
            q = q.filter(content_item::Column::Category.eq(c.as_str()));
        }
        if let Some(n) = filter.limit {
            q = q.limit(n);
        }
        Ok(ordered(q, kind).all(self.conn()).await?)
    }

    /// A kind's most viewed visible items.
    pub async fn content_most_read(&self, kind: Kind, limit: u64) -> Result<Vec<Item>> {
        Ok(content_item::Entity::find()
            .filter(content_item::Column::Kind.eq(kind.as_str()))
            .filter(visible(now()))
            .filter(content_item::Column::Views.gt(0))
            .order_by_desc(content_item::Column::Views)
            .order_by_desc(content_item::Column::PublishedAt)
            .limit(limit)
            .all(self.conn())
            .await?)
    }

    /// The main menu: visible top-level pages with a menu label, in position order, as
    /// (address, label).
    pub async fn content_menu(&self) -> Result<Vec<(String, String)>> {
        let pages = content_item::Entity::find()
            .filter(content_item::Column::Kind.eq("page"))
            .filter(content_item::Column::ParentId.is_null())
            .filter(content_item::Column::MenuTitle.is_not_null())
            .filter(visible(now()))
            .order_by_asc(content_item::Column::Position)
            .order_by_asc(content_item::Column::Title)
            .all(self.conn())
            .await?;
        Ok(pages
            .into_iter()
            .filter_map(|p| Some((format!("/{}", p.path), p.menu_title?)))
            .collect())
    }

    /// The visible pages under a page, in menu order.
    pub async fn content_children(&self, parent_id: i64) -> Result<Vec<Item>> {
        Ok(content_item::Entity::find()
            .filter(content_item::Column::Kind.eq("page"))
            .filter(content_item::Column::ParentId.eq(parent_id))
            .filter(visible(now()))
            .order_by_asc(content_item::Column::Position)
            .order_by_asc(content_item::Column::Title)
            .all(self.conn())
            .await?)
    }

    /// Every visible item, pages first in menu order: for the sitemaps.
    pub async fn content_all_visible(&self) -> Result<Vec<Item>> {
        Ok(content_item::Entity::find()
            .filter(visible(now()))
            .order_by_asc(content_item::Column::Kind)
            .order_by_asc(content_item::Column::Path)
            .all(self.conn())
            .await?)
    }

    /// Every page, drafts included, for choosing a parent and drawing the admin tree.
    pub async fn content_all_pages(&self) -> Result<Vec<Item>> {
        Ok(content_item::Entity::find()
            .filter(content_item::Column::Kind.eq("page"))
            .order_by_asc(content_item::Column::Path)
            .all(self.conn())
            .await?)
    }

    /// One page of the visible content matching every word of `term` (stemmed: "lessons"
    /// finds "lesson"), best first, each with a snippet of its words around the match
    /// (decision 0078).
    pub async fn content_search(&self, term: &str, page: u64, per_page: u64) -> Result<Page<Hit>> {
        let at = now();
        let kinds = SEARCHED
            .iter()
            .map(|k| format!("'{}'", k.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        // Content visible now, any ensemble not archived, and events not cancelled with a
        // session still to come (the index leaves out archived and cancelled ones).
        let scope = search::Scope {
            sources: &["content", "ensemble", "event"],
            include_archived: false,
            join: "LEFT JOIN content_items c ON e.source = 'content' AND c.id = e.ref_id",
            condition: format!(
                "((c.id IS NOT NULL AND c.kind IN ({kinds}) AND c.status = 'published' AND c.published_at <= ? \
                 AND (c.closes_on IS NULL OR c.closes_on >= ?)) \
                 OR e.source = 'ensemble' \
                 OR (e.source = 'event' AND EXISTS (SELECT 1 FROM event_sessions s \
                     WHERE s.event_id = e.ref_id AND s.date >= ?)))"
            ),
            values: vec![at.into(), at.date().into(), self.today().into()],
        };
        let per_page = per_page.clamp(1, 100);
        let page = page.clamp(1, crate::listing::MAX_PAGE);
        let (found, n) = search::find(
            self.conn(),
            term,
            search::Mode::Words,
            &scope,
            per_page,
            crate::listing::offset(page, per_page),
        )
        .await?;
        let ids =
            |source: &str| -> Vec<i64> { found.iter().filter(|f| f.source == source).map(|f| f.ref_id).collect() };
        let mut items: HashMap<i64, Item> = content_item::Entity::find()
            .filter(content_item::Column::Id.is_in(ids("content")))
            .all(self.conn())
            .await?
            .into_iter()
            .map(|i| (i.id, i))
            .collect();
        let mut ensembles = self
            .listed(
                "SELECT id, slug, name AS title, description AS summary, NULL AS first_date FROM ensembles",
                &ids("ensemble"),
            )
            .await?;
        let mut events = self
            .listed("SELECT id, slug, title, summary, first_date FROM events", &ids("event"))
            .await?;
        let rows = found
            .into_iter()
            .filter_map(|f| {
                let found = match f.source.as_str() {
                    "content" => Match::Item(Box::new(items.remove(&f.ref_id)?)),
                    "ensemble" => {
                        let l = ensembles.remove(&f.ref_id)?;
                        Match::Ensemble {
                            slug: l.slug,
                            name: l.title,
                            description: l.summary,
                        }
                    }
                    _ => {
                        let l = events.remove(&f.ref_id)?;
                        Match::Event {
                            slug: l.slug,
                            title: l.title,
                            summary: l.summary,
                            first_date: l.first_date?,
                        }
                    }
                };
                Some(Hit {
                    found,
                    snippet: f.snippet,
                })
            })
            .collect();
        Ok(Page {
            rows,
            total: Ord::min(n, COUNT_CAP),
            capped: n > COUNT_CAP,
            page,
            per_page,
        })
    }

    /// Ensembles or events by id (`select` names them id, slug, title, summary, first_date).
    async fn listed(&self, select: &str, ids: &[i64]) -> Result<HashMap<i64, Listed>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let marks = vec!["?"; ids.len()].join(", ");
        let rows = <Listed as sea_orm::FromQueryResult>::find_by_statement(crate::query::stmt(
            sea_orm::ConnectionTrait::get_database_backend(self.conn()),
            &format!("{select} WHERE id IN ({marks})"),
            ids.iter().map(|&i| i.into()).collect::<Vec<sea_orm::Value>>(),
        ))
        .all(self.conn())
        .await?;
        Ok(rows.into_iter().map(|l| (l.id, l)).collect())
    }

    /// One page of a kind's items for editors, drafts included, optionally matching words.
    pub async fn content_admin_list(
        &self,
        kind: Kind,
        term: &str,
        page: u64,
        per_page: u64,
    ) -> Result<(Vec<Item>, u64)> {
        let mut q = content_item::Entity::find().filter(content_item::Column::Kind.eq(kind.as_str()));
        if let Some(words) = text_search(&["title", "summary", "path"], term) {
            q = q.filter(words);
        }
        let total = q.clone().count(self.conn()).await?;
        let q = if kind == Kind::Page {
            q.order_by_asc(content_item::Column::Path)
        } else {
            ordered(q, kind)
        };
        let rows = q
            .offset(crate::listing::offset(page, per_page))
            .limit(per_page)
            .all(self.conn())
            .await?;
        Ok((rows, total))
    }

    /// Counts one view of an item. Not in a write transaction of its own making: one
    /// statement is atomic, and a lost count under contention does no harm.
    pub async fn content_count_view(&self, id: i64) -> Result<()> {
        content_item::Entity::update_many()
            .col_expr(
                content_item::Column::Views,
                Expr::col(content_item::Column::Views).add(1),
            )
            .filter(content_item::Column::Id.eq(id))
            .exec(self.conn())
            .await?;
        Ok(())
    }

    /// Whether a file belongs to a visible item: only those are served to visitors.
    pub async fn content_file_is_public(&self, file_id: i64) -> Result<bool> {
        Ok(content_item::Entity::find()
            .filter(content_item::Column::FileId.eq(file_id))
            .filter(visible(now()))
            .count(self.conn())
            .await?
            > 0)
    }
}
