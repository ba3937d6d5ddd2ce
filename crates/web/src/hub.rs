//! The hub's identity as the app keeps it in memory: read from the store at most every
//! `FRESH_FOR` (every page, letter and invoice names the hub, so it must not cost a query
//! each), replaced at once when an admin saves it, and set around every request so that even
//! an error page drawn from a middleware names the right hub. Before setup the hub is known
//! by the configured name.
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use tutti_store::Store;
use tutti_store::platform::changes::Change;
use tutti_store::platform::identity::HubRecord;

use crate::page_cache::PageCache;
use crate::shell::{HubFrame, within_frame};

/// How long an identity read from the database is used before it is read again: a save on
/// this server shows at once; one made on another server shows within this.
const FRESH_FOR: Duration = Duration::from_secs(30);

/// The address the logo is served at; its digest in the query names the version, so a new
/// logo is never hidden by a cached old one.
pub const LOGO_PATH: &str = "/hub/logo";

/// The frame a stored identity draws, or the configured name's before one is saved.
pub fn frame_of(record: Option<&HubRecord>, default_name: &str) -> HubFrame {
    let Some(record) = record else {
        return HubFrame::named(default_name);
    };
    let id = &record.identity;
    HubFrame {
        name: id.name.clone(),
        short_name: id.short().to_owned(),
        logo_url: record
            .logo
            .as_ref()
            .map(|l| format!("{LOGO_PATH}?v={}", &l.sha256[..l.sha256.len().min(16)])),
        contact_email: id.contact_email.clone(),
        phone: id.phone.clone(),
        address_lines: id.address_lines().into_iter().map(str::to_owned).collect(),
        charity_number: id.charity_number.clone(),
    }
}

pub struct HubCache {
    default_name: String,
    current: RwLock<(Option<Instant>, Arc<HubFrame>)>,
    /// The generation of page changes (`tutti_store::platform::changes`) it was read at: an
    /// identity saved on another app server makes it stale at once.
    generation: std::sync::atomic::AtomicU64,
}

impl HubCache {
    pub fn new(default_name: &str) -> HubCache {
        HubCache {
            default_name: default_name.to_owned(),
            current: RwLock::new((None, Arc::new(HubFrame::named(default_name)))),
            generation: Default::default(),
        }
    }

    /// The hub as last read.
    pub fn frame(&self) -> Arc<HubFrame> {
        match self.current.read() {
            Ok(c) => c.1.clone(),
            Err(_) => Arc::new(HubFrame::named(&self.default_name)),
        }
    }

    /// Puts a just-saved identity in place, for this server's next request.
    pub fn replace(&self, record: Option<&HubRecord>) {
        if let Ok(mut c) = self.current.write() {
            *c = (Some(Instant::now()), Arc::new(frame_of(record, &self.default_name)));
        }
    }

    /// After an admin saved the identity or its logo: this server's next page shows it, and
    /// no page kept for anonymous visitors (answered before any handler) shows the old one.
    pub fn saved(&self, record: &HubRecord, pages: &PageCache) {
        self.replace(Some(record));
        pages.clear();
    }

    /// Reads the identity again if it is older than `FRESH_FOR`. A database error keeps the
    /// old one: a page is better with the name it had a minute ago than not at all.
    pub async fn refresh_if_stale(&self, store: &Store) {
        use std::sync::atomic::Ordering;
        let generation = store.changes().generation(Change::Pages);
        let fresh = self.generation.load(Ordering::Acquire) == generation
            && self
                .current
                .read()
                .ok()
                .is_some_and(|c| c.0.is_some_and(|at| at.elapsed() < FRESH_FOR));
        if fresh {
            return;
        }
        match store.hub_identity().await {
            Ok(record) => {
                self.replace(record.as_ref());
                self.generation.store(generation, Ordering::Release);
            }
            Err(e) => tracing::warn!(error = %e, "the hub's identity could not be read"),
        }
    }
}

/// Around every request: the identity refreshed when stale, and the request answered with
/// it as the hub its pages name. Its state is the store and the cache the app state holds.
pub async fn frame(State((store, hub)): State<(Store, Arc<HubCache>)>, request: Request, next: Next) -> Response {
    hub.refresh_if_stale(&store).await;
    within_frame(hub.frame(), next.run(request)).await
}
