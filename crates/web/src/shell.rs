//! The frame every page shares (title, hub name, header, menu, footer) and the error page,
//! which needs nothing but the frame so it can be shown from anywhere, middleware included.
use std::sync::OnceLock;

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use tutti_store::platform::accounts::User;

/// The hub's name for pages rendered without state (error pages from middleware).
static HUB_NAME: OnceLock<String> = OnceLock::new();

pub fn set_hub_name(name: &str) {
    let _ = HUB_NAME.set(name.to_owned());
}

/// What the header and footer need.
pub struct Shell {
    pub title: String,
    pub hub_name: String,
    pub user: Option<User>,
    pub csrf: String,
    pub flash: Option<String>,
    pub path: String,
    /// The main menu: (address, label).
    pub menu: crate::menu::MenuItems,
    /// How the page looks when shared: Open Graph metadata, for public pages.
    pub og: Option<OpenGraph>,
}

/// Open Graph metadata for a shared link.
pub struct OpenGraph {
    pub title: String,
    pub description: String,
    /// The page's absolute address.
    pub url: String,
    pub image: Option<String>,
    /// "website" or "article".
    pub kind: &'static str,
}

impl Shell {
    /// A shell for pages shown without a visitor: error pages.
    pub fn bare(title: &str) -> Shell {
        Shell {
            title: title.to_owned(),
            hub_name: HUB_NAME.get().cloned().unwrap_or_else(|| "Tutti Music Hub".into()),
            user: None,
            csrf: String::new(),
            flash: None,
            path: String::new(),
            menu: crate::menu::starter(),
            og: None,
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub shell: Shell,
    pub heading: &'a str,
    pub message: &'a str,
}

impl ErrorPage<'_> {
    pub fn response(status: StatusCode, heading: &str, message: &str) -> Response {
        let page = ErrorPage {
            shell: Shell::bare(heading),
            heading,
            message,
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (
                status,
                [(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"))],
                heading.to_owned(),
            )
                .into_response(),
        }
    }
}
