//! What an editor's draft must be, and what saving, moving, deleting and uploading refuse.
use super::{DAY_THEMES, Draft, Kind, MENU_TITLE_MAX, Purpose, RESERVED, TITLE_MAX, YEAR_GROUPS, safe_url, slugify};

/// One problem with a draft, naming its form field, in words an editor understands.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ContentProblem {
    #[error("Only a top-level page can be in the main menu: choose no parent page, or clear the menu label")]
    MenuOnlyTopLevel,
    #[error("Use a menu label of {MENU_TITLE_MAX} characters or fewer")]
    MenuTitleTooLong,
    #[error("Enter a title")]
    NoTitle,
    #[error("Use a title of {TITLE_MAX} characters or fewer")]
    TitleTooLong,
    #[error("Use only lower case letters, numbers and hyphens in the address, such as ‘how-lessons-work’")]
    SlugForm,
    #[error("The address /{slug} is used by the site itself: choose another")]
    SlugReserved { slug: String },
    #[error("Enter an image address starting with https:// or /")]
    ImageUrl,
    #[error("Describe the image for people who cannot see it (its alternative text)")]
    ImageAlt,
    #[error("Enter the episode number, such as 12")]
    EpisodeNumber,
    #[error("Choose the day and theme")]
    DayTheme,
    #[error("Enter the video's address, starting with https://")]
    VideoUrl,
    #[error("Choose the year group")]
    YearGroup,
    #[error("Enter the closing date, such as 2026-03-31")]
    ClosesOn,
    #[error("Enter the category, such as Lessons or Charges")]
    FaqCategory,
    #[error("Upload the {} file before publishing", match purpose { Purpose::Audio => "audio", Purpose::Document => "document" })]
    NoFile { purpose: Purpose },
    #[error("Choose report or policy")]
    DocumentCategory,
}

impl ContentProblem {
    /// The form field at fault.
    pub fn field(&self) -> &'static str {
        match self {
            ContentProblem::MenuOnlyTopLevel | ContentProblem::MenuTitleTooLong => "menu_title",
            ContentProblem::NoTitle | ContentProblem::TitleTooLong => "title",
            ContentProblem::SlugForm | ContentProblem::SlugReserved { .. } => "slug",
            ContentProblem::ImageUrl => "image_url",
            ContentProblem::ImageAlt => "image_alt",
            ContentProblem::EpisodeNumber => "episode_number",
            ContentProblem::DayTheme => "day_theme",
            ContentProblem::VideoUrl => "video_url",
            ContentProblem::YearGroup => "year_group",
            ContentProblem::ClosesOn => "closes_on",
            ContentProblem::FaqCategory | ContentProblem::DocumentCategory => "category",
            ContentProblem::NoFile { .. } => "file",
        }
    }
}

/// Every problem with a draft, in the order of the form.
pub fn validate(d: &Draft) -> Vec<ContentProblem> {
    let mut errors = Vec::new();
    if let Some(label) = d.menu_title.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        if d.kind == Kind::Page && d.parent_id.is_some() {
            errors.push(ContentProblem::MenuOnlyTopLevel);
        }
        if label.chars().count() > MENU_TITLE_MAX {
            errors.push(ContentProblem::MenuTitleTooLong);
        }
    }
    if d.title.trim().is_empty() {
        errors.push(ContentProblem::NoTitle);
    }
    if d.title.len() > TITLE_MAX {
        errors.push(ContentProblem::TitleTooLong);
    }
    let slug = d.slug();
    if !slug.is_empty() && (slug != slugify(&slug) || slug.len() > 80) {
        errors.push(ContentProblem::SlugForm);
    }
    if d.kind == Kind::Page && d.parent_id.is_none() && RESERVED.contains(&slug.as_str()) {
        errors.push(ContentProblem::SlugReserved { slug });
    }
    if let Some(url) = &d.image_url {
        if !safe_url(url) {
            errors.push(ContentProblem::ImageUrl);
        } else if d.image_alt.trim().is_empty() {
            errors.push(ContentProblem::ImageAlt);
        }
    }
    match d.kind {
        Kind::Episode => {
            if d.episode_number.is_none_or(|n| n < 1) {
                errors.push(ContentProblem::EpisodeNumber);
            }
            if !d
                .day_theme
                .as_deref()
                .is_some_and(|t| DAY_THEMES.iter().any(|(k, _)| *k == t))
            {
                errors.push(ContentProblem::DayTheme);
            }
            if !d.video_url.as_deref().is_some_and(|u| u.starts_with("https://")) {
                errors.push(ContentProblem::VideoUrl);
            }
        }
        Kind::Resource => {
            if !d
                .year_group
                .as_deref()
                .is_some_and(|y| YEAR_GROUPS.iter().any(|(k, _)| *k == y))
            {
                errors.push(ContentProblem::YearGroup);
            }
        }
        Kind::Vacancy => {
            if d.closes_on.is_none() {
                errors.push(ContentProblem::ClosesOn);
            }
        }
        Kind::Faq => {
            if d.category.as_deref().is_none_or(|c| c.trim().is_empty()) {
                errors.push(ContentProblem::FaqCategory);
            }
        }
        Kind::Podcast | Kind::Document => {
            if d.published && d.file_id.is_none() {
                let purpose = if d.kind == Kind::Podcast {
                    Purpose::Audio
                } else {
                    Purpose::Document
                };
                errors.push(ContentProblem::NoFile { purpose });
            }
            if d.kind == Kind::Document && !matches!(d.category.as_deref(), Some("report") | Some("policy")) {
                errors.push(ContentProblem::DocumentCategory);
            }
        }
        Kind::Page | Kind::News => {}
    }
    errors
}

