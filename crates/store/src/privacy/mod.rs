//! Privacy by law (issue 21, decision 0088): the schema read for personal data, subject
//! access exports, erasure, the requests' log, retention and consents.
pub mod consent;
pub mod erasure;
pub mod export;
pub mod find;
pub mod requests;
pub mod retention;
pub mod schema;
pub mod subject;
