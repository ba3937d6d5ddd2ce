//! The audit log for managers and admins: who did what to which record, filterable.
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use tutti_store::platform::audit::AuditFilter;

use super::*;
use crate::access::Routes;

pub fn routes() -> Routes {
    Routes::new()
        .route("/admin/audit", get(list))
        .route("/admin/records", get(index))
}

#[derive(Deserialize, Default)]
pub struct AuditParams {
    #[serde(default)]
    pub entity: String,
    #[serde(default)]
    pub entity_id: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub actor: String,
    pub page: Option<String>,
}

impl AuditParams {
    pub fn filter(&self, per_page: u64) -> AuditFilter {
        AuditFilter {
            entity: self.entity.clone(),
            entity_id: self.entity_id.trim().parse().ok(),
            action: self.action.clone(),
            actor: self.actor.clone(),
            page: page_number(self.page.as_deref()),
            per_page,
        }
    }
}

#[derive(Template)]
#[template(path = "records/audit.html")]
struct AuditPage {
    shell: Shell,
    p: AuditParams,
    rows: Vec<Vec<String>>,
    total: u64,
    page: u64,
    pages: u64,
    query: String,
}

async fn list(State(state): State<AppState>, visitor: Visitor, Query(p): Query<AuditParams>) -> AppResult<Response> {
    let page = state.store.audit_events(&p.filter(50)).await?;
    let pages = page.pages();
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("entity", &p.entity)
        .append_pair("entity_id", &p.entity_id)
        .append_pair("action", &p.action)
        .append_pair("actor", &p.actor)
        .finish();
    let rows = page
        .rows
        .into_iter()
        .map(|e| {
            vec![
                crate::format::when(e.at),
                e.actor,
                e.action,
                match e.entity_id {
                    Some(id) => format!("{} {id}", e.entity),
                    None => e.entity,
                },
                e.summary,
                e.ip,
            ]
        })
        .collect();
    render(&AuditPage {
        shell: Shell::new(&state, &visitor, "Audit log", "/admin/audit"),
        total: page.total,
        page: page.page,
        pages,
        rows,
        p,
        query,
    })
}

#[derive(Template)]
#[template(path = "records/index.html")]
struct IndexPage {
    shell: Shell,
}

async fn index(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    render(&IndexPage {
        shell: Shell::new(&state, &visitor, "Records", "/admin/records"),
    })
}
