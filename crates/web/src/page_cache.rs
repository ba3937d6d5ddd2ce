//! Public pages are cacheable: an ETag on every page, 304 for a matching conditional request,
//! and a short-lived in-process copy of what anonymous visitors see, answered before the
//! session, routing and handler layers when it is fresh. An edit on any app server empties
//! every server's copy (`tutti_store::platform::changes`).
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tutti_store::platform::changes::Change;

/// How long an anonymous page is served from memory. Short, so that scheduled publication,
/// closing vacancies and edits made on another app server show within seconds.
const FRESH_FOR: Duration = Duration::from_secs(10);
/// What browsers and proxies may keep an anonymous page for without asking again.
const PUBLIC_CACHE: &str = "public, max-age=60";
/// Pages carrying a signed-in visitor's header: revalidate every time, never share.
const PRIVATE_CACHE: &str = "private, no-cache";
const MAX_ENTRIES: usize = 4096;

/// A rendered page and its validator.
#[derive(Debug)]
pub struct Rendered {
    /// Shared bytes: a cached page is sent without copying it.
    pub body: Bytes,
    pub content_type: &'static str,
    /// The validator, kept as a header value so that a hit allocates nothing for it.
    pub etag: HeaderValue,
}

impl Rendered {
    pub fn new(body: String, content_type: &'static str) -> Rendered {
        let etag = HeaderValue::from_str(&etag(body.as_bytes())).expect("a quoted hex digest");
        Rendered {
            body: Bytes::from(body),
            content_type,
            etag,
        }
    }

    pub fn html(body: String) -> Rendered {
        Rendered::new(body, "text/html; charset=utf-8")
    }

    /// The response for a request: 304 when the client already holds this version.
    pub fn respond(&self, request: &HeaderMap, shared: bool) -> Response {
        let cache = HeaderValue::from_static(if shared { PUBLIC_CACHE } else { PRIVATE_CACHE });
        let tag = self.etag.clone();
        let vary = HeaderValue::from_static("Cookie, Accept-Encoding");
        if matches_etag(request, self.etag.to_str().unwrap_or_default()) {
            return (
                StatusCode::NOT_MODIFIED,
                [
                    (header::ETAG, tag),
                    (header::CACHE_CONTROL, cache),
                    (header::VARY, vary),
                ],
            )
                .into_response();
        }
        (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(self.content_type)),
                (header::ETAG, tag),
                (header::CACHE_CONTROL, cache),
                (header::VARY, vary),
            ],
            self.body.clone(),
        )
            .into_response()
    }
}

fn matches_etag(request: &HeaderMap, etag: &str) -> bool {
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*")
}

/// A stable hash (FNV-1a, 64 bits) of a body, quoted as an ETag.
pub fn etag(body: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in body {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("\"{h:016x}\"")
}

/// Pages as anonymous visitors see them, by path and query. One per app, shared by its
/// public and admin routes so that an edit clears it at once, here and on every other app
/// server of the hub.
#[derive(Clone)]
pub struct PageCache {
    map: Arc<Mutex<HashMap<String, Entry>>>,
    /// Where changes are announced and heard.
    store: tutti_store::Store,
}

struct Entry {
    at: Instant,
    /// The generation of page changes it was drawn at: a later one makes it stale.
    generation: u64,
    page: Arc<Rendered>,
    /// Whether the page may be answered before its handler runs: not when the handler must
    /// see every request (an episode counts its views).
    early: bool,
}

impl PageCache {
    pub fn new(store: tutti_store::Store) -> PageCache {
        PageCache {
            map: Default::default(),
            store,
        }
    }

    fn generation(&self) -> u64 {
        self.store.changes().generation(Change::Pages)
    }

    pub fn get(&self, key: &str) -> Option<Arc<Rendered>> {
        self.find(key, false)
    }

    /// The page if it may be answered without its handler.
    pub fn get_early(&self, key: &str) -> Option<Arc<Rendered>> {
        self.find(key, true)
    }

    fn find(&self, key: &str, early_only: bool) -> Option<Arc<Rendered>> {
        let generation = self.generation();
        let map = self.map.lock().ok()?;
        map.get(key)
            .filter(|e| e.generation == generation && e.at.elapsed() < FRESH_FOR && (e.early || !early_only))
            .map(|e| e.page.clone())
    }

    pub fn put(&self, key: String, rendered: Arc<Rendered>, early: bool) {
        let generation = self.generation();
        if let Ok(mut map) = self.map.lock() {
            if map.len() >= MAX_ENTRIES {
                map.retain(|_, e| e.at.elapsed() < FRESH_FOR);
                if map.len() >= MAX_ENTRIES {
                    map.clear();
                }
            }
            map.insert(
                key,
                Entry {
                    at: Instant::now(),
                    generation,
                    page: rendered,
                    early,
                },
            );
        }
    }

    /// After an edit: empty here, and on every other app server when it hears of it (the
    /// menu and the hub's identity kept in memory are read again too).
    pub fn clear(&self) {
        if let Ok(mut map) = self.map.lock() {
            map.clear();
        }
        self.store.announce(Change::Pages);
    }
}
