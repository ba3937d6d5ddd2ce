//! The pupil list: a page of the pupils a scope may see, pupil search terms as SQL, and the
//! office's search over the whole pupils table: each alternative of a search is read in sort
//! order from its own index and the pages merged, so a broad search on a million pupils reads
//! a few hundred index entries, not every match (docs/decisions/0010-pupil-search-by-prefix.md).
use std::collections::HashSet;

use sea_orm::{DbBackend, FromQueryResult, Value};

use crate::Store;
use crate::error::Result;
use crate::listing::{COUNT_CAP, ListQuery, Page};
use crate::query::{Count, Id, all_of, one_of};
use crate::records::pupils::{PupilListRow, PupilScope, SORTS};

/// A searchable pupil column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Column {
    Last,
    First,
    Ref,
}

impl Column {
    fn name(self) -> &'static str {
        match self {
            Column::Last => "p.last_name",
            Column::First => "p.first_name",
            Column::Ref => "p.pupil_ref",
        }
    }

    /// The lower-cased column as the order indexes hold it (migration m0005): byte order on
    /// both backends, so the two sort alike and a prefix is one range of the index.
    pub(crate) fn key(self, backend: DbBackend) -> String {
        match backend {
            DbBackend::Postgres => format!("lower({}) COLLATE \"C\"", self.name()),
            _ => format!("lower({})", self.name()),
        }
    }

    /// The order index that leads with this column (migration m0011), by name for SQLite's
    /// `INDEXED BY`.
    fn index(self) -> &'static str {
        match self {
            Column::Last => "ix_pupils_live_name",
            Column::First => "ix_pupils_live_first",
            Column::Ref => "ix_pupils_live_ref",
        }
    }

    /// On SQLite, `INDEXED BY` this column's order index. SQLite's planner cannot see how wide
    /// a bound range is, and on a million pupils it chose a skip-scan of the other name index
    /// and a sort (120 ms) over a plain range of the right one (0.1 ms); the strategy below
    /// already knows which index answers each read. PostgreSQL's planner sees the literal
    /// pattern and needs no hint.
    fn hint(self, backend: DbBackend) -> String {
        match backend {
            DbBackend::Sqlite => format!(" INDEXED BY {}", self.index()),
            _ => String::new(),
        }
    }

    /// The same value written so that no index matches it (`x || ''`), which steers a
    /// planner away from an index it would misuse.
    fn key_unindexed(self, backend: DbBackend) -> String {
        match backend {
            DbBackend::Postgres => format!("(lower({}) || '') COLLATE \"C\"", self.name()),
            _ => format!("(lower({}) || '')", self.name()),
        }
    }
}

/// The sorts an order index answers: their key columns, then the id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyedSort {
    Name,
    FirstName,
    Ref,
}

impl KeyedSort {
    pub(crate) fn from_name(sort: &str) -> Option<KeyedSort> {
        match sort {
            "name" => Some(KeyedSort::Name),
            "first_name" => Some(KeyedSort::FirstName),
            "ref" => Some(KeyedSort::Ref),
            _ => None,
        }
    }

    fn columns(self) -> &'static [Column] {
        match self {
            KeyedSort::Name => &[Column::Last, Column::First],
            KeyedSort::FirstName => &[Column::First, Column::Last],
            KeyedSort::Ref => &[Column::Ref],
        }
    }

    /// ORDER BY for this sort, by the order index or (`indexed` false) by a sort of the rows.
    pub(crate) fn order_by(self, backend: DbBackend, desc: bool, indexed: bool) -> String {
        let direction = if desc { "DESC" } else { "ASC" };
        let mut parts: Vec<String> = self
            .columns()
            .iter()
            .map(|c| {
                let key = if indexed {
                    c.key(backend)
                } else {
                    c.key_unindexed(backend)
                };
                format!("{key} {direction}")
            })
            .collect();
        parts.push(format!("p.id {direction}"));
        parts.join(", ")
    }
}

/// One word that must begin a column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Prefix {
    column: Column,
    word: String,
}

