//! The page templates shared by several features, and how a page is rendered for a visitor.
use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use tutti_store::platform::accounts::{Role, User};
use tutti_store::records::summaries::{HubCounts, PupilSummary, SchoolSummary, StaffSummary};

use crate::error::AppResult;
use crate::forms::FormErrors;
use crate::session::Visitor;
use crate::shell::Shell;
use crate::state::AppState;

/// The shell for a visitor: defined here, beside the session it reads, so that the frame
/// itself (shell.rs) needs nothing from sessions and the error page can always render it.
impl Shell {
    pub fn new(state: &AppState, visitor: &Visitor, title: impl Into<String>, path: &str) -> Shell {
        let session = visitor.session.as_ref();
        Shell {
            title: title.into(),
            hub: state.hub.frame(),
            user: visitor.user().cloned(),
            csrf: visitor.csrf(),
            flash: session.and_then(|s| s.flash.clone()),
            path: path.to_owned(),
            menu: state.menu.items(),
            og: None,
        }
    }
}

/// Renders a template as an HTML response.
pub fn render(t: &impl Template) -> AppResult<Response> {
    Ok(Html(t.render()?).into_response())
}

/// Renders a page and clears the flash message it showed.
pub async fn render_clearing_flash(state: &AppState, visitor: &Visitor, t: &impl Template) -> AppResult<Response> {
    if let Some(s) = visitor.session.as_ref().filter(|s| s.flash.is_some()) {
        state.store.set_flash(&s.id_hash, None).await?;
    }
    render(t)
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub shell: Shell,
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub link: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub shell: Shell,
    pub errors: FormErrors,
    pub csrf: String,
    pub email: String,
    pub next: String,
}

#[derive(Template)]
#[template(path = "signup.html")]
pub struct SignupPage {
    pub shell: Shell,
    pub errors: FormErrors,
    pub csrf: String,
    pub full_name: String,
    pub email: String,
}

#[derive(Template)]
#[template(path = "forgot.html")]
pub struct ForgotPage {
    pub shell: Shell,
    pub errors: FormErrors,
    pub csrf: String,
    pub email: String,
}

#[derive(Template)]
#[template(path = "reset.html")]
pub struct ResetPage {
    pub shell: Shell,
    pub errors: FormErrors,
    pub csrf: String,
    pub token: String,
}

#[derive(Template)]
#[template(path = "password.html")]
pub struct PasswordPage {
    pub shell: Shell,
    pub errors: FormErrors,
    pub csrf: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    pub shell: Shell,
    pub user: User,
    pub role_label: &'static str,
    pub csrf: String,
    pub next_steps: Vec<(&'static str, &'static str, &'static str)>,
    pub counts: Option<HubCounts>,
    pub school: Option<SchoolSummary>,
    pub staff: Option<StaffSummary>,
    pub pupils_heading: Option<String>,
    pub pupils: Vec<PupilSummary>,
    pub pupils_total: u64,
    pub pupils_empty: String,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
pub struct AdminUsersPage {
    pub shell: Shell,
    pub users: Vec<User>,
    pub q: String,
    pub role: String,
    pub roles: Vec<(&'static str, &'static str)>,
    pub page: u64,
    pub pages: u64,
    pub total: u64,
}

#[derive(Template)]
#[template(path = "admin_user.html")]
pub struct AdminUserPage {
    pub shell: Shell,
    pub user: User,
    pub csrf: String,
    pub roles: Vec<(&'static str, &'static str)>,
    pub error: Option<String>,
}

/// An outbox message as the outbox page lists it.
pub struct OutboxRow {
    pub to_address: String,
    pub subject: String,
    pub body: String,
    pub created_at_text: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "admin_outbox.html")]
pub struct AdminOutboxPage {
    pub shell: Shell,
    pub messages: Vec<OutboxRow>,
    pub to: String,
    pub smtp: bool,
    pub page: u64,
    pub pages: u64,
    pub total: u64,
}

/// Role choices for selects, as (value, label).
pub fn role_choices() -> Vec<(&'static str, &'static str)> {
    Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect()
}

/// The number of pages for a total (at least one, so "page 1 of 1" reads right).
pub fn page_count(total: u64, per_page: u64) -> u64 {
    total.div_ceil(per_page).max(1)
}
