//! The office's screens: users and roles, and the mail outbox.
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tutti_store::StoreError;
use tutti_store::platform::accounts::Role;

use crate::access::{Access, Audience, Routes};
use crate::acting::Acting;
use crate::error::{AppError, AppResult, message};
use crate::pages::{
    AdminOutboxPage, AdminUserPage, AdminUsersPage, OutboxRow, page_count, render, render_clearing_flash, role_choices,
};
use crate::routes::page_number;
use crate::session::Visitor;
use crate::shell::Shell;
use crate::state::AppState;

const PER_PAGE: u64 = 25;

/// User management is for admins only.
pub fn audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Admin]),
        Routes::new()
            .route("/admin/users", get(users))
            .route("/admin/users/{id}", get(user))
            .route("/admin/users/{id}/role", post(set_role))
            .route("/admin/users/{id}/disabled", post(set_disabled)),
    )
}

/// The outbox is readable by admins and managers.
pub fn outbox_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Admin, Role::Manager]),
        Routes::new().route("/admin/outbox", get(outbox)),
    )
}

#[derive(Deserialize)]
struct UsersQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    role: String,
    page: Option<String>,
}

async fn users(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<UsersQuery>,
) -> AppResult<Response> {
    let page = page_number(query.page.as_deref());
    let role = Role::parse(&query.role);
    let (users, total) = state.store.list_users(&query.q, role, page, PER_PAGE).await?;
    render_clearing_flash(
        &state,
        &visitor,
        &AdminUsersPage {
            shell: Shell::new(&state, &visitor, "Users", "/admin/users"),
            users,
            q: query.q,
            role: role.map(|r| r.as_str().to_owned()).unwrap_or_default(),
            roles: role_choices(),
            page,
            pages: page_count(total, PER_PAGE),
            total,
        },
    )
    .await
}

async fn user_page(state: &AppState, visitor: &Visitor, id: i64, error: Option<String>) -> AppResult<Response> {
    let user = state.store.user_by_id(id).await?.ok_or(AppError::NotFound)?;
    let csrf = visitor.csrf();
    let page = AdminUserPage {
        shell: Shell::new(state, visitor, user.name.clone(), "/admin/users"),
        user,
        csrf,
        roles: role_choices(),
        error,
    };
    if page.error.is_some() {
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }
    render_clearing_flash(state, visitor, &page).await
}

async fn user(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> AppResult<Response> {
    user_page(&state, &visitor, id, None).await
}

#[derive(Deserialize)]
struct RoleForm {
    #[serde(default)]
    role: String,
}

async fn set_role(a: Acting, Path(id): Path<i64>, Form(form): Form<RoleForm>) -> AppResult<Response> {
    let Some(role) = Role::parse(&form.role) else {
        return user_page(
            &a.state,
            &a.visitor,
            id,
            Some("Choose one of the roles in the list.".into()),
        )
        .await;
    };
    match a.state.store.set_role(id, role).await {
        Ok(()) => {
            a.done(
                &format!("Role changed to {}.", role.label()),
                &format!("/admin/users/{id}"),
            )
            .await
        }
        Err(StoreError::Refused(r)) => user_page(&a.state, &a.visitor, id, Some(message(&r))).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct DisabledForm {
    #[serde(default)]
    disabled: String,
}

async fn set_disabled(a: Acting, Path(id): Path<i64>, Form(form): Form<DisabledForm>) -> AppResult<Response> {
    let disabled = form.disabled == "true";
    match a.state.store.set_disabled(id, disabled).await {
        Ok(()) => {
            let msg = if disabled {
                "Account disabled; all its sessions have ended."
            } else {
                "Account enabled."
            };
            a.done(msg, &format!("/admin/users/{id}")).await
        }
        Err(StoreError::Refused(r)) => user_page(&a.state, &a.visitor, id, Some(message(&r))).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct OutboxQuery {
    #[serde(default)]
    to: String,
    page: Option<String>,
}

async fn outbox(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<OutboxQuery>,
) -> AppResult<Response> {
    let page = page_number(query.page.as_deref());
    let (messages, total) = state.store.outbox_page(Some(&query.to), page, PER_PAGE).await?;
    let messages = messages
        .into_iter()
        .map(|m| OutboxRow {
            created_at_text: crate::format::when(m.created_at),
            status: match (&m.sent_at, &m.last_error) {
                (Some(_), _) => "Sent over SMTP.".into(),
                (None, Some(e)) => format!("Not sent yet: {e}"),
                (None, None) => "Kept in the outbox.".into(),
            },
            // A reset or confirmation link is for its recipient alone: whoever reads the
            // outbox must not be able to follow it into someone else's account.
            body: if m.secret {
                format!(
                    "This message holds a private link for {} alone, so its text is not shown here.",
                    m.to_address
                )
            } else {
                m.body
            },
            to_address: m.to_address,
            subject: m.subject,
        })
        .collect();
    render_clearing_flash(
        &state,
        &visitor,
        &AdminOutboxPage {
            shell: Shell::new(&state, &visitor, "Outbox", "/admin/outbox"),
            messages,
            to: query.to,
            smtp: state.config.smtp_url.is_some(),
            page,
            pages: page_count(total, PER_PAGE),
            total,
        },
    )
    .await
}
