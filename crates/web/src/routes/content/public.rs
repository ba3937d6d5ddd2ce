//! Public content handlers: managed pages by address, lists and items of every kind,
//! search, sitemaps and file downloads.
use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use tutti_store::content::{DAY_THEMES, Item, Kind, ListFilter, Match, YEAR_GROUPS, day_theme_label, year_group_label};

use super::views::*;
use super::{Ctx, contact, feeds, is_bot};
use crate::access::Routes;
use crate::error::{AppError, AppResult};
use crate::page_cache::Rendered;
use crate::prices::Prices;
use crate::shell::{OpenGraph, Shell};

pub fn router() -> Routes {
    Routes::new()
        .route("/", get(home))
        .route("/news", get(news))
        .route("/news/feed.atom", get(feeds::atom))
        .route("/news/{slug}", get(item_of::<NEWS>))
        .route("/episodes", get(episodes))
        .route("/episodes/{slug}", get(episode))
        .route("/resources", get(resources))
        .route("/resources/{slug}", get(item_of::<RESOURCE>))
        .route("/podcast", get(podcast))
        .route("/podcast/feed.xml", get(feeds::podcast_rss))
        .route("/podcast/{slug}", get(item_of::<PODCAST>))
        .route("/vacancies", get(vacancies))
        .route("/vacancies/{slug}", get(item_of::<VACANCY>))
        .route("/faqs", get(faqs))
        .route("/prices", get(prices))
        .route("/reports-and-policies", get(documents))
        .route("/files/{id}/{name}", get(file))
        .route("/search", get(search))
        .route("/sitemap", get(sitemap))
        .route("/sitemap.xml", get(feeds::sitemap_xml))
        .route("/robots.txt", get(feeds::robots))
        .route("/contact", get(contact::form).post(contact::send))
        .route("/{*path}", get(page))
}

// Kinds as const generics, so one handler serves the detail page of several kinds.
const NEWS: u8 = 1;
const RESOURCE: u8 = 3;
const PODCAST: u8 = 4;
const VACANCY: u8 = 5;

fn kind_of(k: u8) -> Kind {
    match k {
        NEWS => Kind::News,
        RESOURCE => Kind::Resource,
        PODCAST => Kind::Podcast,
        VACANCY => Kind::Vacancy,
        _ => Kind::Episode,
    }
}

/// The Open Graph description of a page.
fn og(ctx: &Ctx, item: &ItemView, kind: &'static str) -> OpenGraph {
    OpenGraph {
        title: item.title.clone(),
        description: item.description(),
        url: ctx.absolute(&item.url),
        image: item
            .image_url
            .as_ref()
            .map(|i| if i.starts_with('/') { ctx.absolute(i) } else { i.clone() }),
        kind,
    }
}

fn shell(ctx: &Ctx, title: &str, path: &str) -> Shell {
    Shell::new(&ctx.state, &ctx.visitor, title, path)
}

fn html(t: &impl Template) -> AppResult<Rendered> {
    Ok(Rendered::html(t.render()?))
}

fn entry(item: &Item, meta: String) -> ListEntry {
    ListEntry {
        url: item_url(item),
        title: item.title.clone(),
        summary: item.summary.clone(),
        meta,
        date_iso: String::new(),
    }
}

fn dated(item: &Item) -> ListEntry {
    let at = item.published_at.unwrap_or(item.created_at);
    ListEntry {
        date_iso: iso(at),
        ..entry(item, long_date(at))
    }
}

