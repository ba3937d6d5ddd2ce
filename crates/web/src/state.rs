//! The state every handler shares: the store, the configuration, the hub's identity, the menu
//! and the page cache.
use std::sync::Arc;

use tutti_store::Store;
use tutti_store::money::payments::provider::PaymentProvider;

use crate::config::WebConfig;
use crate::hub::HubCache;
use crate::menu::MenuCache;
use crate::page_cache::PageCache;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Store,
    pub config: WebConfig,
    /// The hub's identity (name, logo, contacts) as every page and letter shows it.
    pub hub: Arc<HubCache>,
    /// The main menu, read from the content.
    pub menu: MenuCache,
    /// Public pages as anonymous visitors see them, shared by the content's public and admin
    /// routes (an edit clears it) and the fast path in front of the session layer.
    pub pages: PageCache,
    /// The card payment provider, when card payments are on.
    pub payments: Option<Arc<dyn PaymentProvider>>,
    /// This app server's figures for `/metrics`.
    pub metrics: crate::metrics::Metrics,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> Self {
        let payments = config.card_payments.provider_via(&config.outbound);
        let hub = Arc::new(HubCache::new(&config.hub_name));
        AppState(Arc::new(Inner {
            store: store.clone(),
            config,
            hub,
            menu: MenuCache::default(),
            pages: PageCache::new(store.clone()),
            payments,
            metrics: Default::default(),
        }))
    }
}

impl AppState {
    /// The hub's name as pages, letters, invoices and authenticator apps show it.
    pub fn hub_name(&self) -> String {
        self.hub.frame().name.clone()
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
