//! The audit log for managers and admins: who did what to which record, filterable by a
//! record's name as well as its number; records are shown by name, linked to them.
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use tutti_store::platform::audit::AuditFilter;
use tutti_store::platform::audit_names::{AuditName, is_named};
use tutti_store::records::lookup::LookupKind;

use crate::forms::FormErrors;
use crate::pickers::pick;

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

/// One event as the log shows it.
struct AuditRow {
    when: String,
    who: String,
    action: String,
    /// The record by name ("Pupil Amelia Brown"), or by kind and number when it has no name.
    record: String,
    /// The record's page, when it has one.
    href: Option<String>,
    what: String,
    from: String,
}

/// The page of a record the log names, for the kinds with one.
fn record_page(kind: LookupKind, id: i64) -> String {
    format!("/admin/{}/{id}", kind.as_str())
}

/// "Pupil", "School": the kind as the first word of a record's name.
fn kind_word(kind: LookupKind) -> &'static str {
    match kind {
        LookupKind::School => "School",
        LookupKind::Pupil => "Pupil",
        LookupKind::Guardian => "Parent or carer",
        LookupKind::Staff => "Staff",
        LookupKind::Instrument => "Instrument",
    }
}

/// How the log names a record of the kinds `audit_names` names, and the page that shows it.
fn other_words(entity: &str, n: &AuditName) -> (String, Option<String>) {
    let pupil = n.pupil_id.map(|id| format!("/admin/pupils/{id}"));
    match entity {
        "application" => (format!("Application: {}, {}", n.who, n.what), pupil),
        "enrolment" => (format!("Lessons: {}, {}", n.who, n.what), pupil),
        "instrument_loan" => (format!("Loan: {} to {}", n.what, n.who), pupil),
        "teaching_group" => (format!("Group: {} with {}", n.what, n.who), None),
        "invoice" => (
            format!("Invoice {} to {}", n.what, n.who),
            Some(format!("/admin/billing/invoices/{}", n.id)),
        ),
        _ => (format!("Account {}", n.who), None),
    }
}

#[derive(Template)]
#[template(path = "records/audit.html")]
struct AuditPage {
    shell: Shell,
    p: AuditParams,
    errors: FormErrors,
    rows: Vec<AuditRow>,
    total: u64,
    page: u64,
    pages: u64,
    query: String,
}

async fn list(State(state): State<AppState>, visitor: Visitor, Query(p): Query<AuditParams>) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let mut filter = p.filter(50);
    // The record may be named rather than numbered: the kind chosen says what to look for.
    let typed = p.entity_id.trim();
    if !typed.is_empty() && typed.parse::<i64>().is_err() {
        match LookupKind::from_entity(&p.entity) {
            Some(kind) => {
                let what = kind_word(kind).to_lowercase();
                match pick(&state.store, &mut errors, "entity_id", kind, typed, &what, false).await? {
                    Some(found) => filter.entity_id = Some(found.id),
                    // Nothing matched: show nothing rather than everything.
                    None => filter.entity_id = Some(0),
                }
            }
            None => {
                errors.add(
                    "entity_id",
                    "Choose the record type to find a record by its name, or enter its number",
                );
                filter.entity_id = Some(0);
            }
        }
    }
    let page = state.store.audit_events(&filter).await?;
    let wanted: Vec<(LookupKind, i64)> = page
        .rows
        .iter()
        .filter_map(|e| Some((LookupKind::from_entity(&e.entity)?, e.entity_id?)))
        .collect();
    let names = state.store.record_names(&wanted).await?;
    let others: Vec<(String, i64)> = page
        .rows
        .iter()
        .filter(|e| is_named(&e.entity))
        .filter_map(|e| Some((e.entity.clone(), e.entity_id?)))
        .collect();
    let other_names = state.store.audit_names(&others).await?;
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
            let kind = LookupKind::from_entity(&e.entity);
            let named = kind.zip(e.entity_id).and_then(|k| names.get(&k).map(|f| (k.0, f)));
            let other = e.entity_id.and_then(|id| other_names.get(&(e.entity.clone(), id)));
            let (record, href) = match (named, e.entity_id) {
                (Some((kind, found)), _) => (
                    format!("{} {}", kind_word(kind), found.name),
                    Some(record_page(kind, found.id)),
                ),
                _ if other.is_some() => other_words(&e.entity, other.expect("named")),
                (None, Some(id)) => (format!("{} {id}", e.entity.replace('_', " ")), None),
                (None, None) => (e.entity.replace('_', " "), None),
            };
            AuditRow {
                when: crate::format::when(e.at),
                who: e.actor,
                action: e.action,
                record,
                href,
                what: e.summary,
                from: e.ip,
            }
        })
        .collect();
    render(&AuditPage {
        shell: Shell::new(&state, &visitor, "Audit log", "/admin/audit"),
        errors,
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
