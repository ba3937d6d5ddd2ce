//! The pages of the forms someone fills in before they are signed in (sign up, password
//! reset, accepting an invitation): each holds the visitor's form token, and sets it as a
//! cookie when the visitor had none yet.
use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::AppResult;
use crate::pages::render;
use crate::session::{Visitor, form_token};
use crate::state::AppState;

/// `response`, setting `cookie` when there is one.
pub(super) fn with_cookie(mut response: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(c) = cookie {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    response
}

/// A form's page made by `page` from the visitor's form token, answered with `status`: 200
/// blank, 422 sent back with its errors.
pub(super) async fn form_page<P: Template>(
    state: &AppState,
    visitor: &Visitor,
    status: StatusCode,
    page: impl FnOnce(String) -> P,
) -> AppResult<Response> {
    let (csrf, cookie) = form_token(state, visitor).await?;
    Ok(with_cookie((status, render(&page(csrf))?).into_response(), cookie))
}
