//! The visitor behind a request: their session (if any), who they are, where they came from.
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tutti_store::platform::accounts::User;
use tutti_store::platform::sessions::Session;

use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub const COOKIE: &str = "tutti_session";
/// The cookie carrying a visitor's form token before they have a session: a login or contact
/// form needs a CSRF token, and storing a session row for every passing visitor would let
/// anyone fill the database by asking for the login page.
pub const FORM_COOKIE: &str = "tutti_form";

/// Who is asking. Present in every request's extensions once `load` has run.
#[derive(Clone, Debug)]
pub struct Visitor {
    pub session: Option<Session>,
    /// Whether the request reached us over HTTPS, for the cookie's Secure flag.
    pub https: bool,
    /// The client's address, for throttling and the audit trail.
    pub ip: String,
    /// The form token of a visitor without a session, from their form cookie.
    pub form_token: Option<String>,
}

impl Visitor {
    pub fn user(&self) -> Option<&User> {
        self.session.as_ref().and_then(|s| s.user.as_ref())
    }

    /// The CSRF token a signed-in page's forms carry; empty without a session, which no
    /// form post accepts.
    pub fn csrf(&self) -> String {
        self.session.as_ref().map(|s| s.csrf_token.clone()).unwrap_or_default()
    }

    /// The token this visitor's forms carry: their session's, or without a session their
    /// form cookie's.
    pub fn form_token(&self) -> Option<&str> {
        match &self.session {
            Some(s) => Some(&s.csrf_token),
            None => self.form_token.as_deref(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Visitor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Visitor>()
            .cloned()
            .ok_or_else(|| AppError::Internal("session middleware missing".into()))
    }
}

/// Who did something, for the audit log: the user, from the visitor's address.
pub fn actor(user: &User, visitor: &Visitor) -> tutti_store::platform::audit::Actor {
    tutti_store::platform::audit::Actor::user(user, &visitor.ip)
}

/// The signed-in user; a handler taking this is only reached through an access guard.
pub struct SignedIn(pub User, pub Session);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        SignedIn::of(&Visitor::from_request_parts(parts, state).await?)
    }
}

impl SignedIn {
    /// The visitor's user and session, if they are signed in.
    pub fn of(visitor: &Visitor) -> Result<SignedIn, AppError> {
        match &visitor.session {
            Some(s) => match s.user.clone() {
                Some(u) => Ok(SignedIn(u, s.clone())),
                None => Err(AppError::Forbidden("Log in to see this page.".into())),
            },
            None => Err(AppError::Forbidden("Log in to see this page.".into())),
        }
    }
}

/// Loads the session named by the cookie, if any, and records the visitor.
pub async fn load(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    // Every page draws the menu; this is where a request first has the store to hand.
    state.menu.refresh_if_stale(&state.store).await;
    let token = cookie_value(request.headers(), COOKIE);
    let session = match token {
        Some(t) => match state.store.load_session(&t, state.config.sessions).await {
            Ok(s) => s,
            Err(e) => return AppError::from(e).into_response(),
        },
        None => None,
    };
    let had_cookie = cookie_value(request.headers(), COOKIE).is_some();
    let visitor = Visitor {
        https: is_https(&request, &state),
        ip: client_ip(&request, state.config.trust_proxy),
        form_token: cookie_value(request.headers(), FORM_COOKIE).filter(|t| is_token(t)),
        session,
    };
    let stale = had_cookie && visitor.session.is_none();
    let secure = visitor.https;
    request.extensions_mut().insert(visitor);
    let mut response = next.run(request).await;
    // A cookie naming a session that has ended is cleared, unless the handler set a new one.
    if stale && !response.headers().contains_key(header::SET_COOKIE) {
        response.headers_mut().append(header::SET_COOKIE, clear_cookie(secure));
    }
    response
}

/// The value of one cookie in the request.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// The cookie that carries a session: HttpOnly, SameSite=Lax, Secure over HTTPS, and no
/// Max-Age, so it also ends when the browser closes.
pub fn session_cookie(token: &str, secure: bool) -> HeaderValue {
    let mut c = format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax");
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("a token is plain ASCII")
}

pub fn clear_cookie(secure: bool) -> HeaderValue {
    let mut c = format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("plain ASCII")
}

fn is_https(request: &Request, state: &AppState) -> bool {
    if state.config.trust_proxy
        && let Some(proto) = request.headers().get("x-forwarded-proto").and_then(|v| v.to_str().ok())
    {
        return proto.eq_ignore_ascii_case("https");
    }
    state.config.public_url_is_https()
}

/// The client's address. Behind a trusted proxy it is the right-most `X-Forwarded-For`
/// entry: the one our proxy appended. Entries to its left came from the client, who can write
/// anything there (a fresh made-up address per request would slip past every limit).
fn client_ip(request: &Request, trust_proxy: bool) -> String {
    if trust_proxy
        && let Some(last) = request
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|v| !v.is_empty())
    {
        return last.to_owned();
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// A form token as this server makes them: 64 hex digits.
fn is_token(t: &str) -> bool {
    t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A CSRF token for a form: the session's, or for a visitor with no session the token in
/// their form cookie, made when they have none. Nothing is stored: the check compares the
/// form's copy with the cookie's, which another site can neither read nor set. Returns the
/// token and, when new, the cookie to set.
pub async fn form_token(_state: &AppState, visitor: &Visitor) -> AppResult<(String, Option<HeaderValue>)> {
    if let Some(s) = &visitor.session {
        return Ok((s.csrf_token.clone(), None));
    }
    if let Some(t) = &visitor.form_token {
        return Ok((t.clone(), None));
    }
    let token = tutti_store::platform::tokens::random_token();
    let mut c = format!("{FORM_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax");
    if visitor.https {
        c.push_str("; Secure");
    }
    let cookie = HeaderValue::from_str(&c).expect("a token is plain ASCII");
    Ok((token, Some(cookie)))
}

/// A page carrying a visitor's form token (and a guest's, their booking's): it sets their
/// form cookie when the token is new, and is never cached.
pub fn uncached_form(mut response: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(c) = cookie {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
