//! How large a request body may be: small for anyone not signed in (a login, a contact form,
//! the payment provider's webhook), larger for people signed in (a JSON record, a CSV
//! import), large only where an admin uploads a file (and only once the route's guard has let
//! them through, since the body is read after it), so that an anonymous visitor cannot make
//! the server hold tens of megabytes.
use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::session::Visitor;

/// Anyone not signed in: forms of a few fields and the payment provider's events.
pub const ANONYMOUS: usize = 256 * 1024;
/// Forms, JSON and CSV files.
pub const DEFAULT: usize = 4 * 1024 * 1024;
/// File uploads: the largest file the store accepts (tutti_store::content::files) and its form.
pub const UPLOAD: usize = tutti_store::content::files::MAX_AUDIO_BYTES + 1024 * 1024;

/// The limit for a request path: only the content file upload (`/admin/content/{id}/file`)
/// takes large bodies.
pub fn for_path(path: &str) -> usize {
    let upload = path
        .strip_prefix("/admin/content/")
        .and_then(|rest| rest.strip_suffix("/file"))
        .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()));
    if upload { UPLOAD } else { DEFAULT }
}

/// The limit for a request from this visitor to this path.
pub fn for_request(path: &str, signed_in: bool) -> usize {
    if signed_in { for_path(path) } else { ANONYMOUS }
}

/// Refuses a body declared too large before reading it, and caps one that is not declared.
pub async fn limit(request: Request, next: Next) -> Response {
    let signed_in = request
        .extensions()
        .get::<Visitor>()
        .is_some_and(|v| v.user().is_some());
    let max = for_request(request.uri().path(), signed_in);
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max) {
        let size = if max >= 1024 * 1024 {
            format!("{} MB", max / (1024 * 1024))
        } else {
            format!("{} KB", max / 1024)
        };
        let who = if signed_in { "" } else { " without logging in" };
        let message = format!("The request is too large: at most {size} is accepted here{who}.");
        // The API answers with a problem, as it does every error.
        if request.uri().path().starts_with("/api/") {
            return crate::problem::Problem::new(StatusCode::PAYLOAD_TOO_LARGE, message).into_response();
        }
        return (StatusCode::PAYLOAD_TOO_LARGE, AppError::BadRequest(message)).into_response();
    }
    let (parts, body) = request.into_parts();
    let body = Body::new(http_body_util::Limited::new(body, max));
    next.run(Request::from_parts(parts, body)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_file_upload_takes_large_bodies() {
        assert_eq!(for_path("/admin/content/12/file"), UPLOAD);
        assert_eq!(for_path("/admin/content/new/file"), DEFAULT);
        assert_eq!(for_path("/admin/content//file"), DEFAULT);
        assert_eq!(for_path("/admin/pupils/import"), DEFAULT);
        assert_eq!(for_path("/contact"), DEFAULT);
        const { assert!(UPLOAD > 50 * 1024 * 1024) };
        assert_eq!(for_request("/admin/content/12/file", false), ANONYMOUS);
        assert_eq!(for_request("/admin/content/12/file", true), UPLOAD);
        assert_eq!(for_request("/contact", false), ANONYMOUS);
    }
}
