//! The privacy API, the office's only: `GET /api/v1/{pupils,guardians,staff,users}/{id}/export`
//! (a person's subject access export as a ZIP of JSON and a readable document) and
//! `POST /api/v1/{pupils,guardians,staff}/{id}/erasure` (with `dry_run`: what erasure removes
//! and keeps and why; without it, done). Decision 0088.
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use tutti_store::privacy::erasure::{ErasurePlan, PlanLine};
use tutti_store::privacy::requests::RequestKind;
use tutti_store::privacy::subject::{Subject, SubjectKind};
use utoipa::{OpenApi, ToSchema};

use crate::access::{Access, Audience, Routes};
use crate::api_extract::{ApiJson, ApiPath};
use crate::routes::api::caller::Caller;
use crate::routes::api::{ApiError, invalid, office, ok};

/// Signed in by token or session; the office only, checked in each handler so that the
/// answer is JSON.
pub fn audience() -> Audience {
    Audience::new(
        Access::SignedIn,
        Routes::new()
            .route("/api/v1/pupils/{id}/export", get(export_pupil))
            .route("/api/v1/guardians/{id}/export", get(export_guardian))
            .route("/api/v1/staff/{id}/export", get(export_staff))
            .route("/api/v1/users/{id}/export", get(export_user))
            .route("/api/v1/pupils/{id}/erasure", post(erase_pupil))
            .route("/api/v1/guardians/{id}/erasure", post(erase_guardian))
            .route("/api/v1/staff/{id}/erasure", post(erase_staff)),
    )
}

#[derive(OpenApi)]
#[openapi(paths(
    export_pupil,
    export_guardian,
    export_staff,
    export_user,
    erase_pupil,
    erase_guardian,
    erase_staff
))]
pub struct PrivacyDoc;

async fn export_of(Caller { state, user, actor }: Caller, subject: Subject) -> Result<Response, ApiError> {
    office(&user)?;
    let export = state.store.subject_export(subject).await?;
    state.store.audit_export(&actor, subject).await?;
    state
        .store
        .answer_privacy_requests(RequestKind::Access, subject)
        .await?;
    Ok(crate::routes::privacy::document::download(&export, &state.hub_name()))
}

/// A pupil's subject access export (the office only): a ZIP holding `export.json` and
/// `export.html`, every record that refers to them and who viewed or changed it.
#[utoipa::path(get, path = "/api/v1/pupils/{id}/export", tag = "privacy",
    params(("id" = i64, Path, description = "The pupil's id")),
    responses((status = 200, description = "The export, a ZIP", content_type = "application/zip", body = Vec<u8>),
              (status = 403, description = "Only the office exports a person's records"),
              (status = 404, description = "No such pupil")))]
async fn export_pupil(caller: Caller, ApiPath(id): ApiPath<i64>) -> Result<Response, ApiError> {
    export_of(caller, Subject::new(SubjectKind::Pupil, id)).await
}

/// A parent or carer's subject access export (the office only), as for a pupil.
#[utoipa::path(get, path = "/api/v1/guardians/{id}/export", tag = "privacy",
    params(("id" = i64, Path, description = "The guardian's id")),
    responses((status = 200, description = "The export, a ZIP", content_type = "application/zip", body = Vec<u8>),
              (status = 403, description = "Only the office exports a person's records"),
              (status = 404, description = "No such guardian")))]
async fn export_guardian(caller: Caller, ApiPath(id): ApiPath<i64>) -> Result<Response, ApiError> {
    export_of(caller, Subject::new(SubjectKind::Guardian, id)).await
}

/// A member of staff's subject access export (the office only), as for a pupil.
#[utoipa::path(get, path = "/api/v1/staff/{id}/export", tag = "privacy",
    params(("id" = i64, Path, description = "The member of staff's id")),
    responses((status = 200, description = "The export, a ZIP", content_type = "application/zip", body = Vec<u8>),
              (status = 403, description = "Only the office exports a person's records"),
              (status = 404, description = "No such member of staff")))]
async fn export_staff(caller: Caller, ApiPath(id): ApiPath<i64>) -> Result<Response, ApiError> {
    export_of(caller, Subject::new(SubjectKind::Staff, id)).await
}

/// An account's subject access export (the office only), as for a pupil.
#[utoipa::path(get, path = "/api/v1/users/{id}/export", tag = "privacy",
    params(("id" = i64, Path, description = "The account's id")),
    responses((status = 200, description = "The export, a ZIP", content_type = "application/zip", body = Vec<u8>),
              (status = 403, description = "Only the office exports a person's records"),
              (status = 404, description = "No such account")))]
