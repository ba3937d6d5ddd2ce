//! What the content templates show: items turned into display strings, and the page structs.
use askama::Template;
use tutti_store::content::{Item, Kind, day_theme_label, year_group_label};

use super::markdown;
use crate::forms::FormErrors;
use crate::shell::Shell;

/// The address of an item on the public site.
pub fn item_url(item: &Item) -> String {
    match Kind::parse(&item.kind) {
        Some(Kind::Faq) => format!("/faqs#{}", item.slug),
        Some(Kind::Document) => format!("/reports-and-policies#{}", item.slug),
        _ => format!("/{}", item.path),
    }
}

pub use crate::format::{iso, long_date, long_day};

/// An item ready for a template.
pub struct ItemView {
    pub kind: String,
    pub title: String,
    pub url: String,
    pub summary: String,
    pub body_html: String,
    pub image_url: Option<String>,
    pub image_alt: String,
    pub author: String,
    pub published: String,
    pub published_iso: String,
    pub updated: String,
    pub updated_iso: String,
    pub topics: Vec<String>,
    /// Facts shown under the title, as (label, value).
    pub facts: Vec<(String, String)>,
    pub video_url: Option<String>,
}

impl ItemView {
    pub fn new(item: &Item) -> ItemView {
        let kind = Kind::parse(&item.kind).unwrap_or(Kind::Page);
        let mut facts = Vec::new();
        if let (Some(n), Some(series)) = (item.episode_number, &item.series) {
            facts.push(("Series".to_owned(), format!("{series}, episode {n}")));
        }
        if let Some(day) = item.day_theme.as_deref().and_then(day_theme_label) {
            facts.push(("Day".to_owned(), day.to_owned()));
        }
        if let Some(y) = item.year_group.as_deref().and_then(year_group_label) {
            facts.push(("Year group".to_owned(), y.to_owned()));
        }
        if kind == Kind::Vacancy {
            if let Some(place) = &item.category {
                facts.push(("Location".to_owned(), place.clone()));
            }
            if let Some(d) = item.closes_on {
                facts.push(("Closing date".to_owned(), long_day(d)));
            }
        }
        if let Some(s) = item.duration_seconds {
            facts.push(("Length".to_owned(), format!("{} minutes", (s + 30) / 60)));
        }
        let published_at = item.published_at.unwrap_or(item.created_at);
        ItemView {
            kind: item.kind.clone(),
            title: item.title.clone(),
            url: item_url(item),
            summary: item.summary.clone(),
            body_html: markdown::to_html(&item.body),
            image_url: item.image_url.clone(),
            image_alt: item.image_alt.clone(),
            author: item.author.clone(),
            published: long_date(published_at),
            published_iso: iso(published_at),
            updated: long_date(item.updated_at),
            updated_iso: iso(item.updated_at),
            topics: item
                .topics
                .split(',')
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect(),
            facts,
            video_url: item.video_url.clone(),
        }
    }

    /// A one-line description for lists and meta tags.
    pub fn description(&self) -> String {
        if self.summary.is_empty() {
            let text = markdown::to_text(&self.body_html);
            text.chars().take(200).collect()
        } else {
            self.summary.clone()
        }
    }
}

/// A link in a list: (address, text).
pub type Link = (String, String);

/// Links to share a page: email and plain links to social networks, no scripts.
pub fn share_links(url: &str, title: &str) -> Vec<Link> {
    let u: String = form_urlencoded::byte_serialize(url.as_bytes()).collect();
    let t: String = form_urlencoded::byte_serialize(title.as_bytes()).collect();
    let t = t.replace('+', "%20");
    vec![
        (format!("mailto:?subject={t}&body={u}"), "Email".to_owned()),
        (
            format!("https://www.facebook.com/sharer/sharer.php?u={u}"),
            "Facebook".to_owned(),
        ),
        (
            format!("https://x.com/intent/post?url={u}&text={t}"),
            "X (Twitter)".to_owned(),
        ),
        (
            format!("https://www.linkedin.com/sharing/share-offsite/?url={u}"),
            "LinkedIn".to_owned(),
        ),
        (format!("https://wa.me/?text={t}%20{u}"), "WhatsApp".to_owned()),
    ]
}

#[derive(Template)]
#[template(path = "content/page.html")]
pub struct PageView {
    pub shell: Shell,
    pub item: ItemView,
    pub crumbs: Vec<Link>,
    pub section_title: String,
    pub section: Vec<Link>,
    pub share: Vec<Link>,
    /// Extra blocks for some kinds: the video, the audio, the list of episodes.
    pub play: bool,
    pub audio: Option<Link>,
    pub back: Link,
    /// The year's price table (HTML from `crate::prices`), on the page about prices only.
    pub prices: String,
}

/// One entry in a list page.
pub struct ListEntry {
    pub url: String,
    pub title: String,
    pub summary: String,
    pub meta: String,
    pub date_iso: String,
}

pub struct ListGroup {
    pub heading: String,
    pub id: String,
    pub entries: Vec<ListEntry>,
}

#[derive(Template)]
#[template(path = "content/list.html")]
pub struct ListView {
    pub shell: Shell,
    pub heading: String,
    pub lead: String,
    pub groups: Vec<ListGroup>,
    pub aside_heading: String,
    pub aside: Vec<ListEntry>,
    pub feed: Option<Link>,
    /// A filter by year group: (key, label, selected).
    pub filter: Vec<(String, String, bool)>,
    pub filter_action: String,
    pub empty: String,
}

pub struct FaqEntry {
    pub id: String,
    pub question: String,
    pub answer_html: String,
}

#[derive(Template)]
#[template(path = "content/faqs.html")]
pub struct FaqsView {
    pub shell: Shell,
    pub groups: Vec<(String, String, Vec<FaqEntry>)>,
}

pub struct DocEntry {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub href: String,
    pub size: String,
    pub published: String,
}

#[derive(Template)]
#[template(path = "content/documents.html")]
pub struct DocumentsView {
    pub shell: Shell,
    pub groups: Vec<(String, Vec<DocEntry>)>,
}

#[derive(Template)]
#[template(path = "content/search.html")]
pub struct SearchView {
    pub shell: Shell,
    pub q: String,
    pub results: Vec<SearchResult>,
    pub total: u64,
    pub capped: bool,
    pub page: u64,
    pub pages: u64,
}

/// One result of the site search: the item and the words around the match, as safe HTML.
pub struct SearchResult {
    pub entry: ListEntry,
    pub snippet: String,
}

#[derive(Template)]
#[template(path = "content/contact.html")]
pub struct ContactView {
    pub shell: Shell,
    pub item: ItemView,
    pub errors: FormErrors,
    pub csrf: String,
    pub started: String,
    pub name: String,
    pub email: String,
    pub topic: String,
    pub topics: &'static [&'static str],
    pub message: String,
}

/// The sitemap page: each top-level page with every page under it, then the other sections.
#[derive(Template)]
#[template(path = "content/sitemap.html")]
pub struct SitemapView {
    pub shell: Shell,
    pub pages: Vec<(Link, Vec<Link>)>,
    pub sections: Vec<Link>,
}
