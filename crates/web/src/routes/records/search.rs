//! The office's record search (/admin/search): pupils, schools, staff and guardians from the
//! one search index (decision 0078), every typed word the start of a word ("ame bro" finds
//! Amelia Brown), archived records only when asked. Office only (the records audience).
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use tutti_store::records::search::{Found, RecordHit, RecordSearch};

use super::*;
use crate::access::Routes;

pub fn routes() -> Routes {
    Routes::new().route("/admin/search", get(search))
}

#[derive(Deserialize, Default)]
pub struct SearchParams {
    #[serde(default)]
    pub q: String,
    /// One kind of record, or every kind when empty or unknown.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub archived: String,
    pub page: Option<String>,
}

/// One record found, as the page shows it.
pub struct Row {
    pub kind: &'static str,
    pub title: String,
    pub href: String,
    /// Safe HTML: escaped, the matched words marked.
    pub detail: String,
    pub archived: bool,
}

fn row(hit: RecordHit) -> Row {
    let (kind, href) = match hit.kind {
        Found::Pupil => ("Pupil", format!("/admin/pupils/{}", hit.id)),
        Found::School => ("School", format!("/admin/schools/{}", hit.id)),
        Found::Staff => ("Staff", format!("/admin/staff/{}", hit.id)),
        // A guardian's record is shown with their child's.
        Found::Guardian => (
            "Guardian",
            hit.pupil_id
                .map(|p| format!("/admin/pupils/{p}"))
                .unwrap_or_else(|| "/admin/pupils".into()),
        ),
    };
    Row {
        kind,
        title: hit.title,
        href,
        detail: crate::format::marked(&hit.detail),
        archived: hit.archived,
    }
}

#[derive(Template)]
#[template(path = "records/search.html")]
struct SearchPage {
    shell: Shell,
    q: String,
    kind: String,
    archived: bool,
    kinds: Vec<(&'static str, &'static str)>,
    rows: Vec<Row>,
    total: u64,
    capped: bool,
    page: u64,
    pages: u64,
    query: String,
}

async fn search(State(state): State<AppState>, visitor: Visitor, Query(p): Query<SearchParams>) -> AppResult<Response> {
    let q: String = p.q.trim().chars().take(100).collect();
    let kind = Found::parse(p.kind.trim());
    let archived = matches!(p.archived.as_str(), "1" | "on" | "true");
    let found = state
        .store
        .search_records(&RecordSearch {
            q: q.clone(),
            kinds: kind.into_iter().collect(),
            include_archived: archived,
            page: page_number(p.page.as_deref()),
            per_page: PER_PAGE,
        })
        .await?;
    let pages = found.pages();
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("q", &q);
    if let Some(k) = kind {
        query.append_pair("kind", k.as_str());
    }
    if archived {
        query.append_pair("archived", "1");
    }
    render(&SearchPage {
        shell: Shell::new(&state, &visitor, "Find a record", "/admin/search"),
        kind: kind.map(|k| k.as_str()).unwrap_or_default().to_owned(),
        archived,
        kinds: vec![
            ("", "Every kind"),
            ("pupil", "Pupils"),
            ("school", "Schools"),
            ("staff", "Staff"),
            ("guardian", "Guardians"),
        ],
        total: found.total,
        capped: found.capped,
        page: found.page,
        pages,
        rows: found.rows.into_iter().map(row).collect(),
        query: query.finish(),
        q,
    })
}
