//! Who may reach each audience's routes. Every router is wrapped in an `Audience` with its
//! `Access`; the app is assembled only from audiences, so a route cannot exist unguarded.
use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tutti_store::accounts::Role;

use crate::error::AppError;
use crate::session::Visitor;
use crate::state::AppState;

/// What a visitor needs to reach a route.
#[derive(Debug, Clone, Copy)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Anyone signed in.
    SignedIn,
    /// Signed in with one of these roles.
    Roles(&'static [Role]),
}

/// A router together with the access it requires.
pub struct Audience(Router<AppState>);

impl Audience {
    pub fn new(access: Access, router: Router<AppState>) -> Self {
        Audience(router.route_layer(axum::middleware::from_fn_with_state(access, guard)))
    }

    pub fn into_router(self) -> Router<AppState> {
        self.0
    }
}

async fn guard(State(access): State<Access>, request: Request, next: Next) -> Response {
    let roles = match access {
        Access::Public => return next.run(request).await,
        Access::SignedIn => None,
        Access::Roles(roles) => Some(roles),
    };
    let user = request.extensions().get::<Visitor>().and_then(|v| v.user().cloned());
    let Some(user) = user else {
        // Anonymous: off to log in, and back here afterwards.
        let target = request.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let next_param: String = form_urlencoded::byte_serialize(target.as_bytes()).collect();
        return Redirect::to(&format!("/login?next={next_param}")).into_response();
    };
    match roles {
        Some(roles) if !roles.contains(&user.role) => {
            let allowed: Vec<&str> = roles.iter().map(|r| r.label()).collect();
            AppError::Forbidden(format!(
                "You are logged in as {} ({}). This page is only for: {}. If you think you should have access, \
                 contact the hub office.",
                user.email,
                user.role.label(),
                allowed.join(", ")
            ))
            .into_response()
        }
        _ => next.run(request).await,
    }
}

/// A `next` address is followed only when it is a path on this site, never another host.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") && !n.contains("://") => {
            n.to_owned()
        }
        _ => "/account".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/admin/users?page=2")), "/admin/users?page=2");
        assert_eq!(safe_next(Some("//evil.example")), "/account");
        assert_eq!(safe_next(Some("https://evil.example")), "/account");
        assert_eq!(safe_next(Some("/\\evil.example")), "/account");
        assert_eq!(safe_next(None), "/account");
    }
}