async fn export_user(caller: Caller, ApiPath(id): ApiPath<i64>) -> Result<Response, ApiError> {
    export_of(caller, Subject::new(SubjectKind::User, id)).await
}

/// Whether to erase, or only say what erasing would do.
#[derive(Deserialize, ToSchema)]
pub struct ErasureBody {
    /// true: say what would be removed and kept, changing nothing; false: erase.
    #[schema(value_type = bool, required = true)]
    dry_run: Option<bool>,
}

/// One kind of record and what erasure does to it.
#[derive(Serialize, ToSchema)]
pub struct ErasureLine {
    /// The table.
    pub records: String,
    pub rows: u64,
    /// The personal fields emptied or pseudonymised (none listed when the rows are removed).
    pub fields: Vec<String>,
    /// removed, anonymised or kept-pseudonymised.
    pub treatment: String,
    pub why: String,
}

/// What erasure removes and keeps, and why; done or not.
#[derive(Serialize, ToSchema)]
pub struct ErasureReport {
    pub subject_kind: String,
    pub subject_id: i64,
    /// false for a dry run: nothing was changed.
    pub done: bool,
    pub removed: Vec<ErasureLine>,
    pub kept: Vec<ErasureLine>,
    /// Rows elsewhere whose text named them and was rewritten (0 in a dry run).
    pub mentions: u64,
}

fn line(l: &PlanLine) -> ErasureLine {
    ErasureLine {
        records: l.table.clone(),
        rows: l.rows as u64,
        fields: l.fields.clone(),
        treatment: serde_json::to_value(l.treatment)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        why: l.why.to_owned(),
    }
}

fn report(plan: &ErasurePlan) -> ErasureReport {
    ErasureReport {
        subject_kind: plan.subject.kind.as_str().to_owned(),
        subject_id: plan.subject.id,
        done: plan.done,
        removed: plan.removed().map(line).collect(),
        kept: plan.kept().map(line).collect(),
        mentions: plan.mentions as u64,
    }
}

async fn erasure_of(
    Caller { state, user, actor }: Caller,
    subject: Subject,
    body: ErasureBody,
) -> Result<Response, ApiError> {
    office(&user)?;
    // Erasure cannot be undone: it is done only when asked for in so many words.
    let Some(dry_run) = body.dry_run else {
        return Err(invalid(
            "dry_run",
            "Say dry_run: true to see what erasure would do, or false to erase.",
        ));
    };
    let plan = if dry_run {
        state.store.erasure_plan(subject).await?
    } else {
        state.store.erase(&actor, subject).await?
    };
    ok(StatusCode::OK, report(&plan))
}

/// Erases a pupil (the office only), or with `dry_run` says what erasing would remove and
/// keep and why. Financial records are kept six years, pseudonymised; their login ends.
#[utoipa::path(post, path = "/api/v1/pupils/{id}/erasure", tag = "privacy", request_body = ErasureBody,
    params(("id" = i64, Path, description = "The pupil's id")),
    responses((status = 200, description = "What erasure did, or would do", body = ErasureReport),
              (status = 403, description = "Only the office erases a person"),
              (status = 404, description = "No such pupil"),
              (status = 422, description = "dry_run missing")))]
async fn erase_pupil(
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ErasureBody>,
) -> Result<Response, ApiError> {
    erasure_of(caller, Subject::new(SubjectKind::Pupil, id), body).await
}

/// Erases a parent or carer (the office only), as for a pupil.
#[utoipa::path(post, path = "/api/v1/guardians/{id}/erasure", tag = "privacy", request_body = ErasureBody,
    params(("id" = i64, Path, description = "The guardian's id")),
    responses((status = 200, description = "What erasure did, or would do", body = ErasureReport),
              (status = 403, description = "Only the office erases a person"),
              (status = 404, description = "No such guardian"),
              (status = 422, description = "dry_run missing")))]
async fn erase_guardian(
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ErasureBody>,
) -> Result<Response, ApiError> {
    erasure_of(caller, Subject::new(SubjectKind::Guardian, id), body).await
}

/// Erases a member of staff (the office only), as for a pupil.
#[utoipa::path(post, path = "/api/v1/staff/{id}/erasure", tag = "privacy", request_body = ErasureBody,
    params(("id" = i64, Path, description = "The member of staff's id")),
    responses((status = 200, description = "What erasure did, or would do", body = ErasureReport),
              (status = 403, description = "Only the office erases a person"),
              (status = 404, description = "No such member of staff"),
              (status = 422, description = "dry_run missing")))]
async fn erase_staff(
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ErasureBody>,
) -> Result<Response, ApiError> {
    erasure_of(caller, Subject::new(SubjectKind::Staff, id), body).await
}
