//! Paying for and leaving ensembles on the screens (decision 0085): a family's notice to leave
//! a child's ensemble (`/parent/ensembles/memberships/{application_id}/notice`: what the notice rule makes
//! of notice given today, then confirming it), and the office marking an online ensemble as a
//! Virtual Music Centre strand. Signing up for a strand is the ensemble's own application
//! form (`ensembles`), which puts the term's place in the basket.
use askama::Template;
use axum::extract::{Form, Path};
use axum::response::Response;
use axum::routing::{get, post};
use tutti_store::StoreError;
use tutti_store::platform::accounts::Role;
use tutti_store::records::pupils::PupilScope;
use tutti_store::teaching::ensembles::members::EnsembleApplication;

use crate::access::{Access, Audience, Routes};
use crate::acting::Acting;
use crate::error::{AppResult, message};
use crate::pages::render_clearing_flash;
use crate::routes::records::Values;
use crate::shell::Shell;

/// A parent gives notice for their own child.
pub fn parent_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Parent]),
        Routes::new().route(
            "/parent/ensembles/memberships/{application_id}/notice",
            get(notice_page).post(give_notice),
        ),
    )
}

/// The office marks a strand.
pub fn office_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Admin, Role::Manager]),
        Routes::new().route("/admin/ensembles/{id}/strand", post(set_strand)),
    )
}

#[derive(Template)]
#[template(path = "ensembles/notice.html")]
struct NoticePage {
    shell: Shell,
    csrf: String,
    application: EnsembleApplication,
    last_day: String,
    deadline: String,
    explanation: String,
}

async fn notice_page(a: Acting, Path(application_id): Path<i64>) -> AppResult<Response> {
    let scope = PupilScope::for_user(&a.user);
    let (application, notice) = match a.state.store.ensemble_notice_preview(&scope, application_id).await {
        Ok(found) => found,
        Err(StoreError::Refused(r)) => return a.done(&message(&r), "/parent/ensembles").await,
        Err(e) => return Err(e.into()),
    };
    let page = NoticePage {
        shell: Shell::new(
            &a.state,
            &a.visitor,
            format!("Leave {}", application.ensemble_name),
            "/parent/ensembles",
        ),
        csrf: a.csrf(),
        last_day: crate::format::long_day(notice.last_day),
        deadline: crate::format::long_day(notice.deadline),
        explanation: notice.explanation,
        application,
    };
    render_clearing_flash(&a.state, &a.visitor, &page).await
}

async fn give_notice(a: Acting, Path(application_id): Path<i64>) -> AppResult<Response> {
    let scope = PupilScope::for_user(&a.user);
    let given = a
        .state
        .store
        .give_ensemble_notice(&a.actor(), &scope, application_id)
        .await;
    let words = given.map(|(notice, _)| {
        format!(
            "Notice given. Your child stays a member until {}.",
            crate::format::long_day(notice.last_day)
        )
    });
    a.said(words, "/parent/ensembles").await
}

async fn set_strand(a: Acting, Path(id): Path<i64>, Form(v): Form<Values>) -> AppResult<Response> {
    let strand = v.get("strand").is_some_and(|s| s == "yes");
    let back = format!("/admin/ensembles/{id}");
    let set = a.state.store.set_ensemble_strand(&a.actor(), id, strand).await;
    let words = set.map(|()| {
        if strand {
            "It is a Virtual Music Centre strand: families sign up and pay for the term at once."
        } else {
            "It is no longer a Virtual Music Centre strand: members are invoiced by the term's run."
        }
    });
    a.said(words, &back).await
}
