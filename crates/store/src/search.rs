//! Questions to the search index (migration m0022, decision 0078), asked the same way of both
//! backends: every word of the query required, stemmed, whole words or (as the office types)
//! word starts; ranked with the title above the body; a snippet of the body with the matched
//! words between [`MARK_START`] and [`MARK_END`]. SQLite answers from FTS5, PostgreSQL from the
//! GIN index over `to_tsvector('english', ..)`.
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Value};
pub use tutti_domain::search::Mode;
use tutti_domain::search::{is_stop_word, terms};

use crate::error::Result;
use crate::listing::COUNT_CAP;
use crate::query::{Count, all_of, one_of};

/// Marks where a matched word starts in a snippet (a private-use character, which no text
/// holds, so the page can escape the snippet and then mark the words).
pub const MARK_START: char = '\u{E000}';
/// Marks where a matched word ends in a snippet.
pub const MARK_END: char = '\u{E001}';

/// An entry's document on PostgreSQL: the expression migration m0022 indexes, written the
/// same so that the planner answers from that index.
/// The text is folded as the index folds it (migration m0028), so accents are ignored.
const PG_DOCUMENT: &str = "(setweight(to_tsvector('english', tutti_fold(e.title)), 'A') || \
                           setweight(to_tsvector('english', tutti_fold(e.body)), 'B'))";

/// The entries a search may return, besides matching its words.
pub(crate) struct Scope<'a> {
    /// The entries' sources (`content`, `pupil`, ...).
    pub sources: &'a [&'a str],
    pub include_archived: bool,
    /// Joined on `e` (the entry), with conditions on what it joins and their values: a
    /// content item must be visible now.
    pub join: &'a str,
    pub condition: String,
    pub values: Vec<Value>,
}

/// One entry found.
#[derive(Debug, Clone, FromQueryResult)]
pub(crate) struct Found {
    pub source: String,
    pub ref_id: i64,
    pub title: String,
    pub archived: bool,
    pub snippet: String,
}

