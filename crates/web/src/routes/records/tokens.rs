//! Personal API tokens on the account pages: list your own, create one (its secret is shown
//! once, never stored), revoke. Any signed-in person may hold tokens; the API applies their
//! role's rules to every call.
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tutti_store::StoreError;
use tutti_store::api_tokens::ApiToken;

use crate::access::{Access, Audience};
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::pages::{Shell, render, render_clearing_flash};
use crate::session::{SignedIn, Visitor};
use crate::state::AppState;

use super::actor;

pub fn audience() -> Audience {
    Audience::new(
        Access::SignedIn,
        Router::new()
            .route("/account/tokens", get(list).post(create))
            .route("/account/tokens/{id}/revoke", post(revoke)),
    )
}

#[derive(Template)]
#[template(path = "records/tokens.html")]
pub struct TokensPage {
    pub shell: Shell,
    pub csrf: String,
    pub errors: FormErrors,
    pub name: String,
    pub tokens: Vec<TokenRow>,
    /// The secret of a token just created: shown on this response only.
    pub created: Option<String>,
}

/// A token as the page lists it.
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub created: String,
    pub last_used: String,
}

impl From<ApiToken> for TokenRow {
    fn from(t: ApiToken) -> Self {
        TokenRow {
            id: t.id,
            name: t.name,
            created: when(t.created_at),
            last_used: t.last_used_at.map(when).unwrap_or_else(|| "Never".into()),
        }
    }
}

use crate::dates::when;

async fn page(
    state: &AppState,
    visitor: &Visitor,
    signed: &SignedIn,
    errors: FormErrors,
    name: String,
) -> AppResult<TokensPage> {
    Ok(TokensPage {
        shell: Shell::new(state, visitor, "Your API tokens", "/account/tokens"),
        csrf: signed.1.csrf_token.clone(),
        errors,
        name,
        tokens: state
            .store
            .api_tokens_of(signed.0.id)
            .await?
            .into_iter()
            .map(TokenRow::from)
            .collect(),
        created: None,
    })
}

async fn list(State(state): State<AppState>, visitor: Visitor, signed: SignedIn) -> AppResult<Response> {
    let p = page(&state, &visitor, &signed, FormErrors::default(), String::new()).await?;
    render_clearing_flash(&state, &visitor, &p).await
}

#[derive(Deserialize)]
struct NewToken {
    #[serde(default)]
    name: String,
}

async fn create(
    State(state): State<AppState>,
    visitor: Visitor,
    signed: SignedIn,
    Form(form): Form<NewToken>,
) -> AppResult<Response> {
    let name = form.name.trim();
    let mut errors = FormErrors::default();
    if name.is_empty() {
        errors.add("name", "Give the token a name, like the program that will use it");
    } else if name.chars().count() > 100 {
        errors.add("name", "The name must be 100 characters or fewer");
    }
    if !errors.is_empty() {
        let p = page(&state, &visitor, &signed, errors, form.name.clone()).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response());
    }
    let secret = state
        .store
        .create_api_token(&actor(&signed.0, &visitor), signed.0.id, name)
        .await?;
    let mut p = page(&state, &visitor, &signed, FormErrors::default(), String::new()).await?;
    p.created = Some(secret);
    // The secret is on this page only: it must not be cached anywhere on the way.
    let mut response = render(&p)?;
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

async fn revoke(
    State(state): State<AppState>,
    visitor: Visitor,
    signed: SignedIn,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    // Someone else's token is "not found", exactly like one that does not exist.
    match state
        .store
        .revoke_api_token(&actor(&signed.0, &visitor), signed.0.id, id)
        .await
    {
        Ok(()) => {}
        Err(StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    }
    state
        .store
        .set_flash(
            &signed.1.id_hash,
            Some("The token was revoked; programs using it can no longer sign in."),
        )
        .await?;
    Ok(axum::response::Redirect::to("/account/tokens").into_response())
}