/// The menu section a path belongs to, for the main menu's current marker.
fn section_of(path: &str) -> String {
    format!("/{}", path.split('/').next().unwrap_or(""))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomeView {
    shell: Shell,
    heading: String,
    intro: String,
    news: Vec<ListEntry>,
    episodes: Vec<ListEntry>,
}

async fn home(ctx: Ctx) -> AppResult<Response> {
    ctx.serve(|| async {
        let store = &ctx.state.store;
        let limit = |n| ListFilter {
            limit: Some(n),
            ..Default::default()
        };
        let news = store.content_list(Kind::News, &limit(3)).await?;
        let episodes = store.content_list(Kind::Episode, &limit(3)).await?;
        // The hub's own words, or neutral ones naming it until it writes them.
        let identity = store
            .hub_identity()
            .await?
            .map(|r| r.identity)
            .unwrap_or_else(|| tutti_domain::identity::HubIdentity::named(&ctx.state.hub_name()));
        let mut shell = shell(&ctx, "Home", "/");
        shell.og = Some(OpenGraph {
            title: identity.name.clone(),
            description: identity.intro().to_owned(),
            url: ctx.absolute("/"),
            image: None,
            kind: "website",
        });
        html(&HomeView {
            shell,
            heading: identity.heading(),
            intro: identity.intro().to_owned(),
            news: news.iter().map(dated).collect(),
            episodes: episodes.iter().map(dated).collect(),
        })
    })
    .await
}

/// A managed page at any address in the menu tree, or the redirect left when it moved.
async fn page(ctx: Ctx, Path(path): Path<String>) -> AppResult<Response> {
    if let Some(hit) = ctx.cached() {
        return Ok(hit);
    }
    let path = path.trim_matches('/').to_owned();
    let store = &ctx.state.store;
    let item = match store.content_at(&path).await? {
        Some(i) if i.kind == "page" => i,
        _ => return moved_or_missing(&ctx, &path).await,
    };
    ctx.serve(|| async {
        // Breadcrumbs: every ancestor by its address.
        let mut crumbs = vec![("/".to_owned(), "Home".to_owned())];
        let segments: Vec<&str> = path.split('/').collect();
        for depth in 1..segments.len() {
            let prefix = segments[..depth].join("/");
            if let Some(a) = store.content_at(&prefix).await? {
                crumbs.push((format!("/{prefix}"), a.title));
            }
        }
        // Section navigation: this page's own pages, else its siblings.
        let children = store.content_children(item.id).await?;
        let (section_title, section) = if !children.is_empty() {
            ("In this section".to_owned(), children)
        } else if let Some(parent) = item.parent_id {
            ("Also in this section".to_owned(), store.content_children(parent).await?)
        } else {
            (String::new(), Vec::new())
        };
        // The page about prices carries the year's table from the charging policy, so what
        // families read is what they are charged (decision 77).
        let prices = if item.slug == "prices" {
            Prices::current(store).await?.table(2)?
        } else {
            String::new()
        };
        let view = ItemView::new(&item);
        let mut shell = shell(&ctx, &item.title, &section_of(&path));
        shell.og = Some(og(&ctx, &view, "article"));
        let share = share_links(&ctx.absolute(&view.url), &view.title);
        html(&PageView {
            shell,
            crumbs: if segments.len() > 1 { crumbs } else { Vec::new() },
            section_title,
            section: section.iter().map(|c| (item_url(c), c.title.clone())).collect(),
            share,
            play: false,
            audio: None,
            back: (String::new(), String::new()),
            prices,
            item: view,
        })
    })
    .await
}

async fn moved_or_missing(ctx: &Ctx, path: &str) -> AppResult<Response> {
    match ctx.state.store.content_redirect(path).await? {
        Some(to) => Ok(Redirect::permanent(&format!("/{to}")).into_response()),
        None => Err(AppError::NotFound),
    }
}

/// The detail page of a news post, resource, podcast episode or vacancy.
async fn item_of<const K: u8>(ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    detail(ctx, kind_of(K), slug, false).await
}

#[derive(Deserialize)]
struct EpisodeQuery {
    play: Option<String>,
}

async fn episode(ctx: Ctx, Path(slug): Path<String>, Query(q): Query<EpisodeQuery>) -> AppResult<Response> {
    detail(ctx, Kind::Episode, slug, q.play.is_some()).await
}

async fn detail(ctx: Ctx, kind: Kind, slug: String, play: bool) -> AppResult<Response> {
    // Episodes count views, so they look the item up every time; the rest need not.
    if kind != Kind::Episode
        && let Some(hit) = ctx.cached()
    {
        return Ok(hit);
    }
    let path = format!("{}/{slug}", kind.prefix());
    let store = &ctx.state.store;
    let Some(item) = store.content_at(&path).await?.filter(|i| i.kind == kind.as_str()) else {
        return moved_or_missing(&ctx, &path).await;
    };
    if kind == Kind::Episode && !play && !is_bot(&ctx.headers) {
        store.content_count_view(item.id).await?;
    }
    let make = || async {
        let view = ItemView::new(&item);
        let (list_url, list_label) = match kind {
            Kind::News => ("/news", "All news"),
            Kind::Episode => ("/episodes", "All episodes"),
            Kind::Resource => ("/resources", "All resources"),
            Kind::Podcast => ("/podcast", "All podcast episodes"),
            _ => ("/vacancies", "All vacancies"),
        };
        let audio = match item.file_id {
            Some(id) if kind == Kind::Podcast => store
                .content_file_info(id)
                .await?
                .map(|f| (format!("/files/{}/{}", f.id, f.name), human_size(f.size))),
            _ => None,
        };
        // Episodes list their neighbours in the series; others their siblings of the kind.
        let others = store
            .content_list(
                kind,
                &ListFilter {
                    year_group: item.year_group.clone(),
                    limit: Some(6),
                    ..Default::default()
                },
            )
            .await?;
        let mut shell = shell(&ctx, &item.title, list_url);
        shell.og = Some(og(&ctx, &view, "article"));
        let share = share_links(&ctx.absolute(&view.url), &view.title);
        html(&PageView {
            shell,
            crumbs: vec![
                ("/".to_owned(), "Home".to_owned()),
                (list_url.to_owned(), kind.label().to_owned()),
            ],
            section_title: match kind {
                Kind::Resource => "More for this year group".to_owned(),
                _ => format!("Latest {}", kind.label().to_lowercase()),
            },
            section: others.iter().map(|o| (item_url(o), o.title.clone())).collect(),
            share,
            play,
            audio,
            back: (list_url.to_owned(), list_label.to_owned()),
            prices: String::new(),
            item: view,
        })
    };
    if kind == Kind::Episode {
        ctx.serve_counted(make).await
    } else {
        ctx.serve(make).await
    }
}

pub(crate) fn human_size(bytes: i64) -> String {
    if bytes >= 1_048_576 {
        format!("{:.1} MB", bytes as f64 / 1_048_576.0)
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

fn list_view(ctx: &Ctx, heading: &str, path: &str, lead: &str) -> ListView {
    ListView {
        shell: shell(ctx, heading, path),
        heading: heading.to_owned(),
        lead: lead.to_owned(),
        groups: Vec::new(),
        aside_heading: String::new(),
        aside: Vec::new(),
        feed: None,
        filter: Vec::new(),
        filter_action: path.to_owned(),
        empty: "Nothing is published here yet.".to_owned(),
    }
}

fn one_group(entries: Vec<ListEntry>) -> Vec<ListGroup> {
    if entries.is_empty() {
        return Vec::new();
    }
    vec![ListGroup {
        heading: String::new(),
        id: String::new(),
        entries,
    }]
}

async fn news(ctx: Ctx) -> AppResult<Response> {
    ctx.serve(|| async {
        let items = ctx.state.store.content_list(Kind::News, &ListFilter::default()).await?;
        let mut v = list_view(&ctx, "News", "/news", "What is happening at the hub.");
        v.groups = one_group(items.iter().map(dated).collect());
        v.feed = Some((
            "/news/feed.atom".into(),
            "Follow our news with a feed reader (Atom)".into(),
        ));
        html(&v)
    })
    .await
}

async fn episodes(ctx: Ctx) -> AppResult<Response> {
    ctx.serve(|| async {
        let store = &ctx.state.store;
        let items = store.content_list(Kind::Episode, &ListFilter::default()).await?;
        let most = store.content_most_read(Kind::Episode, 5).await?;
        let mut v = list_view(
            &ctx,
            "Video episodes",
            "/episodes",
            "A new episode every school day: movement songs on Monday, early-years songs on Tuesday, ukulele on Wednesday, a singalong on Thursday and rhythm on Friday.",
        );
        let entries: Vec<ListEntry> = items
            .iter()
            .map(|i| {
                let day = i.day_theme.as_deref().and_then(day_theme_label).unwrap_or("");
                let mut e = dated(i);
                e.meta = format!("Episode {}. {day}. {}", i.episode_number.unwrap_or(0), e.meta);
                e
            })
            .collect();
        v.groups = if entries.is_empty() {
            Vec::new()
        } else {
            vec![ListGroup {
                heading: "Latest".into(),
                id: "latest".into(),
                entries,
            }]
        };
        v.aside_heading = "Most watched".into();
        v.aside = most.iter().map(|i| entry(i, String::new())).collect();
        let _ = DAY_THEMES;
        html(&v)
    })
    .await
}

#[derive(Deserialize)]
struct ResourcesQuery {
    year: Option<String>,
}

async fn resources(ctx: Ctx, Query(q): Query<ResourcesQuery>) -> AppResult<Response> {
    let year = q.year.filter(|y| year_group_label(y).is_some());
    ctx.serve(|| async {
        let items = ctx
            .state
            .store
            .content_list(
                Kind::Resource,
                &ListFilter {
                    year_group: year.clone(),
                    ..Default::default()
                },
            )
            .await?;
        let heading = match year.as_deref().and_then(year_group_label) {
            Some(label) => format!("Resources: {label}"),
            None => "Resources by year group".to_owned(),
        };
        let mut v = list_view(
            &ctx,
            &heading,
            "/resources",
            "Free music activities for home and class. Choose a year group to see its activities.",
        );
        let mut groups: BTreeMap<usize, Vec<ListEntry>> = BTreeMap::new();
        for i in &items {
            let ix = YEAR_GROUPS
                .iter()
                .position(|(k, _)| Some(k) == i.year_group.as_deref().as_ref())
                .unwrap_or(usize::MAX);
            groups.entry(ix).or_default().push(entry(i, String::new()));
        }
        v.groups = groups
            .into_iter()
            .map(|(ix, entries)| {
                let (key, label) = YEAR_GROUPS.get(ix).copied().unwrap_or(("other", "Other"));
                ListGroup {
                    heading: label.to_owned(),
                    id: key.to_owned(),
                    entries,
                }
            })
            .collect();
        v.filter = YEAR_GROUPS
            .iter()
            .map(|(k, l)| (k.to_string(), l.to_string(), year.as_deref() == Some(*k)))
            .collect();
        v.empty = "There are no resources for this year group yet.".into();
        html(&v)
    })
    .await
}

async fn podcast(ctx: Ctx) -> AppResult<Response> {
    ctx.serve(|| async {
        let items = ctx
            .state
            .store
            .content_list(Kind::Podcast, &ListFilter::default())
            .await?;
        let mut v = list_view(
            &ctx,
            "The singing podcast",
            "/podcast",
            "Songs to learn at home and in class, with warm-ups and harmony parts.",
        );
        v.groups = one_group(items.iter().map(dated).collect());
        v.feed = Some((
            "/podcast/feed.xml".into(),
            "Subscribe in a podcast app (RSS feed)".into(),
        ));
        html(&v)
    })
    .await
}

async fn vacancies(ctx: Ctx) -> AppResult<Response> {
    ctx.serve(|| async {
        let items = ctx
            .state
            .store
            .content_list(Kind::Vacancy, &ListFilter::default())
            .await?;
        let mut v = list_view(
            &ctx,
            "Vacancies",
            "/vacancies",
            "Jobs at the hub. Every post working with children needs an enhanced DBS check.",
        );
        v.groups = one_group(
            items
                .iter()
                .map(|i| {
                    let closes = i.closes_on.map(long_day).unwrap_or_default();
                    entry(i, format!("Closing date: {closes}"))
                })
                .collect(),
        );
        v.empty = "There are no vacancies at the moment. Please check again soon.".into();
        html(&v)
    })
    .await
}

#[derive(Template)]
#[template(path = "content/prices.html")]
struct PricesView {
    shell: Shell,
    /// The price table (HTML from `crate::prices`).
    table: String,
    /// When invoices come and how they may be paid, when published.
    paying: String,
}

/// The year's prices, from the charging policy: every hub has this page, whatever its content.
async fn prices(ctx: Ctx) -> AppResult<Response> {
    ctx.serve(|| async {
        let prices = Prices::current(&ctx.state.store).await?;
        html(&PricesView {
            shell: shell(&ctx, "Prices", "/prices"),
            table: prices.table(2)?,
            paying: prices
                .policy
                .as_ref()
                .map(|p| p.price_list().paying)
                .unwrap_or_default(),
        })
    })
    .await
}

async fn faqs(ctx: Ctx) -> AppResult<Response> {
    ctx.serve(|| async {
        let items = ctx.state.store.content_list(Kind::Faq, &ListFilter::default()).await?;
        let mut groups: Vec<(String, String, Vec<FaqEntry>)> = Vec::new();
        for i in &items {
            let category = i.category.clone().unwrap_or_else(|| "General".into());
            if groups.last().is_none_or(|g| g.1 != category) {
                groups.push((
                    format!("category-{}", tutti_store::content::slugify(&category)),
                    category,
                    Vec::new(),
                ));
            }
            groups.last_mut().expect("pushed").2.push(FaqEntry {
                id: i.slug.clone(),
                question: i.title.clone(),
                answer_html: super::markdown::to_html(&i.body),
            });
        }
        html(&FaqsView {
            shell: shell(&ctx, "Frequently asked questions", "/service"),
            groups,
        })
    })
    .await
}

async fn documents(ctx: Ctx) -> AppResult<Response> {
    ctx.serve(|| async {
        let store = &ctx.state.store;
        let items = store.content_list(Kind::Document, &ListFilter::default()).await?;
        let mut groups: Vec<(String, Vec<DocEntry>)> = Vec::new();
        for i in &items {
            let heading = match i.category.as_deref() {
                Some("policy") => "Policies",
                _ => "Reports",
            };
            let Some(file) = (match i.file_id {
                Some(id) => store.content_file_info(id).await?,
                None => None,
            }) else {
                continue;
            };
            if groups.last().is_none_or(|g| g.0 != heading) {
                groups.push((heading.to_owned(), Vec::new()));
            }
            groups.last_mut().expect("pushed").1.push(DocEntry {
                id: i.slug.clone(),
                title: i.title.clone(),
                summary: i.summary.clone(),
                href: format!("/files/{}/{}", file.id, file.name),
                size: human_size(file.size),
                published: long_date(i.published_at.unwrap_or(i.created_at)),
            });
        }
        html(&DocumentsView {
            shell: shell(&ctx, "Reports and policies", "/service"),
            groups,
        })
    })
    .await
}

/// A published item's file. Files of drafts stay private.
async fn file(ctx: Ctx, Path((id, name)): Path<(i64, String)>) -> AppResult<Response> {
    let store = &ctx.state.store;
    if !store.content_file_is_public(id).await? {
        return Err(AppError::NotFound);
    }
    let f = store.content_file(id).await?.ok_or(AppError::NotFound)?;
    if f.name != name {
        return Ok(Redirect::permanent(&format!("/files/{}/{}", f.id, f.name)).into_response());
    }
    let tag = format!("\"{}\"", f.sha256);
    let cache = HeaderValue::from_static("public, max-age=86400");
    if ctx
        .headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag))
    {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, tag)],
            [(header::CACHE_CONTROL, cache)],
        )
            .into_response());
    }
    let disposition = format!("inline; filename=\"{}\"", f.name);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_str(&f.content_type).map_err(|_| AppError::NotFound)?,
            ),
            (
                header::ETAG,
                HeaderValue::from_str(&tag).map_err(|_| AppError::NotFound)?,
            ),
            (header::CACHE_CONTROL, cache),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).map_err(|_| AppError::NotFound)?,
            ),
        ],
        f.data,
    )
        .into_response())
}

