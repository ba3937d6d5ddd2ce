//! The office's privacy pages: `/admin/privacy` lists the requests not yet answered (soonest
//! due first, overdue ones marked) with a form to log one; `/admin/privacy/{kind}/{id}` shows a
//! person's export to download and what erasing them would remove and keep, and why, before a
//! confirmed erasure does it in one transaction.
use askama::Template;
use axum::extract::{Form, Path};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tutti_domain::privacy::{ConsentHow, ConsentKind};
use tutti_store::StoreError;
use tutti_store::privacy::consent::ConsentEvent;
use tutti_store::privacy::erasure::{ErasurePlan, PlanLine};
use tutti_store::privacy::requests::RequestKind;
use tutti_store::privacy::subject::{Subject, SubjectKind};

use crate::access::Routes;
use crate::acting::Acting;
use crate::error::{AppError, AppResult};
use crate::format::{short_day, when};
use crate::forms::FormErrors;
use crate::pages::{render, render_clearing_flash};
use crate::session::Visitor;
use crate::shell::Shell;
use crate::state::AppState;

pub fn routes() -> Routes {
    Routes::new()
        .route("/admin/privacy", get(requests).post(log_request))
        .route("/admin/privacy/{kind}/{id}", get(person))
        .route("/admin/privacy/{kind}/{id}/export", get(export))
        .route("/admin/privacy/{kind}/{id}/erase", post(erase))
        .route("/admin/privacy/pupil/{id}/consents", post(record_consent))
}

struct RequestRow {
    what: String,
    person: String,
    href: String,
    received: String,
    due: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "privacy/requests.html")]
struct RequestsPage {
    shell: Shell,
    csrf: String,
    rows: Vec<RequestRow>,
    errors: FormErrors,
    kind: String,
    subject_kind: String,
    subject_id: String,
    /// The retention schedule: each kind's period, and what has passed it today.
    schedule: Vec<ScheduleRow>,
}

struct ScheduleRow {
    label: &'static str,
    months: u32,
    default_months: u32,
    cutoff: String,
    due: u64,
}

async fn requests_page(
    state: &AppState,
    visitor: &Visitor,
    errors: FormErrors,
    input: &LogInput,
) -> AppResult<Response> {
    let today = state.store.today();
    let mut rows = Vec::new();
    for r in state.store.open_privacy_requests().await? {
        let Some(kind) = SubjectKind::parse(&r.subject_kind) else {
            continue;
        };
        let subject = Subject::new(kind, r.subject_id);
        let person = match state.store.subject_label(subject).await {
            Ok(name) => name,
            Err(StoreError::NotFound) => format!("{} {} (no longer held)", kind.as_str(), r.subject_id),
            Err(e) => return Err(e.into()),
        };
        rows.push(RequestRow {
            what: if r.kind == "erasure" {
                "Erasure".into()
            } else {
                "Subject access".into()
            },
            person,
            href: format!("/admin/privacy/{}/{}", kind.as_str(), r.subject_id),
            received: when(r.received_at),
            due: short_day(r.due_on),
            overdue: r.due_on < today,
        });
    }
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = RequestsPage {
        shell: Shell::new(state, visitor, "Privacy requests", "/admin/privacy"),
        csrf: visitor.csrf(),
        rows,
        errors,
        kind: input.kind.clone(),
        subject_kind: input.subject_kind.clone(),
        subject_id: input.subject_id.clone(),
        schedule: state
            .store
            .retention_schedule()
            .await?
            .into_iter()
            .map(|l| ScheduleRow {
                label: l.label,
                months: l.months,
                default_months: l.default_months,
                cutoff: short_day(l.cutoff),
                due: l.due,
            })
            .collect(),
    };
    if status == axum::http::StatusCode::OK {
        render_clearing_flash(state, visitor, &page).await
    } else {
        Ok((status, render(&page)?).into_response())
    }
}

async fn requests(a: Acting) -> AppResult<Response> {
    requests_page(&a.state, &a.visitor, FormErrors::default(), &LogInput::default()).await
}

#[derive(Deserialize, Default)]
struct LogInput {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    subject_kind: String,
    #[serde(default)]
    subject_id: String,
}

async fn log_request(a: Acting, Form(input): Form<LogInput>) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let kind = RequestKind::parse(input.kind.trim());
    if kind.is_none() {
        errors.add("kind", "Choose whether they asked for their records or to be erased");
    }
    let subject_kind = SubjectKind::parse(input.subject_kind.trim());
    if subject_kind.is_none() {
        errors.add(
            "subject_kind",
            "Choose who asked: a pupil, a parent or carer, a member of staff or an account",
        );
    }
    let id: Option<i64> = input.subject_id.trim().parse().ok();
    if id.is_none() {
        errors.add("subject_id", "Enter the record's number, as its page shows it");
    }
    let (Some(kind), Some(subject_kind), Some(id)) = (kind, subject_kind, id) else {
        return requests_page(&a.state, &a.visitor, errors, &input).await;
    };
    let subject = Subject::new(subject_kind, id);
    if let Err(StoreError::NotFound) = a.state.store.subject_label(subject).await {
        errors.add("subject_id", "There is no such record: check the number on its page");
        return requests_page(&a.state, &a.visitor, errors, &input).await;
    }
    a.state.store.log_privacy_request(&a.actor(), kind, subject).await?;
    a.done(
        "Request logged: it is due a calendar month from today.",
        "/admin/privacy",
    )
    .await
}

