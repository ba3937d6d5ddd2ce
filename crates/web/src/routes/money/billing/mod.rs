//! Billing on the screens: the office's billing runs (preview, then commit, with progress),
//! charging policies by academic year (form, file export and import), invoices with search;
//! parents' and schools' statements; printable invoices. A parent sees only their own
//! invoices and a school only its own: anyone else's is "not found".
pub(crate) mod invoices;
mod policies;
mod runs;

use invoices::*;
use policies::*;
use runs::*;

use axum::routing::{get, post};
use tutti_store::platform::accounts::Role;

use crate::access::{Access, Audience, Routes};

pub fn office_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Admin, Role::Manager]),
        Routes::new()
            .route("/admin/billing", get(index))
            .route("/admin/billing/preview", post(preview))
            .route("/admin/billing/run", post(start_run))
            .route("/admin/billing/progress/{job}", get(progress))
            .route("/admin/billing/invoices", get(office_invoices))
            .route("/admin/billing/invoices/{id}", get(office_invoice))
            .route("/admin/billing/policies/{year}", get(policy_page).post(save_policy))
            .route("/admin/billing/policies/{year}/import", post(import_policy_file))
            .route("/admin/billing/policies/{year}/export", get(export_policy_file)),
    )
}

pub fn parent_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Parent]),
        Routes::new()
            .route("/parent/invoices", get(parent_invoices))
            .route("/parent/invoices/{id}", get(parent_invoice)),
    )
}

pub fn school_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::School]),
        Routes::new()
            .route("/school/invoices", get(school_invoices))
            .route("/school/invoices/{id}", get(school_invoice)),
    )
}

/// Links the dashboard adds for each role.
pub fn dashboard_links(role: Role) -> Vec<(&'static str, &'static str, &'static str)> {
    match role {
        Role::Parent => vec![(
            "/parent/invoices",
            "Your invoices",
            "Each term's invoice, line by line, with its instalments.",
        )],
        Role::School => vec![(
            "/school/invoices",
            "Your school's invoices",
            "Invoices for school-paid lessons.",
        )],
        Role::Admin | Role::Manager => vec![(
            "/admin/billing",
            "Billing",
            "Charging policies, billing runs and invoices.",
        )],
        _ => Vec::new(),
    }
}