/// A search result's link, title, summary and what it is.
fn search_entry(found: &Match) -> ListEntry {
    match found {
        Match::Item(i) => {
            let kind = Kind::parse(&i.kind).map(|k| k.label()).unwrap_or("");
            let label = match kind {
                "Pages" => "Page",
                "FAQs" => "Question and answer",
                "Vacancies" => "Vacancy",
                "Resources" => "Resource",
                "Video episodes" => "Video episode",
                "Podcast episodes" => "Podcast episode",
                "Reports and policies" => "Report or policy",
                other => other,
            };
            entry(i, label.to_owned())
        }
        Match::Ensemble {
            slug,
            name,
            description,
        } => ListEntry {
            url: format!("/ensembles/{slug}"),
            title: name.clone(),
            summary: description.clone(),
            meta: "Ensemble".into(),
            date_iso: String::new(),
        },
        Match::Event {
            slug,
            title,
            summary,
            first_date,
        } => ListEntry {
            url: format!("/events/{slug}"),
            title: title.clone(),
            summary: summary.clone(),
            meta: format!("Event, {}", crate::format::long_day(first_date)),
            date_iso: String::new(),
        },
    }
}

#[derive(Deserialize)]
struct SearchQuery {
    q: Option<String>,
    page: Option<String>,
}

