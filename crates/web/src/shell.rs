//! The frame every page shares (title, the hub's name and logo, header, menu, footer with the
//! hub's contact details) and the error page, which needs nothing but the frame so it can be
//! shown from anywhere, middleware included.
use std::sync::Arc;

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use tutti_store::platform::accounts::{Role, User};

/// What the frame shows of the hub: the stored identity as the header and footer need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubFrame {
    pub name: String,
    pub short_name: String,
    /// The logo's address (versioned by its digest), if the hub has one.
    pub logo_url: Option<String>,
    pub contact_email: String,
    pub phone: String,
    pub address_lines: Vec<String>,
    pub charity_number: String,
}

impl HubFrame {
    /// A hub known only by its name: before setup, or in a program without a database.
    pub fn named(name: &str) -> HubFrame {
        HubFrame {
            name: name.to_owned(),
            short_name: name.to_owned(),
            logo_url: None,
            contact_email: String::new(),
            phone: String::new(),
            address_lines: Vec::new(),
            charity_number: String::new(),
        }
    }

    /// Whether the footer has any way to reach the hub to show.
    pub fn has_contacts(&self) -> bool {
        !(self.contact_email.is_empty() && self.phone.is_empty() && self.address_lines.is_empty())
    }
}

tokio::task_local! {
    /// The hub as the request that is being answered sees it: set around every request
    /// (`hub::frame`), so that an error page drawn without state, from a middleware or a
    /// refusal, still names the hub whose page it is. Per request, not per process, as one
    /// process may serve several hubs (the tests do).
    static FRAME: Arc<HubFrame>;
}

/// Runs `answer` with `frame` as the hub every page drawn within it names.
pub async fn within_frame<F: Future>(frame: Arc<HubFrame>, answer: F) -> F::Output {
    FRAME.scope(frame, answer).await
}

/// The hub of the request being answered (a hub known by the default name outside one).
fn current_frame() -> Arc<HubFrame> {
    FRAME
        .try_with(Arc::clone)
        .unwrap_or_else(|_| Arc::new(HubFrame::named(tutti_domain::identity::UNNAMED)))
}

/// What the header and footer need.
pub struct Shell {
    pub title: String,
    pub hub: Arc<HubFrame>,
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
    /// Whether the visitor works in the office: an admin or a manager.
    pub fn is_office(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| matches!(u.role, Role::Admin | Role::Manager))
    }

    /// Whether the page is drawn in the office's workspace: office staff at an office address,
    /// or at their own account (where a login lands), so the office never finds itself on the
    /// public site's frame by signing in. Pages only the office sees extend
    /// `office/layout.html`, which always draws it; pages shared with other roles (invoices,
    /// progress, the account) extend `base.html`, which asks this.
    pub fn office_frame(&self) -> bool {
        self.is_office()
            && ["/admin", "/progress", "/account"]
                .iter()
                .any(|p| self.path == *p || self.path.strip_prefix(p).is_some_and(|r| r.starts_with('/')))
    }

    /// The office's navigation as this visitor sees it on this page.
    pub fn office_nav(&self) -> Vec<crate::menu::OfficeGroup> {
        let admin = self.user.as_ref().is_some_and(|u| u.role == Role::Admin);
        crate::menu::office(admin, &self.path)
    }

    /// A shell for pages shown without a visitor: error pages.
    pub fn bare(title: &str) -> Shell {
        Shell {
            title: title.to_owned(),
            hub: current_frame(),
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