fn subject_of(kind: &str, id: i64) -> AppResult<Subject> {
    SubjectKind::parse(kind)
        .map(|k| Subject::new(k, id))
        .ok_or(AppError::NotFound)
}

/// One line of the plan as the page says it.
struct PlanRow {
    what: String,
    rows: usize,
    fields: String,
    why: &'static str,
}

fn rows<'a>(lines: impl Iterator<Item = &'a PlanLine>) -> Vec<PlanRow> {
    lines
        .map(|l| PlanRow {
            what: l.table.replace('_', " "),
            rows: l.rows,
            fields: l.fields.join(", "),
            why: l.why,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "privacy/person.html")]
struct PersonPage {
    shell: Shell,
    csrf: String,
    href: String,
    id: i64,
    name: String,
    removed: Vec<PlanRow>,
    kept: Vec<PlanRow>,
    erasable: bool,
    /// A pupil's consents: where each stands, and every change.
    consents: Vec<ConsentRow>,
    history: Vec<ConsentRow>,
}

/// A consent as the page says it.
struct ConsentRow {
    what: &'static str,
    state: String,
    when: String,
    how: String,
    by: String,
}

fn consent_row(kind: ConsentKind, e: Option<&ConsentEvent>) -> ConsentRow {
    match e {
        Some(e) => ConsentRow {
            what: kind.label(),
            state: if e.given { "Given".into() } else { "Withdrawn".into() },
            when: when(e.at),
            how: e.how.clone(),
            by: e.by.clone().unwrap_or_else(|| "the office".into()),
        },
        None => ConsentRow {
            what: kind.label(),
            state: "Not given (never asked)".into(),
            when: String::new(),
            how: String::new(),
            by: String::new(),
        },
    }
}

async fn person(a: Acting, Path((kind, id)): Path<(String, i64)>) -> AppResult<Response> {
    let subject = subject_of(&kind, id)?;
    let name = a.state.store.subject_label(subject).await?;
    let plan: ErasurePlan = a.state.store.erasure_plan(subject).await?;
    let (consents, history) = if subject.kind == SubjectKind::Pupil {
        let states = a.state.store.consents(id).await?;
        let history = a.state.store.consent_history(id).await?;
        (
            states.iter().map(|s| consent_row(s.kind, s.latest.as_ref())).collect(),
            history
                .iter()
                .rev()
                .filter_map(|e| Some(consent_row(ConsentKind::parse(&e.kind)?, Some(e))))
                .collect(),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    render_clearing_flash(
        &a.state,
        &a.visitor,
        &PersonPage {
            shell: Shell::new(&a.state, &a.visitor, format!("Privacy: {name}"), "/admin/privacy"),
            csrf: a.csrf(),
            href: format!("/admin/privacy/{}/{id}", subject.kind.as_str()),
            id,
            removed: rows(plan.removed()),
            kept: rows(plan.kept()),
            erasable: subject.kind != SubjectKind::User,
            consents,
            history,
            name,
        },
    )
    .await
}

async fn export(a: Acting, Path((kind, id)): Path<(String, i64)>) -> AppResult<Response> {
    let subject = subject_of(&kind, id)?;
    let export = a.state.store.subject_export(subject).await?;
    a.state.store.audit_export(&a.actor(), subject).await?;
    a.state
        .store
        .answer_privacy_requests(RequestKind::Access, subject)
        .await?;
    Ok(super::document::download(&export, &a.state.hub_name()))
}

#[derive(Deserialize, Default)]
struct EraseInput {
    #[serde(default)]
    confirm: String,
}

async fn erase(a: Acting, Path((kind, id)): Path<(String, i64)>, Form(input): Form<EraseInput>) -> AppResult<Response> {
    let subject = subject_of(&kind, id)?;
    if subject.kind == SubjectKind::User {
        return Err(AppError::NotFound);
    }
    if input.confirm != "yes" {
        return a
            .done(
                "Nothing was erased: tick the box to confirm first.",
                &format!("/admin/privacy/{}/{id}", subject.kind.as_str()),
            )
            .await;
    }
    a.state.store.erase(&a.actor(), subject).await?;
    a.done(
        "Erased: their personal data is gone; the financial records kept are pseudonymised.",
        "/admin/privacy",
    )
    .await
}

#[derive(Deserialize, Default)]
struct ConsentInput {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    given: String,
    #[serde(default)]
    how: String,
}

/// The office records a consent given or withdrawn (on paper, by phone): bad input changes
/// nothing and says which field.
async fn record_consent(a: Acting, Path(id): Path<i64>, Form(input): Form<ConsentInput>) -> AppResult<Response> {
    let kind = ConsentKind::parse(input.kind.trim());
    let how = ConsentHow::parse(input.how.trim());
    let given = match input.given.trim() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    let (Some(kind), Some(how), Some(given)) = (kind, how, given) else {
        return a
            .done(
                "Nothing was recorded: choose the consent, whether it was given or withdrawn, and how.",
                &format!("/admin/privacy/pupil/{id}#consents"),
            )
            .await;
    };
    a.state.store.record_consent(&a.actor(), id, kind, given, how).await?;
    a.done(
        if given {
            "Consent recorded as given."
        } else {
            "Consent recorded as withdrawn: it applies everywhere at once."
        },
        &format!("/admin/privacy/pupil/{id}#consents"),
    )
    .await
}
