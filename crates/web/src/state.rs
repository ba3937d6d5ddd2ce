//! The state every handler shares: the store, the configuration, the menu and the page cache.
use std::sync::Arc;

use tutti_store::Store;
use tutti_store::money::payments::provider::PaymentProvider;

use crate::config::WebConfig;
use crate::menu::MenuCache;
use crate::page_cache::PageCache;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Store,
    pub config: WebConfig,
    /// The main menu, read from the content.
    pub menu: MenuCache,
    /// Public pages as anonymous visitors see them, shared by the content's public and admin
    /// routes (an edit clears it) and the fast path in front of the session layer.
    pub pages: PageCache,
    /// The card payment provider, when card payments are on.
    pub payments: Option<Arc<dyn PaymentProvider>>,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> Self {
        let payments = config.card_payments.provider();
        AppState(Arc::new(Inner {
            store,
            config,
            menu: MenuCache::default(),
            pages: PageCache::default(),
            payments,
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
