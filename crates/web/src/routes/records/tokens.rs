//! Personal API tokens on the account pages: list your own, create one (its secret is shown
//! once, never stored), revoke. Any signed-in person may hold tokens; the API applies their
//! role's rules to every call.
use askama::Template;
use axum::extract::{Form, Path};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tutti_store::StoreError;
use tutti_store::platform::api_tokens::{ApiToken, DEFAULT_LIFETIME, MAX_LIFETIME, TokenScope};

use crate::access::{Access, Audience, Routes};
use crate::acting::Acting;
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::pages::{render, render_clearing_flash};
use crate::shell::Shell;

pub fn audience() -> Audience {
    Audience::new(
        Access::SignedIn,
        Routes::new()
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
    pub scope: String,
    pub days: String,
    pub tokens: Vec<TokenRow>,
    /// The secret of a token just created: shown on this response only.
    pub created: Option<String>,
}

/// A token as the page lists it.
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub created: String,
    pub expires: String,
    pub scope: &'static str,
    pub last_used: String,
}

impl From<ApiToken> for TokenRow {
    fn from(t: ApiToken) -> Self {
        TokenRow {
            id: t.id,
            name: t.name,
            created: when(t.created_at),
            expires: when(t.expires_at),
            scope: t.scope.label(),
            last_used: t.last_used_at.map(when).unwrap_or_else(|| "Never".into()),
        }
    }
}

use crate::format::when;

async fn page(a: &Acting, errors: FormErrors, form: &NewToken) -> AppResult<TokensPage> {
    Ok(TokensPage {
        shell: Shell::new(&a.state, &a.visitor, "Your API tokens", "/account/tokens"),
        csrf: a.csrf(),
        errors,
        name: form.name.clone(),
        scope: form.scope.clone(),
        days: form.days.clone(),
        tokens: a
            .state
            .store
            .api_tokens_of(a.user.id)
            .await?
            .into_iter()
            .map(TokenRow::from)
            .collect(),
        created: None,
    })
}

async fn list(a: Acting) -> AppResult<Response> {
    let p = page(&a, FormErrors::default(), &NewToken::default()).await?;
    render_clearing_flash(&a.state, &a.visitor, &p).await
}

#[derive(Deserialize)]
struct NewToken {
    #[serde(default)]
    name: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    days: String,
}

impl Default for NewToken {
    fn default() -> Self {
        NewToken {
            name: String::new(),
            scope: TokenScope::Read.as_str().into(),
            days: DEFAULT_LIFETIME.whole_days().to_string(),
        }
    }
}

async fn create(a: Acting, Form(form): Form<NewToken>) -> AppResult<Response> {
    let name = form.name.trim();
    let mut errors = FormErrors::default();
    if name.is_empty() {
        errors.add("name", "Give the token a name, like the program that will use it");
    } else if name.chars().count() > 100 {
        errors.add("name", "The name must be 100 characters or fewer");
    }
    let scope = TokenScope::parse(&form.scope);
    if scope.is_none() {
        errors.add("scope", "Choose whether the token may only read, or read and write");
    }
    let max = MAX_LIFETIME.whole_days();
    let days = form.days.trim().parse::<i64>().ok().filter(|d| (1..=max).contains(d));
    if days.is_none() {
        errors.add("days", format!("Enter a number of days from 1 to {max}"));
    }
    let (scope, days) = match (scope, days) {
        (Some(scope), Some(days)) if errors.is_empty() => (scope, days),
        _ => {
            let p = page(&a, errors, &form).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response());
        }
    };
    let secret = a
        .state
        .store
        .create_scoped_api_token(&a.actor(), a.user.id, name, scope, time::Duration::days(days))
        .await?;
    let mut p = page(&a, FormErrors::default(), &NewToken::default()).await?;
    p.created = Some(secret);
    // The secret is on this page only: it must not be cached anywhere on the way.
    let mut response = render(&p)?;
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

async fn revoke(a: Acting, Path(id): Path<i64>) -> AppResult<Response> {
    // Someone else's token is "not found", exactly like one that does not exist.
    match a.state.store.revoke_api_token(&a.actor(), a.user.id, id).await {
        Ok(()) => {}
        Err(StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    }
    a.done(
        "The token was revoked; programs using it can no longer sign in.",
        "/account/tokens",
    )
    .await
}
