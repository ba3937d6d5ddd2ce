//! The menus: the public site's main menu, read from the content (top-level pages with a menu
//! label) and kept for a short while, since every page shows it and it must not cost a query
//! per request (an edit here clears it at once; an edit on another server shows within
//! `FRESH_FOR`); and the office's navigation by task, which is fixed (decision 0074).
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

/// The menu, when it was read, and the generation of page changes it was read at (an edit
/// on another app server makes it stale at once: `tutti_store::platform::changes`).
#[derive(Default)]
pub struct MenuCache(RwLock<Option<(Instant, MenuItems, u64)>>);

impl MenuCache {
    /// The menu as last read (the starter menu if never read).
    pub fn items(&self) -> MenuItems {
        match self
            .0
            .read()
            .ok()
            .and_then(|m| m.as_ref().map(|(_, items, _)| items.clone()))
        {
            Some(items) => items,
            None => starter(),
        }
    }

    /// Reads the menu again if it is older than `FRESH_FOR` or was cleared. A database error
    /// keeps the old menu: a page is better with yesterday's menu than not at all.
    pub async fn refresh_if_stale(&self, store: &Store) {
        let generation = store
            .changes()
            .generation(tutti_store::platform::changes::Change::Pages);
        let fresh = self.0.read().ok().is_some_and(|m| {
            m.as_ref()
                .is_some_and(|(at, _, seen)| *seen == generation && at.elapsed() < FRESH_FOR)
        });
        if fresh {
            return;
        }
        match store.content_menu().await {
            Ok(items) => {
                if let Ok(mut m) = self.0.write() {
                    *m = Some((Instant::now(), Arc::new(items), generation));
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

/// One link of the office's navigation.
pub struct OfficeLink {
    pub href: &'static str,
    pub label: &'static str,
    /// Whether this is the page being shown (or the section it belongs to).
    pub current: bool,
}

/// One task of the office's navigation, with its links.
pub struct OfficeGroup {
    /// For the heading's id.
    pub id: &'static str,
    pub label: &'static str,
    pub links: Vec<OfficeLink>,
}

/// Who may follow a link: the whole office, or admins only (the routes' own rules; a link a
/// manager would be refused is not shown to them).
#[derive(Clone, Copy, PartialEq, Eq)]
enum For {
    Office,
    Admins,
}

/// A link as declared: (address, label, who may follow it).
type Declared = (&'static str, &'static str, For);

/// The office's navigation by task: (id, heading, its links).
const OFFICE: &[(&str, &str, &[Declared])] = &[
    (
        "people",
        "People",
        &[
            ("/admin/pupils", "Pupils and families", For::Office),
            ("/admin/schools", "Schools", For::Office),
            ("/admin/staff", "Staff", For::Office),
            ("/admin/invitations", "Invitations", For::Office),
            ("/admin/users", "Users and roles", For::Admins),
            ("/admin/imports", "Imports", For::Office),
        ],
    ),
    (
        "lessons",
        "Lessons",
        &[
            ("/admin/allocation", "Allocation", For::Office),
            ("/admin/timetable/proposals", "Timetable proposals", For::Office),
            ("/admin/cancellations", "Cancellations", For::Office),
            ("/admin/lessons/at-risk", "Lessons at risk", For::Office),
            ("/admin/terms", "Terms and closures", For::Office),
            ("/progress/pupils", "Progress", For::Office),
            ("/admin/instruments", "Instruments", For::Office),
            ("/admin/loans", "Loans", For::Office),
            ("/admin/tuition-offer", "Tuition offer", For::Office),
            ("/admin/waiting-lists", "Waiting lists", For::Office),
            ("/admin/ensembles", "Ensembles", For::Office),
        ],
    ),
    (
        "money",
        "Money",
        &[
            ("/admin/billing", "Billing runs and policies", For::Office),
            ("/admin/billing/invoices", "Invoices", For::Office),
            ("/admin/payments", "Payments", For::Office),
            ("/admin/donations", "Donations", For::Office),
            ("/admin/agreements", "Schools' agreements", For::Office),
            ("/admin/services", "Services for schools", For::Office),
            ("/admin/direct-debit", "Direct Debit", For::Office),
        ],
    ),
    (
        "events",
        "Events",
        &[("/admin/events", "Events and bookings", For::Office)],
    ),
    ("site", "Site", &[("/admin/content", "Content", For::Admins)]),
    (
        "reports",
        "Reports",
        &[
            ("/admin/dashboard", "Dashboard", For::Office),
            ("/admin/reports/data-return", "Data return", For::Office),
            ("/admin/reports/progression", "Progression", For::Office),
            ("/admin/reports/attendance", "Attendance", For::Office),
            ("/admin/audit", "Audit log", For::Office),
            ("/admin/records", "All records and exports", For::Office),
            ("/admin/outbox", "Outbox", For::Office),
            ("/admin/privacy", "Privacy requests", For::Office),
        ],
    ),
    (
        "settings",
        "Settings",
        &[
            ("/admin/settings", "Hub settings", For::Admins),
            ("/account/security", "Your sign-in security", For::Office),
        ],
    ),
];

/// The office's navigation as `admin` (or a manager, when false) sees it on the page at
/// `path`: the link whose address is the page's, or leads the page's address, is current.
pub fn office(admin: bool, path: &str) -> Vec<OfficeGroup> {
    // The longest matching address wins, so "/admin/billing/invoices" is not also "/admin/billing".
    let current = OFFICE
        .iter()
        .flat_map(|(_, _, links)| links.iter())
        .map(|(href, _, _)| *href)
        .filter(|href| path == *href || path.strip_prefix(href).is_some_and(|rest| rest.starts_with('/')))
        .max_by_key(|href| href.len());
    OFFICE
        .iter()
        .map(|(id, label, links)| OfficeGroup {
            id,
            label,
            links: links
                .iter()
                .filter(|(_, _, who)| admin || *who == For::Office)
                .map(|(href, label, _)| OfficeLink {
                    href,
                    label,
                    current: current == Some(*href),
                })
                .collect(),
        })
        .filter(|g| !g.links.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_address_leading_the_page_is_current() {
        let groups = office(true, "/admin/billing/invoices/12");
        let current: Vec<&str> = groups
            .iter()
            .flat_map(|g| g.links.iter())
            .filter(|l| l.current)
            .map(|l| l.href)
            .collect();
        assert_eq!(current, ["/admin/billing/invoices"]);
    }

    #[test]
    fn managers_see_no_link_they_would_be_refused() {
        let groups = office(false, "/admin");
        assert!(groups.iter().all(|g| g.id != "site"));
        assert!(
            groups
                .iter()
                .flat_map(|g| g.links.iter())
                .all(|l| !["/admin/users", "/admin/content", "/admin/settings"].contains(&l.href))
        );
    }
}
