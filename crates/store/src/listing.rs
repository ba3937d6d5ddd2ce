//! Pages of records: which page, how sorted, and totals that stay cheap on a million rows.
use serde::Serialize;

/// What a list screen or API call asks for. `sort` is checked against each record's
/// whitelist of columns, so it never reaches SQL unless it names one of ours.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub q: String,
    pub sort: String,
    pub desc: bool,
    pub page: u64,
    pub per_page: u64,
    pub include_archived: bool,
}

/// The last page anyone may ask for: past it, pages are empty rather than an offset no
/// database can take (a page of 2^58 once made PostgreSQL refuse the query).
pub const MAX_PAGE: u64 = 1_000_000;

/// The rows before page `page` (from 1) of `per_page` rows, for any page asked for.
pub fn offset(page: u64, per_page: u64) -> u64 {
    (page.clamp(1, MAX_PAGE) - 1).saturating_mul(per_page)
}

impl ListQuery {
    pub fn page(&self) -> u64 {
        self.page.clamp(1, MAX_PAGE)
    }

    pub fn per_page(&self) -> u64 {
        self.per_page.clamp(1, 200)
    }

    pub fn offset(&self) -> u64 {
        offset(self.page, self.per_page())
    }

    /// The whitelisted column to sort by: the one asked for if allowed, else the first.
    pub fn sort_column(&self, allowed: &[(&'static str, &'static str)]) -> (&'static str, &'static str) {
        allowed
            .iter()
            .find(|(name, _)| *name == self.sort)
            .copied()
            .unwrap_or(allowed[0])
    }
}

/// Counting every match of a broad search on a national-sized table costs more than the
/// page itself, so totals stop counting here and the screen says "more than".
pub const COUNT_CAP: u64 = 1_000;

/// One page of rows and how many matched in all (at most `COUNT_CAP`, see `capped`).
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub total: u64,
    pub capped: bool,
    pub page: u64,
    pub per_page: u64,
}

impl<T> Page<T> {
    /// A page of a list whose matches were counted in full (not capped).
    pub(crate) fn counted(rows: Vec<T>, total: u64, page: u64, per_page: u64) -> Page<T> {
        Page {
            rows,
            total,
            capped: false,
            page,
            per_page,
        }
    }

    pub fn pages(&self) -> u64 {
        self.total.div_ceil(self.per_page.max(1)).max(1)
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            rows: self.rows.into_iter().map(f).collect(),
            total: self.total,
            capped: self.capped,
            page: self.page,
            per_page: self.per_page,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_page_asked_for_has_an_offset_a_database_takes() {
        let q = |page, per_page| ListQuery {
            page,
            per_page,
            ..Default::default()
        };
        assert_eq!(q(0, 50).offset(), 0);
        assert_eq!(q(3, 50).offset(), 100);
        assert_eq!(q(288_230_376_151_711_742, 50).page(), MAX_PAGE);
        assert!(q(u64::MAX, u64::MAX).offset() <= i64::MAX as u64);
        assert_eq!(q(2, 10_000).per_page(), 200);
    }
}
