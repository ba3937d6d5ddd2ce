//! A fresh hub's first run: `/setup?code=…`, the link `tutti serve` prints while the hub has no
//! admin, makes the first admin and names the hub. Without the live code it is a plain
//! refusal; once the hub has an admin it is gone, for everyone.
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use tutti_domain::identity::{HubIdentity, NAME_MAX, validate};
use tutti_store::platform::setup::{FirstAdmin, SetupOutcome, SetupState};

use crate::access::{Access, Audience, Routes};
use crate::error::{AppError, AppResult, refused_on_its_field};
use crate::forms::{FormErrors, email_field, new_password_field};
use crate::pages::{MessagePage, render};
use crate::session::{Visitor, form_token};
use crate::shell::Shell;
use crate::state::AppState;

/// Anyone may try; only the live code gets further.
pub fn audience() -> Audience {
    Audience::new(Access::Public, Routes::new().route("/setup", get(form).post(submit)))
}

#[derive(Template)]
#[template(path = "identity/setup.html")]
struct SetupPage {
    shell: Shell,
    errors: FormErrors,
    csrf: String,
    code: String,
    hub_name: String,
    name: String,
    email: String,
}

#[derive(Deserialize, Default)]
struct CodeQuery {
    #[serde(default)]
    code: String,
}

#[derive(Deserialize, Default)]
struct SetupForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    hub_name: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// The same plain refusal for a missing, wrong or replaced code.
fn refused() -> AppError {
    AppError::Forbidden("This setup link is not valid. Use the link `tutti serve` printed when it last started.".into())
}

async fn page(state: &AppState, visitor: &Visitor, form: SetupForm, errors: FormErrors) -> AppResult<Response> {
    let (csrf, cookie) = form_token(state, visitor).await?;
    let status = errors.status();
    let page = SetupPage {
        shell: Shell::new(state, visitor, "Set up your hub", "/setup"),
        errors,
        csrf,
        code: form.code,
        hub_name: form.hub_name,
        name: form.name,
        email: form.email,
    };
    let mut response = (status, render(&page)?).into_response();
    if let Some(c) = cookie {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(response)
}

async fn form(State(state): State<AppState>, visitor: Visitor, Query(q): Query<CodeQuery>) -> AppResult<Response> {
    match state.store.setup_state(&q.code).await? {
        SetupState::Gone => Err(AppError::NotFound),
        SetupState::WrongCode => Err(refused()),
        SetupState::Ready => {
            let form = SetupForm {
                code: q.code,
                ..SetupForm::default()
            };
            page(&state, &visitor, form, FormErrors::default()).await
        }
    }
}

async fn submit(State(state): State<AppState>, visitor: Visitor, Form(form): Form<SetupForm>) -> AppResult<Response> {
    // Nothing about the form is said to anyone without the live code.
    match state.store.setup_state(&form.code).await? {
        SetupState::Gone => return Err(AppError::NotFound),
        SetupState::WrongCode => return Err(refused()),
        SetupState::Ready => {}
    }
    let mut errors = FormErrors::default();
    let identity = HubIdentity::named(&form.hub_name);
    if let Some(problem) = validate(&identity).into_iter().next() {
        errors.add("hub_name", problem.to_string());
    }
    let name = form.name.trim().to_owned();
    if name.is_empty() {
        errors.add("name", "Enter your full name");
    } else if name.chars().count() > NAME_MAX {
        errors.add("name", format!("Your name must be {NAME_MAX} characters or fewer"));
    }
    let email = email_field(&mut errors, "email", &form.email);
    new_password_field(&mut errors, "password", &form.password);
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return page(&state, &visitor, form, errors).await;
    };
    let admin = FirstAdmin {
        email,
        name,
        password: form.password.clone(),
    };
    match state
        .store
        .complete_setup(&form.code, &admin, &identity, &visitor.ip)
        .await
    {
        Ok(SetupOutcome::Done(done)) => {
            let (user, record) = *done;
            state.hub.saved(&record, &state.pages);
            let page = MessagePage {
                shell: Shell::new(&state, &visitor, "Your hub is set up", ""),
                heading: format!("{} is set up", record.identity.name),
                paragraphs: vec![
                    format!("You are its first admin. Log in as {} to go on.", user.email),
                    "The office's accounts are asked to add a second factor (an authenticator app or a passkey) \
                     at their first login. Then fill in the hub's contact details, the local authorities it serves \
                     and its logo under Settings, and check this year's charging policy."
                        .into(),
                ],
                link: Some(("/login".into(), "Log in".into())),
            };
            Ok((StatusCode::CREATED, render(&page)?).into_response())
        }
        Ok(SetupOutcome::Gone) => Err(AppError::NotFound),
        Ok(SetupOutcome::WrongCode) => Err(refused()),
        Err(e) => {
            let mut errors = FormErrors::default();
            refused_on_its_field(e, "hub_name", &mut errors)?;
            page(&state, &visitor, form, errors).await
        }
    }
}
