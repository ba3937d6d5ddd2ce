//! The office's lookup for pickers: `GET /admin/lookup/{kind}?q=` answers with at most twenty
//! live records of that kind matching every word typed, as JSON (number, label, name, detail,
//! key), for `static/pickers.js` to offer as the person types (decision 0074).
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use tutti_store::records::lookup::{LIMIT, LookupKind};

use crate::access::Routes;
use crate::error::{AppError, AppResult};
use crate::pickers::label;
use crate::state::AppState;

pub fn routes() -> Routes {
    Routes::new().route("/admin/lookup/{kind}", get(lookup))
}

#[derive(Deserialize)]
struct LookupQuery {
    #[serde(default)]
    q: String,
}

/// One suggestion.
#[derive(Serialize)]
struct Suggestion {
    id: i64,
    /// What the field holds once it is chosen; the server reads the key back from it.
    label: String,
    name: String,
    detail: String,
    key: String,
}

#[derive(Serialize)]
struct Suggestions {
    kind: &'static str,
    q: String,
    rows: Vec<Suggestion>,
}

async fn lookup(
    State(state): State<AppState>,
    Path(kind): Path<String>,
    Query(p): Query<LookupQuery>,
) -> AppResult<Response> {
    let kind = LookupKind::parse(&kind).ok_or(AppError::NotFound)?;
    // A query is a few words typed into a field; anything longer is not a name.
    let q: String = p.q.chars().take(100).collect();
    let rows = state
        .store
        .lookup(kind, &q, LIMIT)
        .await?
        .into_iter()
        .map(|f| Suggestion {
            id: f.id,
            label: label(kind, &f),
            name: f.name,
            detail: f.detail,
            key: f.key,
        })
        .collect();
    let mut response = Json(Suggestions {
        kind: kind.as_str(),
        q,
        rows,
    })
    .into_response();
    // Names of children: never kept by a shared cache or the browser's.
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}
