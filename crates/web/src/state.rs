//! The state every handler shares: the store and the configuration.
use std::sync::Arc;

use tutti_store::Store;

use crate::config::WebConfig;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Store,
    pub config: WebConfig,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> Self {
        AppState(Arc::new(Inner { store, config }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
