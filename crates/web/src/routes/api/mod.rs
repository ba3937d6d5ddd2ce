//! The JSON API under /api/v1, a file per feature, described by the OpenAPI 3.1 document at
//! /api/openapi.json. Every body, asked or answered, is a Rust type whose schema is derived
//! (`utoipa::ToSchema`) and named in its operation's `responses(...)`, so the document says
//! what the server does; every error is an RFC 9457 problem naming the field at fault; every
//! list answers with one shape, `schemas::Page`. The screens' rules hold: writes are for
//! admins and managers, pupils are scoped to whoever asks, and someone else's record is 404.
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tutti_store::StoreError;
use tutti_store::platform::accounts::{Role, User};
use utoipa::OpenApi;

pub mod allocation;
pub mod billing;
pub(crate) mod caller;
pub mod enrolments;
pub mod ensembles;
pub mod events;
mod fields;
pub mod hours;
pub mod identity;
pub mod invitations;
pub mod jobs;
pub mod lessons;
pub mod loans;
pub mod privacy;
pub mod records;
pub mod schemas;
pub mod school_contacts;
pub mod terms;

use crate::access::{Access, Audience, Routes};
use crate::forms::FormErrors;
use crate::problem::Problem;

/// The core records and the audit log (`records.rs`).
pub fn audience() -> Audience {
    records::audience()
}

/// The OpenAPI document is public, like any API reference.
pub fn docs_audience() -> Audience {
    Audience::new(
        Access::Public,
        Routes::new().route("/api/openapi.json", get(|| async { Json(document()) })),
    )
}

/// The whole document, as served.
pub fn document() -> serde_json::Value {
    let mut doc = ApiDoc::openapi();
    doc.merge(records::RecordsDoc::openapi());
    doc.merge(lessons::LessonsDoc::openapi());
    doc.merge(enrolments::EnrolmentsDoc::openapi());
    doc.merge(billing::BillingDoc::openapi());
    doc.merge(allocation::AllocationDoc::openapi());
    doc.merge(hours::HoursDoc::openapi());
    doc.merge(identity::IdentityDoc::openapi());
    doc.merge(invitations::InvitationsDoc::openapi());
    doc.merge(school_contacts::SchoolContactsDoc::openapi());
    doc.merge(loans::LoansDoc::openapi());
    doc.merge(terms::TermsDoc::openapi());
    doc.merge(jobs::JobsDoc::openapi());
    doc.merge(ensembles::EnsemblesDoc::openapi());
    doc.merge(events::EventsDoc::openapi());
    doc.merge(privacy::PrivacyDoc::openapi());
    schemas::finish(doc)
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tutti API",
        description = "Core records of a music education hub. Send a personal API token as `Authorization: Bearer TOKEN`. \
Every list answers with one shape, a `Page`: `rows`, `total`, `capped`, `page` and `per_page`, asked for with the query's \
`page` (from 1) and `per_page` (1 to 200, 50 unless said). Timestamps are RFC 3339 in UTC, dates `YYYY-MM-DD`, times of day \
`HH:MM`. Every error is a problem (RFC 9457, `application/problem+json`): 422 names each field that is not of its documented \
shape, 409 a request of the right shape that a rule refuses (a key taken, a lesson double-booked, a file for another year), \
404 a record that does not exist or is not the caller's to see."
    ),
    components(schemas(Problem, crate::problem::FieldProblem))
)]
pub struct ApiDoc;

pub(crate) type ApiResult = Result<Response, ApiError>;

#[derive(Debug)]
pub enum ApiError {
    NotFound,
    Forbidden,
    /// 422: fields not of their documented shape.
    Invalid(FormErrors),
    /// A rule of the hub said no (409, naming the field when the domain does).
    Refused(tutti_domain::Refusal),
    /// Any other problem, as it is.
    Problem(Problem),
    Internal(String),
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Refused(r) => ApiError::Refused(r),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<Problem> for ApiError {
    fn from(p: Problem) -> Self {
        ApiError::Problem(p)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::NotFound => Problem::new(StatusCode::NOT_FOUND, "Not found."),
            ApiError::Forbidden => Problem::new(StatusCode::FORBIDDEN, "Your role may not do this."),
            ApiError::Invalid(errors) => Problem::invalid(errors.list().iter().map(|(f, m)| (*f, m.as_str()))),
            ApiError::Refused(r) => Problem::refused(&r),
            ApiError::Problem(p) => p,
            ApiError::Internal(detail) => {
                tracing::error!(error = %detail, "internal error in the API");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong; it has been logged.",
                )
            }
        }
        .into_response()
    }
}

/// 422 naming one field.
pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> ApiError {
    let mut errors = FormErrors::default();
    errors.add(field, message);
    ApiError::Invalid(errors)
}

/// The office's roles only: for API routes whose audience is everyone signed in, so that a
/// wrong role gets a JSON 403 rather than a page.
pub(crate) fn office(user: &User) -> Result<(), ApiError> {
    if matches!(user.role, Role::Admin | Role::Manager) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

pub(crate) fn ok<T: serde::Serialize>(status: StatusCode, value: T) -> ApiResult {
    Ok((status, Json(value)).into_response())
}
