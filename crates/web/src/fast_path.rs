//! The outermost page layer: an anonymous GET answered from the page cache before sessions,
//! routing and handlers run.
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

/// Answers an anonymous GET from the page cache before the session, routing and handler
/// layers run. For such a request those layers would do nothing but reach the same cached
/// copy: no cookie means no session to load (and none to clear), GET needs no CSRF token or
/// body limit, no Authorization header means no bearer token, and only public handlers put
/// pages in the cache, so every page in it is one anyone may see. Pages whose handler must see
/// every request (an episode counts its views) are left to it. Security headers are still
/// added by the layer outside this one.
pub async fn fast_path(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() == Method::GET
        && !request.headers().contains_key(header::COOKIE)
        && !request.headers().contains_key(header::AUTHORIZATION)
        && let Some(hit) = state
            .pages
            .get_early(request.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/"))
    {
        let mut response = hit.respond(request.headers(), true);
        // No route ran: the metrics count it under one label, not its raw path.
        response
            .extensions_mut()
            .insert(crate::metrics::RouteTemplate(crate::metrics::PAGE_CACHE.into()));
        return response;
    }
    next.run(request).await
}