/// Results a page of the site search shows.
const SEARCH_PER_PAGE: u64 = 20;

async fn search(ctx: Ctx, Query(q): Query<SearchQuery>) -> AppResult<Response> {
    let query = q.q.unwrap_or_default().trim().chars().take(100).collect::<String>();
    // A page that is not a number is the first page, not an error: it comes from a link.
    let page = q.page.and_then(|p| p.trim().parse::<u64>().ok()).unwrap_or(1).max(1);
    let found = ctx.state.store.content_search(&query, page, SEARCH_PER_PAGE).await?;
    let results = found
        .rows
        .iter()
        .map(|hit| SearchResult {
            entry: search_entry(&hit.found),
            snippet: crate::format::marked(&super::markdown::to_text(&hit.snippet)),
        })
        .collect();
    let title = if query.is_empty() {
        "Search".to_owned()
    } else {
        format!("Search: {query}")
    };
    let pages = found.total.div_ceil(SEARCH_PER_PAGE).max(1);
    let view = SearchView {
        shell: shell(&ctx, &title, "/search"),
        q: query,
        results,
        total: found.total,
        capped: found.capped,
        page: found.page,
        pages,
    };
    // Results are not kept in memory (every query differs) but still answer conditionally.
    Ok(Rendered::html(view.render()?).respond(&ctx.headers, ctx.visitor.session.is_none()))
}