/// The query for FTS5's MATCH: each word quoted (letters and digits only, see `terms`), all
/// required.
fn fts5_query(words: &[String], mode: Mode) -> String {
    let star = if mode == Mode::Prefix { "*" } else { "" };
    words
        .iter()
        .map(|w| format!("\"{w}\"{star}"))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The tsquery: the English configuration stems each word as FTS5's porter stemmer does. A
/// word start that is a stop word ("an" of "Anna") is read unstemmed, since the English
/// configuration would drop it. The words are letters and digits only, so they are written
/// into the SQL as they are.
fn tsquery(words: &[String], mode: Mode) -> String {
    match mode {
        Mode::Words => format!("to_tsquery('english', '{}')", words.join(" & ")),
        Mode::Prefix => {
            let parts: Vec<String> = words
                .iter()
                .map(|w| {
                    let config = if is_stop_word(w) { "simple" } else { "english" };
                    format!("to_tsquery('{config}', '{w}:*')")
                })
                .collect();
            format!("({})", parts.join(" && "))
        }
    }
}

/// One page of the entries in `scope` matching `query`, best first, and how many match (at
/// most `COUNT_CAP` + 1). A query with no words finds nothing.
pub(crate) async fn find(
    conn: &impl ConnectionTrait,
    query: &str,
    mode: Mode,
    scope: &Scope<'_>,
    limit: u64,
    offset: u64,
) -> Result<(Vec<Found>, u64)> {
    let words = terms(query, mode);
    if words.is_empty() || scope.sources.is_empty() {
        return Ok((Vec::new(), 0));
    }
    let backend = conn.get_database_backend();
    let sources = scope
        .sources
        .iter()
        .map(|s| format!("'{}'", s.replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(", ");
    // The words' index is the one to read, so the source is written so that no index answers
    // it (`|| ''`): SQLite otherwise walked the source index and matched each entry's words
    // one by one (130 ms for the demo's content, 5 ms this way), and PostgreSQL without
    // statistics yet (after a large import) did the same over every record. Only PostgreSQL's
    // content search reads the source index: content is a few hundred entries among a
    // county's records, and its planner then filters them faster than it reads the GIN index.
    let content = scope.sources.contains(&"content");
    let mut filter = if content && backend == DbBackend::Postgres {
        format!("e.source IN ({sources})")
    } else {
        format!("(e.source || '') IN ({sources})")
    };
    if !scope.include_archived {
        filter.push_str(" AND NOT e.archived");
    }
    if !scope.condition.is_empty() {
        filter.push_str(" AND ");
        filter.push_str(&scope.condition);
    }
    let join = scope.join;
    let (from, matches, mut values) = match backend {
        DbBackend::Postgres => (
            "search_entries e".to_owned(),
            format!("{PG_DOCUMENT} @@ {}", tsquery(&words, mode)),
            Vec::new(),
        ),
        _ => (
            "search_fts JOIN search_entries e ON e.id = search_fts.rowid".to_owned(),
            "search_fts MATCH ?".to_owned(),
            vec![Value::from(fts5_query(&words, mode))],
        ),
    };
    values.extend(scope.values.iter().cloned());

    let count_sql = format!(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM {from} {join} WHERE {matches} AND {filter} LIMIT {}) c",
        COUNT_CAP + 1
    );
    let total = one_of::<Count>(conn, &count_sql, values.clone())
        .await?
        .map(|c| c.n.max(0) as u64)
        .unwrap_or(0);

    let sql = match backend {
        // The snippet is made for the page's rows only (the inner query pages them).
        DbBackend::Postgres => {
            let q = tsquery(&words, mode);
            format!(
                "SELECT x.source, x.ref_id, x.kind, x.title, x.archived, \
                 ts_headline('english', x.body, {q}, 'StartSel=\"{MARK_START}\", StopSel=\"{MARK_END}\", \
                 MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \"') AS snippet \
                 FROM (SELECT e.id, e.source, e.ref_id, e.kind, e.title, e.archived, e.body, \
                 ts_rank({PG_DOCUMENT}, {q}) AS rank FROM {from} {join} WHERE {matches} AND {filter} \
                 ORDER BY rank DESC, e.title, e.id LIMIT ? OFFSET ?) x ORDER BY x.rank DESC, x.title, x.id"
            )
        }
        // Content: the page's entries are chosen first and only theirs get a snippet. SQLite
        // makes a row's result columns before it sorts, and a snippet of every long body
        // matched cost more than the search; a record's words are short, and matching twice
        // cost more than their snippets.
        _ if content => format!(
            "SELECT e.source, e.ref_id, e.kind, e.title, e.archived, \
             snippet(search_fts, 1, '{MARK_START}', '{MARK_END}', '…', 24) AS snippet \
             FROM search_fts JOIN search_entries e ON e.id = search_fts.rowid \
             WHERE search_fts MATCH ? AND search_fts.rowid IN (SELECT e.id FROM {from} {join} WHERE {matches} \
             AND {filter} ORDER BY bm25(search_fts, 10.0, 1.0), e.title, e.id LIMIT ? OFFSET ?) \
             ORDER BY bm25(search_fts, 10.0, 1.0), e.title, e.id"
        ),
        _ => format!(
            "SELECT e.source, e.ref_id, e.kind, e.title, e.archived, \
             snippet(search_fts, 1, '{MARK_START}', '{MARK_END}', '…', 24) AS snippet \
             FROM {from} {join} WHERE {matches} AND {filter} \
             ORDER BY bm25(search_fts, 10.0, 1.0), e.title, e.id LIMIT ? OFFSET ?"
        ),
    };
    if backend != DbBackend::Postgres && content {
        values.insert(0, Value::from(fts5_query(&words, mode)));
    }
    values.push((limit as i64).into());
    values.push((offset as i64).into());
    let rows = all_of::<Found>(conn, &sql, values).await?;
    Ok((rows, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn fts5_requires_every_word() {
        assert_eq!(
            fts5_query(&words(&["violin", "lessons"]), Mode::Words),
            "\"violin\" AND \"lessons\""
        );
        assert_eq!(
            fts5_query(&words(&["ame", "bro"]), Mode::Prefix),
            "\"ame\"* AND \"bro\"*"
        );
    }

    #[test]
    fn tsquery_requires_every_word_and_keeps_short_starts() {
        assert_eq!(
            tsquery(&words(&["violin", "lessons"]), Mode::Words),
            "to_tsquery('english', 'violin & lessons')"
        );
        assert_eq!(
            tsquery(&words(&["an", "bro"]), Mode::Prefix),
            "(to_tsquery('simple', 'an:*') && to_tsquery('english', 'bro:*'))"
        );
    }
}