/// Why saving, moving, deleting or uploading content was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ContentRefusal {
    /// The draft fails a check (the first found; the form shows them all).
    #[error(transparent)]
    Invalid(ContentProblem),
    #[error("The parent page no longer exists.")]
    ParentGone,
    #[error("A page cannot sit under itself.")]
    UnderItself,
    #[error("A page cannot sit under itself or its own pages.")]
    UnderOwnPages,
    /// Another item already lives at the address.
    #[error("“{title}” already uses the address /{path}. Choose another address.")]
    AddressTaken { title: String, path: String },
    #[error("This page has pages under it. Move or delete those first.")]
    HasPagesUnder,
    #[error("The file is empty. Choose the file again.")]
    EmptyFile,
    #[error(
        "The file is {:.1} MB; the largest allowed is {:.1} MB.",
        *size as f64 / 1_048_576.0,
        *max as f64 / 1_048_576.0
    )]
    FileTooLarge { size: usize, max: usize },
    #[error("The file must be {}.", purpose.accepts())]
    FileType { purpose: Purpose },
}

impl ContentRefusal {
    /// The form field at fault, if one is.
    pub fn field(&self) -> Option<&'static str> {
        Some(match self {
            ContentRefusal::Invalid(p) => p.field(),
            ContentRefusal::ParentGone | ContentRefusal::UnderItself | ContentRefusal::UnderOwnPages => "parent_id",
            ContentRefusal::AddressTaken { .. } => "slug",
            ContentRefusal::EmptyFile | ContentRefusal::FileTooLarge { .. } | ContentRefusal::FileType { .. } => "file",
            ContentRefusal::HasPagesUnder => return None,
        })
    }

    /// The change clashes with a record already there.
    pub fn is_conflict(&self) -> bool {
        matches!(self, ContentRefusal::AddressTaken { .. })
    }
}

/// Moving the page `id` (at `old_path`) under `parent` (at `parent_path`, the new path less
/// its last segment) must not cut it off from the tree: not under itself, nor under one of
/// its own pages.
pub fn check_move(id: i64, old_path: &str, parent: i64, parent_path: &str) -> Result<(), ContentRefusal> {
    if parent == id || parent_path == old_path || parent_path.starts_with(&format!("{old_path}/")) {
        Err(ContentRefusal::UnderOwnPages)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Draft;

    fn fields(d: &Draft) -> Vec<&'static str> {
        validate(d).iter().map(ContentProblem::field).collect()
    }

    #[test]
    fn a_draft_is_checked_field_by_field() {
        let page = Draft::new(Kind::Page, "How lessons work");
        assert!(validate(&page).is_empty());
        let mut d = Draft::new(Kind::Page, " ");
        d.menu_title = Some("A label far too long for the menu bar".into());
        d.parent_id = Some(1);
        assert_eq!(fields(&d), vec!["menu_title", "menu_title", "title"]);
        let mut d = Draft::new(Kind::Page, "Login");
        assert_eq!(
            validate(&d)[0].to_string(),
            "The address /login is used by the site itself: choose another"
        );
        d.slug = "Bad Slug".into();
        assert_eq!(validate(&d), vec![ContentProblem::SlugForm]);
        let mut d = Draft::new(Kind::News, "x");
        d.image_url = Some("javascript:alert(1)".into());
        assert_eq!(validate(&d), vec![ContentProblem::ImageUrl]);
        d.image_url = Some("/static/a.png".into());
        assert_eq!(validate(&d), vec![ContentProblem::ImageAlt]);
        let d = Draft::new(Kind::Episode, "Episode");
        assert_eq!(fields(&d), vec!["episode_number", "day_theme", "video_url"]);
        let d = Draft::new(Kind::Resource, "R");
        assert_eq!(fields(&d), vec!["year_group"]);
        let d = Draft::new(Kind::Vacancy, "V");
        assert_eq!(fields(&d), vec!["closes_on"]);
        let d = Draft::new(Kind::Faq, "F");
        assert_eq!(
            validate(&d)[0].to_string(),
            "Enter the category, such as Lessons or Charges"
        );
        let d = Draft::new(Kind::Podcast, "P");
        assert_eq!(validate(&d)[0].to_string(), "Upload the audio file before publishing");
        let d = Draft::new(Kind::Document, "D");
        assert_eq!(
            validate(&d).iter().map(ToString::to_string).collect::<Vec<_>>(),
            vec!["Upload the document file before publishing", "Choose report or policy"]
        );
    }

    #[test]
    fn a_page_never_moves_under_itself_or_its_own_pages() {
        assert_eq!(check_move(5, "about", 6, "news-and-events"), Ok(()));
        assert_eq!(check_move(5, "about", 5, "about"), Err(ContentRefusal::UnderOwnPages));
        assert_eq!(
            check_move(5, "about", 7, "about/team"),
            Err(ContentRefusal::UnderOwnPages)
        );
        assert_eq!(check_move(5, "about", 7, "about-us"), Ok(()));
        assert_eq!(
            ContentRefusal::AddressTaken {
                title: "About".into(),
                path: "about".into()
            }
            .to_string(),
            "“About” already uses the address /about. Choose another address."
        );
        assert_eq!(
            ContentRefusal::FileTooLarge {
                size: 70 * 1_048_576,
                max: 60 * 1_048_576
            }
            .to_string(),
            "The file is 70.0 MB; the largest allowed is 60.0 MB."
        );
        assert_eq!(
            ContentRefusal::FileType {
                purpose: Purpose::Document
            }
            .to_string(),
            "The file must be a PDF."
        );
    }
}