async fn sitemap(ctx: Ctx) -> AppResult<Response> {
    ctx.serve(|| async {
        let items = ctx.state.store.content_all_visible().await?;
        let mut pages: Vec<(Link, Vec<Link>)> = Vec::new();
        for p in items.iter().filter(|i| i.kind == "page") {
            let link = (format!("/{}", p.path), p.title.clone());
            match p.path.split_once('/') {
                None => pages.push((link, Vec::new())),
                Some((top, _)) => match pages.iter_mut().find(|(l, _)| l.0 == format!("/{top}")) {
                    Some(parent) => parent.1.push(link),
                    None => pages.push((link, Vec::new())),
                },
            }
        }
        let menu = ctx.state.menu.items();
        let top_order: Vec<&str> = menu.iter().map(|(p, _)| p.as_str()).collect();
        pages.sort_by_key(|(l, _)| top_order.iter().position(|p| *p == l.0).unwrap_or(usize::MAX));
        let sections = [
            ("/", "Home"),
            ("/news", "News"),
            ("/episodes", "Video episodes"),
            ("/resources", "Resources by year group"),
            ("/podcast", "The singing podcast"),
            ("/vacancies", "Vacancies"),
            ("/faqs", "Frequently asked questions"),
            ("/reports-and-policies", "Reports and policies"),
            ("/search", "Search"),
            ("/signup", "Sign up"),
            ("/login", "Log in"),
            ("/basket", "Basket"),
        ]
        .iter()
        .map(|(u, t)| (u.to_string(), t.to_string()))
        .collect();
        html(&SitemapView {
            shell: shell(&ctx, "Sitemap", "/sitemap"),
            pages,
            sections,
        })
    })
    .await
}
