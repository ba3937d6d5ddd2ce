//! One error type for handlers, rendered as a page that never shows internals.
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tutti_store::StoreError;

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
    #[error("internal: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Refused(m) | StoreError::Conflict(m) => AppError::BadRequest(m),
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