impl Prefix {
    /// The condition, answerable from the column's order index (`indexed`) or not. On SQLite it
    /// is always the indexed form: the index is named (`Column::hint`), and every order index
    /// holds every name key, so the test is read from the index without the table row.
    fn sql(&self, backend: DbBackend, indexed: bool, values: &mut Vec<Value>) -> String {
        let key = if indexed || backend == DbBackend::Sqlite {
            self.column.key(backend)
        } else {
            self.column.key_unindexed(backend)
        };
        match backend {
            // A literal pattern, not a parameter: PostgreSQL turns `LIKE 'abc%'` into an index
            // range only when it can see the pattern, and a cached generic plan cannot. The
            // word holds only letters, digits, `-` and `'` (see `branches`).
            DbBackend::Postgres => format!("{key} LIKE '{}%'", self.word.replace('\'', "''")),
            // SQLite's LIKE optimisation does not apply to expressions; a range does.
            _ => {
                values.push(self.word.clone().into());
                values.push(format!("{}\u{10FFFF}", self.word).into());
                format!("({key} >= ? AND {key} < ?)")
            }
        }
    }
}

/// The alternatives a search term means, each a set of prefixes that must all hold. One word
/// begins a surname, a first name or a reference; two words are first and last name either
/// way round. Only letters, digits, hyphens and apostrophes can be in a name or reference:
/// anything else is dropped, which also keeps LIKE wildcards out.
pub(crate) fn branches(term: &str) -> Vec<Vec<Prefix>> {
    let words: Vec<String> = term
        .split_whitespace()
        .map(|w| {
            w.to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '\'')
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .take(2)
        .collect();
    let p = |column, word: &String| Prefix {
        column,
        word: word.clone(),
    };
    match words.as_slice() {
        [] => vec![],
        [w] => vec![
            vec![p(Column::Last, w)],
            vec![p(Column::First, w)],
            vec![p(Column::Ref, w)],
        ],
        [first, last, ..] => vec![
            vec![p(Column::Last, last), p(Column::First, first)],
            vec![p(Column::Last, first), p(Column::First, last)],
        ],
    }
}

/// The search as one condition on `p` for any scope, answered from the prefix indexes.
pub(crate) fn search_condition(backend: DbBackend, term: &str) -> Option<(String, Vec<Value>)> {
    let branches = branches(term);
    if branches.is_empty() {
        return None;
    }
    let mut values = Vec::new();
    let alternatives: Vec<String> = branches
        .iter()
        .map(|b| {
            let all: Vec<String> = b.iter().map(|p| p.sql(backend, true, &mut values)).collect();
            format!("({})", all.join(" AND "))
        })
        .collect();
    Some((format!("({})", alternatives.join(" OR ")), values))
}

/// Above this many matches an alternative is dense enough that walking the sort's index with
/// a filter finds a page sooner than sorting every match.
const DENSE: u64 = 2_500;

/// The prefix of an alternative whose index reads the fewest entries: the longest word is
/// taken as the rarest ("jack b" reads the "jack" first names, not every "b" surname).
fn narrowest(prefixes: &[Prefix]) -> Option<&Prefix> {
    prefixes.iter().rev().max_by_key(|p| p.word.chars().count())
}

/// A row with the lower-cased keys it sorts by, as the database wrote them.
#[derive(FromQueryResult)]
struct KeyedRow {
    k1: String,
    k2: Option<String>,
    id: i64,
    pupil_ref: String,
    first_name: String,
    last_name: String,
    date_of_birth: time::Date,
    school_id: i64,
    school_name: String,
    year_group_override: Option<i32>,
    archived: bool,
}

#[tutti_boxed::boxed]
impl Store {
    /// One page of the pupils a scope may see, searched and sorted.
    pub async fn list_pupils(&self, scope: &PupilScope, q: &ListQuery) -> Result<Page<PupilListRow>> {
        let (sort, order) = q.sort_column(SORTS);
        let keyed = KeyedSort::from_name(sort);
        // The office searches every pupil: merged index walks keep that fast on a national
        // table. Other scopes hold a school's or a family's pupils, few enough to sort.
        if let (PupilScope::All, Some(keyed)) = (scope, keyed) {
            return self.search_all_pupils(keyed, q).await;
        }
        let backend = self.conn().get_database_backend();
        let (scope_sql, mut values) = scope.condition();
        let mut filter = format!("WHERE {scope_sql}");
        if !q.include_archived {
            filter.push_str(" AND p.archived_at IS NULL");
        }
        if let Some((sql, v)) = search_condition(backend, &q.q) {
            filter.push_str(" AND ");
            filter.push_str(&sql);
            values.extend(v);
        }
        let count_sql = format!(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM pupils p {filter} LIMIT {}) c",
            COUNT_CAP + 1
        );
        let n = one_of::<Count>(self.conn(), &count_sql, values.clone())
            .await?
            .map(|c| c.n)
            .unwrap_or(0) as u64;
        let direction = if q.desc { "DESC" } else { "ASC" };
        let order = match keyed {
            Some(k) => k.order_by(backend, q.desc, true),
            None => format!("{order} {direction}, p.id {direction}"),
        };
        let sql = format!(
            "SELECT p.id, p.pupil_ref, p.first_name, p.last_name, p.date_of_birth, p.school_id, \
             s.name AS school_name, p.year_group_override, (p.archived_at IS NOT NULL) AS archived \
             FROM pupils p JOIN schools s ON s.id = p.school_id \
             {filter} ORDER BY {order} LIMIT ? OFFSET ?"
        );
        values.push((q.per_page() as i64).into());
        values.push((q.offset() as i64).into());
        let rows = all_of::<PupilListRow>(self.conn(), &sql, values).await?;
        Ok(Page {
            rows,
            total: n.min(COUNT_CAP),
            capped: n > COUNT_CAP,
            page: q.page(),
            per_page: q.per_page(),
        })
    }

    /// One page of the office's pupil search (every pupil is in scope), sorted by a keyed sort.
    pub(crate) async fn search_all_pupils(&self, sort: KeyedSort, q: &ListQuery) -> Result<Page<PupilListRow>> {
        let backend = self.conn().get_database_backend();
        let visible = if q.include_archived {
            "1 = 1"
        } else {
            "p.archived_at IS NULL"
        };
        let branches = branches(&q.q);
        let wanted = q.offset() + q.per_page();

        // How many each alternative matches, up to DENSE (+1 says "more"), from its index.
        let mut counts = Vec::with_capacity(branches.len().max(1));
        for branch in branches.iter().map(Some).chain(branches.is_empty().then_some(None)) {
            let mut values = Vec::new();
            let condition = match branch {
                Some(b) => b
                    .iter()
                    .map(|p| p.sql(backend, true, &mut values))
                    .collect::<Vec<_>>()
                    .join(" AND "),
                None => "1 = 1".into(),
            };
            // Ordered by the narrowest prefix's own key so that the count reads a range of its
            // index: for a common letter PostgreSQL otherwise scans the table until it has enough.
            let lead = branch.and_then(|b| narrowest(b));
            let order = lead
                .map(|p| format!(" ORDER BY {}", p.column.key(backend)))
                .unwrap_or_default();
            let hint = lead.map(|p| p.column.hint(backend)).unwrap_or_default();
            let sql = format!(
                "SELECT COUNT(*) AS n FROM (SELECT 1 FROM pupils p{hint} WHERE {visible} AND {condition}{order} \
                 LIMIT {}) c",
                DENSE + 1
            );
            counts.push(self.count(backend, &sql, values).await?);
        }

        let lead = sort.columns()[0];
        let mut rows: Vec<KeyedRow> = Vec::new();
        for (i, branch) in branches
            .iter()
            .map(Some)
            .chain(branches.is_empty().then_some(None))
            .enumerate()
        {
            let prefixes = branch.map(Vec::as_slice).unwrap_or(&[]);
            if counts[i] == 0 {
                continue;
            }
            let aligned = prefixes.is_empty() || prefixes.iter().any(|p| p.column == lead);
            let mut values = Vec::new();
            // Aligned: a range of the sort's own index, already in order. Sparse: every match
            // from the prefix indexes, sorted. Dense: the sort's index walked with a filter.
            let (conditions, indexed_order, index): (Vec<String>, bool, Column) = if aligned {
                let c = prefixes
                    .iter()
                    .map(|p| p.sql(backend, p.column == lead, &mut values))
                    .collect();
                (c, true, lead)
            } else if counts[i] <= DENSE {
                (
                    prefixes.iter().map(|p| p.sql(backend, true, &mut values)).collect(),
                    false,
                    narrowest(prefixes).map(|p| p.column).unwrap_or(lead),
                )
            } else {
                (
                    prefixes.iter().map(|p| p.sql(backend, false, &mut values)).collect(),
                    true,
                    lead,
                )
            };
            let mut filter = visible.to_owned();
            for c in conditions {
                filter.push_str(" AND ");
                filter.push_str(&c);
            }
            let order = sort.order_by(backend, q.desc, indexed_order);
            let keys = sort.columns();
            let k2 = keys.get(1).map(|c| c.key(backend)).unwrap_or_else(|| "NULL".into());
            // One alternative alone is paged by the database; several are merged here, so
            // each gives its first `wanted` rows.
            let (limit, offset) = if branches.len() <= 1 {
                (q.per_page(), q.offset())
            } else {
                (wanted, 0)
            };
            // The page's ids come from the index alone; only those rows are read from the table.
            let sql = format!(
                "SELECT {k1} AS k1, {k2} AS k2, p.id, p.pupil_ref, p.first_name, p.last_name, p.date_of_birth, \
                 p.school_id, s.name AS school_name, p.year_group_override, (p.archived_at IS NOT NULL) AS archived \
                 FROM (SELECT p.id FROM pupils p{hint} WHERE {filter} ORDER BY {order} LIMIT {limit} OFFSET {offset}) x \
                 JOIN pupils p ON p.id = x.id JOIN schools s ON s.id = p.school_id",
                k1 = keys[0].key(backend),
                hint = index.hint(backend),
            );
            rows.extend(all_of::<KeyedRow>(self.conn(), &sql, values).await?);
        }

        // Merge: the keys compare as the database ordered them (byte order of lower case).
        rows.sort_by(|a, b| {
            let ord = (&a.k1, &a.k2, a.id).cmp(&(&b.k1, &b.k2, b.id));
            if q.desc { ord.reverse() } else { ord }
        });
        let mut seen = HashSet::new();
        rows.retain(|r| seen.insert(r.id));
        let skip = if branches.len() <= 1 { 0 } else { q.offset() as usize };
        let page_rows: Vec<PupilListRow> = rows
            .into_iter()
            .skip(skip)
            .take(q.per_page() as usize)
            .map(|r| PupilListRow {
                id: r.id,
                pupil_ref: r.pupil_ref,
                first_name: r.first_name,
                last_name: r.last_name,
                date_of_birth: r.date_of_birth,
                school_id: r.school_id,
                school_name: r.school_name,
                year_group_override: r.year_group_override,
                archived: r.archived,
            })
            .collect();

        // The total: "more than COUNT_CAP" as soon as one alternative has that many; else
        // the alternatives are small and their union is counted exactly, from their ids (one
        // OR over several indexes is what a planner gets wrong).
        let biggest = counts.iter().copied().max().unwrap_or(0);
        let total = if biggest > COUNT_CAP || counts.len() <= 1 {
            biggest
        } else {
            let mut ids = HashSet::new();
            for (i, prefixes) in branches.iter().enumerate() {
                let Some(lead) = narrowest(prefixes).filter(|_| counts[i] > 0) else {
                    continue;
                };
                let mut values = Vec::new();
                let mut filter = visible.to_owned();
                for p in prefixes {
                    filter.push_str(" AND ");
                    filter.push_str(&p.sql(backend, true, &mut values));
                }
                let sql = format!(
                    "SELECT p.id FROM pupils p{} WHERE {filter} ORDER BY {}",
                    lead.column.hint(backend),
                    lead.column.key(backend)
                );
                let found = all_of::<Id>(self.conn(), &sql, values).await?;
                ids.extend(found.into_iter().map(|r| r.id));
            }
            ids.len() as u64
        };
        Ok(Page {
            rows: page_rows,
            total: total.min(COUNT_CAP),
            capped: total > COUNT_CAP,
            page: q.page(),
            per_page: q.per_page(),
        })
    }

    async fn count(&self, _backend: DbBackend, sql: &str, values: Vec<Value>) -> Result<u64> {
        Ok(one_of::<Count>(self.conn(), sql, values)
            .await?
            .map(|c| c.n.max(0) as u64)
            .unwrap_or(0))
    }
}
