//! The main menu, read from the content (top-level pages with a menu label) and kept for a
//! short while: every page shows it, so it must not cost a query per request. An edit here
//! clears it at once; an edit on another server shows within `FRESH_FOR`.
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use tutti_store::Store;

/// How long a menu read from the database is used before it is read again.
const FRESH_FOR: Duration = Duration::from_secs(30);

/// (address, label) in menu order.
pub type MenuItems = Arc<Vec<(String, String)>>;

/// The menu pages show before the content has been read: the sections every hub starts with,
/// for error pages drawn without a database.
pub const STARTER: &[(&str, &str)] = &[
    ("/about", "About"),
    ("/service", "Our service"),
    ("/remote-learning", "Remote learning"),
    ("/learning", "Learning"),
    ("/virtual-music-centre", "Virtual Music Centre"),
    ("/early-years", "Early Years"),
    ("/contact", "Contact"),
];

pub fn starter() -> MenuItems {
    Arc::new(
        STARTER
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect(),
    )
}

#[derive(Default)]
pub struct MenuCache(RwLock<Option<(Instant, MenuItems)>>);

impl MenuCache {
    /// The menu as last read (the starter menu if never read).
    pub fn items(&self) -> MenuItems {
        match self
            .0
            .read()
            .ok()
            .and_then(|m| m.as_ref().map(|(_, items)| items.clone()))
        {
            Some(items) => items,
            None => starter(),
        }
    }

    /// Reads the menu again if it is older than `FRESH_FOR` or was cleared. A database error
    /// keeps the old menu: a page is better with yesterday's menu than not at all.
    pub async fn refresh_if_stale(&self, store: &Store) {
        let fresh = self
            .0
            .read()
            .ok()
            .is_some_and(|m| m.as_ref().is_some_and(|(at, _)| at.elapsed() < FRESH_FOR));
        if fresh {
            return;
        }
        match store.content_menu().await {
            Ok(items) => {
                if let Ok(mut m) = self.0.write() {
                    *m = Some((Instant::now(), Arc::new(items)));
                }
            }
            Err(e) => tracing::warn!(error = %e, "the main menu could not be read"),
        }
    }

    /// Forgets the menu, so the next request reads it: after a page is saved or deleted.
    pub fn clear(&self) {
        if let Ok(mut m) = self.0.write() {
            *m = None;
        }
    }
}
