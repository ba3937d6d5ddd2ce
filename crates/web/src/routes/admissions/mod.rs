//! Admissions on the screens: a parent applies, answers offers and gives notice from their
//! account; a school applies for its own pupils; the office edits the tuition offer, keeps the
//! waiting lists in their fair order and offers places.
mod applying;
mod office;
mod parent;
mod school;

use axum::routing::{get, post};
use office::*;
use parent::*;
use school::*;
use tutti_store::platform::accounts::Role;

use crate::access::{Access, Audience, Routes};

pub fn parent_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Parent]),
        Routes::new()
            .route("/parent/applications", get(parent_applications).post(parent_apply))
            .route("/parent/applications/{id}/accept", post(accept_offer))
            .route("/parent/applications/{id}/decline", post(decline_offer))
            .route("/parent/enrolments", get(parent_enrolments))
            .route("/parent/enrolments/{id}/notice", get(notice_page).post(confirm_notice)),
    )
}

pub fn school_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::School]),
        Routes::new().route("/school/applications", get(school_applications).post(school_apply)),
    )
}

pub fn office_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Admin, Role::Manager]),
        Routes::new()
            .route("/admin/tuition-offer", get(offer_page).post(add_to_offer))
            .route("/admin/tuition-offer/{id}/withdraw", post(withdraw_from_offer))
            .route("/admin/waiting-lists", get(waiting_lists))
            .route("/admin/waiting-lists/priority", post(set_priority))
            .route("/admin/applications", post(office_apply))
            .route("/admin/applications/{id}/offer", post(make_offer)),
    )
}

/// Links the dashboard adds for each role.
pub fn dashboard_links(role: Role) -> Vec<(&'static str, &'static str, &'static str)> {
    match role {
        Role::Parent => vec![
            (
                "/parent/applications",
                "Apply for lessons and answer offers",
                "Ask for lessons for your child, see their place on the waiting list, accept or decline an offer.",
            ),
            (
                "/parent/enrolments",
                "Your children's enrolments",
                "What each child learns, and giving notice to stop.",
            ),
        ],
        Role::School => vec![(
            "/school/applications",
            "Apply for school-paid tuition",
            "Lessons your school pays for, for your own pupils.",
        )],
        Role::Admin | Role::Manager => vec![
            (
                "/admin/waiting-lists",
                "Waiting lists and offers",
                "Children waiting for lessons in their fair order; offer places.",
            ),
            (
                "/admin/tuition-offer",
                "The tuition the hub offers",
                "Instruments, lesson types and lengths families can apply for.",
            ),
        ],
        _ => Vec::new(),
    }
}
