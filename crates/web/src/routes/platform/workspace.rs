//! The office's home page (`/admin`): the day's counts and the links the office starts from
//! every morning, in the office's own workspace (decision 0074).
use askama::Template;
use axum::response::Response;
use axum::routing::get;
use tutti_store::platform::accounts::Role;
use tutti_store::records::summaries::HubCounts;

use crate::access::{Access, Audience, Routes};
use crate::acting::Acting;
use crate::error::AppResult;
use crate::pages::render_clearing_flash;
use crate::shell::Shell;

/// The office home is for admins and managers; each sees the links their role may follow.
pub fn audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Admin, Role::Manager]),
        Routes::new().route("/admin", get(home)),
    )
}

/// A link on the office home: (address, label, what it is for).
type Start = (&'static str, &'static str, &'static str);

#[derive(Template)]
#[template(path = "office/home.html")]
struct HomePage {
    shell: Shell,
    today: String,
    counts: HubCounts,
    /// Admins may follow the count of accounts to the users' list.
    admin: bool,
    starts: Vec<Start>,
}

async fn home(a: Acting) -> AppResult<Response> {
    let mut starts: Vec<Start> = vec![
        (
            "/admin/dashboard",
            "Dashboard",
            "The year so far: lessons, income and debt, waiting lists, take-up, ensembles and staff checks.",
        ),
        (
            "/admin/pupils",
            "Pupils",
            "Find a pupil, their family, lessons and loans.",
        ),
        ("/admin/schools", "Schools", "Schools, their contacts, hours and terms."),
        (
            "/admin/staff",
            "Staff",
            "Teachers and office staff, their checks and availability.",
        ),
        (
            "/admin/imports",
            "Imports",
            "Bring in schools, pupils, staff or instruments from a file.",
        ),
        ("/admin/audit", "Audit log", "Who did what to which record."),
    ];
    if a.user.role == Role::Admin {
        starts.push(("/admin/content", "Content", "The public site's pages, news and files."));
    }
    let page = HomePage {
        shell: Shell::new(&a.state, &a.visitor, "Office", "/admin"),
        today: crate::format::long_day(a.state.store.today()),
        counts: a.state.store.hub_counts().await?,
        admin: a.user.role == Role::Admin,
        starts,
    };
    render_clearing_flash(&a.state, &a.visitor, &page).await
}
