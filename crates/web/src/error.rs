//! One error type for handlers, rendered as a page that never shows internals; and the one
//! place a page turns the domain's refusals (`tutti_domain::Refusal`, returned by the store)
//! into what people read: an error page, or a message beside a form's field.
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tutti_domain::Refusal;
use tutti_store::StoreError;

use crate::forms::FormErrors;
use crate::shell::ErrorPage;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// Signed in, but without the role or the right to this record.
    #[error("forbidden")]
    Forbidden(String),
    #[error("bad request: {0}")]
    BadRequest(String),
    /// A rule of the hub said no: the page says why, in the domain's words.
    #[error("refused: {0}")]
    Refused(Refusal),
    #[error("internal: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Refused(r) => AppError::Refused(r),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, heading, message) = match self {
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "Page not found",
                "If you typed the web address, check it is correct. If you followed a link, it may be out of date."
                    .to_owned(),
            ),
            AppError::Forbidden(m) => (StatusCode::FORBIDDEN, "You cannot see this page", m),
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, "Something was wrong with the request", m),
            AppError::Refused(r) => (
                StatusCode::BAD_REQUEST,
                "Something was wrong with the request",
                message(&r),
            ),
            AppError::Internal(detail) => {
                // The detail goes to the log, never to the page.
                tracing::error!(error = %detail, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Sorry, something went wrong",
                    "The problem has been logged. Try again in a few minutes.".to_owned(),
                )
            }
        };
        ErrorPage::response(status, heading, &message)
    }
}

/// What a person reads for a refusal: the domain's own words, the same on every page and in
/// the API.
pub fn message(r: &Refusal) -> String {
    r.to_string()
}

/// A refusal from the store becomes a message beside `field`, the form's own name for what
/// was refused; any other error is the page's error.
pub fn refused_on(e: StoreError, field: &'static str, errors: &mut FormErrors) -> AppResult<()> {
    match e {
        StoreError::Refused(r) => {
            errors.add(field, message(&r));
            Ok(())
        }
        other => Err(other.into()),
    }
}

/// A refusal from the store becomes a message beside the field the domain names (a form
/// named as the domain names its fields), else beside `fallback`.
pub fn refused_on_its_field(e: StoreError, fallback: &'static str, errors: &mut FormErrors) -> AppResult<()> {
    match e {
        StoreError::Refused(r) => {
            errors.add(r.field().unwrap_or(fallback), message(&r));
            Ok(())
        }
        other => Err(other.into()),
    }
}

/// A refusal from the store as a sentence to show (a flash, a notice on the page); any
/// other error is the page's error.
pub fn refusal_text(e: StoreError) -> AppResult<String> {
    match e {
        StoreError::Refused(r) => Ok(message(&r)),
        other => Err(other.into()),
    }
}
