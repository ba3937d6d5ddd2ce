//! Who may reach each audience's routes. Every router is wrapped in an `Audience` with its
//! `Access`; the app is assembled only from audiences, so a route cannot exist unguarded.
//! Audiences are built from `Routes`, which remember their paths, so the same list of
//! audiences gives both the app and its table of routes and rules (`route_table`).
use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::MethodRouter;
use tutti_store::platform::accounts::Role;

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

/// A router that remembers the path of every route it is given, so that an audience can
/// say which paths it guards. Build an audience's routes with this, as with `Router`.
#[must_use]
pub struct Routes {
    router: Router<AppState>,
    paths: Vec<String>,
}

impl Routes {
    pub fn new() -> Self {
        Routes {
            router: Router::new(),
            paths: Vec::new(),
        }
    }

    /// As `Router::route`, and the path is recorded.
    pub fn route(mut self, path: &str, method_router: MethodRouter<AppState>) -> Self {
        self.router = self.router.route(path, method_router);
        self.paths.push(path.to_owned());
        self
    }

    /// As `Router::merge`, with the other's paths recorded too.
    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.paths.extend(other.paths);
        self
    }
}

impl Default for Routes {
    fn default() -> Self {
        Routes::new()
    }
}

/// A router together with the access it requires, and the paths it serves.
pub struct Audience {
    router: Router<AppState>,
    access: Access,
    paths: Vec<String>,
}

impl Audience {
    pub fn new(access: Access, routes: Routes) -> Self {
        Audience {
            router: routes
                .router
                .route_layer(axum::middleware::from_fn_with_state(access, guard)),
            access,
            paths: routes.paths,
        }
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }

    /// Each of this audience's paths with the rule that guards it.
    pub fn entries(&self) -> impl Iterator<Item = RouteEntry> + '_ {
        self.paths.iter().map(|path| RouteEntry {
            path: path.clone(),
            access: AccessRule::from(self.access),
        })
    }
}

/// What a visitor needs to reach a route, as the route table reports it (an `Access` that
/// can be compared and printed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessRule {
    Public,
    SignedIn,
    Roles(Vec<Role>),
}

impl From<Access> for AccessRule {
    fn from(access: Access) -> Self {
        match access {
            Access::Public => AccessRule::Public,
            Access::SignedIn => AccessRule::SignedIn,
            Access::Roles(roles) => AccessRule::Roles(roles.to_vec()),
        }
    }
}

/// One route of the app: its path pattern (as given to the router, e.g.
/// `/admin/pupils/{id}`) and the rule its audience's guard applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteEntry {
    pub path: String,
    pub access: AccessRule,
}

async fn guard(State(access): State<Access>, request: Request, next: Next) -> Response {
    let roles = match access {
        Access::Public => return crate::csrf::verify(request, next).await,
        Access::SignedIn => None,
        Access::Roles(roles) => Some(roles),
    };
    let visitor = request.extensions().get::<Visitor>();
    let user = visitor.and_then(|v| v.user().cloned());
    let target = request.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let next_param: String = form_urlencoded::byte_serialize(target.as_bytes()).collect();
    let Some(user) = user else {
        // Anonymous: off to log in, and back here afterwards.
        return Redirect::to(&format!("/login?next={next_param}")).into_response();
    };
    // A bearer token is not behind the second factor (it was made by someone past it, or by
    // an operator at the command line); a browser's session is.
    let by_token = request.extensions().get::<crate::api_auth::Bearer>().is_some();
    if !by_token && let Some(session) = visitor.and_then(|v| v.session.as_ref()) {
        if session.awaits_second_factor() {
            return Redirect::to(&format!("/login/second-factor?next={next_param}")).into_response();
        }
        if user.must_enrol_second_factor() && !open_before_enrolment(request.uri().path()) {
            return Redirect::to(&format!("/account/security?next={next_param}")).into_response();
        }
    }
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
        // Allowed: now, and only now, may a form's body be read for its CSRF token.
        _ => crate::csrf::verify(request, next).await,
    }
}

/// The pages an admin or manager reaches before enrolling a second factor: their account and
/// the page where they enrol one. Everything else waits for it.
fn open_before_enrolment(path: &str) -> bool {
    path == "/account" || path == "/account/security" || path.starts_with("/account/security/")
}

/// A `next` address is followed only when it is a path on this site, never another host.
/// Only visible ASCII is allowed and no backslash at all: browsers drop tabs and line breaks
/// from an address and read `\` as `/`, so `/\t/evil.example` would become `//evil.example`,
/// another host, and a line break would not fit in a header at all.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
                && !n.contains("://") =>
        {
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
        for hostile in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\nSet-Cookie: x",
            "/ /evil",
            "/a\\b",
            "/\u{7f}",
        ] {
            assert_eq!(safe_next(Some(hostile)), "/account", "{hostile:?}");
        }
        assert_eq!(safe_next(Some("/account?tab=1#top")), "/account?tab=1#top");
    }
}
