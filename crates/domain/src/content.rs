//! The public site's content, as rules: what kinds of content there are and where each lives,
//! the year groups and day themes they are sorted by, what an editor writes (a [`Draft`]) and
//! the checks it must pass, the addresses worked out from the menu tree, and the files an item
//! may carry. Storing, listing and redirects are the store's.
use time::{Date, OffsetDateTime};

mod files;
mod refusal;

pub use files::{MAX_AUDIO_BYTES, MAX_DOCUMENT_BYTES, Purpose, check_upload, clean_name, sniff};
pub use refusal::{ContentProblem, ContentRefusal, check_move, validate};

/// What a piece of content is; each kind has its own list page and address prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Page,
    News,
    Episode,
    Resource,
    Podcast,
    Vacancy,
    Faq,
    Document,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Page,
        Kind::News,
        Kind::Episode,
        Kind::Resource,
        Kind::Podcast,
        Kind::Vacancy,
        Kind::Faq,
        Kind::Document,
    ];

    /// The kind as stored (the `content_items.kind` column).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Page => "page",
            Kind::News => "news",
            Kind::Episode => "episode",
            Kind::Resource => "resource",
            Kind::Podcast => "podcast",
            Kind::Vacancy => "vacancy",
            Kind::Faq => "faq",
            Kind::Document => "document",
        }
    }

    /// The kind as stored, exactly: `None` for any other word.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// A plural label for headings and menus.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Page => "Pages",
            Kind::News => "News",
            Kind::Episode => "Video episodes",
            Kind::Resource => "Resources",
            Kind::Podcast => "Podcast episodes",
            Kind::Vacancy => "Vacancies",
            Kind::Faq => "FAQs",
            Kind::Document => "Reports and policies",
        }
    }

    /// The first segment of this kind's addresses; pages sit in the menu tree instead.
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::Page => "",
            Kind::News => "news",
            Kind::Episode => "episodes",
            Kind::Resource => "resources",
            Kind::Podcast => "podcast",
            Kind::Vacancy => "vacancies",
            Kind::Faq => "faqs",
            Kind::Document => "reports-and-policies",
        }
    }
}

/// The year groups resources are sorted into, as (key, label), in school order.
pub const YEAR_GROUPS: &[(&str, &str)] = &[
    ("early-years", "Early Years"),
    ("reception", "Reception"),
    ("year-1", "Year 1"),
    ("year-2", "Year 2"),
    ("year-3", "Year 3"),
    ("year-4", "Year 4"),
    ("year-5", "Year 5"),
    ("year-6", "Year 6"),
    ("fifteen-minutes", "15 minutes of music"),
    ("adult", "Adult learning"),
];

pub fn year_group_label(key: &str) -> Option<&'static str> {
    YEAR_GROUPS.iter().find(|(k, _)| *k == key).map(|(_, l)| *l)
}

/// The days of the weekly video series and their themes (DOMAIN.md).
pub const DAY_THEMES: &[(&str, &str)] = &[
    ("monday", "Monday: movement songs"),
    ("tuesday", "Tuesday: early-years songs"),
    ("wednesday", "Wednesday: ukulele"),
    ("thursday", "Thursday: singalong"),
    ("friday", "Friday: rhythm"),
];

pub fn day_theme_label(key: &str) -> Option<&'static str> {
    DAY_THEMES.iter().find(|(k, _)| *k == key).map(|(_, l)| *l)
}

/// The kinds site search looks through: every kind of public content (video and podcast
/// episodes and documents included; issue 22 found episodes missing).
pub const SEARCHED: [Kind; 8] = Kind::ALL;

/// Top-level addresses the application itself answers, so no page may take them.
pub const RESERVED: &[&str] = &[
    "account",
    "admin",
    "api",
    "basket",
    "episodes",
    "faqs",
    "files",
    "forgot-password",
    "healthz",
    "hub",
    "login",
    "logout",
    "news",
    "podcast",
    "reports-and-policies",
    "reset-password",
    "resources",
    "robots.txt",
    "search",
    "setup",
    "signup",
    "sitemap",
    "sitemap.xml",
    "static",
    "vacancies",
    "verify-email",
];

/// The longest menu label: the menu must fit a phone's width in a line or two.
pub const MENU_TITLE_MAX: usize = 30;

/// The longest title, in bytes.
pub const TITLE_MAX: usize = 200;

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

    /// The editable fields of a stored item (the store says how its rows convert).
    pub fn from_item(item: impl Into<Draft>) -> Draft {
        item.into()
    }

    /// The address's last segment: the one written, else one made from the title.
    pub fn slug(&self) -> String {
        if self.slug.trim().is_empty() {
            slugify(&self.title)
        } else {
            self.slug.trim().to_owned()
        }
    }

    /// The menu label as stored: trimmed, and only for a top-level page.
    pub fn menu_title_to_store(&self) -> Option<String> {
        let label = self.menu_title.as_deref().map(str::trim).filter(|l| !l.is_empty())?;
        (self.kind == Kind::Page && self.parent_id.is_none()).then(|| label.to_owned())
    }

    /// The item's address (without the leading `/`): a page under its parent's path (given
    /// as `parent_path`) or at the top, any other kind under its kind's prefix.
    pub fn path(&self, parent_path: Option<&str>) -> String {
        let slug = self.slug();
        match (self.kind, parent_path) {
            (Kind::Page, Some(parent)) => format!("{parent}/{slug}"),
            (Kind::Page, None) => slug,
            (kind, _) => format!("{}/{slug}", kind.prefix()),
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

/// Links an editor gives are to this site or over HTTPS, never `javascript:` and friends.
pub fn safe_url(url: &str) -> bool {
    (url.starts_with('/') && !url.starts_with("//")) || url.starts_with("https://")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_stored_as_words_and_live_under_their_prefix() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Kind::parse("Page"), None);
        let mut d = Draft::new(Kind::News, "Summer concert: tickets!");
        assert_eq!(d.slug(), "summer-concert-tickets");
        assert_eq!(d.path(None), "news/summer-concert-tickets");
        d.kind = Kind::Page;
        assert_eq!(d.path(None), "summer-concert-tickets");
        assert_eq!(d.path(Some("about/events")), "about/events/summer-concert-tickets");
        d.slug = " concert ".into();
        assert_eq!(d.path(None), "concert");
        d.menu_title = Some(" Concert ".into());
        assert_eq!(d.menu_title_to_store().as_deref(), Some("Concert"));
        d.parent_id = Some(3);
        assert_eq!(d.menu_title_to_store(), None);
        assert_eq!(year_group_label("year-2"), Some("Year 2"));
        assert_eq!(day_theme_label("friday"), Some("Friday: rhythm"));
        assert!(
            safe_url("/files/1") && safe_url("https://x.example") && !safe_url("//evil") && !safe_url("javascript:x")
        );
    }
}
