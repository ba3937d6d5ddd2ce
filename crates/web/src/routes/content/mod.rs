//! The public site's content: managed pages in a menu tree, news, episodes, resources, the
//! podcast, vacancies, FAQs, documents, search, feeds, sitemaps and the contact form; and
//! the admin screens that manage them.
mod admin;
mod contact;
mod feeds;
pub(crate) mod markdown;
mod public;
mod views;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use tutti_store::platform::accounts::Role;

use crate::access::{Access, Audience};
use crate::acting::Visiting;
use crate::error::{AppError, AppResult};
use crate::page_cache::{PageCache, Rendered};
use crate::session::Visitor;
use crate::state::AppState;

/// Anyone may read the site.
pub fn public_audience() -> Audience {
    Audience::new(Access::Public, public::router())
}

/// Only admins manage content.
pub fn admin_audience() -> Audience {
    Audience::new(Access::Roles(&[Role::Admin]), admin::router())
}

/// What every public content handler needs about the request.
pub(crate) struct Ctx {
    pub state: AppState,
    pub visitor: Visitor,
    pub cache: PageCache,
    pub headers: HeaderMap,
    pub uri: Uri,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Visiting { state, visitor } = Visiting::from_request_parts(parts, state).await?;
        let cache = state.pages.clone();
        Ok(Ctx {
            state,
            visitor,
            cache,
            headers: parts.headers.clone(),
            uri: parts.uri.clone(),
        })
    }
}

impl Ctx {
    /// The absolute address of a path, for feeds, sitemaps and share links.
    pub fn absolute(&self, path: &str) -> String {
        format!("{}{path}", self.state.config.public_url.trim_end_matches('/'))
    }

    /// The shared copy of this page for an anonymous visitor, when a fresh one is in memory:
    /// checked before any database work, so a busy page costs no query at all.
    pub fn cached(&self) -> Option<Response> {
        if self.visitor.session.is_some() {
            return None;
        }
        let key = self.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        self.cache.get(key).map(|hit| hit.respond(&self.headers, true))
    }

    /// Serves a page: anonymous visitors (no session at all) get the shared copy from memory
    /// when one is fresh; everyone gets an ETag and a 304 when they hold the current version.
    pub async fn serve<Fut>(&self, make: impl FnOnce() -> Fut) -> AppResult<Response>
    where
        Fut: Future<Output = AppResult<Rendered>>,
    {
        self.serve_as(true, make).await
    }

    /// As `serve`, for a page whose handler must run for every request (it counts views): its
    /// shared copy saves the rendering but is never answered ahead of the handler.
    pub async fn serve_counted<Fut>(&self, make: impl FnOnce() -> Fut) -> AppResult<Response>
    where
        Fut: Future<Output = AppResult<Rendered>>,
    {
        self.serve_as(false, make).await
    }

    async fn serve_as<Fut>(&self, early: bool, make: impl FnOnce() -> Fut) -> AppResult<Response>
    where
        Fut: Future<Output = AppResult<Rendered>>,
    {
        let anonymous = self.visitor.session.is_none();
        let key = self.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/").to_owned();
        if anonymous && let Some(hit) = self.cache.get(&key) {
            return Ok(hit.respond(&self.headers, true));
        }
        let rendered = std::sync::Arc::new(make().await?);
        if anonymous {
            self.cache.put(key, rendered.clone(), early);
        } else if let Some(s) = self.visitor.session.as_ref().filter(|s| s.flash.is_some()) {
            // The page showed the flash message, so it is cleared as render_clearing_flash does.
            self.state.store.set_flash(&s.id_hash, None).await?;
        }
        Ok(rendered.respond(&self.headers, anonymous))
    }
}

/// Whether a request comes from a crawler or a script rather than a person, judged by its
/// User-Agent; such requests are not counted as views.
pub(crate) fn is_bot(headers: &HeaderMap) -> bool {
    let Some(ua) = headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
    else {
        return true;
    };
    let ua = ua.to_ascii_lowercase();
    ua.trim().is_empty()
        || [
            "bot",
            "crawl",
            "spider",
            "slurp",
            "preview",
            "monitor",
            "curl",
            "wget",
            "python",
            "go-http",
            "java/",
            "libwww",
            "scrapy",
            "httpclient",
            "feed",
            "headlesschrome",
            "lighthouse",
            "wrk",
            "oha",
            "hey/",
        ]
        .iter()
        .any(|needle| ua.contains(needle))
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue, header};

    use super::is_bot;

    fn ua(s: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::USER_AGENT, HeaderValue::from_str(s).unwrap());
        h
    }

    #[test]
    fn bots_are_told_apart_from_people() {
        assert!(is_bot(&HeaderMap::new()));
        assert!(is_bot(&ua("Mozilla/5.0 (compatible; Googlebot/2.1)")));
        assert!(is_bot(&ua("curl/8.0")));
        assert!(!is_bot(&ua(
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
        )));
    }
}
