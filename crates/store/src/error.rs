//! The store's error type: database failures and the domain conflicts callers must handle.
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("{0}")]
    Conflict(String),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Refused(String),
    #[error("password hashing failed")]
    Hash,
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
